/**
 * docs/performance.md from what `npm run bench` collected: the machine, then per benchmark its
 * command, settings and a table of figures against their baselines (ratio, target, met?), and its
 * notes. Pure: scripts/bench.ts gathers the inputs.
 */
import type { BenchFigure, BenchResult } from './bench';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  /** ISO date and time of the run. */
  date: string;
  commit: string;
  /** Uncommitted changes in the checkout when it ran. */
  dirty: boolean;
}

export interface BenchRunReport {
  /** appointments, pricing, ... */
  name: string;
  /** The command as run, e.g. `tsx scripts/bench-appointments.ts --n 50`. */
  command: string;
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs: number;
  /** What it recorded with recordBenchResult (one entry per call). */
  results: BenchResult[];
  /** The last lines it wrote to stderr, shown when it failed. */
  errorTail?: string[];
  /** The 1-minute load average when it started: other work on the machine skews the figures. */
  loadAtStart?: number;
}

export interface PerformanceReport {
  machine: MachineInfo;
  runs: BenchRunReport[];
  totalMs: number;
  /** How the run was sized ("default sizes", "--quick"). */
  sizing: string;
}

/** value ÷ baseline, whichever way is better; undefined without a usable baseline. */
export function figureRatio(f: BenchFigure): number | undefined {
  if (!f.baseline) return undefined;
  const { value } = f;
  const base = f.baseline.value;
  if (!Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return undefined;
  return value / base;
}

/**
 * Whether the ratio meets the target: `>=` for higher-is-better figures (throughput ≥ 0.8× the
 * baseline), `<=` for lower-is-better ones (p99 ≤ 1.5× the baseline). Undefined without a target;
 * false when there is a target but no ratio to judge (a missing or zero baseline, a NaN).
 */
export function figureMet(f: BenchFigure): boolean | undefined {
  if (!f.target) return undefined;
  const ratio = figureRatio(f);
  if (ratio === undefined) return false;
  return f.target.op === '>=' ? ratio >= f.target.ratio : ratio <= f.target.ratio;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs >= 100) return Math.round(v).toLocaleString('en-US');
  if (abs >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ratioText = (r: number) => `${r.toFixed(2)}×`;
const opText = (op: '>=' | '<=') => (op === '>=' ? '≥' : '≤');

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** metric | value | baseline | ratio | target | met? */
export function renderFigureTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => {
    const ratio = figureRatio(f);
    const met = figureMet(f);
    return [
      `${f.metric} ${f.better === 'higher' ? '↑' : '↓'}`,
      `${formatNumber(f.value)} ${f.unit}`,
      f.baseline ? `${formatNumber(f.baseline.value)} ${f.unit} (${f.baseline.label})` : '–',
      ratio === undefined ? '–' : ratioText(ratio),
      f.target ? `${opText(f.target.op)} ${f.target.ratio}×` : '–',
      met === undefined ? '–' : met ? 'yes' : '**no**',
    ].map(cell);
  });
  return [
    '| metric | value | baseline | ratio | target | met? |',
    '| --- | ---: | --- | ---: | ---: | :---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function runStatus(run: BenchRunReport): string {
  const took = formatDuration(run.durationMs);
  if (run.timedOut) return `failed: timed out after ${took} (stopped)`;
  if (run.exitCode === 0) return `ok (${took})`;
  if (run.exitCode === null) return `failed: ended by ${run.signal ?? 'a signal'} after ${took}`;
  return `failed: exit code ${run.exitCode} after ${took}`;
}

function targetsLine(run: BenchRunReport): string {
  const judged = run.results.flatMap((r) => r.figures).filter((f) => f.target);
  if (!judged.length) return '–';
  return `${judged.filter((f) => figureMet(f)).length}/${judged.length}`;
}

export function renderBenchSection(run: BenchRunReport): string {
  const load = run.loadAtStart === undefined ? '' : `; load average ${run.loadAtStart.toFixed(1)} when it started`;
  const out: string[] = [`## ${run.name}`, '', `\`${run.command}\` — ${runStatus(run)}${load}`, ''];
  const failed = run.exitCode !== 0 || run.timedOut;
  if (failed && run.errorTail?.length) out.push('Its last words on stderr:', '', '```', ...run.errorTail, '```', '');
  if (!run.results.length) {
    out.push(failed ? 'No figures recorded before it failed.' : 'It finished but recorded no figures (it does not call recordBenchResult).', '');
  }
  for (const r of run.results) {
    out.push(`### ${r.title}`, '');
    const settings = Object.entries(r.settings);
    if (settings.length) out.push(`Settings: ${settings.map(([k, v]) => `${k} ${String(v)}`).join(', ')}.`, '');
    out.push(r.figures.length ? renderFigureTable(r.figures) : 'No figures.', '');
    if (r.notes?.length) out.push(...r.notes.map((n) => `- ${n}`), '');
  }
  return out.join('\n');
}

export function renderSummary(runs: readonly BenchRunReport[]): string {
  return [
    '| benchmark | result | targets met |',
    '| --- | --- | ---: |',
    ...runs.map((run) => `| ${cell(run.name)} | ${cell(runStatus(run))} | ${targetsLine(run)} |`),
  ].join('\n');
}

export function renderPerformanceDoc(report: PerformanceReport): string {
  const m = report.machine;
  return [
    '# Performance',
    '',
    'Written by `npm run bench` (scripts/bench.ts): each benchmark runs alone, one after the other, on its own Temporal dev server',
    'and scratch database, and measures its baselines (bare Temporal on the same server with the same worker options, or the',
    'direct code path) in the same run. Ratio = value ÷ baseline; ↑ higher is better, ↓ lower is better; targets are those of',
    'issue 16. Figures from one run on one machine: compare ratios, not absolute numbers, across machines.',
    '',
    '## Machine',
    '',
    `- ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB memory, ${m.os}`,
    `- Node ${m.node}, Temporal CLI ${m.temporalCli}`,
    `- ${m.date}, commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}`,
    `- ${report.sizing}; the whole run took ${formatDuration(report.totalMs)}`,
    '',
    '## Summary',
    '',
    renderSummary(report.runs),
    '',
    ...report.runs.map(renderBenchSection),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()
    .concat('\n');
}

/** The figures as an aligned plain-text table for a terminal (met / NOT MET painted when given). */
export function renderFigureText(
  figures: readonly BenchFigure[],
  valueHeader = 'value',
  paint: { met: (s: string) => string; notMet: (s: string) => string } = { met: (s) => s, notMet: (s) => s },
): string {
  const num = (v: number, unit: string) => (unit === 'ms' ? `${Number.isFinite(v) ? Math.round(v) : '–'} ms` : `${formatNumber(v)} ${unit}`);
  const rows = figures.map((f) => {
    const ratio = figureRatio(f);
    const met = figureMet(f);
    return [
      f.metric,
      num(f.value, f.unit),
      f.baseline ? num(f.baseline.value, f.unit) : '–',
      ratio === undefined ? '–' : ratioText(ratio),
      f.target ? `${opText(f.target.op)} ${f.target.ratio}×` : '',
      met === undefined ? '' : met ? 'met' : 'NOT MET',
    ];
  });
  const head = ['', valueHeader, 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `  ${r
      .map((c, i) => {
        const padded = i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!);
        return c === 'met' ? paint.met(padded) : c === 'NOT MET' ? paint.notMet(padded) : padded;
      })
      .join('  ')
      .trimEnd()}`;
  return [line(head), ...rows.map(line)].join('\n');
}
