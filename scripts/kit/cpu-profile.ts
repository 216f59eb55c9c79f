/**
 * A CPU profile of the bench process over one measured phase, for finding where its time goes:
 * set BENCH_CPU_PROFILE_DIR and the phase wrapped in `profiled` writes
 * `<dir>/<bench>-<phase>.cpuprofile` (open it in Chrome DevTools, or summarise it with
 * `tsx scripts/kit/cpu-profile.ts <file>`). Without the variable `profiled` only runs the phase.
 * The profile covers this process's main thread: the API, the activities, the SMTP capture and the
 * client; workflow code runs in the worker's threads and the Temporal server and Postgres elsewhere
 * (the CPU sampler splits those).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Starts profiling when BENCH_CPU_PROFILE_DIR is set; the returned function stops and writes the profile. */
export async function startCpuProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`CPU profile of ${name}: ${file}\n`);
  };
}

export async function profiled<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const stop = await startCpuProfile(name);
  try {
    return await phase();
  } finally {
    await stop();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function and by package/file, the top `limit` of each. */
export function summariseProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, limit = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const place = (url: string) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1]!;
    if (url.startsWith('node:')) return url;
    return url ? url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '') : '(native)';
  };
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const where = place(n.callFrame.url);
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    pkg.set(where, (pkg.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, '', 'by package or file (self time):', ...top(pkg), '', 'by function (self time):', ...top(fn)].join(
    '\n',
  );
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('Usage: tsx scripts/kit/cpu-profile.ts <file.cpuprofile> [limit]');
    process.exit(2);
  }
  console.log(summariseProfile(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 30)));
}
