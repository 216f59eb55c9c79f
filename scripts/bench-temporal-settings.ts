/**
 * `npm run bench:temporal-settings [-- --steps 8 --sequential 15 --n 100]`
 *
 * What Temporal's own settings do for this project's workloads, one change at a time: a workflow of
 * --steps no-op steps in sequence (the shape of a process after its approval), run --sequential
 * times one after the other (latency) and --n at once (throughput), on a fresh in-memory dev server
 * per variant with a worker in this process:
 *
 *   dev server and SDK defaults             the baseline every ratio is against
 *   + one task-queue partition              matching.numTaskqueue{Read,Write}Partitions = 1
 *   + eager activity dispatch               system.enableActivityEagerExecution = true
 *   project server settings                 both (scripts/temporal-dev.ts DEV_SERVER_DYNAMIC_CONFIG)
 *   + project worker tuning                 platform/worker-options.ts (slots, sticky cache)
 *   + resource-based tuner                  slots sized by CPU and memory use instead of fixed numbers
 *   + local activities                      the steps as local activities (project settings and tuning)
 *
 * Prints latency p50/p99 and runs/s per variant and their ratios to the baseline, measured in the
 * same run, and records them for `npm run bench` (docs/performance.md).
 */
import type { ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { workerTuning } from '../platform/worker-options';
import { freePort } from './kit/infra';
import { bold, dim, ensurePrerequisites, note, now, parseBenchOptions, recordBenchResult, UsageError, type BenchFigure } from './kit/bench';
import { DEV_SERVER_DYNAMIC_CONFIG, requireTemporalBinary, startDevServer, stopProcess, waitForTemporal } from './temporal-dev';

const USAGE = `Usage: npm run bench:temporal-settings -- [--steps 8] [--sequential 15] [--n 100]
  --steps       no-op steps per workflow, one after the other (default 8)
  --sequential  workflows run one at a time per variant, for latency (default 15)
  --n           workflows started at once per variant, for throughput (default 100)`;

const BASE_CONFIG = {
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  'frontend.enableUpdateWorkflowExecution': true,
} as const;
const ONE_PARTITION = { 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 } as const;
const EAGER = { 'system.enableActivityEagerExecution': true } as const;

interface Variant {
  name: string;
  dynamicConfig: Record<string, string | number | boolean>;
  worker: Partial<WorkerOptions>;
  local: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'dev server and SDK defaults', dynamicConfig: BASE_CONFIG, worker: {}, local: false },
  { name: '+ one task-queue partition', dynamicConfig: { ...BASE_CONFIG, ...ONE_PARTITION }, worker: {}, local: false },
  { name: '+ eager activity dispatch', dynamicConfig: { ...BASE_CONFIG, ...EAGER }, worker: {}, local: false },
  { name: 'project server settings', dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG, worker: {}, local: false },
  { name: '+ project worker tuning', dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG, worker: workerTuning(), local: false },
  {
    name: '+ resource-based tuner',
    dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
    worker: { maxCachedWorkflows: workerTuning().maxCachedWorkflows, tuner: { tunerOptions: { targetCpuUsage: 0.8, targetMemoryUsage: 0.8 } } },
    local: false,
  },
  { name: '+ local activities', dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG, worker: workerTuning(), local: true },
];

