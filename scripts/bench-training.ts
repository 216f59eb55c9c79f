/**
 * `npm run bench:training [-- --series 10000 --days 730 --batch-size 2000 --stores 20 --concurrency 2]`
 *
 * Benchmark of model retraining (issue 6): train and evaluate --series store × SKU series of --days
 * days of daily sales (default 10,000 series × 730 days: 20 stores × 500 SKUs, two years) through
 * the real `modelRetraining` workflow, and print seconds and series per second.
 *
 * Data (its own region, stores, supplier, products and InventoryLevel rows; timed and printed):
 * every series is generated in memory by a deterministic generator (seeded by store and SKU) and
 * bulk-inserted into SalesDaily store by store (one INSERT ... SELECT FROM unnest(...) per store,
 * days without a sale have no row, as in production), then VACUUM ANALYZE (a loaded table's steady
 * state; otherwise autovacuum would run in the middle of the measurement). Shapes by SKU:
 * 30 % intermittent slow movers (a sale on 5–35 % of days: Croston-SBA), 30 % weekly-seasonal with a
 * yearly swing, 20 % trending (up or down), 10 % with a step up 60 days before asOf, 10 % flat.
 * The category of a SKU is its shape, so the evaluation's per-category figures are per shape.
 *
 * Baselines, same run, same series (generated in memory again, no Temporal, no database):
 * - the fixed-parameter baseline forecaster alone (domain/forecasting.ts, one pass a series): a
 *   lower bound of the cost of forecasting a series at all;
 * - trainModelBatch's compute, in process: per series `fitSeries` (fixed and fitted candidates
 *   scored on three rolling 28-day holdouts), the challenger's and the baseline's holdout forecasts, their errors and
 *   the MASE scale, exactly as activities/model-retraining/training.ts does it, and the metrics summed as
 *   evaluateModelVersion sums them. The Temporal figures are ratios against this one; it runs
 *   before the workflow and again after it, and the faster of the two counts (a shared machine's
 *   load moves).
 *
 * The real thing: a Temporal dev server (in memory) and a worker in this process (the harness's:
 * workers/activities.ts against the scratch database), `modelRetraining` started through
 * api/processes/model-retrainings/starter.ts (the code behind POST /api/v1/model-retrainings) with
 * storeIds = the bench stores and a model name of its own, polled through its `state` query for
 * the progress bar until it reaches `awaiting_approval` or `not_promoted` (then cancelled: the
 * bench approves nothing). Timings come from the run's history (event timestamps): registered →
 * evaluated (registerModelVersion completed → evaluateModelVersion completed), the training
 * activities alone, the evaluation. Printed too: the evaluation (challenger vs the baseline:
 * WAPE, bias, MASE, overall and per shape), families chosen, training activities and retries,
 * the history's length and size, the bench process's peak RSS, and where the cores went from start
 * to evaluated (scripts/kit/cpu-sampler.ts). The ratio start → evaluated is printed last and
 * recorded for `npm run bench` (target ≥ 0.6×). Check (exit 1 when it fails): the workflow chose
 * the same families and got the same metrics as the in-process computation.
 *
 * Self-contained like bench:pricing: its own Temporal dev server on a free port and a scratch
 * database `retail_ops_bench_training` (dropped at the end, also on Ctrl-C).
 */
import { cpus, loadavg } from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { Presets, SingleBar } from 'cli-progress';
import { Client as PgClient } from 'pg';
import { scoreSeries } from '../domain/demand-models';
import { addSeriesSums, emptyAccumulator, summarise, type MetricsAccumulator, type MetricsSummary } from '../domain/forecast-metrics';
import { seasonalExponentialSmoothing } from '../domain/forecasting';
import { addDays, YEARLY_SETTINGS, type CategoryTotals } from '../domain/seasonality';
import type { TestInfra } from './kit/infra';
import type { Harness } from './kit/harness';
import type { modelRetraining } from '../workflows/model-retraining/workflow';
import { DEFAULT_TRAINING_CONCURRENCY, type ModelRetrainingState } from '../workflows/model-retraining/messages';
import { bold, dim, ensurePrerequisites, green, note, now, parseBenchOptions, recordBenchResult, red, secs, UsageError } from './kit/bench';
import { CpuSampler, formatCpu } from './kit/cpu-sampler';

const BENCH_DATABASE = 'retail_ops_bench_training';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
/** The day the history ends (exclusive). Fixed, so every run trains on the same data. */
const AS_OF = '2025-06-01';
const HOLDOUT_DAYS = 28;
const REGION_ID = 'R-BENCH-TRAINING';
const SUPPLIER_ID = 'SUP-BENCH-TRAINING';
const PRICE = 12;
const POLL_MS = 500;
const DAY_MS = 86_400_000;

const USAGE = `Usage: npm run bench:training -- [--series 10000] [--days 730] [--batch-size 2000] [--stores 20] [--checkpoint-every 200] [--concurrency ${DEFAULT_TRAINING_CONCURRENCY}]
  --series            store × SKU series trained (default 10000)
  --days              days of daily history, the 28-day holdout included (default 730: two years)
  --batch-size        series per trainModelBatch activity (default 2000, the workflow's default)
  --stores            stores the series are spread over (default 20; SKUs per store = series / stores)
  --checkpoint-every  series per checkpoint inside a batch (default 200, the activity's default)
  --concurrency       training batches in flight (default ${DEFAULT_TRAINING_CONCURRENCY}, the workflow's own)`;

