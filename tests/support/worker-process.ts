import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowBundle } from '../../scripts/kit/harness';

/** A Temporal worker in a child process of its own (worker-process-main.ts), to be killed for real. */
export interface WorkerProcess {
  pid: number;
  /** SIGKILL: no shutdown, no activity completion, no goodbye to the server; resolves once it is gone. */
  kill(): Promise<NodeJS.Signals | null>;
  /** stderr so far (for failure messages). */
  output(): string;
}

let bundlePath: Promise<string> | undefined;
let bundleDir: string | undefined;
/** The harness's workflow bundle, written once to a file the child loads (bundling again would take seconds). */
function bundleFile(): Promise<string> {
  bundlePath ??= workflowBundle().then((b) => {
    bundleDir = mkdtempSync(join(tmpdir(), 'retail-ops-worker-'));
    const file = join(bundleDir, 'workflow-bundle.js');
    writeFileSync(file, b.code);
    return file;
  });
  return bundlePath;
}

const children = new Set<ChildProcess>();

/** Starts the worker process on `taskQueue`, sending mail to the capture server on `smtpPort`; resolves once it polls. */
export async function startWorkerProcess(opts: {
  taskQueue: string;
  smtpPort: number;
  readyTimeoutMs?: number;
  /** Serve the SDK's Prometheus endpoint (platform/worker-runtime.ts) on this port. */
  metricsPort?: number;
}): Promise<WorkerProcess> {
  const codePath = await bundleFile();
  // node itself (not the tsx CLI, which would run the worker in a grandchild) so the pid is the worker's.
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-process-main.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      WORKER_TASK_QUEUE: opts.taskQueue,
      WORKER_SMTP_PORT: String(opts.smtpPort),
      WORKER_BUNDLE_PATH: codePath,
      ...(opts.metricsPort ? { WORKER_METRICS_PORT: String(opts.metricsPort) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.once('exit', (_code, signal) => {
      children.delete(child);
      resolve(signal);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker process not ready within ${opts.readyTimeoutMs ?? 30_000} ms:\n${stderr}`)),
      opts.readyTimeoutMs ?? 30_000,
    );
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker process exited before it was ready:\n${stderr}`));
    });
  });
  return {
    pid: child.pid!,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    output: () => stderr,
  };
}

/** Kills the worker processes still running and removes the bundle file (for afterAll). */
export async function killWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundlePath = undefined;
}
