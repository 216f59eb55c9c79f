import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ApprovalsQuerySchema,
  CancelBodySchema,
  DecisionBodySchema,
  ListQuerySchema,
  ModelSchema,
  ProcessListSchema,
  ProcessStateSchema,
  ProductDetailSchema,
  ProductQuerySchema,
  ProductSchema,
  StartedSchema,
  StateQuerySchema,
  StoreSchema,
} from './schemas';
import type { ProcessDefinition } from './processes/definition';
import { GateDecisionSchema, PendingApprovalSchema } from './processes/approval-schemas';
import { approvalItemSchema } from './routes/approvals';
import { ConsoleSettingsSchema, MeSchema } from './routes/console';
import { body, common, ok, problem } from './openapi-responses';
import { z } from './zod';

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(processes: ProcessDefinition<any>[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API key: `Authorization: Bearer <api key>`' });
  const security = [{ bearer: [] }];
  // Every process's state has its own typed pending approval and decisions; these are the shapes
  // they share, for a client that shows any process's approvals alike.
  registry.register('PendingApproval', PendingApprovalSchema);
  registry.register('GateDecision', GateDecisionSchema);
  const idParam = z.object({ id: z.string().openapi({ description: 'Workflow ID (the business key)' }) });

  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and readiness: 200 when Postgres and Temporal answer',
    responses: { 200: ok('Healthy', z.object({ status: z.literal('ok') }).passthrough()), 503: problem('A dependency is down') },
  });

  for (const def of processes) {
    const base = `/api/v1/${def.resource}`;
    const tags = [def.title];
    registry.registerPath({
      method: 'post',
      path: base,
      tags,
      security,
      summary: `Start a ${def.title.toLowerCase()}`,
      request: { ...body(def.startSchema), headers: z.object({ 'Idempotency-Key': z.string().optional() }) },
      responses: {
        201: ok('Started', StartedSchema),
        200: ok('Already started for this business key', StartedSchema),
        400: problem('Invalid fields'),
        404: problem('Referenced entity not found'),
        409: problem('Conflicts with an active run (e.g. another price change for the same SKU and store)'),
        422: problem('Refused by a business rule (e.g. a hard price guardrail, named in errors[].code)'),
        ...common,
      },
    });
    registry.registerPath({
      method: 'get',
      path: base,
      tags,
      security,
      summary: `List ${def.title.toLowerCase()}s (Temporal visibility)`,
      request: { query: ListQuerySchema },
      responses: { 200: ok('A page of processes', ProcessListSchema), 400: problem('Invalid query'), ...common },
    });
    registry.registerPath({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      security,
      summary: 'Current state from the workflow query',
      description:
        'One describe and one workflow query (the caller’s stores checked meanwhile): status, stage, pending approval, decisions, result and the workflow’s state, ' +
        'with the fields computed from that state alone (cheap, no I/O). What the process reads from Postgres for a person deciding or following the run ' +
        '(e.g. an appointment’s preparation preview, a purchase order’s line explanations, campaign previews and delivery, the per-series comparison of a retraining) ' +
        'is added only with `include=context`.',
      request: { params: idParam, query: StateQuerySchema },
      responses: {
        200: ok('State', def.stateSchema ?? ProcessStateSchema),
        400: problem('Invalid ID or query (e.g. an `include` part that does not exist, named `query.include`)'),
        404: problem('Unknown ID'),
        ...common,
      },
    });
    registry.registerPath({
      method: 'post',
      path: `${base}/{id}/decisions`,
      tags,
      security,
      summary: 'Decide the pending approval (workflow Update with validator)',
      description:
        'One workflow Update: its validator checks the run is this process’s, that the caller sees one of its stores, and the role, scope and separation of duties ' +
        'of the pending level, before anything is recorded. Answers once the workflow has acted on the decision, with the state after it as GET does, with the same `include`.',
      request: { params: idParam, query: StateQuerySchema, ...body(DecisionBodySchema.extend(def.decisionSchema.shape)) },
      responses: {
        200: ok('New state', def.stateSchema ?? ProcessStateSchema),
        400: problem('Invalid decision or query'),
        404: problem('Unknown ID'),
        409: problem('Nothing pending or already decided'),
        ...common,
      },
    });
    registry.registerPath({
      method: 'post',
      path: `${base}/{id}/cancel`,
      tags,
      security,
      summary: 'Cancel, compensating what was done',
      request: { params: idParam, ...body(CancelBodySchema) },
      responses: {
        202: ok('Cancellation requested', StartedSchema.extend({ cancellation: z.literal('requested') })),
        404: problem('Unknown ID'),
        409: problem('Already finished'),
        ...common,
      },
    });
    def.documentRoutes?.(registry, base);
  }

  registry.registerPath({
    method: 'get',
    path: '/api/v1/approvals',
    tags: ['Approvals'],
    security,
    summary: 'The caller’s approval inbox across all processes',
    request: { query: ApprovalsQuerySchema },
    responses: { 200: ok('Approvals', z.object({ items: z.array(approvalItemSchema(processes)) })), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/stores',
    tags: ['Reference data'],
    security,
    summary: 'Stores within the caller’s scope',
    responses: { 200: ok('Stores', z.object({ items: z.array(StoreSchema) })), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/products',
    tags: ['Reference data'],
    security,
    summary: 'Products by category or text',
    request: { query: ProductQuerySchema },
    responses: { 200: ok('Products', z.object({ total: z.number().int(), items: z.array(ProductSchema) })), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/products/{sku}',
    tags: ['Reference data'],
    security,
    summary: 'One product with stock per store',
    request: { params: z.object({ sku: z.string() }) },
    responses: { 200: ok('Product', ProductDetailSchema), 404: problem('Unknown SKU'), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/models/{modelName}',
    tags: ['Reference data'],
    security,
    summary: 'Model versions, metrics and aliases',
    request: { params: z.object({ modelName: z.string() }) },
    responses: { 200: ok('Model', ModelSchema), 404: problem('Unknown model'), ...common },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/me',
    tags: ['Console'],
    security,
    summary: 'The principal behind the API key: id, name, role and scope',
    responses: { 200: ok('The caller', MeSchema), 401: problem('No valid API key') },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/console-settings',
    tags: ['Console'],
    summary: 'What the console needs before sign-in (no API key): the demo principals in demo mode, the Temporal UI link',
    responses: { 200: ok('Console settings', ConsoleSettingsSchema) },
  });
  registry.registerPath({
    method: 'get',
    path: '/console/{path}',
    tags: ['Console'],
    summary: 'The managers’ web console (a single-page app: every path answers its index.html)',
    request: { params: z.object({ path: z.string().openapi({ description: 'Any console route, e.g. approvals/appointment-recoveries/<id>' }) }) },
    responses: { 200: { description: 'The console', content: { 'text/html': { schema: z.string() } } }, 503: problem('The console is not built') },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    tags: ['Reference data'],
    summary: 'This OpenAPI document',
    responses: { 200: ok('The OpenAPI 3.1 document', z.object({ openapi: z.string() }).passthrough()) },
  });
  const token = z.object({ token: z.string().openapi({ description: 'The signed token from the List-Unsubscribe link of a campaign email' }) });
  const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
  registry.registerPath({
    method: 'get',
    path: '/unsubscribe/{token}',
    tags: ['Unsubscribe'],
    summary: 'A page with one button that unsubscribes (a GET never unsubscribes: link scanners follow GETs)',
    request: { params: token },
    responses: { 200: html('The confirmation page'), 400: problem('The link is damaged, forged, from the future or expired (`reason` says which)') },
  });
  registry.registerPath({
    method: 'post',
    path: '/unsubscribe/{token}',
    tags: ['Unsubscribe'],
    summary: 'One-click unsubscribe (RFC 8058): suppresses the address at once; no API key, the token is signed',
    request: {
      params: token,
      body: {
        required: false,
        content: { 'application/x-www-form-urlencoded': { schema: z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() }) } },
      },
    },
    responses: {
      200: {
        description: 'Unsubscribed (HTML for a browser, JSON otherwise)',
        content: { 'application/json': { schema: z.object({ unsubscribed: z.literal(true), email: z.string() }) }, 'text/html': { schema: z.string() } },
      },
      400: problem('The link is damaged, forged, from the future or expired (`reason` says which)'),
    },
  });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Retail Ops API',
      version: '1.0.0',
      description: 'Durable retail business processes: start them, decide their approvals, watch their state.',
    },
    servers: [{ url: '/' }],
  });
  addGenericResponses(document);
  nullableRefsAsAnyOf(document);
  return document;
}

