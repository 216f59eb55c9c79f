import { trace } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptors, BundleOptions, InjectedSinks, ReplayWorkerOptions, WorkerInterceptors, WorkerOptions } from '@temporalio/worker';
import { REQUEST_ID_ATTRIBUTE, REQUEST_ID_HEADER, workflowClientInterceptors } from './request-context';
import { startTracing, type Tracing } from './tracing';

/**
 * Interceptor modules bundled into the workflow sandbox: traces (a span per run, signal, Update and
 * scheduled activity, sent out through the `exporter` sink) and the request id.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('../workflows/tracing-interceptors'),
  require.resolve('../workflows/interceptors'),
];

/** What the worker bundles: workflows/ with its interceptors (the worker at start, `npm run build:workflows`, the tests). */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules'> {
  return { workflowsPath: require.resolve('../workflows'), workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES] };
}

/** The request id an activity was scheduled with (header): on its span, and in its log attributes next to the trace id. */
function requestIdActivityInterceptors(): ActivityInterceptors {
  let requestId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const header = input.headers[REQUEST_ID_HEADER];
        if (header) {
          try {
            requestId = String(defaultPayloadConverter.fromPayload(header));
            // Inside OpenTelemetry's interceptor: the activity's span is the active one.
            trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
          } catch {
            // a header this code did not write: logs go without it
          }
        }
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next(requestId ? { requestId, ...input } : input);
      },
    },
  };
}

type TracingParts = Pick<Tracing, 'tracer' | 'spanProcessor' | 'resource'>;
type WorkflowBundle = NonNullable<WorkerOptions['workflowBundle']>;

/**
 * The workflow code, interceptors and sinks of every worker this project runs (workers/main.ts, the
 * test harness) and of the replay tests, so each recorded history is proven to replay under what
 * runs in production. A `workflowBundle` must be built with workflowBundleOptions(); without one the
 * worker bundles workflows/ with the same interceptor modules at start.
 */
export function workflowWorkerOptions(
  tracing: TracingParts,
  workflowBundle?: WorkflowBundle,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors' | 'sinks'> {
  const sinks: InjectedSinks<OpenTelemetrySinks> = { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  const interceptors: WorkerInterceptors = {
    client: { workflow: workflowClientInterceptors(tracing.tracer) },
    activity: [
      (ctx: ActivityContext) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
      requestIdActivityInterceptors,
    ],
  };
  // With a bundle the modules are in it already (the SDK warns when they are passed again).
  if (workflowBundle) return { workflowBundle, interceptors, sinks };
  return { workflowsPath: workflowBundleOptions().workflowsPath, interceptors: { ...interceptors, workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] }, sinks };
}

/** Replay options for a recorded history: the production bundle, interceptors and sinks (tracing off: replay exports nothing). */
export function replayWorkerOptions(
  workflowBundle: WorkflowBundle,
  tracing: TracingParts = startTracing('retail-ops-worker', { env: {} }),
): ReplayWorkerOptions {
  return workflowWorkerOptions(tracing, workflowBundle);
}
