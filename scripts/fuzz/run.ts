/** The fuzz run: drafts from the OpenAPI document, sent to a live API, every response checked. */
import { matchingApprover } from '../../domain/approval';
import { ResponseChecker } from './checks';
import { LivePool, type Caller, type FuzzContext, type PendingApproval } from './context';
import { generateDrafts, isRaw, isRef, setPath, starterRoles, type Draft, type Ref } from './generate';
import { operationsOf, type OpenApiDoc, type Operation } from './openapi';
import { RequestTimeout, send, type WireRequest, type WireResponse } from './send';

export interface FuzzOptions {
  baseUrl: string;
  ctx: FuzzContext;
  requests: number;
  seed: number;
  concurrency?: number;
  timeoutMs?: number;
  /** Called after every response (progress bars). */
  onResponse?: (done: number, failures: number) => void;
}

export interface Failure {
  op: string;
  variant: string;
  status: number | 'timeout' | 'error';
  problems: string[];
  request: WireRequest;
  /** The start of the response body, when there was one. */
  response?: string;
  ms: number;
}

export interface FuzzResult {
  seed: number;
  requests: number;
  byEndpoint: Map<string, Map<string, number>>;
  byClass: Map<string, number>;
  byStatus: Map<string, number>;
  byVariant: Map<string, number>;
  /** Statuses of the valid requests per endpoint (how deep the run reached). */
  validStatuses: Map<string, Map<string, number>>;
  /** One answer per endpoint and status of a valid request, for the record. */
  validSamples: Map<string, string>;
  failures: Failure[];
  /** Processes the run's requests started (workflow id → resource). */
  started: Map<string, string>;
  operations: Operation[];
  ms: number;
}

