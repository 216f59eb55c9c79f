/**
 * The soak's own infrastructure, apart from `npm start` and the tests: a scratch database (created,
 * migrated, seeded with the demo data), a Temporal dev server on a free port with its own SQLite
 * file (so a restart keeps the runs), the real API (api/main.ts) and workers (workers/main.ts) as
 * child processes configured by env, and the means to kill and restart each of them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { createDb, type Db } from '../../platform/db';
import { applyMigrations, ensureDatabase } from '../../platform/migrations';
import { seed } from '../../prisma/seed';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  ensureSearchAttributes,
  readSearchAttributes,
  REPO_ROOT,
  startDevServer,
  stopProcess,
  waitForTemporal,
} from '../temporal-dev';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: withDatabase(serverUrl, 'postgres'), application_name: 'retail-ops-soak' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^retail_ops_soak/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** A fresh database: dropped if left over, created, migrated, seeded with the demo data. */
export async function prepareSoakDatabase(serverUrl: string, name: string, log: (m: string) => void): Promise<string> {
  await dropDatabase(serverUrl, name);
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  const { applied } = await applyMigrations(url);
  log(`database ${name}: ${applied.length} migrations applied; seeding the demo data`);
  const db = createDb(url, { max: 4 });
  try {
    await seed(db, { demo: true });
  } finally {
    await db.$disconnect();
  }
  return url;
}

/** The local cluster serving the database URL's port (`pg_lsclusters`), for the restart. */
export function findLocalCluster(databaseUrl: string): Promise<{ version: string; name: string } | undefined> {
  const port = new URL(databaseUrl).port || '5432';
  return new Promise((resolve) => {
    execFile('pg_lsclusters', ['-h'], (err, stdout) => {
      if (err) return resolve(undefined);
      for (const line of String(stdout).split('\n')) {
        const [version, name, p] = line.trim().split(/\s+/);
        if (version && name && p === port) return resolve({ version, name });
      }
      resolve(undefined);
    });
  });
}

export function restartPostgres(cluster: { version: string; name: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'restart'], { timeout: 120_000 }, (err, _o, stderr) =>
      err ? reject(new Error(`pg_ctlcluster restart failed: ${String(stderr).trim() || err.message}`)) : resolve(),
    );
  });
}

/** Waits until Postgres answers again after a restart. */
export async function waitForPostgres(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin(url, (c) => c.query('SELECT 1'));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

export class DevServer {
  private child: ChildProcess | undefined;
  readonly dir: string;
  readonly address: string;
  restarts = 0;

  constructor(
    private readonly bin: string,
    private readonly port: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'retail-ops-soak-temporal-'));
    this.address = `127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const log = createWriteStream(join(this.dir, 'server.log'), { flags: 'a' });
    await new Promise<void>((r) => log.once('open', () => r()));
    this.child = startDevServer({
      bin: this.bin,
      ip: '127.0.0.1',
      port: this.port,
      headless: true,
      dbFile: join(this.dir, 'temporal.sqlite'),
      searchAttributes: readSearchAttributes(),
      dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
      logLevel: 'error',
      output: (log as unknown as { fd: number }).fd,
    });
    await waitForTemporal(this.bin, this.address, { timeoutMs: 90_000, child: this.child });
    await ensureSearchAttributes(this.bin, this.address, 'default', readSearchAttributes());
  }

  /** A graceful stop (SIGTERM, the server flushes its SQLite file), then a start on the same file and port. */
  async restart(): Promise<void> {
    if (this.child) await stopProcess(this.child, 15_000);
    await this.start();
    this.restarts++;
  }

  async stop(keep: boolean): Promise<void> {
    if (this.child) await stopProcess(this.child, 10_000);
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TypeScript entry point run by node with tsx (node itself is the child, so its pid is the process's). */
function spawnEntry(entry: string, env: NodeJS.ProcessEnv, log: WriteStream): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** The real API (api/main.ts) in a child process; ready once /healthz answers 200. */
export class ApiProcess {
  private child: ChildProcess | undefined;
  readonly baseUrl: string;
  private log: WriteStream;

  constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  async start(): Promise<void> {
    this.child = spawnEntry('api/main.ts', { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' }, this.log);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the API exited with code ${this.child.exitCode} (see its log)`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error('the API did not answer /healthz within 90 s');
      await sleep(300);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    await Promise.race([exited(child), sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
    this.log.end();
  }
}

/** One worker (workers/main.ts) in a child process; ready once it logs "worker started". */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  readyAt: number | null = null;
  startedAt = 0;
  starts = 0;
  /** Exits nobody asked for (a crash): should stay 0. */
  unexpectedExits: string[] = [];
  private killing = false;
  private log: WriteStream;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get ready(): boolean {
    return this.readyAt !== null && this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.readyAt = null;
    this.startedAt = Date.now();
    this.starts++;
    this.killing = false;
    // WORKFLOW_BUNDLE_PATH in env: the prebuilt workflow bundle instead of bundling at each start.
    const child = spawnEntry('workers/main.ts', this.env, this.log);
    this.child = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (this.readyAt !== null) return;
      out += d.toString();
      if (out.includes('worker started')) {
        this.readyAt = Date.now();
        out = '';
      } else if (out.length > 100_000) {
        out = out.slice(-1000);
      }
    });
    child.once('exit', (code, signal) => {
      if (this.child === child && !this.killing) {
        this.unexpectedExits.push(`${this.name} exited (${signal ?? `code ${code}`}) at ${new Date().toISOString()}`);
        // A worker that dies on its own (e.g. Temporal or Postgres gone at startup) is restarted too.
        setTimeout(() => {
          if (this.child === child) this.start();
        }, 1_000);
      }
    });
  }

  /** SIGKILL: no shutdown, no goodbye to the server; resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.killing = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    this.killing = true;
    child.kill('SIGTERM');
    await Promise.race([exited(child), sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
    this.log.end();
  }
}

export type { Db };
