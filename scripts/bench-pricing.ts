/**
 * `npm run bench:pricing [-- --n 1000 --concurrency 50 --baseline 20]`
 *
 * Benchmark of price changes end to end: N small (auto-approved, −3 %) store-scoped changes, each
 * for its own SKU in two stores, started through api/processes/price-changes/starter.ts (the code behind
 * POST /api/v1/price-changes: guardrails, conflict claim, workflow start) --concurrency at a time.
 * Each run checks guardrails, auto-approves, pushes the price to both stores' POS (the in-process
 * simulator) and records the price history. Printed: throughput (changes pushed a second) and
 * start-to-pushed latency p50/p95/p99 (from just before the start call to the last POS push the
 * run recorded), against a sequential baseline (--baseline changes, one at a time) in the same run.
 *
 * Then the decision endpoint and the state read, through the real Express app over HTTP:
 * --decisions-alone (default 5) and --decisions (default 50) changes of −10 % (the category manager
 * approves) are started and left waiting; GET /price-changes/{id} is called from --get-connections
 * loops (default 10) for --get-seconds (default 5) round robin over the waiting ones, and the same
 * runs are described and queried directly through the client as long (in turns, so both see the
 * same load); then POST …/decisions approves the first set one at a time (each change runs to its
 * end before the next decision) and the second all at once (latency of each POST), and they are pushed.
 *
 * Bare-Temporal baselines on the same dev server, with the same worker options, in the same run
 * (scripts/kit/bare-baseline.ts): a bare workflow of K no-op activities, K counted from a change's
 * history (the activities from its start to its last POS push), timed from just before its start
 * to its close, --baseline one at a time and --n at --concurrency like the changes; and a bare
 * Update whose handler does one write (one Postgres INSERT, the recording write; and a no-op
 * activity), as many and as concurrent as the decisions. The ratios are printed against issue 16's
 * targets and recorded for `npm run bench` (docs/performance.md).
 *
 * Self-contained like bench:appointments: its own Temporal dev server on a free port and a scratch
 * database `retail_ops_bench_pricing` (dropped at the end), a worker and the simulator in process.
 */
import { DEFAULT_DATABASE_POOL_SIZE } from '../platform/config';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Presets, SingleBar } from 'cli-progress';
import type { BareUpdatesResult, BareWorkflowsResult, RateResult } from './kit/bare-baseline';
import { bold, dim, green, mapLimit, note, now, parseBenchOptions, recordBenchResult, red, secs, UsageError, type BenchFigure } from './kit/bench';
import { renderFigureText } from './kit/bench-report';
import { cpuComparison, CpuSampler } from './kit/cpu-sampler';
import { startCpuProfile } from './kit/cpu-profile';

/** CPU per change at concurrency, by process, against the bare workflow's in the same run: what limits throughput. */
function cpuNotes(con: { n: number; window: { from: number; to: number }; mainThreadBusy: number }, bare: BareWorkflowsResult): string[] {
  return cpuComparison(cpu, [
    { label: `change, ${con.n} at ${bare.concurrency} concurrent (start → pushed)`, units: con.n, window: con.window, mainThreadBusy: con.mainThreadBusy },
    { label: `bare workflow, ${bare.n} at ${bare.concurrency} concurrent`, units: bare.n, window: bare.window, mainThreadBusy: bare.mainThreadBusy },
  ]);
}

const BENCH_DATABASE = 'retail_ops_bench_pricing';
const cpu = new CpuSampler({ database: BENCH_DATABASE });
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const USAGE = `Usage: npm run bench:pricing -- [--n 1000] [--concurrency 50] [--baseline 20] [--decisions 50] [--decisions-alone 5]
                                [--get-connections 10] [--get-seconds 5]
  --n                auto-approved changes in the concurrent phase (default 1000)
  --concurrency      changes started at a time in it (default 50)
  --baseline         changes run one at a time first (default 20)
  --decisions        changes approved all at once through POST …/decisions (default 50; 0 skips the decision phase)
  --decisions-alone  changes approved one at a time before them (default 5)
  --get-connections  GET /price-changes/{id} loops (and direct describe+query loops) at a time (default 10)
  --get-seconds      how long each of the two is measured (default 5; 0 to skip)`;

