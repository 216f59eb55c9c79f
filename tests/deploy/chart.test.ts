/**
 * deploy/helm/retail-ops rendered by Helm v4 and checked by kubeconform against the Kubernetes
 * schemas (and prometheus-operator's ServiceMonitor CRD), with the default values and with every
 * option on; a chart with a wrong field must fail the same check.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHART_DIR, helmTemplate, kubeconform, type K8sObject, type Rendered } from './k8s-tools';

const EVERYTHING_ON = path.join(__dirname, 'chart-everything-on.values.yaml');

interface Container {
  name: string;
  image: string;
  command: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string } }[];
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);

function expectValid(rendered: Rendered) {
  expect(rendered.stderr).toBe('');
  expect(rendered.ok).toBe(true);
  const result = kubeconform(rendered.manifest);
  const problems = result.resources.filter((r) => r.status !== 'statusValid');
  expect(problems).toEqual([]);
  expect(result.summary).toEqual({ valid: rendered.objects.length, invalid: 0, errors: 0, skipped: 0 });
}

function expectDeploymentsOperable(objects: K8sObject[]) {
  for (const deployment of byKind(objects, 'Deployment')) {
    for (const c of podSpec(deployment).containers) {
      expect([deployment.metadata.name, c.livenessProbe && c.readinessProbe ? 'probes' : 'no probes']).toEqual([deployment.metadata.name, 'probes']);
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      expect(envOf(c, 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe('DATABASE_URL');
      expect(envOf(c, 'UNSUBSCRIBE_SECRETS')?.valueFrom?.secretKeyRef?.key).toBe('UNSUBSCRIBE_SECRETS');
      expect(c.envFrom?.[0]?.configMapRef?.name).toBe('retail-ops');
    }
  }
}

describe('Helm chart deploy/helm/retail-ops', () => {
  it('renders valid Kubernetes objects with its default values: api, workers with an HPA, config, migrations', () => {
    const rendered = helmTemplate();
    expectValid(rendered);
    const { objects } = rendered;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/retail-ops',
        'Deployment/retail-ops-api',
        'Deployment/retail-ops-worker',
        'HorizontalPodAutoscaler/retail-ops-worker',
        'Job/retail-ops-migrate',
        'PodDisruptionBudget/retail-ops-api',
        'PodDisruptionBudget/retail-ops-worker',
        'Service/retail-ops-api',
        'Service/retail-ops-worker-metrics',
        'ServiceAccount/retail-ops',
      ].sort(),
    );
    expectDeploymentsOperable(objects);

    const config = one(objects, 'ConfigMap', 'retail-ops').data!;
    expect(config.TEMPORAL_WORKER_DEPLOYMENT_NAME).toBeUndefined();
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      CODE_VERSION: '0.1.0',
      TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc.cluster.local:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'retail-ops',
    });

    // Secrets come from a Secret the operator manages; the chart holds none by default.
    const api = podSpec(one(objects, 'Deployment', 'retail-ops-api')).containers[0]!;
    expect(envOf(api, 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name).toBe('retail-ops');
    expect(api.command).toEqual(['node', '--import', 'tsx', 'api/main.ts']);

    const worker = one(objects, 'Deployment', 'retail-ops-worker');
    expect(worker.spec!.replicas).toBeUndefined(); // the HPA owns the count
    const workerContainer = podSpec(worker).containers[0]!;
    expect(workerContainer.command).toEqual(['node', '--import', 'tsx', 'workers/main.ts']);
    expect(envOf(workerContainer, 'WORKER_METRICS_PORT')?.value).toBe('9464');
    expect(envOf(workerContainer, 'WORKER_METRICS_HOST')?.value).toBe('0.0.0.0');
    const hpa = one(objects, 'HorizontalPodAutoscaler', 'retail-ops-worker').spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'retail-ops-worker' });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);

    // At the HPA's maximum, every pod's pool together stays under Postgres' default max_connections (100).
    const poolOf = (name: string) => Number(envOf(podSpec(one(objects, 'Deployment', name)).containers[0]!, 'DATABASE_POOL_SIZE')?.value);
    const apiReplicas = one(objects, 'Deployment', 'retail-ops-api').spec!.replicas as number;
    expect(apiReplicas * poolOf('retail-ops-api') + hpa.maxReplicas * poolOf('retail-ops-worker')).toBeLessThanOrEqual(100);
    expect(Number(envOf(workerContainer, 'WORKER_MAX_CONCURRENT_ACTIVITIES')?.value)).toBeLessThanOrEqual(2 * poolOf('retail-ops-worker'));

    const job = one(objects, 'Job', 'retail-ops-migrate');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
    expect(podSpec(job).containers[0]!.command).toEqual(['node', '--import', 'tsx', 'scripts/migrate.ts']);
  });

  it('renders valid objects with every option on: its own Secret, Temporal Cloud mTLS and API key, ServiceMonitors', () => {
    const rendered = helmTemplate({ valuesFiles: [EVERYTHING_ON] });
    expectValid(rendered);
    const { objects } = rendered;
    expectDeploymentsOperable(objects);

    const secret = one(objects, 'Secret', 'retail-ops');
    expect(Buffer.from(secret.data!.DATABASE_URL!, 'base64').toString()).toBe('postgresql://retail_ops:secret@postgres.db.svc:5432/retail_ops');
    // The migration Job runs as a pre-install hook: the Secret it reads must be created before it.
    const job = one(objects, 'Job', 'retail-ops-migrate');
    expect(Number(secret.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations!['helm.sh/hook-weight']));
    expect(secret.metadata.annotations!['helm.sh/hook']).toBe(job.metadata.annotations!['helm.sh/hook']);

    for (const name of ['retail-ops-api', 'retail-ops-worker']) {
      const spec = podSpec(one(objects, 'Deployment', name));
      const c = spec.containers[0]!;
      expect(c.image).toBe('registry.example.com/retail-ops:0.1.0-7f3c2e1');
      expect(envOf(c, 'TEMPORAL_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'temporal-cloud', key: 'api-key' });
      expect(envOf(c, 'TEMPORAL_TLS_CERT_PATH')?.value).toBe('/etc/retail-ops/temporal-tls/tls.crt');
      expect([name, envOf(c, 'METRICS_TOKEN')?.valueFrom?.secretKeyRef]).toEqual([
        name,
        name === 'retail-ops-api' ? { name: 'retail-ops-metrics', key: 'metrics-token' } : undefined,
      ]);
      const mount = c.volumeMounts!.find((m) => m.mountPath === '/etc/retail-ops/temporal-tls')!;
      expect(spec.volumes!.find((v) => v.name === mount.name)?.secret?.secretName).toBe('temporal-client-cert');
    }
    expect(one(objects, 'ConfigMap', 'retail-ops').data).toMatchObject({
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_NAME: 'retail-ops.a1b2c.tmprl.cloud',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4318',
      SMTP_SEND_RATE_PER_SECOND: '200',
      // Worker Versioning: the image tag is the build id.
      TEMPORAL_WORKER_DEPLOYMENT_NAME: 'retail-ops',
      CODE_VERSION: '0.1.0-7f3c2e1',
    });
    const hpa = one(objects, 'HorizontalPodAutoscaler', 'retail-ops-worker').spec as { metrics: { resource: { name: string } }[] };
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(['cpu', 'memory']);

    // Each ServiceMonitor selects exactly one Service of the release, by a port that Service has.
    const services = byKind(objects, 'Service');
    const monitors = byKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['retail-ops-api', 'retail-ops-worker']);
    for (const monitor of monitors) {
      const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
      const selected = services.filter((s) => Object.entries(spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
      expect(selected).toHaveLength(1);
      const ports = (selected[0]!.spec as { ports: { name: string }[] }).ports.map((p) => p.name);
      expect(spec.endpoints.map((e) => [ports.includes(e.port), e.path])).toEqual([[true, '/metrics']]);
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      // The API's /metrics wants the bearer token the API was given; the workers' endpoint has none.
      const authorization = (spec.endpoints[0] as { authorization?: { credentials: unknown } }).authorization;
      expect([monitor.metadata.name, authorization?.credentials]).toEqual([
        monitor.metadata.name,
        monitor.metadata.name === 'retail-ops-api' ? { name: 'retail-ops-metrics', key: 'metrics-token' } : undefined,
      ]);
    }
  });

  it('refuses to render without the secrets it needs', () => {
    const noSecret = helmTemplate({ set: ['secrets.existingSecret='] });
    expect(noSecret.ok).toBe(false);
    expect(noSecret.stderr).toContain('secrets.existingSecret');
    const created = helmTemplate({ set: ['secrets.create=true', 'secrets.unsubscribeSecrets=abc'] });
    expect(created.ok).toBe(false);
    expect(created.stderr).toContain('secrets.databaseUrl is required');
  });

  describe('a broken chart fails the check', () => {
    let brokenDir: string;
    beforeEach(() => {
      brokenDir = path.join(mkdtempSync(path.join(tmpdir(), 'retail-ops-chart-')), 'retail-ops');
      cpSync(CHART_DIR, brokenDir, { recursive: true });
    });
    afterEach(() => rmSync(path.dirname(brokenDir), { recursive: true, force: true }));

    const breakTemplate = (file: string, from: string, to: string) => {
      const p = path.join(brokenDir, 'templates', file);
      const text = readFileSync(p, 'utf8');
      expect(text).toContain(from);
      writeFileSync(p, text.replace(from, to));
    };

    it.each([
      ['a misspelt field in a Deployment', 'api-deployment.yaml', 'containerPort:', 'containerPorts:', 1, /containerPorts/],
      ['a number where Kubernetes wants a string', 'worker-service.yaml', 'protocol: TCP', 'protocol: 6', 1, /protocol/],
      ['an unknown field in an HPA', 'worker-hpa.yaml', 'minReplicas:', 'minimumReplicas:', 1, /minimumReplicas/],
      ['an unknown field in the ServiceMonitors', 'servicemonitor.yaml', 'scrapeTimeout:', 'scrapeDeadline:', 2, /scrapeDeadline/],
    ])('%s', (_what, file, from, to, invalid, message) => {
      breakTemplate(file, from, to);
      const rendered = helmTemplate({ chartDir: brokenDir, valuesFiles: [EVERYTHING_ON] });
      expect(rendered.ok).toBe(true);
      const result = kubeconform(rendered.manifest);
      expect(result.summary.invalid).toBe(invalid);
      expect(result.resources.find((r) => r.status === 'statusInvalid')?.msg).toMatch(message);
    });
  });
});
