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
      out[k] =
        k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')
          ? `urn:openapi-test:components#/$defs/${x.slice('#/components/schemas/'.length)}`
          : rewriteRefs(x);
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

/**
 * Where a component, or any component it refers to, leaves a value untyped: an empty schema (any
 * value) or an object open to properties of any type (`additionalProperties: {}` or `true`).
 * Typed maps (`additionalProperties` with a schema) are fine. Paths as "Component.prop.prop".
 */
export function untypedParts(name: string): string[] {
  const schemas = load().doc.components?.schemas ?? {};
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (s: unknown, at: string): void => {
    if (!s || typeof s !== 'object') return;
    const schema = s as JsonSchema;
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref.replace('#/components/schemas/', '');
      if (seen.has(ref)) return;
      seen.add(ref);
      visit(schemas[ref], ref);
      return;
    }
    const keys = Object.keys(schema).filter((k) => k !== 'description' && k !== 'nullable' && k !== 'example');
    if (keys.length === 0) found.push(`${at}: any value`);
    if (
      schema.additionalProperties === true ||
      (schema.additionalProperties && typeof schema.additionalProperties === 'object' && Object.keys(schema.additionalProperties).length === 0)
    ) {
      found.push(`${at}: open object`);
    } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      visit(schema.additionalProperties, `${at}.*`);
    }
    if (schema.type === 'object' && !schema.properties && schema.additionalProperties === undefined) found.push(`${at}: object without properties`);
    for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) visit(v, `${at}.${k}`);
    if (schema.items) visit(schema.items, `${at}[]`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const [i, v] of ((schema[key] ?? []) as unknown[]).entries()) visit(v, `${at}|${i}`);
  };
  seen.add(name);
  visit(schemas[name], name);
  return found;
}
