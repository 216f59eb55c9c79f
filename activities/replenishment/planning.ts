/**
 * The planning side of replenishment: for one store, page through its SKUs (keyset by SKU) and
 * turn each batch into order lines with the pure maths in domain/ (forecast, then planSku).
 *
 * Per batch: one query for the SKUs with their stock, product and supplier terms, one for their
 * sales history over [asOf − historyDays, asOf), one for their receipts of the last year and, for
 * SKUs with one, one for their stock-out days (their service record, domain/service-feedback.ts).
 * Read-only, so a retried batch gives the same lines.
 * A series' history starts at its first row in that window (days before it did not exist for it);
 * a stock-out day (SalesDaily.stockout) is NaN: its demand was at least what sold, not that.
 *
 * Inside an activity, planStoreBatch heartbeats every HEARTBEAT_EVERY SKUs with the progress made
 * so far (last SKU examined and the lines found up to it); a retry of the same batch resumes from
 * there instead of starting over. Called directly (tests, benchmarks) it simply runs.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Forecaster } from '../../domain/forecasting';
import { championForecaster } from '../../platform/champion-forecaster';
import { DEMAND_MODEL } from '../../platform/model-registry';
import { planSku, type SkuPlanLine } from '../../domain/reorder';
import { SERVICE_FEEDBACK, serviceRecord, type ServiceRecord } from '../../domain/service-feedback';
import { purchaseOrderId } from '../../domain/purchase-orders';
import { roundTo } from '../../domain/text';
import { rangesFromCuts } from '../../domain/batching';
import type { Db } from '../../platform/db';
import { activityContext } from '../shared/activity-context';

export const ReplenishmentPlanningErrors = {
  storeNotFound: 'StoreNotFound',
  invalidInput: 'InvalidPlanningInput',
} as const;

export const PLANNING_DEFAULTS = {
  /** Days of sales history a forecast looks at. */
  historyDays: 120,
  /** The plan runs daily, so stock is reviewed again the next day. */
  reviewPeriodDays: 1,
  /** Largest batch accepted (the lines of a batch travel back in one activity result). */
  maxBatchSize: 5_000,
  maxHistoryDays: 3 * 365,
} as const;

/** SKUs planned between heartbeats (and between yields to the event loop). */
export const HEARTBEAT_EVERY = 100;

export interface CountStoreSkusInput {
  storeId: string;
}

export interface PartitionStoreSkusInput {
  storeId: string;
  batchSize: number;
}

/** A store's SKUs, and the ranges that plan them in batches of about batchSize (rangesFromCuts). */
export interface StoreSkuPartition {
  skuCount: number;
  ranges: { afterSku: string | null; throughSku: string | null }[];
}

export interface PlanStoreBatchInput {
  storeId: string;
  /** The planning day, yyyy-mm-dd: history ends the day before. */
  asOf: string;
  /** Plan SKUs after this one (null: from the first). */
  afterSku: string | null;
  /**
   * A range of partitionStoreSkus: plan every SKU through this one (null: through the store's last),
   * however many there are now. Absent: the next `batchSize` SKUs after `afterSku` (paging).
   */
  throughSku?: string | null;
  batchSize: number;
  reviewPeriodDays?: number;
  historyDays?: number;
  /**
   * The planning run's workflow ID: quantities on the store's other purchase orders that are
   * approved or awaiting approval (not yet sent, so not yet in onOrder) count as on order.
   */
  workflowId?: string;
}

export interface PlanStoreBatchResult {
  /** Order lines of the SKUs that need one, by SKU. */
  lines: SkuPlanLine[];
  /** The last SKU examined (the `afterSku` of the next batch); null when the batch was empty. */
  lastSku: string | null;
  /** SKUs examined in this batch (fewer than batchSize: the store has no more). */
  examined: number;
}

/** What planStoreBatch heartbeats, and resumes from on a retry. */
export interface PlanningProgress {
  lastSku: string;
  lines: SkuPlanLine[];
  examined: number;
}

interface SkuRow {
  sku: string;
  onHand: number;
  reserved: number;
  onOrder: number;
  cost: number;
  packSize: number;
  minOrderQty: number;
  serviceLevel: number;
  supplierId: string;
  leadTimeDays: number;
  leadTimeStdDays: number;
}

