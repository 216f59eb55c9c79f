/**
 * Bare-Temporal baselines for the benchmarks: what the same dev server and the same worker options
 * (platform/worker-options.ts) give with nothing of ours in the way, measured in the same run as
 * the process they are compared with.
 *
 * - runBareWorkflows: a workflow of K no-op activities in sequence (K: the process's activity count
 *   on its measured path, see countActivities), optionally after waiting for a bare Update (the
 *   approval), timed like the process bench times its runs.
 * - runBareUpdates: one Update per workflow whose handler does one write (a no-op activity, or one
 *   Postgres INSERT: the recording write), the decision endpoint's baseline.
 * - runDescribeQuery: the client's describe + query of running workflows, the GET /{process}/{id}
 *   baseline.
 *
 * Each opens a worker on its own task queue (the workflows in bare-workflows.ts, bundled on their
 * own) and closes it; openBareBaseline keeps one open for several measurements.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workerTuning } from '../../platform/worker-options';
import { mapLimit, now } from './bench';
import { approveUpdate, bareStateQuery, decideUpdate, type BareDecision, type BareWrite, type bareDecisionRun, type bareRun } from './bare-workflows';

// ---------------------------------------------------------------------------------------------
// Figures

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

export interface RateResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: LatencyStats;
  /** Each call's latency (ms). */
  samples: number[];
}

const rateOf = (samples: number[], seconds: number): RateResult => ({
  requests: samples.length,
  seconds,
  perSecond: samples.length / seconds,
  latency: latencyStats(samples),
  samples,
});

/**
 * Calls `call` from `concurrency` loops, each one call at a time, for `durationMs` (calls under
 * way at the end finish and count); the rate is calls over the time until the last one finished.
 */
export async function measureRate(concurrency: number, durationMs: number, call: (i: number) => Promise<void>): Promise<RateResult> {
  const latencies: number[] = [];
  let next = 0;
  const start = now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (now() < end) {
        const t0 = now();
        await call(next++);
        latencies.push(now() - t0);
      }
    }),
  );
  return rateOf(latencies, (now() - start) / 1000);
}

/**
 * Measures two calls' rates in turns a, b, b, a (half of `durationMs` each), so a change in the
 * machine's load (other work on it) weighs on both alike instead of on whichever came second.
 */
export async function compareRates(
  concurrency: number,
  durationMs: number,
  a: (i: number) => Promise<void>,
  b: (i: number) => Promise<void>,
): Promise<[RateResult, RateResult]> {
  const half = durationMs / 2;
  const a1 = await measureRate(concurrency, half, a);
  const b1 = await measureRate(concurrency, half, b);
  const b2 = await measureRate(concurrency, half, b);
  const a2 = await measureRate(concurrency, half, a);
  const merge = (x: RateResult, y: RateResult) => rateOf([...x.samples, ...y.samples], x.seconds + y.seconds);
  return [merge(a1, a2), merge(b1, b2)];
}

// ---------------------------------------------------------------------------------------------
// Activities and worker

/** What the recording write needs: a pg Pool fits. */
export interface SqlPool {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

const DECISION_TABLE = 'bench_bare_decision';

export function createBareActivities(pool?: SqlPool) {
  return {
    async noopStep(_step: number): Promise<void> {},
    /** One INSERT, idempotent like the approval gate's recording (a retry finds the row). */
    async recordDecision(d: BareDecision & { workflowId: string }): Promise<void> {
      if (!pool) throw new Error('recordDecision needs the pg pool given to the bare baseline');
      await pool.query(
        `INSERT INTO ${DECISION_TABLE} (id, workflow_id, decision, actor_id, decided_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (id) DO NOTHING`,
        [d.decisionId, d.workflowId, d.decision, d.actorId],
      );
    },
  };
}
export type BareActivities = ReturnType<typeof createBareActivities>;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function bareBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./bare-workflows'), logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface BareBaselineOptions {
  /** A client of the benchmark's own dev server. */
  client: Client;
  /** That same server's address, for the bare worker's connection. */
  address: string;
  /** For the recording-write variant of runBareUpdates (a table of its own is created in its database). */
  pool?: SqlPool;
}

export interface BareWorkflowsOptions {
  /** No-op activities per run. */
  k: number;
  n: number;
  concurrency: number;
  /**
   * true: each run first waits for a bare Update; timed from the Update's answer to the result,
   * throughput over first Update sent .. last result (as bench:appointments times approvals).
   * false: timed from just before the start call to the run's close time, throughput over first
   * start .. last close (as bench:pricing times start -> pushed).
   */
  approval: boolean;
}

export interface BareWorkflowsResult {
  k: number;
  n: number;
  concurrency: number;
  approval: boolean;
  throughput: number;
  latency: LatencyStats;
  phaseMs: number;
  /** The measured phase in epoch ms (for a CPU sampler's `between`). */
  window: { from: number; to: number };
  /** How busy this process's main thread (the bare worker's activities, the client) was in it, 0..1. */
  mainThreadBusy: number;
}

