import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Principal } from '../../domain/approval';
import type { SupplierEventInput } from '../../domain/purchase-orders';
import { startReplenishment } from '../../platform/replenishment-starter';
import { decideUpdate } from '../../workflows/approval-gate';
import {
  replenishment,
  replenishmentStateQuery,
  supplierEventUpdate,
  type ReplenishmentState,
  type ReplenishmentTiming,
} from '../../workflows/replenishment';
import type { Person } from '../support/fixtures';
import { createHarness, eventually, type Harness, type RunningWorker } from '../support/harness';
import { recordHistories } from '../support/histories';
import { createReplenishmentScenario, PACK_SIZE, UNITS_PER_SKU, type ReplenishmentScenario, type TierKey } from '../support/replenishment-fixtures';

let h: Harness;
let worker: RunningWorker;

beforeAll(async () => {
  h = await createHarness();
  worker = await h.startWorker();
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

const storeManager = (p: Person, s: ReplenishmentScenario): Principal => ({ id: p.id, role: 'store_manager', allScopes: false, storeIds: [s.storeId], regionIds: [], categories: [] });
const regionalManager = (p: Person, s: ReplenishmentScenario): Principal => ({ id: p.id, role: 'regional_manager', allScopes: false, storeIds: [], regionIds: [s.regionId], categories: [] });

async function start(s: ReplenishmentScenario, timing?: Partial<ReplenishmentTiming>): Promise<Handle> {
  const r = await startReplenishment({ client: h.client, db: h.db, taskQueue: h.taskQueue }, { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test', timing });
  return h.client.workflow.getHandle<typeof replenishment>(r.workflowId, r.runId);
}

async function stateWhen(handle: Handle, ok: (st: ReplenishmentState) => boolean, what: string, timeoutMs = 30_000): Promise<ReplenishmentState> {
  return eventually(async () => {
    const st = await handle.query(replenishmentStateQuery);
    return ok(st) ? st : undefined;
  }, timeoutMs, what);
}

const po = (st: ReplenishmentState, s: ReplenishmentScenario, tier: TierKey) => st.purchaseOrders.find((p) => p.id === s.suppliers[tier]!.purchaseOrderId)!;

function failureType(err: unknown): string | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type ?? undefined : undefined;
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

    let st = await stateWhen(handle, (x) => x.pendingApprovals.length === 2 && po(x, s, 'auto')?.stage === 'awaiting_acknowledgment', 'two approvals pending and the auto PO sent');
    expect(st.planning).toMatchObject({ skusTotal: 5, skusExamined: 5, linesPlanned: 5 });
    expect(po(st, s, 'auto')).toMatchObject({ tier: 'auto', totalValue: auto.value, approvedBy: ['system:auto'] });
    expect(po(st, s, 'store')).toMatchObject({ tier: 'store_manager', stage: 'awaiting_approval', totalValue: store.value });
    expect(po(st, s, 'regional')).toMatchObject({ tier: 'store_and_regional', stage: 'awaiting_approval', totalValue: regional.value });
    for (const line of po(st, s, 'store').lines) expect(line).toMatchObject({ quantity: UNITS_PER_SKU, packSize: PACK_SIZE });
    const storeLine = await h.db.purchaseOrderLine.findFirstOrThrow({ where: { purchaseOrderId: store.purchaseOrderId } });
    expect((storeLine.rationale as { reasons: string[] }).reasons.join(' ')).toMatch(/reorder point 50/);

    // The auto PO reached the supplier once, with its idempotency key, and is on order.
    const supplierOrders = (await (await fetch(`${h.simulator.url}/suppliers/${auto.supplierId}/purchase-orders`)).json()) as { items: { purchaseOrderId: string }[] };
    expect(supplierOrders.items.map((o) => o.purchaseOrderId)).toEqual([auto.purchaseOrderId]);
    const autoStock = await h.db.inventoryLevel.findUniqueOrThrow({ where: { storeId_sku: { storeId: s.storeId, sku: auto.skus[0]! } } });
    expect(autoStock.onOrder).toBe(UNITS_PER_SKU);

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId: store.purchaseOrderId, actor: storeManager(s.people.manager, s) }] });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId: regional.purchaseOrderId, actor: storeManager(s.people.manager, s) }] });
    st = await stateWhen(handle, (x) => x.pendingApprovals.length === 1 && x.pendingApprovals[0]!.level === 2, 'regional level open');
    expect(st.pendingApprovals[0]!.approvers.map((a) => a.role)).toEqual(['regional_manager']);
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId: regional.purchaseOrderId, actor: regionalManager(s.people.regional, s) }] });

    st = await stateWhen(handle, (x) => x.purchaseOrders.every((p) => p.stage === 'awaiting_acknowledgment'), 'every PO sent');
    for (const tier of ['auto', 'store', 'regional'] as const) {
      await handle.executeUpdate(supplierEventUpdate, { args: [{ eventId: `${s.suffix}-${tier}-ack`, purchaseOrderId: s.suppliers[tier]!.purchaseOrderId, type: 'acknowledged' }] });
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

  test('decisions are checked: wrong role, other store, self-approval at level 2, unknown PO', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['regional'] });
    const handle = await start(s);
    const regional = s.suppliers.regional!;
    await stateWhen(handle, (x) => x.pendingApprovals.length === 1, 'pending');

    const attempt = (actor: Principal, subjectId = regional.purchaseOrderId) =>
      handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', subjectId, actor }] }).then(() => 'ok', failureType);
    expect(await attempt(regionalManager(s.people.regional, s))).toBe('NotAuthorized');
    expect(await attempt({ ...storeManager(s.people.otherStore, s), storeIds: ['S002'] })).toBe('NotAuthorized');
    expect(await attempt(storeManager(s.people.manager, s), 'PO-NOPE')).toBe('NothingPending');
    expect(await attempt(storeManager(s.people.manager, s))).toBe('ok');
    expect(await attempt(storeManager(s.people.manager, s))).toBe('NotAuthorized');
    await handle.cancel();
  });
});
