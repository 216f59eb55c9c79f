/**
 * Where the tests' own infrastructure is: set by jest's global setup (setupTestRun() in
 * scripts/kit/infra.ts; jest passes its process.env to the test workers), or by a benchmark from
 * startTestInfra()'s env. Never the `npm start` server or database.
 */
export interface TestEnv {
  /** postgresql://…/retail_ops_test, freshly migrated and seeded for this run. */
  databaseUrl: string;
  /** host:port of the tests' Temporal dev server (127.0.0.1:7299 unless TEST_TEMPORAL_ADDRESS). */
  temporalAddress: string;
  namespace: string;
  /** The `now` the seed data is anchored to (seed(db, { now })): sales history ends the day before, etc. */
  seedNow: Date;
}

export function testEnv(): TestEnv {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!databaseUrl || !temporalAddress) {
    throw new Error(
      'TEST_DATABASE_URL / TEST_TEMPORAL_ADDRESS are not set. The jest global setup (scripts/kit/infra.ts) sets them: ' +
        'run the tests through jest (npm test, or npx jest) with the project jest.config.js.',
    );
  }
  const seedNow = process.env.TEST_SEED_NOW ? new Date(process.env.TEST_SEED_NOW) : new Date();
  return { databaseUrl, temporalAddress, namespace: process.env.TEST_TEMPORAL_NAMESPACE || 'default', seedNow };
}
