/**
 * docker-compose.yml, the Prometheus configuration of its monitoring profile and the Grafana
 * dashboard, checked as files (Docker does not run on the machines this project is tested on).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { REPO_ROOT } from './k8s-tools';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string>;
  env_file?: string | (string | { path: string })[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: string[] | Record<string, { condition: string }>;
  profiles?: string[];
  restart?: string;
  deploy?: { replicas?: number };
}

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const names = Object.keys(services);

const envFiles = (s: ComposeService): string[] => {
  const files = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
  return files.map((f) => (typeof f === 'string' ? f : f.path));
};
const dependsOn = (s: ComposeService): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, v]) => [d, v.condition]));
const commandOf = (s: ComposeService) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));
/** One-shot jobs: others wait for them to have completed, and they are not restarted once done. */
const isJob = (name: string) =>
  names.some((other) => dependsOn(services[other]!)[name] === 'service_completed_successfully') &&
  services[name]!.restart !== 'unless-stopped' &&
  services[name]!.restart !== 'always';

describe('docker-compose.yml', () => {
  it('runs Postgres, the Temporal server and UI, the API, two workers, and Prometheus and Grafana under the monitoring profile', () => {
    const byImage = (prefix: string) => names.filter((n) => services[n]!.image?.startsWith(prefix));
    expect(byImage('postgres:')).toEqual(['postgres']);
    expect(byImage('temporalio/auto-setup:').length + byImage('temporalio/server:').length).toBe(1);
    expect(byImage('temporalio/ui:')).toHaveLength(1);
    expect(names.filter((n) => commandOf(services[n]!).includes('api/main.ts'))).toEqual(['api']);
    const workerInstances = names
      .filter((n) => commandOf(services[n]!).includes('workers/main.ts'))
      .reduce((sum, n) => sum + (services[n]!.deploy?.replicas ?? 1), 0);
    expect(workerInstances).toBe(2);

    const profiled = names.filter((n) => services[n]!.profiles !== undefined);
    expect(profiled.sort()).toEqual(['grafana', 'prometheus']);
    for (const n of profiled) expect(services[n]!.profiles).toEqual(['monitoring']);
    expect(byImage('prom/prometheus:')).toEqual(['prometheus']);
    expect(byImage('grafana/grafana:')).toEqual(['grafana']);
  });

  it('pins every image to an exact version', () => {
    for (const [name, s] of Object.entries(services)) {
      expect([name, s.image]).toEqual([name, expect.any(String)]);
      const [, tag = ''] = /^[^@]+?(?::([^:@/]+))?(@sha256:[0-9a-f]{64})?$/.exec(s.image!) ?? [];
      // major.minor at least (Postgres releases are 16.10, Temporal's 1.29.1), never latest or a major alone.
      expect([name, tag]).toEqual([name, expect.stringMatching(/^v?\d+\.\d+(\.\d+)?([-.][\w.-]+)?$/)]);
    }
    // The project's own image carries the package's version.
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    for (const name of names.filter((n) => services[n]!.build !== undefined)) expect(services[name]!.image).toBe(`retail-ops:${version}`);
  });

  it('gives every long-running service a health check, and waits on them', () => {
    const jobs = names.filter(isJob);
    expect(jobs).toEqual(['temporal-search-attributes']);
    for (const name of names.filter((n) => !jobs.includes(n))) {
      const check = services[name]!.healthcheck;
      expect([name, check?.disable !== true && Array.isArray(check?.test) && check.test.length > 1]).toEqual([name, true]);
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependsOn(s))) {
        expect([name, dependency, names.includes(dependency)]).toEqual([name, dependency, true]);
        if (condition === 'service_healthy')
          expect([name, dependency, services[dependency]!.healthcheck?.test !== undefined]).toEqual([name, dependency, true]);
        // A dependency without a health check is only ever waited on as a completed job.
        if (!services[dependency]!.healthcheck) expect([name, dependency, condition]).toEqual([name, dependency, 'service_completed_successfully']);
      }
    }
  });

  it('publishes no database port and nothing but the API beyond this machine', () => {
    expect(services.postgres!.ports).toBeUndefined();
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) {
        expect([name, port]).not.toEqual([name, expect.stringMatching(/(^|:)5432$/)]);
        if (name !== 'api') expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
      }
    }
  });

  it('takes every secret from the ignored env file, of which a committed example lists each', () => {
    const secretName = /PASSWORD|PWD|SECRET|DATABASE_URL|API_KEY|TOKEN/;
    for (const [name, s] of Object.entries(services)) {
      const inline = Object.keys(s.environment ?? {}).filter((k) => secretName.test(k) && !k.endsWith('_MAX_AGE_DAYS'));
      expect([name, inline]).toEqual([name, []]);
    }
    for (const name of ['postgres', 'temporal', 'api', 'worker', 'simulator', 'grafana'])
      expect([name, envFiles(services[name]!)]).toEqual([name, ['.env.compose']]);
    const example = Object.fromEntries(
      read('.env.compose.example')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const key of ['POSTGRES_PASSWORD', 'POSTGRES_PWD', 'DATABASE_URL', 'UNSUBSCRIBE_SECRETS', 'GF_SECURITY_ADMIN_PASSWORD'])
      expect([key, key in example]).toEqual([key, true]);
    expect(example.DATABASE_URL).toContain(`:${example.POSTGRES_PASSWORD}@postgres:5432/`);
    const ignored = spawnSync('git', ['check-ignore', '-q', '.env.compose'], { cwd: REPO_ROOT });
    expect(ignored.status).toBe(0);
    // The image is built from this directory: the secrets file stays out of its context.
    expect(read('.dockerignore').split('\n')).toContain('.env.compose');
  });

  it('mounts only files that exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect([name, source, existsSync(path.join(REPO_ROOT, source))]).toEqual([name, source, true]);
      }
    }
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const config = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; port: number }[];
    }[];
  };
  /** The ports a compose service's process listens on: its *PORT settings and the container side of its published ports. */
  const listensOn = (s: ComposeService) =>
    new Set([
      ...Object.entries(s.environment ?? {})
        .filter(([k]) => /(^|_)PORT$/.test(k))
        .map(([, v]) => Number(v)),
      ...(s.ports ?? []).map((p) => Number(p.split(':').pop())),
    ]);

  it('scrapes the API and every worker replica at ports they listen on, by compose service name', () => {
    const scraped = new Map<string, number>();
    for (const job of config.scrape_configs) {
      for (const target of job.static_configs?.flatMap((c) => c.targets) ?? []) {
        const [host, port] = target.split(':');
        if (host !== 'localhost') scraped.set(host!, Number(port));
      }
      for (const sd of job.dns_sd_configs ?? []) for (const host of sd.names) scraped.set(host, sd.port);
    }
    expect([...scraped.keys()].sort()).toEqual(['api', 'worker']);
    for (const [host, port] of scraped) {
      expect([host, names.includes(host)]).toEqual([host, true]);
      expect([host, port, listensOn(services[host]!).has(port)]).toEqual([host, port, true]);
    }
    // Replicas share one service name: only DNS discovery reaches each of them.
    const workerJob = config.scrape_configs.find((j) => j.dns_sd_configs?.some((sd) => sd.names.includes('worker')));
    expect(services.worker!.deploy?.replicas).toBeGreaterThan(1);
    expect(workerJob?.metrics_path).toBe('/metrics');
    expect(services.prometheus!.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });
});

