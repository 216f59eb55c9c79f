import { workerTuning } from '../../platform/worker-options';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import { createDb, type Db } from '../../platform/db';
import { createSmtpTransport } from '../../platform/mailer';
import { startTracing, type Tracing } from '../../platform/tracing';
import { workflowBundleOptions, workflowWorkerOptions } from '../../platform/worker-interceptors';
import { createSimulatorApp } from '../../simulator/app';
import { createActivities } from '../../workers/activities';
import { testEnv } from './env';
import { SmtpCapture } from './smtp';
import { TEST_UNSUBSCRIBE_SECRETS } from './unsubscribe-secrets';

let runtimeInstalled = false;
export function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // already installed in this jest worker
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface Harness {
  db: Db;
  client: Client;
  smtp: SmtpCapture;
  transport: Transporter;
  taskQueue: string;
  /** The external-systems simulator (supplier ERP, price channels), in process on a free port. */
  simulator: { url: string; app: ReturnType<typeof createSimulatorApp> };
  /** The secrets the harness worker signs unsubscribe links with: pass them to createApp. */
  unsubscribeSecrets: readonly string[];
  /** Starts a worker on the harness task queue (or `opts.taskQueue`), tracing to `opts.tracing` (off by default); resolves once it polls. */
  startWorker(opts?: { taskQueue?: string; tracing?: Tracing }): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Real pieces for workflow and API tests: the test dev server, the test database, an SMTP server.
 * `dbPool`: the Prisma pool of the worker's activities (and the fixtures); 5 for tests, which run
 * side by side; the benchmarks give the production default.
 */
export async function createHarness(opts: { dbPool?: number } = {}): Promise<Harness> {
  quietRuntime();
  const env = testEnv();
  const db = createDb(env.databaseUrl, { max: opts.dbPool ?? 5 });
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  const smtp = await new SmtpCapture().start();
  const transport = createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false });
  const taskQueue = `test-${randomUUID()}`;
  const workers: RunningWorker[] = [];
  const simulatorApp = createSimulatorApp();
  const simulatorServer: Server = await new Promise((resolve) => {
    const srv = simulatorApp.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const simulatorUrl = `http://127.0.0.1:${(simulatorServer.address() as AddressInfo).port}`;

  async function startWorker(opts: { taskQueue?: string; tracing?: Tracing } = {}): Promise<RunningWorker> {
    const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: env.namespace,
      taskQueue: opts.taskQueue ?? taskQueue,
      ...workerTuning(),
      ...workflowWorkerOptions(opts.tracing ?? startTracing('retail-ops-worker', { env: {} }), await workflowBundle()),
      activities: createActivities({
        db,
        transport,
        client,
        taskQueue,
        mailFrom: 'Retail Ops <no-reply@retail-ops.test>',
        publicBaseUrl: 'http://retail-ops.test',
        supplierErpUrl: simulatorUrl,
        unsubscribeSecrets: TEST_UNSUBSCRIBE_SECRETS,
      }),
    });
    const running = worker.run();
    let stopped: Promise<void> | undefined;
    const handle: RunningWorker = {
      worker,
      stop() {
        stopped ??= (async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running.catch(() => undefined);
          await nativeConnection.close();
        })();
        return stopped;
      },
    };
    workers.push(handle);
    return handle;
  }

  return {
    db,
    client,
    smtp,
    transport,
    taskQueue,
    simulator: { url: simulatorUrl, app: simulatorApp },
    unsubscribeSecrets: TEST_UNSUBSCRIBE_SECRETS,
    startWorker,
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      transport.close();
      await smtp.stop();
      simulatorServer.closeAllConnections();
      await new Promise<void>((resolve) => simulatorServer.close(() => resolve()));
      await connection.close();
      await db.$disconnect();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
