/**
 * Workflow interceptors (not a workflow): the API's request id, received as a header on the start,
 * signal or Update being handled, goes on as a header to the activities (and child workflows) that
 * handler schedules, and into the workflow's log attributes. Headers only: the commands a workflow
 * emits are the same with or without these interceptors (headers are not compared on replay, and
 * the replay tests run every recorded history through them).
 */
import { trace } from '@opentelemetry/api';
import {
  AsyncLocalStorage,
  defaultPayloadConverter,
  type ActivityInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Payload } from '@temporalio/common';

/** The same name as platform/request-context.ts REQUEST_ID_HEADER. */
export const REQUEST_ID_HEADER = 'retail-ops-request-id';

const handling = new AsyncLocalStorage<{ requestId: string; header: Payload }>();

function within<T>(headers: Record<string, Payload>, fn: () => T): T {
  const header = headers[REQUEST_ID_HEADER];
  if (!header) return fn();
  let requestId: string;
  try {
    requestId = String(defaultPayloadConverter.fromPayload(header));
  } catch {
    return fn();
  }
  // Inside the tracing interceptor (bundled first): the span of this start, signal or Update.
  trace.getActiveSpan()?.setAttribute('request.id', requestId);
  return handling.run({ requestId, header }, fn);
}

function carried<T extends { headers: Record<string, Payload> }>(input: T): T {
  const store = handling.getStore();
  if (!store || input.headers[REQUEST_ID_HEADER]) return input;
  return { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: store.header } };
}

class RequestIdInbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return within(input.headers, () => next(input));
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return within(input.headers, () => next(input));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return within(input.headers, () => next(input));
  }
}

class RequestIdOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next(carried(input));
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return next(carried(input));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return next(carried(input));
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const requestId = handling.getStore()?.requestId;
    return next(requestId ? { requestId, ...input } : input);
  }
}

class RequestIdInternals implements WorkflowInternalsInterceptor {
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    handling.disable();
    next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new RequestIdInbound()],
  outbound: [new RequestIdOutbound()],
  internals: [new RequestIdInternals()],
});
