/** What the benchmark scripts share: terminal styling, option parsing, prerequisites, bounded concurrency. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findTemporalBinary, REPO_ROOT } from '../temporal-dev';

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const note = (msg: string) => process.stderr.write(`${dim('[bench]')} ${msg}\n`);
export const now = () => performance.now();
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export class UsageError extends Error {}

/**
 * Parses `--name value` flags strictly (unknown flags are usage errors); `--help` prints the usage
 * and exits. `int` reads an integer flag within bounds.
 */
export function parseBenchOptions(argv: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string) {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got ${String(raw)})`);
    return v;
  };
  return { values, int };
}

/** Runs fn over items, `limit` at a time, in order; stops taking new items after a failure or when `stop()` says so. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const runner = async () => {
    while (!failed && !stop() && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  return out;
}

/** What a fresh checkout lacks after `npm install` (the steps scripts/lib.sh takes for npm test). */
export function ensurePrerequisites(): void {
  const client = join(REPO_ROOT, 'generated', 'prisma', 'client.ts');
  const schema = join(REPO_ROOT, 'prisma', 'schema.prisma');
  if (!existsSync(client) || statSync(schema).mtimeMs > statSync(client).mtimeMs) {
    note('generating the Prisma client (scripts/prisma-generate.sh)');
    execFileSync('bash', [join(REPO_ROOT, 'scripts', 'prisma-generate.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!findTemporalBinary()) {
    note('the Temporal CLI is missing: installing it (scripts/install-temporal.sh)');
    process.env.TEMPORAL_BIN = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-temporal.sh')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    }).trim();
  }
}

/** One figure of a benchmark, beside the baseline it is compared with (measured in the same run). */
export interface BenchFigure {
  /** What is measured, e.g. "recoveries/s at 50 concurrent". */
  metric: string;
  value: number;
  unit: string;
  /** The same figure for the baseline, and what the baseline is ("bare workflow, 6 no-op activities"). */
  baseline?: { value: number; label: string };
  /** Higher is better (throughput) or lower is better (latency): how the ratio reads. */
  better: 'higher' | 'lower';
  /** The target for the ratio, e.g. ">= 0.8x"; met is computed by the runner. */
  target?: { ratio: number; op: '>=' | '<=' };
}

export interface BenchResult {
  bench: string;
  title: string;
  /** Options and settings the figures were measured with. */
  settings: Record<string, string | number | boolean>;
  figures: BenchFigure[];
  /** Free-text observations (what limits it, checks passed). */
  notes?: string[];
}

/**
 * When BENCH_RESULTS_FILE is set (by `npm run bench`), appends this benchmark's figures to it as one
 * JSON line; the runner turns the lines into docs/performance.md. Alone, a bench only prints.
 */
export function recordBenchResult(result: BenchResult): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(result)}\n`);
}
