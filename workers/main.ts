import 'dotenv/config';
import { Worker } from '@temporalio/worker';
import { loadConfig, publicBaseUrl, ConfigError } from '../platform/config';
import { createDb } from '../platform/db';
import { resolveUnsubscribeSecrets } from '../platform/installation-secret';
import { createLogger } from '../platform/logger';
import { createSmtpTransport } from '../platform/mailer';
import { installWorkerRuntime } from '../platform/worker-runtime';
import { createTemporalClient, createWorkerConnection } from '../platform/temporal';
import { workerTuning } from '../platform/worker-options';
import { workflowWorkerOptions } from '../platform/worker-interceptors';
import { startTracing } from '../platform/tracing';
import { workerVersioning } from '../platform/worker-versioning';
import { createActivities } from './activities';
import { DEMAND_MODEL } from '../platform/model-registry';
import { ensureAppointmentScanSchedule, ensureModelRetrainingSchedules, ensureReplenishmentSchedules } from './schedules';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'retail-ops-worker');
  // Before anything touches Temporal: the SDK's logs go to this logger, its metrics to WORKER_METRICS_PORT.
  installWorkerRuntime(config, log);
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const transport = createSmtpTransport(config);
  const tracing = startTracing('retail-ops-worker');
  const client = await createTemporalClient(config, tracing.tracer);
  const connection = await createWorkerConnection(config);
  const unsubscribe = await resolveUnsubscribeSecrets(config, db);
  log.info({ source: unsubscribe.source }, 'unsubscribe link secrets resolved');

  await ensureAppointmentScanSchedule(client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    windowMinutes: config.APPOINTMENT_SCAN_WINDOW_MINUTES,
    paused: !config.APPOINTMENT_SCAN_ENABLED,
  });

  const stores = await db.store.findMany({ select: { id: true, name: true, timezone: true }, orderBy: { id: 'asc' } });
  await ensureReplenishmentSchedules(client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    stores,
    hour: config.REPLENISHMENT_SCHEDULE_HOUR,
    paused: !config.REPLENISHMENT_SCHEDULES_ENABLED,
  });

  await ensureModelRetrainingSchedules(client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    modelName: DEMAND_MODEL,
    weekday: config.MODEL_RETRAINING_WEEKDAY,
    hour: config.MODEL_RETRAINING_HOUR,
    driftHour: config.MODEL_DRIFT_CHECK_HOUR,
    paused: !config.MODEL_RETRAINING_SCHEDULES_ENABLED,
  });

  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workerTuning(config),
    ...workerVersioning(config.TEMPORAL_WORKER_DEPLOYMENT_NAME),
    ...workflowWorkerOptions(tracing, config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined),
    activities: createActivities({
      db,
      transport,
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      mailFrom: config.MAIL_FROM,
      publicBaseUrl: publicBaseUrl(config),
      supplierErpUrl: config.SUPPLIER_ERP_URL,
      priceChannelsUrl: config.PRICE_CHANNELS_URL,
      unsubscribeSecrets: unsubscribe.secrets,
      postalAddress: config.COMPANY_POSTAL_ADDRESS,
      smtpSendRatePerSecond: config.SMTP_SEND_RATE_PER_SECOND,
      smtpMaxConnections: config.SMTP_MAX_CONNECTIONS,
    }),
  });
  log.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      workflowBundle: config.WORKFLOW_BUNDLE_PATH ?? 'bundled at start',
      tracing: tracing.enabled ? 'otlp' : 'off',
    },
    'worker started',
  );
  // Worker.run resolves after SIGINT/SIGTERM once in-flight tasks are done (the SDK installs those handlers).
  await worker.run();
  await Promise.allSettled([db.$disconnect(), connection.close(), client.connection.close(), tracing.shutdown()]);
  transport.close();
  log.info('worker stopped');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