interface SalesRow {
  sku: string;
  offsets: number[];
  units: number[];
  stockouts: boolean[];
}

/**
 * One series' daily units over a window of `windowDays` days from its rows, given as day offsets in
 * the window: the array starts at the first row (the series did not exist before it), a day without
 * a row after that sold nothing (0), a stock-out day is NaN (censored: demand at least its units).
 * Offsets outside the window are ignored; no row in it gives an empty history.
 */
export function seriesHistory(
  windowDays: number,
  rows: { offsets: readonly number[]; units: readonly number[]; stockouts?: readonly boolean[] } | undefined,
): { firstOffset: number; units: number[] } {
  let first = windowDays;
  if (rows) for (const offset of rows.offsets) if (offset >= 0 && offset < first) first = offset;
  const units = new Array<number>(windowDays - first).fill(0);
  rows?.offsets.forEach((offset, k) => {
    if (offset < first || offset >= windowDays) return;
    units[offset - first] = rows.stockouts?.[k] === true ? Number.NaN : Number(rows.units[k] ?? 0);
  });
  return { firstOffset: first, units };
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(day: string): Date {
  const d = new Date(`${day}T00:00:00.000Z`);
  if (!ISO_DAY.test(day) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) {
    throw ApplicationFailure.nonRetryable(`asOf must be a calendar day yyyy-mm-dd (got ${JSON.stringify(day)}).`, ReplenishmentPlanningErrors.invalidInput);
  }
  return d;
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw ApplicationFailure.nonRetryable(
      `${name} must be a whole number from ${min} to ${max} (got ${String(value)}).`,
      ReplenishmentPlanningErrors.invalidInput,
    );
  }
  return value;
}

function isProgress(value: unknown): value is PlanningProgress {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<PlanningProgress>;
  return typeof v.lastSku === 'string' && Array.isArray(v.lines) && typeof v.examined === 'number';
}

/**
 * `forecaster`: a fixed forecaster (tests, benchmarks); without it each batch forecasts with the
 * registry's champion demand model, or the baseline while there is none (platform/champion-forecaster.ts).
 */
