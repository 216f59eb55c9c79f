import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { codeVersion } from './code-version';

export type TracedService = 'retail-ops-api' | 'retail-ops-worker';

export interface Tracing {
  /** False when no endpoint is configured: spans are not recorded and nothing is exported. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  readonly resource: Resource;
  /** Where finished spans go; the worker hands it to the workflow sandbox's exporter sink. */
  readonly spanProcessor: SpanProcessor;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Spans go here instead of OTLP, each as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** Whether the environment names an OTLP endpoint for traces (the exporter reads the same variables). */
export function otlpTracesConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/** The traces endpoint as the OTLP/HTTP exporter derives it: the traces URL as given, else `/v1/traces` under the base. */
function otlpTracesUrl(env: NodeJS.ProcessEnv): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The process's tracer provider. Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
 * (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise tracing is off: no provider is
 * registered, the tracer is a no-op one (whatever else registers) and no trace context is sent to Temporal.
 *
 * The first provider started in a process becomes the global one (context manager, W3C
 * propagator); callers pass `tracer` explicitly, so a second one (the API and a worker in one test
 * process) still records its own spans under its own service name.
 */
export function startTracing(service: TracedService, opts: TracingOptions = {}): Tracing {
  const env = opts.env ?? process.env;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: service, [ATTR_SERVICE_VERSION]: codeVersion(env) });
  if (!opts.exporter && !otlpTracesConfigured(env)) {
    return {
      enabled: false,
      tracer: new ProxyTracerProvider().getTracer(service),
      resource,
      spanProcessor: new NoopSpanProcessor(),
      shutdown: async () => undefined,
    };
  }
  const spanProcessor = opts.exporter ? new SimpleSpanProcessor(opts.exporter) : new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(env) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { enabled: true, tracer: provider.getTracer(service), resource, spanProcessor, shutdown: () => provider.shutdown() };
}