export interface BareUpdatesOptions {
  write: BareWrite;
  n: number;
  concurrency: number;
}

export interface BareUpdatesResult extends BareUpdatesOptions {
  latency: LatencyStats;
}

export interface DescribeQueryOptions {
  concurrency: number;
  durationMs: number;
  /** Running workflows to describe and query, round robin (a process's own runs); a bare run when omitted. */
  workflowIds?: string[];
  /** The query's name (default `state`, the processes' state query). */
  query?: string;
}

/** Polls describe until every run has completed its first workflow task, i.e. it waits for its Update. */
async function untilWaiting(handles: WorkflowHandle[]): Promise<void> {
  const deadline = Date.now() + 60_000 + handles.length * 500;
  let waiting = handles;
  while (waiting.length) {
    const still: WorkflowHandle[] = [];
    await mapLimit(waiting, 8, async (h) => {
      const d = await h.describe();
      // Started, task scheduled, started, completed.
      if ((d.historyLength ?? 0) < 4) still.push(h);
    });
    waiting = still;
    if (!waiting.length) return;
    if (Date.now() > deadline) throw new Error(`${waiting.length} bare runs had not completed their first workflow task`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface BareBaseline {
  taskQueue: string;
  workflows(opts: BareWorkflowsOptions): Promise<BareWorkflowsResult>;
  updates(opts: BareUpdatesOptions): Promise<BareUpdatesResult>;
  describeQuery(opts: DescribeQueryOptions): Promise<RateResult>;
  close(): Promise<void>;
}

/** Starts the bare worker (one warm-up run, not measured) and keeps it until close(). */
export async function openBareBaseline(opts: BareBaselineOptions): Promise<BareBaseline> {
  const { client, pool } = opts;
  const taskQueue = `bare-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: opts.address });
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: client.options.namespace,
      taskQueue,
      ...workerTuning(),
      workflowBundle: await bareBundle(),
      activities: createBareActivities(pool),
    });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const running = worker.run();
  const id = (what: string) => `${what}-${randomUUID()}`;
  const startRun = (steps: number, awaitApproval: boolean) =>
    client.workflow.start<typeof bareRun>('bareRun', { taskQueue, workflowId: id('bare-run'), args: [{ steps, awaitApproval }] });

  const close = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  };

  try {
    if (pool) {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${DECISION_TABLE} (id text PRIMARY KEY, workflow_id text NOT NULL, decision text NOT NULL, actor_id text NOT NULL, decided_at timestamptz NOT NULL)`,
      );
    }
    await (await startRun(1, false)).result();
  } catch (err) {
    await close();
    throw err;
  }

  async function workflows(o: BareWorkflowsOptions): Promise<BareWorkflowsResult> {
    const runs = Array.from({ length: o.n });
    if (o.approval) {
      const handles = await mapLimit(runs, 8, () => startRun(o.k, true));
      await untilWaiting(handles);
      const latencies: number[] = [];
      const elu = performance.eventLoopUtilization();
      const from = Date.now();
      const phaseStart = now();
      let lastDone = phaseStart;
      await mapLimit(handles, o.concurrency, async (h) => {
        await h.executeUpdate(approveUpdate);
        const t1 = now();
        await h.result();
        const t2 = now();
        latencies.push(t2 - t1);
        lastDone = Math.max(lastDone, t2);
      });
      const phaseMs = lastDone - phaseStart;
      const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
      return { ...o, throughput: o.n / (phaseMs / 1000), latency: latencyStats(latencies), phaseMs, window: { from, to: from + phaseMs }, mainThreadBusy };
    }
    const started: { handle: WorkflowHandle; at: number }[] = [];
    const elu = performance.eventLoopUtilization();
    await mapLimit(runs, o.concurrency, async () => {
      const at = Date.now();
      started.push({ handle: await startRun(o.k, false), at });
    });
    await mapLimit(started, 50, (s) => s.handle.result());
    const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
    const closed = await mapLimit(started, 8, async (s) => (await s.handle.describe()).closeTime!.getTime());
    const latencies = started.map((s, i) => closed[i]! - s.at);
    const from = Math.min(...started.map((s) => s.at));
    const phaseMs = Math.max(...closed) - from;
    return { ...o, throughput: o.n / (phaseMs / 1000), latency: latencyStats(latencies), phaseMs, window: { from, to: from + phaseMs }, mainThreadBusy };
  }

  async function updates(o: BareUpdatesOptions): Promise<BareUpdatesResult> {
    if (o.write === 'insert' && !pool) throw new Error('the recording-write baseline needs a pg pool');
    const handles = await mapLimit(Array.from({ length: o.n }), 8, () =>
      client.workflow.start<typeof bareDecisionRun>('bareDecisionRun', { taskQueue, workflowId: id('bare-decision') }),
    );
    await untilWaiting(handles);
    const latencies: number[] = [];
    await mapLimit(handles, o.concurrency, async (h) => {
      const t0 = now();
      await h.executeUpdate(decideUpdate, { args: [{ decisionId: randomUUID(), decision: 'approve', actorId: 'bench-approver', write: o.write }] });
      latencies.push(now() - t0);
    });
    await mapLimit(handles, 50, (h) => h.result());
    return { ...o, latency: latencyStats(latencies) };
  }

  async function describeQuery(o: DescribeQueryOptions): Promise<RateResult> {
    if (o.workflowIds?.length) return describeQueryRate(client, { ...o, workflowIds: o.workflowIds });
    const bare = await startRun(0, true);
    await untilWaiting([bare]);
    try {
      return await describeQueryRate(client, { ...o, workflowIds: [bare.workflowId], query: bareStateQuery.name });
    } finally {
      await bare.executeUpdate(approveUpdate);
      await bare.result();
    }
  }

  return { taskQueue, workflows, updates, describeQuery, close };
}

