/**
 * Training and evaluation of a demand model version (issue 6).
 *
 * `trainModelBatch` fits a batch of store × SKU series (domain/demand-models.ts picks a family and
 * parameters per series by rolling-origin validation error) on the days that exist for each series
 * (from its first sale, to the last day of data; stock-out days censored), forecasts the holdout window with the new spec and
 * with the champion's (the baseline when there is no champion), and writes one ModelSeriesParams
 * row per series with both sets of holdout errors. Rows are written in chunks; each chunk is a
 * checkpoint (the heartbeat reports it): a retry after a worker crash resumes after the last chunk
 * written (series already in the table are never fitted again).
 *
 * `evaluateModelVersion` sums those rows into WAPE, bias and MASE overall and per category, for the
 * challenger and the champion on the same window.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { rangesFromCuts } from '../../domain/batching';
import { parseSeriesModelSpec, scoreSeries, type HoldoutScore, type SeriesModelSpec } from '../../domain/demand-models';
import { addSeriesSums, emptyAccumulator, summarise, summariseGroups, type MetricsAccumulator } from '../../domain/forecast-metrics';
import { psiCounts, type DemandProfile } from '../../domain/drift';
import { addDays, YEARLY_SETTINGS, type CategoryTotals } from '../../domain/seasonality';
import type { Db } from '../../platform/db';
import { workerMetrics } from '../../platform/metrics';
import type { ModelEvaluation } from './registry';
import { lastSalesDay, loadDailyUnits, seriesKey } from './sales-history';
import { activityContext } from '../shared/activity-context';

const DAY_MS = 86_400_000;
export const MAX_TRAINING_BATCH = 20_000;
/** Category totals per run (model version) on this worker; see loadCategoryTotals. */
const categoryTotalsCache = new Map<string, { at: number; totals: Promise<Map<string, CategoryTotals>> }>();
const CATEGORY_TOTALS_TTL_MS = 30 * 60_000;

/** Series fitted between yields to the event loop (the next chunk's histories arrive meanwhile). */
const FIT_YIELD_EVERY = 10;

/**
 * Fixed bins of daily units for the demand profile a version records (its holdout window's
 * distribution), which the drift check compares recent demand with (PSI). Fixed rather than
 * quantiles so the profile is a plain count per bin, stored once, comparable forever.
 */
export const DEMAND_PROFILE_EDGES: readonly number[] = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];

export interface SeriesCursor {
  storeId: string;
  sku: string;
}

export interface TrainModelBatchInput {
  versionId: string;
  /** The champion compared with (null: the baseline forecaster). */
  championVersionId: string | null;
  trainingStart: string;
  holdoutStart: string;
  asOf: string;
  /** Series after this one, in (storeId, sku) order; null for the first batch. */
  after: SeriesCursor | null;
  /**
   * A range of planTrainingBatches: every series through this one (null: through the last), however
   * many there are now. Absent: the next `batchSize` series after `after` (paging).
   */
  through?: SeriesCursor | null;
  batchSize: number;
  /** Only these stores' series (a pilot, tests); all stores when absent. */
  storeIds?: string[];
  /** Series per checkpoint (rows written and heartbeat), default 200. */
  checkpointEvery?: number;
}

export interface PlanTrainingBatchesInput {
  /** Only these stores' series; all stores when absent. */
  storeIds?: string[];
  batchSize: number;
}

/** The series to train and the ranges that train them in batches of about batchSize, side by side. */
export interface TrainingBatchPlan {
  seriesCount: number;
  ranges: { after: SeriesCursor | null; through: SeriesCursor | null }[];
}

export interface TrainModelBatchResult {
  /** The last series of the batch (the next batch's `after`); null when there were none. */
  last: SeriesCursor | null;
  examined: number;
  /** Whether series remain after this batch (so no empty last batch is needed). */
  more: boolean;
  /** Fitted and written by this attempt. */
  trained: number;
  /** Already written by an earlier attempt (resumed from its checkpoint). */
  resumed: number;
  /** Series of the batch by the family chosen (resumed ones included). */
  families: Record<string, number>;
  seconds: number;
}

interface SeriesRow {
  storeId: string;
  sku: string;
  category: string;
}

