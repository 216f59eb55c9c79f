/**
 * Replenishment planning activities against the real test database, on isolated stores built
 * here (unique ids), with hand-made sales histories so the expected orders are known.
 *
 * Every SKU of the main store sells exactly 10 units a day, so the forecast is 10 a day with no
 * spread (safety stock 0). Supplier lead time 5 days, review period 7 days:
 *   order-up-to = 12 · 10 = 120, and every review tops the position up to it (reorder point 120).
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { seasonalExponentialSmoothing, type DailySales, type Forecaster } from '../../domain/forecasting';
import {
  createReplenishmentPlanningActivities,
  HEARTBEAT_EVERY,
  type PlanningProgress,
  type PlanStoreBatchResult,
} from '../../activities/replenishment/planning';
import { createDb, type Db } from '../../platform/db';
import { SERVICE_FEEDBACK, serviceRecord } from '../../domain/service-feedback';
import { generateSeedData } from '../../prisma/seed-data';
import { testEnv } from '../../scripts/kit/env';

const AS_OF = '2025-06-01';
const HISTORY_DAYS = 120;
const REVIEW_DAYS = 7;
const DAY_MS = 86_400_000;

function dayOffset(offset: number): Date {
  return new Date(Date.parse(`${AS_OF}T00:00:00Z`) + offset * DAY_MS);
}

interface SkuSpec {
  key: string;
  onHand: number;
  reserved?: number;
  onOrder?: number;
  packSize?: number;
  minOrderQty?: number;
  active?: boolean;
  /** Units sold on day asOf + offset (offset < 0 is history; stockout: the shelf ran empty), or 10 a day over the whole window. */
  sales?: 'steady' | 'none' | Array<[offset: number, units: number, stockout?: boolean]>;
}

interface Scenario {
  storeId: string;
  supplierId: string;
  sku: (key: string) => string;
}

async function createScenario(db: Db, specs: SkuSpec[], opts: { leadTimeDays?: number; cost?: number } = {}): Promise<Scenario> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const regionId = `R-RP-${suffix}`;
  const storeId = `T-RP-${suffix}`;
  const supplierId = `SUP-RP-${suffix}`;
  const sku = (key: string) => `RP-${suffix}-${key}`;
  await db.region.create({ data: { id: regionId, name: `Planning region ${suffix}` } });
  await db.store.create({ data: { id: storeId, name: `Planning store ${suffix}`, regionId, city: 'Testville', timezone: 'Europe/London' } });
  await db.supplier.create({
    data: { id: supplierId, name: `Supplier ${suffix}`, email: `sup-${suffix.toLowerCase()}@example.com`, leadTimeDays: opts.leadTimeDays ?? 5 },
  });
  await db.product.createMany({
    data: specs.map((s) => ({
      sku: sku(s.key),
      name: `Product ${s.key}`,
      category: 'test',
      brand: 'Test',
      colour: 'black',
      size: 'M',
      styleTags: [],
      cost: opts.cost ?? 4,
      price: 10,
      supplierId,
      packSize: s.packSize ?? 1,
      minOrderQty: s.minOrderQty ?? 1,
      serviceLevel: 0.95,
      active: s.active ?? true,
    })),
  });
  await db.inventoryLevel.createMany({
    data: specs.map((s) => ({ storeId, sku: sku(s.key), onHand: s.onHand, reserved: s.reserved ?? 0, onOrder: s.onOrder ?? 0 })),
  });
  const sales = specs.flatMap((s) => {
    const days: Array<[number, number, boolean?]> =
      s.sales === 'none'
        ? []
        : s.sales === undefined || s.sales === 'steady'
          ? Array.from({ length: HISTORY_DAYS }, (_, i) => [i - HISTORY_DAYS, 10])
          : s.sales;
    return days.map(([offset, units, stockout]) => ({
      storeId,
      sku: sku(s.key),
      day: dayOffset(offset),
      units,
      revenue: units * 10,
      stockout: stockout ?? false,
    }));
  });
  if (sales.length) await db.salesDaily.createMany({ data: sales });
  return { storeId, supplierId, sku };
}