interface Options {
  series: number;
  days: number;
  batchSize: number;
  stores: number;
  checkpointEvery: number;
  /** Training batches in flight (the workflow's input); undefined: the workflow's default. */
  concurrency: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values, int } = parseBenchOptions(
    argv,
    {
      series: { type: 'string', short: 'n' },
      days: { type: 'string' },
      'batch-size': { type: 'string' },
      stores: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
    },
    USAGE,
  );
  const series = int('series', 10_000, 1, 1_000_000);
  return {
    series,
    days: int('days', 730, HOLDOUT_DAYS + 14 + 28, 3_650),
    batchSize: int('batch-size', 2_000, 1, 20_000),
    stores: Math.min(series, int('stores', 20, 1, 1_000)),
    checkpointEvery: int('checkpoint-every', 200, 1, 5_000),
    concurrency: values.concurrency === undefined ? undefined : int('concurrency', DEFAULT_TRAINING_CONCURRENCY, 1, 32),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const kb = (bytes: number | undefined) =>
  bytes === undefined ? '?' : bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(digits)}%`);
const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Peak RSS of this process (bench and worker) per phase, sampled every 250 ms and at a few points. */
const peakRss = new Map<string, number>();
let rssPhase = 'setup';
const sampleRss = () => {
  peakRss.set(rssPhase, Math.max(peakRss.get(rssPhase) ?? 0, process.memoryUsage().rss));
};
const enterPhase = (name: string) => {
  sampleRss();
  rssPhase = name;
  sampleRss();
};

// ---------------------------------------------------------------------------------------------
// Progress: a bar on a terminal, a line every few seconds otherwise (logs, CI)

interface Progress {
  update(value: number, payload?: Record<string, string>): void;
  stop(): void;
}

let activeBar: Progress | undefined;

function progress(label: string, total: number, unit: string, extra = ''): Progress {
  const t0 = now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: `  ${label.padEnd(26)} {bar} {value}/{total} ${unit}${extra} | {duration}s`, barsize: 30, hideCursor: true, stream: process.stderr },
      Presets.shades_classic,
    );
    bar.start(total, 0, Object.fromEntries([...extra.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, ''])));
    const p: Progress = {
      update: (v, payload) => bar.update(v, payload ?? {}),
      stop: () => {
        bar.stop();
        if (activeBar === p) activeBar = undefined;
      },
    };
    return (activeBar = p);
  }
  let lastAt = 0;
  let last = -1;
  const p: Progress = {
    update(v, payload) {
      const t = now();
      if (v === last || (t - lastAt < 5_000 && v < total)) return;
      last = v;
      lastAt = t;
      const more = payload
        ? Object.entries(payload)
            .map(([k, x]) => ` ${k} ${x}`)
            .join(',')
        : '';
      note(`${label}: ${fmt(v)}/${fmt(total)} ${unit}${more} (${secs(t - t0)})`);
    },
    stop() {
      if (activeBar === p) activeBar = undefined;
    },
  };
  return (activeBar = p);
}

// ---------------------------------------------------------------------------------------------
// The series: deterministic, the same in memory and in the database

type Shape = 'intermittent' | 'seasonal' | 'trend-up' | 'trend-down' | 'step' | 'flat';
/** By SKU index mod 10: 30 % intermittent slow movers, 30 % seasonal, 20 % trending, 10 % step, 10 % flat. */
const SHAPES: readonly Shape[] = ['intermittent', 'seasonal', 'intermittent', 'seasonal', 'trend-up', 'intermittent', 'seasonal', 'trend-down', 'step', 'flat'];
const categoryOf = (shape: Shape) => `bench-${shape}`;
/** Sunday .. Saturday: busy weekend, quiet early week (mean 1). */
const WEEKLY = [1.45, 0.65, 0.7, 0.8, 0.95, 1.15, 1.3].map((w, _, all) => (w * all.length) / all.reduce((a, b) => a + b, 0));

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function poisson(rand: () => number, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 30) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k += 1;
    p *= rand();
  } while (p > limit);
  return k - 1;
}

interface Layout {
  storeIds: string[];
  skus: string[];
  /** Series of store s: SKUs 0 .. seriesIn(s) − 1. */
  seriesIn(store: number): number;
  firstDay: string;
}

function layout(opts: Options): Layout {
  const perStore = Math.ceil(opts.series / opts.stores);
  const stores = Math.ceil(opts.series / perStore);
  return {
    storeIds: Array.from({ length: stores }, (_, i) => `T-TRN-${String(i + 1).padStart(3, '0')}`),
    skus: Array.from({ length: perStore }, (_, j) => `TRN-${String(j + 1).padStart(5, '0')}`),
    seriesIn: (s) => Math.min(perStore, opts.series - s * perStore),
    firstDay: new Date(Date.parse(`${AS_OF}T00:00:00Z`) - opts.days * DAY_MS).toISOString().slice(0, 10),
  };
}

/** Daily units of SKU `sku` in store `store`, `days` days ending the day before AS_OF. */
function seriesUnits(store: number, sku: number, days: number, firstDay: string): number[] {
  const shape = SHAPES[sku % SHAPES.length]!;
  const skuRand = mulberry32(0x9e3779b9 ^ Math.imul(sku + 1, 0x85ebca6b));
  const storeFactor = 0.7 + 0.6 * mulberry32(0xc2b2ae35 ^ Math.imul(store + 1, 0x27d4eb2f))();
  const rand = mulberry32(Math.imul(store + 1, 0x01000193) ^ Math.imul(sku + 1, 0x5bd1e995));
  const level = (2 + 16 * skuRand()) * storeFactor;
  const phase = skuRand() * 365;
  const dow0 = new Date(`${firstDay}T00:00:00Z`).getUTCDay();
  const units = new Array<number>(days);
  if (shape === 'intermittent') {
    const p = 0.05 + 0.3 * skuRand();
    const size = 0.2 + 1.5 * skuRand();
    for (let t = 0; t < days; t++) units[t] = rand() < p ? 1 + poisson(rand, size) : 0;
    return units;
  }
  for (let t = 0; t < days; t++) {
    const weekly = WEEKLY[(dow0 + t) % 7]!;
    const x = t / days;
    let m: number;
    switch (shape) {
      case 'seasonal':
        m = level * weekly * (1 + 0.2 * Math.sin((2 * Math.PI * (t + phase)) / 365.25));
        break;
      case 'trend-up':
        m = level * weekly * (0.4 + 1.2 * x);
        break;
      case 'trend-down':
        m = level * weekly * (1.6 - 1.1 * x);
        break;
      case 'step':
        m = level * weekly * (t >= days - 60 ? 1.5 : 1);
        break;
      default:
        m = level * 0.5;
    }
    units[t] = poisson(rand, m);
  }
  return units;
}

// ---------------------------------------------------------------------------------------------
// Everything started, torn down once (on success, failure or a signal)

const res: { infra?: Promise<TestInfra>; harness?: Harness; pg?: PgClient; keepLog: boolean } = { keepLog: true };
let interrupted = false;
let teardownPromise: Promise<void> | undefined;
class Interrupted extends Error {}
const checkInterrupted = () => {
  if (interrupted) throw new Interrupted('interrupted');
};

function teardown(): Promise<void> {
  teardownPromise ??= (async () => {
    activeBar?.stop();
    const step = async (what: string, fn: () => Promise<unknown>, ms = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise<void>((resolve) => (timer = setTimeout(() => (note(`${what} did not finish within ${secs(ms)}; going on`), resolve()), ms))),
        ]);
      } catch (err) {
        note(`${what}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    const t = now();
    if (res.pg) await step('closing the loader connection', () => res.pg!.end());
    if (res.harness) await step('stopping the worker and closing the harness', () => res.harness!.close(), 60_000);
    if (res.infra) {
      const infra = await res.infra.catch(() => undefined);
      if (infra) {
        if (res.keepLog && infra.logFile) note(`Temporal dev server log kept: ${infra.logFile}`);
        const { stopTestInfra } = await import('./kit/infra');
        await step(
          'stopping the Temporal dev server and dropping the database',
          () => stopTestInfra({ ...infra, removeLogAtTeardown: res.keepLog ? undefined : infra.logFile }),
          60_000,
        );
      }
    }
    note(`torn down (${secs(now() - t)})`);
  })();
  return teardownPromise;
}