interface Options {
  n: number;
  concurrency: number;
  baseline: number;
  decisions: number;
  decisionsAlone: number;
  getConnections: number;
  getSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const flags = ['n', 'concurrency', 'baseline', 'decisions', 'decisions-alone', 'get-connections', 'get-seconds'];
  const { int } = parseBenchOptions(argv, Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])), USAGE);
  const decisions = int('decisions', 50, 0, 1000);
  return {
    n: int('n', 1000, 1, 100_000),
    concurrency: int('concurrency', 50, 1, 1000),
    baseline: int('baseline', 20, 1, 1000),
    decisions,
    decisionsAlone: decisions ? int('decisions-alone', 5, 1, 1000) : 0,
    getConnections: int('get-connections', 10, 1, 1000),
    getSeconds: int('get-seconds', 5, 0, 600),
  };
}

/** The worker's Prisma pool (shared with the fixtures): DATABASE_POOL_SIZE's default, as workers/main.ts has it; the bare baseline's recording write gets as many. */
const WORKER_DB_POOL = DEFAULT_DATABASE_POOL_SIZE;
/** Issue 16's bound on the decision endpoint's p99 at 50 concurrent decisions. */
const DECISION_P99_BOUND_MS = 300;
const BASE = '/api/v1/price-changes';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const { startTestInfra, stopTestInfra, withDatabase } = await import('./kit/infra');
  const t0 = now();
  const infra = await startTestInfra({
    label: 'bench setup',
    databaseUrl: withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE),
    scratchDatabase: new RegExp(`^${BENCH_DATABASE}$`),
    dropDatabaseAtTeardown: true,
  });
  Object.assign(process.env, infra.env);
  cpu.temporalRootPid = infra.server?.pid;
  cpu.start();
  const [{ createHarness }, { startPriceChange }, { serveBenchApi }, { createDb }, { createPerson }, { Pool }] = await Promise.all([
    import('./kit/harness'),
    import('../api/processes/price-changes/starter'),
    import('./kit/bench-api'),
    import('../platform/db'),
    import('./kit/fixtures'),
    import('pg'),
  ]);
  const h = await createHarness({ dbPool: WORKER_DB_POOL });
  const apiDb = createDb(infra.databaseUrl, { max: API_DB_POOL });
  const pool = new Pool({ connectionString: infra.databaseUrl, max: WORKER_DB_POOL });
  let server: Server | undefined;
  try {
    await h.startWorker();
    server = await serveBenchApi(h, apiDb);
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    note(`infrastructure, worker, simulator and API up in ${secs(now() - t0)}`);

    // One region, two stores, a SKU per change (a SKU has at most one active change).
    const total = opts.n + opts.baseline + 1 + opts.decisions + opts.decisionsAlone;
    await h.db.region.create({ data: { id: 'R-BENCH', name: 'Bench region' } });
    await h.db.store.createMany({ data: ['T-BENCH-1', 'T-BENCH-2'].map((id) => ({ id, name: id, regionId: 'R-BENCH', city: 'Bench', timezone: 'UTC' })) });
    await h.db.supplier.create({ data: { id: 'SUP-BENCH', name: 'Bench supplier', email: 'bench@example.com', leadTimeDays: 5 } });
    const skus = Array.from({ length: total }, (_, i) => `BENCH-${String(i).padStart(6, '0')}`);
    await h.db.product.createMany({
      data: skus.map((sku) => ({
        sku,
        name: `Bench item ${sku}`,
        category: 'bench',
        brand: 'Bench',
        colour: 'grey',
        size: 'M',
        styleTags: [],
        cost: 40,
        price: 100,
        supplierId: 'SUP-BENCH',
      })),
    });
    const storeIds = ['T-BENCH-1', 'T-BENCH-2'];
    const deps = { client: h.client, db: h.db, taskQueue: h.taskQueue };
    const timing = { monitorWindowMs: 1000, monitorEveryMs: 1000, monitorAfterMs: 0 };

    const startOne = async (sku: string, newPrice = 97) => {
      const startedAt = Date.now();
      const r = await startPriceChange(deps, { sku, storeIds, newPrice, reason: 'bench', requestedBy: 'system:bench', timing });
      return { id: r.workflowId, startedAt };
    };
    const pushedAt = async (ids: string[]) => {
      const rows = await h.db.channelPricePush.groupBy({
        by: ['priceChangeId'],
        where: { priceChangeId: { in: ids }, status: 'apply', confirmedAt: { not: null } },
        _max: { confirmedAt: true },
        _count: true,
      });
      return new Map(rows.filter((r) => r._count === storeIds.length).map((r) => [r.priceChangeId, r._max.confirmedAt!.getTime()]));
    };
    const waitPushed = async (ids: string[]) => {
      for (;;) {
        const done = await pushedAt(ids);
        if (done.size === ids.length) return done;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const phase = async (label: string, list: string[], concurrency: number) => {
      const bar = new SingleBar({ format: `  ${label.padEnd(11)} {bar} {value}/{total} pushed | {duration}s`, hideCursor: true }, Presets.shades_classic);
      bar.start(list.length, 0);
      const started: { id: string; startedAt: number }[] = [];
      const elu = performance.eventLoopUtilization();
      const stopProfile = await startCpuProfile(`pricing-${label}`);
      if (concurrency === 1) {
        for (const sku of list) {
          const s = await startOne(sku);
          started.push(s);
          await waitPushed([s.id]);
          bar.increment();
        }
      } else {
        const poll = setInterval(() => void pushedAt(started.map((s) => s.id)).then((d) => bar.update(d.size)), 500);
        await mapLimit(list, concurrency, async (sku) => void started.push(await startOne(sku)));
        await waitPushed(started.map((s) => s.id));
        clearInterval(poll);
        bar.update(list.length);
      }
      bar.stop();
      const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
      await stopProfile();
      const done = await pushedAt(started.map((s) => s.id));
      const latencies = started.map((s) => done.get(s.id)! - s.startedAt).sort((a, b) => a - b);
      const first = Math.min(...started.map((s) => s.startedAt));
      const last = Math.max(...done.values());
      return {
        n: list.length,
        perSecond: list.length / ((last - first) / 1000),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        ids: started.map((s) => s.id),
        window: { from: first, to: last },
        mainThreadBusy,
      };
    };

    const warm = await phase('warm-up', skus.slice(0, 1), 1);
    let next = 1;
    const take = (count: number) => skus.slice(next, (next += count));
    const seq = await phase('sequential', take(opts.baseline), 1);
    const con = await phase('concurrent', take(opts.n), opts.concurrency);

    const { countActivities, openBareBaseline } = await import('./kit/bare-baseline');
    const k = await countActivities(h.client, warm.ids[0]!, { from: 'start', until: 'pushChannelPrice' });

    const decided = opts.decisions
      ? await decisionPhase({ h, baseUrl, opts, createPerson, startOne, skusAlone: take(opts.decisionsAlone), skusAtOnce: take(opts.decisions) })
      : undefined;
    if (decided) await waitPushed(decided.ids);

    let t = now();
    const b = await openBareBaseline({ client: h.client, address: infra.temporalAddress, pool });
    let bare: Bare;
    try {
      bare = {
        wf1: await b.workflows({ k: k.total, n: opts.baseline, concurrency: 1, approval: false }),
        wfC: await b.workflows({ k: k.total, n: opts.n, concurrency: opts.concurrency, approval: false }),
      };
      if (decided) {
        bare.updInsert1 = await b.updates({ write: 'insert', n: opts.decisionsAlone, concurrency: 1 });
        bare.updInsertC = await b.updates({ write: 'insert', n: opts.decisions, concurrency: opts.decisions });
        bare.updNoop1 = await b.updates({ write: 'noop', n: opts.decisionsAlone, concurrency: 1 });
        bare.updNoopC = await b.updates({ write: 'noop', n: opts.decisions, concurrency: opts.decisions });
      }
    } finally {
      await b.close();
    }
    note(`bare baselines (K = ${k.total}) measured in ${secs(now() - t)}`);
    for (const line of cpuNotes(con, bare.wfC)) note(line);

    // Every change pushed exactly once per store, and the simulator saw exactly those pushes.
    t = now();
    const pushes = (await (await fetch(`${h.simulator.url}/_price-pushes`)).json()) as { items: { priceChangeId: string }[] };
    const perChange = new Map<string, number>();
    for (const p of pushes.items) perChange.set(p.priceChangeId, (perChange.get(p.priceChangeId) ?? 0) + 1);
    const all = [...seq.ids, ...con.ids, ...(decided?.ids ?? [])];
    const wrong = all.filter((id) => perChange.get(id) !== storeIds.length);

    const row = (k: string, a: string, b: string) => `  ${k.padEnd(34)}${a.padStart(14)}${b.padStart(16)}`;
    const ms = (v: number) => `${Math.round(v)} ms`;
    console.log(`\n${bold('Price changes: small auto-approved changes, start → pushed to both stores’ POS')}`);
    console.log(dim(`  startPriceChange (guardrails, conflict claim, start) → workflow → 2 POS pushes (in-process simulator) → price history`));
    console.log(row('', 'sequential', `${opts.concurrency} at a time`));
    console.log(row('changes', String(seq.n), String(con.n)));
    console.log(row('throughput (changes/s)', seq.perSecond.toFixed(1), con.perSecond.toFixed(1)));
    console.log(row('start → pushed p50', ms(seq.p50), ms(con.p50)));
    console.log(row('start → pushed p95', ms(seq.p95), ms(con.p95)));
    console.log(row('start → pushed p99', ms(seq.p99), ms(con.p99)));
    console.log(`\n  throughput ratio (concurrent ÷ sequential): ${(con.perSecond / seq.perSecond).toFixed(2)}×`);

    const figures = comparisonFigures(opts, seq, con, bare, k.total, decided);
    const bareWf = `K = ${k.total} activities from a change's start to its last POS push, counted from its history: ${k.names.join(', ')}`;
    console.log(`\n${bold('Against bare Temporal (same dev server, same worker options, same run)')}`);
    console.log(dim(`  ${bareWf}${k.local ? ` (${k.local} local; the bare workflow runs ${k.total} ordinary ones)` : ''}`));
    console.log(
      dim(
        `  bare workflow: K no-op activities, timed from just before its start to its close; ${opts.baseline} alone, ${opts.n} started ${opts.concurrency} at a time`,
      ),
    );
    if (decided && bare.updNoop1 && bare.updNoopC) {
      console.log(
        dim(`  bare Update: handler does one INSERT (the recording write) through a pg pool of ${WORKER_DB_POOL}; as many and as concurrent as the decisions`),
      );
      console.log(
        dim(`  bare Update with a no-op activity instead: p50 ${ms(bare.updNoop1.latency.p50)} alone, ${ms(bare.updNoopC.latency.p50)} at ${opts.decisions}`),
      );
    }
    console.log(`\n${renderFigureText(figures, 'price changes', { met: green, notMet: red })}\n`);

    const ok = wrong.length === 0;
    console.log(
      `  ${ok ? green('PASS') : red('FAIL')}  every change pushed exactly once to each of its ${storeIds.length} stores (${all.length} changes, ${pushes.items.length} pushes)${ok ? '' : `: ${wrong.slice(0, 5).join(', ')}`}`,
    );
    recordBenchResult({
      bench: 'pricing',
      title: 'Price changes: start → pushed to both stores’ POS, decisions and state reads, against bare Temporal',
      settings: {
        baseline: opts.baseline,
        n: opts.n,
        concurrency: opts.concurrency,
        K: k.total,
        decisions: opts.decisions,
        'decisions alone': opts.decisionsAlone,
        'GET connections': opts.getConnections,
        'GET seconds': opts.getSeconds,
        'worker Prisma pool': WORKER_DB_POOL,
        'API Prisma pool': API_DB_POOL,
      },
      figures,
      notes: [
        `${bareWf}.${k.local ? ` ${k.local} of them are local activities; the bare workflow runs K ordinary ones.` : ''}`,
        `Alone: ${seq.perSecond.toFixed(2)} changes/s, start → pushed p50 ${ms(seq.p50)} (the sequential phase waits for each push by polling the database every 200 ms).`,
        ...(decided && bare.updNoop1 && bare.updNoopC && bare.updInsertC
          ? [
              `Bare Update alone (handler: one no-op activity): p50 ${ms(bare.updNoop1.latency.p50)} alone, p50 ${ms(bare.updNoopC.latency.p50)} / p99 ${ms(bare.updNoopC.latency.p99)} at ${opts.decisions} concurrent; with the INSERT at ${opts.decisions} concurrent: p99 ${ms(bare.updInsertC.latency.p99)}.`,
              decided.reads
                ? `GET answered ${decided.getBytes} bytes per change; latency p50 ${ms(decided.reads.get.latency.p50)} / p99 ${ms(decided.reads.get.latency.p99)} (direct describe+query p50 ${ms(decided.reads.direct.latency.p50)} / p99 ${ms(decided.reads.direct.latency.p99)}).`
                : 'GET rate not measured (--get-seconds 0).',
            ]
          : ['Decision phase skipped (--decisions 0).']),
        ...cpuNotes(con, bare.wfC),
        `${ok ? 'Passed' : 'FAILED'}: every change pushed exactly once to each of its stores (${all.length} changes, ${pushes.items.length} pushes).`,
      ],
    });
    return ok ? 0 : 1;
  } finally {
    if (server) {
      const srv = server;
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
    await h.close();
    await apiDb.$disconnect();
    await pool.end();
    await stopTestInfra(infra);
  }
}

/** The API's Prisma pool (api/main.ts's default). */
const API_DB_POOL = 10;

interface Phase {
  n: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  ids: string[];
}

interface Bare {
  wf1: BareWorkflowsResult;
  wfC: BareWorkflowsResult;
  updInsert1?: BareUpdatesResult;
  updInsertC?: BareUpdatesResult;
  updNoop1?: BareUpdatesResult;
  updNoopC?: BareUpdatesResult;
}

interface Decided {
  ids: string[];
  alone: number[];
  atOnce: number[];
  reads?: { get: RateResult; direct: RateResult };
  getBytes: number;
}

async function api(baseUrl: string, method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

/**
 * Changes the category manager approves: started and left waiting, read (GET, then describe+query
 * directly), then approved through POST …/decisions, the first set one at a time, the second at once.
 */
async function decisionPhase(a: {
  h: import('./kit/harness').Harness;
  baseUrl: string;
  opts: Options;
  createPerson: typeof import('./kit/fixtures').createPerson;
  startOne: (sku: string, newPrice: number) => Promise<{ id: string }>;
  skusAlone: string[];
  skusAtOnce: string[];
}): Promise<Decided> {
  const { h, baseUrl, opts } = a;
  const { compareRates, describeQueryCall, latencyStats } = await import('./kit/bare-baseline');
  const { priceChangeStateQuery } = await import('../workflows/price-change/messages');
  const t = now();
  const manager = await a.createPerson(h.db, 'BENCH', 'category_manager', 'cm', { categories: ['bench'] });
  const ops = await a.createPerson(h.db, 'BENCH', 'ops', 'ops', { allScopes: true });
  // −10 %: more than the automatic limit, within the category manager's.
  const alone = await mapLimit(a.skusAlone, 8, async (sku) => (await a.startOne(sku, 90)).id);
  const atOnce = await mapLimit(a.skusAtOnce, 8, async (sku) => (await a.startOne(sku, 90)).id);
  let waiting = [...alone, ...atOnce];
  const deadline = Date.now() + 60_000 + waiting.length * 1000;
  while (waiting.length) {
    const still: string[] = [];
    await mapLimit(waiting, 8, async (id) => {
      const state = await h.client.workflow.getHandle(id).query(priceChangeStateQuery);
      if (!state.pendingApproval) {
        if (!['checking', 'awaiting_approval'].includes(state.stage)) throw new Error(`${id} did not wait for approval (stage ${state.stage})`);
        still.push(id);
      }
    });
    waiting = still;
    if (waiting.length && Date.now() > deadline) throw new Error(`${waiting.length} price changes still had no pending approval`);
    if (waiting.length) await new Promise((r) => setTimeout(r, 200));
  }
  note(`decision phase: ${alone.length + atOnce.length} changes awaiting the category manager after ${secs(now() - t)}`);

  let reads: Decided['reads'];
  let getBytes = 0;
  if (opts.getSeconds > 0) {
    const [get, direct] = await compareRates(
      opts.getConnections,
      opts.getSeconds * 1000,
      async (i) => {
        const id = atOnce[i % atOnce.length]!;
        const r = await api(baseUrl, 'GET', `${BASE}/${encodeURIComponent(id)}`, ops.apiKey);
        if (r.status !== 200) throw new Error(`GET ${id}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
        getBytes = Buffer.byteLength(r.text);
      },
      describeQueryCall(h.client, atOnce, priceChangeStateQuery.name),
    );
    reads = { get, direct };
    note(
      `GET /price-changes/{id}: ${get.perSecond.toFixed(1)} req/s (p50 ${get.latency.p50.toFixed(0)} ms, ${getBytes} bytes); ` +
        `describe+query: ${direct.perSecond.toFixed(1)} req/s (p50 ${direct.latency.p50.toFixed(0)} ms)`,
    );
  }

  const decide = async (id: string) => {
    const t0 = now();
    const r = await api(baseUrl, 'POST', `${BASE}/${encodeURIComponent(id)}/decisions`, manager.apiKey, { decision: 'approve' });
    const took = now() - t0;
    if (r.status !== 200) throw new Error(`approve ${id}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return took;
  };
  const aloneMs: number[] = [];
  // Alone means alone: each approved change runs to its end (pushes, history, notices) before the
  // next decision, as bench:appointments waits for each recovery, so no decision shares the worker.
  for (const id of alone) {
    aloneMs.push(await decide(id));
    await h.client.withDeadline(Date.now() + 120_000, () => h.client.workflow.getHandle(id).result());
  }
  const atOnceMs = await mapLimit(atOnce, atOnce.length, decide);
  const s1 = latencyStats(aloneMs);
  const sC = latencyStats(atOnceMs);
  note(`POST …/decisions: p50 ${s1.p50.toFixed(0)} ms alone; p50 ${sC.p50.toFixed(0)} ms / p99 ${sC.p99.toFixed(0)} ms with ${atOnce.length} at once`);
  return { ids: [...alone, ...atOnce], alone: aloneMs, atOnce: atOnceMs, reads, getBytes };
}

function comparisonFigures(opts: Options, seq: Phase, con: Phase, bare: Bare, k: number, decided: Decided | undefined): BenchFigure[] {
  const bareWf = `bare workflow, K=${k} no-op activities`;
  const figures: BenchFigure[] = [
    {
      metric: `changes/s, ${opts.concurrency} started at a time (start → pushed)`,
      value: con.perSecond,
      unit: '/s',
      baseline: { value: bare.wfC.throughput, label: bareWf },
      better: 'higher',
      target: { ratio: 0.8, op: '>=' },
    },
    {
      metric: `start → pushed p99, ${opts.concurrency} at a time`,
      value: con.p99,
      unit: 'ms',
      baseline: { value: bare.wfC.latency.p99, label: bareWf },
      better: 'lower',
      target: { ratio: 1.5, op: '<=' },
    },
    {
      metric: `start → pushed p50, ${opts.concurrency} at a time`,
      value: con.p50,
      unit: 'ms',
      baseline: { value: bare.wfC.latency.p50, label: bareWf },
      better: 'lower',
    },
    { metric: 'start → pushed p50 alone', value: seq.p50, unit: 'ms', baseline: { value: bare.wf1.latency.p50, label: bareWf }, better: 'lower' },
  ];
  if (decided && bare.updInsert1 && bare.updInsertC) {
    const bareUpd = 'bare Update + one INSERT';
    const s1 = latencyOf(decided.alone);
    const sC = latencyOf(decided.atOnce);
    const c = decided.atOnce.length;
    figures.push(
      {
        metric: 'POST …/decisions p50 alone',
        value: s1.p50,
        unit: 'ms',
        baseline: { value: bare.updInsert1.latency.p50, label: bareUpd },
        better: 'lower',
        target: { ratio: 1.3, op: '<=' },
      },
      { metric: 'POST …/decisions p99 alone', value: s1.p99, unit: 'ms', baseline: { value: bare.updInsert1.latency.p99, label: bareUpd }, better: 'lower' },
      {
        metric: `POST …/decisions p50 at ${c} concurrent`,
        value: sC.p50,
        unit: 'ms',
        baseline: { value: bare.updInsertC.latency.p50, label: bareUpd },
        better: 'lower',
        target: { ratio: 1.3, op: '<=' },
      },
      {
        metric: `POST …/decisions p99 at ${c} concurrent`,
        value: sC.p99,
        unit: 'ms',
        baseline: { value: DECISION_P99_BOUND_MS, label: 'the bound: < 300 ms' },
        better: 'lower',
        target: { ratio: 1, op: '<=' },
      },
    );
    if (decided.reads) {
      figures.push({
        metric: `GET /price-changes/{id} at ${opts.getConnections} connections`,
        value: decided.reads.get.perSecond,
        unit: 'req/s',
        baseline: { value: decided.reads.direct.perSecond, label: 'client describe + query of the same runs' },
        better: 'higher',
        target: { ratio: 0.9, op: '>=' },
      });
    }
  }
  return figures;
}

function latencyOf(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