/** Every batch of the store, `batchSize` SKUs at a time. */
async function planAll(
  plan: ReturnType<typeof createReplenishmentPlanningActivities>['planStoreBatch'],
  storeId: string,
  batchSize: number,
): Promise<PlanStoreBatchResult[]> {
  const batches: PlanStoreBatchResult[] = [];
  let afterSku: string | null = null;
  for (;;) {
    const r = await plan({ storeId, asOf: AS_OF, afterSku, batchSize, reviewPeriodDays: REVIEW_DAYS });
    batches.push(r);
    if (r.examined < batchSize || r.lastSku === null) return batches;
    afterSku = r.lastSku;
  }
}

describe('replenishment planning activities', () => {
  let db: Db;
  let acts: ReturnType<typeof createReplenishmentPlanningActivities>;
  let main: Scenario;

  beforeAll(async () => {
    db = createDb(testEnv().databaseUrl, { max: 4 });
    // A model name of this file's own: other suites sharing the database may give `demand-forecast`
    // a champion at any moment, which would change the rationale text between two plans compared here.
    acts = createReplenishmentPlanningActivities({ db, modelName: `demand-forecast-rp-none-${process.pid}` });
    main = await createScenario(db, [
      // Position 20 ≤ 120: order up to 120 → 100, in packs of 12 → 108. The 1,000 sold on asOf
      // itself and before the window must not count.
      {
        key: 'LOW',
        onHand: 20,
        packSize: 12,
        sales: [...Array.from({ length: HISTORY_DAYS }, (_, i): [number, number] => [i - HISTORY_DAYS, 10]), [0, 1000], [-HISTORY_DAYS - 1, 1000]],
      },
      { key: 'ENOUGH', onHand: 200 },
      // 20 on hand alone would be ordered; with 100 on order the position is 120.
      { key: 'ONORDER', onHand: 20, onOrder: 100 },
      // 60 on hand alone would order 60; 30 reserved make the position 30 → order 90.
      { key: 'RESERVED', onHand: 60, reserved: 30 },
      // No sales at all: nothing is forecast, nothing ordered.
      { key: 'NOSALES', onHand: 0, sales: 'none' },
      // Below the reorder point but inactive: not planned.
      { key: 'RETIRED', onHand: 0, active: false },
      // Position 45: need 75, raised to the minimum order 100.
      { key: 'MINORDER', onHand: 45, minOrderQty: 100 },
    ]);
  });

  afterAll(async () => {
    await db.$disconnect();
  });

  it('counts the active SKUs stocked in the store', async () => {
    await expect(acts.countStoreSkus({ storeId: main.storeId })).resolves.toBe(6);
  });

  it('orders what is below the reorder point, rounded to packs, netting reserved and on-order stock', async () => {
    const r = await acts.planStoreBatch({ storeId: main.storeId, asOf: AS_OF, afterSku: null, batchSize: 500, reviewPeriodDays: REVIEW_DAYS });
    expect(r.examined).toBe(6);
    expect(r.lastSku).toBe(main.sku('RESERVED'));
    const bySku = Object.fromEntries(r.lines.map((l) => [l.sku, l]));
    expect(Object.keys(bySku).sort()).toEqual([main.sku('LOW'), main.sku('MINORDER'), main.sku('RESERVED')].sort());

    const low = bySku[main.sku('LOW')]!;
    expect(low.quantity).toBe(108);
    expect(low.supplierId).toBe(main.supplierId);
    expect(low.unitCost).toBe(4);
    expect(low.lineValue).toBe(432);
    expect(low.rationale).toMatchObject({
      meanDaily: 10,
      demandOverLeadTime: 50,
      safetyStock: 0,
      reorderPoint: 120,
      orderUpTo: 120,
      inventoryPosition: 20,
      packSize: 12,
    });

    const reserved = bySku[main.sku('RESERVED')]!;
    expect(reserved.quantity).toBe(90);
    expect(reserved.rationale).toMatchObject({ onHand: 60, reserved: 30, onOrder: 0, inventoryPosition: 30 });

    expect(bySku[main.sku('MINORDER')]!.quantity).toBe(100);
  });

  it('does not order stock already on order again', async () => {
    const r = await acts.planStoreBatch({ storeId: main.storeId, asOf: AS_OF, afterSku: null, batchSize: 500, reviewPeriodDays: REVIEW_DAYS });
    expect(r.lines.find((l) => l.sku === main.sku('ONORDER'))).toBeUndefined();
    // The same SKU with nothing on order would be ordered.
    const other = await createScenario(db, [{ key: 'ONORDER', onHand: 20 }]);
    const o = await acts.planStoreBatch({ storeId: other.storeId, asOf: AS_OF, afterSku: null, batchSize: 10, reviewPeriodDays: REVIEW_DAYS });
    expect(o.lines.map((l) => [l.sku, l.quantity])).toEqual([[other.sku('ONORDER'), 100]]);
  });

  it('hands the forecaster a dense daily series over [asOf − historyDays, asOf)', async () => {
    const seen: DailySales[] = [];
    const recording: Forecaster = {
      name: 'recording',
      forecast(history, horizon) {
        seen.push(history);
        return seasonalExponentialSmoothing.forecast(history, horizon);
      },
    };
    const s = await createScenario(db, [
      {
        key: 'GAPS',
        onHand: 0,
        sales: [
          [-30, 4],
          [-1, 7],
          [-31, 2],
          [-5, 0],
          [0, 99],
        ],
      },
    ]);
    const r = await createReplenishmentPlanningActivities({ db, forecaster: recording }).planStoreBatch({
      storeId: s.storeId,
      asOf: AS_OF,
      afterSku: null,
      batchSize: 10,
      historyDays: 30,
    });
    expect(r.examined).toBe(1);
    expect(seen).toHaveLength(1);
    const expected = new Array<number>(30).fill(0);
    expected[0] = 4; // asOf − 30
    expected[29] = 7; // asOf − 1
    expect(seen[0]).toEqual({ startDay: '2025-05-02', units: expected });
  });

  it('starts a series at its first row in the window and reads a stock-out day as censored (NaN), not as its units or zero', async () => {
    const seen = new Map<string, DailySales>();
    const recording: Forecaster = {
      name: 'recording',
      forecast(history, horizon, series) {
        seen.set(series!.sku, history);
        return seasonalExponentialSmoothing.forecast(history, horizon);
      },
    };
    const s = await createScenario(db, [
      // First sold 10 days before asOf; sold out 4 days before (2 units before the shelf ran empty).
      {
        key: 'NEW',
        onHand: 0,
        sales: [
          [-10, 3],
          [-8, 0],
          [-4, 2, true],
          [-1, 5],
        ],
      },
      // Steady 10 a day, but three stock-out days with 1 unit each: not read as low demand.
      {
        key: 'CENSORED',
        onHand: 0,
        sales: Array.from({ length: 30 }, (_, i): [number, number, boolean] => (i % 10 === 3 ? [i - 30, 1, true] : [i - 30, 10, false])),
      },
    ]);
    await createReplenishmentPlanningActivities({ db, forecaster: recording }).planStoreBatch({
      storeId: s.storeId,
      asOf: AS_OF,
      afterSku: null,
      batchSize: 10,
      historyDays: 30,
    });
    expect(seen.get(s.sku('NEW'))).toEqual({ startDay: '2025-05-22', units: [3, 0, 0, 0, 0, 0, Number.NaN, 0, 0, 5] });
    const censored = seen.get(s.sku('CENSORED'))!;
    expect(censored.startDay).toBe('2025-05-02');
    expect(censored.units).toHaveLength(30);
    expect(censored.units.filter((u) => Number.isNaN(u))).toHaveLength(3);
    expect(censored.units.filter((u) => u === 10)).toHaveLength(27);
    expect(censored.units).not.toContain(1);
  });

  it('pages through the store in batches, every SKU exactly once', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `P${i}`);
    const s = await createScenario(
      db,
      keys.map((key) => ({ key, onHand: 0 })),
    );
    const batches = await planAll(acts.planStoreBatch, s.storeId, 3);
    expect(batches.map((b) => b.examined)).toEqual([3, 3, 1]);
    const skus = batches.flatMap((b) => b.lines.map((l) => l.sku));
    expect(skus).toEqual(keys.map(s.sku));
    expect(new Set(skus).size).toBe(7);
    expect(batches.reduce((n, b) => n + b.examined, 0)).toBe(await acts.countStoreSkus({ storeId: s.storeId }));

    const single = await acts.planStoreBatch({ storeId: s.storeId, asOf: AS_OF, afterSku: null, batchSize: 500, reviewPeriodDays: REVIEW_DAYS });
    expect(batches.flatMap((b) => b.lines)).toEqual(single.lines);

    // Exactly divisible: the last full batch is followed by an empty one.
    const even = await planAll(acts.planStoreBatch, s.storeId, 7);
    expect(even.map((b) => b.examined)).toEqual([7, 0]);
    expect(even[1]).toEqual({ lines: [], lastSku: s.sku('P6'), examined: 0 });
  });

  it('cuts the store into SKU ranges that plan every SKU exactly once, a SKU stocked after the cut included', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `R${i}`);
    const s = await createScenario(
      db,
      keys.map((key) => ({ key, onHand: 0 })),
    );
    const partition = await acts.partitionStoreSkus({ storeId: s.storeId, batchSize: 3 });
    expect(partition).toEqual({
      skuCount: 7,
      ranges: [
        { afterSku: null, throughSku: s.sku('R2') },
        { afterSku: s.sku('R2'), throughSku: s.sku('R5') },
        { afterSku: s.sku('R5'), throughSku: null },
      ],
    });
    // Exactly divisible: no empty range at the end.
    expect((await acts.partitionStoreSkus({ storeId: s.storeId, batchSize: 7 })).ranges).toEqual([{ afterSku: null, throughSku: null }]);

    // Two SKUs stocked after the cut, one inside the first range and one past the last cut.
    await db.product.createMany({
      data: ['R1A', 'R9'].map((key) => ({
        sku: s.sku(key),
        name: key,
        category: 'test',
        brand: 'Test',
        colour: 'black',
        size: 'M',
        styleTags: [],
        cost: 4,
        price: 10,
        supplierId: s.supplierId,
      })),
    });
    await db.inventoryLevel.createMany({ data: ['R1A', 'R9'].map((key) => ({ storeId: s.storeId, sku: s.sku(key), onHand: 0 })) });
    const batches = await Promise.all(
      partition.ranges.map((r) =>
        acts.planStoreBatch({ storeId: s.storeId, asOf: AS_OF, afterSku: r.afterSku, throughSku: r.throughSku, batchSize: 3, reviewPeriodDays: REVIEW_DAYS }),
      ),
    );
    // The new SKUs (no sales: examined, nothing to order) are in the first and the last range.
    expect(batches.map((b) => [b.examined, b.lastSku])).toEqual([
      [4, s.sku('R2')],
      [3, s.sku('R5')],
      [2, s.sku('R9')],
    ]);
    expect(batches.flatMap((b) => b.lines.map((l) => l.sku))).toEqual(keys.map(s.sku));
    await expect(acts.partitionStoreSkus({ storeId: 'NO-SUCH-STORE', batchSize: 3 })).rejects.toMatchObject({ type: 'StoreNotFound', nonRetryable: true });
  });

  it('stages batches of one store side by side, and again on a retry, without a duplicate PO or line', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const s = await createScenario(
      db,
      keys.map((key) => ({ key, onHand: 0 })),
    );
    const workflowId = `wf-stage-${s.storeId}`;
    const { ranges } = await acts.partitionStoreSkus({ storeId: s.storeId, batchSize: 2 });
    expect(ranges).toHaveLength(6);
    const stage = () =>
      Promise.all(
        ranges.map((r) =>
          acts.planAndStageBatch({
            storeId: s.storeId,
            asOf: AS_OF,
            afterSku: r.afterSku,
            throughSku: r.throughSku,
            batchSize: 2,
            workflowId,
            reviewPeriodDays: REVIEW_DAYS,
          }),
        ),
      );
    const first = await stage();
    expect(first.reduce((n, b) => n + b.linesStaged, 0)).toBe(12);
    await stage();
    const pos = await db.purchaseOrder.findMany({ where: { workflowId }, include: { lines: true } });
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ storeId: s.storeId, supplierId: s.supplierId, status: 'DRAFT' });
    expect(pos[0]!.lines.map((l) => l.sku).sort()).toEqual(keys.map(s.sku));
    expect(pos[0]!.lines.every((l) => l.quantity === l.plannedQuantity && l.quantity > 0)).toBe(true);
  });

  it('heartbeats its progress inside an activity and resumes from it on a retry', async () => {
    const count = 2 * HEARTBEAT_EVERY + 30;
    // No sales and stock short by 5: every SKU gets an order of 5.
    const keys = Array.from({ length: count }, (_, i) => `H${String(i).padStart(4, '0')}`);
    const s = await createScenario(
      db,
      keys.map((key) => ({ key, onHand: -5, sales: 'none' as const })),
    );
    const input = { storeId: s.storeId, asOf: AS_OF, afterSku: null, batchSize: 1000 };

    const env = new MockActivityEnvironment();
    const beats: PlanningProgress[] = [];
    env.on('heartbeat', (d: PlanningProgress) => beats.push(d));
    const full = (await env.run(acts.planStoreBatch, input)) as PlanStoreBatchResult;
    expect(full.examined).toBe(count);
    expect(full.lines).toHaveLength(count);
    expect(beats.map((b) => [b.lastSku, b.examined, b.lines.length])).toEqual([
      [s.sku(keys[HEARTBEAT_EVERY - 1]!), HEARTBEAT_EVERY, HEARTBEAT_EVERY],
      [s.sku(keys[2 * HEARTBEAT_EVERY - 1]!), 2 * HEARTBEAT_EVERY, 2 * HEARTBEAT_EVERY],
    ]);

    // A retry with the first heartbeat's details gives the same result without redoing its SKUs.
    const seen: number[] = [];
    const counting: Forecaster = {
      name: 'counting',
      forecast(history, horizon) {
        seen.push(1);
        return seasonalExponentialSmoothing.forecast(history, horizon);
      },
    };
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats[0] });
    const resumed = (await retry.run(createReplenishmentPlanningActivities({ db, forecaster: counting }).planStoreBatch, input)) as PlanStoreBatchResult;
    expect(resumed).toEqual(full);
    expect(seen).toHaveLength(count - HEARTBEAT_EVERY);
  });

  it('rejects an unknown store as non-retryable StoreNotFound', async () => {
    const failure = { name: 'ApplicationFailure', type: 'StoreNotFound', nonRetryable: true };
    await expect(acts.countStoreSkus({ storeId: 'NO-SUCH-STORE' })).rejects.toMatchObject(failure);
    await expect(acts.planStoreBatch({ storeId: 'NO-SUCH-STORE', asOf: AS_OF, afterSku: null, batchSize: 10 })).rejects.toMatchObject(failure);
  });

  it('rejects a malformed day or batch size as non-retryable', async () => {
    const failure = { type: 'InvalidPlanningInput', nonRetryable: true };
    await expect(acts.planStoreBatch({ storeId: main.storeId, asOf: '2025-02-30', afterSku: null, batchSize: 10 })).rejects.toMatchObject(failure);
    await expect(acts.planStoreBatch({ storeId: main.storeId, asOf: AS_OF, afterSku: null, batchSize: 0 })).rejects.toMatchObject(failure);
  });
  it('plans each SKU at the service level its last year of receipts and stock-outs calls for (domain/service-feedback.ts)', async () => {
    // Receipts every 30 days from 360 days back: 11 closed cycles and one open. BEHIND ran out in 6
    // of them, AHEAD in none, NONE was never received. Sales vary, so the level moves the order.
    const receiptOffsets = Array.from({ length: 12 }, (_, k) => -360 + 30 * k);
    const varied = (stockoutsAt: number[]): Array<[number, number, boolean?]> => {
      const days = new Map<number, [number, number, boolean?]>();
      for (let i = 0; i < HISTORY_DAYS; i++) days.set(i - HISTORY_DAYS, [i - HISTORY_DAYS, 5 + (i % 3) * 5]);
      for (const d of stockoutsAt) days.set(d, [d, 3, true]);
      return [...days.values()];
    };
    const behindOuts = receiptOffsets.slice(0, 11).flatMap((r, k) => (k % 2 === 0 ? [r + 10, r + 11] : []));
    const s = await createScenario(db, [
      { key: 'AHEAD', onHand: 0, sales: varied([]) },
      { key: 'BEHIND', onHand: 0, sales: varied(behindOuts) },
      { key: 'NONE', onHand: 0, sales: varied([]) },
    ]);
    const receivedOn = (offset: number) => new Date(dayOffset(offset).getTime() + 12 * 3_600_000);
    const line = (poId: string, key: string) => ({ id: `${poId}-${key}`, purchaseOrderId: poId, sku: s.sku(key), quantity: 10, unitCost: 4, rationale: {} });
    const po = (poId: string) => ({
      id: poId,
      workflowId: `wf-${poId}`,
      storeId: s.storeId,
      supplierId: s.supplierId,
      status: 'RECEIVED' as const,
      totalValue: 80,
      idempotencyKey: poId,
    });
    for (const [k, offset] of [...receiptOffsets, -45].entries()) {
      const poId = `PO-${s.storeId}-${k}`;
      await db.purchaseOrder.create({ data: po(poId) });
      await db.purchaseOrderLine.createMany({ data: [line(poId, 'AHEAD'), line(poId, 'BEHIND')] });
      const lines =
        offset === -45
          ? [{ sku: s.sku('BEHIND'), quantityReceived: 0, quantityRejected: 10 }] // rejected, not a receipt
          : [
              { sku: s.sku('AHEAD'), quantityReceived: 10 },
              { sku: s.sku('BEHIND'), quantityReceived: 10 },
            ];
      await db.supplierEvent.create({
        data: { id: `${poId}-r`, eventId: `${poId}-r`, purchaseOrderId: poId, type: 'received', payload: { lines }, receivedAt: receivedOn(offset) },
      });
      // Acknowledgments are not receipts.
      await db.supplierEvent.create({
        data: { id: `${poId}-a`, eventId: `${poId}-a`, purchaseOrderId: poId, type: 'acknowledged', payload: {}, receivedAt: receivedOn(offset + 3) },
      });
    }

    const r = await acts.planStoreBatch({ storeId: s.storeId, asOf: AS_OF, afterSku: null, batchSize: 10, reviewPeriodDays: REVIEW_DAYS });
    const bySku = Object.fromEntries(r.lines.map((l) => [l.sku, l]));
    const ahead = bySku[s.sku('AHEAD')]!;
    const behind = bySku[s.sku('BEHIND')]!;
    const none = bySku[s.sku('NONE')]!;
    // BEHIND: 5 of 11 good, far behind the 96% aim: the ceiling. AHEAD: 11 of 11, 0.96 + 6 · (0.96 − (11 + 9.6) / 21).
    expect(behind.rationale.serviceFeedback).toEqual({ target: 0.95, plannedServiceLevel: SERVICE_FEEDBACK.ceiling, cycles: 11, cyclesWithStockout: 6 });
    expect(ahead.rationale.serviceFeedback).toEqual({ target: 0.95, plannedServiceLevel: 0.8343, cycles: 11, cyclesWithStockout: 0 });
    expect(none.rationale.serviceFeedback).toBeUndefined();
    expect(behind.rationale.reasons.join(' ')).toContain('6 replenishment cycles of the last 11 ran out of stock');
    expect(ahead.rationale.reasons.join(' ')).toContain('lowered to 83.43%');
    expect(behind.rationale.orderUpTo).toBeGreaterThan(none.rationale.orderUpTo);
    expect(ahead.rationale.orderUpTo).toBeLessThan(none.rationale.orderUpTo);
  });

  it('reads the history the demo seed wrote: each S001 SKU planned with the record of the shelf the generator simulated', async () => {
    const marker = await db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: 'seed:demo-data' } });
    const data = generateSeedData(new Date((marker.details as { seedNow: string }).seedNow));
    const today = data.sales.days;
    const asOf = new Date(Date.parse(`${data.sales.firstDay}T00:00:00Z`) + today * DAY_MS).toISOString().slice(0, 10);
    const r = await createReplenishmentPlanningActivities({ db, modelName: `demand-forecast-rp-none-${process.pid}` }).planStoreBatch({
      storeId: 'S001',
      asOf,
      afterSku: null,
      batchSize: 60,
      reviewPeriodDays: 1,
    });
    expect(r.lines.length).toBeGreaterThan(10);
    const series = new Map(data.sales.series.filter((x) => x.storeId === 'S001').map((x) => [x.sku, x]));
    let compared = 0;
    let withRecord = 0;
    for (const line of r.lines) {
      const shelf = series.get(line.sku);
      if (!shelf) continue; // a SKU another suite added to S001
      compared += 1;
      const outs = [...shelf.stockout].flatMap((out, d) => (out ? [d] : []));
      const expected = serviceRecord(
        shelf.receipts.map((x) => x.receivedDay),
        outs,
        today,
      );
      if (expected.cycles > 0) withRecord += 1;
      expect({ sku: line.sku, cycles: line.rationale.serviceFeedback?.cycles ?? 0, bad: line.rationale.serviceFeedback?.cyclesWithStockout ?? 0 }).toEqual({
        sku: line.sku,
        cycles: expected.cycles,
        bad: expected.cyclesWithStockout,
      });
    }
    expect(compared).toBeGreaterThan(0);
    expect(withRecord).toBeGreaterThan(0);
  });

  it("forecasts with the registry's champion: each series with its own parameters, the baseline for SKUs it has none for", async () => {
    const modelName = `demand-forecast-rp-${main.storeId.toLowerCase()}`;
    const lowSku = main.sku('LOW');
    const acts = createReplenishmentPlanningActivities({ db, modelName });
    const plan = async () => (await planAll(acts.planStoreBatch, main.storeId, 500)).flatMap((b) => b.lines);
    const withoutChampion = await plan();
    const low = withoutChampion.find((l) => l.sku === lowSku)!;
    expect(low.rationale.reasons.join(' ')).not.toContain(modelName);

    // A champion whose parameters for LOW are a 7-day mean; MINORDER has none (baseline).
    const now = new Date();
    await db.modelVersion.create({
      data: {
        id: `${modelName}-v1`,
        modelName,
        version: 1,
        params: {},
        metrics: {},
        trainingWindowStart: now,
        trainingWindowEnd: now,
        dataFingerprint: 'x',
        codeVersion: 'test',
        status: 'promoted',
      },
    });
    await db.modelSeriesParams.create({
      data: {
        modelVersionId: `${modelName}-v1`,
        storeId: main.storeId,
        sku: lowSku,
        category: 'x',
        family: 'simple-mean',
        params: { family: 'simple-mean', windowDays: 7 },
        holdoutDays: 28,
        holdoutUnits: 0,
        challengerAbsError: 0,
        challengerError: 0,
        championAbsError: 0,
        championError: 0,
        naiveScale: 0,
      },
    });
    await db.modelAlias.create({ data: { modelName, alias: 'champion', modelVersionId: `${modelName}-v1` } });
    const withChampion = await plan();
    const championLow = withChampion.find((l) => l.sku === lowSku)!;
    expect(championLow.rationale.reasons.join(' ')).toMatch(new RegExp(`simple-mean.*${modelName} v1`));
    const minOrder = withChampion.find((l) => l.sku === main.sku('MINORDER'));
    const baselineMinOrder = withoutChampion.find((l) => l.sku === main.sku('MINORDER'));
    expect(minOrder?.quantity).toBe(baselineMinOrder?.quantity);
    expect(minOrder?.rationale.reasons.join(' ')).toContain(`${modelName} v1`);
  });
});