function onSignal(signal: NodeJS.Signals) {
  if (interrupted) {
    process.stderr.write(`\n${signal} again: exiting without finishing the teardown\n`);
    process.exit(130);
  }
  interrupted = true;
  res.keepLog = false;
  activeBar?.stop();
  process.stderr.write(`\n${signal}: interrupted, tearing down (${signal} again to exit at once)\n`);
  void teardown().finally(() => process.exit(130));
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  rows: number;
  ms: number;
  vacuumMs: number;
  referenceMs: number;
}

async function load(pg: PgClient, opts: Options, lay: Layout): Promise<LoadResult> {
  let t = now();
  await pg.query(`INSERT INTO "Region" (id, name) VALUES ($1, 'Bench training region')`, [REGION_ID]);
  await pg.query(
    `INSERT INTO "Store" (id, name, "regionId", city, timezone) SELECT s, 'Bench training ' || s, $2, 'Bench', 'UTC' FROM unnest($1::text[]) AS s`,
    [lay.storeIds, REGION_ID],
  );
  await pg.query(`INSERT INTO "Supplier" (id, name, email, "leadTimeDays") VALUES ($1, 'Bench training supplier', 'training@bench.example.com', 7)`, [
    SUPPLIER_ID,
  ]);
  await pg.query(
    `INSERT INTO "Product" (sku, name, category, brand, colour, size, "styleTags", cost, price, "supplierId")
     SELECT p.sku, 'Bench item ' || p.sku, p.category, 'Bench', 'grey', 'M', '{}', 5, $3, $4
       FROM unnest($1::text[], $2::text[]) AS p(sku, category)`,
    [lay.skus, lay.skus.map((_, j) => categoryOf(SHAPES[j % SHAPES.length]!)), PRICE, SUPPLIER_ID],
  );
  const invStores: string[] = [];
  const invSkus: string[] = [];
  lay.storeIds.forEach((storeId, s) => {
    for (let j = 0; j < lay.seriesIn(s); j++) {
      invStores.push(storeId);
      invSkus.push(lay.skus[j]!);
    }
  });
  await pg.query(`INSERT INTO "InventoryLevel" ("storeId", sku, "onHand", "updatedAt") SELECT s, k, 20, now() FROM unnest($1::text[], $2::text[]) AS i(s, k)`, [
    invStores,
    invSkus,
  ]);
  const referenceMs = now() - t;

  // Sales: one statement per store (its SKUs × days, zero days left out), generated while the
  // previous store's statement runs.
  t = now();
  const bar = progress('loading sales', opts.series, 'series', ' {rows} rows');
  let rows = 0;
  let done = 0;
  let pending: Promise<unknown> | undefined;
  for (let s = 0; s < lay.storeIds.length; s++) {
    checkInterrupted();
    const k: number[] = [];
    const d: number[] = [];
    const u: number[] = [];
    const n = lay.seriesIn(s);
    for (let j = 0; j < n; j++) {
      const units = seriesUnits(s, j, opts.days, lay.firstDay);
      for (let t2 = 0; t2 < units.length; t2++) {
        if (units[t2]! > 0) {
          k.push(j + 1);
          d.push(t2);
          u.push(units[t2]!);
        }
      }
    }
    sampleRss();
    await pending;
    pending = pg
      .query(
        `INSERT INTO "SalesDaily" ("storeId", sku, day, units, revenue)
         SELECT $1::text, ($2::text[])[x.k], $3::date + x.d, x.u, x.u * $4::numeric
           FROM unnest($5::int[], $6::int[], $7::int[]) AS x(k, d, u)`,
        [lay.storeIds[s], lay.skus, lay.firstDay, PRICE, `{${k.join(',')}}`, `{${d.join(',')}}`, `{${u.join(',')}}`],
      )
      .then(() => {
        rows += u.length;
        done += n;
        bar.update(done, { rows: fmt(rows) });
      });
  }
  await pending;
  bar.stop();
  const ms = now() - t;
  t = now();
  await pg.query(`VACUUM ANALYZE "SalesDaily"`);
  await pg.query(`ANALYZE "InventoryLevel"`);
  await pg.query(`ANALYZE "Product"`);
  return { rows, ms, vacuumMs: now() - t, referenceMs };
}

