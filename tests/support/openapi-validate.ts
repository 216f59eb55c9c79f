/**
 * Validates a response body against the schema the OpenAPI document gives for that operation and
 * status (ajv, JSON Schema 2020-12, the document's components resolvable by $ref).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { PROCESSES } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';

type JsonSchema = Record<string, any>;

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/') ? `urn:openapi-test:components#/$defs/${x.slice('#/components/schemas/'.length)}` : rewriteRefs(x);
    }
    return out;
  }
  return v;
}

let cached: { doc: any; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (!cached) {
    const doc = buildOpenApiDocument(PROCESSES) as any;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'urn:openapi-test:components', $defs: rewriteRefs(doc.components?.schemas ?? {}) as JsonSchema });
    cached = { doc, ajv, validators: new Map() };
  }
  return cached;
}

/** The documented schema of `method path` answering `status` (application/json). */
export function responseSchema(method: string, path: string, status: number): JsonSchema {
  const { doc } = load();
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const schema = op.responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no application/json ${status}`);
  return schema as JsonSchema;
}

/** Every way `body` breaks the documented response schema (empty when it keeps it). */
export function responseErrors(method: string, path: string, status: number, body: unknown): string[] {
  const c = load();
  const key = `${method} ${path} ${status}`;
  let validate = c.validators.get(key);
  if (!validate) {
    validate = c.ajv.compile(rewriteRefs(responseSchema(method, path, status)) as JsonSchema);
    c.validators.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The names of the schemas a component refers to, transitively: to check no part is left untyped. */
export function component(name: string): JsonSchema {
  const s = load().doc.components?.schemas?.[name];
  if (!s) throw new Error(`no component ${name}`);
  return s as JsonSchema;
}
