/**
 * The infrastructure of a test or benchmark run: its own Temporal dev server and database, never
 * the ones `npm start` uses.
 *
 * - Temporal: a headless, in-memory dev server with the project's search attributes (on
 *   127.0.0.1:7299 for the jest run, or the server named by TEST_TEMPORAL_ADDRESS when that is
 *   set; when 7299 is busy, another test run in this machine, a free port is used instead).
 * - Postgres: database `retail_ops_test` (`retail_ops_test_<port>` on an alternate port, dropped
 *   afterwards), dropped and re-created, migrated, seeded. TEST_DATABASE_URL overrides the URL
 *   (its database name must contain "test": it is dropped).
 *
 * The addresses reach the test files through process.env (jest workers inherit it):
 * TEST_TEMPORAL_ADDRESS, TEST_TEMPORAL_NAMESPACE, TEST_DATABASE_URL, TEST_SEED_NOW (the `now` the
 * seed data is anchored to, ISO), and also TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE and DATABASE_URL, so code calling loadConfig() in a test lands on them too.
 * Read them with testEnv() from scripts/kit/env.ts.
 *
 * startTestInfra() / stopTestInfra() are the reusable core (the benchmarks, scripts/bench-*.ts,
 * use them for their own dev server and database); setupTestRun() / teardownTestRun() are jest's
 * global setup and teardown (tests/support/global-setup.ts and global-teardown.ts point here).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  REPO_ROOT,
  ensureSearchAttributes,
  readSearchAttributes,
  requireTemporalBinary,
  startDevServer,
  stopProcess,
  temporalHealthy,
  waitForTemporal,
} from '../temporal-dev';

export const DEFAULT_TEST_TEMPORAL_PORT = 7299;
export const DEFAULT_TEST_DATABASE = 'retail_ops_test';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

/** What setup leaves for teardown (globalSetup and globalTeardown share the global object). */
export interface TestInfraState {
  server?: ChildProcess;
  temporalAddress: string;
  databaseUrl: string;
  /** Set when the database is a per-run one to drop at teardown. */
  dropDatabaseAtTeardown: boolean;
  /** A per-run server log to delete at teardown (alternate port runs). */
  removeLogAtTeardown?: string;
}
declare global {
  var __RETAIL_OPS_TEST_INFRA__: TestInfraState | undefined;
}

type Log = (msg: string) => void;
const logWith =
  (label: string): Log =>
  (msg) =>
    process.stderr.write(`[${label}] ${msg}\n`);
