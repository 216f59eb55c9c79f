/**
 * Request drafts generated with fast-check from the OpenAPI operations: realistic valid requests
 * (real ids, real SKUs, decisions on real pending approvals) and mutations of them. A draft names
 * what only the running system knows (a workflow that is pending now, a page token it issued) by
 * reference; run.ts resolves those when it sends.
 */
import fc from 'fast-check';
import type { FuzzContext } from './context';
import type { JsonSchema, OpenApiDoc, Operation } from './openapi';
import { schemaArb, type Hint } from './schema-arb';

/** A value only the run knows when it sends: a workflow of a resource, a pending approval (its workflow or subject), a page token. */
export interface Ref {
  ref: 'workflow' | 'pending-workflow' | 'pending-subject' | 'page-token' | 'other-workflow';
  resource: string;
  pick: number;
}
export const isRef = (v: unknown): v is Ref => !!v && typeof v === 'object' && typeof (v as Ref).ref === 'string' && typeof (v as Ref).pick === 'number';

/** A path segment sent as is (already percent-encoded, or deliberately not). */
export interface RawSegment {
  raw: string;
}
export const isRaw = (v: unknown): v is RawSegment => !!v && typeof v === 'object' && typeof (v as RawSegment).raw === 'string';

export type CallerChoice = { how: 'starter' | 'approver' | 'any' | 'not-allowed'; pick: number } | { how: 'none' } | { how: 'header'; value: string };

export type BodySpec =
  | { kind: 'none'; contentType?: string }
  | { kind: 'json'; value: unknown; contentType?: string }
  | { kind: 'text'; text: string; contentType?: string }
  /** The JSON of `value` with raw bytes spliced into its first string (invalid UTF-8). */
  | { kind: 'bytes'; value: unknown; insert: number[]; contentType?: string }
  /** `value` with `field` set to `size` characters (built when sent: drafts stay small). */
  | { kind: 'huge'; value: Record<string, unknown>; field: string; size: number; unit: string }
  /** `value` with `field` set to arrays or objects nested `depth` deep. */
  | { kind: 'deep'; value: Record<string, unknown>; field: string; depth: number; shape: 'array' | 'object' };

export interface Draft {
  op: number;
  variant: string;
  caller: CallerChoice;
  pathParams: Record<string, string | Ref | RawSegment>;
  query: [string, string | Ref][] | RawSegment;
  headers: Record<string, string>;
  body: BodySpec;
}

export const VARIANTS = [
  'valid',
  'from-schema',
  'wrong-type',
  'missing-field',
  'extra-field',
  'huge-string',
  'control-chars',
  'lone-surrogate',
  'invalid-utf8-body',
  'invalid-utf8-url',
  'deep-nesting',
  'forged-id',
  'forged-page-token',
  'bad-auth',
  'huge-header',
  'content-type',
  'malformed-json',
  'odd-json',
  'odd-text',
] as const;
export type Variant = (typeof VARIANTS)[number];

const WEIGHTS: Record<Variant, number> = {
  valid: 34,
  'from-schema': 8,
  'wrong-type': 5,
  'missing-field': 4,
  'extra-field': 4,
  'huge-string': 3,
  'control-chars': 6,
  'lone-surrogate': 3,
  'invalid-utf8-body': 3,
  'invalid-utf8-url': 3,
  'deep-nesting': 2,
  'forged-id': 5,
  'forged-page-token': 3,
  'bad-auth': 5,
  'huge-header': 2,
  'content-type': 3,
  'malformed-json': 2,
  'odd-json': 2,
  'odd-text': 3,
};

/** The roles that start (or otherwise drive) each kind of call: valid requests are sent by one of them. */
export function starterRoles(op: Operation): string[] | undefined {
  const tail = op.path.split('/').pop();
  if (op.method === 'GET') return undefined;
  if (tail === 'rollback') return ['data_scientist'];
  if (tail === 'supplier-events') return ['system'];
  if (tail === 'pause' || tail === 'resume') return ['marketing_manager', 'system'];
  switch (op.resource) {
    case 'appointment-recoveries':
    case 'replenishments':
      return ['system', 'store_manager', 'regional_manager'];
    case 'price-changes':
      return ['system', 'category_manager', 'regional_manager'];
    case 'campaigns':
      return ['marketing_manager', 'system'];
    case 'model-retrainings':
      return ['data_scientist', 'system'];
  }
  return undefined;
}

