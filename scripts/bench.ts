/**
 * `npm run bench [-- --quick] [--only appointments,pricing] [--timeout-minutes 10] [--out docs/performance.md]
 *                [--appointments "--n 20"] …`
 *
 * Runs every process benchmark (bench:appointments, pricing, campaign, replenishment, training),
 * one after the other, each a child process of its own (its own dev server and scratch database,
 * as when run alone) with sizes that keep the whole run to about 20 minutes on a 2-core machine
 * (--quick: a few minutes, to check the run works; the figures are too small to mean much). Each
 * records its figures and baselines (recordBenchResult) in a file named by BENCH_RESULTS_FILE; the
 * runner then writes docs/performance.md (scripts/kit/bench-report.ts): the machine, and per
 * benchmark the command, settings, metric | value | baseline | ratio | target | met?, and notes. A
 * benchmark that fails or times out is reported as failed, with its exit code and last stderr lines.
 *
 * Exit status: 0 when every benchmark exited 0 (targets missed do not fail the run), 1 otherwise,
 * 2 on a usage error, 130 when interrupted (then no document is written).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { findTemporalBinary, REPO_ROOT } from './temporal-dev';
import { bold, ensurePrerequisites, note, now, red, UsageError, type BenchResult } from './kit/bench';
import { renderBenchSection, renderPerformanceDoc, renderSummary, runStatus, type BenchRunReport, type MachineInfo } from './kit/bench-report';

interface BenchSpec {
  name: string;
  script: string;
  /** Sizes for the full run (about 20 minutes in all on 2 cores). */
  sizes: string[];
  quick: string[];
}

const BENCHES: BenchSpec[] = [
  {
    name: 'appointments',
    script: 'scripts/bench-appointments.ts',
    // 20 alone: a p50 of 5 decisions moved by a third between runs.
    sizes: ['--n', '50', '--baseline', '20'],
    quick: ['--n', '10', '--baseline', '3', '--get-seconds', '2'],
  },
  {
    name: 'pricing',
    script: 'scripts/bench-pricing.ts',
    sizes: ['--n', '300', '--concurrency', '50', '--baseline', '10', '--decisions', '50', '--decisions-alone', '20'],
    quick: ['--n', '40', '--baseline', '3', '--decisions', '10', '--decisions-alone', '3', '--get-seconds', '2'],
  },
  {
    name: 'campaign',
    script: 'scripts/bench-campaign.ts',
    sizes: ['--recipients', '10000', '--baseline', '1000'],
    quick: ['--recipients', '1000', '--baseline', '200'],
  },
  {
    name: 'replenishment',
    script: 'scripts/bench-replenishment.ts',
    sizes: ['--stores', '8', '--skus', '1000'],
    quick: ['--stores', '2', '--skus', '200', '--history', '60'],
  },
  {
    name: 'temporal-settings',
    script: 'scripts/bench-temporal-settings.ts',
    sizes: ['--steps', '8', '--sequential', '15', '--n', '100'],
    quick: ['--steps', '8', '--sequential', '5', '--n', '30'],
  },
  { name: 'training', script: 'scripts/bench-training.ts', sizes: ['--series', '2000'], quick: ['--series', '200', '--days', '365', '--stores', '4'] },
];

const USAGE = `Usage: npm run bench -- [--quick] [--only ${BENCHES.map((b) => b.name).join(',')}] [--timeout-minutes 10] [--out docs/performance.md]
                      [--<bench> "<its own flags>"]
  --quick            small sizes: checks the whole run works in a few minutes
  --only             the benchmarks to run, comma-separated (default: all, in this order)
  --timeout-minutes  a benchmark still running after this is stopped and reported failed (default 10)
  --out              where the report goes (default docs/performance.md)
  --<bench> "…"      flags for one benchmark, appended to its sizes (later flags win), e.g. --pricing "--n 500"
Sizes: ${BENCHES.map((b) => `\n  ${b.name.padEnd(14)} ${b.sizes.join(' ')}   (--quick: ${b.quick.join(' ')})`).join('')}`;

interface Options {
  quick: boolean;
  only: BenchSpec[];
  timeoutMs: number;
  out: string;
  extra: Record<string, string[]>;
}

