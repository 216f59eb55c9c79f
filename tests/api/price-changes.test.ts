/**
 * The price-change resource through the real Express app and a real worker: start (guardrails
 * first, one active change per SKU and store, Idempotency-Key), state, list, decisions by the
 * category manager (counter-prices re-checked), the approval inbox and cancellation before the
 * price takes effect, with every role and scope check on the way. Every start is store-scoped to
 * the scenario's own stores, so pushes only reach those stores' POS in the in-process simulator.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { priceChangeWorkflowId } from '../../api/processes/price-changes/starter';
import type { SimulatorState } from '../../simulator/app';
import type { PriceChangeState } from '../../workflows/price-change/messages';
import { auth, expectProblem, fields } from '../support/api';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createPricingScenario, type PricingScenario } from '../support/pricing-fixtures';

let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
  app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') });
});

afterAll(async () => {
  await h?.close();
});

const BASE = '/api/v1/price-changes';
/** Short monitoring so an applied change completes within seconds. */
const TIMING = { monitorWindowMs: 2000, monitorEveryMs: 1000, monitorAfterMs: 0 };
const HOUR_MS = 3_600_000;

type ApiState = PriceChangeState & { id: string; workflowId: string; runId: string; status: string; result: unknown };
type Started = { id: string; workflowId: string; runId: string; status: string };
type InboxItem = {
  process: string;
  processId: string;
  subjectType: string;
  subjectId: string;
  level: number;
  levelCount: number;
  canDecide: boolean;
  decideUrl: string;
  approverRoles: string[];
};

const startBody = (s: PricingScenario, over: Record<string, unknown> = {}) => ({
  sku: s.sku,
  storeIds: s.storeIds,
  newPrice: 90,
  reason: 'Clear the summer linen',
  timing: TIMING,
  ...over,
});

const post = (body: object, key: string, idempotencyKey?: string) => {
  const req = request(app).post(BASE).set(auth(key));
  if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
  return req.send(body);
};

async function start(s: PricingScenario, over: Record<string, unknown> = {}, key = s.people.system.apiKey): Promise<Started> {
  const res = await post(startBody(s, over), key);
  if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Started;
}

async function getState(id: string, key: string): Promise<ApiState> {
  const res = await request(app).get(`${BASE}/${id}`).set(auth(key));
  if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ApiState;
}

async function stateWhen(s: PricingScenario, id: string, ok: (st: ApiState) => boolean, what: string, timeoutMs = 30_000): Promise<ApiState> {
  return eventually(
    async () => {
      const st = await getState(id, s.people.ops.apiKey);
      return ok(st) ? st : undefined;
    },
    timeoutMs,
    what,
  );
}

const awaitingApproval = (s: PricingScenario, id: string) =>
  stateWhen(s, id, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'approval pending');
const decide = (id: string, key: string, body: object) => request(app).post(`${BASE}/${id}/decisions`).set(auth(key)).send(body);
const cancel = (id: string, key: string, body: object) => request(app).post(`${BASE}/${id}/cancel`).set(auth(key)).send(body);
const inbox = async (key: string, processId: string): Promise<InboxItem[]> => {
  const res = await request(app).get('/api/v1/approvals?status=pending').set(auth(key));
  expect(res.status).toBe(200);
  return (res.body.items as InboxItem[]).filter((i) => i.processId === processId);
};
const simulatorPushes = (sku: string) => (h.simulator.app.locals.simulator as SimulatorState).pushes.filter((p) => p.sku === sku);
const rowsFor = (s: PricingScenario) => h.db.priceChange.findMany({ where: { sku: s.sku }, orderBy: { createdAt: 'asc' } });

/** Ends a run a test left open (awaiting approval for hours otherwise). */
async function stop(id: string): Promise<void> {
  await h.client.workflow
    .getHandle(id)
    .cancel()
    .catch(() => undefined);
}