const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u2028', '\ufeff', '\r\n', '\t'];
const SURROGATES = ['\ud800', '\udfff', '\ud83d', '\ude00x', 'a\udbff'];
const ODD_TEXT = [
  '',
  ' ',
  '   ',
  '🛍️👗',
  'ﷺ',
  '\u202Eevil',
  'Z̴̡͙a̸l̵g̷o',
  '\'; DROP TABLE "Store"; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%s%n%x',
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  'ＳＯＯ１',
  'S001 ',
  ' S001',
  's001',
];
const FORGED_IDS = [
  'nope',
  'appointment-recovery-APT-FORGED',
  'replenishment-S001-1999-01-01',
  'price-change-FORGED',
  'campaign-forged-000000000000',
  'model-retraining-demand-forecast-2000-01-01',
  '..',
  '.',
  '%2e%2e%2f%2e%2e%2fhealthz',
  "x' OR '1'='1",
  "ExecutionStatus = 'Running'",
];
const PAGE_TOKENS = ['AAAA', 'A', '____', '!!!!', 'eyJ0eXBlIjoiZm9yZ2VkIn0', '%00', 'null', '=', '-'.repeat(10)];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=fuzz',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=klingon',
  'application/problem+json',
  'application/octet-stream',
  '',
];

export function generatorFor(doc: OpenApiDoc, ops: Operation[], ctx: FuzzContext) {
  const hint = makeHint(ctx);
  // Uniform in [0, 1): fast-check's doubles crowd near 0 (they are drawn over the float encoding).
  const pick = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((v) => v / 1_000_000);
  const today = new Date();
  const isoDaysAgo = (n: number) => new Date(today.getTime() - n * 86_400_000).toISOString().slice(0, 10);

  /** Valid path params: a process ID the run knows (pending when deciding or pausing), a real SKU or model. */
  function validPath(op: Operation): fc.Arbitrary<Record<string, string | Ref | RawSegment>> {
    const model: Record<string, fc.Arbitrary<string | Ref | RawSegment>> = {};
    const tail = op.path.split('/').pop();
    for (const p of op.params.filter((x) => x.in === 'path')) {
      if (p.name === 'id') {
        const ref: Ref['ref'] = tail === 'decisions' || tail === 'supplier-events' ? 'pending-workflow' : 'workflow';
        model[p.name] = pick.map((v) => ({ ref, resource: op.resource, pick: v }));
      } else if (p.name === 'sku') model[p.name] = fc.constantFrom(...ctx.products.map((x) => x.sku));
      else if (p.name === 'modelName') model[p.name] = fc.constantFrom(...ctx.modelNames);
      else if (p.name === 'token' && ctx.unsubscribeTokens.length) model[p.name] = fc.constantFrom(...ctx.unsubscribeTokens);
      else model[p.name] = schemaArb(doc, p.schema, hint, p.name).map(String);
    }
    return fc.record(model);
  }

  function validQuery(op: Operation): fc.Arbitrary<[string, string | Ref][]> {
    const params = op.params.filter((x) => x.in === 'query');
    if (!params.length) return fc.constant([]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const p of params) {
      if (p.name === 'pageToken') model[p.name] = pick.map((v) => ({ ref: 'page-token', resource: op.resource, pick: v }) as Ref);
      else model[p.name] = schemaArb(doc, p.schema, hint, p.name);
    }
    return fc
      .record(model, { requiredKeys: params.filter((p) => p.required).map((p) => p.name) })
      .map((r) => Object.entries(r).map(([k, v]) => [k, isRef(v) ? v : String(v)] as [string, string | Ref]));
  }

  /** A realistic body for each call that takes one: these start real processes and decide real approvals. */
  function validBody(op: Operation): fc.Arbitrary<unknown> {
    if (!op.body) return fc.constant(undefined);
    const tail = op.path.split('/').pop();
    const text = fc.constantFrom(
      'Fuzz run: stock check',
      'Fuzz run: competitor moved',
      'Fuzz run: weekly review',
      'Fuzz run: approved as recommended',
      'Fuzz run: not this week',
    );
    if (tail === 'decisions') {
      const extra: Record<string, fc.Arbitrary<unknown>> = {};
      if (op.resource === 'replenishments') extra.purchaseOrderId = pick.map((v) => ({ ref: 'pending-subject', resource: op.resource, pick: v }) as Ref);
      if (op.resource === 'appointment-recoveries') extra.stylistId = fc.constantFrom(...(ctx.stylistIds.length ? ctx.stylistIds : ['ST-S001-STY1']));
      if (op.resource === 'price-changes') extra.counterPrice = fc.integer({ min: 500, max: 20_000 }).map((c) => c / 100);
      return fc
        .record({ decision: fc.constantFrom('approve', 'approve', 'reject'), comment: text, ...extra }, { requiredKeys: ['decision', 'comment'] })
        .map((b) => {
          if (op.resource === 'campaigns' && !ctx.allow.campaignApprovals) b.decision = 'reject';
          return b;
        });
    }
    if (tail === 'cancel') return fc.record({ reason: text });
    if (tail === 'rollback') return fc.record({ modelName: fc.constantFrom(...ctx.modelNames), reason: text }, { requiredKeys: ['modelName'] });
    if (tail === 'supplier-events') {
      return fc.record({
        eventId: fc.uuid(),
        purchaseOrderId: pick.map((v) => ({ ref: 'pending-subject', resource: 'replenishments', pick: v }) as Ref),
        type: fc.constantFrom('acknowledged', 'rejected'),
        reason: text,
      });
    }
    switch (op.resource) {
      case 'appointment-recoveries':
        return fc.record(
          {
            appointmentId: fc.constantFrom(...(ctx.appointmentIds.length ? ctx.appointmentIds : ['APT-NONE'])),
            itemCount: fc.integer({ min: 1, max: 12 }),
            timing: fc.record({ decisionTimeoutMs: fc.integer({ min: 60_000, max: 900_000 }) }),
          },
          { requiredKeys: ['appointmentId'] },
        );
      case 'replenishments':
        return fc.record(
          { storeId: fc.constantFrom(...ctx.stores.map((s) => s.id)), asOf: fc.constantFrom(isoDaysAgo(1), isoDaysAgo(2)) },
          { requiredKeys: ['storeId'] },
        );
      case 'price-changes':
        return fc
          .record({
            product: fc.constantFrom(...ctx.products),
            factor: fc.integer({ min: 85, max: 112 }),
            stores: fc.subarray(
              ctx.stores.map((s) => s.id),
              { minLength: 0, maxLength: Math.min(3, ctx.stores.length) },
            ),
            reason: text,
          })
          .map(({ product, factor, stores, reason }) => ({
            sku: product.sku,
            newPrice: Math.max(0.01, Math.round(product.price * factor) / 100),
            reason,
            ...(stores.length ? { storeIds: stores } : {}),
          }));
      case 'campaigns':
        return fc.record(
          {
            name: fc.constantFrom('Fuzz spring edit', 'Fuzz loyalty thanks', 'Fuzz new arrivals'),
            segment: fc.constantFrom(...ctx.segments),
            variants: fc.constantFrom(
              [{ key: 'a', subject: 'New in for you', body: 'Hello {{firstName}}, new arrivals are in.' }],
              [
                { key: 'a', subject: 'New in for you', body: 'Hello, new arrivals are in.' },
                { key: 'b', subject: 'Just landed', body: 'Hello, see what just landed.' },
              ],
            ),
            holdoutPercent: fc.integer({ min: 0, max: 20 }),
            ratePerSecond: fc.constant(200),
          },
          { requiredKeys: ['name', 'segment', 'variants', 'ratePerSecond'] },
        );
      case 'model-retrainings':
        return fc.record({ modelName: fc.constantFrom(...ctx.modelNames), reason: text }, { requiredKeys: ['modelName'] });
    }
    return schemaArb(doc, op.body.schema, hint);
  }

  function validHeaders(op: Operation): fc.Arbitrary<Record<string, string>> {
    if (op.params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')) {
      // A small pool of keys: repeats exercise idempotent starts and keep the number of runs bounded.
      return fc.option(
        fc.integer({ min: 1, max: 12 }).map((n) => ({ 'Idempotency-Key': `fuzz-${op.resource}-${n}` })),
        { nil: {} as Record<string, string> },
      );
    }
    return fc.constant({});
  }

  function validDraft(opIndex: number): fc.Arbitrary<Draft> {
    const op = ops[opIndex]!;
    const callerHow: CallerChoice['how'] = op.path.endsWith('/decisions') ? 'approver' : starterRoles(op) ? 'starter' : 'any';
    return fc
      .record({ path: validPath(op), query: validQuery(op), headers: validHeaders(op), body: validBody(op), callerPick: pick })
      .map(({ path, query, headers, body, callerPick }) => {
        const draft: Draft = {
          op: opIndex,
          variant: 'valid',
          caller: { how: callerHow, pick: callerPick } as CallerChoice,
          pathParams: path,
          query,
          headers,
          body: !op.body
            ? { kind: 'none' }
            : isForm(op)
              ? { kind: 'text', text: 'List-Unsubscribe=One-Click', contentType: op.body.contentType }
              : { kind: 'json', value: body },
        };
        // A test sharing its data with other suites keeps real retrainings and rollbacks out.
        const tail = op.path.split('/').pop();
        if (
          (op.resource === 'model-retrainings' && op.method === 'POST' && tail === 'model-retrainings' && !ctx.allow.modelRetrainingStarts) ||
          (tail === 'rollback' && !ctx.allow.rollback)
        ) {
          draft.caller = { how: 'not-allowed', pick: callerPick };
        }
        return draft;
      });
  }

  const jsonLeaf = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.constant({ nested: true }),
  );

  /** A mutation of a valid draft. */
  function mutated(opIndex: number, variant: Variant): fc.Arbitrary<Draft> {
    const op = ops[opIndex]!;
    return fc
      .record({ base: validDraft(opIndex), a: pick, b: pick, leaf: jsonLeaf, key: fc.string({ minLength: 1, maxLength: 12 }) })
      .map(({ base, a, b, leaf, key }) => {
        // Constants of the context (segments, variants) are shared between drafts: mutate a copy.
        const d: Draft = { ...structuredClone(base), variant };
        const body =
          d.body.kind === 'json' && d.body.value && typeof d.body.value === 'object' && !Array.isArray(d.body.value)
            ? (d.body.value as Record<string, unknown>)
            : undefined;
        const fieldOf = (obj: Record<string, unknown>) => {
          const keys = Object.keys(obj);
          return keys.length ? keys[Math.floor(a * keys.length)]! : 'reason';
        };
        const withString = (f: (s: string) => string) => {
          if (body) {
            const field = stringField(body, a) ?? fieldOf(body);
            setPath(body, field, f(typeof getPath(body, field) === 'string' ? (getPath(body, field) as string) : 'fuzz'));
          } else if (Array.isArray(d.query) && d.query.length) {
            const i = Math.floor(a * d.query.length);
            d.query = d.query.map(([k, v], j) => [k, j === i ? f(typeof v === 'string' ? v : 'x') : v]);
          } else if (Array.isArray(d.query) && op.params.some((p) => p.in === 'query')) {
            const qp = op.params.filter((p) => p.in === 'query');
            d.query = [[qp[Math.floor(a * qp.length)]!.name, f('x')]];
          } else if (Object.keys(d.pathParams).length) {
            const k = Object.keys(d.pathParams)[0]!;
            d.pathParams[k] = f('x');
          }
        };
        switch (variant) {
          case 'from-schema':
            break; // replaced below
          case 'wrong-type':
            if (body) setPath(body, leafPath(body, a), wrongTypeOf(getPath(body, leafPath(body, a)), leaf));
            else if (Array.isArray(d.query))
              d.query = [...d.query, [queryName(op, a) ?? 'pageSize', ['abc', '-1', '1.5', '1e3', '[]', 'true'][Math.floor(b * 6)]!]];
            break;
          case 'missing-field':
            if (body) deletePath(body, leafPath(body, a));
            else if (d.body.kind === 'none' && op.body) d.body = { kind: 'none', contentType: 'application/json' };
            else if (op.body) d.body = { kind: 'json', value: {} };
            break;
          case 'extra-field':
            if (body) setPath(body, b < 0.5 ? key : `${leafParent(body, a)}${key}`, leaf);
            else if (Array.isArray(d.query)) d.query = [...d.query, [key, 'x']];
            break;
          case 'huge-string': {
            const size = [20_000, 300_000, 1_100_000, 3_000_000][Math.floor(b * 4)]!;
            const unit = ['x', 'é', '😀', '\u0000'][Math.floor(a * 4)]!;
            if (body) d.body = { kind: 'huge', value: body, field: stringField(body, a) ?? fieldOf(body), size, unit };
            else if (Array.isArray(d.query)) d.query = [...d.query, [queryName(op, a) ?? 'q', 'x'.repeat(Math.min(size, 6_000))]];
            break;
          }
          case 'control-chars':
            withString((s) => `${s.slice(0, 3)}${CONTROL[Math.floor(b * CONTROL.length)]}${s.slice(3)}`);
            if (!body && b < 0.4 && Object.keys(d.pathParams).length)
              d.pathParams[Object.keys(d.pathParams)[0]!] = { raw: ['%00', 'x%00y', '%01', '%7F', '%0D%0A'][Math.floor(a * 5)]! };
            break;
          case 'lone-surrogate':
            withString((s) => `${s}${SURROGATES[Math.floor(b * SURROGATES.length)]}`);
            break;
          case 'invalid-utf8-body':
            if (op.body)
              d.body = {
                kind: 'bytes',
                value: body ?? { reason: 'x' },
                insert: [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xc0, 0xaf]][Math.floor(b * 6)]!,
              };
            else d.query = { raw: `q=${['%C3%28', '%FF', '%ED%A0%80', '%C0%AF', '%80'][Math.floor(b * 5)]}` };
            break;
          case 'invalid-utf8-url': {
            const bad = ['%C3%28', '%FF', '%ED%A0%80', '%E0%80%AF', '%', '%zz', '%00'][Math.floor(b * 7)]!;
            const pathKeys = Object.keys(d.pathParams);
            if (pathKeys.length && a < 0.6) d.pathParams[pathKeys[0]!] = { raw: bad };
            else d.query = { raw: `${queryName(op, a) ?? 'status'}=${bad}` };
            break;
          }
          case 'deep-nesting':
            if (op.body)
              d.body = {
                kind: 'deep',
                value: body ?? {},
                field: body ? fieldOf(body) : 'segment',
                depth: [50, 1_000, 20_000][Math.floor(b * 3)]!,
                shape: a < 0.5 ? 'array' : 'object',
              };
            else d.query = { raw: `${queryName(op, a) ?? 'status'}${'[a]'.repeat(30)}=x` };
            break;
          case 'forged-id': {
            const pathKeys = Object.keys(d.pathParams);
            if (pathKeys.length) {
              const forged =
                b < 0.25
                  ? ({ ref: 'other-workflow', resource: op.resource, pick: a } as Ref)
                  : b < 0.35
                    ? 'x'.repeat(3000 + Math.floor(a * 5000))
                    : FORGED_IDS[Math.floor(a * FORGED_IDS.length)]!;
              d.pathParams[pathKeys[0]!] = forged;
            } else if (body) setPath(body, leafPath(body, a), FORGED_IDS[Math.floor(b * FORGED_IDS.length)]!);
            break;
          }
          case 'forged-page-token':
            if (Array.isArray(d.query) && op.params.some((p) => p.name === 'pageToken')) {
              const token =
                b < 0.3
                  ? PAGE_TOKENS[Math.floor(a * PAGE_TOKENS.length)]!
                  : b < 0.6
                    ? Buffer.from(key.repeat(1 + Math.floor(a * 20))).toString('base64url')
                    : b < 0.8
                      ? 'A'.repeat(1 + Math.floor(a * 2500))
                      : Buffer.from(key).toString('base64');
              d.query = [...d.query.filter(([k]) => k !== 'pageToken'), ['pageToken', token]];
            } else if (Array.isArray(d.query)) d.query = [...d.query, ['pageToken', 'AAAA']];
            break;
          case 'bad-auth':
            d.caller = [
              { how: 'none' } as const,
              { how: 'header', value: `Bearer ${key.replace(/\s/g, '') || 'x'}` } as const,
              { how: 'header', value: `Bearer ${ctx.refusedKeys[0] ?? 'demo-key-revoked'}` } as const,
              { how: 'header', value: `Bearer ${ctx.refusedKeys[1] ?? 'demo-key-inactive'}` } as const,
              { how: 'header', value: 'Basic ZGVtbzpkZW1v' } as const,
              { how: 'header', value: 'Bearer' } as const,
              { how: 'header', value: 'Bearer demo-key-sam demo-key-sam' } as const,
              { how: 'header', value: 'demo-key-sam' } as const,
              { how: 'header', value: `Bearer demo-key-SAM` } as const,
            ][Math.floor(b * 9)]!;
            break;
          case 'huge-header': {
            const size = 20_000 - Math.floor(a * 6_000);
            if (b < 0.4) d.headers['X-Fuzz-Filler'] = 'f'.repeat(size);
            else if (b < 0.7) d.caller = { how: 'header', value: `Bearer ${'k'.repeat(size)}` };
            else d.headers['Idempotency-Key'] = 'i'.repeat(size);
            break;
          }
          case 'content-type': {
            const ct = CONTENT_TYPES[Math.floor(b * CONTENT_TYPES.length)]!;
            if (d.body.kind === 'json') d.body = { ...d.body, contentType: ct };
            else d.body = { kind: 'text', text: '{}', contentType: ct };
            break;
          }
          case 'malformed-json':
            d.body = {
              kind: 'text',
              text: ['{', '{"decision": ', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":"\\x00"}', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"polluted":1}}'][
                Math.floor(b * 10)
              ]!,
              contentType: 'application/json',
            };
            break;
          case 'odd-json':
            d.body = { kind: 'json', value: [null, [], 'text', 42, true, [body ?? {}], { constructor: { prototype: { polluted: 1 } } }][Math.floor(b * 7)] };
            break;
          case 'odd-text':
            withString(() => ODD_TEXT[Math.floor(b * ODD_TEXT.length)]!);
            break;
          case 'valid':
            break;
        }
        return d;
      });
  }

  function fromSchema(opIndex: number): fc.Arbitrary<Draft> {
    const op = ops[opIndex]!;
    const body = op.body ? schemaArb(doc, op.body.schema, hint) : fc.constant(undefined);
    return fc.record({ base: validDraft(opIndex), body, callerPick: pick }).map(({ base, body: b, callerPick }) => ({
      ...base,
      variant: 'from-schema',
      caller: { how: 'any', pick: callerPick },
      body: op.body ? { kind: 'json', value: b } : { kind: 'none' },
    }));
  }

  // Unbiased: every operation and variant as often as its weight says (fast-check favours small values otherwise).
  const variantArb = fc.noBias(fc.constantFrom(...VARIANTS.flatMap((v) => Array<Variant>(WEIGHTS[v]).fill(v))));
  const opArb = fc.noBias(fc.integer({ min: 0, max: ops.length - 1 }));
  return fc
    .tuple(opArb, variantArb)
    .chain(([opIndex, variant]) => (variant === 'valid' ? validDraft(opIndex) : variant === 'from-schema' ? fromSchema(opIndex) : mutated(opIndex, variant)));
}

