/**
 * `npm run bench:appointments [-- --n 200 --concurrency 50 --baseline 5]`
 *
 * Benchmark of appointment recoveries end to end, through the real Express app over HTTP:
 * how long after a store manager's approval are all of a recovery's effects done (stylist
 * assigned, items held, suite reserved, stylist briefed, notes written, customer confirmed, i.e.
 * the workflow completed), and how many recoveries complete per second.
 *
 * Self-contained: generates the Prisma client and installs the Temporal CLI when missing (the
 * same scripts `npm test` uses), then brings up its own infrastructure with the jest global
 * setup's startTestInfra(): a headless Temporal dev server on a free port and a scratch database
 * `retail_ops_bench` (dropped, re-created, migrated, seeded). Postgres itself must be running
 * (DATABASE_URL's server, default postgresql://postgres@127.0.0.1:5432). In this process: the
 * test harness (SMTP capture, Temporal client, a worker) and the API listening on an ephemeral port.
 *
 * Phases, each on fresh isolated stores (scripts/kit/fixtures.ts):
 *   warm-up     --warmup recoveries (default 1), not measured: first-use costs (bundle load, pools)
 *   sequential  --baseline recoveries (default 5) one at a time: approve, wait until done, next
 *   concurrent  --n recoveries (default 50), --concurrency at a time (default n: all at once)
 * For each: create the stores, start the recoveries (POST, system key), wait until every one has
 * a pending approval (GET), then the measured approval phase: POST .../decisions with the store
 * manager's key; latency = from the approval's HTTP response to the workflow's completion
 * (handle.result()); throughput = completions / (first approval sent .. last completion).
 *
 * While the batch's recoveries await approval, GET /appointment-recoveries/{id} is called from
 * --get-connections loops (default 10) for --get-seconds (default 5), round robin over them, and
 * the same runs are described and queried directly through the Temporal client the same way (in
 * turns: half of GET, all of describe+query, the other half of GET, so both see the same load).
 *
 * Bare-Temporal baselines on the same dev server, with the same worker options, in the same run
 * (scripts/kit/bare-baseline.ts): a bare workflow that waits for a bare Update and then runs K no-op
 * activities, K counted from a recovery's history (the activities after the approval's answer),
 * timed like the recoveries, one at a time (--baseline runs) and as the batch (--n at
 * --concurrency); and a bare Update whose handler does one write (one Postgres INSERT, the
 * recording write; and a no-op activity), as many and as concurrent as the approvals. The ratios
 * are printed against issue 16's targets and recorded for `npm run bench` (docs/performance.md).
 *
 * Then it verifies every recovery completed, every appointment has its stylist, every customer
 * got exactly one confirmation email over SMTP and no email was sent twice; exit status 1 if not.
 * Everything it started is stopped and the database dropped, also on failure or Ctrl-C (130).
 */
import { DEFAULT_DATABASE_POOL_SIZE } from '../platform/config';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Db } from '../platform/db';
import type { StoreScenario } from './kit/fixtures';
import type { TestInfra } from './kit/infra';
import type { Harness } from './kit/harness';
import type { appointmentRecovery } from '../workflows/appointment-recovery/workflow';
import type { AppointmentRecoveryState } from '../workflows/appointment-recovery/messages';
import type { ActivityCount, BareUpdatesResult, BareWorkflowsResult, RateResult } from './kit/bare-baseline';
import { renderFigureText } from './kit/bench-report';
import { cpuComparison, CpuSampler } from './kit/cpu-sampler';
import { startCpuProfile } from './kit/cpu-profile';
import {
  bold,
  dim,
  ensurePrerequisites,
  green,
  mapLimit,
  note,
  now,
  parseBenchOptions,
  recordBenchResult,
  red,
  secs,
  UsageError,
  type BenchFigure,
} from './kit/bench';

const BENCH_DATABASE = 'retail_ops_bench';
const cpu = new CpuSampler({ database: BENCH_DATABASE });
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const BASE = '/api/v1/appointment-recoveries';
/** Stores are created this many at a time (setup, not measured). */
const SETUP_PARALLELISM = 4;
/** Pending-approval polls in flight at a time (setup, not measured). */
const POLL_PARALLELISM = 8;
/** Pool size of the API's own Prisma client (api/main.ts uses createDb's default, 10). */
const API_DB_POOL = 10;
/** The worker's Prisma pool (shared with the fixtures): DATABASE_POOL_SIZE's default, as workers/main.ts has it; the bare baseline's recording write gets as many. */
const WORKER_DB_POOL = DEFAULT_DATABASE_POOL_SIZE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Interrupted extends Error {}

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  n: number;
  concurrency: number;
  baseline: number;
  warmup: number;
  getConnections: number;
  getSeconds: number;
}

