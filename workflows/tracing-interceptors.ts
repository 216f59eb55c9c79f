/**
 * OpenTelemetry in the workflow sandbox (not a workflow): a span for the run, each signal and
 * Update it handles and each activity or child it starts, joined to the caller's trace through the
 * `_tracer-data` header and sent out through the `exporter` sink, as the SDK's
 * @temporalio/interceptors-opentelemetry does, whose sandbox pieces this reuses.
 *
 * Written here instead of using that package's workflow interceptors because those wrap every
 * activity's result in further promises: the workflow's code then sees a result some microtasks
 * later, which reorders commands where an Update handler and the main body race (three recorded
 * replenishment histories fail to replay under them). These return the very promise the next
 * interceptor returned and end their span beside it, so a run emits the same commands with or
 * without them, and with tracing on or off.
 */
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime';
import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { extractContextFromHeaders, headersWithContext } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import {
  ContinueAsNew,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

let tracer: otel.Tracer | undefined;
let contextManager: ContextManager | undefined;

function getTracer(): otel.Tracer {
  if (!tracer) {
    contextManager = new ContextManager();
    const provider = new BasicTracerProvider();
    provider.addSpanProcessor(new SimpleSpanProcessor(new SpanExporter()));
    provider.register({ contextManager });
    tracer = provider.getTracer('@temporalio/interceptor-workflow');
  }
  return tracer;
}

function failed(span: otel.Span, err: unknown, acceptable?: (err: unknown) => boolean): void {
  if (acceptable?.(err)) return void span.setStatus({ code: otel.SpanStatusCode.OK });
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  if (err instanceof Error) span.recordException(err);
}

/**
 * Runs `fn` with a new span active (a child of `parent`, else of the active context) and returns
 * fn's own promise: the span ends in a reaction beside the caller's, adding no microtask to its path.
 */
function traced<T>(
  name: string,
  parent: otel.Context | undefined,
  fn: () => Promise<T>,
  opts: { attributes?: otel.Attributes; acceptable?: (err: unknown) => boolean } = {},
): Promise<T> {
  const ctx = parent ?? otel.context.active();
  const span = getTracer().startSpan(name, { attributes: opts.attributes }, ctx);
  let result: Promise<T>;
  try {
    result = otel.context.with(otel.trace.setSpan(ctx, span), fn);
  } catch (err) {
    failed(span, err, opts.acceptable);
    span.end();
    throw err;
  }
  result.then(
    () => {
      span.setStatus({ code: otel.SpanStatusCode.OK });
      span.end();
    },
    (err: unknown) => {
      failed(span, err, opts.acceptable);
      span.end();
    },
  );
  return result;
}

const isContinueAsNew = (err: unknown) => err instanceof ContinueAsNew;

class TracingInbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return traced(`RunWorkflow:${workflowInfo().workflowType}`, extractContextFromHeaders(input.headers), () => next(input), { acceptable: isContinueAsNew });
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return traced(`HandleSignal:${input.signalName}`, extractContextFromHeaders(input.headers), () => next(input));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return traced(`HandleUpdate:${input.name}`, extractContextFromHeaders(input.headers), () => next(input), {
      attributes: { temporalUpdateId: input.updateId },
    });
  }
  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = getTracer().startSpan(`ValidateUpdate:${input.name}`, { attributes: { temporalUpdateId: input.updateId } }, parent);
    try {
      otel.context.with(otel.trace.setSpan(parent, span), () => next(input));
      span.setStatus({ code: otel.SpanStatusCode.OK });
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return traced(`StartActivity:${input.activityType}`, undefined, () => next({ ...input, headers: headersWithContext(input.headers) }));
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return traced(`StartActivity:${input.activityType}`, undefined, () => next({ ...input, headers: headersWithContext(input.headers) }));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return traced(`StartChildWorkflow:${input.workflowType}`, undefined, () => next({ ...input, headers: headersWithContext(input.headers) }));
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    return traced(`SignalWorkflow:${input.signalName}`, undefined, () => next({ ...input, headers: headersWithContext(input.headers) }));
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    getTracer();
    return next({ ...input, headers: headersWithContext(input.headers) });
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const spanContext = otel.trace.getSpan(otel.context.active())?.spanContext();
    if (!spanContext || !otel.isSpanContextValid(spanContext)) return next(input);
    return next({ trace_id: spanContext.traceId, span_id: spanContext.spanId, ...input });
  }
}

class TracingInternals implements WorkflowInternalsInterceptor {
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    contextManager?.disable();
    next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  getTracer();
  return { inbound: [new TracingInbound()], outbound: [new TracingOutbound()], internals: [new TracingInternals()] };
};