describe('starting a price change', () => {
  test('201 with a price-change id; the same Idempotency-Key is 200 with the same run; another start for the SKU is a 409 price-conflict', async () => {
    const s = await createPricingScenario(h.db);
    const key = s.people.system.apiKey;
    const idem = `idem-${s.suffix}`;
    const res = await post(startBody(s), key, idem);
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    try {
      expect(id).toMatch(new RegExp(`^price-change-${s.sku}-[0-9a-f]{16}$`));
      expect(res.body).toEqual({ id, workflowId: id, runId: expect.any(String), status: 'running' });
      expect(res.headers.location).toBe(`${BASE}/${id}`);

      const again = await post(startBody(s), key, idem);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);

      // No key: a new request for the same SKU and stores, refused while the first is active.
      const second = await post(startBody(s, { newPrice: 85 }), key);
      expectProblem(second, 409, 'price-conflict');
      expect(second.body.conflictWith).toBe(id);
      expect(second.body.detail).toContain(id);
      // A different key, or the same key from another caller, is another request too; so is an overlapping store set.
      expectProblem(await post(startBody(s), key, `other-${s.suffix}`), 409, 'price-conflict');
      expectProblem(await post(startBody(s), s.people.category.apiKey, idem), 409, 'price-conflict');
      expectProblem(await post(startBody(s, { storeIds: [s.storeIds[1]] }), key), 409, 'price-conflict');

      const rows = await rowsFor(s);
      expect(rows.map((r) => r.id)).toEqual([id]);
      expect(rows[0]).toMatchObject({ workflowId: id, storeIds: s.storeIds, requestedBy: s.people.system.id, reason: 'Clear the summer linen' });
      expect(Number(rows[0]!.oldPrice)).toBe(100);
      expect(Number(rows[0]!.newPrice)).toBe(89.99);
    } finally {
      await stop(id);
    }
  });

  test('the same Idempotency-Key twice at once starts one run (201 and 200); a claim whose run never started is started by the repeat', async () => {
    const s = await createPricingScenario(h.db);
    const key = s.people.system.apiKey;
    const idem = `together-${s.suffix}`;
    const both = await Promise.all([post(startBody(s), key, idem), post(startBody(s), key, idem)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[0]!.body).toEqual(both[1]!.body);
    const id = both[0]!.body.id as string;
    await stop(id);
    expect((await rowsFor(s)).map((r) => r.id)).toEqual([id]);

    // The API stopped after claiming the SKU and before starting the workflow: the client's retry starts it.
    const s2 = await createPricingScenario(h.db);
    const retryKey = `retry-${s2.suffix}`;
    const orphan = priceChangeWorkflowId(s2.sku, `${s2.people.system.id}:${retryKey}`);
    await h.db.priceChange.create({
      data: {
        id: orphan,
        workflowId: orphan,
        sku: s2.sku,
        storeIds: s2.storeIds,
        oldPrice: 100,
        newPrice: 89.99,
        status: 'requested',
        reason: 'Clear the summer linen',
        effectiveAt: new Date(),
        requestedBy: s2.people.system.id,
      },
    });
    const retried = await post(startBody(s2), s2.people.system.apiKey, retryKey);
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(orphan);
    try {
      await awaitingApproval(s2, orphan);
      expect((await post(startBody(s2), s2.people.system.apiKey, retryKey)).body).toEqual(retried.body);
      expect((await rowsFor(s2)).map((r) => [r.id, r.status])).toEqual([[orphan, 'pending_approval']]);
    } finally {
      await stop(orphan);
    }
  });

  test('bad input names every invalid field and starts nothing', async () => {
    const s = await createPricingScenario(h.db);
    const key = s.people.system.apiKey;
    const bad = async (over: Record<string, unknown>, expected: string[]) => {
      const res = await post(startBody(s, over), key);
      expectProblem(res, 400, 'validation-error');
      expect(fields(res)).toEqual(expected);
      return res;
    };

    const missing = await post({}, key);
    expectProblem(missing, 400, 'validation-error');
    expect(fields(missing)).toEqual(['body.newPrice', 'body.reason', 'body.sku']);

    await bad({ newPrice: 0 }, ['body.newPrice']);
    await bad({ newPrice: -5 }, ['body.newPrice']);
    expect((await bad({ newPrice: 89.999 }, ['body.newPrice'])).body.errors[0].message).toMatch(/two decimals/);
    await bad({ newPrice: '90' }, ['body.newPrice']);
    await bad({ reason: 'ok' }, ['body.reason']);
    await bad({ reason: '  ab  ' }, ['body.reason']);
    expect((await bad({ storeIds: [s.storeIds[0], s.storeIds[0]] }, ['body.storeIds'])).body.errors[0].message).toMatch(/twice/);
    await bad({ storeIds: ['not a store!'] }, ['body.storeIds.0']);
    await bad({ storeIds: [] }, ['body.storeIds']);
    await bad({ storeIds: s.storeIds[0] }, ['body.storeIds']);
    const now = Date.now();
    const ends = await bad({ effectiveAt: new Date(now + 2 * HOUR_MS).toISOString(), endsAt: new Date(now + HOUR_MS).toISOString() }, ['body.endsAt']);
    expect(ends.body.errors[0].message).toMatch(/after effectiveAt/);
    await bad({ endsAt: new Date(now - HOUR_MS).toISOString() }, ['body.endsAt']);
    await bad({ effectiveAt: 'tomorrow' }, ['body.effectiveAt']);
    await bad({ effectiveAt: new Date(now + 400 * 24 * HOUR_MS).toISOString() }, ['body.effectiveAt']);
    await bad({ colour: 'red' }, ['body']);
    await bad({ timing: { ...TIMING, monitorEveryMs: 5, sideways: 1 } }, ['body.timing', 'body.timing.monitorEveryMs']);
    await bad({ kpiFloorRatio: 1.5 }, ['body.kpiFloorRatio']);
    await bad({ newPrice: 0, reason: '', storeIds: ['S 1'], sku: '' }, ['body.newPrice', 'body.reason', 'body.sku', 'body.storeIds.0']);

    expect(await rowsFor(s)).toEqual([]);
  });

  test('an unknown SKU or store is 404 and starts nothing', async () => {
    const s = await createPricingScenario(h.db);
    const key = s.people.system.apiKey;
    const sku = await post(startBody(s, { sku: `NOPE-${s.suffix}` }), key);
    expectProblem(sku, 404, 'not-found');
    expect(sku.body.detail).toContain(`NOPE-${s.suffix}`);
    const store = await post(startBody(s, { storeIds: [s.storeIds[0], `T-NOPE-${s.suffix}`] }), key);
    expectProblem(store, 404, 'not-found');
    expect(store.body.detail).toContain(`T-NOPE-${s.suffix}`);
    // The same for a category manager of the category.
    expectProblem(await post(startBody(s, { storeIds: [`T-NOPE-${s.suffix}`] }), s.people.category.apiKey), 404, 'not-found');
    expect(await rowsFor(s)).toEqual([]);
    expect(await h.db.priceChange.count({ where: { sku: `NOPE-${s.suffix}` } })).toBe(0);
  });

  test('below cost or below MAP: 422 guardrail-violation naming the rule; nothing started and the SKU stays free', async () => {
    const s = await createPricingScenario(h.db, { map: 80 });
    const key = s.people.system.apiKey;

    const belowMap = await post(startBody(s, { newPrice: 75 }), key);
    expectProblem(belowMap, 422, 'guardrail-violation');
    expect(belowMap.body.errors).toEqual([{ field: 'body.newPrice', code: 'map_floor', message: expect.stringMatching(/below the MAP/) }]);
    expect(belowMap.body.guardrails).toMatchObject({ hard: true, requestedPrice: 75 });

    const belowCost = await post(startBody(s, { newPrice: 35 }), key, `cost-${s.suffix}`);
    expectProblem(belowCost, 422, 'guardrail-violation');
    expect(belowCost.body.errors.map((e: { code: string }) => e.code).sort()).toEqual(['cost_floor', 'map_floor']);
    for (const e of belowCost.body.errors) expect(e.field).toBe('body.newPrice');
    expect(belowCost.body.detail).toMatch(/below the cost/);

    const noMap = await createPricingScenario(h.db);
    const onlyCost = await post(startBody(noMap, { newPrice: 39.99 }), noMap.people.category.apiKey);
    expectProblem(onlyCost, 422, 'guardrail-violation');
    expect(onlyCost.body.errors).toEqual([{ field: 'body.newPrice', code: 'cost_floor', message: expect.stringMatching(/below the cost of \$40\.00/) }]);

    expect(await rowsFor(s)).toEqual([]);
    expect(await rowsFor(noMap)).toEqual([]);
    // Nothing holds the SKU: a price within the guardrails starts at once (the same key included, since nothing was stored under it).
    const ok = await post(startBody(s, { newPrice: 85 }), key, `cost-${s.suffix}`);
    expect(ok.status).toBe(201);
    await stop(ok.body.id);
  });

  test('roles and scopes: ops, store managers, another category or region, a regional manager without stores are 403', async () => {
    const s = await createPricingScenario(h.db);
    const p = s.people;
    const ops = await post(startBody(s), p.ops.apiKey);
    expectProblem(ops, 403, 'forbidden');
    expect(ops.body.detail).toMatch(/ops/);
    expectProblem(await post(startBody(s), p.storeManager.apiKey), 403, 'forbidden');
    const otherCategory = await post(startBody(s), p.otherCategory.apiKey);
    expectProblem(otherCategory, 403, 'forbidden');
    expect(otherCategory.body.detail).toContain(s.category);
    expectProblem(await post(startBody(s, { storeIds: [s.storeIds[0]] }), p.otherRegion.apiKey), 403, 'forbidden');
    const chainWide = await post(startBody(s, { storeIds: undefined }), p.regional.apiKey);
    expectProblem(chainWide, 403, 'forbidden');
    expect(chainWide.body.detail).toMatch(/storeIds/);
    expectProblem(await request(app).post(BASE).send(startBody(s)), 401, 'unauthenticated');
    expect(await rowsFor(s)).toEqual([]);

    // The regional manager of the stores' region, and a category manager of the category, may.
    const regional = await start(s, { storeIds: [s.storeIds[0]] }, p.regional.apiKey);
    const category = await start(s, { storeIds: [s.storeIds[1]] }, p.category.apiKey);
    try {
      const rows = await rowsFor(s);
      expect(rows.map((r) => [r.id, r.requestedBy, r.storeIds])).toEqual(
        expect.arrayContaining([
          [regional.id, p.regional.id, [s.storeIds[0]]],
          [category.id, p.category.id, [s.storeIds[1]]],
        ]),
      );
      expect(rows).toHaveLength(2);
    } finally {
      await stop(regional.id);
      await stop(category.id);
    }
  });
});