/** Drafts for `count` requests, the same for the same seed. */
export function generateDrafts(doc: OpenApiDoc, ops: Operation[], ctx: FuzzContext, count: number, seed: number): Draft[] {
  return fc.sample(generatorFor(doc, ops, ctx), { seed, numRuns: count });
}

const isForm = (op: Operation) => op.body?.contentType === 'application/x-www-form-urlencoded';

function makeHint(ctx: FuzzContext): Hint {
  return (name: string, schema: JsonSchema) => {
    switch (name) {
      case 'storeId':
        return fc.constantFrom(...ctx.readStoreIds);
      case 'storeIds':
        return schema.type === 'array' ? fc.subarray(ctx.readStoreIds, { minLength: 1, maxLength: Math.min(3, ctx.readStoreIds.length) }) : undefined;
      case 'regionIds':
        return schema.type === 'array' ? fc.subarray(['WEST', 'EAST'], { minLength: 1 }) : undefined;
      case 'sku':
        return fc.constantFrom(...ctx.products.map((p) => p.sku));
      case 'appointmentId':
        return ctx.appointmentIds.length ? fc.constantFrom(...ctx.appointmentIds) : undefined;
      case 'modelName':
        return fc.constantFrom(...ctx.modelNames);
      case 'category':
        return fc.constantFrom(...ctx.categories);
      case 'categories':
        return schema.type === 'array' ? fc.subarray(ctx.categories, { minLength: 1, maxLength: Math.min(2, ctx.categories.length) }) : undefined;
      case 'stylistId':
        return ctx.stylistIds.length ? fc.constantFrom(...ctx.stylistIds) : undefined;
      case 'q':
        return fc.constantFrom('dress', 'shirt', 'S00', 'blue', 'x');
      case 'timing':
        return fc.constant(undefined);
    }
    return undefined;
  };
}

