import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Principal } from '../../domain/approval';
import type { SupplierEventInput } from '../../domain/purchase-orders';
import { startReplenishment } from '../../api/processes/replenishments/starter';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { replenishment } from '../../workflows/replenishment/workflow';
import { replenishmentStateQuery, supplierEventUpdate, type ReplenishmentState, type ReplenishmentTiming } from '../../workflows/replenishment/messages';
import type { Person } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { recordHistories } from '../support/histories';
import { createReplenishmentScenario, PACK_SIZE, UNITS_PER_SKU, type ReplenishmentScenario, type TierKey } from '../support/replenishment-fixtures';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

const finished: { name: string; workflowId: string }[] = [];

afterAll(async () => {
  try {
    if (process.env.RECORD_HISTORIES) await recordHistories(finished);
  } finally {
    await h?.close();
  }
});

type Handle = ReturnType<typeof h.client.workflow.getHandle<typeof replenishment>>;

const storeManager = (p: Person, s: ReplenishmentScenario): Principal => ({
  id: p.id,
  role: 'store_manager',
  allScopes: false,
  storeIds: [s.storeId],
  regionIds: [],
  categories: [],
});
const regionalManager = (p: Person, s: ReplenishmentScenario): Principal => ({
  id: p.id,
  role: 'regional_manager',
  allScopes: false,
  storeIds: [],
  regionIds: [s.regionId],
  categories: [],
});

async function start(s: ReplenishmentScenario, timing?: Partial<ReplenishmentTiming>): Promise<Handle> {
  const r = await startReplenishment(
    { client: h.client, db: h.db, taskQueue: h.taskQueue },
    { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test', timing },
  );
  return h.client.workflow.getHandle<typeof replenishment>(r.workflowId, r.runId);
}

async function stateWhen(handle: Handle, ok: (st: ReplenishmentState) => boolean, what: string, timeoutMs = 30_000): Promise<ReplenishmentState> {
  return eventually(
    async () => {
      const st = await handle.query(replenishmentStateQuery);
      return ok(st) ? st : undefined;
    },
    timeoutMs,
    what,
  );
}

const po = (st: ReplenishmentState, s: ReplenishmentScenario, tier: TierKey) => st.purchaseOrders.find((p) => p.id === s.suppliers[tier]!.purchaseOrderId)!;

function failureType(err: unknown): string | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}

function fullReceipt(s: ReplenishmentScenario, tier: TierKey, eventId: string): SupplierEventInput {
  const sup = s.suppliers[tier]!;
  return { eventId, purchaseOrderId: sup.purchaseOrderId, type: 'received', lines: sup.skus.map((sku) => ({ sku, quantityReceived: UNITS_PER_SKU })) };
}

