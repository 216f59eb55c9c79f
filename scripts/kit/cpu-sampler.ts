/**
 * Where a machine's cores went during a benchmark phase: CPU time of this process (the bench, its
 * in-process worker and client), of the bench's Temporal dev server, of the Postgres backends
 * serving the bench's database, and of everything else on the machine (other users' work,
 * Postgres' shared processes), read from /proc in the background. Linux only; elsewhere `between`
 * answers undefined and the benches print no split.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const CPU_GROUPS = ['bench process', 'Temporal server', 'Postgres', 'other processes'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];
export type CpuSeconds = Record<CpuGroup, number>;

/** USER_HZ: /proc reports CPU time in these ticks (100 on every Linux the project runs on). */
const TICKS_PER_SECOND = 100;
/** The process list is read again every this many samples (a new Postgres backend, a new server). */
const RESCAN_EVERY = 8;

interface Sample {
  at: number;
  seconds: CpuSeconds;
}

/** utime + stime of a process, seconds; undefined when it is gone. */
function processSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "(comm) ": state ppid ... utime (the 14th field of the line), stime (the 15th).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy (every core, everything but idle and iowait). */
function machineSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

export class CpuSampler {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private watched: { temporal: number[]; postgres: number[] } = { temporal: [], postgres: [] };
  private taken = 0;

  /**
   * `temporalRootPid`: the process the bench's Temporal dev server runs under (its watchdog), it and
   * its descendants count as the server. `database`: the Postgres backends connected to it count.
   */
  constructor(private readonly opts: { everyMs?: number; temporalRootPid?: number; database?: string } = {}) {}

  static get available(): boolean {
    return existsSync('/proc/self/stat') && existsSync('/proc/stat');
  }

  set temporalRootPid(pid: number | undefined) {
    this.opts.temporalRootPid = pid;
    this.taken = 0; // rescan at the next sample
  }

  start(): void {
    if (!CpuSampler.available || this.timer) return;
    this.take();
    this.timer = setInterval(() => this.take(), this.opts.everyMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Which processes are the server's and the database's (a scan of /proc). */
  private scan(): void {
    const parent = new Map<number, number>();
    const backends: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        // A backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>".
        if (this.opts.database && stat.includes('(postgres)')) {
          const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
          if (title.split(/\s+/).includes(this.opts.database)) backends.push(pid);
        }
      } catch {
        // gone meanwhile
      }
    }
    const root = this.opts.temporalRootPid;
    const underRoot = (pid: number): boolean => {
      for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 16; p = parent.get(p), depth++) if (p === root) return true;
      return false;
    };
    this.watched = { temporal: root === undefined ? [] : [...parent.keys()].filter(underRoot), postgres: backends };
  }

  /**
   * Takes a sample now (phase boundaries the caller knows exactly). `rescan`: read the process list
   * first, so Postgres backends a phase opened (a new pool) count from this sample on, not from the
   * next periodic rescan (their CPU in between would count as other processes).
   */
  take(opts: { rescan?: boolean } = {}): void {
    if (!CpuSampler.available) return;
    if (this.taken++ % RESCAN_EVERY === 0 || opts.rescan) this.scan();
    const sum = (pids: number[]) => pids.reduce((n, pid) => n + (processSeconds(pid) ?? 0), 0);
    const usage = process.cpuUsage();
    const bench = (usage.user + usage.system) / 1e6;
    const temporal = sum(this.watched.temporal);
    const postgres = sum(this.watched.postgres);
    const seconds: CpuSeconds = {
      'bench process': bench,
      'Temporal server': temporal,
      Postgres: postgres,
      'other processes': machineSeconds() - bench - temporal - postgres,
    };
    this.samples.push({ at: Date.now(), seconds });
  }

  /**
   * CPU seconds per group from `from` to `to` (epoch ms), between the samples taken first at or
   * after each instant (so a phase is measured at most one sampling interval late). A process that
   * ended or started in between moves time between groups: a figure is at least 0.
   */
  between(from: number, to: number): CpuSeconds | undefined {
    const after = (t: number) => this.samples.find((s) => s.at >= t) ?? this.samples.at(-1);
    const a = after(from);
    const b = after(to);
    if (!a || !b || b.at <= a.at) return undefined;
    return Object.fromEntries(CPU_GROUPS.map((g) => [g, Math.max(0, b.seconds[g] - a.seconds[g])])) as CpuSeconds;
  }
}

/** A measured phase: its units of work, its window (epoch ms) and its main thread's event-loop utilisation (0..1). */
export interface CpuPhase {
  label: string;
  units: number;
  window: { from: number; to: number };
  mainThreadBusy: number;
}

/**
 * "CPU per <label>: bench process … ms, …; the bench's main thread 84 % busy." for each phase (the
 * flow, then its baseline in the same run); nothing when the sampler has no figure for one of them.
 */
export function cpuComparison(sampler: CpuSampler, phases: readonly CpuPhase[]): string[] {
  const cpu = phases.map((p) => sampler.between(p.window.from, p.window.to));
  if (cpu.some((c) => c === undefined)) return [];
  return phases.map(
    (p, i) =>
      `CPU per ${p.label}: ${formatCpuPer(cpu[i]!, p.units, p.window.to - p.window.from, cpus().length)}; the bench's main thread ${(100 * p.mainThreadBusy).toFixed(0)} % busy.`,
  );
}

/** "bench process 4.3 s, Temporal server 1.6 s, …" */
export function formatCpu(cpu: CpuSeconds): string {
  return CPU_GROUPS.map((g) => `${g} ${cpu[g].toFixed(1)} s`).join(', ');
}

/** "bench process 112 ms, Temporal server 40 ms, Postgres 31 ms …; 183 ms in all, cores 96 % busy": CPU per unit of work, and how busy the cores were. */
export function formatCpuPer(cpu: CpuSeconds, units: number, phaseMs: number, cores: number): string {
  const total = CPU_GROUPS.reduce((n, g) => n + cpu[g], 0);
  // Whole milliseconds for a recovery, two decimals for an email.
  const ms = (seconds: number) => {
    const v = (1000 * seconds) / units;
    return `${v >= 10 ? v.toFixed(0) : v.toFixed(2)} ms`;
  };
  const parts = CPU_GROUPS.map((g) => `${g} ${ms(cpu[g])}`).join(', ');
  return `${parts}; ${ms(total)} in all, cores ${((100 * total) / ((phaseMs / 1000) * cores)).toFixed(0)} % busy`;
}