// --- small helpers on plain JSON objects -------------------------------------------------------

function leaves(obj: unknown, prefix = ''): string[] {
  if (!obj || typeof obj !== 'object' || isRef(obj)) return prefix ? [prefix] : [];
  const out: string[] = [];
  const entries = Array.isArray(obj) ? obj.map((v, i) => [String(i), v] as const) : Object.entries(obj);
  if (entries.length === 0 && prefix) return [prefix];
  for (const [k, v] of entries) out.push(...leaves(v, prefix ? `${prefix}.${k}` : k));
  return out;
}

function leafPath(obj: Record<string, unknown>, a: number): string {
  const all = leaves(obj);
  return all.length ? all[Math.floor(a * all.length)]! : 'reason';
}

function leafParent(obj: Record<string, unknown>, a: number): string {
  const p = leafPath(obj, a).split('.');
  p.pop();
  return p.length ? `${p.join('.')}.` : '';
}

function stringField(obj: Record<string, unknown>, a: number): string | undefined {
  const all = leaves(obj).filter((p) => typeof getPath(obj, p) === 'string');
  return all.length ? all[Math.floor(a * all.length)] : undefined;
}

function queryName(op: Operation, a: number): string | undefined {
  const qp = op.params.filter((p) => p.in === 'query');
  return qp.length ? qp[Math.floor(a * qp.length)]!.name : undefined;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur: any = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]!] = value;
}

function deletePath(obj: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  let cur: any = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = cur[k];
  }
  if (cur && typeof cur === 'object') {
    if (Array.isArray(cur)) cur.splice(Number(keys[keys.length - 1]), 1);
    else delete cur[keys[keys.length - 1]!];
  }
}

function wrongTypeOf(current: unknown, leaf: unknown): unknown {
  if (typeof current === 'string') return typeof leaf === 'string' ? 12345 : leaf;
  if (typeof current === 'number') return String(current);
  if (typeof current === 'boolean') return 'true';
  if (Array.isArray(current)) return { 0: current[0] };
  if (current && typeof current === 'object') return [current];
  return 'x';
}