interface Measured {
  variant: Variant;
  p50: number;
  p99: number;
  perSecond: number;
  concurrentP99: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

async function measure(v: Variant, o: { steps: number; sequential: number; n: number }, workflowBundle: { code: string }): Promise<Measured> {
  const bin = requireTemporalBinary();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const connections: { close(): Promise<void> }[] = [];
  try {
    server = startDevServer({ bin, ip: '127.0.0.1', port, headless: true, searchAttributes: [], dynamicConfig: v.dynamicConfig, logLevel: 'error' });
    await waitForTemporal(bin, address, { child: server, timeoutMs: 30_000 });
    const connection = await Connection.connect({ address });
    connections.push(connection);
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address });
    connections.push(native);
    const taskQueue = 'settings';
    worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities: { step: async () => undefined }, ...v.worker });
    running = worker.run();
    let id = 0;
    const run = async () => {
      const t = now();
      await client.workflow.execute('sequentialSteps', { taskQueue, workflowId: `steps-${id++}`, args: [o.steps, v.local] });
      return now() - t;
    };
    await run(); // warm-up: bundle load, sticky cache, pollers
    const alone: number[] = [];
    for (let i = 0; i < o.sequential; i++) alone.push(await run());
    alone.sort((a, b) => a - b);
    const t0 = now();
    const together = (await Promise.all(Array.from({ length: o.n }, run))).sort((a, b) => a - b);
    const perSecond = o.n / ((now() - t0) / 1000);
    return { variant: v, p50: pct(alone, 50), p99: pct(alone, 99), perSecond, concurrentP99: pct(together, 99) };
  } finally {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    for (const c of connections) await c.close().catch(() => undefined);
    if (server) await stopProcess(server, 5_000);
  }
}

async function main(): Promise<void> {
  const { int } = parseBenchOptions(process.argv.slice(2), { steps: { type: 'string' }, sequential: { type: 'string' }, n: { type: 'string' } }, USAGE);
  const o = { steps: int('steps', 8, 1, 100), sequential: int('sequential', 15, 3, 1000), n: int('n', 100, 1, 5000) };
  ensurePrerequisites();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./kit/settings-workflows'), logger: new DefaultLogger('ERROR') });
  const results: Measured[] = [];
  for (const [i, v] of VARIANTS.entries()) {
    note(`${i + 1}/${VARIANTS.length} ${v.name} (load average ${loadavg()[0]!.toFixed(1)})`);
    results.push(await measure(v, o, workflowBundle));
  }

  const base = results[0]!;
  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`\n${bold(`Temporal settings: ${o.steps} no-op steps per workflow`)}`);
  console.log(dim(`  ${cpus().length} cores, Node ${process.version}; ${o.sequential} one at a time, then ${o.n} at once; a fresh dev server per variant\n`));
  const rows = results.map((r) => [
    r.variant.name,
    f(r.p50),
    `${(r.p50 / base.p50).toFixed(2)}×`,
    f(r.p99),
    `${r.perSecond.toFixed(1)}/s`,
    `${(r.perSecond / base.perSecond).toFixed(2)}×`,
    f(r.concurrentP99),
  ]);
  const header = ['variant', 'alone p50', 'vs defaults', 'alone p99', `${o.n} at once`, 'vs defaults', `p99 of ${o.n}`];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));

  const figures: BenchFigure[] = results.slice(1).flatMap((r) => [
    {
      metric: `${r.variant.name}: workflow of ${o.steps} steps alone, p50`,
      value: Math.round(r.p50),
      unit: 'ms',
      baseline: { value: Math.round(base.p50), label: 'dev server and SDK defaults' },
      better: 'lower' as const,
    },
    {
      metric: `${r.variant.name}: ${o.n} at once`,
      value: Number(r.perSecond.toFixed(1)),
      unit: 'runs/s',
      baseline: { value: Number(base.perSecond.toFixed(1)), label: 'dev server and SDK defaults' },
      better: 'higher' as const,
    },
  ]);
  recordBenchResult({
    bench: 'temporal-settings',
    title: `Temporal settings, one at a time: ${o.steps} no-op steps per workflow`,
    settings: { steps: o.steps, sequential: o.sequential, concurrent: o.n, cores: cpus().length },
    figures,
    notes: [
      'Each variant adds one change to the row above it (the first four rows: server dynamic config; then worker options; then local activities); ratios are against the dev server and SDK defaults in the same run.',
      'Eager workflow start is not measured: it needs the starter to share its connection with a worker, and here the API (which starts processes) runs apart from the workers.',
    ],
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? `${err.message}\n\n${USAGE}` : err);
  process.exit(err instanceof UsageError ? 2 : 1);
});