/** What one series' fit writes to ModelSeriesParams (beside the version's id). */
interface SeriesParamsRow extends HoldoutScore {
  storeId: string;
  sku: string;
  category: string;
  family: string;
  params: object;
  validationError: number | null;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function createModelTrainingActivities(deps: { db: Db }) {
  const { db } = deps;

  async function loadChampionSpecs(championVersionId: string | null, series: readonly SeriesRow[]): Promise<Map<string, SeriesModelSpec>> {
    if (!championVersionId || series.length === 0) return new Map();
    const rows = await db.$queryRaw<{ storeId: string; sku: string; params: unknown }[]>`
      SELECT m."storeId", m.sku, m.params
        FROM "ModelSeriesParams" m
        JOIN unnest(${series.map((r) => r.storeId)}::text[], ${series.map((r) => r.sku)}::text[]) AS k("storeId", sku)
          ON k."storeId" = m."storeId" AND k.sku = m.sku
       WHERE m."modelVersionId" = ${championVersionId}`;
    const specs = new Map<string, SeriesModelSpec>();
    for (const r of rows) {
      const spec = parseSeriesModelSpec(r.params);
      if (spec) specs.set(seriesKey(r), spec);
    }
    return specs;
  }

  /**
   * Daily unit totals of every category in the stores trained, over the training window (from the
   * first day with data to the holdout or the data's end): the yearly profiles' input
   * (domain/seasonality.ts). All series of a category, not only the batch's, so every batch of a
   * run fits with the same totals. One aggregate over the window's sales, so it is shared by the
   * run's batches on this worker (kept per model version for half an hour); a batch on another
   * worker computes the same totals from the same rows. Empty when the window is under a year and
   * four weeks (no profile could come of it).
   */
  function loadCategoryTotals(input: TrainModelBatchInput, dataEnd: string | null): Promise<Map<string, CategoryTotals>> {
    const end = dataEnd !== null && dataEnd < input.holdoutStart ? addDays(dataEnd, 1) : input.holdoutStart;
    if (daysBetween(input.trainingStart, end) < YEARLY_SETTINGS.minDays) return Promise.resolve(new Map());
    const key = `${input.versionId}|${input.trainingStart}|${end}|${(input.storeIds ?? []).join(',')}`;
    const now = Date.now();
    for (const [k, v] of categoryTotalsCache) if (now - v.at > CATEGORY_TOTALS_TTL_MS) categoryTotalsCache.delete(k);
    const cached = categoryTotalsCache.get(key);
    if (cached) return cached.totals;
    const totals = (async () => {
      const rows = await db.$queryRaw<{ category: string; first: string; offsets: number[]; totals: number[] }[]>`
        WITH t AS (
          SELECT p.category, s.day, sum(s.units)::float8 AS units
            FROM "SalesDaily" s JOIN "Product" p ON p.sku = s.sku
           WHERE s.day >= ${input.trainingStart}::date AND s.day < ${end}::date
             AND (${input.storeIds ?? null}::text[] IS NULL OR s."storeId" = ANY(${input.storeIds ?? []}::text[]))
           GROUP BY p.category, s.day),
        f AS (SELECT category, min(day) AS first FROM t GROUP BY category)
        SELECT t.category, to_char(f.first, 'YYYY-MM-DD') AS first, array_agg((t.day - f.first)::int ORDER BY t.day) AS offsets,
               array_agg(t.units ORDER BY t.day) AS totals
          FROM t JOIN f ON f.category = t.category GROUP BY t.category, f.first`;
      const out = new Map<string, CategoryTotals>();
      for (const r of rows) {
        const days = new Array<number>(Math.max(0, daysBetween(r.first, end))).fill(0);
        r.totals.forEach((u, i) => {
          const at = r.offsets[i]!;
          if (at >= 0 && at < days.length) days[at] = Number(u);
        });
        out.set(r.category, { startDay: r.first, totals: days });
      }
      return out;
    })();
    categoryTotalsCache.set(key, { at: now, totals });
    // A failed read is not kept: the retry reads again.
    totals.catch(() => categoryTotalsCache.delete(key));
    return totals;
  }

  function checkBatchSize(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_TRAINING_BATCH) {
      throw ApplicationFailure.nonRetryable(`batchSize must be a whole number from 1 to ${MAX_TRAINING_BATCH}.`, 'ModelTrainingInvalidInput');
    }
  }