function parseOptions(argv: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        'timeout-minutes': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(BENCHES.map((b) => [b.name, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const names = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()) : BENCHES.map((b) => b.name);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) throw new UsageError(`--only: no benchmark named ${unknown.join(', ')}`);
  const minutes = values['timeout-minutes'] === undefined ? 10 : Number(values['timeout-minutes']);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError('--timeout-minutes must be a positive number');
  const extra = Object.fromEntries(
    BENCHES.map((b) => [b.name, typeof values[b.name] === 'string' ? (values[b.name] as string).split(/\s+/).filter(Boolean) : []]),
  );
  return {
    quick: values.quick === true,
    only: BENCHES.filter((b) => names.includes(b.name)),
    timeoutMs: minutes * 60_000,
    out: typeof values.out === 'string' ? values.out : join(REPO_ROOT, 'docs', 'performance.md'),
    extra,
  };
}

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

function readResults(file: string): BenchResult[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as BenchResult];
      } catch {
        return [];
      }
    });
}

/** Terminal colour and cursor codes, left out of the stderr lines kept for the report. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;

function runBench(spec: BenchSpec, args: string[], index: number, total: number, runStart: number, opts: Options, dir: string): Promise<BenchRunReport> {
  const resultsFile = join(dir, `${spec.name}.jsonl`);
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const command = `tsx ${spec.script} ${args.join(' ')}`.trim();
  const label = `${spec.name} (${index + 1}/${total})`;
  note(bold(`${label}: ${command}`));
  const t0 = now();
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > cpus().length)
    note(`${label}: the machine is busy (load average ${loadAtStart.toFixed(1)} on ${cpus().length} CPUs): the figures will suffer`);
  return new Promise((resolve) => {
    const child = spawn(tsx, [spec.script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    current = child;
    const tail: string[] = [];
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      tail.push(...lines.map((l) => l.replace(ANSI, '')).filter((l) => l.trim()));
      tail.splice(0, Math.max(0, tail.length - 15));
    });
    const progress = setInterval(() => note(`${label}: ${clock(now() - t0)} elapsed (whole run ${clock(now() - runStart)})`), 30_000);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => {
      timedOut = true;
      note(red(`${label}: still running after ${clock(opts.timeoutMs)}: stopping it (SIGTERM)`));
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    }, opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearInterval(progress);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      current = undefined;
      if (partial.trim()) tail.push(partial);
      const report: BenchRunReport = {
        name: spec.name,
        command,
        exitCode: code,
        signal,
        timedOut,
        durationMs: now() - t0,
        results: readResults(resultsFile),
        errorTail: tail.slice(-15),
        loadAtStart,
      };
      note(`${label}: ${runStatus(report)}`);
      resolve(report);
    });
  });
}

function machineInfo(): MachineInfo {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const bin = findTemporalBinary();
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    temporalCli: (bin && run(bin, ['--version']).replace(/^temporal version\s*/i, '')) || 'unknown',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: run('git', ['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: run('git', ['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write(`\n${sig}: stopping the running benchmark; no report is written (${sig} again to exit at once)\n`);
      current?.kill(sig);
    });
  }
  ensurePrerequisites();
  const machine = machineInfo();
  const dir = mkdtempSync(join(tmpdir(), 'retail-ops-bench-'));
  const runStart = now();
  const runs: BenchRunReport[] = [];
  try {
    for (const [i, spec] of opts.only.entries()) {
      const args = [...(opts.quick ? spec.quick : spec.sizes), ...opts.extra[spec.name]!];
      runs.push(await runBench(spec, args, i, opts.only.length, runStart, opts, dir));
      if (interrupted) return 130;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const totalMs = now() - runStart;
  const doc = renderPerformanceDoc({
    machine,
    runs,
    totalMs,
    sizing: opts.quick ? '`--quick` sizes (a check that the run works; the figures are too small to mean much)' : 'default sizes of `npm run bench`',
  });
  writeFileSync(opts.out, doc);

  console.log(`\n${bold(`npm run bench: ${runs.length} benchmarks in ${clock(totalMs)}`)}\n`);
  console.log(renderSummary(runs));
  for (const run of runs) console.log(`\n${renderBenchSection(run)}`);
  console.log(`\nWritten to ${relative(process.cwd(), opts.out) || opts.out}`);
  return runs.every((r) => r.exitCode === 0 && !r.timedOut) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