// ---------------------------------------------------------------------------------------------
// In-process baselines: the same series, no Temporal, no database

interface InProcess {
  label: string;
  series: number;
  ms: number;
  perSecond: number;
}

interface Accs {
  challenger: MetricsAccumulator;
  champion: MetricsAccumulator;
  chByCategory: Record<string, MetricsAccumulator>;
  cpByCategory: Record<string, MetricsAccumulator>;
  families: Record<string, number>;
}

/** One series as trainModelBatch computes it (activities/model-retraining/training.ts, the same domain functions), the writes left out. */
function trainOne(
  units: number[],
  trainingDays: number,
  _holdoutDays: number,
  trainingStart: string,
  category: string,
  accs: Accs,
  totals: Map<string, CategoryTotals>,
): void {
  // As loadDailyUnits reads it: the series starts on its first sale (the bench's data has a row for
  // every day with one, through the last day of the window); the category's totals as
  // loadCategoryTotals sums them.
  const firstSale = units.findIndex((u) => u > 0);
  const own = firstSale < 0 ? [] : units.slice(firstSale);
  const split = Math.max(0, trainingDays - (firstSale < 0 ? 0 : firstSale));
  const r = scoreSeries({
    training: own.slice(0, split),
    holdout: own.slice(split),
    startDay: addDays(trainingStart, Math.max(0, firstSale)),
    category: totals.get(category) ?? null,
  });
  const base = { days: r.holdoutDays, actualUnits: r.holdoutUnits, scale: r.naiveScale };
  const ch = { ...base, absError: r.challengerAbsError, signedError: r.challengerError };
  const cp = { ...base, absError: r.championAbsError, signedError: r.championError };
  accs.families[r.fit.spec.family] = (accs.families[r.fit.spec.family] ?? 0) + 1;
  addSeriesSums(accs.challenger, ch);
  addSeriesSums(accs.champion, cp);
  addSeriesSums((accs.chByCategory[category] ??= emptyAccumulator()), ch);
  addSeriesSums((accs.cpByCategory[category] ??= emptyAccumulator()), cp);
}

/**
 * Runs `work` over every series, store by store; a store's series are generated first (not timed),
 * then `work` is timed over them. A warm-up (the first 300 series, not timed) comes first.
 */
function inProcess(label: string, opts: Options, lay: Layout, work: (units: number[], sku: number, warm: boolean) => void): InProcess {
  const warm = Math.min(300, lay.seriesIn(0));
  for (let j = 0; j < warm; j++) work(seriesUnits(0, j, opts.days, lay.firstDay), j, true);
  const bar = progress(label, opts.series, 'series');
  let ms = 0;
  let done = 0;
  for (let s = 0; s < lay.storeIds.length; s++) {
    checkInterrupted();
    const n = lay.seriesIn(s);
    const series = Array.from({ length: n }, (_, j) => seriesUnits(s, j, opts.days, lay.firstDay));
    sampleRss();
    const t = now();
    for (let j = 0; j < n; j++) {
      work(series[j]!, j, false);
      if (j % 100 === 99) bar.update(done + j + 1);
    }
    ms += now() - t;
    done += n;
    bar.update(done);
  }
  bar.stop();
  return { label, series: opts.series, ms, perSecond: opts.series / (ms / 1000) };
}

/** Series done so far by the running trainModelBatch activities (their last heartbeats: trained + resumed), 0 when none. */
async function runningBatchProgress(handle: WorkflowHandle<typeof modelRetraining>): Promise<number> {
  try {
    const { defaultPayloadConverter } = await import('@temporalio/common');
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    let done = 0;
    for (const batch of pending.filter((a) => a.activityType?.name === 'trainModelBatch')) {
      const payload = batch.heartbeatDetails?.payloads?.[0];
      if (!payload) continue;
      const hb = defaultPayloadConverter.fromPayload<{ trained?: number; resumed?: number }>(
        payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0],
      );
      done += (hb.trained ?? 0) + (hb.resumed ?? 0);
    }
    return done;
  } catch {
    return 0;
  }
}