describe('replenishment on the dev server', () => {
  test('tiers: auto-approved PO sent at once; store-manager PO and two-level PO approved; acknowledged and received into stock', async () => {
    const s = await createReplenishmentScenario(h.db);
    const handle = await start(s);
    const auto = s.suppliers.auto!;
    const store = s.suppliers.store!;
    const regional = s.suppliers.regional!;

    let st = await stateWhen(
      handle,
      (x) => x.pendingApprovals.length === 2 && po(x, s, 'auto')?.stage === 'awaiting_acknowledgment',
      'two approvals pending and the auto PO sent',
    );
    expect(st.planning).toMatchObject({ skusTotal: 5, skusExamined: 5, linesPlanned: 5 });
    expect(po(st, s, 'auto')).toMatchObject({ tier: 'auto', totalValue: auto.value, approvedBy: ['system:auto'] });
    expect(po(st, s, 'store')).toMatchObject({ tier: 'store_manager', stage: 'awaiting_approval', totalValue: store.value });
    expect(po(st, s, 'regional')).toMatchObject({ tier: 'store_and_regional', stage: 'awaiting_approval', totalValue: regional.value });
    for (const line of po(st, s, 'store').lines) expect(line).toMatchObject({ quantity: UNITS_PER_SKU, packSize: PACK_SIZE });
    const storeLine = await h.db.purchaseOrderLine.findFirstOrThrow({ where: { purchaseOrderId: store.purchaseOrderId } });
    expect((storeLine.rationale as { reasons: string[] }).reasons.join(' ')).toMatch(/reorder point 60/);

    // The auto PO reached the supplier once, with its idempotency key, and is on order.
    const supplierOrders = (await (await fetch(`${h.simulator.url}/suppliers/${auto.supplierId}/purchase-orders`)).json()) as {
      items: { purchaseOrderId: string }[];
    };
    expect(supplierOrders.items.map((o) => o.purchaseOrderId)).toEqual([auto.purchaseOrderId]);
    const autoStock = await h.db.inventoryLevel.findUniqueOrThrow({ where: { storeId_sku: { storeId: s.storeId, sku: auto.skus[0]! } } });
    expect(autoStock.onOrder).toBe(UNITS_PER_SKU);

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId: store.purchaseOrderId, actor: storeManager(s.people.manager, s) }] });
    await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', subjectId: regional.purchaseOrderId, actor: storeManager(s.people.manager, s) }],
    });
    st = await stateWhen(handle, (x) => x.pendingApprovals.length === 1 && x.pendingApprovals[0]!.level === 2, 'regional level open');
    expect(st.pendingApprovals[0]!.approvers.map((a) => a.role)).toEqual(['regional_manager']);
    await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', subjectId: regional.purchaseOrderId, actor: regionalManager(s.people.regional, s) }],
    });

    st = await stateWhen(handle, (x) => x.purchaseOrders.every((p) => p.stage === 'awaiting_acknowledgment'), 'every PO sent');
    for (const tier of ['auto', 'store', 'regional'] as const) {
      await handle.executeUpdate(supplierEventUpdate, {
        args: [{ eventId: `${s.suffix}-${tier}-ack`, purchaseOrderId: s.suppliers[tier]!.purchaseOrderId, type: 'acknowledged' }],
      });
      await handle.executeUpdate(supplierEventUpdate, { args: [fullReceipt(s, tier, `${s.suffix}-${tier}-rcpt`)] });
    }
    const result = await handle.result();
    finished.push({ name: 'replenishment-tiers', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.purchaseOrders.map((p) => p.stage)).toEqual(['received', 'received', 'received']);
    expect(po(result, s, 'regional').approvedBy).toEqual([s.people.manager.id, s.people.regional.id]);

    const stock = await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId } });
    for (const row of stock) expect(row).toMatchObject({ onHand: UNITS_PER_SKU, onOrder: 0 });
    const dbPos = await h.db.purchaseOrder.findMany({ where: { workflowId: handle.workflowId } });
    expect(dbPos.map((p) => p.status)).toEqual(['RECEIVED', 'RECEIVED', 'RECEIVED']);
    await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith('Replenishment'));
  });

  test('decisions are checked: role, store scope, unknown PO; the same level is not decided twice', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['regional'] });
    const handle = await start(s);
    const regional = s.suppliers.regional!;
    await stateWhen(handle, (x) => x.pendingApprovals.length === 1, 'pending');

    const attempt = (actor: Principal, subjectId = regional.purchaseOrderId) =>
      handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId, actor }] }).then(() => 'ok', failureType);
    expect(await attempt(regionalManager(s.people.regional, s))).toBe('NotAuthorized');
    expect(await attempt({ ...storeManager(s.people.otherStore, s), storeIds: ['S002'] })).toBe('NotAuthorized');
    expect(await attempt(storeManager(s.people.manager, s), 'PO-NOPE')).toBe('UnknownSubject');
    expect(await attempt(storeManager(s.people.manager, s))).toBe('ok');
    expect(await attempt(storeManager(s.people.manager, s))).toBe('NotAuthorized');
    await handle.cancel();
  });

  test('approve with edited quantities: the supplier gets the edited order; before and after audited', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const handle = await start(s);
    const store = s.suppliers.store!;
    await stateWhen(handle, (x) => x.pendingApprovals.length === 1, 'pending');
    const edit = (lines: { sku: string; quantity: number }[], comment?: string) =>
      handle
        .executeUpdate(decideUpdate, {
          args: [{ decision: 'approve', subjectId: store.purchaseOrderId, comment, actor: storeManager(s.people.manager, s), payload: { lines } }],
        })
        .then(() => 'ok', failureType);

    expect(await edit([{ sku: store.skus[0]!, quantity: 30 }])).toBe('InvalidDecision'); // an edit needs a comment
    expect(await edit([{ sku: store.skus[0]!, quantity: 31 }], 'packs')).toBe('InvalidDecision'); // packs of 6
    expect(await edit([{ sku: 'NOT-ON-PO', quantity: 6 }], 'unknown')).toBe('InvalidDecision');
    expect(await edit([{ sku: store.skus[0]!, quantity: 6000 }], 'absurd')).toBe('InvalidDecision');
    expect(await edit([{ sku: store.skus[0]!, quantity: 660 }], 'above the store manager ceiling')).toBe('InvalidDecision'); // 11,250 > 10,000
    expect(
      await edit(
        [
          { sku: store.skus[0]!, quantity: 30 },
          { sku: store.skus[1]!, quantity: 0 },
        ],
        'half of one, none of the other',
      ),
    ).toBe('ok');

    const st = await stateWhen(handle, (x) => po(x, s, 'store').stage === 'awaiting_acknowledgment', 'sent');
    expect(po(st, s, 'store').lines.map((l) => [l.quantity, l.plannedQuantity])).toEqual([
      [30, 60],
      [0, 60],
    ]);
    expect(po(st, s, 'store').totalValue).toBe(750);
    const orders = (await (await fetch(`${h.simulator.url}/suppliers/${store.supplierId}/purchase-orders`)).json()) as {
      items: { lines: { sku: string; quantity: number }[] }[];
    };
    expect(orders.items).toHaveLength(1);
    expect(orders.items[0]!.lines).toEqual([{ sku: store.skus[0], quantity: 30, unitCost: 25 }]);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { entityId: store.purchaseOrderId, action: 'purchase_order.quantities_edited' } });
    expect(audit.actorId).toBe(s.people.manager.id);
    expect(audit.details).toMatchObject({
      changes: [
        { sku: store.skus[0], before: 60, after: 30 },
        { sku: store.skus[1], before: 60, after: 0 },
      ],
      totalBefore: 3000,
      totalAfter: 750,
    });
    const stock = await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, orderBy: { sku: 'asc' } });
    expect(stock.map((r) => r.onOrder)).toEqual([30, 0]);
    await handle.executeUpdate(supplierEventUpdate, { args: [{ eventId: `${s.suffix}-ack`, purchaseOrderId: store.purchaseOrderId, type: 'acknowledged' }] });
    await handle.executeUpdate(supplierEventUpdate, {
      args: [{ eventId: `${s.suffix}-rcpt`, purchaseOrderId: store.purchaseOrderId, type: 'received', lines: [{ sku: store.skus[0]!, quantityReceived: 30 }] }],
    });
    const result = await handle.result();
    finished.push({ name: 'replenishment-edit', workflowId: handle.workflowId });
    expect(po(result, s, 'store').stage).toBe('received');
  });

  test('reject: the PO is closed as rejected, nothing is sent or put on order', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const handle = await start(s);
    const store = s.suppliers.store!;
    await stateWhen(handle, (x) => x.pendingApprovals.length === 1, 'pending');
    const reject = (comment?: string) =>
      handle
        .executeUpdate(decideUpdate, { args: [{ decision: 'reject', comment, subjectId: store.purchaseOrderId, actor: storeManager(s.people.manager, s) }] })
        .then(() => 'ok', failureType);
    expect(await reject()).toBe('InvalidDecision');
    expect(await reject('Overstock expected from the transfer')).toBe('ok');
    const result = await handle.result();
    finished.push({ name: 'replenishment-reject', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(po(result, s, 'store').stage).toBe('rejected');
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: store.purchaseOrderId } })).status).toBe('REJECTED');
    const orders = (await (await fetch(`${h.simulator.url}/suppliers/${store.supplierId}/purchase-orders`)).json()) as { items: unknown[] };
    expect(orders.items).toHaveLength(0);
    expect((await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId } })).every((r) => r.onOrder === 0)).toBe(true);
  });

  test('reminder before the due time, then escalation adds the regional manager, who decides', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const handle = await start(s, { escalateAfterMs: 3000, reminderBeforeMs: 1500, expireAfterMs: 60_000 });
    const store = s.suppliers.store!;
    await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith('Approval needed'));
    await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith('Reminder: approval due'));
    const escalated = await h.smtp.waitFor((m) => m.to.includes(s.people.regional.email) && m.subject.startsWith('Escalated'));
    expect(escalated.text).toContain(store.purchaseOrderId);
    const st = await stateWhen(handle, (x) => x.pendingApproval?.escalated === true, 'escalated');
    expect(st.pendingApproval!.approvers.map((a) => a.role)).toEqual(['store_manager', 'regional_manager']);
    await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', subjectId: store.purchaseOrderId, actor: regionalManager(s.people.regional, s) }],
    });
    await stateWhen(handle, (x) => po(x, s, 'store').stage === 'awaiting_acknowledgment', 'sent');
    expect(h.smtp.to(s.people.manager.email).filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'replenishment-escalation-cancel', workflowId: handle.workflowId });
    // Cancelling after sending cancels at the supplier and takes the quantities off order.
    const orders = (await (await fetch(`${h.simulator.url}/suppliers/${store.supplierId}/purchase-orders`)).json()) as { items: { status: string }[] };
    expect(orders.items.map((o) => o.status)).toEqual(['cancelled']);
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: store.purchaseOrderId } })).status).toBe('CANCELLED');
    expect((await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId } })).every((r) => r.onOrder === 0)).toBe(true);
    await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith('Cancelled: replenishment'));
  });

  test('two levels: when the store manager lets it pass the due time, the PO is handed over to the regional manager', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['regional'] });
    const handle = await start(s, { escalateAfterMs: 2000, reminderBeforeMs: 0, expireAfterMs: 60_000 });
    const regional = s.suppliers.regional!;
    const st = await stateWhen(handle, (x) => x.pendingApproval?.level === 2, 'handed over to level 2', 20_000);
    expect(st.pendingApproval!.approvers.map((a) => a.role)).toEqual(['regional_manager']);
    expect(st.decisions).toMatchObject([{ level: 1, decision: 'handed_over', actorId: 'system' }]);
    await h.smtp.waitFor((m) => m.to.includes(s.people.regional.email) && m.subject.startsWith('Approval needed'));
    await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', subjectId: regional.purchaseOrderId, actor: regionalManager(s.people.regional, s) }],
    });
    await stateWhen(handle, (x) => po(x, s, 'regional').stage === 'awaiting_acknowledgment', 'sent');
    await handle.executeUpdate(supplierEventUpdate, { args: [fullReceipt(s, 'regional', `${s.suffix}-rcpt`)] });
    const result = await handle.result();
    finished.push({ name: 'replenishment-hand-over', workflowId: handle.workflowId });
    expect(po(result, s, 'regional')).toMatchObject({ stage: 'received', approvedBy: [s.people.regional.id] });
    const decisions = await h.db.approvalDecision.findMany({ where: { approvalRequest: { subjectId: regional.purchaseOrderId } }, orderBy: { level: 'asc' } });
    expect(decisions.map((d) => [d.level, d.decision, d.actorId])).toEqual([
      [1, 'handed_over', 'system'],
      [2, 'approve', s.people.regional.id],
    ]);
  });

  test('final deadline: an undecided PO is cancelled and reported to the store and regional managers', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const handle = await start(s, { escalateAfterMs: 1500, reminderBeforeMs: 0, expireAfterMs: 2500 });
    const result = await handle.result();
    finished.push({ name: 'replenishment-expired', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(po(result, s, 'store').stage).toBe('expired');
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: s.suppliers.store!.purchaseOrderId } })).status).toBe('CANCELLED');
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { subjectId: s.suppliers.store!.purchaseOrderId } })).status).toBe('EXPIRED');
    for (const who of [s.people.manager, s.people.regional]) {
      await h.smtp.waitFor((m) => m.to.includes(who.email) && m.subject.startsWith('Cancelled, not decided in time'));
    }
  });

  test('supplier system down, then up: retried until taken, exactly one order; a lost answer is not a second order', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const auto = s.suppliers.auto!;
    const fault = (body: object) =>
      fetch(`${h.simulator.url}/_faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ route: 'supplier-po', target: auto.supplierId, ...body }),
      });
    await fault({ failTimes: 3, status: 503 });
    await fault({ failTimes: 1, status: 500, failAfterEffect: true });
    const handle = await start(s);
    const st = await stateWhen(handle, (x) => x.purchaseOrders[0]?.stage === 'awaiting_acknowledgment', 'sent after retries', 40_000);
    const orders = (await (await fetch(`${h.simulator.url}/suppliers/${auto.supplierId}/purchase-orders`)).json()) as {
      items: { supplierReference: string }[];
    };
    expect(orders.items).toHaveLength(1);
    expect(st.purchaseOrders[0]!.supplierReference).toBe(orders.items[0]!.supplierReference);
    const stats = (await (await fetch(`${h.simulator.url}/_stats`)).json()) as {
      routes: { 'supplier-po': { byTarget: Record<string, { calls: number; effects: number; failuresInjected: number }> } };
    };
    expect(stats.routes['supplier-po'].byTarget[auto.supplierId]).toMatchObject({ calls: 5, effects: 1, failuresInjected: 4 });
    expect((await h.db.inventoryLevel.findFirstOrThrow({ where: { storeId: s.storeId } })).onOrder).toBe(UNITS_PER_SKU);
    await handle.cancel();
  });

  test('supplier refuses the order (4xx): not retried, the PO is cancelled and the store manager told', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const auto = s.suppliers.auto!;
    await fetch(`${h.simulator.url}/_faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ route: 'supplier-po', target: auto.supplierId, failTimes: 1, status: 422 }),
    });
    const handle = await start(s);
    const result = await handle.result();
    expect(po(result, s, 'auto').stage).toBe('send_failed');
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: auto.purchaseOrderId } })).status).toBe('CANCELLED');
    expect((await h.db.inventoryLevel.findFirstOrThrow({ where: { storeId: s.storeId } })).onOrder).toBe(0);
    await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith(`Not sent: ${auto.purchaseOrderId}`));
  });

  test('duplicate acknowledgment is ignored; acknowledgment with a rejected line, then partial receipts close the PO', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    const handle = await start(s);
    const store = s.suppliers.store!;
    const [sku1, sku2] = store.skus as [string, string];
    await stateWhen(handle, (x) => x.pendingApprovals.length === 1, 'pending');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId: store.purchaseOrderId, actor: storeManager(s.people.manager, s) }] });
    await stateWhen(handle, (x) => po(x, s, 'store').stage === 'awaiting_acknowledgment', 'sent');

    const send = (event: SupplierEventInput) => handle.executeUpdate(supplierEventUpdate, { args: [event] });
    const sendFails = (event: SupplierEventInput) => send(event).then(() => 'ok', failureType);
    expect(await sendFails({ eventId: `${s.suffix}-x`, purchaseOrderId: 'PO-UNKNOWN', type: 'acknowledged' })).toBe('UnknownPurchaseOrder');
    const ack: SupplierEventInput = {
      eventId: `${s.suffix}-ack`,
      purchaseOrderId: store.purchaseOrderId,
      type: 'acknowledged',
      lines: [{ sku: sku2, quantityRejected: 60, reason: 'discontinued' }],
    };
    expect(await send(ack)).toMatchObject({ duplicate: false, purchaseOrderStage: 'acknowledged' });
    expect(await send(ack)).toMatchObject({ duplicate: true, purchaseOrderStage: 'acknowledged' });
    expect(await sendFails({ ...ack, eventId: `${s.suffix}-ack2`, lines: undefined })).toBe('SupplierEventWrongStage');
    expect(
      await sendFails({ eventId: `${s.suffix}-bad`, purchaseOrderId: store.purchaseOrderId, type: 'received', lines: [{ sku: 'NOPE', quantityReceived: 1 }] }),
    ).toBe('InvalidSupplierEvent');
    expect(
      await sendFails({ eventId: `${s.suffix}-over`, purchaseOrderId: store.purchaseOrderId, type: 'received', lines: [{ sku: sku2, quantityReceived: 1 }] }),
    ).toBe('InvalidSupplierEvent');

    let stock = await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, orderBy: { sku: 'asc' } });
    expect(stock.map((r) => [r.onHand, r.onOrder])).toEqual([
      [0, 60],
      [0, 0],
    ]);
    expect(
      await send({ eventId: `${s.suffix}-r1`, purchaseOrderId: store.purchaseOrderId, type: 'received', lines: [{ sku: sku1, quantityReceived: 24 }] }),
    ).toMatchObject({ purchaseOrderStage: 'partially_received' });
    expect(
      await send({ eventId: `${s.suffix}-r1`, purchaseOrderId: store.purchaseOrderId, type: 'received', lines: [{ sku: sku1, quantityReceived: 24 }] }),
    ).toMatchObject({ duplicate: true });
    stock = await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, orderBy: { sku: 'asc' } });
    expect(stock.map((r) => [r.onHand, r.onOrder])).toEqual([
      [24, 36],
      [0, 0],
    ]);
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: store.purchaseOrderId } })).status).toBe('PARTIALLY_RECEIVED');
    await send({
      eventId: `${s.suffix}-r2`,
      purchaseOrderId: store.purchaseOrderId,
      type: 'received',
      lines: [{ sku: sku1, quantityReceived: 30, quantityRejected: 6, reason: 'damaged' }],
    });

    const result = await handle.result();
    finished.push({ name: 'replenishment-partial-receipt', workflowId: handle.workflowId });
    expect(po(result, s, 'store').stage).toBe('received');
    expect(po(result, s, 'store').lines.map((l) => [l.received, l.rejected])).toEqual([
      [54, 6],
      [0, 60],
    ]);
    stock = await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, orderBy: { sku: 'asc' } });
    expect(stock.map((r) => [r.onHand, r.onOrder])).toEqual([
      [54, 0],
      [0, 0],
    ]);
    const row = await h.db.purchaseOrder.findUniqueOrThrow({
      where: { id: store.purchaseOrderId },
      include: { lines: { orderBy: { sku: 'asc' } }, events: true },
    });
    expect(row.status).toBe('RECEIVED');
    expect(row.lines.map((l) => [l.quantityReceived, l.quantityRejected])).toEqual([
      [54, 6],
      [0, 60],
    ]);
    expect(row.events).toHaveLength(3);
  });

  test('no acknowledgment in time alerts the store manager; receipts still awaited, then closed short at the receipt deadline', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const handle = await start(s, { acknowledgmentTimeoutMs: 1500, receiptTimeoutMs: 5000 });
    const auto = s.suppliers.auto!;
    const alert = await h.smtp.waitFor((m) => m.to.includes(s.people.manager.email) && m.subject.startsWith(`No acknowledgment yet: ${auto.purchaseOrderId}`));
    expect(alert.text).toContain('contact the supplier');
    await handle.executeUpdate(supplierEventUpdate, {
      args: [{ eventId: `${s.suffix}-r1`, purchaseOrderId: auto.purchaseOrderId, type: 'received', lines: [{ sku: auto.skus[0]!, quantityReceived: 18 }] }],
    });
    const result = await handle.result();
    finished.push({ name: 'replenishment-closed-short', workflowId: handle.workflowId });
    expect(po(result, s, 'auto')).toMatchObject({ stage: 'closed_short' });
    expect(po(result, s, 'auto').alerts).toHaveLength(2);
    const stock = await h.db.inventoryLevel.findFirstOrThrow({ where: { storeId: s.storeId } });
    expect([stock.onHand, stock.onOrder]).toEqual([18, 0]);
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: auto.purchaseOrderId } })).status).toBe('PARTIALLY_RECEIVED');
  });

  test('supplier rejects the whole order: nothing stays on order', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const handle = await start(s);
    const auto = s.suppliers.auto!;
    await stateWhen(handle, (x) => x.purchaseOrders[0]?.stage === 'awaiting_acknowledgment', 'sent');
    await handle.executeUpdate(supplierEventUpdate, {
      args: [{ eventId: `${s.suffix}-rej`, purchaseOrderId: auto.purchaseOrderId, type: 'rejected', reason: 'Account on hold' }],
    });
    const result = await handle.result();
    finished.push({ name: 'replenishment-supplier-rejected', workflowId: handle.workflowId });
    expect(po(result, s, 'auto').stage).toBe('rejected_by_supplier');
    expect((await h.db.inventoryLevel.findFirstOrThrow({ where: { storeId: s.storeId } })).onOrder).toBe(0);
    expect((await h.db.purchaseOrder.findUniqueOrThrow({ where: { id: auto.purchaseOrderId } })).status).toBe('CANCELLED');
  });

  test('planning in small batches gives the same orders; a store with enough stock orders nothing', async () => {
    const s = await createReplenishmentScenario(h.db);
    const r = await startReplenishment(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test', batchSize: 2 },
    );
    const handle = h.client.workflow.getHandle<typeof replenishment>(r.workflowId, r.runId);
    const st = await stateWhen(handle, (x) => x.stage !== 'planning', 'planned');
    expect(st.planning).toMatchObject({ skusTotal: 5, skusExamined: 5, batches: 3, linesPlanned: 5 });
    expect(st.purchaseOrders.map((p) => p.totalValue).sort((a, b) => a - b)).toEqual([600, 3000, 12000]);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'replenishment-cancel-awaiting-approval', workflowId: handle.workflowId });
    const statuses = await h.db.purchaseOrder.findMany({ where: { workflowId: handle.workflowId }, orderBy: { id: 'asc' } });
    // The auto PO had been sent (cancelled at the supplier); the two awaiting approval were cancelled.
    expect(statuses.map((p) => p.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);

    const stocked = await createReplenishmentScenario(h.db, { tiers: ['store'] });
    await h.db.inventoryLevel.updateMany({ where: { storeId: stocked.storeId }, data: { onHand: 500 } });
    const quiet = await start(stocked);
    const result = await quiet.result();
    finished.push({ name: 'replenishment-nothing-to-order', workflowId: quiet.workflowId });
    expect(result.stage).toBe('nothing_to_order');
    expect(result.purchaseOrders).toEqual([]);
  });

  test('a second start for the same store and day returns the first run', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const deps = { client: h.client, db: h.db, taskQueue: h.taskQueue };
    const first = await startReplenishment(deps, { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test' });
    const second = await startReplenishment(deps, { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test' });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, workflowId: first.workflowId, runId: first.runId });
    expect(first.workflowId).toBe(`replenishment-${s.storeId}-${s.asOf}`);
    await h.client.workflow.getHandle(first.workflowId).cancel();
  });

  test('cancelled while its batches plan side by side: every draft written is cancelled, none appears afterwards', async () => {
    const s = await createReplenishmentScenario(h.db);
    const r = await startReplenishment(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test', batchSize: 1, planningConcurrency: 5 },
    );
    const handle = h.client.workflow.getHandle<typeof replenishment>(r.workflowId, r.runId);
    await eventually(async () => (await h.db.purchaseOrder.count({ where: { workflowId: handle.workflowId } })) > 0, 30_000, 'a first draft');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const statuses = async () => (await h.db.purchaseOrder.findMany({ where: { workflowId: handle.workflowId } })).map((p) => p.status);
    expect(new Set(await statuses())).toEqual(new Set(['CANCELLED']));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(new Set(await statuses())).toEqual(new Set(['CANCELLED']));
  });

  test('planning batches run side by side over SKU ranges: every SKU once, the short database steps as local activities', async () => {
    const s = await createReplenishmentScenario(h.db);
    const r = await startReplenishment(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test', batchSize: 2, planningConcurrency: 2 },
    );
    const handle = h.client.workflow.getHandle<typeof replenishment>(r.workflowId, r.runId);
    const st = await stateWhen(handle, (x) => x.stage !== 'planning', 'planned');
    // 5 SKUs in ranges of 2: (·, 2], (2, 4], (4, ·).
    expect(st.planning).toMatchObject({ skusTotal: 5, skusExamined: 5, batches: 3, linesPlanned: 5 });
    expect(st.purchaseOrders.map((p) => p.totalValue).sort((a, b) => a - b)).toEqual([600, 3000, 12000]);
    const lines = await h.db.purchaseOrderLine.findMany({ where: { purchaseOrder: { workflowId: handle.workflowId } } });
    expect(lines.map((l) => l.sku).sort()).toEqual(
      Object.values(s.suppliers)
        .flatMap((x) => x!.skus)
        .sort(),
    );

    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'replenishment-concurrent-planning', workflowId: handle.workflowId });
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = (type: string) => events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type).length;
    // Two batches were scheduled before the first one completed; the store, ranges and drafts ran locally.
    const firstBatchDone = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
    expect(events.slice(0, firstBatchDone).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'planAndStageBatch')).toHaveLength(2);
    expect(scheduled('planAndStageBatch')).toBe(3);
    expect(scheduled('loadStoreContext') + scheduled('partitionStoreSkus') + scheduled('countStoreSkus')).toBe(0);
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length).toBeGreaterThanOrEqual(3);
    const statuses = await h.db.purchaseOrder.findMany({ where: { workflowId: handle.workflowId } });
    expect(statuses.map((p) => p.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
  });
});
