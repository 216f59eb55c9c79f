import type { Principal } from '../domain/approval';
import { noAccessMessage, runVisibleTo } from '../domain/visibility';
import type { Db } from '../platform/db';
import { problems } from './errors';

/** The stores a principal may see; null means every store. */
export async function visibleStoreIds(db: Db, p: Principal): Promise<string[] | null> {
  if (p.allScopes) return null;
  if (p.role === 'category_manager') return null;
  const stores = new Set(p.storeIds);
  if (p.regionIds.length) {
    const inRegions = await db.store.findMany({ where: { regionId: { in: p.regionIds } }, select: { id: true } });
    inRegions.forEach((s) => stores.add(s.id));
  }
  return [...stores];
}

export async function assertStoreVisible(db: Db, p: Principal, storeId: string | null | undefined): Promise<void> {
  if (!storeId) return;
  const visible = await visibleStoreIds(db, p);
  if (visible && !visible.includes(storeId)) throw problems.forbidden(`${p.id} has no access to store ${storeId}.`);
}

/** A run concerning several stores is visible to whoever sees any of them (as the list filter finds it); none: every store. */
export async function assertRunVisible(db: Db, p: Principal, storeIds: readonly string[]): Promise<void> {
  if (storeIds.length === 0) return;
  if (!runVisibleTo(storeIds, await visibleStoreIds(db, p))) throw problems.forbidden(noAccessMessage(p.id, storeIds));
}
