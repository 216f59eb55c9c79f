/**
 * An isolated store for one replenishment test: its own region, managers with API keys, and one
 * supplier per approval tier. Every SKU sells exactly 10 units a day and has nothing on hand, so
 * with a 5-day lead time and the workflow's 1-day review period each SKU is ordered up to
 * 6 · 10 = 60 units (packs of 6, no safety stock: the demand has no spread). A supplier's PO is
 * worth skus · 60 · cost, which puts it in a known tier:
 *   auto      1 SKU  at  10  →     600  (≤ 2,500: approved automatically)
 *   store     2 SKUs at  25  →   3,000  (store manager)
 *   regional  2 SKUs at 100  →  12,000  (store manager, then regional manager)
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db';
import { purchaseOrderId } from '../../domain/purchase-orders';
import { createPerson, type Person, type PersonRole, type PersonScope } from '../../scripts/kit/fixtures';

export type TierKey = 'auto' | 'store' | 'regional';

export const TIER_SUPPLIERS: Record<TierKey, { skus: number; cost: number }> = {
  auto: { skus: 1, cost: 10 },
  store: { skus: 2, cost: 25 },
  regional: { skus: 2, cost: 100 },
};

export const UNITS_PER_SKU = 60;
export const PACK_SIZE = 6;
const HISTORY_DAYS = 120;
const DAY_MS = 86_400_000;

export interface ReplenishmentScenario {
  suffix: string;
  regionId: string;
  storeId: string;
  asOf: string;
  /** Supplier ID, SKUs and expected PO ID per tier present. */
  suppliers: Partial<Record<TierKey, { supplierId: string; skus: string[]; purchaseOrderId: string; value: number }>>;
  people: {
    manager: Person;
    manager2: Person;
    regional: Person;
    regional2: Person;
    otherStore: Person;
    otherRegion: Person;
    ops: Person;
    system: Person;
  };
}

/** yyyy-mm-dd, `daysAgo` days before today (UTC). */
export function isoDayAgo(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
}

export async function createReplenishmentScenario(db: Db, opts: { tiers?: TierKey[]; asOf?: string } = {}): Promise<ReplenishmentScenario> {
  const tiers = opts.tiers ?? ['auto', 'store', 'regional'];
  const asOf = opts.asOf ?? isoDayAgo(1);
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const regionId = `R-RE-${suffix}`;
  const storeId = `T-RE-${suffix}`;
  await db.region.create({ data: { id: regionId, name: `Replenishment region ${suffix}` } });
  await db.store.create({ data: { id: storeId, name: `Replenishment Store ${suffix}`, regionId, city: 'Testville', timezone: 'UTC' } });

  const person = (role: PersonRole, name: string, scope: PersonScope) => createPerson(db, suffix, role, name, scope);
  const people = {
    manager: await person('store_manager', 'mgr', { storeIds: [storeId] }),
    manager2: await person('store_manager', 'mgr2', { storeIds: [storeId] }),
    regional: await person('regional_manager', 'rm', { regionIds: [regionId] }),
    regional2: await person('regional_manager', 'rm2', { regionIds: [regionId] }),
    otherStore: await person('store_manager', 'other', { storeIds: ['S002'] }),
    otherRegion: await person('regional_manager', 'rmx', { regionIds: ['EAST'] }),
    ops: await person('ops', 'ops', { allScopes: true }),
    system: await person('system', 'sys', { allScopes: true }),
  };

  const suppliers: ReplenishmentScenario['suppliers'] = {};
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  for (const tier of tiers) {
    const spec = TIER_SUPPLIERS[tier];
    const supplierId = `SUP-RE-${suffix}-${tier.toUpperCase()}`;
    await db.supplier.create({
      data: { id: supplierId, name: `${tier} supplier ${suffix}`, email: `${tier}-${suffix.toLowerCase()}@example.com`, leadTimeDays: 5 },
    });
    const skus = Array.from({ length: spec.skus }, (_, i) => `RE-${suffix}-${tier.toUpperCase()}-${i + 1}`);
    await db.product.createMany({
      data: skus.map((sku) => ({
        sku,
        name: `Product ${sku}`,
        category: 'test',
        brand: 'Test',
        colour: 'black',
        size: 'M',
        styleTags: [],
        cost: spec.cost,
        price: spec.cost * 2.5,
        supplierId,
        packSize: PACK_SIZE,
        minOrderQty: 1,
        serviceLevel: 0.95,
      })),
    });
    await db.inventoryLevel.createMany({ data: skus.map((sku) => ({ storeId, sku, onHand: 0 })) });
    await db.salesDaily.createMany({
      data: skus.flatMap((sku) =>
        Array.from({ length: HISTORY_DAYS }, (_, i) => ({ storeId, sku, day: new Date(asOfMs - (i + 1) * DAY_MS), units: 10, revenue: 10 * spec.cost * 2.5 })),
      ),
    });
    suppliers[tier] = { supplierId, skus, purchaseOrderId: purchaseOrderId(storeId, asOf, supplierId), value: spec.skus * UNITS_PER_SKU * spec.cost };
  }
  return { suffix, regionId, storeId, asOf, suppliers, people };
}
