/**
 * The real system a fuzz run starts for itself: a headless Temporal dev server on a free port, a
 * scratch database `retail_ops_fuzz` (re-created, migrated, seeded, the demo scenario in place), an
 * SMTP server that takes every message, the supplier / channel simulator, a worker and the API on
 * the Node server `npm start` uses (createApiServer), all in this process except the dev server.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../../api/app';
import { createApiServer } from '../../api/server';
import { createDb, type Db } from '../../platform/db';
import pino from 'pino';
import { applyMigrations } from '../../platform/migrations';
import { putScenarioInPlace } from '../../prisma/demo-scenario';
import { createRefusedKeys } from './seed-context';
import { seed } from '../../prisma/seed';
import { createSimulatorApp } from '../../simulator/app';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  ensureSearchAttributes,
  readSearchAttributes,
  REPO_ROOT,
  requireTemporalBinary,
  spawnUnderWatchdog,
  startDevServer,
  stopProcess,
  waitForTemporal,
} from '../temporal-dev';

export const FUZZ_DATABASE = 'retail_ops_fuzz';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

export interface FuzzInfra {
  baseUrl: string;
  temporalAddress: string;
  databaseUrl: string;
  db: Db;
  client: Client;
  taskQueue: string;
  /** Keys the API must refuse: one revoked, one of a deactivated principal. */
  refusedKeys: string[];
  mailsAccepted: () => number;
  unsubscribeSecrets: readonly string[];
  temporalLog: string;
  /** The API's error log (the causes of 500s). */
  apiLog: string;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function recreateDatabase(url: string): Promise<void> {
  const admin = new PgClient({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${FUZZ_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${FUZZ_DATABASE}`);
  } finally {
    await admin.end();
  }
}

/** Resolves once a worker polls the task queue; fails when the worker process exits first. */
async function waitForPoller(client: Client, taskQueue: string, worker: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null || worker.signalCode !== null)
      throw new Error(`the worker exited (${worker.exitCode ?? worker.signalCode}):\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const tq = await client.workflowService
      .describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })
      .catch(() => undefined);
    if (tq?.pollers?.length) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`no worker polled ${taskQueue} within 180 s; see ${logFile}`);
}

export async function startFuzzInfra(log: (msg: string) => void): Promise<FuzzInfra> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const bin = requireTemporalBinary();
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const logDir = join(REPO_ROOT, '.data', 'logs');
    mkdirSync(logDir, { recursive: true });
    const temporalLog = join(logDir, `fuzz-temporal-${port}.log`);
    const fd = openSync(temporalLog, 'w');
    const searchAttributes = readSearchAttributes();
    const server = startDevServer({
      bin,
      ip: '127.0.0.1',
      port,
      headless: true,
      searchAttributes,
      logLevel: 'warn',
      output: fd,
      dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
    });
    closeSync(fd);
    closers.push(() => stopProcess(server, 10_000));
    await waitForTemporal(bin, address, { timeoutMs: 60_000, child: server, describeFailure: () => `See ${temporalLog}.` });
    await ensureSearchAttributes(bin, address, 'default', searchAttributes);
    log(`Temporal dev server on ${address}`);

    const databaseUrl = withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, FUZZ_DATABASE);
    await recreateDatabase(databaseUrl);
    await applyMigrations(databaseUrl);
    const db = createDb(databaseUrl, { max: 10 });
    closers.push(() => db.$disconnect());
    await seed(db, { now: new Date(), demo: true });
    await putScenarioInPlace(db);
    const refusedKeys = await createRefusedKeys(db);
    log(`database ${FUZZ_DATABASE} migrated and seeded, demo scenario in place`);

    let accepted = 0;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        stream.on('end', () => {
          accepted++;
          cb();
        });
        stream.resume();
      },
    });
    const smtpPort = await freePort();
    await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => smtp.close(() => r(undefined))));

    const simulator = createSimulatorApp();
    const simServer: Server = await new Promise((r) => {
      const s = simulator.listen(0, '127.0.0.1', () => r(s));
    });
    closers.push(() => new Promise((r) => (simServer.closeAllConnections(), simServer.close(() => r(undefined)))));
    const simulatorUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;

    const connection = await Connection.connect({ address });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = 'retail-ops';
    const unsubscribeSecrets = [randomBytes(32).toString('hex')];

    // The worker as `npm start` runs it (workers/main.ts), in a process of its own: its CPU-heavy
    // activities (training) do not stall the API or the requests of this process. Schedules paused:
    // what runs is what the requests started.
    const workerLog = join(logDir, `fuzz-worker-${port}.log`);
    const wfd = openSync(workerLog, 'w');
    const worker = spawnUnderWatchdog(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers', 'main.ts')], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtpPort),
        SMTP_SECURE: 'false',
        SUPPLIER_ERP_URL: simulatorUrl,
        PRICE_CHANNELS_URL: simulatorUrl,
        PUBLIC_BASE_URL: 'http://retail-ops.fuzz',
        UNSUBSCRIBE_SECRETS: unsubscribeSecrets.join(','),
        APPOINTMENT_SCAN_ENABLED: 'false',
        REPLENISHMENT_SCHEDULES_ENABLED: 'false',
        MODEL_RETRAINING_SCHEDULES_ENABLED: 'false',
      },
      stdio: ['ignore', wfd, wfd],
    });
    closeSync(wfd);
    closers.push(() => stopProcess(worker, 15_000));
    await waitForPoller(client, taskQueue, worker, workerLog);
    log(`worker (workers/main.ts, log ${workerLog}) polling ${taskQueue}`);

    const apiDb = createDb(databaseUrl, { max: 10 });
    closers.push(() => apiDb.$disconnect());
    // The API's errors (a 500's cause) go to a log of the run.
    const apiLog = join(logDir, `fuzz-api-${port}.log`);
    const app = createApp({
      db: apiDb,
      client,
      taskQueue,
      logger: pino({ level: 'error' }, pino.destination({ dest: apiLog, sync: true })),
      unsubscribeSecrets,
    });
    const api = createApiServer(app);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => (api.closeAllConnections(), api.close(() => r(undefined)))));
    const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    log(`API on ${baseUrl}`);

    // Dropped last, once everything using it has stopped.
    closers.unshift(async () => {
      const admin = new PgClient({ connectionString: withDatabase(databaseUrl, 'postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${FUZZ_DATABASE} WITH (FORCE)`).finally(() => admin.end());
    });
    return {
      baseUrl,
      temporalAddress: address,
      databaseUrl,
      db,
      client,
      taskQueue,
      refusedKeys,
      mailsAccepted: () => accepted,
      unsubscribeSecrets,
      temporalLog,
      apiLog,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