describe('state and decisions', () => {
  test('state shows guardrails, tier and the pending approval; who may decide; counter-prices checked; approved by the category manager, pushed, completed; then 409', async () => {
    const s = await createPricingScenario(h.db);
    const p = s.people;
    const { id, runId } = await start(s);
    const st = await awaitingApproval(s, id);

    expect(st).toMatchObject({
      id,
      workflowId: id,
      runId,
      status: 'running',
      stage: 'awaiting_approval',
      priceChangeId: id,
      sku: s.sku,
      storeIds: s.storeIds,
      tier: 'category_manager',
      approvedPrice: null,
      pushed: [],
      decisions: [],
      result: null,
      context: {
        sku: s.sku,
        category: s.category,
        cost: 40,
        currentPrice: 100,
        map: null,
        stores: s.storeIds.map((storeId) => ({ storeId, regionId: s.regionId })),
      },
      guardrails: { hard: false, requestedPrice: 90, finalPrice: 89.99, boundBy: 'charm_rounding', violations: [] },
    });
    expect(st.guardrails!.changePct).toBeCloseTo(-0.1001, 4);
    expect(st.pendingApproval).toMatchObject({
      subjectType: 'price_change',
      subjectId: id,
      level: 1,
      levelCount: 1,
      approvers: [{ role: 'category_manager', scope: { category: s.category } }],
      details: { sku: s.sku, category: s.category, currentPrice: 100, proposedPrice: 89.99, storeIds: s.storeIds },
    });
    expect(Date.parse(st.pendingApproval!.dueAt)).toBeGreaterThan(Date.now());
    expect((await h.db.priceChange.findUniqueOrThrow({ where: { id } })).status).toBe('pending_approval');
    expectProblem(await request(app).get(`${BASE}/price-change-${s.sku}-0000000000000000`).set(auth(p.ops.apiKey)), 404, 'not-found');
    // Readable within scope: the category's managers, the stores' region and store managers; not another region.
    for (const who of [p.category, p.otherCategory, p.regional, p.storeManager, p.system]) {
      expect((await request(app).get(`${BASE}/${id}`).set(auth(who.apiKey))).status).toBe(200);
    }
    expectProblem(await request(app).get(`${BASE}/${id}`).set(auth(p.otherRegion.apiKey)), 403, 'forbidden');

    // Not theirs to decide.
    expectProblem(await decide(id, p.ops.apiKey, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(id, p.system.apiKey, { decision: 'approve' }), 403, 'forbidden');
    const other = await decide(id, p.otherCategory.apiKey, { decision: 'approve' });
    expectProblem(other, 403, 'forbidden');
    expectProblem(await decide(id, p.regional.apiKey, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(id, p.storeManager.apiKey, { decision: 'approve' }), 403, 'forbidden');

    // Malformed, or a counter-price without a comment or below the guardrails.
    const schema = await decide(id, p.category.apiKey, { decision: 'maybe', counterPrice: 84.999, colour: 'red' });
    expectProblem(schema, 400, 'validation-error');
    expect(fields(schema)).toEqual(['body', 'body.counterPrice', 'body.decision']);
    const noComment = await decide(id, p.category.apiKey, { decision: 'approve', counterPrice: 85 });
    expectProblem(noComment, 400, 'validation-error');
    expect(noComment.body.detail).toMatch(/comment/);
    const belowCost = await decide(id, p.category.apiKey, { decision: 'approve', counterPrice: 30, comment: 'Deeper cut' });
    expectProblem(belowCost, 400, 'validation-error');
    expect(fields(belowCost)).toEqual(['body.counterPrice']);
    expect(belowCost.body.errors[0].message).toMatch(/cost_floor/);
    const rejectBare = await decide(id, p.category.apiKey, { decision: 'reject' });
    expectProblem(rejectBare, 400, 'validation-error');
    expect((await getState(id, p.ops.apiKey)).decisions).toEqual([]);

    const approved = await decide(id, p.category.apiKey, { decision: 'approve', comment: 'Fine for the season' });
    expect(approved.status).toBe(200);
    expect(approved.body.decisions).toEqual([
      expect.objectContaining({
        decision: 'approve',
        actorId: p.category.id,
        actorRole: 'category_manager',
        level: 1,
        subjectId: id,
        comment: 'Fine for the season',
      }),
    ]);
    // Decided: a second decision while the run goes on is a conflict.
    const late = await decide(id, p.category2.apiKey, { decision: 'reject', comment: 'Too late' });
    expectProblem(late, 409, 'nothing-pending');

    const done = await stateWhen(s, id, (x) => x.status === 'completed', 'price change completed');
    expect(done).toMatchObject({ stage: 'completed', approvedPrice: 89.99, pendingApproval: null, rollback: null, failure: null });
    expect(done.pushed.map((x) => x.target).sort()).toEqual(s.storeIds.map((storeId) => `pos:${storeId}`).sort());
    for (const x of done.pushed) expect(x.price).toBe(89.99);
    expect(done.effectiveAt).not.toBeNull();
    expect((done.result as PriceChangeState).stage).toBe('completed');

    const row = await h.db.priceChange.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('completed');
    expect(Number(row.newPrice)).toBe(89.99);
    expect(
      simulatorPushes(s.sku)
        .map((x) => [x.channel, x.storeId, x.price])
        .sort(),
    ).toEqual(s.storeIds.map((storeId) => ['pos', storeId, 89.99]).sort());
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: id } })).status).toBe('APPROVED');

    expectProblem(await decide(id, p.category2.apiKey, { decision: 'approve' }), 409, 'nothing-pending');
    expectProblem(await cancel(id, p.category.apiKey, { reason: 'No longer needed' }), 409, 'not-running');
    // Finished: the SKU is free again.
    const next = await start(s, { newPrice: 95 });
    await stop(next.id);
  });

  test('approved at a counter-price with a comment: the counter-price (charm-rounded) is what is pushed', async () => {
    const s = await createPricingScenario(h.db);
    const { id } = await start(s);
    await awaitingApproval(s, id);
    const res = await decide(id, s.people.category2.apiKey, { decision: 'approve', counterPrice: 85, comment: 'Go a little deeper' });
    expect(res.status).toBe(200);
    expect(res.body.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: s.people.category2.id, payload: { counterPrice: 85 } })]);
    const done = await stateWhen(s, id, (x) => x.status === 'completed', 'price change completed');
    expect(done.approvedPrice).toBe(84.99);
    expect(done.guardrails).toMatchObject({ requestedPrice: 85, finalPrice: 84.99 });
    expect(done.pushed.map((x) => x.price)).toEqual([84.99, 84.99]);
    expect(Number((await h.db.priceChange.findUniqueOrThrow({ where: { id } })).newPrice)).toBe(84.99);
  });
});

