/**
 * The tests' own unsubscribe-link secret: the harness worker (and a worker in a child process)
 * signs with it and apps built in tests verify with it. No product code knows it.
 */
export const TEST_UNSUBSCRIBE_SECRETS: readonly string[] = ['tests-only-unsubscribe-secret-7f3a9c'];
