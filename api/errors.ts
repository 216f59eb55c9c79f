import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { ZodError } from 'zod';
import { UnstorableInputError } from '../platform/storable-input';

/** RFC 9457 problem details; `type` is a stable, machine-readable URI per error class. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string; code?: string }[];
  [extra: string]: unknown;
}

export const PROBLEM_BASE = 'https://retail-ops.dev/problems/';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const problems = {
  validation: (errors: Problem['errors'], detail = 'The request has invalid fields.') =>
    new HttpProblem(400, 'validation-error', 'Invalid request', detail, { errors }),
  unauthenticated: (detail = 'A valid API key is required: Authorization: Bearer <api key>.', keyGiven = false) =>
    new HttpProblem(401, 'unauthenticated', 'Unauthenticated', detail, { keyGiven }),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail),
  conflict: (slug: string, detail: string) => new HttpProblem(409, slug, 'Conflict', detail),
  unavailable: (detail: string) => new HttpProblem(503, 'unavailable', 'Service unavailable', detail),
};

export function zodProblem(err: ZodError, location: 'body' | 'query' | 'params' | 'header'): HttpProblem {
  const errors = err.issues.map((i) => ({
    field: [location, ...i.path.map(String)].join('.'),
    message: i.message,
    code: i.code,
  }));
  return problems.validation(errors, `Invalid ${location}: ${errors.map((e) => e.field).join(', ')}.`);
}

export function sendProblem(res: Response, p: HttpProblem, instance?: string): void {
  const body: Problem = {
    type: `${PROBLEM_BASE}${p.slug}`,
    title: p.title,
    status: p.status,
    detail: p.message,
    instance,
    ...p.extra,
  };
  // RFC 6750: a 401 names the scheme it wants (and says whether a key was given but is not valid).
  if (p.status === 401) res.setHeader('WWW-Authenticate', p.extra.keyGiven ? 'Bearer realm="retail-ops", error="invalid_token"' : 'Bearer realm="retail-ops"');
  delete body.keyGiven;
  const requestId = res.getHeader('x-request-id');
  if (requestId) body.requestId = requestId;
  res.status(p.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, problems.notFound(`No route for ${req.method} ${req.path}.`), req.originalUrl);
};

/** The last handler: known problems as they are, body-parser failures as 4xx, anything else a logged 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof HttpProblem) return sendProblem(res, err, req.originalUrl);
  if (err instanceof UnstorableInputError) {
    const errors = err.problems.map(({ field, message, code }) => ({ field, message, code }));
    return sendProblem(res, problems.validation(errors, `Invalid input: ${errors.map((e) => e.field).join(', ')}.`), req.originalUrl);
  }
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    return sendProblem(res, problems.validation([{ field: 'body', message: 'Body is not valid JSON.' }], 'Body is not valid JSON.'), req.originalUrl);
  }
  if (type === 'entity.too.large') {
    return sendProblem(res, new HttpProblem(413, 'payload-too-large', 'Payload too large', 'The request body exceeds the size limit.'), req.originalUrl);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return sendProblem(res, new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', (err as Error).message), req.originalUrl);
  }
  if (workflowClosedMeanwhile(err)) {
    return sendProblem(
      res,
      problems.conflict('not-running', 'The process finished while this request was being handled; nothing is pending any more.'),
      req.originalUrl,
    );
  }
  const down = dependencyDown(err);
  if (down) {
    (req as { log?: { warn: (o: unknown, m: string) => void } }).log?.warn({ err }, `${down} unavailable`);
    res.setHeader('Retry-After', '5');
    return sendProblem(res, problems.unavailable(`${down} is not answering; retry in a few seconds.`), req.originalUrl);
  }
  if (status && status >= 400 && status < 500) {
    return sendProblem(res, new HttpProblem(status, 'bad-request', 'Bad request', (err as Error).message), req.originalUrl);
  }
  (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error({ err }, 'unhandled error');
  sendProblem(res, new HttpProblem(500, 'internal', 'Internal error', 'Something went wrong; the request ID identifies it in the logs.'), req.originalUrl);
};

/**
 * A request that raced the run's end (a cancel, a decision, a supplier event or a pause arriving as
 * the workflow closes): Temporal says so in several ways, all of which mean 409, not 500.
 */
export function workflowClosedMeanwhile(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    const message = String((e as { message?: unknown }).message ?? '');
    if (name === 'WorkflowNotFoundError' && /already completed|aborted by closing workflow|not found/i.test(message)) return true;
    if (name === 'CancelledFailure' && (e as { cause?: unknown }) !== err) return true;
    if (
      name === 'WorkflowUpdateFailedError' &&
      /Workflow cancelled|Activity cancelled/i.test(`${message} ${String((e as { cause?: { message?: unknown } }).cause?.message ?? '')}`)
    )
      return true;
  }
  return false;
}

const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const PG_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);

/** 'Temporal' or 'Postgres' when the error says that dependency is down or overloaded (a 503, not a 500). */
export function dependencyDown(err: unknown): 'Temporal' | 'Postgres' | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED, GRPC_RESOURCE_EXHAUSTED].includes(e.code)) return 'Temporal';
    // An Update refused because the workflow task failed or timed out (a worker killed or overloaded): retryable.
    if (isGrpcServiceError(e) && e.code === GRPC_FAILED_PRECONDITION && /workflow task/i.test(e.message)) return 'Temporal';
    if (
      e instanceof ServiceError &&
      /UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|FAILED_PRECONDITION: Unable to perform workflow execution update/.test(e.message)
    )
      return 'Temporal';
    const code = (e as { code?: unknown }).code ?? (e as { originalCode?: unknown }).originalCode;
    if (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) return 'Postgres';
    const name = (e as { name?: unknown }).name;
    if (name === 'PrismaClientInitializationError') return 'Postgres';
  }
  return undefined;
}
