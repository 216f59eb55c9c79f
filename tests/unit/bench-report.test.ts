import type { BenchFigure } from '../../scripts/kit/bench';
import { figureMet, figureRatio, renderFigureTable, renderPerformanceDoc, type BenchRunReport, type MachineInfo } from '../../scripts/kit/bench-report';

const throughput = (value: number, base: number): BenchFigure => ({
  metric: 'recoveries/s at 50 concurrent',
  value,
  unit: '/s',
  baseline: { value: base, label: 'bare workflow, 7 no-op activities' },
  better: 'higher',
  target: { ratio: 0.8, op: '>=' },
});

const p99 = (value: number, base: number): BenchFigure => ({
  metric: 'approval → done p99 at 50 concurrent',
  value,
  unit: 'ms',
  baseline: { value: base, label: 'bare workflow, 7 no-op activities' },
  better: 'lower',
  target: { ratio: 1.5, op: '<=' },
});

const machine: MachineInfo = {
  cpus: 2,
  cpuModel: 'Test CPU',
  memoryGiB: 8,
  os: 'Linux 6.1 x64',
  node: 'v20.19.0',
  temporalCli: '1.3.0 (Server 1.27.1)',
  date: '2026-12-03T07:00:00Z',
  commit: 'abc1234',
  dirty: false,
};

describe('benchmark figures against their baselines', () => {
  test('higher is better: the ratio is value ÷ baseline and meets a ≥ target at or above it', () => {
    expect(figureRatio(throughput(8, 10))).toBeCloseTo(0.8);
    expect(figureMet(throughput(8, 10))).toBe(true);
    expect(figureMet(throughput(12, 10))).toBe(true);
    expect(figureMet(throughput(7.9, 10))).toBe(false);
  });

  test('lower is better: the ratio is value ÷ baseline and meets a ≤ target at or below it', () => {
    expect(figureRatio(p99(300, 200))).toBeCloseTo(1.5);
    expect(figureMet(p99(300, 200))).toBe(true);
    expect(figureMet(p99(100, 200))).toBe(true);
    expect(figureMet(p99(301, 200))).toBe(false);
  });

  test('no ratio without a usable baseline; a target then counts as not met', () => {
    const noBaseline: BenchFigure = { metric: 'emails/s', value: 100, unit: '/s', better: 'higher' };
    expect(figureRatio(noBaseline)).toBeUndefined();
    expect(figureMet(noBaseline)).toBeUndefined();
    expect(figureRatio(throughput(5, 0))).toBeUndefined();
    expect(figureMet(throughput(5, 0))).toBe(false);
    expect(figureMet(throughput(NaN, 10))).toBe(false);
    expect(figureMet({ ...throughput(5, 10), target: undefined })).toBeUndefined();
  });

  test('the table shows value, baseline, ratio, target and met? per figure', () => {
    const table = renderFigureTable([throughput(4, 10), p99(250, 200), { metric: 'p50 | alone', value: 110, unit: 'ms', better: 'lower' }]);
    const lines = table.split('\n');
    expect(lines[0]).toBe('| metric | value | baseline | ratio | target | met? |');
    expect(lines[2]).toBe('| recoveries/s at 50 concurrent ↑ | 4.00 /s | 10.0 /s (bare workflow, 7 no-op activities) | 0.40× | ≥ 0.8× | **no** |');
    expect(lines[3]).toBe('| approval → done p99 at 50 concurrent ↓ | 250 ms | 200 ms (bare workflow, 7 no-op activities) | 1.25× | ≤ 1.5× | yes |');
    // A pipe in a metric would split the cell.
    expect(lines[4]).toBe('| p50 \\| alone ↓ | 110 ms | – | – | – | – |');
  });
});

describe('docs/performance.md', () => {
  const ok: BenchRunReport = {
    name: 'appointments',
    command: 'tsx scripts/bench-appointments.ts --n 50',
    exitCode: 0,
    durationMs: 95_000,
    loadAtStart: 0.42,
    results: [
      {
        bench: 'appointments',
        title: 'Appointment recoveries against bare Temporal',
        settings: { n: 50, K: 7 },
        figures: [throughput(9, 10), p99(400, 200)],
        notes: ['K counted from a recovery’s history.'],
      },
    ],
  };
  const failed: BenchRunReport = {
    name: 'campaign',
    command: 'tsx scripts/bench-campaign.ts --recipients 10000',
    exitCode: 1,
    durationMs: 30_000,
    results: [],
    errorTail: ['benchmark failed: Error: SMTP refused'],
  };
  const silent: BenchRunReport = { name: 'training', command: 'tsx scripts/bench-training.ts', exitCode: 0, durationMs: 61_000, results: [] };

  const doc = renderPerformanceDoc({ machine, runs: [ok, failed, silent], totalMs: 186_000, sizing: 'default sizes' });

  test('names the machine and the commit', () => {
    expect(doc).toContain('- 2 CPUs (Test CPU), 8.0 GiB memory, Linux 6.1 x64');
    expect(doc).toContain('- Node v20.19.0, Temporal CLI 1.3.0 (Server 1.27.1)');
    expect(doc).toContain('commit abc1234');
    expect(doc).toContain('the whole run took 3m 06s');
  });

  test('summarises each benchmark with the targets it met', () => {
    expect(doc).toContain('| appointments | ok (1m 35s) | 1/2 |');
    expect(doc).toContain('| campaign | failed: exit code 1 after 30s | – |');
    expect(doc).toContain('| training | ok (1m 01s) | – |');
  });

  test('a failed benchmark is reported with its exit code and last words, not dropped', () => {
    expect(doc).toContain('## campaign');
    expect(doc).toContain('failed: exit code 1 after 30s');
    expect(doc).toContain('benchmark failed: Error: SMTP refused');
    expect(doc).toContain('No figures recorded before it failed.');
  });

  test('a benchmark that records nothing says so', () => {
    expect(doc).toContain('It finished but recorded no figures');
  });

  test('settings, table and notes of a benchmark', () => {
    expect(doc).toContain('`tsx scripts/bench-appointments.ts --n 50` — ok (1m 35s); load average 0.4 when it started');
    expect(doc).toContain('Settings: n 50, K 7.');
    expect(doc).toContain('| recoveries/s at 50 concurrent ↑ | 9.00 /s | 10.0 /s (bare workflow, 7 no-op activities) | 0.90× | ≥ 0.8× | yes |');
    expect(doc).toContain('| approval → done p99 at 50 concurrent ↓ | 400 ms | 200 ms (bare workflow, 7 no-op activities) | 2.00× | ≤ 1.5× | **no** |');
    expect(doc).toContain('- K counted from a recovery’s history.');
    expect(doc.endsWith('\n')).toBe(true);
    expect(doc).not.toMatch(/\n{3}/);
  });
});
