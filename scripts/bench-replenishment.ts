/**
 * `npm run bench:replenishment [-- --stores 20 --skus 2000 --batch 500 --concurrency 4 --planning-concurrency 4 --no-temporal]`
 *
 * Benchmark of replenishment planning (activities/replenishment/planning.ts): how many store × SKU
 * pairs a second are planned (history read, forecast, reorder maths) for 1 store × 2,000 SKUs and
 * for 20 stores × 2,000 SKUs, so the scaling is visible; first by calling the activity functions
 * directly (the baseline), then through Temporal, the real `replenishment` workflow.
 *
 * Self-contained: a scratch database `retail_ops_bench_replenishment` on DATABASE_URL's server
 * (default postgresql://postgres@127.0.0.1:5432), dropped and re-created, migrated
 * (platform/migrations.ts), filled with synthetic data by set-based SQL (not measured):
 * --stores stores, --skus products over 40 suppliers, an inventory row per store × SKU and
 * --history days of daily sales (steady, weekly-seasonal, trending and intermittent SKUs; days
 * without a sale have no row).
 *
 * Direct phases (no Temporal server): the activity functions are called directly, as a worker
 * would, with batches of --batch SKUs in SKU order (keyset pagination, planStoreBatch: planning
 * only, no staging writes). A warm-up (one store, not
 * measured), then 1 store (its batches one after the other), then all the stores, --concurrency
 * stores at a time.
 *
 * Temporal phases (skipped with --no-temporal), after the direct ones: a headless in-memory
 * Temporal dev server on 127.0.0.1:--temporal-port (default 7399; a free port when that one is
 * busy), the supplier ERP simulator in process on an ephemeral port, nodemailer's jsonTransport as
 * the mail sink (no SMTP server), and a Worker on a fresh task queue with the real activities
 * (workers/activities.ts) against the scratch database (Prisma pool --worker-pool, default 20 as
 * DATABASE_POOL_SIZE has it; the worker tuning of platform/worker-options.ts). The `replenishment`
 * workflow runs with the synthetic data's asOf, --planning-concurrency batches in flight per run
 * and approval thresholds so high that every PO is auto-approved, for a warm-up store (not
 * measured), then 1 store, then all the stores started at once. A phase is timed from just before
 * its starts to the last run's end of planning (read from the history: loadDraftOrders completed,
 * an activity or a local activity's marker; a visibility count of the runs still 'planning' only
 * notices it); the time until every PO was sent to the simulated ERP is shown too. The runs are
 * terminated after each phase, and what they wrote (POs, audit, on-order quantities, the
 * simulator's orders) reset so every phase plans the same data. Printed per run: planning's
 * activities by type (ran, waited), activity retries (attempts beyond the first, with the failure
 * that caused them), the biggest history; and where the cores went in the many-store phases
 * (scripts/kit/cpu-sampler.ts).
 *
 * The direct phases run again after the Temporal ones, and the faster of each pair is the
 * baseline of the ratios (a shared machine's load moves). The ratios are printed last and recorded
 * for `npm run bench` (target ≥ 0.6×).
 *
 * Everything started is stopped and the database dropped at the end (also on failure or Ctrl-C)
 * unless --keep (the database only).
 */
import { DEFAULT_DATABASE_POOL_SIZE } from '../platform/config';
import { workerTuning } from '../platform/worker-options';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Client as TemporalClient, Connection, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { Presets, SingleBar } from 'cli-progress';
import type { Transporter } from 'nodemailer';
import { Client } from 'pg';
import { createReplenishmentPlanningActivities } from '../activities/replenishment/planning';
import { seasonalExponentialSmoothing, type Forecaster } from '../domain/forecasting';
import { createDb, type Db } from '../platform/db';
import { applyMigrations, ensureDatabase } from '../platform/migrations';
import { freePort, withDatabase } from './kit/infra';
import type { replenishment } from '../workflows/replenishment/workflow';
import { DEFAULT_PLANNING_CONCURRENCY, type ReplenishmentState, type replenishmentStateQuery as StateQuery } from '../workflows/replenishment/messages';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  ensureSearchAttributes,
  findTemporalBinary,
  readSearchAttributes,
  REPO_ROOT,
  startDevServer,
  stopProcess,
  waitForTemporal,
} from './temporal-dev';
import { bold, dim, green, mapLimit, note, now, parseBenchOptions, recordBenchResult, red, secs, UsageError } from './kit/bench';
import { CPU_GROUPS, CpuSampler, type CpuGroup, type CpuSeconds } from './kit/cpu-sampler';

const BENCH_DATABASE = 'retail_ops_bench_replenishment';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const SUPPLIERS = 40;
const AS_OF = '2025-06-01';

/** Approval thresholds no PO reaches: every PO is approved automatically, no human is needed. */
const AUTO_APPROVE = { storeManagerAbove: 1e12, regionalAbove: 1e12 };
const DEFAULT_TEMPORAL_PORT = 7399;
/**
 * How often the runs' `state` is queried while a Temporal phase runs. Only to notice the end (the
 * figures come from the histories): every query is work for the same server and worker on the
 * same cores, so not more often than a console page refreshes a run.
 */
const POLL_MS = 1000;
/** Queries in flight at a time. */
const POLL_PARALLELISM = 8;
/** Prisma pool of the worker's activities by default: DATABASE_POOL_SIZE's default (platform/config.ts), as workers/main.ts has it. */
const DEFAULT_WORKER_DB_POOL = DEFAULT_DATABASE_POOL_SIZE;

interface Options {
  stores: number;
  skus: number;
  batch: number;
  concurrency: number;
  history: number;
  keep: boolean;
  temporal: boolean;
  temporalPort: number;
  workerPool: number;
  /** Planning batches in flight per run (the workflow's input); undefined: the workflow's default. */
  planningConcurrency: number | undefined;
}

const USAGE = `Usage: npm run bench:replenishment -- [--stores 20] [--skus 2000] [--batch 500] [--concurrency 4] [--history 120] [--keep]
                                          [--no-temporal] [--temporal-port 7399] [--worker-pool ${DEFAULT_WORKER_DB_POOL}] [--planning-concurrency ${DEFAULT_PLANNING_CONCURRENCY}]
  --stores         stores in the parallel phases (default 20)
  --skus           SKUs per store (default 2000)
  --batch          SKUs per planning batch (default 500)
  --concurrency    stores planned at a time in the direct parallel phase (default 4; through Temporal all start at once)
  --history        days of sales history generated and read (default 120)
  --keep           keep the scratch database ${BENCH_DATABASE}
  --no-temporal    only the direct-call phases: no Temporal dev server, worker or workflows
  --temporal-port  port of the bench's own Temporal dev server (default ${DEFAULT_TEMPORAL_PORT}; a free one when busy)
  --worker-pool    Prisma pool of the worker's activities (default ${DEFAULT_WORKER_DB_POOL}, DATABASE_POOL_SIZE's default that workers/main.ts uses)
  --planning-concurrency
                   planning batches in flight per workflow run (default ${DEFAULT_PLANNING_CONCURRENCY}, the workflow's own)`;

