/** fast-check arbitraries for values a JSON Schema (OpenAPI 3.1) accepts, with realistic values by property name. */
import fc from 'fast-check';
import { deref, type JsonSchema, type OpenApiDoc } from './openapi';

/** A realistic value for a property, by name (and the parent's schema); undefined: derive from the schema. */
export type Hint = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

const MAX_STRING = 40;
const MAX_ITEMS = 4;

export function schemaArb(doc: OpenApiDoc, schema: JsonSchema, hint: Hint = () => undefined, name = '', depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  const hinted = name ? hint(name, s) : undefined;
  if (hinted) return hinted;
  if (depth > 8) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts) && alts.length) return fc.oneof(...alts.map((a: JsonSchema) => schemaArb(doc, a, hint, name, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length)
    return schemaArb(doc, Object.assign({}, ...s.allOf.map((a: JsonSchema) => deref(doc, a))), hint, name, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : (s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined));
  switch (type) {
    case 'string':
      return stringArb(s);
    case 'integer': {
      const min = Math.ceil(s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1000));
      const max = Math.floor(s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : (s.maximum ?? Math.max(min + 1000, 1000)));
      return fc.integer({ min, max: Math.max(min, max) });
    }
    case 'number': {
      const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1e-3 : (s.minimum ?? -1000);
      const max = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1e-3 : (s.maximum ?? Math.max(min + 1000, 1000));
      return fc
        .double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true })
        .map((v) => Math.round(v * 100) / 100)
        .filter((v) => v >= min && v <= max);
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? MAX_ITEMS, MAX_ITEMS));
      return fc.array(schemaArb(doc, s.items ?? {}, hint, name, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const props: Record<string, JsonSchema> = s.properties ?? {};
      const required: string[] = s.required ?? [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = schemaArb(doc, v, hint, k, depth + 1);
      if (Object.keys(model).length === 0) return fc.constant({});
      return fc.record(model, { requiredKeys: required.filter((k) => k in model) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? MAX_STRING, MAX_STRING));
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date(Date.now() - 30 * 86_400_000), max: new Date(Date.now() + 30 * 86_400_000), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (s.format === 'date')
    return fc.date({ min: new Date(Date.now() - 30 * 86_400_000), max: new Date(), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (typeof s.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity));
    } catch {
      // an ECMAScript pattern fast-check cannot invert: plain text below
    }
  }
  return fc
    .string({ minLength, maxLength, unit: 'grapheme-ascii' })
    .map((v) => (v.trim().length < minLength ? 'x'.repeat(minLength) + v : v))
    .filter((v) => v.length <= (s.maxLength ?? Infinity));
}
