import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { REQUEST_ID_ATTRIBUTE, requestContext } from '../platform/request-context';

/** Probes and scrapes are not traced. */
const UNTRACED = new Set(['/healthz', '/metrics']);

/**
 * Records the route template a request matched: Express sets `req.route` when it dispatches to a
 * route, while `req.baseUrl` still holds the mount path (it is reset once an error leaves the router).
 */
function watchRoute(req: Parameters<RequestHandler>[0]): () => string | undefined {
  let template: string | undefined;
  // Another middleware may watch req.route too (the API's metrics): chain to its accessors.
  const prev = Object.getOwnPropertyDescriptor(req, 'route');
  let route: unknown = prev && !prev.get ? prev.value : undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => (prev?.get ? prev.get.call(req) : route),
    set(value: { path?: unknown } | undefined) {
      if (prev?.set) prev.set.call(req, value);
      else route = value;
      if (value?.path !== undefined) {
        const path = `${req.baseUrl ?? ''}${String(value.path)}`;
        template = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
      }
    },
  });
  return () => template;
}

/**
 * A server span per HTTP request, named by method and route template, with the request's trace
 * context and request id active while it is handled: the Temporal client calls it makes are its
 * children and carry the request id (platform/request-context.ts). Mount after pino-http (request id).
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const requestId = String(req.id ?? '');
    if (UNTRACED.has(req.path)) return requestContext.run({ requestId }, next);
    const routeTemplate = watchRoute(req);
    const span = tracer.startSpan(req.method, {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: req.method,
        // An unsubscribe token acts for its address: kept out of traces as out of logs.
        [ATTR_URL_PATH]: req.path.replace(/^\/unsubscribe\/[^/]+/, '/unsubscribe/[redacted]'),
        [REQUEST_ID_ATTRIBUTE]: requestId,
      },
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeTemplate();
      if (route) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${req.method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.response.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(context.active(), span), () => requestContext.run({ requestId }, next));
  };
}
