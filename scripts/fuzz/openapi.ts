/** The operations of the API's own OpenAPI 3.1 document, with their schemas resolved for generation and checks. */

export type JsonSchema = Record<string, any>;

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{template}`: how the summary and failures name it. */
  key: string;
  method: string;
  path: string;
  /** The first path segment after /api/v1 (`campaigns`, `stores`, ...), '' for /healthz. */
  resource: string;
  secured: boolean;
  params: Parameter[];
  body?: { required: boolean; contentType: string; schema: JsonSchema };
  /** Documented statuses → content type → schema (null when the status has no body). */
  responses: Record<string, Record<string, JsonSchema> | null>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: Parameter[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => ({
        name: p.name,
        in: p.in,
        required: !!p.required || p.in === 'path',
        schema: p.schema ?? { type: 'string' },
      }));
      let body: Operation['body'];
      if (op.requestBody?.content) {
        const [contentType, media] = Object.entries<any>(op.requestBody.content)[0]!;
        body = { required: !!op.requestBody.required, contentType, schema: media.schema ?? {} };
      }
      const responses: Operation['responses'] = {};
      for (const [status, r] of Object.entries<any>(op.responses ?? {})) {
        responses[status] = r.content ? Object.fromEntries(Object.entries<any>(r.content).map(([ct, m]) => [ct, m.schema ?? {}])) : null;
      }
      const resource = path.startsWith('/api/v1/') ? path.split('/')[3]! : '';
      const secured = (op.security ?? []).length > 0;
      ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, resource, secured, params, body, responses });
    }
  }
  return ops;
}

/** Follows a local `#/components/schemas/X` reference (once; callers recurse). */
export function deref(doc: OpenApiDoc, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 20 && s && typeof s.$ref === 'string'; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

/** The statuses an operation documents, as a matcher (exact codes, `4XX`-style ranges, `default`). */
export function documentedResponse(op: Operation, status: number): { key: string; content: Record<string, JsonSchema> | null } | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
    if (key in op.responses) return { key, content: op.responses[key]! };
  }
  return undefined;
}