describe('listing and the inbox', () => {
  test('?status=running lists the change with its stage and approver role; other statuses do not', async () => {
    const s = await createPricingScenario(h.db);
    const { id, runId } = await start(s, { storeIds: [s.storeIds[0]] });
    try {
      const listed = await eventually(
        async () => {
          const res = await request(app).get(`${BASE}?status=running&storeId=${s.storeIds[0]}`).set(auth(s.people.ops.apiKey));
          if (res.status !== 200) throw new Error(JSON.stringify(res.body));
          const item = res.body.items?.find((i: { id: string }) => i.id === id);
          return item?.stage === 'awaiting_approval' && item.approvalPending ? res : undefined;
        },
        30_000,
        'visibility of the change awaiting approval',
      );
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          id,
          workflowId: id,
          runId,
          status: 'running',
          stage: 'awaiting_approval',
          storeId: s.storeIds[0],
          approvalPending: true,
          approverRoles: ['category_manager'],
          closedAt: null,
        }),
      ]);
      expect(listed.body).toHaveProperty('nextPageToken');

      const all = await request(app).get(`${BASE}?status=running`).set(auth(s.people.ops.apiKey));
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: { id: string }) => i.id)).toContain(id);
      // The regional manager of the store's region sees it in their list; a manager of another region does not.
      const regional = await request(app).get(`${BASE}?status=running`).set(auth(s.people.regional.apiKey));
      expect(regional.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
      const otherRegion = await request(app).get(`${BASE}?status=running`).set(auth(s.people.otherRegion.apiKey));
      expect(otherRegion.body.items.map((i: { id: string }) => i.id)).not.toContain(id);

      const completed = await request(app).get(`${BASE}?status=completed&storeId=${s.storeIds[0]}`).set(auth(s.people.ops.apiKey));
      expect(completed.status).toBe(200);
      expect(completed.body.items).toEqual([]);
      expectProblem(await request(app).get(`${BASE}?status=sideways`).set(auth(s.people.ops.apiKey)), 400, 'validation-error');
    } finally {
      await stop(id);
    }
  });

  test('the approvals inbox shows the pending change to the category managers of its category only', async () => {
    const s = await createPricingScenario(h.db);
    const p = s.people;
    const { id } = await start(s);
    try {
      await awaitingApproval(s, id);
      const mine = await eventually(
        async () => {
          const items = await inbox(p.category.apiKey, id);
          return items.length ? items : undefined;
        },
        10_000,
        'inbox item',
      );
      expect(mine).toEqual([
        expect.objectContaining({
          process: 'price-changes',
          processId: id,
          subjectType: 'price_change',
          subjectId: id,
          level: 1,
          levelCount: 1,
          canDecide: true,
          approverRoles: ['category_manager'],
          decideUrl: `${BASE}/${id}/decisions`,
        }),
      ]);
      expect(await inbox(p.category2.apiKey, id)).toHaveLength(1);
      expect(await inbox(p.otherCategory.apiKey, id)).toEqual([]);
      expect(await inbox(p.regional.apiKey, id)).toEqual([]);
      expect(await inbox(p.storeManager.apiKey, id)).toEqual([]);
      expect(await inbox(p.system.apiKey, id)).toEqual([]);
      const opsItems = await inbox(p.ops.apiKey, id);
      expect(opsItems).toEqual([expect.objectContaining({ canDecide: false })]);
    } finally {
      await stop(id);
    }
  });

  test('a level whose decision is recorded but not yet acted on by the run is decidable by nobody in the inbox', async () => {
    const s = await createPricingScenario(h.db);
    const p = s.people;
    const { id } = await start(s);
    try {
      await awaitingApproval(s, id);
      const [row] = await eventually(
        async () => {
          const items = await inbox(p.category.apiKey, id);
          return items.length ? items : undefined;
        },
        10_000,
        'inbox item',
      );
      expect(row).toMatchObject({ canDecide: true });
      const request = await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: id } });
      // What the gate writes first when category2 decides, before the run moves the row on.
      await h.db.approvalDecision.create({
        data: {
          id: `${request.id}:L1`,
          approvalRequestId: request.id,
          level: 1,
          decision: 'approve',
          actorId: p.category2.id,
          actorRole: 'category_manager',
          decidedAt: new Date(),
        },
      });
      expect(await inbox(p.category.apiKey, id)).toEqual([expect.objectContaining({ level: 1, canDecide: false })]);
      expect(await inbox(p.category2.apiKey, id)).toEqual([expect.objectContaining({ level: 1, canDecide: false })]);
      await h.db.approvalDecision.delete({ where: { id: `${request.id}:L1` } });
      expect(await inbox(p.category.apiKey, id)).toEqual([expect.objectContaining({ canDecide: true })]);
    } finally {
      await stop(id);
    }
  });

  test('a category manager who requested the change sees it in the inbox but may not approve it', async () => {
    const s = await createPricingScenario(h.db);
    const { id } = await start(s, {}, s.people.category.apiKey);
    try {
      await awaitingApproval(s, id);
      const items = await eventually(
        async () => {
          const x = await inbox(s.people.category.apiKey, id);
          return x.length ? x : undefined;
        },
        10_000,
        'inbox item',
      );
      expect(items).toEqual([expect.objectContaining({ canDecide: false })]);
      expectProblem(await decide(id, s.people.category.apiKey, { decision: 'approve' }), 403, 'forbidden');
      expect((await decide(id, s.people.category2.apiKey, { decision: 'reject', comment: 'Not this season' })).status).toBe(200);
      const done = await stateWhen(s, id, (x) => x.status === 'completed', 'rejected change completed');
      expect(done).toMatchObject({ stage: 'rejected', pushed: [] });
      expect((await h.db.priceChange.findUniqueOrThrow({ where: { id } })).status).toBe('rejected');
      expect(simulatorPushes(s.sku)).toEqual([]);
    } finally {
      await stop(id);
    }
  });
});

