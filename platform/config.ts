import { z } from 'zod';
import { DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS } from './unsubscribe-token';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting the runtime reads from the environment, with production-sane defaults. */
/** Requests per minute per API key before the API answers 429. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200;

/** SMTP connections per process (SMTP_MAX_CONNECTIONS). */
export const DEFAULT_SMTP_MAX_CONNECTIONS = 5;
/** Postgres connections per process (DATABASE_POOL_SIZE's default). */
export const DEFAULT_DATABASE_POOL_SIZE = 20;

/** Campaign emails per second per worker, every campaign together (SMTP_SEND_RATE_PER_SECOND). */
export const DEFAULT_SMTP_SEND_RATE_PER_SECOND = 500;

/** Printed in campaign emails when COMPANY_POSTAL_ADDRESS is not set. */
export const DEFAULT_COMPANY_POSTAL_ADDRESS = "Retail Ops, 170 O'Farrell Street, San Francisco, CA 94102, USA";

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/retail_ops'),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'must be host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('retail-ops'),
    /**
     * Worker Versioning: the Worker Deployment this worker joins, its build id being the code
     * version (CODE_VERSION). Unset: an unversioned worker (README, "Safe rollouts of workflow code").
     */
    TEMPORAL_WORKER_DEPLOYMENT_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, "-" and "_" only')
      .optional(),
    TEMPORAL_TLS: bool.default(false),
    TEMPORAL_TLS_CERT_PATH: z.string().optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
    TEMPORAL_API_KEY: z.string().optional(),
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: port.default(1025),
    SMTP_SECURE: bool.default(false),
    SMTP_USER: z.string().optional(),
    SMTP_PASS: z.string().optional(),
    /** Keep SMTP connections open and reuse them (campaign volume); off: one connection per message. */
    SMTP_POOL: bool.default(true),
    /** SMTP connections one process keeps open at most; also how many campaign emails a worker has in flight at once. */
    SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(DEFAULT_SMTP_MAX_CONNECTIONS),
    /**
     * Campaign emails per second one worker sends at most, all campaigns together (0: no budget).
     * Per process: with several workers on one relay, set it to the relay's limit divided by their number.
     */
    SMTP_SEND_RATE_PER_SECOND: z.coerce.number().min(0).max(100_000).default(DEFAULT_SMTP_SEND_RATE_PER_SECOND),
    MAIL_FROM: z.string().min(3).default('Retail Ops <no-reply@retail-ops.local>'),
    /** The sender's postal address, printed in every campaign email (CAN-SPAM). */
    COMPANY_POSTAL_ADDRESS: z.string().trim().min(10).max(300).default(DEFAULT_COMPANY_POSTAL_ADDRESS),
    PORT: port.default(3000),
    HOST: z.string().default('127.0.0.1'),
    PUBLIC_BASE_URL: z.string().url().optional(),
    /** The Temporal UI the console links each run to (npm start sets it to the dev server's UI). */
    TEMPORAL_UI_URL: z.string().url().optional(),
    /** Requests per minute per API key before 429 (0: no limit). */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_RATE_LIMIT_PER_MINUTE),
    /**
     * A workflow bundle built ahead (`npm run build:workflows`): the worker loads it instead of
     * bundling workflows/ at start, which takes most of a minute on a busy machine. Build it from the
     * same commit as the worker's code.
     */
    WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
    /** Activities one worker runs at once; keep at most twice DATABASE_POOL_SIZE (each holds a connection while it writes). */
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(40),
    /** Workflow tasks one worker runs at once. */
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(40),
    /** Local activities (short database steps inside a workflow task) one worker runs at once. */
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(40),
    /** Workflows kept in a worker's sticky cache (replayed from history when evicted). */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(2000),
    /** Postgres connections per process (API or worker). */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(DEFAULT_DATABASE_POOL_SIZE),
    /**
     * The worker's Prometheus endpoint (the Temporal SDK's exporter: its runtime metrics and the
     * business counters) at http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics; off when unset.
     */
    WORKER_METRICS_PORT: port.optional(),
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** GET /metrics on the API's PORT (Prometheus text); false: 404. */
    API_METRICS_ENABLED: bool.default(true),
    /** When set, /metrics answers only `Authorization: Bearer <this>` (Prometheus `authorization` in its scrape config). */
    METRICS_TOKEN: z.string().min(16, 'needs at least 16 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Traces go over OTLP/HTTP to this collector (`/v1/traces` under it), or to the full traces URL;
     * neither set: tracing is off (platform/tracing.ts reads them, as does the OTLP exporter).
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    APPOINTMENT_SCAN_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(90),
    APPOINTMENT_SCAN_ENABLED: bool.default(true),
    /** The supplier ERP purchase orders are sent to (the local simulator by default). */
    SUPPLIER_ERP_URL: z.string().url().default('http://127.0.0.1:4010'),
    /** POS and e-commerce price endpoints (the local simulator by default). */
    PRICE_CHANNELS_URL: z.string().url().default('http://127.0.0.1:4010'),
    /** Daily replenishment Schedules, one per store, at this store-local hour. */
    REPLENISHMENT_SCHEDULE_HOUR: z.coerce.number().int().min(0).max(23).default(6),
    REPLENISHMENT_SCHEDULES_ENABLED: bool.default(true),
    /** Weekly demand-model retraining (UTC: 0 = Sunday) and the daily drift check of its champion (UTC hour). */
    MODEL_RETRAINING_WEEKDAY: z.coerce.number().int().min(0).max(6).default(0),
    MODEL_RETRAINING_HOUR: z.coerce.number().int().min(0).max(23).default(2),
    MODEL_DRIFT_CHECK_HOUR: z.coerce.number().int().min(0).max(23).default(3),
    MODEL_RETRAINING_SCHEDULES_ENABLED: bool.default(true),
    /**
     * Secrets that sign one-click unsubscribe links, comma-separated: the first signs, any verifies
     * (rotation). Required in production. Elsewhere, when unset, the installation's own secret is
     * used: generated once and kept in Postgres (platform/installation-secret.ts).
     */
    UNSUBSCRIBE_SECRETS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().min(16, 'each secret needs at least 16 characters')).min(1, 'name at least one secret'))
      .optional(),
    /** Days an unsubscribe link keeps working after the email was sent (CAN-SPAM asks for 30 at least). */
    UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS: z.coerce.number().int().min(30).max(3650).default(DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.UNSUBSCRIBE_SECRETS) {
      ctx.addIssue({
        code: 'custom',
        path: ['UNSUBSCRIBE_SECRETS'],
        message: 'required in production: one or more secrets of 16+ characters, comma-separated, the first signs (e.g. `openssl rand -hex 32`)',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a ConfigError naming every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const got = (name: string) => (env[name] === undefined || env[name] === '' ? 'not set' : `got ${JSON.stringify(env[name])}`);
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (${got(String(i.path[0]))})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function publicBaseUrl(config: Config): string {
  return config.PUBLIC_BASE_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
}