/** The length of the union of intervals, ms (batches side by side count once). */
function unionMs(intervals: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// The run's history: when each step ended, the training activities, retries, length and size

interface RunFigures {
  registeredAt: number;
  trainingFirstScheduledAt: number;
  trainingLastCompletedAt: number;
  evaluatedAt: number;
  startedAt: number;
  registerMs: number;
  /** recordDataFingerprint, beside the training (NaN when the run fingerprinted at registration). */
  fingerprintMs: number;
  evaluateMs: number;
  batchMs: number[];
  /** The time at least one trainModelBatch ran (started → completed, overlaps counted once). */
  batchBusyMs: number;
  batches: number;
  retries: number;
  retryReasons: string[];
  events: number;
  jsonBytes: number;
  serverBytes: number | undefined;
  largestPayload: number;
}

async function runFigures(handle: WorkflowHandle<typeof modelRetraining>): Promise<RunFigures> {
  const [{ historyToJSON }, { tsToMs }] = await Promise.all([import('@temporalio/common/lib/proto-utils'), import('@temporalio/common/lib/time')]);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const events = history.events ?? [];
  const type = new Map<number, string>();
  const startedAt = new Map<number, number>();
  const completed: { type: string; at: number; ran: number }[] = [];
  let trainingFirstScheduledAt: number | undefined;
  let retries = 0;
  const retryReasons: string[] = [];
  let largestPayload = 0;
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    const payloads =
      e.activityTaskCompletedEventAttributes?.result?.payloads ??
      e.activityTaskScheduledEventAttributes?.input?.payloads ??
      e.workflowExecutionStartedEventAttributes?.input?.payloads ??
      [];
    largestPayload = Math.max(
      largestPayload,
      payloads.reduce((n, p) => n + (p.data?.length ?? 0), 0),
    );
    if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      type.set(Number(e.eventId), name);
      if (name === 'trainModelBatch') trainingFirstScheduledAt ??= at;
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      startedAt.set(Number(a.scheduledEventId), at);
      if ((a.attempt ?? 1) > 1) {
        retries += (a.attempt ?? 1) - 1;
        retryReasons.push(`${type.get(Number(a.scheduledEventId))}: ${a.lastFailure?.message ?? 'unknown'}`);
      }
    } else if (e.activityTaskCompletedEventAttributes) {
      const scheduled = Number(e.activityTaskCompletedEventAttributes.scheduledEventId);
      completed.push({ type: type.get(scheduled) ?? '', at, ran: at - (startedAt.get(scheduled) ?? at) });
    }
  }
  const one = (name: string) => {
    const c = completed.find((x) => x.type === name);
    if (!c) throw new Error(`${handle.workflowId}: no ${name} completion in its history`);
    return c;
  };
  const batches = completed.filter((c) => c.type === 'trainModelBatch');
  return {
    startedAt: tsToMs(events[0]?.eventTime),
    registeredAt: one('registerModelVersion').at,
    registerMs: one('registerModelVersion').ran,
    fingerprintMs: completed.find((x) => x.type === 'recordDataFingerprint')?.ran ?? NaN,
    trainingFirstScheduledAt: trainingFirstScheduledAt ?? NaN,
    trainingLastCompletedAt: batches.at(-1)?.at ?? NaN,
    evaluatedAt: one('evaluateModelVersion').at,
    evaluateMs: one('evaluateModelVersion').ran,
    batchMs: batches.map((b) => b.ran),
    batchBusyMs: unionMs(batches.map((b) => [b.at - b.ran, b.at])),
    batches: [...type.values()].filter((t) => t === 'trainModelBatch').length,
    retries,
    retryReasons,
    events: description.historyLength,
    jsonBytes: Buffer.byteLength(historyToJSON(history)),
    serverBytes: description.historySize,
    largestPayload,
  };
}

// ---------------------------------------------------------------------------------------------

