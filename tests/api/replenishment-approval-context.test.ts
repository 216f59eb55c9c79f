/**
 * What a purchase order's approver sees (issue 14 §1): a real replenishment brought to its pending
 * approvals through the real Express app and worker; GET /replenishments/{id} and the inbox row
 * explain every line from the rationale in Postgres, carry 8 weeks of sales, totals, tier and why,
 * show a first-level approval at once, and validate against the OpenAPI document.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { responseErrors, untypedParts } from '../support/openapi-validate';
import { createReplenishmentScenario, PACK_SIZE, UNITS_PER_SKU } from '../support/replenishment-fixtures';

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

type Why = Record<string, any> & { sentence: string };
type Line = { sku: string; quantity: number; lineValue: number; why: Why | null; salesLast8Weeks: { weekStart: string; units: number }[] };
type Po = { id: string; tier: string; tierReason: string; approvedBy: string[]; approvalSteps: { level: number; actorId: string }[]; lines: Line[] };

test('each pending purchase order explains its lines, sales, totals and tier; a first-level approval shows at once; state and inbox match the OpenAPI document', async () => {
  const s = await createReplenishmentScenario(h.db);
  const started = await request(app).post(BASE).set(auth(s.people.system.apiKey)).send({ storeId: s.storeId, asOf: s.asOf });
  expect(started.status).toBe(201);
  const id = started.body.id as string;

  const st = await eventually(
    async () => {
      const res = await request(app).get(`${BASE}/${id}?include=context`).set(auth(s.people.ops.apiKey));
      return res.status === 200 && res.body.pendingApprovals?.length === 2 ? res : undefined;
    },
    30_000,
    'two purchase orders awaiting approval',
  );
  expect(responseErrors('get', `${BASE}/{id}`, 200, st.body)).toEqual([]);

  // Without include=context: the purchase orders as the workflow keeps them, none of what is read from Postgres.
  const plainRead = await request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
  expect(plainRead.status).toBe(200);
  expect(responseErrors('get', `${BASE}/{id}`, 200, plainRead.body)).toEqual([]);
  expect((plainRead.body.purchaseOrders as Po[]).map((p) => p.id).sort()).toEqual((st.body.purchaseOrders as Po[]).map((p) => p.id).sort());
  for (const po of plainRead.body.purchaseOrders as Po[]) {
    expect(po).not.toHaveProperty('tierReason');
    expect(po).not.toHaveProperty('approvalSteps');
    for (const line of po.lines) for (const part of ['productName', 'lineValue', 'why', 'salesLast8Weeks']) expect(line).not.toHaveProperty(part);
  }

  const pos = st.body.purchaseOrders as Po[];
  const regional = pos.find((p) => p.id === s.suppliers.regional!.purchaseOrderId)!;
  const store = pos.find((p) => p.id === s.suppliers.store!.purchaseOrderId)!;
  const auto = pos.find((p) => p.id === s.suppliers.auto!.purchaseOrderId)!;
  expect(auto.approvedBy).toEqual(['system:auto']);
  expect(auto.tierReason).toBe('Worth $600.00, not above $2500.00: approved automatically.');
  expect(store.tierReason).toBe('Worth $3000.00, above $2500.00 and not above $10000.00: the store manager approves.');
  expect(regional.tierReason).toBe('Worth $12000.00, above $10000.00: the store manager and then the regional manager approve.');

  // The fixture's SKUs sell 10 a day with no spread, nothing on hand, 5-day lead time + 1-day review.
  for (const line of regional.lines) {
    expect(line.quantity).toBe(UNITS_PER_SKU);
    expect(line.lineValue).toBe(UNITS_PER_SKU * 100);
    expect(line.why).toMatchObject({
      leadTimeDays: 5,
      reviewPeriodDays: 1,
      coverDays: 6,
      forecastOverCover: 60,
      demandOverLeadTime: 50,
      forecastStd: 0,
      serviceLevel: expect.any(Number),
      z: expect.any(Number),
      safetyStock: 0,
      reorderPoint: 60,
      orderUpTo: 60,
      onHand: 0,
      reserved: 0,
      onOrder: 0,
      inventoryPosition: 0,
      need: 60,
      packSize: PACK_SIZE,
      packs: UNITS_PER_SKU / PACK_SIZE,
      plannedQuantity: UNITS_PER_SKU,
      quantity: UNITS_PER_SKU,
      unitCost: 100,
      lineValue: 6000,
    });
    expect(line.why!.z).toBeGreaterThan(1);
    expect(line.why!.forecastMethod).toEqual(expect.any(String));
    expect(line.why!.model === null || (typeof line.why!.model.name === 'string' && line.why!.model.version >= 1)).toBe(true);
    expect(line.why!.sentence).toMatch(
      /^Forecast 60 over 6 days \(σ 0\) \+ safety stock 0 for \d+(\.\d+)?% → order-up-to 60; on hand 0, on order 0 → need 60, ordering 10 packs of 6 = 60$/,
    );
    expect(line.why!.reasons.length).toBeGreaterThan(3);
    // 8 whole weeks before the planning day, 10 units a day.
    expect(line.salesLast8Weeks).toHaveLength(8);
    expect(line.salesLast8Weeks.map((w) => w.units)).toEqual(new Array(8).fill(70));
    expect(Date.parse(`${line.salesLast8Weeks[7]!.weekStart}T00:00:00Z`)).toBe(Date.parse(`${s.asOf}T00:00:00Z`) - 7 * 86_400_000);
  }

  // The inbox row of the regional PO carries the same context, typed.
  const inbox = await request(app).get('/api/v1/approvals?status=pending').set(auth(s.people.manager.apiKey));
  expect(inbox.status).toBe(200);
  expect(responseErrors('get', '/api/v1/approvals', 200, inbox.body)).toEqual([]);
  const row = (inbox.body.items as { subjectId: string; details: any }[]).find((i) => i.subjectId === regional.id)!;
  expect(row.details.purchaseOrder).toMatchObject({
    purchaseOrderId: regional.id,
    supplierId: s.suppliers.regional!.supplierId,
    tier: 'store_and_regional',
    tierReason: regional.tierReason,
    planningDay: s.asOf,
    totals: { lines: 2, units: 2 * UNITS_PER_SKU, plannedValue: 12000, value: 12000 },
    approvedBy: [],
  });
  expect(row.details.purchaseOrder.lines.map((l: Line) => l.why!.sentence)).toEqual(regional.lines.map((l) => l.why!.sentence));

  // The store manager approves the first level: approvedBy shows it while the regional manager decides.
  const decided = await request(app)
    .post(`${BASE}/${id}/decisions`)
    .set(auth(s.people.manager.apiKey))
    .send({ decision: 'approve', purchaseOrderId: regional.id });
  expect(decided.status).toBe(200);
  expect(responseErrors('post', `${BASE}/{id}/decisions`, 200, decided.body)).toEqual([]);
  const after = await eventually(
    async () => {
      const res = await request(app).get(`${BASE}/${id}?include=context`).set(auth(s.people.ops.apiKey));
      const po = (res.body.purchaseOrders as Po[]).find((p) => p.id === regional.id)!;
      return res.body.pendingApprovals.some((p: { subjectId: string; level: number }) => p.subjectId === regional.id && p.level === 2) ? po : undefined;
    },
    15_000,
    'the regional PO at its second level',
  );
  expect(after.approvedBy).toEqual([s.people.manager.id]);
  const inboxRegional = await request(app).get('/api/v1/approvals?status=pending').set(auth(s.people.regional.apiKey));
  const regionalRow = (inboxRegional.body.items as { subjectId: string; details: any }[]).find((i) => i.subjectId === regional.id)!;
  expect(regionalRow.details.purchaseOrder.approvedBy).toEqual([s.people.manager.id]);
  expect(regionalRow.details.purchaseOrder.approvalSteps).toMatchObject([{ level: 1, decision: 'approve', actorId: s.people.manager.id }]);
  const stateAfter = await request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
  expect(responseErrors('get', `${BASE}/{id}`, 200, stateAfter.body)).toEqual([]);
});

test('the ReplenishmentState schema types every part (no open objects or untyped values)', () => {
  expect(untypedParts('ReplenishmentState')).toEqual([]);
});
