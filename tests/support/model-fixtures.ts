/**
 * An isolated demand-model scenario: its own region, store, supplier and category of SKUs with
 * `days` of daily sales ending yesterday (UTC), generated in SQL so hundreds of series cost little;
 * a model name of its own so runs never touch the real `demand-forecast` champion; two data
 * scientists (one to request, one to decide) and an ops user.
 *
 * Demand per SKU: a weekly shape (quiet early week, busy weekend) around a per-SKU level, with
 * deterministic noise from a hash of (sku, day): the same scenario always has the same sales. Demand
 * steps up by half `shiftDaysAgo` days before asOf (default 60), a change the fixed-constant baseline
 * follows more slowly than a fitted model, so a first retraining beats it clearly.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db';
import { createPerson, type Person } from '../../scripts/kit/fixtures';

export interface ModelScenario {
  suffix: string;
  modelName: string;
  storeId: string;
  regionId: string;
  category: string;
  skus: string[];
  asOf: string;
  people: { requester: Person; lead: Person; ops: Person; storeManager: Person };
}

const DAY_MS = 86_400_000;

/**
 * The promotion rule for tests of the process's paths (approve, reject, roll back, the inbox, the
 * console) on these scenarios: WAPE as the default rule, bias within 5 points of the baseline's
 * rather than 1, so a path test does not hinge on which side of a point the fitted models land on
 * a series with a level shift. Model quality is judged with the default rule on the demo data
 * (the retraining test on the seed's sales) and in the unit tables.
 */
export const PATH_TEST_PROMOTION = { biasTolerance: 0.05 } as const;

export async function createModelScenario(db: Db, opts: { series?: number; days?: number; shiftDaysAgo?: number } = {}): Promise<ModelScenario> {
  const series = opts.series ?? 12;
  const shiftDaysAgo = opts.shiftDaysAgo ?? 60;
  const days = opts.days ?? 200;
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const regionId = `R-MR-${suffix}`;
  const storeId = `T-MR-${suffix}`;
  const supplierId = `SUP-MR-${suffix}`;
  const category = `model-cat-${suffix.toLowerCase()}`;
  const asOf = new Date().toISOString().slice(0, 10);
  await db.region.create({ data: { id: regionId, name: `Model region ${suffix}` } });
  await db.store.create({ data: { id: storeId, name: `Model store ${suffix}`, regionId, city: 'Testville', timezone: 'UTC' } });
  await db.supplier.create({ data: { id: supplierId, name: `Supplier ${suffix}`, email: `sup-${suffix.toLowerCase()}@example.com`, leadTimeDays: 7 } });
  const skus = Array.from({ length: series }, (_, i) => `MR-${suffix}-${String(i).padStart(4, '0')}`);
  await db.product.createMany({
    data: skus.map((sku, i) => ({
      sku,
      name: `Model item ${i}`,
      category,
      brand: 'Test',
      colour: 'grey',
      size: 'M',
      styleTags: [],
      cost: 5,
      price: 12,
      supplierId,
    })),
  });
  await db.inventoryLevel.createMany({ data: skus.map((sku) => ({ storeId, sku, onHand: 20 })) });
  const { days: dayList, units } = modelScenarioSales(series, days, asOf, shiftDaysAgo);
  await db.$executeRaw`
    INSERT INTO "SalesDaily" ("storeId", sku, day, units, revenue)
    SELECT ${storeId}, s.sku, s.day::date, s.units, 0
      FROM unnest(${units.flatMap((_, i) => dayList.map(() => skus[i]!))}::text[], ${units.flatMap(() => dayList)}::text[], ${units.flat()}::int[]) AS s(sku, day, units)`;
  const requester = await createPerson(db, suffix, 'data_scientist', 'ds', { allScopes: true });
  const lead = await createPerson(db, suffix, 'data_scientist', 'lead', { allScopes: true });
  const ops = await createPerson(db, suffix, 'ops', 'ops', { allScopes: true });
  const storeManager = await createPerson(db, suffix, 'store_manager', 'mgr', { storeIds: [storeId] });
  return {
    suffix,
    modelName: `demand-forecast-t-${suffix.toLowerCase()}`,
    storeId,
    regionId,
    category,
    skus,
    asOf,
    people: { requester, lead, ops, storeManager },
  };
}

/**
 * The scenario's sales, the same for the same arguments: series i has level 3 + (i mod 5) * 2, a
 * weekly shape by position (day 0 is a quiet day), ±40 % noise from a generator seeded by i, and
 * the level × 1.5 from `shiftDaysAgo` days before asOf.
 */
export function modelScenarioSales(series: number, days: number, asOf: string, shiftDaysAgo: number): { days: string[]; units: number[][] } {
  const weekly = [0.6, 0.6, 0.8, 1.0, 1.2, 1.8, 1.6];
  const first = Date.parse(`${asOf}T00:00:00Z`) - days * DAY_MS;
  const dayList = Array.from({ length: days }, (_, t) => new Date(first + t * DAY_MS).toISOString().slice(0, 10));
  const units = Array.from({ length: series }, (_, i) => {
    let state = (2_654_435_761 * (i + 1)) % 4_294_967_296;
    const next = () => {
      state = (1_664_525 * state + 1_013_904_223) % 4_294_967_296;
      return state / 4_294_967_296;
    };
    const level = 3 + (i % 5) * 2;
    return dayList.map((_, t) => Math.max(0, Math.round(level * weekly[t % 7]! * (t >= days - shiftDaysAgo ? 1.5 : 1) * (0.6 + 0.8 * next()))));
  });
  return { days: dayList, units };
}