const USAGE = `Usage: npm run bench:appointments -- [--n 50] [--concurrency N] [--baseline 5] [--warmup 1] [--get-connections 10] [--get-seconds 5]
  --n                recoveries in the concurrent batch (default 50)
  --concurrency      recoveries in flight at a time in the batch (default: all of them)
  --baseline         recoveries run one at a time first, the baseline (default 5)
  --warmup           unmeasured recoveries before the baseline (default 1; 0 for none)
  --get-connections  GET /appointment-recoveries/{id} loops (and direct describe+query loops) at a time (default 10)
  --get-seconds      how long each of the two is measured (default 5; 0 to skip)`;

function parseOptions(argv: string[]): Options {
  const { int } = parseBenchOptions(
    argv,
    {
      n: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      baseline: { type: 'string' },
      warmup: { type: 'string' },
      'get-connections': { type: 'string' },
      'get-seconds': { type: 'string' },
    },
    USAGE,
  );
  const n = int('n', 50, 1);
  return {
    n,
    concurrency: Math.min(int('concurrency', n, 1), n),
    baseline: int('baseline', 5, 1),
    warmup: int('warmup', 1, 0),
    getConnections: int('get-connections', 10, 1, 1000),
    getSeconds: int('get-seconds', 5, 0, 600),
  };
}

// ---------------------------------------------------------------------------------------------
// Everything started, torn down once (on success, failure or a signal)

interface Resources {
  infra?: Promise<TestInfra>;
  harness?: Harness;
  apiDb?: Db;
  /** The bare baseline's recording write goes through this pool. */
  pool?: Pool;
  server?: Server;
  bars?: MultiBar;
  /** Keep the Temporal log (failed runs). */
  keepLog: boolean;
}
const res: Resources = { keepLog: true };
const abort = new AbortController();
let interrupted = false;
let teardownPromise: Promise<void> | undefined;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T | void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        note(`${what} did not finish within ${secs(ms)}; going on`);
        resolve();
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function teardown(): Promise<void> {
  teardownPromise ??= (async () => {
    res.bars?.stop();
    res.bars = undefined;
    const step = async (what: string, fn: () => Promise<unknown>, ms = 20_000) => {
      try {
        await withTimeout(fn(), ms, what);
      } catch (err) {
        note(`${what}: ${(err as Error).message}`);
      }
    };
    const t = now();
    if (res.server) {
      const server = res.server;
      await step(
        'stopping the API',
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
    }
    // Worker, SMTP capture, Temporal client, the harness's Prisma pool.
    if (res.harness) await step('stopping the worker and harness', () => res.harness!.close(), 30_000);
    if (res.apiDb) await step('closing the API database pool', () => res.apiDb!.$disconnect());
    if (res.pool) await step('closing the bare baseline pool', () => res.pool!.end());
    if (res.infra) {
      const infra =
        (await withTimeout(
          res.infra.catch(() => undefined),
          90_000,
          'infrastructure start-up',
        )) ?? undefined;
      if (infra) {
        if (res.keepLog && infra.logFile) note(`Temporal dev server log kept: ${infra.logFile}`);
        const { stopTestInfra } = await import('./kit/infra');
        await step(
          'stopping the Temporal dev server and dropping the database',
          () => stopTestInfra({ ...infra, removeLogAtTeardown: res.keepLog ? undefined : infra.logFile }),
          30_000,
        );
      }
    }
    note(`torn down (${secs(now() - t)})`);
  })();
  return teardownPromise;
}

function onSignal(signal: NodeJS.Signals) {
  if (interrupted) {
    process.stderr.write(`\n${signal} again: exiting without finishing the teardown (the Temporal server's watchdog ends it)\n`);
    process.exit(130);
  }
  interrupted = true;
  res.keepLog = false;
  abort.abort(new Interrupted(signal));
  res.bars?.stop();
  res.bars = undefined;
  process.stderr.write(`\n${signal}: interrupted, tearing down (${signal} again to exit at once)\n`);
  void teardown().finally(() => process.exit(130));
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** mapLimit that stops taking new items on Ctrl-C and then reports the interruption. */
async function mapUntilInterrupted<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = await mapLimit(items, limit, fn, () => interrupted);
  if (interrupted) throw new Interrupted('interrupted');
  return out;
}

interface ApiResponse {
  status: number;
  body: any;
}

function makeApi(baseUrl: string) {
  return async function api(method: 'GET' | 'POST', path: string, key: string | null, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed };
  };
}
type Api = ReturnType<typeof makeApi>;

