/**
 * The chaos soak's short version in CI: `npm run soak -- --short` as a child process, on its own
 * dev server, database, SMTP and simulator (not the global setup's), about 100 runs of the five
 * processes with at least one worker SIGKILLed, the dev server restarted, SMTP and the simulators
 * failing for a while (no Postgres restart: CI's Postgres is shared). It must exit 0: every run
 * final, nothing sent twice or lost, as SMTP, the simulator and Postgres recorded it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const TIMEOUT_MS = 14 * 60_000;

function runSoak(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'soak.ts'), ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS - 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test(
  'the short chaos soak: every run final, no duplicate or lost email, PO, price push or decision',
  async () => {
    const { code, output } = await runSoak(['--short']);
    const summary = output.slice(output.indexOf('Runs by process and final state'));
    if (code !== 0) throw new Error(`npm run soak -- --short exited ${code}:\n${output.slice(-8000)}`);
    expect(summary).toContain('No breach.');
    expect(Number(/worker SIGKILLs survived: (\d+)/.exec(summary)?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
    expect(Number(/Temporal dev server restarts survived: (\d+)/.exec(summary)?.[1] ?? 0)).toBe(1);
    expect(summary).toMatch(/duplicates found: emails 0, purchase orders 0, price pushes 0/);
  },
  TIMEOUT_MS,
);
