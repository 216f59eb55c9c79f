/**
 * Prometheus metrics. The API's come from prom-client (one registry per app, served at /metrics);
 * the worker's business counters go through the Temporal activity's metric meter, so they leave by
 * the SDK's own Prometheus exporter together with its runtime metrics (platform/worker-runtime.ts).
 * The names are the Grafana dashboard's: change them there too.
 */
import { Context } from '@temporalio/activity';
import { noopMetricMeter, type MetricCounter, type MetricGauge, type MetricMeter } from '@temporalio/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db';

export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** An approver's wait: from seconds (a test, an eager manager) to the days an escalation allows. */
export const DECISION_LATENCY_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400];

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpInFlight: Gauge;
  decisions: Counter<'process' | 'outcome'>;
  decisionLatency: Histogram<'process'>;
}

/**
 * The API's registry. `db` feeds retail_ops_approvals_pending at scrape time (one GROUP BY over the
 * open inbox rows); `processMetrics` adds prom-client's process metrics (off in tests, which build
 * many apps in one process).
 */
export function createApiMetrics(opts: { db?: Db; processMetrics?: boolean; onCollectError?: (err: unknown) => void } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'retail_ops_api_' });
  const httpRequests = new Counter({
    name: 'retail_ops_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'retail_ops_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  const httpInFlight = new Gauge({ name: 'retail_ops_http_requests_in_flight', help: 'Requests being handled now.', registers: [registry] });
  const decisions = new Counter({
    name: 'retail_ops_decisions_total',
    help: 'Approval decisions recorded through the API, by process and outcome (approve, reject).',
    labelNames: ['process', 'outcome'] as const,
    registers: [registry],
  });
  const decisionLatency = new Histogram({
    name: 'retail_ops_decision_latency_seconds',
    help: "The approver's wait: from the approval level being opened to the decision.",
    labelNames: ['process'] as const,
    buckets: DECISION_LATENCY_BUCKETS,
    registers: [registry],
  });
  if (opts.db) {
    const db = opts.db;
    // Every combination seen stays at 0 once its inbox empties, so a dashboard shows 0 and not a gap.
    const seen = new Set<string>();
    new Gauge({
      name: 'retail_ops_approvals_pending',
      help: 'Open approval requests in the inbox, by process and approver role (a request for two roles counts under each).',
      labelNames: ['process', 'role'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        let rows: { process: string; role: string; pending: number }[];
        try {
          rows = await pendingApprovals(db);
        } catch (err) {
          opts.onCollectError?.(err);
          return;
        }
        for (const key of seen) {
          const [process, role] = key.split('\u0000') as [string, string];
          this.set({ process, role }, 0);
        }
        for (const r of rows) {
          seen.add(`${r.process}\u0000${r.role}`);
          this.set({ process: r.process, role: r.role }, r.pending);
        }
      },
    });
  }
  return { registry, httpRequests, httpDuration, httpInFlight, decisions, decisionLatency };
}

/** The open inbox rows by process type and approver role. */
export function pendingApprovals(db: Db): Promise<{ process: string; role: string; pending: number }[]> {
  return db.$queryRaw`
    SELECT r."processType" AS process, role, count(*)::int AS pending
      FROM "ApprovalRequest" r CROSS JOIN LATERAL unnest(r."approverRoles") AS role
     WHERE r.status = 'PENDING'
     GROUP BY 1, 2`;
}

/**
 * The label of a request's route: the Express route template that answered it (never the raw path,
 * whose IDs would make a series per process run), the mount path of a middleware that answered
 * without a route (static files, a refusal before routing) as `<mount>/*`, else `unmatched`.
 */
export function routeLabel(r: { template?: string; mountPath?: string; status: number }): string {
  if (r.template !== undefined) return r.template.length > 1 ? r.template.replace(/\/+$/, '') || '/' : '/';
  if (r.status === 404 || !r.mountPath) return 'unmatched';
  return `${r.mountPath}/*`;
}

// ---- Worker: business counters through the activity's metric meter -------------------------

/** What an email came to: sent over SMTP, held (quiet hours, frequency cap), unknown (maybe delivered, never resent), failed, skipped (consent, suppression). */
export type EmailOutcome = 'sent' | 'held' | 'unknown' | 'failed' | 'skipped';

/**
 * Names as they reach Prometheus. The SDK's exporter runs with countersTotalSuffix, so a counter
 * is created without `_total` and exported with it; custom metrics get no `temporal_` prefix.
 */
export const WORKER_METRIC_NAMES = {
  emails: 'retail_ops_emails_total',
  purchaseOrdersSent: 'retail_ops_purchase_orders_sent_total',
  pricePushes: 'retail_ops_price_pushes_total',
  campaignSendRate: 'retail_ops_campaign_send_rate_emails_per_second',
  trainingSeries: 'retail_ops_training_series_total',
  trainingSeriesPerSecond: 'retail_ops_training_series_per_second',
} as const;

const created = (name: string) => name.replace(/_total$/, '');

interface WorkerInstruments {
  emails: MetricCounter;
  purchaseOrdersSent: MetricCounter;
  pricePushes: MetricCounter;
  campaignSendRate: MetricGauge;
  trainingSeries: MetricCounter;
  trainingSeriesPerSecond: MetricGauge;
}

const instrumentsByMeter = new WeakMap<MetricMeter, WorkerInstruments>();

function instruments(meter: MetricMeter): WorkerInstruments {
  let i = instrumentsByMeter.get(meter);
  if (!i) {
    const n = WORKER_METRIC_NAMES;
    i = {
      emails: meter.createCounter(created(n.emails), 'emails', 'Emails by kind and outcome, each counted once, where its outcome is first recorded.'),
      purchaseOrdersSent: meter.createCounter(created(n.purchaseOrdersSent), 'orders', 'Purchase orders the supplier system took, by supplier.'),
      pricePushes: meter.createCounter(created(n.pricePushes), 'pushes', 'Price pushes to a channel, by channel and outcome (applied, refused).'),
      campaignSendRate: meter.createGauge(n.campaignSendRate, 'float', 'emails/s', "Emails per second of a campaign's last batch."),
      trainingSeries: meter.createCounter(created(n.trainingSeries), 'series', 'Demand-model series fitted and written.'),
      trainingSeriesPerSecond: meter.createGauge(n.trainingSeriesPerSecond, 'float', 'series/s', "Series per second of the last training batch's fitting."),
    };
    instrumentsByMeter.set(meter, i);
  }
  return i;
}

/** The running activity's meter (its tags: namespace, task queue, activity and workflow type); a no-op outside one. */
function currentMeter(): MetricMeter {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
}

/** Business metrics of the worker; call them inside the activity that records the effect. */
export const workerMetrics = {
  emails(kind: string, outcome: EmailOutcome, count = 1): void {
    if (count > 0) instruments(currentMeter()).emails.add(count, { kind, outcome });
  },
  purchaseOrderSent(supplier: string): void {
    instruments(currentMeter()).purchaseOrdersSent.add(1, { supplier });
  },
  pricePush(channel: string, outcome: 'applied' | 'refused'): void {
    instruments(currentMeter()).pricePushes.add(1, { channel, outcome });
  },
  campaignSendRate(campaign: string, emailsPerSecond: number): void {
    if (Number.isFinite(emailsPerSecond)) instruments(currentMeter()).campaignSendRate.set(emailsPerSecond, { campaign });
  },
  trainingSeries(count: number, seconds: number): void {
    const i = instruments(currentMeter());
    if (count > 0) i.trainingSeries.add(count);
    if (count > 0 && seconds > 0) i.trainingSeriesPerSecond.set(count / seconds);
  },
};