function parseOptions(argv: string[]): Options {
  const { values, int } = parseBenchOptions(
    argv,
    {
      stores: { type: 'string' },
      skus: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      history: { type: 'string' },
      keep: { type: 'boolean' },
      'no-temporal': { type: 'boolean' },
      'temporal-port': { type: 'string' },
      'worker-pool': { type: 'string' },
      'planning-concurrency': { type: 'string' },
    },
    USAGE,
  );
  return {
    stores: int('stores', 20, 1, 500),
    skus: int('skus', 2000, 1, 100_000),
    batch: int('batch', 500, 1, 5000),
    concurrency: int('concurrency', 4, 1, 64),
    history: int('history', 120, 14, 730),
    keep: values.keep === true,
    temporal: values['no-temporal'] !== true,
    temporalPort: int('temporal-port', DEFAULT_TEMPORAL_PORT, 1024, 65535),
    workerPool: int('worker-pool', DEFAULT_WORKER_DB_POOL, 1, 200),
    planningConcurrency: values['planning-concurrency'] === undefined ? undefined : int('planning-concurrency', DEFAULT_PLANNING_CONCURRENCY, 1, 64),
  };
}

// ---------------------------------------------------------------------------------------------
// Scratch database

async function admin<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: withDatabase(databaseUrl, 'postgres'), application_name: 'retail-ops-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const dropDatabase = (databaseUrl: string) => admin(databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`));