function sameMetric(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const rssTimer = setInterval(sampleRss, 250);
  rssTimer.unref();
  const t0 = now();
  const lay = layout(opts);
  const busy = loadavg()[0]!;
  const trainingDays = opts.days - HOLDOUT_DAYS;

  if (busy > cpus().length / 2)
    note(`the machine is busy (load average ${busy.toFixed(1)} on ${cpus().length} cores): the figures will be lower than on a quiet machine`);
  ensurePrerequisites();
  const { startTestInfra, withDatabase } = await import('./kit/infra');
  res.infra = startTestInfra({
    label: 'bench setup',
    databaseUrl: withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE),
    scratchDatabase: new RegExp(`^${BENCH_DATABASE}$`),
    dropDatabaseAtTeardown: true,
  });
  const infra = await res.infra;
  const cpu = new CpuSampler({ temporalRootPid: infra.server?.pid, database: BENCH_DATABASE });
  cpu.start();
  checkInterrupted();
  Object.assign(process.env, infra.env);
  const [{ createHarness }, { startModelRetraining }, { modelRetrainingStateQuery }] = await Promise.all([
    import('./kit/harness'),
    import('../api/processes/model-retrainings/starter'),
    import('../workflows/model-retraining/messages'),
  ]);
  const h = (res.harness = await createHarness());
  const t = now();
  await h.startWorker();
  note(`worker polling ${h.taskQueue} (${secs(now() - t)}, includes bundling); infrastructure up in ${secs(now() - t0)}`);

  // ---- Data
  const pg = (res.pg = new PgClient({ connectionString: infra.databaseUrl, application_name: 'bench-training-loader' }));
  await pg.connect();
  enterPhase('load');
  const loaded = await load(pg, opts, lay);
  await pg.end();
  res.pg = undefined;
  note(
    `loaded ${fmt(opts.series)} series (${lay.storeIds.length} stores × ${fmt(lay.skus.length)} SKUs), ${fmt(loaded.rows)} sales rows in ${secs(loaded.ms)} ` +
      `(${fmt(loaded.rows / (loaded.ms / 1000))} rows/s); reference data ${secs(loaded.referenceMs)}; VACUUM ANALYZE ${secs(loaded.vacuumMs)}`,
  );
  checkInterrupted();

  // ---- Baselines in process
  enterPhase('in process');
  const shapeCategory = (sku: number) => categoryOf(SHAPES[sku % SHAPES.length]!);
  const fixed = inProcess('baseline forecaster only', opts, lay, (units) => {
    seasonalExponentialSmoothing.forecast({ startDay: lay.firstDay, units: units.slice(0, trainingDays) }, HOLDOUT_DAYS);
  });
  note(`in process, fixed-parameter baseline forecaster only: ${fmt(opts.series)} series in ${secs(fixed.ms)} (${fmt(fixed.perSecond)}/s)`);
  const newAccs = (): Accs => ({ challenger: emptyAccumulator(), champion: emptyAccumulator(), chByCategory: {}, cpByCategory: {}, families: {} });
  const accs = newAccs();
  const warmAccs = newAccs();
  // Each category's daily totals over the training window, as the training activities sum them
  // (not timed: the activities read them with one aggregate per run).
  const categoryTotals = new Map<string, CategoryTotals>();
  if (trainingDays >= YEARLY_SETTINGS.minDays) {
    for (let s = 0; s < lay.storeIds.length; s++) {
      for (let j = 0; j < lay.seriesIn(s); j++) {
        const units = seriesUnits(s, j, opts.days, lay.firstDay);
        const c = shapeCategory(j);
        let t = categoryTotals.get(c);
        if (!t) categoryTotals.set(c, (t = { startDay: lay.firstDay, totals: new Array<number>(trainingDays).fill(0) }));
        const sums = t.totals as number[];
        for (let d = 0; d < trainingDays; d++) sums[d] = sums[d]! + units[d]!;
      }
    }
  }
  const fittedBefore = inProcess('fit + holdout in process', opts, lay, (units, sku, warm) => {
    trainOne(units, trainingDays, HOLDOUT_DAYS, lay.firstDay, shapeCategory(sku), warm ? warmAccs : accs, categoryTotals);
  });
  note(`in process, trainModelBatch's compute: ${fmt(opts.series)} series in ${secs(fittedBefore.ms)} (${fmt(fittedBefore.perSecond)}/s)`);
  checkInterrupted();

  // ---- Through Temporal
  enterPhase('Temporal');
  const modelName = `bench-demand-${Date.now().toString(36)}`;
  const tStart = Date.now();
  const started = await startModelRetraining(
    { client: h.client, taskQueue: h.taskQueue },
    {
      modelName,
      reason: 'bench:training',
      trigger: 'manual',
      requestedBy: 'system:bench',
      asOf: AS_OF,
      historyDays: opts.days,
      holdoutDays: HOLDOUT_DAYS,
      storeIds: lay.storeIds,
      batchSize: opts.batchSize,
      checkpointEvery: opts.checkpointEvery,
      trainingConcurrency: opts.concurrency,
      codeVersion: 'bench',
    },
  );
  const handle = h.client.workflow.getHandle<typeof modelRetraining>(started.workflowId, started.runId);
  const bar = progress('training through Temporal', opts.series, 'series', ' {stage}');
  let st: ModelRetrainingState | undefined;
  let queryFailures = 0;
  let endedAt = 0;
  const deadline = Date.now() + 30 * 60_000 + opts.series * 50;
  for (;;) {
    checkInterrupted();
    try {
      st = await handle.query(modelRetrainingStateQuery);
      queryFailures = 0;
    } catch (err) {
      if (++queryFailures > 60) throw new Error(`${started.workflowId}: the state query keeps failing: ${(err as Error).message}`);
    }
    if (st) {
      // The state counts whole batches; the running batch's heartbeat (a checkpoint every
      // --checkpoint-every series) says how far into it the activity is.
      const inBatch = st.stage === 'training' ? await runningBatchProgress(handle) : 0;
      bar.update(Math.min(opts.series, st.training.seriesTrained + inBatch), { stage: st.stage });
      if (['awaiting_approval', 'not_promoted', 'promoted'].includes(st.stage) && st.evaluation) {
        endedAt = Date.now();
        break;
      }
      if (['failed', 'cancelled', 'rejected', 'expired'].includes(st.stage))
        throw new Error(`${started.workflowId} ended ${st.stage}: ${st.outcome ?? 'no outcome recorded'}`);
    }
    if (Date.now() > deadline) throw new Error(`${started.workflowId}: not evaluated after ${secs(Date.now() - tStart)} (stage ${st?.stage ?? 'unknown'})`);
    await sleep(POLL_MS);
  }
  bar.stop();
  enterPhase('report');
  // The history as the run waits for the data-science lead: once the approval gate's own
  // activities (approval record, notification) are done. Then cancel: the bench approves nothing.
  const stage = st!.stage;
  for (let i = 0; i < 40 && stage === 'awaiting_approval'; i++) {
    if (((await handle.describe()).raw.pendingActivities ?? []).length === 0) break;
    await sleep(250);
  }
  const fig = await runFigures(handle);
  if (stage === 'awaiting_approval') {
    await handle.cancel();
    await Promise.race([handle.result().catch(() => undefined), sleep(30_000)]);
  }
  const written = await h.db.modelSeriesParams.count({ where: { modelVersionId: st!.version!.versionId } });

  // The in-process fit again: a shared machine's load moves, and the ratios are taken against the
  // faster of the two (the workflow is not flattered by a slow baseline).
  enterPhase('in process');
  const againAccs = newAccs();
  const fittedAfter = inProcess('fit + holdout in process (again)', opts, lay, (units, sku) => {
    trainOne(units, trainingDays, HOLDOUT_DAYS, lay.firstDay, shapeCategory(sku), againAccs, categoryTotals);
  });
  const fitted = fittedAfter.perSecond > fittedBefore.perSecond ? fittedAfter : fittedBefore;
  note(
    `in-process fit before / after the workflow: ${fmt(fittedBefore.perSecond)} / ${fmt(fittedAfter.perSecond)} series/s; the faster (${secs(fitted.ms)}) is the baseline`,
  );
  enterPhase('report');

  // ---- Report
  const ev = st!.evaluation!;
  const trainMs = fig.trainingLastCompletedAt - fig.trainingFirstScheduledAt;
  const regToEvalMs = fig.evaluatedAt - fig.registeredAt;
  const rate = (ms: number) => opts.series / (ms / 1000);
  const vs = (ms: number) => `${(rate(ms) / fitted.perSecond).toFixed(2)}×`;
  const rows: string[][] = [
    ['', 'seconds', 'series/s', 'vs in-process fit'],
    [
      'in process: baseline forecaster only (lower bound)',
      (fixed.ms / 1000).toFixed(2),
      fmt(fixed.perSecond),
      `${(fixed.perSecond / fitted.perSecond).toFixed(2)}×`,
    ],
    ['in process: fit + holdout (trainModelBatch compute)', (fitted.ms / 1000).toFixed(2), fmt(fitted.perSecond), '1.00×'],
    ['Temporal: training activities (first → last batch)', (trainMs / 1000).toFixed(2), fmt(rate(trainMs)), vs(trainMs)],
    ['Temporal: registered → evaluated', bold((regToEvalMs / 1000).toFixed(2)), bold(fmt(rate(regToEvalMs))), bold(vs(regToEvalMs))],
    [
      'Temporal: start → evaluated (with registration)',
      ((fig.evaluatedAt - fig.startedAt) / 1000).toFixed(2),
      fmt(rate(fig.evaluatedAt - fig.startedAt)),
      vs(fig.evaluatedAt - fig.startedAt),
    ],
  ];
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => visible(r[i]!))));
  const line = (r: string[]) =>
    `  ${r[0]!.padEnd(widths[0]!)}` +
    r
      .slice(1)
      .map((c, i) => `  ${' '.repeat(widths[i + 1]! - visible(c))}${c}`)
      .join('');
  const catLabel = (cat: string) => `  ${cat} (${fmt(ev.challenger.byCategory[cat]!.series)} series)`;
  const labelWidth = Math.max(36, ...Object.keys(ev.challenger.byCategory).map((c) => catLabel(c).length + 14));
  const metricRow = (label: string, m: MetricsSummary) =>
    `  ${label.padEnd(labelWidth)}${pct(m.wape).padStart(8)}${pct(m.bias).padStart(8)}${(m.mase?.toFixed(3) ?? 'n/a').padStart(8)}`;
  const families = Object.entries(st!.training.families)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${fmt(n)} (${pct(n / opts.series, 0)})`)
    .join(', ');

  console.log(`\n${bold(`Model retraining: ${fmt(opts.series)} series × ${opts.days} days of daily sales, trained and evaluated`)}`);
  console.log(
    dim(
      `  ${lay.storeIds.length} stores × ${fmt(lay.skus.length)} SKUs; asOf ${AS_OF}, holdout ${HOLDOUT_DAYS} days; batch ${fmt(opts.batchSize)}, checkpoint every ${opts.checkpointEvery}, ` +
        `${opts.concurrency ?? DEFAULT_TRAINING_CONCURRENCY} batches in flight; ` +
        `${cpus().length} cores (load average at start ${busy.toFixed(1)}), Node ${process.version}; Temporal dev server (in memory) and one in-process worker (harness, Prisma pool 5)`,
    ),
  );
  const seriesDays = opts.series * opts.days;
  console.log(
    `  data load: ${fmt(loaded.rows)} sales rows in ${bold(secs(loaded.ms))} (${fmt(loaded.rows / (loaded.ms / 1000))} rows/s, one INSERT … unnest per store; ` +
      `${fmt(seriesDays)} series-days, the ${pct(1 - loaded.rows / seriesDays, 0)} without a sale have no row), reference data ${secs(loaded.referenceMs)}, VACUUM ANALYZE ${secs(loaded.vacuumMs)}`,
  );
  console.log('');
  console.log(bold(line(rows[0]!)));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  const activityMs = fig.batchBusyMs;
  console.log(
    `  registerModelVersion ${secs(fig.registerMs)}; recordDataFingerprint ${Number.isNaN(fig.fingerprintMs) ? 'n/a' : secs(fig.fingerprintMs)} (beside the training); ${fig.batches} trainModelBatch ${fig.batches === 1 ? 'activity' : 'activities'} (median ${secs(median(fig.batchMs))}; ` +
      `${fmt(opts.series / (activityMs / 1000))} series/s while in them), ${fig.retries} retries; evaluateModelVersion ${secs(fig.evaluateMs)}`,
  );
  console.log(
    `  time in the training activities: ${secs(activityMs)}, of which the fit itself ≈ ${secs(fitted.ms)} (${pct(fitted.ms / activityMs, 0)}); ` +
      `the rest (${secs(activityMs - fitted.ms)}) reads histories and writes ModelSeriesParams rows; between batches (Temporal) ${secs(trainMs - activityMs)}`,
  );
  console.log(`  start call → state query saw ${stage}: ${secs(endedAt - tStart)} (polled every ${POLL_MS} ms)`);
  const used = cpu.between(fig.startedAt, fig.evaluatedAt);
  const cpuLine = used
    ? `where the cores went, start → evaluated (${secs(fig.evaluatedAt - fig.startedAt)} on ${cpus().length} cores, all processes on the machine): ${formatCpu(used)}; ` +
      `the fit alone is ${secs(fitted.ms)} of one core`
    : undefined;
  if (cpuLine) console.log(`  ${cpuLine}`);
  console.log(
    `  history${stage === 'awaiting_approval' ? ' (waiting for the approval)' : ''}: ${fmt(fig.events)} events, ${kb(fig.serverBytes)} (server), ${kb(fig.jsonBytes)} as JSON; largest payload ${kb(fig.largestPayload)}; ` +
      `peak RSS of this process (bench + worker): ${['setup', 'load', 'in process', 'Temporal'].map((p) => `${p} ${kb(peakRss.get(p))}`).join(', ')}`,
  );
  console.log(`  families chosen: ${families}`);
  console.log('');
  console.log(bold(`  ${`holdout evaluation (${HOLDOUT_DAYS} days)`.padEnd(labelWidth)}${'WAPE'.padStart(8)}${'bias'.padStart(8)}${'MASE'.padStart(8)}`));
  console.log(metricRow(`challenger v${st!.version!.version}`, ev.challenger.overall));
  console.log(metricRow(ev.champion.label, ev.champion.overall));
  for (const cat of Object.keys(ev.challenger.byCategory)) {
    console.log(dim(metricRow(`${catLabel(cat)}: challenger`, ev.challenger.byCategory[cat]!)));
    console.log(dim(metricRow(`${''.padEnd(catLabel(cat).length)}  baseline`, ev.champion.byCategory[cat]!)));
  }
  console.log(
    `  outcome: ${stage}: ${st!.proposal?.reason ?? st!.outcome ?? ''}${stage === 'awaiting_approval' ? dim(' (cancelled by the bench, which approves nothing)') : ''}`,
  );

  // ---- Check: the workflow computed what the in-process loop computed
  const problems: string[] = [];
  if (st!.training.seriesTrained !== opts.series) problems.push(`${st!.training.seriesTrained} series trained, expected ${opts.series}`);
  if (written !== opts.series) problems.push(`${written} ModelSeriesParams rows, expected ${opts.series}`);
  if (ev.seriesCount !== opts.series) problems.push(`evaluated ${ev.seriesCount} series, expected ${opts.series}`);
  const famA = JSON.stringify(Object.entries(accs.families).sort());
  const famB = JSON.stringify(Object.entries(ev.families).sort());
  if (famA !== famB) problems.push(`families: in process ${famA}, workflow ${famB}`);
  const compare = (what: string, a: MetricsSummary, b: MetricsSummary) => {
    for (const k of ['wape', 'bias', 'mase'] as const) if (!sameMetric(a[k], b[k])) problems.push(`${what} ${k}: in process ${a[k]}, workflow ${b[k]}`);
  };
  compare('challenger', summarise(accs.challenger), ev.challenger.overall);
  compare('baseline', summarise(accs.champion), ev.champion.overall);
  for (const cat of Object.keys(accs.chByCategory)) {
    compare(`${cat} challenger`, summarise(accs.chByCategory[cat]!), ev.challenger.byCategory[cat] ?? summarise(emptyAccumulator()));
    compare(`${cat} baseline`, summarise(accs.cpByCategory[cat]!), ev.champion.byCategory[cat] ?? summarise(emptyAccumulator()));
  }
  for (const r of fig.retryReasons) console.log(`  ${red('retried')}: ${r.slice(0, 200)}`);
  console.log(
    problems.length
      ? problems.map((p) => red(`  CHECK FAILED: ${p}`)).join('\n')
      : green(
          `  check: every series trained once; the workflow chose the same families and got the same WAPE, bias and MASE (overall and per shape) as the in-process computation`,
        ),
  );
  console.log('');
  const startToEvaluated = rate(fig.evaluatedAt - fig.startedAt) / fitted.perSecond;
  console.log(`training through the workflow: ${startToEvaluated.toFixed(2)}x the in-process fit (start → evaluated)`);
  recordBenchResult({
    bench: 'training',
    title: 'Model retraining: through the workflow vs the fit in process',
    settings: {
      cores: cpus().length,
      series: opts.series,
      days: opts.days,
      stores: lay.storeIds.length,
      batchSize: opts.batchSize,
      checkpointEvery: opts.checkpointEvery,
      trainingBatchesInFlight: opts.concurrency ?? DEFAULT_TRAINING_CONCURRENCY,
    },
    figures: [
      {
        metric: 'series trained and evaluated per second (workflow start → evaluated)',
        value: Math.round(rate(fig.evaluatedAt - fig.startedAt)),
        unit: 'series/s',
        baseline: { value: Math.round(fitted.perSecond), label: "trainModelBatch's compute in process (fit + holdout), no database, no Temporal" },
        better: 'higher',
        target: { ratio: 0.6, op: '>=' },
      },
      {
        metric: 'series trained per second, training activities (first → last batch)',
        value: Math.round(rate(trainMs)),
        unit: 'series/s',
        baseline: { value: Math.round(fitted.perSecond), label: "trainModelBatch's compute in process" },
        better: 'higher',
      },
    ],
    notes: [
      ...problems.map((p) => `CHECK FAILED: ${p}`),
      ...(problems.length ? [] : ['Every series trained once; the same families, WAPE, bias and MASE as the in-process computation.']),
      `registerModelVersion ${secs(fig.registerMs)}; recordDataFingerprint ${Number.isNaN(fig.fingerprintMs) ? 'n/a' : secs(fig.fingerprintMs)} beside the training (one read of the window's sales, shared with the category totals); evaluateModelVersion ${secs(fig.evaluateMs)}.`,
      ...(cpuLine ? [`${cpuLine[0]!.toUpperCase()}${cpuLine.slice(1)}.`] : []),
    ],
  });
  res.keepLog = problems.length > 0;
  return problems.length ? 1 : 0;
}

main().then(
  async (code) => {
    await teardown();
    process.exit(code);
  },
  async (err: unknown) => {
    if (interrupted) return; // the signal handler tears down and exits (130)
    activeBar?.stop();
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    await teardown();
    process.exit(1);
  },
);
