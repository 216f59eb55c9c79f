import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tracer } from '@opentelemetry/api';
import type {
  Next,
  WorkflowClientInterceptor,
  WorkflowSignalInput,
  WorkflowStartInput,
  WorkflowStartOutput,
  WorkflowStartUpdateInput,
} from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { defaultPayloadConverter } from '@temporalio/common';

/**
 * The Temporal header carrying the API's request id (workflows/interceptors.ts reads the same name:
 * workflow code cannot import platform/).
 */
export const REQUEST_ID_HEADER = 'retail-ops-request-id';

/** The span attribute holding the request id: the API's request span and the activities it caused. */
export const REQUEST_ID_ATTRIBUTE = 'request.id';

/** The HTTP request being served, for what it calls on Temporal. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The request id of the HTTP request being served, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

function withRequestId<T extends { headers: Record<string, unknown> }>(input: T, requestId: string): T {
  return { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } };
}

/**
 * Carries the API's request id into Temporal: a header on start, signal and Update (the worker's
 * interceptors hand it on to the activities that message causes), and memo `requestId` on start.
 */
export class RequestIdClientInterceptor implements WorkflowClientInterceptor {
  async startWithDetails(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'startWithDetails'>): Promise<WorkflowStartOutput> {
    const requestId = currentRequestId();
    if (!requestId) return next(input);
    const options = { ...input.options, memo: { ...input.options.memo, requestId } };
    return next({ ...withRequestId(input, requestId), options });
  }

  async signal(input: WorkflowSignalInput, next: Next<WorkflowClientInterceptor, 'signal'>): Promise<void> {
    const requestId = currentRequestId();
    return next(requestId ? withRequestId(input, requestId) : input);
  }

  async startUpdate(input: WorkflowStartUpdateInput, next: Next<WorkflowClientInterceptor, 'startUpdate'>) {
    const requestId = currentRequestId();
    return next(requestId ? withRequestId(input, requestId) : input);
  }
}

/** The interceptors of every Temporal client the API and the worker build: traces, and the request id. */
export function workflowClientInterceptors(tracer?: Tracer): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor(tracer ? { tracer } : {}), new RequestIdClientInterceptor()];
}
