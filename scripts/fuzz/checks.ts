/** The checks on every response: no 5xx, problem+json 4xx, a documented status, a body valid against the documented schema. */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { documentedResponse, type JsonSchema, type OpenApiDoc, type Operation } from './openapi';
import type { WireResponse } from './send';

export class ResponseChecker {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDoc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // The document's components, under an id the response schemas point into.
    const defs = rewriteRefs(doc.components?.schemas ?? {}) as Record<string, JsonSchema>;
    this.ajv.addSchema({ $id: 'urn:retail-ops:components', $defs: defs });
  }

  private validator(cacheKey: string, schema: JsonSchema): ValidateFunction {
    let v = this.cache.get(cacheKey);
    if (!v) {
      v = this.ajv.compile(rewriteRefs(schema) as JsonSchema);
      this.cache.set(cacheKey, v);
    }
    return v;
  }

  /** Every way the response breaks the contract (empty when it keeps it). */
  check(op: Operation, res: WireResponse): string[] {
    const problems: string[] = [];
    const ct = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (res.status >= 500) problems.push(`${res.status} (server error)`);
    let parsed: unknown;
    let parsedOk = false;
    if (/json$/.test(ct)) {
      try {
        parsed = JSON.parse(res.body.toString('utf8'));
        parsedOk = true;
      } catch {
        problems.push(`${res.status} body is not JSON though ${ct}`);
      }
    }
    if (res.status >= 400 && res.status < 500) {
      if (ct !== 'application/problem+json') problems.push(`${res.status} is ${ct || 'without a content type'}, not application/problem+json`);
      else if (parsedOk) {
        const p = parsed as Record<string, unknown>;
        if (typeof p?.type !== 'string' || typeof p?.title !== 'string' || p?.status !== res.status)
          problems.push(`${res.status} problem lacks type/title/status ${JSON.stringify({ type: p?.type, title: p?.title, status: p?.status })}`);
      }
      if (res.status === 401 && !res.headers['www-authenticate']) problems.push('401 without WWW-Authenticate');
    }
    const documented = documentedResponse(op, res.status);
    if (!documented) {
      problems.push(`${res.status} is not documented for ${op.key} (documented: ${Object.keys(op.responses).join(', ')})`);
      return problems;
    }
    if (documented.content) {
      const schema = documented.content[ct];
      if (!schema) problems.push(`${res.status} answered ${ct || 'no content type'}; documented: ${Object.keys(documented.content).join(', ')}`);
      else if (parsedOk) {
        const validate = this.validator(`${op.key} ${documented.key} ${ct}`, schema);
        if (!validate(parsed)) {
          const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
          problems.push(`${res.status} body does not match the documented schema: ${errs.join('; ')}`);
        }
      }
    }
    return problems;
  }
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] =
        k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')
          ? `urn:retail-ops:components#/$defs/${x.slice('#/components/schemas/'.length)}`
          : rewriteRefs(x);
    }
    return out;
  }
  return v;
}
