/**
 * The replenishment resource through the real Express app and a real worker: start (idempotent
 * per store and day), state, list, decisions by value tier (with quantity edits), supplier
 * events, the approval inbox and cancellation, with every role and scope check on the way.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import type { PurchaseOrderState, ReplenishmentState } from '../../workflows/replenishment/messages';
import { createStoreScenario } from '../../scripts/kit/fixtures';
import { auth, expectProblem, fields } from '../support/api';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createReplenishmentScenario, isoDayAgo, PACK_SIZE, UNITS_PER_SKU, type ReplenishmentScenario, type TierKey } from '../support/replenishment-fixtures';

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

const BASE = '/api/v1/replenishments';

type ApiState = ReplenishmentState & { id: string; workflowId: string; runId: string; status: string; result: unknown };
type Started = { id: string; workflowId: string; runId: string; status: string };
type InboxItem = {
  process: string;
  processId: string;
  subjectId: string;
  level: number;
  levelCount: number;
  canDecide: boolean;
  decideUrl: string;
  storeId: string | null;
};

async function start(s: ReplenishmentScenario, key = s.people.system.apiKey): Promise<Started> {
  const res = await request(app).post(BASE).set(auth(key)).send({ storeId: s.storeId, asOf: s.asOf });
  expect(res.status).toBe(201);
  return res.body as Started;
}

async function getState(id: string, key: string): Promise<ApiState> {
  const res = await request(app).get(`${BASE}/${id}`).set(auth(key));
  if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ApiState;
}

async function stateWhen(s: ReplenishmentScenario, id: string, ok: (st: ApiState) => boolean, what: string, timeoutMs = 30_000): Promise<ApiState> {
  return eventually(
    async () => {
      const st = await getState(id, s.people.ops.apiKey);
      return ok(st) ? st : undefined;
    },
    timeoutMs,
    what,
  );
}

const poOf = (st: ReplenishmentState, s: ReplenishmentScenario, tier: TierKey): PurchaseOrderState => {
  const po = st.purchaseOrders.find((p) => p.id === s.suppliers[tier]!.purchaseOrderId);
  if (!po) throw new Error(`no ${tier} purchase order in state`);
  return po;
};

const decide = (id: string, key: string, body: object) => request(app).post(`${BASE}/${id}/decisions`).set(auth(key)).send(body);
const supplierEvent = (id: string, key: string, body: object) => request(app).post(`${BASE}/${id}/supplier-events`).set(auth(key)).send(body);
const inbox = async (key: string, processId: string): Promise<InboxItem[]> => {
  const res = await request(app).get('/api/v1/approvals?status=pending').set(auth(key));
  expect(res.status).toBe(200);
  return (res.body.items as InboxItem[]).filter((i) => i.processId === processId);
};
const stock = (s: ReplenishmentScenario, sku: string) => h.db.inventoryLevel.findUniqueOrThrow({ where: { storeId_sku: { storeId: s.storeId, sku } } });

describe('starting a replenishment', () => {
  test('201 with the business-key id, the same store and day again is 200 with the same run; state from the query', async () => {
    const s = await createReplenishmentScenario(h.db);
    const res = await request(app).post(BASE).set(auth(s.people.system.apiKey)).send({ storeId: s.storeId, asOf: s.asOf });
    expect(res.status).toBe(201);
    const id = `replenishment-${s.storeId}-${s.asOf}`;
    expect(res.body).toEqual({ id, workflowId: id, runId: expect.any(String), status: 'running' });
    expect(res.headers.location).toBe(`${BASE}/${id}`);

    const again = await request(app).post(BASE).set(auth(s.people.system.apiKey)).send({ storeId: s.storeId, asOf: s.asOf });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    // A store manager of the store starting the same day gets the same run too.
    const byManager = await request(app).post(BASE).set(auth(s.people.manager.apiKey)).send({ storeId: s.storeId, asOf: s.asOf });
    expect(byManager.status).toBe(200);
    expect(byManager.body.runId).toBe(res.body.runId);

    const st = await stateWhen(
      s,
      id,
      (x) => x.pendingApprovals.length === 2 && poOf(x, s, 'auto').stage === 'awaiting_acknowledgment',
      'two approvals pending, auto PO sent',
    );
    expect(st).toMatchObject({
      id,
      workflowId: id,
      runId: res.body.runId,
      status: 'running',
      stage: 'awaiting_approval',
      storeId: s.storeId,
      regionId: s.regionId,
      asOf: s.asOf,
      result: null,
    });
    expect(st.planning).toMatchObject({ skusTotal: 5, skusExamined: 5, linesPlanned: 5 });
    expect(poOf(st, s, 'auto')).toMatchObject({ tier: 'auto', totalValue: s.suppliers.auto!.value, approvedBy: ['system:auto'], lineCount: 1 });
    expect(poOf(st, s, 'store')).toMatchObject({ tier: 'store_manager', stage: 'awaiting_approval', totalValue: 3000, lineCount: 2 });
    expect(poOf(st, s, 'regional')).toMatchObject({ tier: 'store_and_regional', stage: 'awaiting_approval', totalValue: 12000, lineCount: 2 });
    expect(
      poOf(st, s, 'store')
        .lines.map((l) => l.sku)
        .sort(),
    ).toEqual([...s.suppliers.store!.skus].sort());
    for (const line of poOf(st, s, 'regional').lines)
      expect(line).toMatchObject({ quantity: UNITS_PER_SKU, plannedQuantity: UNITS_PER_SKU, packSize: PACK_SIZE, unitCost: 100, received: 0 });
    expect(st.pendingApprovals.map((p) => p.subjectId).sort()).toEqual([s.suppliers.regional!.purchaseOrderId, s.suppliers.store!.purchaseOrderId].sort());
    const storeApproval = st.pendingApprovals.find((p) => p.subjectId === s.suppliers.store!.purchaseOrderId)!;
    expect(storeApproval).toMatchObject({
      subjectType: 'purchase_order',
      level: 1,
      levelCount: 1,
      approvers: [{ role: 'store_manager', scope: { storeId: s.storeId, regionId: s.regionId } }],
    });
    expect(Date.parse(storeApproval.dueAt)).toBeGreaterThan(Date.now());
    expect(st.pendingApprovals.find((p) => p.subjectId === s.suppliers.regional!.purchaseOrderId)).toMatchObject({ level: 1, levelCount: 2 });
    expect(st.pendingApproval).toEqual(st.pendingApprovals[0]);
    expect(st.totals).toEqual({ purchaseOrders: 3, lines: 5, value: 600 + 3000 + 12000, byStage: { awaiting_acknowledgment: 1, awaiting_approval: 2 } });
    expect(st.decisions).toEqual([]);

    // Readable by the store's managers and its region's, not by another store's manager.
    expect((await request(app).get(`${BASE}/${id}`).set(auth(s.people.manager.apiKey))).status).toBe(200);
    expect((await request(app).get(`${BASE}/${id}`).set(auth(s.people.regional.apiKey))).status).toBe(200);
    expectProblem(await request(app).get(`${BASE}/${id}`).set(auth(s.people.otherStore.apiKey)), 403, 'forbidden');
    expectProblem(await request(app).get(`${BASE}/${id}`).set(auth(s.people.otherRegion.apiKey)), 403, 'forbidden');
    expectProblem(await request(app).get(`${BASE}/replenishment-${s.storeId}-1999-01-01`).set(auth(s.people.ops.apiKey)), 404, 'not-found');
    // A replenishment is not an appointment recovery.
    expectProblem(await request(app).get(`/api/v1/appointment-recoveries/${id}`).set(auth(s.people.ops.apiKey)), 404, 'not-found');
  });

  test('bad input names the fields; unknown store 404; roles and stores that may not start 403', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const key = s.people.system.apiKey;
    const post = (body: object, k = key) => request(app).post(BASE).set(auth(k)).send(body);

    const missing = await post({});
    expectProblem(missing, 400, 'validation-error');
    expect(fields(missing)).toEqual(['body.storeId']);

    const notADay = await post({ storeId: s.storeId, asOf: '2026-02-30' });
    expectProblem(notADay, 400, 'validation-error');
    expect(fields(notADay)).toEqual(['body.asOf']);

    const notAFormat = await post({ storeId: s.storeId, asOf: '24/11/2026' });
    expectProblem(notAFormat, 400, 'validation-error');
    expect(new Set(fields(notAFormat))).toEqual(new Set(['body.asOf']));

    const future = await post({ storeId: s.storeId, asOf: isoDayAgo(-2) });
    expectProblem(future, 400, 'validation-error');
    expect(fields(future)).toEqual(['body.asOf']);
    expect(future.body.errors[0].message).toMatch(/after the store's today/);

    const ancient = await post({ storeId: s.storeId, asOf: isoDayAgo(400) });
    expectProblem(ancient, 400, 'validation-error');
    expect(fields(ancient)).toEqual(['body.asOf']);
    expect(ancient.body.errors[0].message).toMatch(/year/);

    const extra = await post({ storeId: s.storeId, asOf: s.asOf, colour: 'red' });
    expectProblem(extra, 400, 'validation-error');
    expect(fields(extra)).toEqual(['body']);

    const several = await post({ storeId: 'not a store!', asOf: '2026-13-01', timing: { escalateAfterMs: 5, sideways: 1 }, batchSize: 1 });
    expectProblem(several, 400, 'validation-error');
    expect(fields(several)).toEqual(['body.asOf', 'body.batchSize', 'body.storeId', 'body.timing', 'body.timing.escalateAfterMs']);

    expectProblem(await post({ storeId: `NOPE-${s.suffix}`, asOf: s.asOf }), 404, 'not-found');

    const ops = await post({ storeId: s.storeId, asOf: s.asOf }, s.people.ops.apiKey);
    expectProblem(ops, 403, 'forbidden');
    expect(ops.body.detail).toMatch(/Role ops may not start replenishments/);
    expectProblem(await post({ storeId: s.storeId, asOf: s.asOf }, s.people.otherStore.apiKey), 403, 'forbidden');
    expectProblem(await post({ storeId: s.storeId, asOf: s.asOf }, s.people.otherRegion.apiKey), 403, 'forbidden');
    expectProblem(await request(app).post(BASE).send({ storeId: s.storeId, asOf: s.asOf }), 401, 'unauthenticated');

    // None of the refused calls started anything.
    expectProblem(await request(app).get(`${BASE}/replenishment-${s.storeId}-${s.asOf}`).set(auth(s.people.ops.apiKey)), 404, 'not-found');
    expect(await h.db.purchaseOrder.count({ where: { storeId: s.storeId } })).toBe(0);
  });

  test('a store manager of the store may start a run but not approve it (separation of duties); a fellow manager may', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const started = await start(s, s.people.manager.apiKey);
    const poId = s.suppliers.store!.purchaseOrderId;
    await stateWhen(s, started.id, (x) => x.pendingApprovals.length === 1, 'approval pending');

    const mine = await eventually(
      async () => {
        const items = await inbox(s.people.manager.apiKey, started.id);
        return items.length ? items : undefined;
      },
      10_000,
      'inbox item',
    );
    expect(mine).toEqual([expect.objectContaining({ subjectId: poId, canDecide: false })]);

    const self = await decide(started.id, s.people.manager.apiKey, { decision: 'approve', purchaseOrderId: poId });
    expectProblem(self, 403, 'forbidden');
    expect(self.body.detail).toMatch(/requested/);

    const other = await decide(started.id, s.people.manager2.apiKey, { decision: 'approve', purchaseOrderId: poId });
    expect(other.status).toBe(200);
    expect(other.body.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: s.people.manager2.id, subjectId: poId, level: 1 })]);
    const st = await stateWhen(s, started.id, (x) => poOf(x, s, 'store').stage === 'awaiting_acknowledgment', 'store PO sent');
    expect(st).toMatchObject({ stage: 'ordering', pendingApproval: null, pendingApprovals: [] });
    expect(poOf(st, s, 'store').approvedBy).toEqual([s.people.manager2.id]);
    expect(await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: poId } })).toMatchObject({ status: 'SENT', approvalTier: 'store_manager' });
  });
});

describe('listing', () => {
  test('through Temporal visibility, filtered by status and store, within the caller’s scope', async () => {
    const s1 = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const s2 = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const r1 = await start(s1);
    const r2 = await start(s2);

    const listed = await eventually(
      async () => {
        const res = await request(app).get(`${BASE}?status=running&storeId=${s1.storeId}`).set(auth(s1.people.manager.apiKey));
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        const item = res.body.items?.find((i: { id: string }) => i.id === r1.id);
        return item?.stage === 'awaiting_approval' && item.approvalPending ? res : undefined;
      },
      30_000,
      'visibility of the run awaiting approval',
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: r1.id,
        workflowId: r1.id,
        runId: r1.runId,
        status: 'running',
        stage: 'awaiting_approval',
        storeId: s1.storeId,
        approvalPending: true,
        approverRoles: ['store_manager'],
        closedAt: null,
      }),
    ]);
    expect(listed.body).toHaveProperty('nextPageToken');

    // Without a store filter a store manager sees their store only; ops see every store.
    const mine = await request(app).get(`${BASE}?status=running`).set(auth(s1.people.manager.apiKey));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(r1.id);
    expect(mine.body.items.every((i: { storeId: string }) => i.storeId === s1.storeId)).toBe(true);
    const opsList = await eventually(
      async () => {
        const res = await request(app).get(`${BASE}?storeId=${s2.storeId}`).set(auth(s1.people.ops.apiKey));
        return res.body.items?.some((i: { id: string }) => i.id === r2.id) ? res : undefined;
      },
      30_000,
      'visibility of the second run',
    );
    expect(opsList.body.items.map((i: { id: string }) => i.id)).toEqual([r2.id]);

    const completed = await request(app).get(`${BASE}?status=completed&storeId=${s1.storeId}`).set(auth(s1.people.manager.apiKey));
    expect(completed.status).toBe(200);
    expect(completed.body.items).toEqual([]);

    expectProblem(await request(app).get(`${BASE}?storeId=${s1.storeId}`).set(auth(s1.people.otherStore.apiKey)), 403, 'forbidden');
    expectProblem(await request(app).get(`${BASE}?storeId=${s2.storeId}`).set(auth(s1.people.manager.apiKey)), 403, 'forbidden');
    expectProblem(await request(app).get(`${BASE}?status=sideways`).set(auth(s1.people.ops.apiKey)), 400, 'validation-error');
  });

  test('an appointment-recovery id is not a replenishment', async () => {
    const a = await createStoreScenario(h.db);
    const res = await request(app).post('/api/v1/appointment-recoveries').set(auth(a.managers.system.apiKey)).send({ appointmentId: a.appointmentId });
    expect(res.status).toBe(201);
    try {
      expect((await request(app).get(`/api/v1/appointment-recoveries/${res.body.id}`).set(auth(a.managers.ops.apiKey))).status).toBe(200);
      expectProblem(await request(app).get(`${BASE}/${res.body.id}`).set(auth(a.managers.ops.apiKey)), 404, 'not-found');
      expectProblem(await decide(res.body.id, a.managers.primary.apiKey, { decision: 'approve' }), 404, 'not-found');
    } finally {
      await h.client.workflow.getHandle(res.body.id).cancel();
    }
  });
});

describe('decisions', () => {
  test('store-tier PO: who may decide, edited quantities checked, a valid edit approved, sent and audited; then 409', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const { id } = await start(s);
    const sup = s.suppliers.store!;
    const poId = sup.purchaseOrderId;
    const [sku1, sku2] = sup.skus as [string, string];
    await stateWhen(s, id, (x) => x.pendingApprovals.length === 1, 'approval pending');
    const p = s.people;

    expectProblem(await decide(id, p.ops.apiKey, { decision: 'approve', purchaseOrderId: poId }), 403, 'forbidden');
    expectProblem(await decide(id, p.system.apiKey, { decision: 'approve', purchaseOrderId: poId }), 403, 'forbidden');
    const regional = await decide(id, p.regional.apiKey, { decision: 'approve', purchaseOrderId: poId });
    expectProblem(regional, 403, 'forbidden');
    expect(regional.body.detail).toMatch(/store_manager/);
    expectProblem(await decide(id, p.otherStore.apiKey, { decision: 'approve', purchaseOrderId: poId }), 403, 'forbidden');
    expectProblem(await decide(id, p.otherRegion.apiKey, { decision: 'approve', purchaseOrderId: poId }), 403, 'forbidden');
    expectProblem(await decide(`replenishment-${s.storeId}-1999-01-01`, p.manager.apiKey, { decision: 'approve', purchaseOrderId: poId }), 404, 'not-found');

    const schema = await decide(id, p.manager.apiKey, { decision: 'maybe', purchaseOrderId: 7, colour: 'red' });
    expectProblem(schema, 400, 'validation-error');
    expect(fields(schema)).toEqual(['body', 'body.decision', 'body.purchaseOrderId']);

    const rejectBare = await decide(id, p.manager.apiKey, { decision: 'reject', purchaseOrderId: poId });
    expectProblem(rejectBare, 400, 'validation-error');
    expect(rejectBare.body.detail).toMatch(/comment is required to reject/);
    expectProblem(await decide(id, p.manager.apiKey, { decision: 'reject', purchaseOrderId: poId, comment: '   ' }), 400, 'validation-error');

    const edit = (lines: object[]) => decide(id, p.manager.apiKey, { decision: 'approve', purchaseOrderId: poId, comment: 'Half the first line', lines });
    const noComment = await decide(id, p.manager.apiKey, { decision: 'approve', purchaseOrderId: poId, lines: [{ sku: sku1, quantity: 30 }] });
    expectProblem(noComment, 400, 'validation-error');
    expect(noComment.body.detail).toMatch(/comment is required/);
    const notPacks = await edit([{ sku: sku1, quantity: 33 }]);
    expectProblem(notPacks, 400, 'validation-error');
    expect(notPacks.body.detail).toMatch(/lines\[0\]\.quantity: must be whole packs of 6 \(got 33\)/);
    expect(fields(notPacks)).toEqual(['body.lines[0].quantity']);
    const unknownSku = await edit([
      { sku: sku1, quantity: 30 },
      { sku: `NOPE-${s.suffix}`, quantity: 6 },
    ]);
    expectProblem(unknownSku, 400, 'validation-error');
    expect(unknownSku.body.detail).toMatch(/lines\[1\]\.sku: NOPE-\S+ is not on this purchase order/);
    expect(fields(unknownSku)).toEqual(['body.lines[1].sku']);
    const unknownPo = await decide(id, p.manager.apiKey, { decision: 'approve', purchaseOrderId: `PO-NOPE-${s.suffix}` });
    expectProblem(unknownPo, 404, 'not-found');
    expect(unknownPo.body.detail).toContain(poId);
    const negative = await edit([{ sku: sku1, quantity: -6 }]);
    expectProblem(negative, 400, 'validation-error');
    expect(fields(negative)).toEqual(['body.lines.0.quantity']);
    const fraction = await edit([
      { sku: sku1, quantity: 6.5 },
      { sku: sku2, quantity: '12' },
    ]);
    expectProblem(fraction, 400, 'validation-error');
    expect(fields(fraction)).toEqual(['body.lines.0.quantity', 'body.lines.1.quantity']);
    const absurd = await edit([{ sku: sku1, quantity: 6000 }]);
    expectProblem(absurd, 400, 'validation-error');
    expect(absurd.body.detail).toMatch(/6000 is more than 600/);
    const twice = await edit([
      { sku: sku1, quantity: 30 },
      { sku: sku1, quantity: 36 },
    ]);
    expectProblem(twice, 400, 'validation-error');
    expect(twice.body.detail).toMatch(/edited twice/);
    const nothingLeft = await edit([
      { sku: sku1, quantity: 0 },
      { sku: sku2, quantity: 0 },
    ]);
    expectProblem(nothingLeft, 400, 'validation-error');
    expect(nothingLeft.body.detail).toMatch(/reject the purchase order instead/);
    expectProblem(await edit([]), 400, 'validation-error');

    // Nothing of the refused decisions stuck.
    const still = await getState(id, p.ops.apiKey);
    expect(still.decisions).toEqual([]);
    expect(poOf(still, s, 'store')).toMatchObject({ stage: 'awaiting_approval', totalValue: 3000 });

    const approved = await edit([{ sku: sku1, quantity: 30 }]);
    expect(approved.status).toBe(200);
    expect(approved.body.decisions).toEqual([
      expect.objectContaining({
        decision: 'approve',
        actorId: p.manager.id,
        comment: 'Half the first line',
        subjectId: poId,
        payload: { lines: [{ sku: sku1, quantity: 30 }] },
      }),
    ]);
    const shown = poOf(approved.body as ApiState, s, 'store');
    expect(shown.lines.find((l) => l.sku === sku1)).toMatchObject({ quantity: 30, plannedQuantity: UNITS_PER_SKU });
    expect(shown.lines.find((l) => l.sku === sku2)).toMatchObject({ quantity: UNITS_PER_SKU });
    expect(shown.totalValue).toBe(30 * 25 + 60 * 25);

    const sent = await stateWhen(s, id, (x) => poOf(x, s, 'store').stage === 'awaiting_acknowledgment', 'edited PO sent');
    expect(sent).toMatchObject({ stage: 'ordering', pendingApprovals: [] });
    expect(sent.totals.value).toBe(2250);
    expect(poOf(sent, s, 'store').approvedBy).toEqual([p.manager.id]);

    const dbPo = await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: poId }, include: { lines: { orderBy: { sku: 'asc' } } } });
    expect(dbPo.status).toBe('SENT');
    expect(Number(dbPo.totalValue)).toBe(2250);
    expect(dbPo.lines.map((l) => [l.sku, l.quantity, l.plannedQuantity])).toEqual(
      [
        [sku1, 30, 60],
        [sku2, 60, 60],
      ].sort(),
    );
    expect((await stock(s, sku1)).onOrder).toBe(30);
    expect((await stock(s, sku2)).onOrder).toBe(60);
    const audits = await h.db.auditEvent.findMany({ where: { entityId: poId, action: 'purchase_order.quantities_edited' } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorId: p.manager.id,
      workflowId: id,
      details: { changes: [{ sku: sku1, before: 60, after: 30 }], totalBefore: 3000, totalAfter: 2250 },
    });

    const late = await decide(id, p.manager2.apiKey, { decision: 'reject', purchaseOrderId: poId, comment: 'Too late' });
    expectProblem(late, 409, 'already-decided');
    const nothing = await decide(id, p.manager2.apiKey, { decision: 'approve' });
    expectProblem(nothing, 409, 'nothing-pending');
  });

  test('reject needs a comment; with one the PO is rejected and, being the only one, the run completes', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const { id } = await start(s);
    const poId = s.suppliers.store!.purchaseOrderId;
    await stateWhen(s, id, (x) => x.pendingApprovals.length === 1, 'approval pending');

    expectProblem(await decide(id, s.people.manager.apiKey, { decision: 'reject', purchaseOrderId: poId }), 400, 'validation-error');
    const res = await decide(id, s.people.manager.apiKey, { decision: 'reject', purchaseOrderId: poId, comment: 'Overstocked after the sale' });
    expect(res.status).toBe(200);
    expect(res.body.decisions).toEqual([
      expect.objectContaining({ decision: 'reject', actorId: s.people.manager.id, comment: 'Overstocked after the sale', subjectId: poId }),
    ]);

    const done = await stateWhen(s, id, (x) => x.status === 'completed', 'run completed');
    expect(done).toMatchObject({ stage: 'completed', totals: { byStage: { rejected: 1 } } });
    expect(poOf(done, s, 'store').stage).toBe('rejected');
    expect((done.result as ReplenishmentState).stage).toBe('completed');
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: poId } })).status).toBe('REJECTED');
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: id, subjectId: poId } })).status).toBe('REJECTED');
    expectProblem(await decide(id, s.people.manager2.apiKey, { decision: 'approve', purchaseOrderId: poId }), 409, 'nothing-pending');
  });

  test('two-level PO and the inbox: store manager at level 1, then the regional manager at level 2', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store', 'regional'] });
    const { id } = await start(s);
    const storePo = s.suppliers.store!.purchaseOrderId;
    const regionalPo = s.suppliers.regional!.purchaseOrderId;
    const p = s.people;
    await stateWhen(s, id, (x) => x.pendingApprovals.length === 2, 'two approvals pending');

    const managerItems = await eventually(
      async () => {
        const items = await inbox(p.manager.apiKey, id);
        return items.length === 2 ? items : undefined;
      },
      10_000,
      'two inbox items',
    );
    expect(managerItems.map((i) => i.subjectId).sort()).toEqual([regionalPo, storePo].sort());
    for (const item of managerItems) {
      expect(item).toMatchObject({
        process: 'replenishments',
        processId: id,
        level: 1,
        canDecide: true,
        storeId: s.storeId,
        decideUrl: `${BASE}/${id}/decisions`,
      });
    }
    expect(managerItems.find((i) => i.subjectId === regionalPo)).toMatchObject({ levelCount: 2 });
    expect(await inbox(p.regional.apiKey, id)).toEqual([]);
    expect(await inbox(p.otherStore.apiKey, id)).toEqual([]);
    expect(await inbox(p.otherRegion.apiKey, id)).toEqual([]);
    expect(await inbox(p.system.apiKey, id)).toEqual([]);
    const opsItems = await inbox(p.ops.apiKey, id);
    expect(opsItems).toHaveLength(2);
    expect(opsItems.every((i) => i.canDecide === false)).toBe(true);

    // Two pending: the decision has to name its purchase order.
    const unnamed = await decide(id, p.manager.apiKey, { decision: 'approve' });
    expectProblem(unnamed, 400, 'validation-error');
    expect(unnamed.body.detail).toMatch(/Several approvals are pending/);

    expectProblem(await decide(id, p.regional.apiKey, { decision: 'approve', purchaseOrderId: regionalPo }), 403, 'forbidden');
    expect((await decide(id, p.manager.apiKey, { decision: 'approve', purchaseOrderId: regionalPo })).status).toBe(200);

    let st = await stateWhen(s, id, (x) => x.pendingApprovals.some((a) => a.subjectId === regionalPo && a.level === 2), 'level 2 open');
    const level2 = st.pendingApprovals.find((a) => a.subjectId === regionalPo)!;
    expect(level2.approvers).toEqual([{ role: 'regional_manager', scope: { storeId: s.storeId, regionId: s.regionId } }]);
    expect(poOf(st, s, 'regional').stage).toBe('awaiting_approval');

    const regionalItems = await eventually(
      async () => {
        const items = await inbox(p.regional.apiKey, id);
        return items.length ? items : undefined;
      },
      10_000,
      'regional inbox item',
    );
    expect(regionalItems).toEqual([expect.objectContaining({ process: 'replenishments', subjectId: regionalPo, level: 2, levelCount: 2, canDecide: true })]);
    expect((await inbox(p.manager.apiKey, id)).map((i) => i.subjectId)).toEqual([storePo]);

    // Level 2 belongs to the regional manager only: not the store managers, nor a regional manager of another region.
    expectProblem(await decide(id, p.manager2.apiKey, { decision: 'approve', purchaseOrderId: regionalPo }), 403, 'forbidden');
    expectProblem(await decide(id, p.otherRegion.apiKey, { decision: 'approve', purchaseOrderId: regionalPo }), 403, 'forbidden');
    const approved = await decide(id, p.regional.apiKey, { decision: 'approve', purchaseOrderId: regionalPo, comment: 'OK for the season' });
    expect(approved.status).toBe(200);
    expect(approved.body.decisions.filter((d: { subjectId: string }) => d.subjectId === regionalPo)).toEqual([
      expect.objectContaining({ level: 1, decision: 'approve', actorId: p.manager.id }),
      expect.objectContaining({ level: 2, decision: 'approve', actorId: p.regional.id, comment: 'OK for the season' }),
    ]);

    st = await stateWhen(s, id, (x) => poOf(x, s, 'regional').stage === 'awaiting_acknowledgment', 'regional PO sent');
    expect(poOf(st, s, 'regional').approvedBy).toEqual([p.manager.id, p.regional.id]);
    expect(poOf(st, s, 'store').stage).toBe('awaiting_approval');
    expect(st.stage).toBe('awaiting_approval');
    expect(await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: regionalPo } })).toMatchObject({ status: 'SENT', approvalTier: 'store_and_regional' });
    expectProblem(await decide(id, p.regional2.apiKey, { decision: 'approve', purchaseOrderId: regionalPo }), 409, 'already-decided');
    expect(await eventually(async () => ((await inbox(p.regional.apiKey, id)).length === 0 ? true : undefined), 10_000, 'regional inbox emptied')).toBe(true);
  });
});

describe('supplier events', () => {
  test('role system only; unknown PO 404, unsent PO 409, bad lines 400; ack, duplicate, partial and full receipt into stock; after completion', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto', 'store'] });
    const { id } = await start(s);
    const auto = s.suppliers.auto!;
    const store = s.suppliers.store!;
    const sku = auto.skus[0]!;
    const key = s.people.system.apiKey;
    const ev = (name: string) => `${s.suffix}-${name}`;
    await stateWhen(s, id, (x) => x.pendingApprovals.length === 1 && poOf(x, s, 'auto').stage === 'awaiting_acknowledgment', 'auto PO sent');
    expect(await stock(s, sku)).toMatchObject({ onHand: 0, onOrder: UNITS_PER_SKU });

    const ack = { eventId: ev('ack'), purchaseOrderId: auto.purchaseOrderId, type: 'acknowledged', supplierReference: 'SUPPLIER-REF-1' };
    expectProblem(await supplierEvent(id, s.people.manager.apiKey, ack), 403, 'forbidden');
    expectProblem(await supplierEvent(id, s.people.ops.apiKey, ack), 403, 'forbidden');
    expectProblem(await supplierEvent(`replenishment-${s.storeId}-1999-01-01`, key, ack), 404, 'not-found');
    expectProblem(await supplierEvent(id, key, { ...ack, purchaseOrderId: `PO-NOPE-${s.suffix}` }), 404, 'not-found');
    const unsent = await supplierEvent(id, key, { ...ack, purchaseOrderId: store.purchaseOrderId });
    expectProblem(unsent, 409, 'wrong-stage');
    expect(unsent.body.detail).toMatch(/has not been sent/);

    const unknownLine = await supplierEvent(id, key, {
      eventId: ev('bad-sku'),
      purchaseOrderId: auto.purchaseOrderId,
      type: 'received',
      lines: [{ sku: store.skus[0], quantityReceived: 6 }],
    });
    expectProblem(unknownLine, 400, 'validation-error');
    expect(fields(unknownLine)).toEqual(['body.lines[0].sku']);
    const tooMany = await supplierEvent(id, key, {
      eventId: ev('too-many'),
      purchaseOrderId: auto.purchaseOrderId,
      type: 'received',
      lines: [{ sku, quantityReceived: 54, quantityRejected: 12 }],
    });
    expectProblem(tooMany, 400, 'validation-error');
    expect(fields(tooMany)).toEqual(['body.lines[0]']);
    expect(tooMany.body.errors[0].message).toMatch(/66 is more than the 60 still outstanding/);
    const noLines = await supplierEvent(id, key, { eventId: ev('no-lines'), purchaseOrderId: auto.purchaseOrderId, type: 'received' });
    expectProblem(noLines, 400, 'validation-error');
    expect(fields(noLines)).toEqual(['body.lines']);
    const badType = await supplierEvent(id, key, { eventId: ev('bad-type'), purchaseOrderId: auto.purchaseOrderId, type: 'delivered', colour: 'red' });
    expectProblem(badType, 400, 'validation-error');
    expect(fields(badType)).toEqual(['body', 'body.type']);
    const badQty = await supplierEvent(id, key, {
      eventId: ev('bad-qty'),
      purchaseOrderId: auto.purchaseOrderId,
      type: 'received',
      lines: [{ sku, quantityReceived: -1 }],
    });
    expect(fields(badQty)).toEqual(['body.lines.0.quantityReceived']);
    expect(await stock(s, sku)).toMatchObject({ onHand: 0, onOrder: UNITS_PER_SKU });
    expect(await h.db.supplierEvent.count({ where: { purchaseOrderId: auto.purchaseOrderId } })).toBe(0);

    const first = await supplierEvent(id, key, ack);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ eventId: ack.eventId, duplicate: false, purchaseOrderId: auto.purchaseOrderId, purchaseOrderStage: 'acknowledged' });
    const repeat = await supplierEvent(id, key, ack);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ eventId: ack.eventId, duplicate: true, purchaseOrderId: auto.purchaseOrderId, purchaseOrderStage: 'acknowledged' });
    expectProblem(await supplierEvent(id, key, { ...ack, eventId: ev('ack-2') }), 409, 'wrong-stage');
    expect(await stock(s, sku)).toMatchObject({ onHand: 0, onOrder: UNITS_PER_SKU });
    expect(await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: auto.purchaseOrderId } })).toMatchObject({ status: 'ACKNOWLEDGED' });

    const partial = { eventId: ev('rcpt-1'), purchaseOrderId: auto.purchaseOrderId, type: 'received', lines: [{ sku, quantityReceived: 24 }] };
    // Delivered twice at once: booked once, the other copy answered as a duplicate.
    const both = await Promise.all([supplierEvent(id, key, partial), supplierEvent(id, key, partial)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.map((r) => r.body.duplicate).sort()).toEqual([false, true]);
    for (const r of both) expect(r.body).toMatchObject({ eventId: partial.eventId, purchaseOrderStage: 'partially_received' });
    expect(await stock(s, sku)).toMatchObject({ onHand: 24, onOrder: 36 });
    expect((await supplierEvent(id, key, partial)).body).toMatchObject({ duplicate: true, purchaseOrderStage: 'partially_received' });
    expect(await stock(s, sku)).toMatchObject({ onHand: 24, onOrder: 36 });
    const over = await supplierEvent(id, key, {
      eventId: ev('rcpt-over'),
      purchaseOrderId: auto.purchaseOrderId,
      type: 'received',
      lines: [{ sku, quantityReceived: 42 }],
    });
    expectProblem(over, 400, 'validation-error');
    expect(over.body.errors[0].message).toMatch(/42 is more than the 36 still outstanding/);

    const rest = await supplierEvent(id, key, {
      eventId: ev('rcpt-2'),
      purchaseOrderId: auto.purchaseOrderId,
      type: 'received',
      lines: [{ sku, quantityReceived: 36 }],
    });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ duplicate: false, purchaseOrderStage: 'received' });
    expect(await stock(s, sku)).toMatchObject({ onHand: UNITS_PER_SKU, onOrder: 0 });
    expect(await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: auto.purchaseOrderId } })).toMatchObject({
      status: 'RECEIVED',
      supplierReference: expect.any(String),
    });
    const st = await getState(id, s.people.ops.apiKey);
    expect(poOf(st, s, 'auto')).toMatchObject({ stage: 'received', lines: [expect.objectContaining({ sku, quantity: 60, received: 60 })] });
    expect(poOf(st, s, 'auto').events.map((e) => e.eventId)).toEqual([ev('ack'), ev('rcpt-1'), ev('rcpt-2')]);
    expectProblem(
      await supplierEvent(id, key, { eventId: ev('after-close'), purchaseOrderId: auto.purchaseOrderId, type: 'acknowledged' }),
      409,
      'wrong-stage',
    );

    // The store PO: approved, sent, received in full without an acknowledgment first; the run completes.
    expect((await decide(id, s.people.manager.apiKey, { decision: 'approve', purchaseOrderId: store.purchaseOrderId })).status).toBe(200);
    await stateWhen(s, id, (x) => poOf(x, s, 'store').stage === 'awaiting_acknowledgment', 'store PO sent');
    const full = {
      eventId: ev('store-rcpt'),
      purchaseOrderId: store.purchaseOrderId,
      type: 'received',
      lines: store.skus.map((k) => ({ sku: k, quantityReceived: UNITS_PER_SKU })),
    };
    expect((await supplierEvent(id, key, full)).body).toMatchObject({ duplicate: false, purchaseOrderStage: 'received' });
    const done = await stateWhen(s, id, (x) => x.status === 'completed', 'run completed');
    expect(done).toMatchObject({ stage: 'completed', totals: { byStage: { received: 2 } } });
    for (const row of await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId } })) expect(row).toMatchObject({ onHand: UNITS_PER_SKU, onOrder: 0 });

    // After the run: an event already booked is acknowledged as a duplicate, a new one is refused.
    const again = await supplierEvent(id, key, partial);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ eventId: partial.eventId, duplicate: true, purchaseOrderId: auto.purchaseOrderId, purchaseOrderStage: 'received' });
    expectProblem(await supplierEvent(id, key, { ...full, eventId: ev('store-rcpt-late') }), 409, 'closed');
    expectProblem(await supplierEvent(id, key, { ...ack, eventId: ev('late-unknown'), purchaseOrderId: `PO-NOPE-${s.suffix}` }), 404, 'not-found');
    expectProblem(await supplierEvent(id, s.people.manager.apiKey, partial), 403, 'forbidden');
    for (const row of await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId } })) expect(row).toMatchObject({ onHand: UNITS_PER_SKU, onOrder: 0 });
    expect(await h.db.supplierEvent.count({ where: { purchaseOrderId: { in: [auto.purchaseOrderId, store.purchaseOrderId] } } })).toBe(4);
  });
});

describe('cancellation', () => {
  test('cancel with a reason: 202, the run ends cancelled, its purchase orders are cancelled and their approvals withdrawn', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto', 'store', 'regional'] });
    const { id, runId } = await start(s);
    const p = s.people;
    await stateWhen(s, id, (x) => x.pendingApprovals.length === 2 && poOf(x, s, 'auto').stage === 'awaiting_acknowledgment', 'approvals pending, auto PO sent');
    const autoSku = s.suppliers.auto!.skus[0]!;
    expect((await stock(s, autoSku)).onOrder).toBe(UNITS_PER_SKU);

    const cancel = (key: string, body: object) => request(app).post(`${BASE}/${id}/cancel`).set(auth(key)).send(body);
    expectProblem(await cancel(p.manager.apiKey, {}), 400, 'validation-error');
    expectProblem(await cancel(p.ops.apiKey, { reason: 'Store closing for refit' }), 403, 'forbidden');
    expectProblem(await cancel(p.otherStore.apiKey, { reason: 'Store closing for refit' }), 403, 'forbidden');

    const res = await cancel(p.manager.apiKey, { reason: 'Store closing for refit' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id, workflowId: id, runId, status: 'running', cancellation: 'requested' });

    const after = await stateWhen(s, id, (x) => x.status === 'cancelled', 'cancelled');
    expect(after).toMatchObject({ stage: 'cancelled', cancellation: { reason: 'Store closing for refit', actorId: p.manager.id }, pendingApprovals: [] });
    expect(after.failure).toMatch(/Store closing for refit/);
    expect(after.purchaseOrders.map((po) => po.stage)).toEqual(['cancelled', 'cancelled', 'cancelled']);

    const pos = await h.db.purchaseOrder.findMany({ where: { workflowId: id }, orderBy: { id: 'asc' } });
    expect(pos.map((po) => [po.id, po.status])).toEqual(
      [s.suppliers.auto!.purchaseOrderId, s.suppliers.regional!.purchaseOrderId, s.suppliers.store!.purchaseOrderId].sort().map((poId) => [poId, 'CANCELLED']),
    );
    expect((await stock(s, autoSku)).onOrder).toBe(0);
    const approvals = await h.db.approvalRequest.findMany({ where: { workflowId: id } });
    expect(approvals.map((a) => a.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await inbox(p.manager.apiKey, id)).toEqual([]);

    expectProblem(await cancel(p.manager.apiKey, { reason: 'again please' }), 409, 'not-running');
    expectProblem(await decide(id, p.manager2.apiKey, { decision: 'approve', purchaseOrderId: s.suppliers.store!.purchaseOrderId }), 409, 'nothing-pending');
  });
});

test('the OpenAPI document has the replenishment paths, supplier events included', async () => {
  const res = await request(app).get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(Object.keys(res.body.paths)).toEqual(
    expect.arrayContaining([BASE, `${BASE}/{id}`, `${BASE}/{id}/decisions`, `${BASE}/{id}/cancel`, `${BASE}/{id}/supplier-events`]),
  );
  const op = res.body.paths[`${BASE}/{id}/supplier-events`].post;
  expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '408', '409', '413', '415', '429', '431', '503']);
  expect(op.requestBody.content['application/json'].schema).toBeDefined();
});