export function createReplenishmentPlanningActivities(deps: { db: Db; forecaster?: Forecaster; modelName?: string }) {
  const { db } = deps;
  const modelName = deps.modelName ?? DEMAND_MODEL;
  const forecasterFor = async (storeId: string, skus: string[]): Promise<{ forecaster: Forecaster; label: string | null }> => {
    if (deps.forecaster) return { forecaster: deps.forecaster, label: null };
    const champion = await championForecaster(db, storeId, skus, modelName);
    return { forecaster: champion.forecaster, label: champion.championVersion !== null ? `${modelName} v${champion.championVersion}` : null };
  };

  async function requireStore(storeId: string): Promise<void> {
    const store = await db.store.findUnique({ where: { id: storeId }, select: { id: true } });
    if (!store) throw ApplicationFailure.nonRetryable(`Store ${storeId} does not exist.`, ReplenishmentPlanningErrors.storeNotFound);
  }

  /** Active products with an inventory row in the store. */
  async function countStoreSkus(input: CountStoreSkusInput): Promise<number> {
    const count = await db.inventoryLevel.count({ where: { storeId: input.storeId, product: { active: true } } });
    if (count === 0) await requireStore(input.storeId);
    return count;
  }

  /**
   * The store's SKU count and the ranges to plan it in, batches side by side: cut after every
   * batchSize-th SKU (in the order the batches read them), the last range open-ended so a SKU
   * stocked meanwhile is planned too. One query.
   */
  async function partitionStoreSkus(input: PartitionStoreSkusInput): Promise<StoreSkuPartition> {
    const batchSize = wholeNumber('batchSize', input.batchSize, 1, PLANNING_DEFAULTS.maxBatchSize);
    const [row] = await db.$queryRaw<{ skuCount: number; cuts: string[] }[]>`
      WITH s AS (
        SELECT i.sku, row_number() OVER (ORDER BY i.sku) AS n, count(*) OVER () AS total
          FROM "InventoryLevel" i JOIN "Product" p ON p.sku = i.sku
         WHERE i."storeId" = ${input.storeId} AND p.active)
      SELECT (SELECT count(*) FROM s)::int AS "skuCount",
             ARRAY(SELECT sku FROM s WHERE n % ${batchSize} = 0 AND n < total ORDER BY n) AS cuts`;
    const skuCount = row?.skuCount ?? 0;
    if (skuCount === 0) await requireStore(input.storeId);
    return { skuCount, ranges: rangesFromCuts(row?.cuts ?? []).map((r) => ({ afterSku: r.after, throughSku: r.through })) };
  }

  function planStoreBatch(input: PlanStoreBatchInput): Promise<PlanStoreBatchResult> {
    return planBatch(input, true);
  }

  /**
   * The replenishment cycles of the last year per SKU (domain/service-feedback.ts): receipt days are
   * the store's local days of supplier events that received the SKU, stock-out days SalesDaily's.
   * Stock-outs are read only for SKUs with a receipt in the year (without one there is no cycle).
   */
  async function serviceRecords(storeId: string, asOf: string, skus: string[]): Promise<Map<string, ServiceRecord>> {
    const records = new Map<string, ServiceRecord>();
    const windowStart = new Date(Date.parse(`${asOf}T00:00:00Z`) - SERVICE_FEEDBACK.windowDays * DAY_MS).toISOString().slice(0, 10);
    const receipts = await db.$queryRaw<{ sku: string; days: number[] }[]>`
      SELECT x.sku, array_agg(DISTINCT ((e."receivedAt" AT TIME ZONE 'UTC') AT TIME ZONE st.timezone)::date - ${windowStart}::date) AS days
        FROM "PurchaseOrder" po
        JOIN "Store" st ON st.id = po."storeId"
        JOIN "SupplierEvent" e ON e."purchaseOrderId" = po.id
       CROSS JOIN LATERAL jsonb_to_recordset(CASE WHEN jsonb_typeof(e.payload -> 'lines') = 'array' THEN e.payload -> 'lines' ELSE '[]'::jsonb END)
             AS x(sku text, "quantityReceived" numeric)
       WHERE po."storeId" = ${storeId} AND e.type = 'received' AND x.sku = ANY(${skus}::text[]) AND x."quantityReceived" > 0
         AND e."receivedAt" >= ${windowStart}::date - 1 AND e."receivedAt" < ${asOf}::date + 2
       GROUP BY x.sku`;
    if (receipts.length === 0) return records;
    const stockouts = await db.$queryRaw<{ sku: string; days: number[] }[]>`
      SELECT sku, array_agg(day - ${windowStart}::date) AS days
        FROM "SalesDaily"
       WHERE "storeId" = ${storeId} AND sku = ANY(${receipts.map((r) => r.sku)}::text[]) AND stockout
         AND day >= ${windowStart}::date AND day < ${asOf}::date
       GROUP BY sku`;
    const outs = new Map(stockouts.map((s) => [s.sku, s.days]));
    for (const r of receipts) records.set(r.sku, serviceRecord(r.days, outs.get(r.sku) ?? [], SERVICE_FEEDBACK.windowDays));
    return records;
  }

  /**
   * `resumable`: heartbeat the lines found so far, for a retry to resume from. Without it the
   * heartbeats only say the attempt is alive (a retry plans the batch again): the lines of a batch
   * of 1,000 SKUs make about 1.5 MB of heartbeat details to serialise, for a retry that saves a
   * fraction of a second.
   */
  async function planBatch(input: PlanStoreBatchInput, resumable: boolean): Promise<PlanStoreBatchResult> {
    const { storeId } = input;
    const asOf = parseDay(input.asOf);
    const batchSize = wholeNumber('batchSize', input.batchSize, 1, PLANNING_DEFAULTS.maxBatchSize);
    const historyDays = wholeNumber('historyDays', input.historyDays ?? PLANNING_DEFAULTS.historyDays, 1, PLANNING_DEFAULTS.maxHistoryDays);
    const reviewPeriodDays = input.reviewPeriodDays ?? PLANNING_DEFAULTS.reviewPeriodDays;
    if (!Number.isFinite(reviewPeriodDays) || reviewPeriodDays < 0 || reviewPeriodDays > 365) {
      throw ApplicationFailure.nonRetryable(
        `reviewPeriodDays must be from 0 to 365 (got ${String(reviewPeriodDays)}).`,
        ReplenishmentPlanningErrors.invalidInput,
      );
    }

    // A retry of this batch resumes after the last SKU the previous attempt heartbeated, with the
    // lines it had found up to there (the batch's SKUs are the same: planning writes nothing).
    const ctx = activityContext();
    const resumed: unknown = ctx?.info.heartbeatDetails;
    const progress: PlanningProgress | undefined = isProgress(resumed) && (input.afterSku === null || resumed.lastSku > input.afterSku) ? resumed : undefined;
    const lines: SkuPlanLine[] = progress ? [...progress.lines] : [];
    const alreadyExamined = progress?.examined ?? 0;
    const after = progress?.lastSku ?? input.afterSku;
    // A range takes every SKU in it; paging the next batchSize.
    const ranged = input.throughSku !== undefined;
    const through = input.throughSku ?? null;
    const take = ranged ? null : batchSize - alreadyExamined;
    if (take !== null && take <= 0) return { lines, lastSku: after, examined: alreadyExamined };

    // Stock, product and supplier terms of the batch's SKUs, in SKU order.
    const workflowId = input.workflowId ?? null;
    const skus = await db.$queryRaw<SkuRow[]>`
      SELECT i.sku, i."onHand", i.reserved,
             i."onOrder" + COALESCE((
               SELECT SUM(l.quantity)::int
                 FROM "PurchaseOrderLine" l
                 JOIN "PurchaseOrder" po ON po.id = l."purchaseOrderId"
                WHERE po."storeId" = i."storeId" AND l.sku = i.sku
                  AND po.status IN ('PENDING_APPROVAL', 'APPROVED')
                  AND (${workflowId}::text IS NULL OR po."workflowId" <> ${workflowId}::text)
             ), 0) AS "onOrder",
             p.cost::float8 AS cost, p."packSize", p."minOrderQty", p."serviceLevel",
             s.id AS "supplierId", s."leadTimeDays", s."leadTimeStdDays"
        FROM "InventoryLevel" i
        JOIN "Product" p ON p.sku = i.sku
        JOIN "Supplier" s ON s.id = p."supplierId"
       WHERE i."storeId" = ${storeId} AND p.active
         AND (${after}::text IS NULL OR i.sku > ${after}::text)
         AND (${through}::text IS NULL OR i.sku <= ${through}::text)
       ORDER BY i.sku
       LIMIT ${take}`;
    if (skus.length === 0) {
      // The end of the store's SKUs, or no such store.
      if (!progress && input.afterSku === null) await requireStore(storeId);
      return { lines, lastSku: after, examined: alreadyExamined };
    }

    // Their sales over [asOf − historyDays, asOf), as (day offset, units) pairs per SKU.
    const startDay = new Date(asOf.getTime() - historyDays * DAY_MS);
    const start = startDay.toISOString().slice(0, 10);
    const sales = await db.$queryRaw<SalesRow[]>`
      SELECT sku, array_agg(day - ${start}::date) AS offsets, array_agg(units) AS units, array_agg(stockout) AS stockouts
        FROM "SalesDaily"
       WHERE "storeId" = ${storeId} AND sku = ANY(${skus.map((s) => s.sku)}::text[])
         AND day >= ${start}::date AND day < ${input.asOf}::date
       GROUP BY sku`;
    const salesBySku = new Map(sales.map((s) => [s.sku, s]));
    const records = await serviceRecords(
      storeId,
      input.asOf,
      skus.map((s) => s.sku),
    );
    const { forecaster, label } = await forecasterFor(
      storeId,
      skus.map((s) => s.sku),
    );

    let examined = alreadyExamined;
    for (const [i, row] of skus.entries()) {
      const { firstOffset, units } = seriesHistory(historyDays, salesBySku.get(row.sku));
      const firstDay = new Date(startDay.getTime() + firstOffset * DAY_MS).toISOString().slice(0, 10);
      const horizonDays = Math.ceil(row.leadTimeDays + reviewPeriodDays) + 1;
      const raw = forecaster.forecast({ startDay: firstDay, units }, horizonDays, { storeId, sku: row.sku });
      const forecast = label ? { ...raw, method: `${raw.method}, ${label}` } : raw;
      const line = planSku({
        sku: row.sku,
        supplierId: row.supplierId,
        unitCost: Number(row.cost),
        onHand: row.onHand,
        reserved: row.reserved,
        onOrder: row.onOrder,
        forecast,
        leadTimeDays: row.leadTimeDays,
        leadTimeStdDays: row.leadTimeStdDays,
        serviceLevel: row.serviceLevel,
        reviewPeriodDays,
        packSize: row.packSize,
        minOrderQty: row.minOrderQty,
        serviceRecord: records.get(row.sku),
      });
      if (line) lines.push(line);
      examined += 1;

      if ((i + 1) % HEARTBEAT_EVERY === 0 && i + 1 < skus.length) {
        if (ctx) {
          const details: PlanningProgress | Omit<PlanningProgress, 'lines'> = resumable
            ? { lastSku: row.sku, lines: [...lines], examined }
            : { lastSku: row.sku, examined };
          ctx.heartbeat(details);
        }
        // Lets the heartbeat go out and a cancellation come in.
        await yieldToEventLoop();
      }
    }
    return { lines, lastSku: skus[skus.length - 1]!.sku, examined };
  }

  /**
   * Plans one batch and stages its lines on the run's draft purchase orders (one per supplier,
   * IDs from the store, day and supplier), so the rationale of every line lives in Postgres and
   * not in workflow history. A retried batch writes nothing twice (upsert and skip-duplicates on
   * the PO's (purchaseOrderId, sku) key).
   */
  async function planAndStageBatch(input: PlanStoreBatchInput & { workflowId: string }): Promise<StagedBatchResult> {
    const plan = await planBatch(input, false);
    const bySupplier = new Map<string, SkuPlanLine[]>();
    for (const line of plan.lines) bySupplier.set(line.supplierId, [...(bySupplier.get(line.supplierId) ?? []), line]);
    if (bySupplier.size > 0) {
      // One statement, no interactive transaction: headers and lines are inserted together and each
      // skips what a retried batch (or another batch, for a header) wrote before: the PO's id, its
      // (purchaseOrderId, sku) line key. Many stores planning at once do not queue for pooled
      // connections held across round trips.
      const ids = new Map([...bySupplier.keys()].map((supplierId) => [supplierId, purchaseOrderId(input.storeId, input.asOf, supplierId)]));
      // The lines as one JSON document (jsonb_to_recordset): a third of the worker's CPU of one
      // array parameter per column, the rationale texts escaped into an array literal.
      const lineRows = JSON.stringify(
        [...bySupplier].flatMap(([supplierId, ls]) =>
          ls.map((l) => ({ purchaseOrderId: ids.get(supplierId)!, sku: l.sku, quantity: l.quantity, unitCost: l.unitCost, rationale: l.rationale })),
        ),
      );
      await db.$executeRaw`
        WITH headers AS (
          INSERT INTO "PurchaseOrder" (id, "workflowId", "storeId", "supplierId", status, "totalValue", "idempotencyKey")
          SELECT id, ${input.workflowId}, ${input.storeId}, "supplierId", 'DRAFT'::"PurchaseOrderStatus", 0, id
            FROM unnest(${[...ids.values()]}::text[], ${[...ids.keys()]}::text[]) AS h(id, "supplierId")
           -- Batches of one store run side by side and share its POs: every batch takes the header
           -- rows in the same order, so one waits for the other instead of deadlocking.
           ORDER BY id
          ON CONFLICT DO NOTHING)
        INSERT INTO "PurchaseOrderLine" (id, "purchaseOrderId", sku, quantity, "plannedQuantity", "unitCost", rationale)
        SELECT "purchaseOrderId" || ':' || sku, "purchaseOrderId", sku, quantity, quantity, "unitCost", rationale
          FROM jsonb_to_recordset(${lineRows}::jsonb) AS l("purchaseOrderId" text, sku text, quantity int, "unitCost" numeric, rationale jsonb)
        ON CONFLICT DO NOTHING`;
    }
    return {
      lastSku: plan.lastSku,
      examined: plan.examined,
      linesStaged: plan.lines.length,
      valueStaged: roundTo(
        plan.lines.reduce((sum, l) => sum + l.lineValue, 0),
        2,
      ),
    };
  }

  return { countStoreSkus, partitionStoreSkus, planStoreBatch, planAndStageBatch };
}

export interface StagedBatchResult {
  lastSku: string | null;
  examined: number;
  linesStaged: number;
  valueStaged: number;
}

export type ReplenishmentPlanningActivities = ReturnType<typeof createReplenishmentPlanningActivities>;