describe('deploy/grafana dashboard', () => {
  // The names the API and the workers export (platform/metrics.ts, platform/worker-runtime.ts).
  const API_METRICS = ['retail_ops_http_requests_total', 'retail_ops_http_requests_in_flight', 'retail_ops_approvals_pending', 'retail_ops_decisions_total'];
  const API_HISTOGRAMS = ['retail_ops_http_request_duration_seconds', 'retail_ops_decision_latency_seconds'];
  const WORKER_METRICS = [
    'retail_ops_emails_total',
    'retail_ops_purchase_orders_sent_total',
    'retail_ops_price_pushes_total',
    'retail_ops_campaign_send_rate_emails_per_second',
    'retail_ops_training_series_total',
    'retail_ops_training_series_per_second',
  ];
  // The Temporal SDK's, as its Prometheus exporter names them with the worker's telemetry options
  // (counters with _total, durations in seconds with the unit suffix): scraped from a worker.
  const TEMPORAL_METRICS = [
    'temporal_activity_execution_failed_total',
    'temporal_activity_task_received_total',
    'temporal_num_pollers',
    'temporal_request_total',
    'temporal_long_request_total',
    'temporal_sticky_cache_hit_total',
    'temporal_sticky_cache_size',
    'temporal_worker_task_slots_available',
    'temporal_worker_task_slots_used',
    'temporal_workflow_failed_total',
    'temporal_workflow_task_queue_poll_succeed_total',
  ];
  const TEMPORAL_HISTOGRAMS = [
    'temporal_activity_execution_latency_seconds',
    'temporal_activity_schedule_to_start_latency_seconds',
    'temporal_workflow_endtoend_latency_seconds',
    'temporal_workflow_task_execution_latency_seconds',
    'temporal_workflow_task_replay_latency_seconds',
    'temporal_workflow_task_schedule_to_start_latency_seconds',
    'temporal_request_latency_seconds',
  ];
  const processMetrics = () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'retail_ops_api_' });
    const metricNames = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
    registry.clear();
    return metricNames;
  };
  const series = (histograms: string[]) => histograms.flatMap((h) => ['_bucket', '_sum', '_count'].map((suffix) => h + suffix));
  const KNOWN = new Set([
    ...API_METRICS,
    ...series(API_HISTOGRAMS),
    ...WORKER_METRICS,
    ...TEMPORAL_METRICS,
    ...series(TEMPORAL_HISTOGRAMS),
    ...processMetrics(),
  ]);
  const FUNCTIONS = new Set([
    'sum',
    'avg',
    'min',
    'max',
    'count',
    'rate',
    'irate',
    'increase',
    'histogram_quantile',
    'clamp_min',
    'clamp_max',
    'topk',
    'by',
    'without',
    'on',
    'ignoring',
    'and',
    'or',
    'unless',
    'offset',
  ]);

  interface Panel {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string; datasource?: { uid: string } }[];
    panels?: Panel[];
  }
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/retail-ops.json')) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; type: string; query: string }[] };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  /** The metric names a PromQL expression reads: identifiers outside label matchers, ranges, strings and grouping lists. */
  const metricsIn = (expr: string) =>
    expr
      .replace(/"(?:[^"\\]|\\.)*"/g, '')
      .replace(/\{[^}]*\}/g, '')
      .replace(/\[[^\]]*\]/g, '')
      .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
      .replace(/\b\d+(\.\d+)?(e[-+]?\d+)?\b/gi, '')
      .match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)!
      .filter((token) => !FUNCTIONS.has(token));

  it('parses, and every panel queries only metrics the API and the workers export', () => {
    expect(panels.length).toBeGreaterThanOrEqual(15);
    expect(exprs.length).toBeGreaterThanOrEqual(panels.length);
    for (const expr of exprs) {
      const unknown = metricsIn(expr).filter((m) => !KNOWN.has(m));
      expect([expr, unknown]).toEqual([expr, []]);
    }
  });

  it('shows decisions, approvals pending, HTTP latency p50/p99 by route, emails, POs, price pushes and the Temporal workers', () => {
    const read = new Set(exprs.flatMap(metricsIn));
    for (const metric of [
      'retail_ops_decisions_total',
      'retail_ops_approvals_pending',
      'retail_ops_http_request_duration_seconds_bucket',
      'retail_ops_emails_total',
      'retail_ops_purchase_orders_sent_total',
      'retail_ops_price_pushes_total',
      'retail_ops_campaign_send_rate_emails_per_second',
      'retail_ops_training_series_per_second',
      'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
      'temporal_activity_schedule_to_start_latency_seconds_bucket',
      'temporal_worker_task_slots_available',
      'temporal_sticky_cache_size',
      'temporal_activity_execution_failed_total',
    ]) {
      expect([metric, read.has(metric)]).toEqual([metric, true]);
    }
    const latency = exprs.filter((e) => e.includes('retail_ops_http_request_duration_seconds_bucket'));
    for (const quantile of ['0.5', '0.99']) expect(latency.some((e) => e.includes(`histogram_quantile(${quantile},`) && /by \([^)]*route/.test(e))).toBe(true);
    expect(exprs.find((e) => e.includes('retail_ops_emails_total'))).toMatch(/by \(outcome\)/);
  });

  it('is provisioned into the compose Grafana with the Prometheus datasource its panels use', () => {
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; type: string; url: string }[] };
    const providers = parse(read('deploy/grafana/provisioning/dashboards/retail-ops.yml')) as { providers: { options: { path: string } }[] };
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource')!;
    expect(variable.query).toBe('prometheus');
    for (const p of panels) expect([p.title, p.datasource?.uid]).toEqual([p.title, `\${${variable.name}}`]);
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    expect(services.grafana!.volumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0]!.options.path}:ro`);
    expect(services.grafana!.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});