async function withBare<T>(opts: BareBaselineOptions, fn: (b: BareBaseline) => Promise<T>): Promise<T> {
  const b = await openBareBaseline(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

export const runBareWorkflows = (opts: BareBaselineOptions & BareWorkflowsOptions) => withBare(opts, (b) => b.workflows(opts));
export const runBareUpdates = (opts: BareBaselineOptions & BareUpdatesOptions) => withBare(opts, (b) => b.updates(opts));
/** The direct client's describe + query rate; a bare worker only when no running workflows are given. */
export const runDescribeQuery = (opts: BareBaselineOptions & DescribeQueryOptions) =>
  opts.workflowIds?.length ? describeQueryRate(opts.client, { ...opts, workflowIds: opts.workflowIds }) : withBare(opts, (b) => b.describeQuery(opts));

/** describe + query (what GET /{process}/{id} does through the client) of the given runs, round robin. */
export function describeQueryRate(client: Client, o: DescribeQueryOptions & { workflowIds: string[] }): Promise<RateResult> {
  return measureRate(o.concurrency, o.durationMs, describeQueryCall(client, o.workflowIds, o.query));
}

/** One describe + query of the i-th run (round robin), for measureRate or compareRates. */
export function describeQueryCall(client: Client, workflowIds: string[], query = 'state'): (i: number) => Promise<void> {
  return async (i) => {
    const h = client.workflow.getHandle(workflowIds[i % workflowIds.length]!);
    await h.describe();
    await h.query(query);
  };
}

// ---------------------------------------------------------------------------------------------
// K, counted from a process run's history

export interface ActivityCount {
  /** Activities on the span: scheduled ones plus local ones. */
  total: number;
  scheduled: number;
  local: number;
  /** Their names, in order (local ones marked). */
  names: string[];
}

export interface ActivitySpan {
  /**
   * 'start': from the run's start. 'update': activities that ran after the first Update's answer
   * (scheduled in the workflow task that completed it or later; local activities recorded in that
   * same task ran before the answer went out).
   */
  from: 'start' | 'update';
  /** Up to and including the last scheduled activity of this type (e.g. the POS push). */
  until?: string;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function localActivityName(marker: any): string {
  try {
    const data = marker.details?.data?.payloads?.[0]?.data;
    const parsed = JSON.parse(Buffer.from(data).toString('utf8'));
    return String(parsed.activity_type ?? parsed.activityType ?? 'local activity');
  } catch {
    return 'local activity';
  }
}

/** How many activities a finished run ran on the span a benchmark measures: its K. */
export async function countActivities(client: Client, workflowId: string, span: ActivitySpan, runId?: string): Promise<ActivityCount> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = (history.events ?? []).map((e) => ({ ...e, id: Number(e.eventId) }));
  let from = 0;
  let answerTaskEnd = 0;
  if (span.from === 'update') {
    const answered = events.find((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    if (!answered) throw new Error(`${workflowId} has no completed Update in its history`);
    from = Math.max(...events.filter((e) => e.workflowTaskCompletedEventAttributes && e.id < answered.id).map((e) => e.id));
    answerTaskEnd = events.find((e) => e.id > from && e.workflowTaskScheduledEventAttributes)?.id ?? Infinity;
  }
  let until = Infinity;
  if (span.until) {
    const last = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === span.until).pop();
    if (!last) throw new Error(`${workflowId} scheduled no ${span.until}`);
    until = last.id;
  }
  const names: string[] = [];
  let scheduled = 0;
  let local = 0;
  for (const e of events) {
    if (e.id <= from || e.id > until) continue;
    if (e.activityTaskScheduledEventAttributes) {
      scheduled += 1;
      names.push(e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER && !(e.id < answerTaskEnd)) {
      local += 1;
      names.push(`${localActivityName(e.markerRecordedEventAttributes)} (local)`);
    }
  }
  return { total: scheduled + local, scheduled, local, names };
}
