/**
 * Who may see a run: a run concerning several stores is visible to whoever sees any of them (as the
 * list filter finds it); a run of no store (chain-wide work) and a viewer of every store (null)
 * always see it. Shared by the API's reads and the approval gate's decision check.
 */
export function runVisibleTo(runStoreIds: readonly string[], visibleStoreIds: readonly string[] | null): boolean {
  if (runStoreIds.length === 0 || visibleStoreIds === null) return true;
  return runStoreIds.some((s) => visibleStoreIds.includes(s));
}

/** The stores of a run from its search attributes: StoreIds, or StoreId alone for a run started before StoreIds existed. */
export function runStoreIds(storeIds: readonly string[] | undefined, storeId: string | undefined): string[] {
  return storeIds ? [...storeIds] : storeId ? [storeId] : [];
}

/** The refusal, in the words the API answers with. */
export function noAccessMessage(principalId: string, runStoreIds: readonly string[]): string {
  return `${principalId} has no access to store ${runStoreIds.join(', ')}.`;
}
