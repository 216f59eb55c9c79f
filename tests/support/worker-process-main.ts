/**
 * The entry point of a worker in a child process (see worker-process.ts): the same workflows and
 * activities as the harness worker, so a test can kill it for real (SIGKILL) in the middle of an
 * activity. Run as `node --import tsx tests/support/worker-process-main.ts`; it reads
 * WORKER_TASK_QUEUE, WORKER_SMTP_PORT, WORKER_BUNDLE_PATH, WORKER_METRICS_PORT (optional: the worker's
 * runtime as workers/main.ts installs it, metrics on that port) and the TEST_* variables, and prints
 * `ready` once it polls.
 */
import { workerTuning } from '../../platform/worker-options';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDb } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { createSmtpTransport } from '../../platform/mailer';
import { installWorkerRuntime } from '../../platform/worker-runtime';
import { startTracing } from '../../platform/tracing';
import { workflowWorkerOptions } from '../../platform/worker-interceptors';
import { createActivities } from '../../workers/activities';
import { testEnv } from '../../scripts/kit/env';
import { TEST_UNSUBSCRIBE_SECRETS } from '../../scripts/kit/unsubscribe-secrets';

async function main(): Promise<void> {
  const taskQueue = process.env.WORKER_TASK_QUEUE;
  const smtpPort = Number(process.env.WORKER_SMTP_PORT);
  const codePath = process.env.WORKER_BUNDLE_PATH;
  if (!taskQueue || !smtpPort || !codePath) throw new Error('WORKER_TASK_QUEUE, WORKER_SMTP_PORT and WORKER_BUNDLE_PATH are required');
  const metricsPort = Number(process.env.WORKER_METRICS_PORT) || undefined;
  if (metricsPort) {
    installWorkerRuntime({ LOG_LEVEL: 'warn', WORKER_METRICS_PORT: metricsPort, WORKER_METRICS_HOST: '127.0.0.1' }, createLogger('warn', 'test-worker'), {
      shutdownSignals: [],
    });
  } else {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  }
  const env = testEnv();
  const db = createDb(env.databaseUrl, { max: 3 });
  const client = new Client({ connection: await Connection.connect({ address: env.temporalAddress }), namespace: env.namespace });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: env.temporalAddress }),
    namespace: env.namespace,
    taskQueue,
    ...workerTuning(),
    ...workflowWorkerOptions(startTracing('retail-ops-worker', { env: {} }), { codePath }),
    // Once it is dead, its cached workflows' next tasks wait this long on its sticky queue before
    // any worker may take them (default 10 s): shorter, so a test does not wait for it.
    stickyQueueScheduleToStartTimeout: '1s',
    activities: createActivities({
      db,
      transport: createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtpPort, SMTP_SECURE: false }),
      client,
      taskQueue,
      mailFrom: 'Retail Ops <no-reply@retail-ops.test>',
      publicBaseUrl: 'http://retail-ops.test',
      supplierErpUrl: 'http://127.0.0.1:9',
      unsubscribeSecrets: TEST_UNSUBSCRIBE_SECRETS,
    }),
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((err) => {
  process.stderr.write(`worker process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