function expectStatus(r: ApiResponse, expected: number[], what: string): void {
  if (!expected.includes(r.status)) {
    throw new Error(`${what}: HTTP ${r.status} (expected ${expected.join(' or ')}): ${JSON.stringify(r.body).slice(0, 500)}`);
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

interface Dist {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}
function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

// ---------------------------------------------------------------------------------------------
// One measured phase

interface Recovery {
  scenario: StoreScenario;
  id: string;
  runId: string;
  startHttpMs: number;
  approveHttpMs?: number;
  /** Approval response -> workflow completed. */
  effectsMs?: number;
  result?: AppointmentRecoveryState;
  failure?: string;
}

interface PhaseResult {
  label: string;
  count: number;
  concurrency: number;
  recoveries: Recovery[];
  setupMs: { scenarios: number; starts: number; pending: number };
  approvalPhaseMs: number;
  throughput: number;
  effects: Dist;
  approveHttp: Dist;
  startHttp: Dist;
  /** From the first approval sent to the last recovery completed (epoch ms), for the CPU sampler. */
  cpuWindow: { from: number; to: number };
  /** How busy this process's main thread (API, activities, SMTP capture) was meanwhile, 0..1. */
  mainThreadBusy: number;
}

interface Ctx {
  h: Harness;
  api: Api;
  createStoreScenario: (db: Db) => Promise<StoreScenario>;
}

interface Progress {
  increment(): void;
}

/** Progress bars on a terminal; elsewhere (logs, CI) nothing but the summary line of each phase. */
function phaseBars(label: string): { stop(): void; bar: (task: string, total: number) => Progress } {
  if (!process.stderr.isTTY) return { stop: () => undefined, bar: () => ({ increment: () => undefined }) };
  const bars = new MultiBar(
    {
      format: ` ${label.padEnd(10)} {task} |{bar}| {value}/{total} {duration_formatted}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  res.bars = bars;
  return {
    stop() {
      bars.stop();
      res.bars = undefined;
    },
    bar: (task, total): SingleBar => bars.create(total, 0, { task: task.padEnd(18) }),
  };
}

async function runPhase(
  ctx: Ctx,
  label: string,
  count: number,
  concurrency: number,
  /** Runs once every recovery awaits approval, before the measured approvals (not timed with them). */
  whileAwaiting?: (recoveries: Recovery[]) => Promise<void>,
): Promise<PhaseResult> {
  const { h, api } = ctx;
  const progress = phaseBars(label);
  const { bar } = progress;
  const bScenarios = bar('stores created', count);
  const bStarted = bar('recoveries started', count);
  const bPending = bar('awaiting approval', count);
  const bApproved = bar('approved', count);
  const bDone = bar('completed', count);

  // 1. Isolated stores (not measured).
  let t = now();
  const scenarios = await mapUntilInterrupted(Array.from({ length: count }), SETUP_PARALLELISM, async () => {
    const s = await ctx.createStoreScenario(h.db);
    bScenarios.increment();
    return s;
  });
  const scenariosMs = now() - t;

  // 2. Start the recoveries through the API (the upstream system's key).
  t = now();
  const recoveries = await mapUntilInterrupted(scenarios, concurrency, async (s): Promise<Recovery> => {
    const t0 = now();
    const r = await api('POST', BASE, s.managers.system.apiKey, { appointmentId: s.appointmentId });
    const startHttpMs = now() - t0;
    expectStatus(r, [201], `start recovery for ${s.appointmentId}`);
    bStarted.increment();
    return { scenario: s, id: r.body.id, runId: r.body.runId, startHttpMs };
  });
  const startsMs = now() - t;

  // 3. Wait until each one waits for its manager (GET, polled a few at a time).
  t = now();
  const maxWaitMs = 60_000 + count * 1_000;
  let waiting = recoveries;
  while (waiting.length) {
    const still: Recovery[] = [];
    await mapUntilInterrupted(waiting, POLL_PARALLELISM, async (rec) => {
      const r = await api('GET', `${BASE}/${encodeURIComponent(rec.id)}`, rec.scenario.managers.ops.apiKey);
      expectStatus(r, [200], `state of ${rec.id}`);
      if (r.body.pendingApproval) return void bPending.increment();
      if (r.body.status !== 'running')
        throw new Error(`${rec.id} ended (${r.body.status}, stage ${r.body.stage}) before asking for approval: ${r.body.failure ?? ''}`);
      still.push(rec);
    });
    waiting = still;
    if (!waiting.length) break;
    if (now() - t > maxWaitMs) throw new Error(`${waiting.length} recoveries still had no pending approval after ${secs(now() - t)}`);
    await sleep(200);
  }
  const pendingMs = now() - t;
  if (whileAwaiting) await whileAwaiting(recoveries);

  // 4. The measured part: approve, then wait for the workflow to complete.
  cpu.take({ rescan: true });
  const cpuFrom = Date.now();
  const elu = performance.eventLoopUtilization();
  const phaseStart = now();
  let lastDone = phaseStart;
  const stopProfile = await startCpuProfile(`appointments-${label}`);
  await mapUntilInterrupted(recoveries, concurrency, async (rec) => {
    const t0 = now();
    const r = await api('POST', `${BASE}/${encodeURIComponent(rec.id)}/decisions`, rec.scenario.managers.primary.apiKey, { decision: 'approve' });
    const t1 = now();
    expectStatus(r, [200], `approve ${rec.id}`);
    rec.approveHttpMs = t1 - t0;
    bApproved.increment();
    try {
      rec.result = await h.client.workflow.getHandle<typeof appointmentRecovery>(rec.id, rec.runId).result();
    } catch (err) {
      if (interrupted) throw err;
      rec.failure = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    }
    const t2 = now();
    rec.effectsMs = t2 - t1;
    lastDone = Math.max(lastDone, t2);
    bDone.increment();
  });
  const approvalPhaseMs = lastDone - phaseStart;
  const cpuTo = Date.now();
  const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
  await stopProfile();
  cpu.take();
  progress.stop();

  const result: PhaseResult = {
    label,
    count,
    concurrency,
    recoveries,
    setupMs: { scenarios: scenariosMs, starts: startsMs, pending: pendingMs },
    approvalPhaseMs,
    throughput: count / (approvalPhaseMs / 1000),
    effects: dist(recoveries.map((r) => r.effectsMs!)),
    approveHttp: dist(recoveries.map((r) => r.approveHttpMs!)),
    startHttp: dist(recoveries.map((r) => r.startHttpMs)),
    cpuWindow: { from: cpuFrom, to: cpuTo },
    mainThreadBusy,
  };
  const failed = recoveries.filter((r) => r.failure).length;
  note(
    `${label}: ${count} stores in ${secs(scenariosMs)}, started in ${secs(startsMs)}, all awaiting approval after ${secs(pendingMs)}; ` +
      `approval phase ${secs(approvalPhaseMs)} (${result.throughput.toFixed(2)} completed/s, p50 ${result.effects.p50.toFixed(0)} ms)` +
      (failed ? red(`; ${failed} failed`) : ''),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Verification

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function verify(h: Harness, recoveries: Recovery[]): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, bad: string[], total: number, what: string) =>
    checks.push({
      name,
      ok: bad.length === 0,
      detail: bad.length ? `${bad.length}/${total} ${what}: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? '; …' : ''}` : `${total}/${total}`,
    });

  add(
    'every recovery completed with the customer confirmed',
    recoveries
      .filter((r) => r.failure || r.result?.stage !== 'completed' || !r.result.effects.customerConfirmed)
      .map((r) => `${r.id}: ${r.failure ?? `stage ${r.result?.stage}`}`),
    recoveries.length,
    'not completed',
  );

  const appointments = await h.db.appointment.findMany({
    where: { id: { in: recoveries.map((r) => r.scenario.appointmentId) } },
    select: { id: true, stylistId: true },
  });
  const stylistOf = new Map(appointments.map((a) => [a.id, a.stylistId]));
  add(
    'every appointment assigned (to the approved stylist)',
    recoveries
      .filter((r) => {
        const assigned = stylistOf.get(r.scenario.appointmentId);
        return !assigned || assigned !== r.result?.effects.stylistAssigned || assigned !== r.scenario.stylists.best;
      })
      .map((r) => `${r.scenario.appointmentId}: ${stylistOf.get(r.scenario.appointmentId) ?? 'no stylist'}`),
    recoveries.length,
    'not assigned as approved',
  );

  const keyOf = (m: { headers: Map<string, unknown>; messageId?: string }) => String(m.headers.get('x-retail-ops-key') ?? m.messageId ?? '');
  const confirmations = (email: string) => h.smtp.to(email).filter((m) => keyOf(m).endsWith(':customer-confirmation'));
  add(
    'exactly one confirmation email per customer (SMTP)',
    recoveries
      .filter((r) => confirmations(r.scenario.customerEmail).length !== 1 || h.smtp.to(r.scenario.customerEmail).length !== 1)
      .map(
        (r) =>
          `${r.scenario.customerEmail}: ${confirmations(r.scenario.customerEmail).length} confirmations, ${h.smtp.to(r.scenario.customerEmail).length} emails`,
      ),
    recoveries.length,
    'customers',
  );

  const byKey = new Map<string, number>();
  for (const m of h.smtp.messages) byKey.set(keyOf(m), (byKey.get(keyOf(m)) ?? 0) + 1);
  const duplicates = [...byKey].filter(([, c]) => c > 1).map(([k, c]) => `${k} x${c}`);
  checks.push({
    name: 'no email delivered twice (SMTP, by idempotency key)',
    ok: duplicates.length === 0,
    detail: `${duplicates.length} duplicates among ${h.smtp.messages.length} emails${duplicates.length ? `: ${duplicates.slice(0, 5).join('; ')}` : ''}`,
  });

  const outbox = await h.db.outboundEmail.groupBy({
    by: ['status'],
    where: { workflowId: { in: recoveries.map((r) => r.id) }, kind: 'appointment.customer_confirmation' },
    _count: { _all: true },
  });
  const sent = outbox.find((o) => o.status === 'SENT')?._count._all ?? 0;
  const other = outbox.filter((o) => o.status !== 'SENT').map((o) => `${o._count._all} ${o.status}`);
  checks.push({
    name: 'outbox: one SENT confirmation row per recovery',
    ok: sent === recoveries.length && other.length === 0,
    detail: `${sent}/${recoveries.length} SENT${other.length ? `, ${other.join(', ')}` : ''}`,
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Report

function report(opts: Options, seq: PhaseResult, con: PhaseResult): string {
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '-');
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
  const rows: [string, string, string, string][] = [
    ['', `sequential (c=1)`, `concurrent (c=${con.concurrency})`, 'concurrent ÷ sequential'],
    ['recoveries', String(seq.count), String(con.count), ''],
    ['approval phase', secs(seq.approvalPhaseMs), secs(con.approvalPhaseMs), ''],
    ['throughput (completed/s)', seq.throughput.toFixed(2), con.throughput.toFixed(2), ratio(con.throughput, seq.throughput)],
    ['approval -> done  p50', ms(seq.effects.p50), ms(con.effects.p50), ratio(con.effects.p50, seq.effects.p50)],
    ['                  p95', ms(seq.effects.p95), ms(con.effects.p95), ratio(con.effects.p95, seq.effects.p95)],
    ['                  p99', ms(seq.effects.p99), ms(con.effects.p99), ratio(con.effects.p99, seq.effects.p99)],
    ['                  max', ms(seq.effects.max), ms(con.effects.max), ratio(con.effects.max, seq.effects.max)],
    ['                  mean', ms(seq.effects.mean), ms(con.effects.mean), ratio(con.effects.mean, seq.effects.mean)],
    ['approve HTTP      p50', ms(seq.approveHttp.p50), ms(con.approveHttp.p50), ratio(con.approveHttp.p50, seq.approveHttp.p50)],
    ['                  p95', ms(seq.approveHttp.p95), ms(con.approveHttp.p95), ratio(con.approveHttp.p95, seq.approveHttp.p95)],
    ['                  p99', ms(seq.approveHttp.p99), ms(con.approveHttp.p99), ratio(con.approveHttp.p99, seq.approveHttp.p99)],
    ['start HTTP        p50', ms(seq.startHttp.p50), ms(con.startHttp.p50), ratio(con.startHttp.p50, seq.startHttp.p50)],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]!.padStart(widths[3]!)}`;
  const rule = `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`;
  return [
    bold('Appointment recoveries: approval -> all effects done'),
    dim(
      `  ${cpus().length} cores, Node ${process.version}; warm-up ${opts.warmup}, baseline ${opts.baseline}, batch ${opts.n} at concurrency ${con.concurrency}; ` +
        `one in-process worker (Prisma pool ${WORKER_DB_POOL}), API Prisma pool ${API_DB_POOL}`,
    ),
    '',
    bold(line(rows[0]!)),
    rule,
    ...rows.slice(1).map(line),
    '',
    `  throughput ratio (concurrent ÷ sequential): ${bold(ratio(con.throughput, seq.throughput))}`,
    `  p50 latency ratio (concurrent ÷ sequential): ${bold(ratio(con.effects.p50, seq.effects.p50))}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Against bare Temporal

interface Reads {
  get: RateResult;
  direct: RateResult;
  getBytes: number;
}

/** GET /appointment-recoveries/{id} and the client's describe+query of the same awaiting runs, --get-seconds each (in turns). */
async function measureReads(h: Harness, api: Api, opts: Options, recoveries: Recovery[]): Promise<Reads> {
  const { compareRates, describeQueryCall } = await import('./kit/bare-baseline');
  const { recoveryStateQuery } = await import('../workflows/appointment-recovery/messages');
  let getBytes = 0;
  const [get, direct] = await compareRates(
    opts.getConnections,
    opts.getSeconds * 1000,
    async (i) => {
      const rec = recoveries[i % recoveries.length]!;
      const r = await api('GET', `${BASE}/${encodeURIComponent(rec.id)}`, rec.scenario.managers.ops.apiKey);
      expectStatus(r, [200], `state of ${rec.id}`);
      getBytes = Buffer.byteLength(JSON.stringify(r.body));
    },
    describeQueryCall(
      h.client,
      recoveries.map((r) => r.id),
      recoveryStateQuery.name,
    ),
  );
  return { get, direct, getBytes };
}

interface Bare {
  k: ActivityCount;
  wf1: BareWorkflowsResult;
  wfC: BareWorkflowsResult;
  updInsert1: BareUpdatesResult;
  updInsertC: BareUpdatesResult;
  updNoop1: BareUpdatesResult;
  updNoopC: BareUpdatesResult;
}

/** K from a completed recovery's history, then the bare runs and Updates sized like the phases. */
async function measureBare(h: Harness, infra: TestInfra, opts: Options, recoveries: Recovery[]): Promise<Bare> {
  const [{ countActivities, openBareBaseline }, { Pool }] = await Promise.all([import('./kit/bare-baseline'), import('pg')]);
  const done = recoveries.find((r) => r.result?.stage === 'completed');
  if (!done) throw new Error('no recovery completed: K cannot be counted');
  const k = await countActivities(h.client, done.id, { from: 'update' }, done.runId);
  const pool = (res.pool = new Pool({ connectionString: infra.databaseUrl, max: WORKER_DB_POOL }));
  const b = await openBareBaseline({ client: h.client, address: infra.temporalAddress, pool });
  try {
    const c = Math.min(opts.concurrency, opts.n);
    return {
      k,
      wf1: await b.workflows({ k: k.total, n: opts.baseline, concurrency: 1, approval: true }),
      wfC: await b.workflows({ k: k.total, n: opts.n, concurrency: c, approval: true }),
      updInsert1: await b.updates({ write: 'insert', n: opts.baseline, concurrency: 1 }),
      updInsertC: await b.updates({ write: 'insert', n: opts.n, concurrency: c }),
      updNoop1: await b.updates({ write: 'noop', n: opts.baseline, concurrency: 1 }),
      updNoopC: await b.updates({ write: 'noop', n: opts.n, concurrency: c }),
    };
  } finally {
    await b.close();
  }
}

/** CPU per recovery at concurrency, by process, against the bare workflow's in the same run: what limits throughput. */
function cpuNotes(con: PhaseResult, bare: Bare): string[] {
  return cpuComparison(cpu, [
    {
      label: `recovery at ${con.concurrency} concurrent (approval → done)`,
      units: con.count,
      window: con.cpuWindow,
      mainThreadBusy: con.mainThreadBusy,
    },
    { label: `bare workflow at ${bare.wfC.concurrency} concurrent`, units: bare.wfC.n, window: bare.wfC.window, mainThreadBusy: bare.wfC.mainThreadBusy },
  ]);
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '-');
/** Issue 16's bound on the decision endpoint's p99 at 50 concurrent decisions. */
const DECISION_P99_BOUND_MS = 300;

function comparisonFigures(opts: Options, seq: PhaseResult, con: PhaseResult, bare: Bare, reads: Reads | undefined): BenchFigure[] {
  const c = con.concurrency;
  const bareWf = `bare workflow: Update, then K=${bare.k.total} no-op activities`;
  const bareUpd = 'bare Update + one INSERT';
  const figures: BenchFigure[] = [
    {
      metric: `recoveries/s at ${c} concurrent (approval → done)`,
      value: con.throughput,
      unit: '/s',
      baseline: { value: bare.wfC.throughput, label: bareWf },
      better: 'higher',
      target: { ratio: 0.8, op: '>=' },
    },
    {
      metric: `approval → done p99 at ${c} concurrent`,
      value: con.effects.p99,
      unit: 'ms',
      baseline: { value: bare.wfC.latency.p99, label: bareWf },
      better: 'lower',
      target: { ratio: 1.5, op: '<=' },
    },
    {
      metric: `approval → done p50 at ${c} concurrent`,
      value: con.effects.p50,
      unit: 'ms',
      baseline: { value: bare.wfC.latency.p50, label: bareWf },
      better: 'lower',
    },
    {
      metric: 'approval → done p50 alone',
      value: seq.effects.p50,
      unit: 'ms',
      baseline: { value: bare.wf1.latency.p50, label: bareWf },
      better: 'lower',
    },
    {
      metric: 'POST …/decisions p50 alone',
      value: seq.approveHttp.p50,
      unit: 'ms',
      baseline: { value: bare.updInsert1.latency.p50, label: bareUpd },
      better: 'lower',
      target: { ratio: 1.3, op: '<=' },
    },
    {
      metric: 'POST …/decisions p99 alone',
      value: seq.approveHttp.p99,
      unit: 'ms',
      baseline: { value: bare.updInsert1.latency.p99, label: bareUpd },
      better: 'lower',
    },
    {
      metric: `POST …/decisions p50 at ${c} concurrent`,
      value: con.approveHttp.p50,
      unit: 'ms',
      baseline: { value: bare.updInsertC.latency.p50, label: bareUpd },
      better: 'lower',
      target: { ratio: 1.3, op: '<=' },
    },
    {
      metric: `POST …/decisions p99 at ${c} concurrent`,
      value: con.approveHttp.p99,
      unit: 'ms',
      baseline: { value: DECISION_P99_BOUND_MS, label: 'the bound: < 300 ms' },
      better: 'lower',
      target: { ratio: 1, op: '<=' },
    },
  ];
  if (reads) {
    figures.push({
      metric: `GET /appointment-recoveries/{id} at ${opts.getConnections} connections`,
      value: reads.get.perSecond,
      unit: 'req/s',
      baseline: { value: reads.direct.perSecond, label: 'client describe + query of the same runs' },
      better: 'higher',
      target: { ratio: 0.9, op: '>=' },
    });
  }
  return figures;
}

function comparisonReport(opts: Options, bare: Bare, figures: BenchFigure[]): string {
  return [
    bold('Against bare Temporal (same dev server, same worker options, same run)'),
    dim(
      `  K = ${bare.k.total} activities after the approval's answer, counted from a recovery's history: ${bare.k.names.join(', ')}` +
        (bare.k.local ? ` (${bare.k.local} local; the bare workflow runs ${bare.k.total} ordinary ones)` : ''),
    ),
    dim(
      `  bare workflow: waits for a bare Update, then K no-op activities; timed from the Update's answer to its result, ` +
        `${opts.baseline} alone and ${opts.n} at concurrency ${bare.wfC.concurrency}`,
    ),
    dim(`  bare Update: handler does one INSERT (the recording write) through a pg pool of ${WORKER_DB_POOL}; as many and as concurrent as the approvals`),
    dim(
      `  bare Update with a no-op activity instead: p50 ${ms(bare.updNoop1.latency.p50)} alone, ${ms(bare.updNoopC.latency.p50)} at ${bare.updNoopC.concurrency}`,
    ),
    '',
    renderFigureText(figures, 'recoveries', { met: green, notMet: red }),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const t0 = now();

  ensurePrerequisites();
  const { startTestInfra, withDatabase } = await import('./kit/infra');
  res.infra = startTestInfra({
    label: 'bench setup',
    databaseUrl: withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE),
    scratchDatabase: new RegExp(`^${BENCH_DATABASE}$`),
    dropDatabaseAtTeardown: true,
  });
  const infra = await res.infra;
  if (interrupted) throw new Interrupted('interrupted');
  // The harness (like every test) finds the infrastructure through process.env.
  Object.assign(process.env, infra.env);
  cpu.temporalRootPid = infra.server?.pid;
  cpu.start();

  const [{ createHarness }, { createStoreScenario }, { serveBenchApi }, { createDb }] = await Promise.all([
    import('./kit/harness'),
    import('./kit/fixtures'),
    import('./kit/bench-api'),
    import('../platform/db'),
  ]);
  const h = (res.harness = await createHarness({ dbPool: WORKER_DB_POOL }));
  let t = now();
  await h.startWorker();
  note(`worker polling task queue ${h.taskQueue} (${secs(now() - t)}, includes bundling the workflows)`);
  const apiDb = (res.apiDb = createDb(infra.databaseUrl, { max: API_DB_POOL }));
  const server = await serveBenchApi(h, apiDb);
  res.server = server;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = makeApi(baseUrl);
  const health = await api('GET', '/healthz', null);
  expectStatus(health, [200], 'GET /healthz');
  note(`API listening on ${baseUrl}; infrastructure up in ${secs(now() - t0)}`);

  const ctx: Ctx = { h, api, createStoreScenario: (db) => createStoreScenario(db) };
  const all: Recovery[] = [];
  if (opts.warmup > 0) all.push(...(await runPhase(ctx, 'warm-up', opts.warmup, 1)).recoveries);
  const seq = await runPhase(ctx, 'sequential', opts.baseline, 1);
  all.push(...seq.recoveries);
  let reads: Reads | undefined;
  const con = await runPhase(ctx, 'concurrent', opts.n, opts.concurrency, async (recoveries) => {
    if (opts.getSeconds > 0) reads = await measureReads(h, api, opts, recoveries);
  });
  all.push(...con.recoveries);
  if (reads) {
    note(
      `GET /appointment-recoveries/{id}: ${reads.get.perSecond.toFixed(1)} req/s (p50 ${reads.get.latency.p50.toFixed(0)} ms, ${reads.getBytes} bytes); ` +
        `describe+query: ${reads.direct.perSecond.toFixed(1)} req/s (p50 ${reads.direct.latency.p50.toFixed(0)} ms)`,
    );
  }

  t = now();
  const bare = await measureBare(h, infra, opts, all);
  note(`bare baselines (K = ${bare.k.total}) measured in ${secs(now() - t)}`);
  for (const line of cpuNotes(con, bare)) note(line);

  t = now();
  const checks = await verify(h, all);
  const ok = checks.every((c) => c.ok);

  console.log(`\n${report(opts, seq, con)}\n`);
  const figures = comparisonFigures(opts, seq, con, bare, reads);
  console.log(`${comparisonReport(opts, bare, figures)}\n`);
  recordBenchResult({
    bench: 'appointments',
    title: 'Appointment recoveries: approval → all effects done, against bare Temporal',
    settings: {
      warmup: opts.warmup,
      baseline: opts.baseline,
      n: opts.n,
      concurrency: con.concurrency,
      K: bare.k.total,
      'GET connections': opts.getConnections,
      'GET seconds': opts.getSeconds,
      'worker Prisma pool': WORKER_DB_POOL,
      'API Prisma pool': API_DB_POOL,
    },
    figures,
    notes: [
      `K = ${bare.k.total}: the activities a recovery runs after the approval's answer, counted from its history (${bare.k.names.join(', ')}).` +
        (bare.k.local ? ` ${bare.k.local} of them are local activities; the bare workflow runs K ordinary ones.` : ''),
      `Bare Update alone (handler: one no-op activity): p50 ${ms(bare.updNoop1.latency.p50)} alone, p50 ${ms(bare.updNoopC.latency.p50)} / p99 ${ms(bare.updNoopC.latency.p99)} at ${bare.updNoopC.concurrency} concurrent.`,
      `Bare Update + recording write at ${bare.updInsertC.concurrency} concurrent: p99 ${ms(bare.updInsertC.latency.p99)}.`,
      reads
        ? `GET answered ${reads.getBytes} bytes per recovery; latency p50 ${ms(reads.get.latency.p50)} / p99 ${ms(reads.get.latency.p99)} (direct describe+query p50 ${ms(reads.direct.latency.p50)} / p99 ${ms(reads.direct.latency.p99)}).`
        : 'GET rate not measured (--get-seconds 0).',
      ...cpuNotes(con, bare),
      `Recoveries verified: ${checks.filter((c) => c.ok).length}/${checks.length} checks passed.`,
    ],
  });
  console.log(bold(`Verification (${all.length} recoveries incl. warm-up, ${secs(now() - t)})`));
  for (const c of checks) console.log(`  ${c.ok ? green('PASS') : red('FAIL')}  ${c.name}: ${c.detail}`);
  console.log(ok ? green('\nAll checks passed.') : red('\nVerification FAILED.'));
  res.keepLog = !ok;
  return ok ? 0 : 1;
}

main()
  .then(
    async (code) => {
      await teardown();
      return code;
    },
    async (err) => {
      res.bars?.stop();
      res.bars = undefined;
      if (err instanceof UsageError) {
        console.error(`${err.message}\n${USAGE}`);
        return 2;
      }
      if (!interrupted) console.error(red(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
      await teardown();
      return interrupted ? 130 : 1;
    },
  )
  .then((code) => {
    // On a signal, onSignal's own teardown exits (130).
    if (!interrupted) process.exit(code);
  });