describe('cancellation', () => {
  test('awaiting approval: 202, the run ends cancelled, the approval is withdrawn, nothing pushed, the SKU free again', async () => {
    const s = await createPricingScenario(h.db);
    const p = s.people;
    const { id, runId } = await start(s);
    await awaitingApproval(s, id);

    expectProblem(await cancel(id, p.category.apiKey, {}), 400, 'validation-error');
    expectProblem(await cancel(id, p.ops.apiKey, { reason: 'Changed our mind' }), 403, 'forbidden');
    expectProblem(await cancel(id, p.storeManager.apiKey, { reason: 'Changed our mind' }), 403, 'forbidden');
    expectProblem(await cancel(id, p.otherCategory.apiKey, { reason: 'Changed our mind' }), 403, 'forbidden');
    expectProblem(await cancel(id, p.otherRegion.apiKey, { reason: 'Changed our mind' }), 403, 'forbidden');
    expectProblem(await cancel(`price-change-${s.sku}-0000000000000000`, p.category.apiKey, { reason: 'Changed our mind' }), 404, 'not-found');
    expect((await getState(id, p.ops.apiKey)).status).toBe('running');

    const res = await cancel(id, p.category.apiKey, { reason: 'Supplier raised the cost' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id, workflowId: id, runId, status: 'running', cancellation: 'requested' });

    const after = await stateWhen(s, id, (x) => x.status === 'cancelled', 'cancelled');
    expect(after).toMatchObject({
      stage: 'cancelled',
      pendingApproval: null,
      pushed: [],
      cancellation: { reason: 'Supplier raised the cost', actorId: p.category.id },
    });
    expect(after.failure).toMatch(/Supplier raised the cost/);
    expect((await h.db.priceChange.findUniqueOrThrow({ where: { id } })).status).toBe('cancelled');
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: id } })).status).toBe('CANCELLED');
    expect(await inbox(p.category.apiKey, id)).toEqual([]);
    expect(simulatorPushes(s.sku)).toEqual([]);
    expect(Number((await h.db.product.findUniqueOrThrow({ where: { sku: s.sku } })).price)).toBe(100);

    expectProblem(await cancel(id, p.category.apiKey, { reason: 'again please' }), 409, 'not-running');
    expectProblem(await decide(id, p.category2.apiKey, { decision: 'approve' }), 409, 'nothing-pending');
    const next = await start(s);
    await stop(next.id);
  });

  test('approved automatically and waiting for its effective time: cancelled before it takes effect, nothing pushed', async () => {
    const s = await createPricingScenario(h.db);
    const effectiveAt = new Date(Date.now() + HOUR_MS).toISOString();
    // −2%: within the automatic approval limit.
    const { id } = await start(s, { newPrice: 98, effectiveAt }, s.people.regional.apiKey);
    const st = await stateWhen(s, id, (x) => x.stage === 'scheduled', 'scheduled');
    expect(st).toMatchObject({ tier: 'auto', approvedPrice: 97.99, pendingApproval: null, effectiveAt, pushed: [] });
    // The stage shows before the row is written.
    await eventually(async () => (await h.db.priceChange.findUniqueOrThrow({ where: { id } })).status === 'scheduled', 10_000, 'row scheduled');

    const res = await cancel(id, s.people.regional.apiKey, { reason: 'Promotion moved' });
    expect(res.status).toBe(202);
    const after = await stateWhen(s, id, (x) => x.status === 'cancelled', 'cancelled');
    expect(after).toMatchObject({ stage: 'cancelled', pushed: [], restored: [] });
    expect((await h.db.priceChange.findUniqueOrThrow({ where: { id } })).status).toBe('cancelled');
    expect(simulatorPushes(s.sku)).toEqual([]);
  });
});

test('the OpenAPI document has the price-change paths and start schema', async () => {
  const res = await request(app).get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining([BASE, `${BASE}/{id}`, `${BASE}/{id}/decisions`, `${BASE}/{id}/cancel`]));
  const startOp = res.body.paths[BASE].post;
  expect(startOp.requestBody.content['application/json'].schema).toBeDefined();
  expect(res.body.components.schemas.PriceChangeStart.properties).toEqual(
    expect.objectContaining({
      sku: expect.anything(),
      storeIds: expect.anything(),
      newPrice: expect.anything(),
      reason: expect.anything(),
      effectiveAt: expect.anything(),
      endsAt: expect.anything(),
    }),
  );
  const decisionProps = res.body.paths[`${BASE}/{id}/decisions`].post.requestBody.content['application/json'].schema;
  expect(JSON.stringify(decisionProps)).toContain('counterPrice');
});
