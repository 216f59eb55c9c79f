/**
 * An isolated SKU for one price-change test: its own category, region, two stores, and the people
 * who decide (category managers of the category, regional managers of the region), each with an
 * API key. The product costs 40 and sells at 100, no MAP, no competitor prices unless asked.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db';
import { createPerson, type Person, type PersonRole, type PersonScope } from '../../scripts/kit/fixtures';

export interface PricingScenario {
  suffix: string;
  sku: string;
  category: string;
  regionId: string;
  storeIds: [string, string];
  people: {
    category: Person;
    category2: Person;
    otherCategory: Person;
    regional: Person;
    otherRegion: Person;
    storeManager: Person;
    ops: Person;
    system: Person;
  };
}

const DAY_MS = 86_400_000;

export async function createPricingScenario(
  db: Db,
  opts: { cost?: number; price?: number; map?: number | null; competitorPrices?: number[]; dailySalesBefore?: number } = {},
): Promise<PricingScenario> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const category = `test-cat-${suffix.toLowerCase()}`;
  const regionId = `R-PC-${suffix}`;
  const storeIds: [string, string] = [`T-PC-${suffix}-1`, `T-PC-${suffix}-2`];
  const sku = `PC-${suffix}`;
  await db.region.create({ data: { id: regionId, name: `Pricing region ${suffix}` } });
  for (const id of storeIds) await db.store.create({ data: { id, name: `Pricing store ${id}`, regionId, city: 'Testville', timezone: 'UTC' } });
  const supplierId = `SUP-PC-${suffix}`;
  await db.supplier.create({ data: { id: supplierId, name: `Supplier ${suffix}`, email: `sup-${suffix.toLowerCase()}@example.com`, leadTimeDays: 5 } });
  await db.product.create({
    data: {
      sku,
      name: `Linen blazer ${suffix}`,
      category,
      brand: 'Test',
      colour: 'navy',
      size: 'M',
      styleTags: [],
      cost: opts.cost ?? 40,
      price: opts.price ?? 100,
      map: opts.map ?? null,
      supplierId,
    },
  });
  for (const storeId of storeIds) await db.inventoryLevel.create({ data: { storeId, sku, onHand: 50 } });
  for (const [i, price] of (opts.competitorPrices ?? []).entries()) {
    await db.competitorPrice.create({ data: { id: `${sku}-C${i}`, sku, competitor: `Competitor ${i}`, price, observedAt: new Date() } });
  }
  if (opts.dailySalesBefore) {
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    await db.salesDaily.createMany({
      data: storeIds.flatMap((storeId) =>
        Array.from({ length: 28 }, (_, i) => ({
          storeId,
          sku,
          day: new Date(today - (i + 1) * DAY_MS),
          units: opts.dailySalesBefore!,
          revenue: opts.dailySalesBefore! * (opts.price ?? 100),
        })),
      ),
    });
  }

  const person = (role: PersonRole, name: string, scope: PersonScope) => createPerson(db, suffix, role, name, scope);
  const people = {
    category: await person('category_manager', 'cm', { categories: [category] }),
    category2: await person('category_manager', 'cm2', { categories: [category] }),
    otherCategory: await person('category_manager', 'cmx', { categories: ['footwear'] }),
    regional: await person('regional_manager', 'rm', { regionIds: [regionId] }),
    otherRegion: await person('regional_manager', 'rmx', { regionIds: ['EAST'] }),
    storeManager: await person('store_manager', 'sm', { storeIds: [storeIds[0]] }),
    ops: await person('ops', 'ops', { allScopes: true }),
    system: await person('system', 'sys', { allScopes: true }),
  };
  return { suffix, sku, category, regionId, storeIds, people };
}
