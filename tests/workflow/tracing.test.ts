/**
 * One trace from an HTTP request to the activities it causes: the real Express app (its request
 * span, the Temporal client's interceptors) and a real worker (the production interceptors, bundle
 * and workflow span sink), both exporting to one in-memory exporter. A manager's decision on a real
 * price change is followed from its HTTP span through the client's Update, the workflow's handling
 * of it, to the activity that records it; its request id travels the same way as a header.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { log as activityLog } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type LogLevel, type LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { REQUEST_ID_ATTRIBUTE, REQUEST_ID_HEADER, workflowClientInterceptors } from '../../platform/request-context';
import { startTracing, type Tracing } from '../../platform/tracing';
import { workflowWorkerOptions } from '../../platform/worker-interceptors';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { auth } from '../support/api';
import { createPricingScenario } from '../support/pricing-fixtures';

let h: Harness;
let app: Express;
const exporter = new InMemorySpanExporter();
let apiTracing: Tracing;
let workerTracing: Tracing;

beforeAll(async () => {
  h = await createHarness();
  apiTracing = startTracing('retail-ops-api', { exporter });
  workerTracing = startTracing('retail-ops-worker', { exporter });
  await h.startWorker({ tracing: workerTracing });
  // The API's client as platform/temporal.ts builds it, over the harness's connection.
  const client = new Client({
    connection: h.client.connection,
    namespace: h.client.options.namespace,
    interceptors: { workflow: workflowClientInterceptors(apiTracing.tracer) },
  });
  app = createApp({
    db: h.db,
    client,
    taskQueue: h.taskQueue,
    unsubscribeSecrets: h.unsubscribeSecrets,
    logger: createLogger('silent'),
    tracer: apiTracing.tracer,
  });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([apiTracing?.shutdown(), workerTracing?.shutdown()]);
});

const service = (s: ReadableSpan) => s.resource.attributes['service.name'];

/** The span's ancestors, nearest first, among the spans exported so far. */
function ancestors(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan[] {
  const chain: ReadableSpan[] = [];
  for (let at = span; at.parentSpanId;) {
    const parent = spans.find((s) => s.spanContext().spanId === at.parentSpanId && s.spanContext().traceId === at.spanContext().traceId);
    if (!parent) break;
    chain.push(parent);
    at = parent;
  }
  return chain;
}

test("a decision's trace runs from its HTTP request through the Update to the activity recording it, with its request id", async () => {
  const s = await createPricingScenario(h.db);
  const startRequestId = `start-${randomUUID()}`;
  const decideRequestId = `decide-${randomUUID()}`;
  const started = await request(app)
    .post('/api/v1/price-changes')
    .set(auth(s.people.system.apiKey))
    .set('x-request-id', startRequestId)
    .send({
      sku: s.sku,
      storeIds: s.storeIds,
      newPrice: 90,
      reason: 'Clear the summer linen',
      timing: { monitorWindowMs: 2000, monitorEveryMs: 1000, monitorAfterMs: 0 },
    });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  try {
    await eventually(
      async () => {
        const res = await request(app).get(`/api/v1/price-changes/${id}`).set(auth(s.people.ops.apiKey));
        return res.body.stage === 'awaiting_approval' && res.body.pendingApproval;
      },
      30_000,
      'approval pending',
    );

    const decided = await request(app)
      .post(`/api/v1/price-changes/${id}/decisions`)
      .set(auth(s.people.category.apiKey))
      .set('x-request-id', decideRequestId)
      .send({ decision: 'approve', comment: 'Fine for the season' });
    expect(decided.status).toBe(200);
    expect(decided.headers['x-request-id']).toBe(decideRequestId);

    // The HTTP span, named by its route template, with the request id.
    const http = await eventually(
      async () => exporter.getFinishedSpans().find((x) => x.kind === SpanKind.SERVER && x.attributes[REQUEST_ID_ATTRIBUTE] === decideRequestId),
      10_000,
      'the HTTP span',
    );
    expect(http.name).toBe('POST /api/v1/price-changes/:id/decisions');
    expect(http.attributes).toMatchObject({
      'http.route': '/api/v1/price-changes/:id/decisions',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    expect(service(http)).toBe('retail-ops-api');
    const traceId = http.spanContext().traceId;

    // The activity the decision caused, in the same trace: its ancestors are the workflow's
    // handling of the Update, the client's Update call and the HTTP request.
    const recorded = await eventually(
      async () => exporter.getFinishedSpans().find((x) => x.name === 'RunActivity:recordApprovalDecision' && x.spanContext().traceId === traceId),
      20_000,
      "the decision's activity span in the request's trace",
    );
    expect(service(recorded)).toBe('retail-ops-worker');
    expect(recorded.attributes).toMatchObject({ temporalWorkflowId: id, [REQUEST_ID_ATTRIBUTE]: decideRequestId });
    const chain = await eventually(
      async () => {
        const c = ancestors(recorded, exporter.getFinishedSpans());
        return c[c.length - 1] === http ? c : undefined;
      },
      20_000,
      'the span chain up to the HTTP request',
    );
    expect(chain.map((x) => x.name)).toEqual([
      'StartActivity:recordApprovalDecision',
      'HandleUpdate:decide',
      'StartWorkflowUpdate:decide',
      'POST /api/v1/price-changes/:id/decisions',
    ]);
    expect(chain.map(service)).toEqual(['retail-ops-worker', 'retail-ops-worker', 'retail-ops-api', 'retail-ops-api']);
    expect(chain[1]!.attributes.workflowId).toBe(id);
    // The validator ran under the client's Update call too.
    const validated = exporter.getFinishedSpans().find((x) => x.name === 'ValidateUpdate:decide' && x.spanContext().traceId === traceId);
    expect(validated?.parentSpanId).toBe(chain[2]!.spanContext().spanId);

    // The start's request id is the run's memo, and reached the activities the start scheduled.
    const desc = await h.client.workflow.getHandle(id).describe();
    expect(desc.memo).toMatchObject({ requestId: startRequestId });
    const startTrace = exporter.getFinishedSpans().find((x) => x.kind === SpanKind.SERVER && x.attributes[REQUEST_ID_ATTRIBUTE] === startRequestId);
    expect(startTrace?.name).toBe('POST /api/v1/price-changes');
    const opened = exporter.getFinishedSpans().find((x) => x.name === 'RunActivity:openApprovalRequest' && x.attributes.temporalWorkflowId === id);
    expect(opened?.spanContext().traceId).toBe(startTrace?.spanContext().traceId);
    expect(opened?.attributes[REQUEST_ID_ATTRIBUTE]).toBe(startRequestId);
  } finally {
    await h.client.workflow
      .getHandle(id)
      .cancel()
      .catch(() => undefined);
  }
});

test("an activity's log lines carry the request id it was scheduled with, next to the SDK's own fields", async () => {
  const lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const logger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => void lines.push({ level, message, meta }),
    trace: () => undefined,
    debug: () => undefined,
    info: (message: string, meta?: LogMetadata) => void lines.push({ level: 'INFO', message, meta }),
    warn: () => undefined,
    error: () => undefined,
  };
  const production = workflowWorkerOptions(startTracing('retail-ops-worker', { env: {} })).interceptors!.activity!;
  // The header as a workflow's interceptors schedule it (the test environment runs activities without headers).
  const scheduled = () => ({
    inbound: {
      execute: (input: { args: unknown[]; headers: Record<string, unknown> }, next: (i: typeof input) => Promise<unknown>) =>
        next({ ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload('req-42') } }),
    },
  });
  const env = new MockActivityEnvironment({ activityType: 'sendPurchaseOrder', attempt: 2 }, { logger, interceptors: [scheduled as never, ...production] });
  await env.run(async () => activityLog.info('purchase order sent to supplier', { purchaseOrderId: 'PO-1' }));
  const line = lines.find((l) => l.message === 'purchase order sent to supplier');
  expect(line?.meta).toMatchObject({ requestId: 'req-42', purchaseOrderId: 'PO-1', activityType: 'sendPurchaseOrder', attempt: 2 });

  const without = new MockActivityEnvironment({ activityType: 'sendPurchaseOrder' }, { logger, interceptors: production });
  await without.run(async () => activityLog.info('no request behind this one'));
  expect(lines.find((l) => l.message === 'no request behind this one')?.meta).not.toHaveProperty('requestId');
});