const log = logWith('test setup');
const secs = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`;

function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

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

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Drops (with FORCE: open connections are closed) and re-creates the database. */
async function recreateDatabase(databaseUrl: string, scratchName: RegExp): Promise<void> {
  const name = databaseName(databaseUrl);
  if (!scratchName.test(name)) {
    throw new Error(`Refusing to drop database "${name}" for this run: its name must match ${scratchName} (TEST_DATABASE_URL).`);
  }
  const admin = new Client({ connectionString: withDatabase(databaseUrl, 'postgres'), application_name: 'retail-ops-test-setup' });
  try {
    await admin.connect();
  } catch (err) {
    const where = new URL(databaseUrl).host;
    throw new Error(
      `Postgres is not reachable at ${where} (${(err as Error).message}). Start it, e.g. ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.',
    );
  }
  try {
    const ident = `"${name.replace(/"/g, '""')}"`;
    await admin.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${ident}`);
  } finally {
    await admin.end();
  }
}

async function migrateAndSeed(databaseUrl: string, seedNow: Date, log: Log): Promise<void> {
  const migrationsFile = join(REPO_ROOT, 'platform', 'migrations.ts');
  if (!existsSync(migrationsFile)) {
    throw new Error('platform/migrations.ts (applyMigrations) does not exist yet: the test database cannot be prepared.');
  }
  let t = Date.now();
  const { applyMigrations } = await import('../../platform/migrations');
  const { applied } = await applyMigrations(databaseUrl, { log: process.env.DEBUG_TEST_SETUP ? log : undefined });
  const migrated = `${applied.length} migrations (${secs(t)})`;

  const seedFile = join(REPO_ROOT, 'prisma', 'seed.ts');
  if (!existsSync(seedFile)) {
    throw new Error('prisma/seed.ts (seed) does not exist yet: the test database cannot be seeded.');
  }
  t = Date.now();
  const { seed } = await import('../../prisma/seed');
  const { createDb } = await import('../../platform/db');
  const db = createDb(databaseUrl, { max: 4 });
  try {
    await seed(db, { now: seedNow, demo: true });
  } finally {
    await db.$disconnect();
  }
  log(`database ${databaseName(databaseUrl)}: ${migrated}, seeded (${secs(t)})`);
}

export interface StartTestInfraOptions {
  /** Prefix of the progress lines on stderr. */
  label?: string;
  namespace?: string;
  /** A running Temporal server to use instead of starting a dev server. */
  temporalAddress?: string;
  /** Port of the dev server started when no temporalAddress is given (a free one if omitted). */
  temporalPort?: number;
  /** Dropped, re-created, migrated and seeded. */
  databaseUrl: string;
  /** The database name must match this, since it is dropped (default /test/i). */
  scratchDatabase?: RegExp;
  dropDatabaseAtTeardown?: boolean;
  /** Delete the dev server's log file at teardown. */
  removeLogAtTeardown?: boolean;
}

export interface TestInfra extends TestInfraState {
  namespace: string;
  /** The `now` the seed data is anchored to. */
  seedNow: Date;
  /** The dev server's log (when one was started). */
  logFile?: string;
  /** TEST_* and the matching TEMPORAL_* / DATABASE_URL variables, for process.env (see scripts/kit/env.ts). */
  env: Record<string, string>;
}

/**
 * Brings up the infrastructure of a test (or benchmark) run: a headless in-memory Temporal dev
 * server with the project's search attributes (unless `temporalAddress` is given), and a freshly
 * re-created, migrated and seeded database. Stop it with stopTestInfra(). On failure, the server
 * it started is stopped before the error is thrown.
 */
export async function startTestInfra(opts: StartTestInfraOptions): Promise<TestInfra> {
  const started = Date.now();
  const log = logWith(opts.label ?? 'test setup');
  const namespace = opts.namespace || 'default';
  const searchAttributes = readSearchAttributes();
  const bin = requireTemporalBinary();
  let server: ChildProcess | undefined;
  let temporalAddress = opts.temporalAddress;
  let logFile: string | undefined;

  try {
    if (temporalAddress) {
      if (!(await temporalHealthy(bin, temporalAddress))) {
        throw new Error(`${temporalAddress} does not answer as a Temporal server.`);
      }
      log(`reusing Temporal at ${temporalAddress}`);
    } else {
      const port = opts.temporalPort ?? (await freePort());
      temporalAddress = `127.0.0.1:${port}`;
      const logDir = join(REPO_ROOT, '.data', 'logs');
      mkdirSync(logDir, { recursive: true });
      logFile = join(logDir, `test-temporal-${port}.log`);
      const fd = openSync(logFile, 'w');
      const t = Date.now();
      server = startDevServer({
        bin,
        ip: '127.0.0.1',
        port,
        headless: true,
        namespace,
        searchAttributes,
        logLevel: 'warn',
        output: fd,
        dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
      });
      closeSync(fd);
      const shownLog = logFile;
      await waitForTemporal(bin, temporalAddress, {
        timeoutMs: 60_000,
        child: server,
        describeFailure: () => `See ${shownLog}.`,
      });
      log(`Temporal dev server on ${temporalAddress} ready (${secs(t)}; log .data/logs/test-temporal-${port}.log)`);
    }
    await ensureSearchAttributes(bin, temporalAddress, namespace, searchAttributes);

    const seedNow = new Date();
    await recreateDatabase(opts.databaseUrl, opts.scratchDatabase ?? /test/i);
    await migrateAndSeed(opts.databaseUrl, seedNow, log);

    const env = {
      TEST_TEMPORAL_ADDRESS: temporalAddress,
      TEST_TEMPORAL_NAMESPACE: namespace,
      TEST_DATABASE_URL: opts.databaseUrl,
      TEST_SEED_NOW: seedNow.toISOString(),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      DATABASE_URL: opts.databaseUrl,
    };
    log(`ready in ${secs(started)}`);
    return {
      server,
      temporalAddress,
      databaseUrl: opts.databaseUrl,
      dropDatabaseAtTeardown: opts.dropDatabaseAtTeardown ?? false,
      removeLogAtTeardown: opts.removeLogAtTeardown ? logFile : undefined,
      namespace,
      seedNow,
      logFile,
      env,
    };
  } catch (err) {
    if (server) await stopProcess(server, 5_000);
    throw err;
  }
}

/**
 * Stops what startTestInfra() started: the dev server (nothing when it reused a running server),
 * the per-run database and log. `retail_ops_test` itself is kept so a failed run can be
 * inspected; the next run re-creates it.
 */
export async function stopTestInfra(state: TestInfraState): Promise<void> {
  if (state.server) {
    const how = await stopProcess(state.server, 10_000);
    if (how === 'killed') process.stderr.write(`[test teardown] the Temporal dev server on ${state.temporalAddress} had to be killed\n`);
  }
  if (state.removeLogAtTeardown) rmSync(state.removeLogAtTeardown, { force: true });
  if (state.dropDatabaseAtTeardown) {
    const name = databaseName(state.databaseUrl);
    const admin = new Client({ connectionString: withDatabase(state.databaseUrl, 'postgres') });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    } catch (err) {
      process.stderr.write(`[test teardown] could not drop ${name}: ${(err as Error).message}\n`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}

/** Jest global setup: starts the run's infrastructure and leaves its state for teardownTestRun(). */
export async function setupTestRun(): Promise<void> {
  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  let temporalPort: number | undefined;
  let dbName = DEFAULT_TEST_DATABASE;
  let perRun = false;
  if (!temporalAddress) {
    temporalPort = Number(process.env.TEST_TEMPORAL_PORT || DEFAULT_TEST_TEMPORAL_PORT);
    if (!(await portFree(temporalPort))) {
      const busy = temporalPort;
      temporalPort = await freePort();
      dbName = `${DEFAULT_TEST_DATABASE}_${temporalPort}`;
      perRun = true;
      log(`127.0.0.1:${busy} is busy (another test run, or a leftover server); using :${temporalPort} and database ${dbName}`);
    }
  }
  const infra = await startTestInfra({
    label: 'test setup',
    namespace: process.env.TEST_TEMPORAL_NAMESPACE || 'default',
    temporalAddress,
    temporalPort,
    databaseUrl: process.env.TEST_DATABASE_URL || withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, dbName),
    dropDatabaseAtTeardown: perRun,
    removeLogAtTeardown: perRun,
  });
  temporalAddress = infra.temporalAddress;
  Object.assign(process.env, infra.env);
  const { server, databaseUrl, dropDatabaseAtTeardown, removeLogAtTeardown } = infra;
  globalThis.__RETAIL_OPS_TEST_INFRA__ = { server, temporalAddress, databaseUrl, dropDatabaseAtTeardown, removeLogAtTeardown };
}

/** Jest global teardown: stops what setupTestRun() started (globalSetup and globalTeardown share the global object). */
export async function teardownTestRun(): Promise<void> {
  const state = globalThis.__RETAIL_OPS_TEST_INFRA__;
  if (!state) return;
  globalThis.__RETAIL_OPS_TEST_INFRA__ = undefined;
  await stopTestInfra(state);
}
