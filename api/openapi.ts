import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ApprovalItemSchema,
  ApprovalsQuerySchema,
  CancelBodySchema,
  DecisionBodySchema,
  ListQuerySchema,
  ModelSchema,
  ProblemSchema,
  ProcessListSchema,
  ProcessStateSchema,
  ProductDetailSchema,
  ProductQuerySchema,
  ProductSchema,
  StartedSchema,
  StoreSchema,
} from './schemas';
import type { ProcessDefinition } from './processes/definition';
import { z } from './zod';

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
export const ok = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
export const common = { 401: problem('No valid API key'), 403: problem('Outside the caller’s role or scope') };

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(processes: ProcessDefinition<any>[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API key: `Authorization: Bearer <api key>`' });
  const security = [{ bearer: [] }];
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
      method: 'post', path: base, tags, security, summary: `Start a ${def.title.toLowerCase()}`,
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
      method: 'get', path: base, tags, security, summary: `List ${def.title.toLowerCase()}s (Temporal visibility)`,
      request: { query: ListQuerySchema },
      responses: { 200: ok('A page of processes', ProcessListSchema), 400: problem('Invalid query'), ...common },
    });
    registry.registerPath({
      method: 'get', path: `${base}/{id}`, tags, security, summary: 'Current state from the workflow query',
      request: { params: idParam },
      responses: { 200: ok('State', ProcessStateSchema), 404: problem('Unknown ID'), ...common },
    });
    registry.registerPath({
      method: 'post', path: `${base}/{id}/decisions`, tags, security, summary: 'Decide the pending approval (workflow Update with validator)',
      request: { params: idParam, ...body(DecisionBodySchema.extend(def.decisionSchema.shape)) },
      responses: { 200: ok('New state', ProcessStateSchema), 400: problem('Invalid decision'), 404: problem('Unknown ID'), 409: problem('Nothing pending or already decided'), ...common },
    });
    registry.registerPath({
      method: 'post', path: `${base}/{id}/cancel`, tags, security, summary: 'Cancel, compensating what was done',
      request: { params: idParam, ...body(CancelBodySchema) },
      responses: { 202: ok('Cancellation requested', StartedSchema.extend({ cancellation: z.literal('requested') })), 404: problem('Unknown ID'), 409: problem('Already finished'), ...common },
    });
    def.documentRoutes?.(registry, base);
  }

  registry.registerPath({
    method: 'get', path: '/api/v1/approvals', tags: ['Approvals'], security, summary: 'The caller’s approval inbox across all processes',
    request: { query: ApprovalsQuerySchema },
    responses: { 200: ok('Approvals', z.object({ items: z.array(ApprovalItemSchema) })), ...common },
  });
  registry.registerPath({ method: 'get', path: '/api/v1/stores', tags: ['Reference data'], security, summary: 'Stores within the caller’s scope', responses: { 200: ok('Stores', z.object({ items: z.array(StoreSchema) })), ...common } });
  registry.registerPath({
    method: 'get', path: '/api/v1/products', tags: ['Reference data'], security, summary: 'Products by category or text', request: { query: ProductQuerySchema },
    responses: { 200: ok('Products', z.object({ total: z.number().int(), items: z.array(ProductSchema) })), ...common },
  });
  registry.registerPath({
    method: 'get', path: '/api/v1/products/{sku}', tags: ['Reference data'], security, summary: 'One product with stock per store',
    request: { params: z.object({ sku: z.string() }) }, responses: { 200: ok('Product', ProductDetailSchema), 404: problem('Unknown SKU'), ...common },
  });
  registry.registerPath({
    method: 'get', path: '/api/v1/models/{modelName}', tags: ['Reference data'], security, summary: 'Model versions, metrics and aliases',
    request: { params: z.object({ modelName: z.string() }) }, responses: { 200: ok('Model', ModelSchema), 404: problem('Unknown model'), ...common },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Retail Ops API', version: '1.0.0', description: 'Durable retail business processes: start them, decide their approvals, watch their state.' },
    servers: [{ url: '/' }],
  });
}
