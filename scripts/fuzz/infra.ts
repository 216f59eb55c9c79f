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
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../../api/app';
import { createApiServer } from '../../api/server';
import { createDb, type Db } from '../../platform/db';
import pino from 'pino';
import { createSmtpTransport } from '../../platform/mailer';
import { applyMigrations } from '../../platform/migrations';
import { putScenarioInPlace } from '../../prisma/demo-scenario';
import { createRefusedKeys } from './seed-context';
import { seed } from '../../prisma/seed';
import { createSimulatorApp } from '../../simulator/app';
import { createActivities } from '../../workers/activities';
import { DEV_SERVER_DYNAMIC_CONFIG, ensureSearchAttributes, readSearchAttributes, REPO_ROOT, requireTemporalBinary, startDevServer, stopProcess, waitForTemporal } from '../temporal-dev';

export const FUZZ_DATABASE = 'retail_ops_fuzz';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

export interface FuzzInfra {
  baseUrl: string;
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

export async function startFuzzInfra(log: (msg: string) => void): Promise<FuzzInfra> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [], telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    } catch {
      // installed already
    }
    const bin = requireTemporalBinary();
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const logDir = join(REPO_ROOT, '.data', 'logs');
    mkdirSync(logDir, { recursive: true });
    const temporalLog = join(logDir, `fuzz-temporal-${port}.log`);
    const fd = openSync(temporalLog, 'w');
    const searchAttributes = readSearchAttributes();
    const server = startDevServer({ bin, ip: '127.0.0.1', port, headless: true, searchAttributes, logLevel: 'warn', output: fd, dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG });
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
    const transport = createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtpPort, SMTP_SECURE: false });
    closers.push(async () => transport.close());

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
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') }),
      activities: createActivities({
        db,
        transport,
        client,
        taskQueue,
        mailFrom: 'Retail Ops <no-reply@retail-ops.fuzz>',
        publicBaseUrl: 'http://retail-ops.fuzz',
        supplierErpUrl: simulatorUrl,
        unsubscribeSecrets,
      }),
    });
    const running = worker.run();
    closers.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await nativeConnection.close();
    });
    log(`worker polling ${taskQueue}`);

    const apiDb = createDb(databaseUrl, { max: 10 });
    closers.push(() => apiDb.$disconnect());
    // The API's errors (a 500's cause) go to a log of the run.
    const apiLog = join(logDir, `fuzz-api-${port}.log`);
    const app = createApp({ db: apiDb, client, taskQueue, logger: pino({ level: 'error' }, pino.destination({ dest: apiLog, sync: true })), unsubscribeSecrets });
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
    return { baseUrl, db, client, taskQueue, refusedKeys, mailsAccepted: () => accepted, unsubscribeSecrets, temporalLog, apiLog, close };
  } catch (err) {
    await close();
    throw err;
  }
}
