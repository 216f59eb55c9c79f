import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../platform/config';
import type { Db } from '../platform/db';
import type { Logger } from '../platform/logger';
import { createApiMetrics, type ApiMetrics } from '../platform/metrics';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { refuseUnstorableInput } from './input-rules';
import { traceRequests } from './request-tracing';
import { httpMetrics, metricsHandler } from './metrics';
import { pageTokenCodec } from './page-tokens';
import { perKeyRateLimit } from './rate-limit';
import { buildOpenApiDocument } from './openapi';
import { approvalsRouter } from './routes/approvals';
import { consoleRouter, consoleSettingsHandler, meHandler } from './routes/console';
import { processRouter } from './routes/processes';
import { referenceRouter } from './routes/reference';
import { unsubscribeRouter } from './routes/unsubscribe';
import { PROCESSES } from './processes';

export interface AppDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  logger: Logger;
  bodyLimit?: string;
  /** Key signing list page tokens (the installation's, so all API instances agree); random per app when absent. */
  pageTokenKey?: string;
  /** Requests per minute per API key (config API_RATE_LIMIT_PER_MINUTE); 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Secrets verifying one-click unsubscribe links (resolveUnsubscribeSecrets: configured, else the installation's own). */
  unsubscribeSecrets: readonly string[];
  /** Days an unsubscribe link works after it was sent (config UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS; default 365). */
  unsubscribeTokenMaxAgeDays?: number;
  /** The Temporal UI the console links runs to (config TEMPORAL_UI_URL), and the namespace. */
  temporalUiUrl?: string;
  temporalNamespace?: string;
  /** The built console served at /console (console/dist by default). */
  consoleDir?: string;
  /** Spans of requests (platform/tracing.ts); the global tracer, a no-op while tracing is off, when absent. */
  tracer?: Tracer;
  /** Prometheus metrics (a registry of the app's own when absent); `enabled: false` leaves /metrics a 404, `token` requires it as bearer. */
  metrics?: { registry?: ApiMetrics; enabled?: boolean; token?: string };
}

const SECRET_HEADERS = ['authorization', 'x-api-key', 'cookie'];

function redactCredentials(req: { headers?: Record<string, unknown>; url?: string }) {
  const out = { ...req };
  if (req.headers) {
    const headers = { ...req.headers };
    for (const h of SECRET_HEADERS) if (headers[h] !== undefined) headers[h] = '[redacted]';
    out.headers = headers;
  }
  // An unsubscribe token acts for its address (and encodes it): kept out of the logs too.
  if (typeof req.url === 'string') out.url = req.url.replace(/^\/unsubscribe\/[^/?#]+/, '/unsubscribe/[redacted]');
  return out;
}

export { PROCESSES };

/** The Express app, built from its dependencies and not listening: tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const metrics =
    deps.metrics?.registry ?? createApiMetrics({ db: deps.db, onCollectError: (err) => deps.logger.warn({ err }, 'approvals pending not collected') });
  const decisionRoutes = PROCESSES.map((def) => ({ template: `/api/v1/${def.resource}/:id/decisions`, processType: def.processType }));
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // API keys never reach the logs.
      serializers: { req: redactCredentials },
    }),
  );
  app.use(traceRequests(deps.tracer ?? trace.getTracer('retail-ops-api')));
  // After request tracing (both watch req.route; this one chains), before anything that can refuse a request.
  app.use(httpMetrics(metrics, { db: deps.db, decisionRoutes, logger: deps.logger }));
  app.use(express.json({ limit: deps.bodyLimit ?? '256kb', type: ['application/json', 'application/*+json'] }));
  app.use(refuseUnstorableInput);

  app.get('/healthz', async (_req, res) => {
    const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000))]);
    const [pg, temporal] = await Promise.allSettled([timeout(deps.db.$queryRaw`SELECT 1`), timeout(deps.client.workflowService.getSystemInfo({}))]);
    const checks = { postgres: pg.status === 'fulfilled' ? 'ok' : 'down', temporal: temporal.status === 'fulfilled' ? 'ok' : 'down' };
    const healthy = checks.postgres === 'ok' && checks.temporal === 'ok';
    res
      .status(healthy ? 200 : 503)
      .type(healthy ? 'application/json' : 'application/problem+json')
      .json(healthy ? { status: 'ok', checks } : { type: 'https://retail-ops.dev/problems/unavailable', title: 'Service unavailable', status: 503, checks });
  });

  if (deps.metrics?.enabled !== false) app.get('/metrics', metricsHandler(metrics, { token: deps.metrics?.token }));

  const openapi = buildOpenApiDocument(PROCESSES);
  app.get('/api/v1/openapi.json', (_req, res) => void res.json(openapi));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi as never, { customSiteTitle: 'Retail Ops API' }));

  app.use('/unsubscribe', unsubscribeRouter({ db: deps.db, secrets: deps.unsubscribeSecrets, maxAgeDays: deps.unsubscribeTokenMaxAgeDays }));

  app.get('/api/v1/console-settings', consoleSettingsHandler(deps.db, { temporalUiUrl: deps.temporalUiUrl, temporalNamespace: deps.temporalNamespace }));
  app.use('/console', consoleRouter(deps.consoleDir));

  const v1 = express.Router();
  v1.use(authenticate(deps.db));
  v1.use(perKeyRateLimit(deps.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE));
  const processDeps = { db: deps.db, client: deps.client, taskQueue: deps.taskQueue, pageTokens: pageTokenCodec(deps.pageTokenKey) };
  for (const def of PROCESSES) v1.use(`/${def.resource}`, processRouter(def, processDeps));
  v1.use('/approvals', approvalsRouter(deps.db));
  v1.get('/me', meHandler());
  v1.use('/', referenceRouter(deps.db));
  app.use('/api/v1', v1);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