export async function fetchOpenApi(baseUrl: string, timeoutMs = 15_000): Promise<OpenApiDoc> {
  const res = await send(baseUrl, { method: 'GET', path: '/api/v1/openapi.json', headers: { Accept: 'application/json' } }, timeoutMs);
  if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as OpenApiDoc;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const doc = await fetchOpenApi(o.baseUrl);
  const ops = operationsOf(doc);
  const checker = new ResponseChecker(doc);
  const drafts = generateDrafts(doc, ops, o.ctx, o.requests, o.seed);
  const pool = new LivePool(!o.ctx.allow.othersProcesses);
  const timeoutMs = o.timeoutMs ?? 15_000;
  const result: FuzzResult = {
    seed: o.seed,
    requests: 0,
    byEndpoint: new Map(),
    byClass: new Map(),
    byStatus: new Map(),
    byVariant: new Map(),
    validStatuses: new Map(),
    validSamples: new Map(),
    failures: [],
    started: pool.started,
    operations: ops,
    ms: 0,
  };
  const monitor = o.ctx.callers.find((c) => c.role === 'ops') ?? o.ctx.callers[0]!;

  // What the system holds before the first request: processes to address, approvals to decide.
  await refreshPool(o.baseUrl, pool, ops, monitor, timeoutMs);
  let lastRefresh = Date.now();
  let refreshing: Promise<void> | undefined;

  let next = 0;
  const worker = async () => {
    while (next < drafts.length) {
      const i = next++;
      const draft = drafts[i]!;
      const op = ops[draft.op]!;
      if (!refreshing && Date.now() - lastRefresh > 2_000) {
        refreshing = refreshPool(o.baseUrl, pool, ops, monitor, timeoutMs).finally(() => {
          lastRefresh = Date.now();
          refreshing = undefined;
        });
      }
      const wire = materialise(draft, op, ops, o.ctx, pool);
      const sentAt = Date.now();
      let res: WireResponse | undefined;
      let problems: string[];
      let status: Failure['status'];
      try {
        res = await send(o.baseUrl, wire, timeoutMs);
        status = res.status;
        problems = checker.check(op, res);
      } catch (err) {
        status = err instanceof RequestTimeout ? 'timeout' : 'error';
        problems = [err instanceof RequestTimeout ? `no response within ${timeoutMs / 1000} s` : `connection error: ${(err as Error).message}`];
      }
      result.requests++;
      count(result.byVariant, draft.variant);
      const cls = typeof status === 'number' ? `${String(status)[0]}xx` : status;
      count(result.byClass, cls);
      count(result.byStatus, String(status));
      const ep = result.byEndpoint.get(op.key) ?? new Map<string, number>();
      count(ep, cls);
      result.byEndpoint.set(op.key, ep);
      if (draft.variant === 'valid') {
        const vs = result.validStatuses.get(op.key) ?? new Map<string, number>();
        count(vs, String(status));
        result.validStatuses.set(op.key, vs);
        const sampleKey = `${op.key} ${status}`;
        if (res && !result.validSamples.has(sampleKey)) result.validSamples.set(sampleKey, res.body.toString('utf8').slice(0, 300));
      }
      if (problems.length)
        result.failures.push({
          op: op.key,
          variant: draft.variant,
          status,
          problems,
          request: wire,
          response: res?.body.toString('utf8').slice(0, 300),
          ms: Date.now() - sentAt,
        });
      if (res) learn(op, res, pool);
      o.onResponse?.(result.requests, result.failures.length);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  await refreshing;
  result.ms = Date.now() - started;
  return result;
}

function count(m: Map<string, number>, k: string) {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** What the response teaches: a process started or listed, a page token issued. */
function learn(op: Operation, res: WireResponse, pool: LivePool) {
  if (res.status !== 200 && res.status !== 201) return;
  let body: any;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return;
  }
  const isCollection = op.path === `/api/v1/${op.resource}`;
  if (isCollection && op.method === 'POST' && typeof body?.id === 'string') pool.addWorkflow(op.resource, body.id, true);
  if (isCollection && op.method === 'GET' && Array.isArray(body?.items)) {
    for (const it of body.items) if (typeof it?.id === 'string') pool.addWorkflow(op.resource, it.id);
    if (typeof body.nextPageToken === 'string' && pool.pageTokens.length < 200) pool.pageTokens.push(body.nextPageToken);
  }
}

/** The approvals pending now (as an ops caller sees them all) and the running processes of each resource. */
async function refreshPool(baseUrl: string, pool: LivePool, ops: Operation[], monitor: Caller, timeoutMs: number): Promise<void> {
  const headers = { Authorization: `Bearer ${monitor.key}`, Accept: 'application/json' };
  try {
    const res = await send(baseUrl, { method: 'GET', path: '/api/v1/approvals?status=pending', headers }, timeoutMs);
    if (res.status === 200) {
      const items = (JSON.parse(res.body.toString('utf8')).items ?? []) as any[];
      pool.pending = items
        .filter((it) => !pool.ownOnly || pool.started.has(it.processId))
        .map((it): PendingApproval => ({
          resource: it.process,
          workflowId: it.processId,
          subjectType: it.subjectType,
          subjectId: it.subjectId,
          approvers: (it.details?.approvers ?? []) as PendingApproval['approvers'],
        }));
    }
    const resources = [...new Set(ops.filter((op) => op.path === `/api/v1/${op.resource}` && op.method === 'GET').map((op) => op.resource))];
    await Promise.all(
      resources.map(async (r) => {
        const list = await send(baseUrl, { method: 'GET', path: `/api/v1/${r}?status=running&pageSize=50`, headers }, timeoutMs);
        if (list.status === 200) for (const it of JSON.parse(list.body.toString('utf8')).items ?? []) pool.addWorkflow(r, it.id);
      }),
    );
  } catch {
    // a refresh is best effort; the requests themselves are checked
  }
}

const encodeLoose = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    // lone surrogates: the bytes a careless client would send
    return [...s].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
};

/** The wire request for a draft, with what only the run knows (pending approvals, page tokens, approvers) filled in. */
export function materialise(draft: Draft, op: Operation, ops: Operation[], ctx: FuzzContext, pool: LivePool): WireRequest {
  // A decision names the subject (purchase order) of the approval its path points at.
  const pathRef = Object.values(draft.pathParams).find((v): v is Ref => isRef(v) && v.ref === 'pending-workflow');
  const resolve = (r: Ref): string | undefined => {
    switch (r.ref) {
      case 'workflow':
        return pool.workflowId(r.resource, r.pick) ?? `${r.resource}-not-started-yet`;
      case 'pending-workflow':
        return pool.pendingFor(r.resource, r.pick)?.workflowId ?? pool.workflowId(r.resource, r.pick) ?? `${r.resource}-nothing-pending`;
      case 'pending-subject':
        return pool.pendingFor(r.resource, pathRef?.pick ?? r.pick)?.subjectId ?? 'PO-NOTHING-PENDING';
      case 'page-token':
        return pool.pageToken(r.pick);
      case 'other-workflow': {
        const others = [...pool.workflows.keys()].filter((k) => k !== r.resource);
        const other = others.length ? others[Math.floor(r.pick * others.length)]! : r.resource;
        return pool.workflowId(other, r.pick) ?? 'campaign-none';
      }
    }
  };
  const deep = (v: unknown): unknown => {
    if (isRef(v)) return resolve(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
    return v;
  };

  let path = op.path;
  for (const [name, v] of Object.entries(draft.pathParams)) {
    // An empty segment would address another operation (`/campaigns/` is the list): a blank one instead.
    const seg = (isRaw(v) ? v.raw : encodeLoose(isRef(v) ? (resolve(v) ?? '') : v)) || '%20';
    path = path.replace(`{${name}}`, seg);
  }
  let query = '';
  if (isRaw(draft.query)) query = draft.query.raw;
  else {
    const parts: string[] = [];
    for (const [k, v] of draft.query) {
      const value = isRef(v) ? resolve(v) : v;
      if (value !== undefined) parts.push(`${encodeLoose(k)}=${encodeLoose(value)}`);
    }
    query = parts.join('&');
  }

  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...draft.headers };
  const caller = chooseCaller(draft, op, ctx, pool);
  if (caller) headers.Authorization = caller;

  let body: Buffer | undefined;
  const b = draft.body;
  let contentType: string | undefined = 'application/json';
  switch (b.kind) {
    case 'none':
      contentType = b.contentType;
      break;
    case 'json': {
      const text = JSON.stringify(deep(b.value));
      if (text !== undefined) body = Buffer.from(text, 'utf8');
      if (b.contentType !== undefined) contentType = b.contentType;
      break;
    }
    case 'text':
      body = Buffer.from(b.text, 'utf8');
      if (b.contentType !== undefined) contentType = b.contentType;
      break;
    case 'bytes': {
      const value = deep(b.value) as Record<string, unknown>;
      const marked = JSON.stringify(markFirstString(value));
      const [head, tail] = marked.split('FUZZMARK');
      body = Buffer.concat([Buffer.from(head!, 'utf8'), Buffer.from(b.insert), Buffer.from(tail ?? '', 'utf8')]);
      if (b.contentType !== undefined) contentType = b.contentType;
      break;
    }
    case 'huge': {
      const value = deep(b.value) as Record<string, unknown>;
      setPath(value, b.field, b.unit.repeat(Math.ceil(b.size / b.unit.length)));
      body = Buffer.from(JSON.stringify(value), 'utf8');
      break;
    }
    case 'deep': {
      const value = deep(b.value) as Record<string, unknown>;
      setPath(value, b.field, '__DEEP__');
      const nested = b.shape === 'array' ? `${'['.repeat(b.depth)}1${']'.repeat(b.depth)}` : `${'{"a":'.repeat(b.depth)}1${'}'.repeat(b.depth)}`;
      body = Buffer.from(JSON.stringify(value).replace('"__DEEP__"', nested), 'utf8');
      break;
    }
  }
  if (body !== undefined && contentType) headers['Content-Type'] = contentType;
  else if (body === undefined && contentType && b.kind === 'none' && b.contentType) headers['Content-Type'] = contentType;
  return { method: op.method, path: query ? `${path}?${query}` : path, headers, body };
}

function markFirstString(v: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(v ?? {});
  const visit = (o: any): boolean => {
    for (const k of Object.keys(o)) {
      if (typeof o[k] === 'string') {
        o[k] = `${o[k].slice(0, 2)}FUZZMARK${o[k].slice(2)}`;
        return true;
      }
      if (o[k] && typeof o[k] === 'object' && visit(o[k])) return true;
    }
    return false;
  };
  if (!out || typeof out !== 'object' || !visit(out)) return { ...(out && typeof out === 'object' ? out : {}), note: 'FUZZMARK' };
  return out;
}

function chooseCaller(draft: Draft, op: Operation, ctx: FuzzContext, pool: LivePool): string | undefined {
  const c = draft.caller;
  if (c.how === 'none') return undefined;
  if (c.how === 'header') return c.value;
  const at = (list: Caller[]) => list[Math.floor(c.pick * list.length)] ?? ctx.callers[Math.floor(c.pick * ctx.callers.length)]!;
  let who: Caller;
  const roles = starterRoles(op);
  if (c.how === 'approver') {
    const idRef = Object.values(draft.pathParams).find(isRef);
    const pending = idRef ? pool.pendingFor(op.resource, idRef.pick) : undefined;
    const approvers = pending ? ctx.callers.filter((p) => matchingApprover(p, pending.approvers as never)) : [];
    who = at(approvers.length ? approvers : ctx.callers);
  } else if (c.how === 'starter' && roles) {
    who = at(ctx.callers.filter((p) => roles.includes(p.role)));
  } else if (c.how === 'not-allowed' && roles) {
    who = at(ctx.callers.filter((p) => !roles.includes(p.role)));
  } else who = at(ctx.callers);
  return `Bearer ${who.key}`;
}

/** One line that reproduces a request: method, path, headers (long values cut), body excerpt. */
export function reproduction(r: WireRequest): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.entries(r.headers)
    .filter(([k]) => k !== 'Accept')
    .map(([k, v]) => `-H '${k}: ${cut(v, 60)}'`)
    .join(' ');
  let body = '';
  if (r.body) {
    const text = r.body.toString('utf8');
    const printable = JSON.stringify(cut(text, 200)).slice(1, -1);
    body = ` --data '${printable}'${/\ufffd/.test(text) ? ' (raw bytes, not UTF-8)' : ''}`;
  }
  return `${r.method} ${cut(r.path, 160)} ${headers}${body}`;
}