/** Synthetic data by set-based SQL: stores, suppliers, products, inventory, then sales store by store. */
async function generate(databaseUrl: string, opts: Options, storeIds: string[]): Promise<void> {
  const c = new Client({ connectionString: databaseUrl, application_name: 'retail-ops-bench-generate' });
  await c.connect();
  try {
    await c.query(`INSERT INTO "Region" (id, name) VALUES ('R-BENCH', 'Bench region')`);
    await c.query(
      `INSERT INTO "Store" (id, name, "regionId", city, timezone)
       SELECT id, 'Bench ' || id, 'R-BENCH', 'Benchville', 'Europe/London' FROM unnest($1::text[]) AS id`,
      [storeIds],
    );
    await c.query(
      `INSERT INTO "Supplier" (id, name, email, "leadTimeDays", "leadTimeStdDays")
       SELECT 'SUP-' || lpad(g::text, 3, '0'), 'Supplier ' || g, 'sup' || g || '@bench.test', 3 + g % 12, (g % 4) * 0.5
         FROM generate_series(1, $1::int) g`,
      [SUPPLIERS],
    );
    await c.query(
      `INSERT INTO "Product" (sku, name, category, brand, colour, size, "styleTags", cost, price, "supplierId",
                              "packSize", "minOrderQty", "serviceLevel")
       SELECT 'BENCH-' || lpad(g::text, 6, '0'), 'Bench product ' || g, 'cat' || g % 12, 'Brand', 'black', 'M', '{}',
              5 + (g % 50), 12 + (g % 50) * 2, 'SUP-' || lpad((1 + g % $2::int)::text, 3, '0'),
              (ARRAY[1, 1, 3, 6, 12])[1 + g % 5], (ARRAY[1, 1, 1, 6, 24])[1 + (g / 5) % 5], (ARRAY[0.9, 0.95, 0.95, 0.98, 0.99])[1 + g % 5]
         FROM generate_series(1, $1::int) g`,
      [opts.skus, SUPPLIERS],
    );
    await c.query(`SELECT setseed(0.42)`);
    await c.query(
      `INSERT INTO "InventoryLevel" ("storeId", sku, "onHand", reserved, "onOrder", "updatedAt")
       SELECT s, p.sku, floor(random() * 80)::int, floor(random() * 4)::int, CASE WHEN random() < 0.2 THEN floor(random() * 40)::int ELSE 0 END, now()
         FROM unnest($1::text[]) s CROSS JOIN "Product" p`,
      [storeIds],
    );

    const bar = progressBar(' sales history {bar} {value}/{total} stores {duration_formatted}', storeIds.length);
    // Per SKU: a base rate from 0.1 to 8 a day, a weekly shape, a gentle trend for some; rows only
    // for days with a sale. The SKU number picks the profile (about 1 in 4 is intermittent).
    for (const storeId of storeIds) {
      await c.query(
        `INSERT INTO "SalesDaily" ("storeId", sku, day, units, revenue)
         SELECT $1, sku, day, units, units * 20
           FROM (
             SELECT p.sku, d.day,
                    floor(random() * 2 * rate
                          * (1 + CASE WHEN extract(isodow FROM d.day) >= 6 THEN 0.5 ELSE 0 END)
                          * (1 + trend * d.i / $3::float))::int AS units
               FROM (SELECT sku, (substr(sku, 7)::int % 4 = 0) AS sparse,
                            CASE WHEN substr(sku, 7)::int % 4 = 0 THEN 0.15 ELSE 0.5 + (substr(sku, 7)::int % 16) * 0.5 END AS rate,
                            CASE WHEN substr(sku, 7)::int % 7 = 0 THEN 0.5 ELSE 0 END AS trend
                       FROM "Product") p
              CROSS JOIN (SELECT i, ($2::date - $3::int + i) AS day FROM generate_series(0, $3::int - 1) i) d
           ) x
          WHERE units > 0`,
        [storeId, AS_OF, opts.history],
      );
      bar.increment();
    }
    bar.stop();
    await c.query(`ANALYZE`);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Planning

function progressBar(format: string, total: number): { increment(n?: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { increment: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format, barsize: 30, hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return { increment: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}

interface PhaseResult {
  label: string;
  stores: number;
  concurrency: number;
  pairs: number;
  lines: number;
  ms: number;
  pairsPerSec: number;
  batchMs: number[];
  forecastMs: number;
  /** Where the machine's cores went during the phase (Linux). */
  cpu: CpuSeconds | undefined;
}

async function runPhase(db: Db, label: string, storeIds: string[], opts: Options, concurrency: number, quiet = false): Promise<PhaseResult> {
  let forecastMs = 0;
  const timed: Forecaster = {
    name: seasonalExponentialSmoothing.name,
    forecast(history, horizon) {
      const t = now();
      try {
        return seasonalExponentialSmoothing.forecast(history, horizon);
      } finally {
        forecastMs += now() - t;
      }
    },
  };
  const acts = createReplenishmentPlanningActivities({ db, forecaster: timed });
  const total = storeIds.length * opts.skus;
  const bar = quiet
    ? { increment: () => undefined, stop: () => undefined }
    : progressBar(` ${label.padEnd(22)} {bar} {value}/{total} pairs {duration_formatted}`, total);
  const batchMs: number[] = [];
  let pairs = 0;
  let lines = 0;
  const startedAt = Date.now();
  cpu.take({ rescan: true });
  const t0 = now();
  await mapLimit(storeIds, concurrency, async (storeId) => {
    let afterSku: string | null = null;
    for (;;) {
      const t = now();
      const r = await acts.planStoreBatch({ storeId, asOf: AS_OF, afterSku, batchSize: opts.batch, historyDays: opts.history });
      batchMs.push(now() - t);
      pairs += r.examined;
      lines += r.lines.length;
      bar.increment(r.examined);
      if (r.examined < opts.batch || r.lastSku === null) break;
      afterSku = r.lastSku;
    }
  });
  const ms = now() - t0;
  const endedAt = Date.now();
  cpu.take({ rescan: true });
  bar.stop();
  if (pairs !== total) throw new Error(`${label}: planned ${pairs} store × SKU pairs, expected ${total}`);
  return {
    cpu: cpu.between(startedAt, endedAt),
    label,
    stores: storeIds.length,
    concurrency: Math.min(concurrency, storeIds.length),
    pairs,
    lines,
    ms,
    pairsPerSec: pairs / (ms / 1000),
    batchMs,
    forecastMs,
  };
}

function report(opts: Options, one: PhaseResult, many: PhaseResult): string {
  const rows: string[][] = [
    ['', `${one.stores} store × ${opts.skus}`, `${many.stores} stores × ${opts.skus}`],
    ['store concurrency', String(one.concurrency), String(many.concurrency)],
    ['store × SKU pairs', String(one.pairs), String(many.pairs)],
    ['order lines', String(one.lines), String(many.lines)],
    ['wall time', secs(one.ms), secs(many.ms)],
    ['pairs / second', one.pairsPerSec.toFixed(0), many.pairsPerSec.toFixed(0)],
    [`batch of ${opts.batch}, median`, `${median(one.batchMs).toFixed(0)} ms`, `${median(many.batchMs).toFixed(0)} ms`],
    ['forecasting (CPU), share of wall', `${((100 * one.forecastMs) / one.ms).toFixed(0)}%`, `${((100 * many.forecastMs) / many.ms).toFixed(0)}%`],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`;
  return [
    bold('Replenishment planning: store × SKU pairs per second'),
    dim(
      `  ${cpus().length} cores, Node ${process.version}; ${opts.history} days of history, batches of ${opts.batch}, activities called in-process (one Node thread, Prisma pool ${opts.concurrency + 2})`,
    ),
    '',
    bold(line(rows[0]!)),
    `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...rows.slice(1).map(line),
    '',
    `  throughput ratio (${many.stores} stores ÷ 1 store): ${bold(`${(many.pairsPerSec / one.pairsPerSec).toFixed(2)}x`)}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Through Temporal: dev server, simulator, mail sink, worker; the real workflow

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let interrupted = false;
class Interrupted extends Error {}
/** Samples every process's CPU time (Linux) while the bench runs. */
const cpu = new CpuSampler({ database: BENCH_DATABASE });

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Resolves with fn's value, or with undefined (and a note) when it takes longer than ms. */
async function bounded<T>(what: string, fn: () => Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          note(`${what} did not finish within ${secs(ms)}; going on`);
          resolve(undefined);
        }, ms);
      }),
    ]);
  } catch (err) {
    note(`${what}: ${(err as Error).message}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** What the Temporal phases started, stopped once by teardownTemporal() (success, failure or a signal). */
interface TemporalResources {
  server?: ChildProcess;
  address?: string;
  logFile?: string;
  /** Keep the dev server's log (a failed run). */
  keepLog: boolean;
  connection?: Connection;
  client?: TemporalClient;
  nativeConnection?: NativeConnection;
  worker?: Worker;
  workerRun?: Promise<void>;
  workerError?: unknown;
  workerDb?: Db;
  transport?: Transporter;
  simulator?: Server;
  /** Runs started and not terminated yet. */
  open: Map<string, WorkflowHandle>;
}
const tres: TemporalResources = { keepLog: true, open: new Map() };

interface TemporalCtx {
  client: TemporalClient;
  taskQueue: string;
  workflow: typeof replenishment;
  stateQuery: typeof StateQuery;
  databaseUrl: string;
  simulatorUrl: string;
}

/** The Temporal CLI, installed (scripts/install-temporal.sh, as npm test does) when missing. */
function temporalBinary(): string {
  const found = findTemporalBinary();
  if (found) return found;
  note('the Temporal CLI is missing: installing it (scripts/install-temporal.sh)');
  const bin = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-temporal.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
  process.env.TEMPORAL_BIN = bin;
  return bin;
}

async function startTemporal(opts: Options, databaseUrl: string): Promise<TemporalCtx> {
  const t0 = now();
  const bin = temporalBinary();
  let port = opts.temporalPort;
  if (!(await portFree(port))) {
    const busy = port;
    port = await freePort();
    note(`127.0.0.1:${busy} is busy; the bench's Temporal dev server uses :${port} instead`);
  }
  const address = `127.0.0.1:${port}`;
  const searchAttributes = readSearchAttributes();
  const logDir = join(REPO_ROOT, '.data', 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `bench-replenishment-temporal-${port}.log`);
  const fd = openSync(logFile, 'w');
  tres.logFile = logFile;
  tres.address = address;
  tres.server = startDevServer({
    bin,
    ip: '127.0.0.1',
    port,
    headless: true,
    searchAttributes,
    logLevel: 'warn',
    output: fd,
    dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
  });
  closeSync(fd);
  cpu.temporalRootPid = tres.server.pid;
  await waitForTemporal(bin, address, { timeoutMs: 60_000, child: tres.server, describeFailure: () => `See ${logFile}.` });
  await ensureSearchAttributes(bin, address, 'default', searchAttributes);
  note(`Temporal dev server on ${address} (headless, in memory) ready (${secs(now() - t0)}; log ${logFile.slice(REPO_ROOT.length + 1)})`);

  const [
    { Connection, Client: WorkflowClient },
    { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker },
    nodemailer,
    { createSimulatorApp },
    { createActivities },
    wf,
    messages,
  ] = await Promise.all([
    import('@temporalio/client'),
    import('@temporalio/worker'),
    import('nodemailer'),
    import('../simulator/app'),
    import('../workers/activities'),
    import('../workflows/replenishment/workflow'),
    import('../workflows/replenishment/messages'),
  ]);
  // The bench handles Ctrl-C itself (the SDK's default would shut the worker down on its own).
  // ERROR only: failed activity attempts are counted from the histories and reported, not logged.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [], telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  tres.connection = await Connection.connect({ address });
  const client = (tres.client = new WorkflowClient({ connection: tres.connection, namespace: 'default' }));

  // The supplier ERP: the simulator in process (no auto-acknowledgment, so sent POs then wait).
  const app = createSimulatorApp();
  tres.simulator = await new Promise<Server>((resolve, reject) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    srv.once('error', reject);
  });
  const simulatorUrl = `http://127.0.0.1:${(tres.simulator.address() as AddressInfo).port}`;
  // Mail: no SMTP server for a bench; jsonTransport serialises each message and drops it.
  tres.transport = nodemailer.default.createTransport({ jsonTransport: true });

  const t = now();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  const bundled = now() - t;
  const taskQueue = `bench-replenishment-${randomUUID()}`;
  tres.workerDb = createDb(databaseUrl, { max: opts.workerPool });
  tres.nativeConnection = await NativeConnection.connect({ address });
  tres.worker = await Worker.create({
    connection: tres.nativeConnection,
    namespace: 'default',
    taskQueue,
    ...workerTuning(),
    workflowBundle,
    activities: createActivities({
      db: tres.workerDb,
      transport: tres.transport,
      client,
      taskQueue,
      mailFrom: 'Retail Ops bench <no-reply@bench.test>',
      publicBaseUrl: 'http://retail-ops.bench.test',
      supplierErpUrl: simulatorUrl,
      unsubscribeSecrets: [randomUUID()], // no campaign is sent here
    }),
  });
  tres.workerRun = tres.worker.run().catch((err: unknown) => {
    tres.workerError = err;
  });
  note(
    `worker polling ${taskQueue} (workflows bundled in ${secs(bundled)}); supplier ERP simulator on ${simulatorUrl}; mail to nodemailer jsonTransport (no SMTP server)`,
  );
  return { client, taskQueue, workflow: wf.replenishment, stateQuery: messages.replenishmentStateQuery, databaseUrl, simulatorUrl };
}

async function terminateRuns(ids: string[], reason: string): Promise<void> {
  await mapLimit(ids, POLL_PARALLELISM, async (id) => {
    const handle = tres.open.get(id);
    if (!handle) return;
    try {
      await handle.terminate(reason);
    } catch (err) {
      // Already closed (completed, failed) is fine.
      if (!/not found|already completed|already terminated/i.test((err as Error).message)) throw err;
    }
    tres.open.delete(id);
  });
}

async function teardownTemporal(): Promise<void> {
  if (!tres.server && !tres.connection) return;
  const t = now();
  if (tres.open.size && tres.client) await bounded('terminating the workflow runs', () => terminateRuns([...tres.open.keys()], 'benchmark over'), 20_000);
  if (tres.worker) {
    const worker = tres.worker;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await bounded('stopping the worker', () => tres.workerRun ?? Promise.resolve(), 30_000);
  }
  await bounded('closing the worker connection', async () => tres.nativeConnection?.close(), 10_000);
  await bounded('closing the client connection', async () => tres.connection?.close(), 10_000);
  await bounded('closing the worker database pool', async () => tres.workerDb?.$disconnect(), 10_000);
  tres.transport?.close();
  if (tres.simulator) {
    const srv = tres.simulator;
    await bounded(
      'stopping the simulator',
      () =>
        new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeAllConnections();
        }),
      10_000,
    );
  }
  if (tres.server) {
    const how = await stopProcess(tres.server, 10_000);
    if (how === 'killed') note(`the Temporal dev server on ${tres.address} had to be killed`);
  }
  if (tres.logFile) {
    if (tres.keepLog) note(`Temporal dev server log kept: ${tres.logFile}`);
    else rmSync(tres.logFile, { force: true });
  }
  tres.server = undefined;
  tres.connection = undefined;
  note(`Temporal dev server, worker and simulator stopped (${secs(now() - t)})`);
}

/** The Temporal phases plan and stage the same data: the rows a phase wrote are removed, on-order quantities restored. */
async function snapshotOnOrder(databaseUrl: string): Promise<void> {
  await withPg(databaseUrl, (c) => c.query(`CREATE TABLE bench_on_order AS SELECT "storeId", sku, "onOrder" FROM "InventoryLevel"`));
}

async function resetAfterPhase(ctx: TemporalCtx): Promise<void> {
  // The PO IDs (store, day, supplier) come again, under another run: the simulated ERP would refuse
  // them as reused idempotency keys.
  const r = await fetch(`${ctx.simulatorUrl}/_reset`, { method: 'POST' });
  if (r.status !== 204) throw new Error(`simulator reset: HTTP ${r.status}`);
  await withPg(ctx.databaseUrl, async (c) => {
    await c.query(`TRUNCATE "PurchaseOrderLine", "SupplierEvent", "PurchaseOrder", "AuditEvent", "OutboundEmail"`);
    await c.query(
      `UPDATE "InventoryLevel" i SET "onOrder" = b."onOrder"
         FROM bench_on_order b WHERE i."storeId" = b."storeId" AND i.sku = b.sku AND i."onOrder" <> b."onOrder"`,
    );
    await c.query(`VACUUM ANALYZE "InventoryLevel", "PurchaseOrder", "PurchaseOrderLine"`);
  });
}

async function withPg<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl, application_name: 'retail-ops-bench-reset' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface TemporalRun {
  storeId: string;
  workflowId: string;
  handle: WorkflowHandle;
  queryFailures: number;
  state?: ReplenishmentState;
}

interface HistoryFigures {
  workflowId: string;
  events: number;
  jsonBytes: number;
  /** The server's own count (describe().historySize). */
  serverBytes: number | undefined;
  /** When the run left 'planning' (loadDraftOrders completed), epoch ms. */
  planningDoneAt: number;
  /** When its last PO was sent (sendPurchaseOrder completed); planningDoneAt when it had none. */
  sentAt: number;
  /** planAndStageBatch: started → completed, ms. */
  batchMs: number[];
  /** Workflow started → planning done, ms. */
  planningMs: number;
  /** Of planningMs, the time at least one planning activity ran (started → completed; local ones scheduled → recorded). */
  planningActivityMs: number;
  /** Planning's activities by type: how long each ran (started → completed) and waited (scheduled → started), ms. */
  planningSteps: Map<string, { ran: number[]; waited: number[] }>;
  /** Activity attempts beyond the first, and why the attempts before failed (the attempt's lastFailure). */
  retries: number;
  retryReasons: string[];
}

interface TemporalPhaseResult {
  label: string;
  stores: number;
  pairs: number;
  lines: number;
  purchaseOrders: number;
  sent: number;
  /** Orders the simulated supplier ERP received. */
  erpOrders: number;
  /** Start → the last run's end of planning. */
  ms: number;
  /** Start → every PO of every run sent. */
  sentMs: number;
  pairsPerSec: number;
  batchMs: number[];
  /** Per run (median): workflow started → planning done, and the part of it activities ran. */
  runPlanningMs: number;
  runActivityMs: number;
  /** Planning's activities by type over all runs: count, median ran and waited (scheduled → started), ms. */
  steps: { type: string; count: number; ran: number; waited: number }[];
  /** Activity retries over all runs, and the distinct reasons. */
  retries: number;
  retryReasons: Map<string, number>;
  biggest: HistoryFigures;
  /** Where the machine's cores went from the starts to the last run's end of planning (Linux). */
  cpu: CpuSeconds | undefined;
}

/** Stages at which a PO has not been sent yet. */
const NOT_SENT = new Set(['awaiting_approval', 'approved', 'sending']);

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** A local activity's marker data (JSON written by the SDK's core): its type and when it was scheduled. */
function localActivityMarker(data: Uint8Array | null | undefined): { type: string; scheduledAt?: number } | undefined {
  if (!data) return undefined;
  try {
    const m = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    const type = m.activity_type ?? m.activityType;
    const scheduled = m.original_schedule_time ?? m.originalScheduleTime;
    const scheduledAt = timestampMs(scheduled);
    return typeof type === 'string' ? { type, scheduledAt } : undefined;
  } catch {
    return undefined;
  }
}

function timestampMs(t: unknown): number | undefined {
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (t && typeof t === 'object' && 'seconds' in t) {
    const { seconds, nanos } = t as { seconds: number | string; nanos?: number };
    return Number(seconds) * 1000 + Math.floor((nanos ?? 0) / 1e6);
  }
  return undefined;
}

/** The length of the union of intervals, ms. */
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

/** Reads a run's history: its size, and the instants planning ended and the POs were sent (server timestamps). */
async function historyFigures(run: TemporalRun): Promise<HistoryFigures> {
  const [{ historyToJSON }, { tsToMs }] = await Promise.all([import('@temporalio/common/lib/proto-utils'), import('@temporalio/common/lib/time')]);
  const history = await run.handle.fetchHistory();
  const events = history.events ?? [];
  const activityType = new Map<number, string>();
  const scheduledAt = new Map<number, number>();
  const startedAt = new Map<number, number>();
  const planningSteps = new Map<string, { ran: number[]; waited: number[] }>();
  let planningDoneAt: number | undefined;
  let sentAt: number | undefined;
  let retries = 0;
  const retryReasons: string[] = [];
  const batchMs: number[] = [];
  const workflowStartedAt = tsToMs(events[0]?.eventTime);
  const planningIntervals: [number, number][] = [];
  const completed = (type: string, from: number, to: number, waited: number) => {
    // Planning: the store, its SKUs (counted or cut into ranges), the batches, loadDraftOrders.
    if (planningDoneAt === undefined) {
      planningIntervals.push([from, to]);
      const step = planningSteps.get(type) ?? { ran: [], waited: [] };
      step.ran.push(to - from);
      step.waited.push(waited);
      planningSteps.set(type, step);
    }
    if (type === 'planAndStageBatch') batchMs.push(to - from);
    else if (type === 'loadDraftOrders') planningDoneAt ??= to;
    else if (type === 'sendPurchaseOrder') sentAt = Math.max(sentAt ?? 0, to);
  };
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      activityType.set(Number(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
      scheduledAt.set(Number(e.eventId), at);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      startedAt.set(Number(a.scheduledEventId), at);
      if ((a.attempt ?? 1) > 1) {
        retries += (a.attempt ?? 1) - 1;
        retryReasons.push(`${activityType.get(Number(a.scheduledEventId))}: ${a.lastFailure?.message ?? 'unknown'}`);
      }
    } else if (e.activityTaskCompletedEventAttributes) {
      const scheduled = Number(e.activityTaskCompletedEventAttributes.scheduledEventId);
      const type = activityType.get(scheduled) ?? '';
      completed(type, startedAt.get(scheduled) ?? at, at, (startedAt.get(scheduled) ?? at) - (scheduledAt.get(scheduled) ?? at));
    } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      // A local activity: run inside a workflow task, recorded when that task completed (`at`).
      const la = localActivityMarker(e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data);
      if (la) completed(la.type, la.scheduledAt ?? at, at, 0);
    }
  }
  if (planningDoneAt === undefined) throw new Error(`${run.workflowId}: no loadDraftOrders completion in its history`);
  // Planning's activities overlap (batches side by side): the time at least one of them ran.
  const planningActivityMs = unionMs(planningIntervals);
  const description = await run.handle.describe();
  return {
    workflowId: run.workflowId,
    events: events.length,
    jsonBytes: Buffer.byteLength(historyToJSON(history)),
    serverBytes: description.historySize,
    planningDoneAt,
    sentAt: sentAt ?? planningDoneAt,
    batchMs,
    planningMs: planningDoneAt - workflowStartedAt,
    planningActivityMs,
    planningSteps,
    retries,
    retryReasons,
  };
}

async function runTemporalPhase(ctx: TemporalCtx, key: string, label: string, storeIds: string[], opts: Options, quiet = false): Promise<TemporalPhaseResult> {
  const { BusinessStatus, ProcessType, StoreId } = await import('../workflows/shared/search-attributes');
  const total = storeIds.length * opts.skus;
  const bar = quiet
    ? { increment: () => undefined, stop: () => undefined }
    : progressBar(` ${label.padEnd(28)} {bar} {value}/{total} pairs {duration_formatted}`, total);
  const tag = randomUUID().slice(0, 8);
  let runs: TemporalRun[] = [];
  try {
    // All the phase's runs at once; the clock starts before the first start call.
    const t0 = Date.now();
    cpu.take({ rescan: true });
    runs = await Promise.all(
      storeIds.map(async (storeId): Promise<TemporalRun> => {
        const workflowId = `bench-replenishment-${key}-${storeId}-${tag}`;
        // startReplenishment's ID is the business key (store + day, REJECT_DUPLICATE), so each phase
        // would get the first phase's run back: the same start, with an ID of the bench's own.
        const handle = await ctx.client.workflow.start(ctx.workflow, {
          taskQueue: ctx.taskQueue,
          workflowId,
          args: [
            {
              storeId,
              asOf: AS_OF,
              requestedBy: 'bench',
              batchSize: opts.batch,
              planningConcurrency: opts.planningConcurrency,
              historyDays: opts.history,
              thresholds: AUTO_APPROVE,
            },
          ],
          typedSearchAttributes: [
            { key: ProcessType, value: 'replenishment' },
            { key: StoreId, value: storeId },
            { key: BusinessStatus, value: 'planning' },
          ],
          staticSummary: `Benchmark: replenish ${storeId} for ${AS_OF}`,
        });
        tres.open.set(workflowId, handle);
        return { storeId, workflowId, handle, queryFailures: 0 };
      }),
    );

    // While the runs plan, one visibility count a poll (the server's, not the worker's work) says
    // how many are still planning; then poll each run's `state` until it has sent all its POs.
    const deadline = Date.now() + 300_000 + total * 10;
    const planningQuery = `TaskQueue = '${ctx.taskQueue}' AND ExecutionStatus = 'Running' AND BusinessStatus = 'planning'`;
    for (let planned = 0; planned < runs.length;) {
      if (interrupted) throw new Interrupted('interrupted');
      if (tres.workerError) throw new Error(`the worker stopped: ${(tres.workerError as Error).message ?? String(tres.workerError)}`);
      if (Date.now() > deadline) throw new Error(`${label}: ${runs.length - planned} runs still planning after ${secs(Date.now() - t0)}`);
      await sleep(POLL_MS);
      // The worker's pool opens backends as the runs plan: counted from the next sample on.
      cpu.take({ rescan: true });
      const { count } = await ctx.client.workflow.count(planningQuery);
      bar.increment(Math.max(0, (runs.length - count - planned) * opts.skus));
      planned = Math.max(planned, runs.length - count);
    }
    let pending = runs;
    while (pending.length) {
      if (interrupted) throw new Interrupted('interrupted');
      if (tres.workerError) throw new Error(`the worker stopped: ${(tres.workerError as Error).message ?? String(tres.workerError)}`);
      const still: TemporalRun[] = [];
      await mapLimit(pending, POLL_PARALLELISM, async (run) => {
        let s: ReplenishmentState;
        try {
          s = await run.handle.query(ctx.stateQuery);
          run.queryFailures = 0;
        } catch (err) {
          // The first workflow task may not have completed yet.
          if (++run.queryFailures > 40) throw new Error(`${run.workflowId}: state query keeps failing: ${(err as Error).message}`);
          still.push(run);
          return;
        }
        if (['failed', 'cancelling', 'cancelled'].includes(s.stage)) throw new Error(`${run.workflowId} is ${s.stage}: ${s.failure ?? 'no failure recorded'}`);
        run.state = s;
        if (s.stage === 'planning' || s.purchaseOrders.some((po) => NOT_SENT.has(po.stage))) still.push(run);
      });
      pending = still;
      if (!pending.length) break;
      if (Date.now() > deadline) throw new Error(`${label}: ${pending.length} runs not done after ${secs(Date.now() - t0)}`);
      await sleep(POLL_MS);
    }
    bar.stop();
    const stats = (await (await fetch(`${ctx.simulatorUrl}/_stats`)).json()) as { suppliers: Record<string, { ordersReceived: number }> };
    const erpOrders = Object.values(stats.suppliers).reduce((n, s) => n + s.ordersReceived, 0);

    // Exact instants and sizes from the histories (the polling only notices).
    const figures = await mapLimit(runs, 4, (run) => historyFigures(run));
    const pairs = runs.reduce((n, r) => n + r.state!.planning.skusExamined, 0);
    if (pairs !== total) throw new Error(`${label}: planned ${pairs} store × SKU pairs, expected ${total}`);
    const planningDoneAt = Math.max(...figures.map((f) => f.planningDoneAt));
    const ms = planningDoneAt - t0;
    const sentMs = Math.max(...figures.map((f) => f.sentAt)) - t0;
    const pos = runs.flatMap((r) => r.state!.purchaseOrders);
    return {
      label,
      stores: storeIds.length,
      pairs,
      lines: runs.reduce((n, r) => n + r.state!.planning.linesPlanned, 0),
      purchaseOrders: pos.length,
      sent: pos.filter((po) => po.sentAt !== null).length,
      erpOrders,
      ms,
      sentMs,
      pairsPerSec: pairs / (ms / 1000),
      batchMs: figures.flatMap((f) => f.batchMs),
      runPlanningMs: median(figures.map((f) => f.planningMs)),
      runActivityMs: median(figures.map((f) => f.planningActivityMs)),
      steps: [...new Set(figures.flatMap((f) => [...f.planningSteps.keys()]))].map((type) => {
        const all = figures.map((f) => f.planningSteps.get(type) ?? { ran: [], waited: [] });
        const ran = all.flatMap((x) => x.ran);
        return { type, count: ran.length, ran: median(ran), waited: median(all.flatMap((x) => x.waited)) };
      }),
      retries: figures.reduce((n, f) => n + f.retries, 0),
      retryReasons: figures.flatMap((f) => f.retryReasons).reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>()),
      biggest: figures.reduce((a, b) => (b.jsonBytes > a.jsonBytes ? b : a)),
      cpu: cpu.between(t0, planningDoneAt),
    };
  } finally {
    bar.stop();
    // The runs now wait for supplier acknowledgments (24 h timers): end them, not measured.
    if (!interrupted)
      await terminateRuns(
        runs.map((r) => r.workflowId),
        'benchmark phase over',
      );
  }
}

/** Where the cores went in the many-store phases, per 1,000 pairs: the bench's own processes, and everything else on the machine. */
function cpuReport(t: TemporalPhaseResult, d: PhaseResult): string[] {
  if (!t.cpu || !d.cpu) return [];
  const own = CPU_GROUPS.filter((g) => g !== 'other processes');
  const per = (c: CpuSeconds, pairs: number, groups: readonly CpuGroup[] = own) => groups.reduce((n, g) => n + c[g], 0) / (pairs / 1000);
  const row = (label: string, c: CpuSeconds, pairs: number, groups: readonly CpuGroup[]) =>
    `    ${label.padEnd(17)} ${groups.map((g) => `${g} ${per(c, pairs, [g]).toFixed(3)}`).join(', ')} (the bench's own ${per(c, pairs).toFixed(3)})`;
  const cores = cpus().length;
  const busy = (c: CpuSeconds, ms: number) => CPU_GROUPS.reduce((n, g) => n + c[g], 0) / ((ms / 1000) * cores);
  return [
    `  where the cores went, ${t.stores} stores (CPU seconds per 1,000 pairs; ${cores} cores):`,
    row(
      'direct calls',
      d.cpu,
      d.pairs,
      CPU_GROUPS.filter((g) => g !== 'Temporal server'),
    ),
    row('through Temporal', t.cpu, t.pairs, CPU_GROUPS),
    dim(
      `    a pair through Temporal took ${(per(t.cpu, t.pairs) / per(d.cpu, d.pairs)).toFixed(2)}× the CPU of a direct one (the bench's own processes); ` +
        `the machine's cores were ${(100 * busy(d.cpu, d.ms)).toFixed(0)}% busy in the direct phase, ${(100 * busy(t.cpu, t.ms)).toFixed(0)}% through Temporal`,
    ),
  ];
}

function temporalReport(opts: Options, one: TemporalPhaseResult, many: TemporalPhaseResult, dOne: PhaseResult, dMany: PhaseResult, check: string[]): string {
  const ratio = (t: TemporalPhaseResult, d: PhaseResult) => `${(t.pairsPerSec / d.pairsPerSec).toFixed(2)}×`;
  const hist = (h: HistoryFigures) => `${h.events} events, ${kb(h.jsonBytes)}`;
  const s2 = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
  const perRun = (t: TemporalPhaseResult) => `${s2(t.runPlanningMs)}, ${s2(t.runActivityMs)}`;
  const rows: string[][] = [
    ['', `${one.stores} store × ${opts.skus}`, `${many.stores} stores × ${opts.skus}`],
    ['runs started at once', String(one.stores), String(many.stores)],
    ['store × SKU pairs', String(one.pairs), String(many.pairs)],
    ['order lines staged', String(one.lines), String(many.lines)],
    ['draft POs (auto-approved), sent', `${one.purchaseOrders}, ${one.sent}`, `${many.purchaseOrders}, ${many.sent}`],
    ['start → planning done (wall)', s2(one.ms), s2(many.ms)],
    ['pairs / second', one.pairsPerSec.toFixed(0), many.pairsPerSec.toFixed(0)],
    ['vs direct calls (this run)', ratio(one, dOne), ratio(many, dMany)],
    [`batch of ${opts.batch}, median (activity)`, `${median(one.batchMs).toFixed(0)} ms`, `${median(many.batchMs).toFixed(0)} ms`],
    ['per run: planning, in activities (median)', perRun(one), perRun(many)],
    ['per run: the rest, Temporal (median)', s2(one.runPlanningMs - one.runActivityMs), s2(many.runPlanningMs - many.runActivityMs)],
    ...[...new Set([...one.steps, ...many.steps].map((x) => x.type))].map((type) => {
      const cell = (t: TemporalPhaseResult) => {
        const x = t.steps.find((y) => y.type === type);
        return x ? `${x.count}× ${x.ran.toFixed(0)} ms, wait ${x.waited.toFixed(0)} ms` : '-';
      };
      return [`  ${type} (median ran, scheduled → started)`, cell(one), cell(many)];
    }),
    ['activity retries', String(one.retries), String(many.retries)],
    ['start → every PO sent', s2(one.sentMs), s2(many.sentMs)],
    ['biggest history', hist(one.biggest), hist(many.biggest)],
    [
      '  server-side size',
      one.biggest.serverBytes === undefined ? 'n/a' : kb(one.biggest.serverBytes),
      many.biggest.serverBytes === undefined ? 'n/a' : kb(many.biggest.serverBytes),
    ],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`;
  return [
    bold('Through Temporal: the replenishment workflow, store × SKU pairs per second'),
    dim(
      `  a Temporal dev server (in memory) and one worker on the same ${cpus().length} cores; activities from workers/activities.ts, Prisma pool ${opts.workerPool}, ` +
        `worker tuning of platform/worker-options.ts; ${opts.planningConcurrency ?? DEFAULT_PLANNING_CONCURRENCY} planning batches in flight per run`,
    ),
    dim(
      `  planAndStageBatch (plans and writes the lines into draft POs), POs auto-approved (thresholds ${AUTO_APPROVE.storeManagerAbove.toExponential(0)}) and sent to the in-process ERP simulator`,
    ),
    dim(`  mail: nodemailer jsonTransport, no SMTP server (a benchmark needs none); asOf ${AS_OF}, ${opts.history} days of history`),
    dim(
      `  timed from just before the starts to the last run's end of planning (history timestamps); the direct ${dMany.stores}-store phase ran ${dMany.concurrency} stores at a time`,
    ),
    '',
    bold(line(rows[0]!)),
    `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...rows.slice(1).map(line),
    '',
    `  through Temporal, 1 store: ${bold(`${ratio(one, dOne)} the direct rate`)} (${one.pairsPerSec.toFixed(0)} vs ${dOne.pairsPerSec.toFixed(0)} pairs/s)`,
    `  through Temporal, ${many.stores} stores: ${bold(`${ratio(many, dMany)} the direct rate`)} (${many.pairsPerSec.toFixed(0)} vs ${dMany.pairsPerSec.toFixed(0)} pairs/s)`,
    dim(
      `  (planAndStageBatch also writes each batch's lines into the draft POs, which planStoreBatch does not; the rest of a run's planning time is Temporal's)`,
    ),
    ...cpuReport(many, dMany),
    `  biggest history: ${bold(hist(many.biggest.jsonBytes >= one.biggest.jsonBytes ? many.biggest : one.biggest))} as JSON with ${opts.skus} SKUs a store (line rationale stays in Postgres; the history holds batch counts and the draft POs' compact lines)`,
    ...[one, many].flatMap((t) =>
      [...t.retryReasons].map(([reason, n]) => `  ${red('retried')} (${t.label}, ${n}×) after ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}`),
    ),
    ...check,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(join(REPO_ROOT, 'generated', 'prisma', 'client.ts'))) {
    throw new Error('The Prisma client is not generated: run `npm run prisma:generate` first.');
  }
  const databaseUrl = withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE);
  let db: Db | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await teardownTemporal().catch((err: Error) => note(`Temporal teardown: ${err.message}`));
      await db?.$disconnect().catch(() => undefined);
      if (!opts.keep)
        await dropDatabase(databaseUrl).then(
          () => note(`dropped ${BENCH_DATABASE}`),
          (err: Error) => note(`could not drop ${BENCH_DATABASE}: ${err.message}`),
        );
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      interrupted = true;
      tres.keepLog = false;
      process.stderr.write(`\n${sig}: interrupted, cleaning up\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    let t = now();
    await dropDatabase(databaseUrl);
    await ensureDatabase(databaseUrl);
    await applyMigrations(databaseUrl);
    note(`database ${BENCH_DATABASE} created and migrated (${secs(now() - t)})`);

    const storeIds = Array.from({ length: opts.stores }, (_, i) => `S-BENCH-${String(i + 1).padStart(3, '0')}`);
    t = now();
    await generate(databaseUrl, opts, storeIds);
    const sc = new Client({ connectionString: databaseUrl });
    await sc.connect();
    const counts = Number((await sc.query<{ n: string }>(`SELECT count(*) AS n FROM "SalesDaily"`)).rows[0]!.n);
    await sc.end();
    note(`generated ${opts.stores} stores × ${opts.skus} SKUs, ${counts.toLocaleString('en-US')} sales rows (${secs(now() - t)})`);

    db = createDb(databaseUrl, { max: opts.concurrency + 2 });
    const acts = createReplenishmentPlanningActivities({ db });
    const perStore = await acts.countStoreSkus({ storeId: storeIds[0]! });
    if (perStore !== opts.skus) throw new Error(`store ${storeIds[0]} has ${perStore} SKUs, expected ${opts.skus}`);

    // Warm-up (JIT, pool connections, query plans): one store, not measured.
    cpu.start();
    t = now();
    await runPhase(db, 'warm-up', [storeIds[0]!], opts, 1, true);
    note(`warm-up: one store planned in ${secs(now() - t)} (not measured)`);

    const directPhases = async (when: string) => {
      const one = await runPhase(db!, `1 store${when}`, [storeIds[storeIds.length - 1]!], opts, 1);
      note(`1 store${when}: ${one.pairs} pairs in ${secs(one.ms)} (${one.pairsPerSec.toFixed(0)}/s)`);
      const many = await runPhase(db!, `${opts.stores} stores, ${opts.concurrency} at a time${when}`, storeIds, opts, opts.concurrency);
      note(`${opts.stores} stores${when}: ${many.pairs} pairs in ${secs(many.ms)} (${many.pairsPerSec.toFixed(0)}/s)`);
      return { one, many };
    };
    const { one, many } = await directPhases('');

    console.log(`\n${report(opts, one, many)}\n`);
    if (!opts.temporal) return 0;

    // Through Temporal, on the same data. The direct pool is not needed any more.
    await db.$disconnect();
    db = undefined;
    await snapshotOnOrder(databaseUrl);
    const ctx = await startTemporal(opts, databaseUrl);

    // Warm-up (workflow threads, the activities' pool, query plans of the writes): one store, not measured.
    t = now();
    await runTemporalPhase(ctx, 'warmup', 'Temporal warm-up', [storeIds[0]!], opts, true);
    note(`Temporal warm-up: one store planned, staged and sent in ${secs(now() - t)} (not measured)`);
    await resetAfterPhase(ctx);

    const tOne = await runTemporalPhase(ctx, 'one', 'Temporal, 1 store', [storeIds[storeIds.length - 1]!], opts);
    note(
      `Temporal, 1 store: ${tOne.pairs} pairs planned in ${secs(tOne.ms)} (${tOne.pairsPerSec.toFixed(0)}/s), ${tOne.sent} POs sent after ${secs(tOne.sentMs)}`,
    );
    await resetAfterPhase(ctx);

    const tMany = await runTemporalPhase(ctx, 'all', `Temporal, ${opts.stores} stores at once`, storeIds, opts);
    note(
      `Temporal, ${opts.stores} stores: ${tMany.pairs} pairs planned in ${secs(tMany.ms)} (${tMany.pairsPerSec.toFixed(0)}/s), ${tMany.sent} POs sent after ${secs(tMany.sentMs)}`,
    );

    // The direct calls again, on the same data: a shared machine's load moves, and the ratios are
    // taken against the faster of the two (the workflow is not flattered by a slow baseline).
    await resetAfterPhase(ctx);
    db = createDb(databaseUrl, { max: opts.concurrency + 2 });
    const again = await directPhases(' (again)');
    await db.$disconnect();
    db = undefined;
    const faster = (a: PhaseResult, b: PhaseResult) => (b.pairsPerSec > a.pairsPerSec ? b : a);
    const dOne = faster(one, again.one);
    const dMany = faster(many, again.many);
    note(
      `direct rates before / after the Temporal phases: 1 store ${one.pairsPerSec.toFixed(0)} / ${again.one.pairsPerSec.toFixed(0)}, ` +
        `${opts.stores} stores ${many.pairsPerSec.toFixed(0)} / ${again.many.pairsPerSec.toFixed(0)} pairs/s; the faster of each is the baseline`,
    );

    // The same stores and data: the workflow must stage exactly the lines the direct calls planned,
    // and send every PO.
    const problems: string[] = [];
    if (tOne.lines !== one.lines) problems.push(`1 store: ${tOne.lines} lines staged through Temporal, ${one.lines} planned directly`);
    if (tMany.lines !== many.lines) problems.push(`${opts.stores} stores: ${tMany.lines} lines staged through Temporal, ${many.lines} planned directly`);
    if (again.one.lines !== one.lines || again.many.lines !== many.lines)
      problems.push('the direct calls after the Temporal phases planned other lines than before');
    for (const r of [tOne, tMany]) {
      if (r.sent !== r.purchaseOrders) problems.push(`${r.label}: ${r.sent} of ${r.purchaseOrders} POs sent`);
      if (r.erpOrders !== r.sent) problems.push(`${r.label}: the simulated ERP received ${r.erpOrders} orders, ${r.sent} POs were sent`);
    }
    const check = problems.length
      ? problems.map((p) => red(`  CHECK FAILED: ${p}`))
      : [
          green(
            `  check: the workflow staged exactly the lines the direct calls planned (${one.lines} and ${many.lines}), and every PO reached the simulated ERP once`,
          ),
        ];

    console.log(`\n${temporalReport(opts, tOne, tMany, dOne, dMany, check)}\n`);
    const ratio = (t: TemporalPhaseResult, d: PhaseResult) => (t.pairsPerSec / d.pairsPerSec).toFixed(2);
    console.log(`replenishment through the workflow: ${ratio(tOne, dOne)}x the direct rate (1 store), ${ratio(tMany, dMany)}x (${opts.stores} stores)`);
    recordBenchResult({
      bench: 'replenishment',
      title: 'Replenishment planning: through the workflow vs the planning activities called directly',
      settings: {
        cores: cpus().length,
        stores: opts.stores,
        skusPerStore: opts.skus,
        batchSize: opts.batch,
        historyDays: opts.history,
        directStoresAtATime: opts.concurrency,
        planningBatchesInFlightPerRun: opts.planningConcurrency ?? DEFAULT_PLANNING_CONCURRENCY,
        workerDbPool: opts.workerPool,
      },
      figures: [
        {
          metric: 'store × SKU pairs planned per second, 1 store (start → planning done)',
          value: Math.round(tOne.pairsPerSec),
          unit: 'pairs/s',
          baseline: {
            value: Math.round(dOne.pairsPerSec),
            label: 'planning activities called directly, batches one after the other (the faster of a run before and after)',
          },
          better: 'higher',
          target: { ratio: 0.6, op: '>=' },
        },
        {
          metric: `store × SKU pairs planned per second, ${opts.stores} stores started at once (start → last run planned)`,
          value: Math.round(tMany.pairsPerSec),
          unit: 'pairs/s',
          baseline: {
            value: Math.round(dMany.pairsPerSec),
            label: `planning activities called directly, ${many.concurrency} stores at a time (the faster of a run before and after)`,
          },
          better: 'higher',
          target: { ratio: 0.6, op: '>=' },
        },
        { metric: `start → every PO sent, ${opts.stores} stores`, value: Math.round(tMany.sentMs) / 1000, unit: 's', better: 'lower' },
      ],
      notes: [
        ...problems.map((p) => `CHECK FAILED: ${p}`),
        ...(problems.length ? [] : ['The workflow staged exactly the lines the direct calls planned, and every PO reached the simulated ERP once.']),
        'The workflow path also writes every line with its rationale into the draft POs (planAndStageBatch); the direct calls only plan.',
        // eslint-disable-next-line no-control-regex
        ...cpuReport(tMany, dMany).map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()),
        `Biggest history: ${tMany.biggest.events} events, ${kb(tMany.biggest.jsonBytes)} as JSON.`,
      ],
    });
    tres.keepLog = problems.length > 0;
    return problems.length ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // On a signal, the handler's cleanup exits (130).
    if (interrupted) return;
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