  /**
   * The series count and the ranges to train them in: cut after every batchSize-th series in
   * (storeId, sku) order, the last range open-ended. One query.
   */
  async function planTrainingBatches(input: PlanTrainingBatchesInput): Promise<TrainingBatchPlan> {
    checkBatchSize(input.batchSize);
    const [row] = await db.$queryRaw<{ seriesCount: number; cuts: SeriesCursor[] | null }[]>`
      WITH s AS (
        SELECT i."storeId", i.sku, row_number() OVER (ORDER BY i."storeId", i.sku) AS n, count(*) OVER () AS total
          FROM "InventoryLevel" i JOIN "Product" p ON p.sku = i.sku
         WHERE p.active AND (${input.storeIds ?? null}::text[] IS NULL OR i."storeId" = ANY(${input.storeIds ?? []}::text[])))
      SELECT (SELECT count(*) FROM s)::int AS "seriesCount",
             (SELECT json_agg(json_build_object('storeId', "storeId", 'sku', sku) ORDER BY n) FROM s WHERE n % ${input.batchSize} = 0 AND n < total) AS cuts`;
    return { seriesCount: row?.seriesCount ?? 0, ranges: rangesFromCuts(row?.cuts ?? []) };
  }

  async function trainModelBatch(input: TrainModelBatchInput): Promise<TrainModelBatchResult> {
    const started = Date.now();
    checkBatchSize(input.batchSize);
    const checkpointEvery = Math.max(1, Math.min(5_000, Math.floor(input.checkpointEvery ?? 200)));
    const trainingDays = daysBetween(input.trainingStart, input.holdoutStart);
    const ctx = activityContext();

    const start = input.after;
    // A range takes every series in it; paging the next batchSize.
    const ranged = input.through !== undefined;
    const through = input.through ?? null;
    const batch = await db.$queryRaw<SeriesRow[]>`
      SELECT i."storeId", i.sku, p.category
        FROM "InventoryLevel" i JOIN "Product" p ON p.sku = i.sku
       WHERE p.active
         AND (${input.storeIds ?? null}::text[] IS NULL OR i."storeId" = ANY(${input.storeIds ?? []}::text[]))
         AND (${start?.storeId ?? null}::text IS NULL OR (i."storeId", i.sku) > (${start?.storeId ?? ''}::text, ${start?.sku ?? ''}::text))
         AND (${through?.storeId ?? null}::text IS NULL OR (i."storeId", i.sku) <= (${through?.storeId ?? ''}::text, ${through?.sku ?? ''}::text))
       ORDER BY i."storeId", i.sku
       LIMIT ${ranged ? null : input.batchSize}`;
    const last = batch.at(-1);
    const [next] =
      last && !ranged
        ? await db.$queryRaw<{ n: number }[]>`
          SELECT 1 AS n FROM "InventoryLevel" i JOIN "Product" p ON p.sku = i.sku
           WHERE p.active AND (${input.storeIds ?? null}::text[] IS NULL OR i."storeId" = ANY(${input.storeIds ?? []}::text[]))
             AND (i."storeId", i.sku) > (${last.storeId}::text, ${last.sku}::text)
           LIMIT 1`
        : [];
    const result: TrainModelBatchResult = {
      last: last ? { storeId: last.storeId, sku: last.sku } : null,
      examined: batch.length,
      // A range says whether ranges follow it.
      more: ranged ? through !== null : next !== undefined,
      trained: 0,
      resumed: 0,
      families: {},
      seconds: 0,
    };
    if (batch.length === 0) return result;

    // Resume: the rows written so far are the checkpoint (each chunk is one statement), so a retry
    // after a crash fits only the series the last attempt did not get to.
    const written = new Set(
      (
        await db.$queryRaw<{ storeId: string; sku: string; family: string }[]>`
          SELECT m."storeId", m.sku, m.family FROM "ModelSeriesParams" m
            JOIN unnest(${batch.map((r) => r.storeId)}::text[], ${batch.map((r) => r.sku)}::text[]) AS k("storeId", sku)
              ON k."storeId" = m."storeId" AND k.sku = m.sku
           WHERE m."modelVersionId" = ${input.versionId}`
      ).map((r) => {
        result.families[r.family] = (result.families[r.family] ?? 0) + 1;
        return seriesKey(r);
      }),
    );
    const todo = batch.filter((s) => !written.has(seriesKey(s)));
    let newlyWritten = 0;
    result.resumed = batch.length - todo.length;

    const chunks: SeriesRow[][] = [];
    for (let i = 0; i < todo.length; i += checkpointEvery) chunks.push(todo.slice(i, i + checkpointEvery));
    // Histories never run past the last day the table holds (once for the batch, the same for every chunk).
    const dataEnd = chunks.length > 0 ? await lastSalesDay(db) : null;
    const categoryTotals = chunks.length > 0 ? await loadCategoryTotals(input, dataEnd) : new Map<string, CategoryTotals>();
    const read = (chunk: SeriesRow[]) => {
      const reading = Promise.all([loadDailyUnits(db, chunk, input.trainingStart, input.asOf, { dataEnd }), loadChampionSpecs(input.championVersionId, chunk)]);
      // Awaited in its turn; a failure meanwhile (or never awaited, after a failed write) is no crash.
      void reading.catch(() => undefined);
      return reading;
    };
    let nextRead = chunks.length > 0 ? read(chunks[0]!) : undefined;
    for (const [c, chunk] of chunks.entries()) {
      const [sales, championSpecs] = await nextRead!;
      // The next chunk's histories are read by Postgres while this one is fitted here.
      nextRead = c + 1 < chunks.length ? read(chunks[c + 1]!) : undefined;
      const rows: SeriesParamsRow[] = [];
      for (const [k, s] of chunk.entries()) {
        if (k % FIT_YIELD_EVERY === 0) await yieldToEventLoop();
        const key = seriesKey(s);
        // The series' own days: from its first sale (never zeros before its data), to the data's end.
        const { offset, units } = sales.get(key)!;
        const split = Math.max(0, trainingDays - offset);
        const scored = scoreSeries({
          training: units.slice(0, split),
          holdout: units.slice(split),
          startDay: addDays(input.trainingStart, offset),
          champion: championSpecs.get(key),
          category: categoryTotals.get(s.category) ?? null,
        });
        const { fit } = scored;
        result.families[fit.spec.family] = (result.families[fit.spec.family] ?? 0) + 1;
        rows.push({
          storeId: s.storeId,
          sku: s.sku,
          category: s.category,
          family: fit.spec.family,
          params: fit.spec as unknown as object,
          validationError: fit.validationError,
          holdoutDays: scored.holdoutDays,
          holdoutUnits: scored.holdoutUnits,
          challengerAbsError: scored.challengerAbsError,
          challengerError: scored.challengerError,
          championAbsError: scored.championAbsError,
          championError: scored.championError,
          naiveScale: scored.naiveScale,
        });
      }
      // One statement per chunk (a checkpoint), the rows as one JSON document (jsonb_to_recordset):
      // far quicker than createMany, and a third of the worker's CPU of one array per column. A
      // float that is not finite goes as text ('NaN'), as float8 reads it; JSON has no such number.
      const float = (x: number | null) => (x === null || Number.isFinite(x) ? x : String(x));
      const document = JSON.stringify(
        rows.map((r) => ({
          ...r,
          validationError: float(r.validationError),
          holdoutUnits: float(r.holdoutUnits),
          challengerAbsError: float(r.challengerAbsError),
          challengerError: float(r.challengerError),
          championAbsError: float(r.championAbsError),
          championError: float(r.championError),
          naiveScale: float(r.naiveScale),
        })),
      );
      const inserted = await db.$executeRaw`
        INSERT INTO "ModelSeriesParams" ("modelVersionId", "storeId", sku, category, family, params, "validationError", "holdoutDays", "holdoutUnits",
                                         "challengerAbsError", "challengerError", "championAbsError", "championError", "naiveScale")
        SELECT ${input.versionId}, "storeId", sku, category, family, params, "validationError", "holdoutDays", "holdoutUnits",
               "challengerAbsError", "challengerError", "championAbsError", "championError", "naiveScale"
          FROM jsonb_to_recordset(${document}::jsonb) AS r("storeId" text, sku text, category text, family text, params jsonb, "validationError" float8,
                                                          "holdoutDays" int, "holdoutUnits" float8, "challengerAbsError" float8, "challengerError" float8,
                                                          "championAbsError" float8, "championError" float8, "naiveScale" float8)
        ON CONFLICT DO NOTHING`;
      result.trained += rows.length;
      newlyWritten += inserted;
      const last = chunk.at(-1)!;
      ctx?.heartbeat({ lastWritten: { storeId: last.storeId, sku: last.sku }, trained: result.trained, resumed: result.resumed });
    }
    result.seconds = (Date.now() - started) / 1000;
    // Series another attempt wrote already (ON CONFLICT) are not counted again.
    workerMetrics.trainingSeries(newlyWritten, result.seconds);
    return result;
  }