/**
 * zod-to-openapi writes some `.nullable()` registered schemas as `allOf: [{$ref}, {type: [object, null]}]`,
 * which no null satisfies (the referenced schema requires an object) and which generated clients
 * read as an intersection with an empty object. Rewritten as `anyOf: [{$ref}, {type: null}]`, what
 * the zod schema means.
 */
function nullableRefsAsAnyOf(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const value of Array.isArray(node) ? node : Object.values(node)) nullableRefsAsAnyOf(value);
  const o = node as Record<string, unknown>;
  const all = o.allOf;
  if (!Array.isArray(all) || all.length !== 2) return;
  const [ref, nullable] = all as Record<string, unknown>[];
  const t = nullable?.type;
  if (
    ref &&
    typeof ref.$ref === 'string' &&
    Array.isArray(t) &&
    t.length === 2 &&
    t.includes('object') &&
    t.includes('null') &&
    Object.keys(nullable!).length === 1
  ) {
    delete o.allOf;
    o.anyOf = [ref, { type: 'null' }];
  }
}

type Operation = { security?: unknown[]; responses?: Record<string, unknown> };

/**
 * Statuses any operation can answer before or around its own logic, added wherever an operation
 * does not document its own: the input rule and body parser (400, 413, 415), Node's HTTP parser
 * (408, 431), authentication and the per-key rate limit on secured operations (401, 429), and a
 * dependency (Postgres, Temporal) that is down (503).
 */
function addGenericResponses(document: { paths?: object }) {
  const problemRef = { description: '', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const generic: Record<string, string> = {
    400: 'Invalid path, query, header or body (every invalid field named in `errors`)',
    408: 'The request was not received in time',
    413: 'The request body is larger than the limit',
    415: 'The request body is in an encoding or charset the API does not read',
    431: 'The request headers are larger than 16 KB',
    503: 'A dependency (Postgres or Temporal) is unavailable; retry later',
  };
  const secured: Record<string, string> = {
    401: 'No valid API key (`WWW-Authenticate: Bearer`)',
    429: 'Too many requests for this API key (`Retry-After` says when to retry)',
  };
  for (const item of Object.values(document.paths ?? {}) as Record<string, unknown>[]) {
    for (const op of Object.values(item) as Operation[]) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const add = { ...generic, ...(op.security?.length ? secured : {}) };
      for (const [status, description] of Object.entries(add)) {
        op.responses[status] ??= { ...problemRef, description };
      }
    }
  }
}
