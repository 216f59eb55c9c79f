import 'dotenv/config';
import { ConfigError, loadConfig } from '../platform/config';
import { createDb } from '../platform/db';
import { installationSecret, resolveUnsubscribeSecrets } from '../platform/installation-secret';
import { createLogger } from '../platform/logger';
import { createApiMetrics } from '../platform/metrics';
import { createTemporalClient } from '../platform/temporal';
import { startTracing } from '../platform/tracing';
import { createApp } from './app';
import { createApiServer } from './server';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'retail-ops-api');
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const tracing = startTracing('retail-ops-api');
  const client = await createTemporalClient(config, tracing.tracer);
  const unsubscribe = await resolveUnsubscribeSecrets(config, db);
  logger.info({ source: unsubscribe.source }, 'unsubscribe link secrets resolved');
  const app = createApp({
    db,
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger,
    unsubscribeSecrets: unsubscribe.secrets,
    unsubscribeTokenMaxAgeDays: config.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS,
    rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    pageTokenKey: await installationSecret(db, 'page-token'),
    temporalUiUrl: config.TEMPORAL_UI_URL,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
    tracer: tracing.tracer,
    metrics: {
      registry: createApiMetrics({ db, processMetrics: true, onCollectError: (err) => logger.warn({ err }, 'approvals pending not collected') }),
      enabled: config.API_METRICS_ENABLED,
      token: config.METRICS_TOKEN,
    },
  });
  const server = createApiServer(app).listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening'));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    server.close(async () => {
      await Promise.allSettled([db.$disconnect(), client.connection.close(), tracing.shutdown()]);
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