  async function evaluateModelVersion(input: {
    versionId: string;
    championVersionId: string | null;
    championVersion: number | null;
  }): Promise<ModelEvaluation> {
    // In series order: the sums (floating point) do not depend on the order batches wrote their rows in.
    const rows = await db.modelSeriesParams.findMany({
      where: { modelVersionId: input.versionId },
      orderBy: [{ storeId: 'asc' }, { sku: 'asc' }],
      select: {
        category: true,
        family: true,
        holdoutDays: true,
        holdoutUnits: true,
        challengerAbsError: true,
        challengerError: true,
        championAbsError: true,
        championError: true,
        naiveScale: true,
      },
    });
    const challenger = emptyAccumulator();
    const champion = emptyAccumulator();
    const chByCategory: Record<string, MetricsAccumulator> = {};
    const cpByCategory: Record<string, MetricsAccumulator> = {};
    const families: Record<string, number> = {};
    for (const r of rows) {
      const base = { days: r.holdoutDays, actualUnits: r.holdoutUnits, scale: r.naiveScale };
      const ch = { ...base, absError: r.challengerAbsError, signedError: r.challengerError };
      const cp = { ...base, absError: r.championAbsError, signedError: r.championError };
      addSeriesSums(challenger, ch);
      addSeriesSums(champion, cp);
      addSeriesSums((chByCategory[r.category] ??= emptyAccumulator()), ch);
      addSeriesSums((cpByCategory[r.category] ??= emptyAccumulator()), cp);
      families[r.family] = (families[r.family] ?? 0) + 1;
    }
    // The holdout window's demand as it was at evaluation (SalesDaily holds no rows for zero days).
    const version = await db.modelVersion.findUniqueOrThrow({
      where: { id: input.versionId },
      select: { holdoutStart: true, holdoutEnd: true, trainingWindowEnd: true },
    });
    const from = (version.holdoutStart ?? version.trainingWindowEnd).toISOString().slice(0, 10);
    const to = (version.holdoutEnd ?? version.trainingWindowEnd).toISOString().slice(0, 10);
    // Counted per distinct daily quantity (a few hundred rows, not one per series-day): a bin
    // depends on the quantity alone, so the counts are the same.
    const sold = await db.$queryRaw<{ units: number; days: number }[]>`
      SELECT s.units, COUNT(*)::int AS days FROM "SalesDaily" s
        JOIN "ModelSeriesParams" m ON m."modelVersionId" = ${input.versionId} AND m."storeId" = s."storeId" AND m.sku = s.sku
       WHERE s.day >= ${from}::date AND s.day < ${to}::date AND NOT s.stockout
       GROUP BY s.units`;
    const counts = psiCounts([], DEMAND_PROFILE_EDGES);
    for (const { units, days } of sold) {
      psiCounts([Number(units)], DEMAND_PROFILE_EDGES).forEach((n, bin) => (counts[bin]! += n * days));
    }
    const soldDays = sold.reduce((n, r) => n + r.days, 0);
    const seriesDays = rows.reduce((n, r) => n + r.holdoutDays, 0);
    counts[psiCounts([0], DEMAND_PROFILE_EDGES).indexOf(1)]! += Math.max(0, seriesDays - soldDays);
    const demandProfile: DemandProfile = { edges: [...DEMAND_PROFILE_EDGES], counts, from, to };
    return {
      demandProfile,
      challenger: { overall: summarise(challenger), byCategory: summariseGroups(chByCategory) },
      champion: {
        label: input.championVersion !== null ? `champion v${input.championVersion}` : 'baseline (no champion yet)',
        versionId: input.championVersionId,
        version: input.championVersion,
        overall: summarise(champion),
        byCategory: summariseGroups(cpByCategory),
      },
      families,
      seriesCount: rows.length,
    };
  }

  return { planTrainingBatches, trainModelBatch, evaluateModelVersion };
}

export type ModelTrainingActivities = ReturnType<typeof createModelTrainingActivities>;
