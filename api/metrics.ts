/**
 * The API's Prometheus metrics: every request counted and timed by its route template, decisions
 * counted with the approver's wait, and GET /metrics. /metrics holds no customer data (its labels
 * are methods, route templates, statuses, process types, roles and decision outcomes); with
 * METRICS_TOKEN set it answers only that bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Db } from '../platform/db';
import type { Logger } from '../platform/logger';
import { routeLabel, type ApiMetrics } from '../platform/metrics';
import { problems, sendProblem } from './errors';

interface RouteTrace {
  template?: string;
  mountPath?: string;
}

/**
 * Follows the router as it descends: the mount path (req.baseUrl) when a route matches is the
 * template's prefix, kept even after an error took the request back out to the app's handler.
 * Mount after any middleware that redefines req.route without chaining (api/request-tracing.ts).
 */
function traceRoute(req: Request): RouteTrace {
  const trace: RouteTrace = {};
  // Another middleware may watch these properties too (request tracing): chain to its accessors.
  const chained = (name: 'baseUrl' | 'route', initial: unknown, onSet: (v: never) => void) => {
    const prev = Object.getOwnPropertyDescriptor(req, name);
    let value: unknown = prev && !prev.get ? prev.value : initial;
    Object.defineProperty(req, name, {
      configurable: true,
      enumerable: true,
      get: () => (prev?.get ? prev.get.call(req) : value),
      set(v: unknown) {
        if (prev?.set) prev.set.call(req, v);
        else value = v;
        onSet(v as never);
      },
    });
  };
  chained('baseUrl', req.baseUrl ?? '', (v: string) => {
    if (v && v.length > (trace.mountPath?.length ?? 0)) trace.mountPath = v;
  });
  chained('route', undefined, (v: { path?: unknown } | undefined) => {
    if (v && typeof v.path === 'string') trace.template = (req.baseUrl ?? '') + v.path;
  });
  return trace;
}

export interface DecisionRoute {
  /** The route template of a process's decisions, e.g. /api/v1/price-changes/:id/decisions. */
  template: string;
  processType: string;
}

/**
 * Counts and times every request but /metrics; an accepted decision (200 on a decisions route) is
 * counted by outcome, and its wait observed from the database once the response is out.
 */
export function httpMetrics(metrics: ApiMetrics, opts: { db: Db; decisionRoutes: DecisionRoute[]; logger?: Logger }): RequestHandler {
  const decisionProcess = new Map(opts.decisionRoutes.map((d) => [d.template, d.processType]));
  const counted = new Set<string>();
  return (req, res, next) => {
    if (req.path === '/metrics') return next();
    const started = process.hrtime.bigint();
    const trace = traceRoute(req);
    metrics.httpInFlight.inc();
    let done = false;
    const finish = (answered: boolean) => {
      if (done) return;
      done = true;
      metrics.httpInFlight.dec();
      if (!answered) return;
      const route = routeLabel({ ...trace, status: res.statusCode });
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      const processType = decisionProcess.get(route);
      if (processType && req.method === 'POST' && res.statusCode === 200) recordDecision(metrics, { ...opts, counted }, req, processType);
    };
    res.once('finish', () => finish(true));
    res.once('close', () => finish(res.writableFinished));
    next();
  };
}

/** Decision IDs counted lately: a retried request (same Idempotency-Key) answers 200 again for the one decision. */
const RECENT_DECISIONS = 10_000;

function recordDecision(metrics: ApiMetrics, opts: { db: Db; logger?: Logger; counted: Set<string> }, req: Request, processType: string): void {
  const outcome = (req.body as { decision?: unknown } | undefined)?.decision;
  const actorId = req.principal?.id;
  const segment = new URL(req.originalUrl, 'http://api.invalid').pathname.split('/').at(-2);
  if (typeof outcome !== 'string' || !actorId || !segment) return;
  const workflowId = decodeURIComponent(segment);
  latestDecision(opts.db, workflowId, actorId)
    .then((d) => {
      if (!d || opts.counted.has(d.id)) return;
      opts.counted.add(d.id);
      if (opts.counted.size > RECENT_DECISIONS) opts.counted.delete(opts.counted.values().next().value!);
      metrics.decisions.inc({ process: processType, outcome });
      metrics.decisionLatency.observe({ process: processType }, d.waitSeconds);
    })
    .catch((err: unknown) => opts.logger?.warn({ err, workflowId }, 'decision not counted in metrics'));
}

/**
 * The caller's latest decision on this run and the wait behind it: from its level being opened (the
 * inbox row's creation for the first level, the level below's decision for later ones) to the
 * decision. The workflow has recorded the decision before the Update answers, so it is there to read.
 */
export async function latestDecision(db: Db, workflowId: string, actorId: string): Promise<{ id: string; waitSeconds: number } | null> {
  const decision = await db.approvalDecision.findFirst({
    where: { actorId, approvalRequest: { workflowId } },
    orderBy: { decidedAt: 'desc' },
    select: {
      id: true,
      level: true,
      decidedAt: true,
      approvalRequest: { select: { createdAt: true, decisions: { select: { level: true, decidedAt: true } } } },
    },
  });
  if (!decision) return null;
  const below = decision.approvalRequest.decisions.find((d) => d.level === decision.level - 1);
  const opened = Math.max(decision.approvalRequest.createdAt.getTime(), below?.decidedAt.getTime() ?? 0);
  return { id: decision.id, waitSeconds: Math.max(0, (decision.decidedAt.getTime() - opened) / 1000) };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** GET /metrics in Prometheus text format. */
export function metricsHandler(metrics: ApiMetrics, opts: { token?: string } = {}): RequestHandler {
  return async (req, res) => {
    if (opts.token && !tokenMatches(req.header('authorization'), opts.token)) {
      return sendProblem(res, problems.unauthenticated('/metrics needs Authorization: Bearer <METRICS_TOKEN>.'), req.originalUrl);
    }
    const body = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  };
}
