import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Principal, Role } from '../../domain/approval';
import { PriceChangeRefused, startPriceChange } from '../../api/processes/price-changes/starter';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { cancelRequestSignal } from '../../workflows/shared/cancellation';
import { priceChange } from '../../workflows/price-change/workflow';
import { priceChangeStateQuery, type PriceChangeInput, type PriceChangeState, type PriceChangeTiming } from '../../workflows/price-change/messages';
import type { Person } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { recordHistories } from '../support/histories';
import { createPricingScenario, type PricingScenario } from '../support/pricing-fixtures';

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

type Handle = ReturnType<typeof h.client.workflow.getHandle<typeof priceChange>>;
type StartInput = Partial<Omit<PriceChangeInput, 'priceChangeId'>> & { newPrice: number; idempotencyKey?: string };

/** Sales are watched for 1.5 s, every 0.5 s, from the moment the price takes effect. */
const FAST: Partial<PriceChangeTiming> = { monitorWindowMs: 1500, monitorEveryMs: 500, monitorAfterMs: 0 };

const deps = () => ({ client: h.client, db: h.db, taskQueue: h.taskQueue });

function startArgs(s: PricingScenario, input: StartInput) {
  return { sku: s.sku, storeIds: [...s.storeIds], reason: 'Test price change', requestedBy: s.people.storeManager.id, timing: FAST, ...input };
}

async function start(s: PricingScenario, input: StartInput): Promise<Handle> {
  const r = await startPriceChange(deps(), startArgs(s, input));
  expect(r.created).toBe(true);
  return h.client.workflow.getHandle<typeof priceChange>(r.workflowId, r.runId);
}

async function stateWhen(handle: Handle, ok: (st: PriceChangeState) => boolean, what: string, timeoutMs = 30_000): Promise<PriceChangeState> {
  return eventually(
    async () => {
      const st = await handle.query(priceChangeStateQuery);
      return ok(st) ? st : undefined;
    },
    timeoutMs,
    what,
  );
}

function failureType(err: unknown): string | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}

const principal = (p: Person, role: Role, scope: Partial<Pick<Principal, 'storeIds' | 'regionIds' | 'categories'>>): Principal => ({
  id: p.id,
  role,
  allScopes: false,
  storeIds: [],
  regionIds: [],
  categories: [],
  ...scope,
});
const people = (s: PricingScenario) => ({
  cm: principal(s.people.category, 'category_manager', { categories: [s.category] }),
  cm2: principal(s.people.category2, 'category_manager', { categories: [s.category] }),
  cmOther: principal(s.people.otherCategory, 'category_manager', { categories: ['footwear'] }),
  rm: principal(s.people.regional, 'regional_manager', { regionIds: [s.regionId] }),
  rmOther: principal(s.people.otherRegion, 'regional_manager', { regionIds: ['EAST'] }),
  sm: principal(s.people.storeManager, 'store_manager', { storeIds: [s.storeIds[0]] }),
});

function decide(
  handle: Handle,
  actor: Principal,
  decision: 'approve' | 'reject' = 'approve',
  extra: { comment?: string; payload?: Record<string, unknown>; subjectId?: string } = {},
) {
  return handle.executeUpdate(decideUpdate, { args: [{ decision, actor, ...extra }] }).then(() => 'ok', failureType);
}

/** The simulator's POS price of the SKU at a store; null when the POS has none. */
async function posPrice(storeId: string, sku: string): Promise<number | null> {
  const res = await fetch(`${h.simulator.url}/channels/pos/stores/${encodeURIComponent(storeId)}/prices/${encodeURIComponent(sku)}`);
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return ((await res.json()) as { price: number }).price;
}

async function ecommercePrice(sku: string): Promise<number | null> {
  const res = await fetch(`${h.simulator.url}/channels/ecommerce/prices/${encodeURIComponent(sku)}`);
  if (res.status === 404) return null;
  return ((await res.json()) as { price: number }).price;
}

async function posPrices(s: PricingScenario): Promise<(number | null)[]> {
  return Promise.all(s.storeIds.map((id) => posPrice(id, s.sku)));
}

async function simulatorPushes(sku: string): Promise<{ channel: string; storeId?: string; price: number; previousPrice: number | null }[]> {
  const res = await fetch(`${h.simulator.url}/_price-pushes?sku=${encodeURIComponent(sku)}`);
  return ((await res.json()) as { items: { channel: string; storeId?: string; price: number; previousPrice: number | null }[] }).items;
}

async function fault(body: {
  route: 'pos-price' | 'ecommerce-price';
  target?: string;
  failTimes?: number;
  status?: number;
  delayMs?: number;
  failAfterEffect?: boolean;
}) {
  const res = await fetch(`${h.simulator.url}/_faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
}

async function dbChange(workflowId: string) {
  const row = await h.db.priceChange.findUniqueOrThrow({ where: { id: workflowId } });
  return { ...row, newPrice: Number(row.newPrice), oldPrice: row.oldPrice === null ? null : Number(row.oldPrice) };
}

async function history(workflowId: string) {
  const rows = await h.db.priceHistory.findMany({ where: { priceChangeId: workflowId }, orderBy: [{ effectiveAt: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({ id: r.id, storeId: r.storeId, channel: r.channel, price: Number(r.price) }));
}

async function channelPushes(workflowId: string) {
  const rows = await h.db.channelPricePush.findMany({ where: { priceChangeId: workflowId }, orderBy: { pushedAt: 'asc' } });
  return rows.map((r) => ({ storeId: r.storeId, channel: r.channel, status: r.status, price: Number(r.price) }));
}

async function cancelledResult(handle: Handle): Promise<void> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
}

const pos = (s: PricingScenario, i: 0 | 1) => `pos:${s.storeIds[i]}`;

describe('price change on the dev server', () => {
  test('auto-approved small change: charm-rounded, pushed to both stores, recorded, completed after the monitoring window', async () => {
    const s = await createPricingScenario(h.db);
    const handle = await start(s, { newPrice: 97, timing: { ...FAST, monitorWindowMs: 4000 } });

    const st = await stateWhen(handle, (x) => x.stage === 'effective', 'effective');
    expect(st.tier).toBe('auto');
    expect(st.guardrails).toMatchObject({ requestedPrice: 97, finalPrice: 96.99, boundBy: 'charm_rounding', hard: false, violations: [] });
    expect(st.guardrails!.changePct).toBeCloseTo(-0.0301, 4);
    expect(st.context).toMatchObject({
      sku: s.sku,
      category: s.category,
      cost: 40,
      currentPrice: 100,
      stores: s.storeIds.map((storeId) => ({ storeId, regionId: s.regionId })),
    });
    expect(st.approvedPrice).toBe(96.99);
    expect(st.priceResponse).toMatchObject({ baselineUnitsPerDay: 0 }); // no sales history: advisory only
    expect(st.pendingApproval).toBeNull();
    expect(st.decisions).toEqual([]);
    expect(st.pushed).toEqual([
      { target: pos(s, 0), price: 96.99, previousPrice: null },
      { target: pos(s, 1), price: 96.99, previousPrice: null },
    ]);
    expect(await posPrices(s)).toEqual([96.99, 96.99]);
    expect(await ecommercePrice(s.sku)).toBeNull(); // store-scoped: the web shop keeps its price
    expect((await dbChange(handle.workflowId)).status).toBe('effective');

    const result = await handle.result();
    finished.push({ name: 'price-change-auto-approve', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.rollback).toBeNull();
    expect(result.readings.length).toBeGreaterThanOrEqual(2);
    // No sales before the change: too thin to judge, never a reason to roll back.
    for (const r of result.readings) expect(r).toMatchObject({ actualPerDay: 0, expectedPerDay: 0, ratio: null, daysObserved: 0 });

    const row = await dbChange(handle.workflowId);
    expect(row).toMatchObject({
      status: 'completed',
      oldPrice: 100,
      newPrice: 96.99,
      boundBy: 'charm_rounding',
      storeIds: [...s.storeIds],
      requestedBy: s.people.storeManager.id,
    });
    expect(await history(handle.workflowId)).toEqual(
      s.storeIds.map((storeId) => ({ id: `${handle.workflowId}:apply:pos:${storeId}`, storeId, channel: 'pos', price: 96.99 })),
    );
    expect(await channelPushes(handle.workflowId)).toEqual(
      expect.arrayContaining(s.storeIds.map((storeId) => ({ storeId, channel: 'pos', status: 'apply', price: 96.99 }))),
    );
    expect(await posPrices(s)).toEqual([96.99, 96.99]);
    // Store-scoped: the catalogue price stays.
    expect(Number((await h.db.product.findUniqueOrThrow({ where: { sku: s.sku } })).price)).toBe(100);
    const approved = await h.db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: `${handle.workflowId}:status:approved` } });
    expect(approved.actorId).toBe('system');
    const statuses = await h.db.auditEvent.findMany({ where: { entityId: handle.workflowId, entityType: 'price_change' }, orderBy: { occurredAt: 'asc' } });
    expect(statuses.map((a) => a.action).sort()).toEqual([
      'price_change.approved',
      'price_change.completed',
      'price_change.effective',
      'price_change.scheduled',
    ]);
  });

  test('one level: the category manager of the category approves; others may not, nor may the requester', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 89.99, requestedBy: s.people.category.id });

    const st = await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    expect(st.tier).toBe('category_manager');
    expect(st.guardrails).toMatchObject({ finalPrice: 89.99, boundBy: null, violations: [] });
    expect(st.pendingApproval).toMatchObject({
      subjectType: 'price_change',
      subjectId: handle.workflowId,
      level: 1,
      levelCount: 1,
      approvers: [{ role: 'category_manager', scope: { category: s.category } }],
      details: { sku: s.sku, currentPrice: 100, proposedPrice: 89.99, storeIds: [...s.storeIds] },
    });
    expect(st.pendingApproval!.title).toContain('-10.0%');
    expect((await dbChange(handle.workflowId)).status).toBe('pending_approval');
    expect(await posPrices(s)).toEqual([null, null]);

    expect(await decide(handle, p.cmOther)).toBe('NotAuthorized'); // another category
    expect(await decide(handle, p.rm)).toBe('NotAuthorized'); // one level: not the regional manager's
    expect(await decide(handle, p.sm)).toBe('NotAuthorized');
    expect(await decide(handle, p.cm)).toBe('SelfApproval'); // requested it
    expect(await decide(handle, p.cm2)).toBe('ok');
    expect(await decide(handle, p.cm2, 'approve', { subjectId: handle.workflowId })).toBe('AlreadyDecided');

    await stateWhen(handle, (x) => x.stage === 'effective' || x.stage === 'completed', 'effective');
    const result = await handle.result();
    finished.push({ name: 'price-change-one-level', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.decisions).toMatchObject([{ level: 1, decision: 'approve', actorId: s.people.category2.id }]);
    expect(result.pushed.map((x) => x.price)).toEqual([89.99, 89.99]);
    expect(await posPrices(s)).toEqual([89.99, 89.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 89.99 });
    const approved = await h.db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: `${handle.workflowId}:status:approved` } });
    expect(approved.actorId).toBe(s.people.category2.id);
    const request = await h.db.approvalRequest.findFirstOrThrow({ where: { subjectId: handle.workflowId } });
    expect(request.status).toBe('APPROVED');
    await h.smtp.waitFor((m) => m.to.includes(s.people.category2.email) && m.subject.startsWith('Approval needed'));
  });

  test("the approver's answer shows the change scheduled at its approved price, before the status writes that follow", async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 89.99, requestedBy: s.people.category.id });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    const answer = await handle.executeUpdate(decideUpdate, {
      args: [{ decision: 'approve', actor: p.cm2, comment: 'Match the competitor, not beat it.', payload: { counterPrice: 94.99 } }],
    });
    expect(answer).toMatchObject({ decision: 'approve', gateStatus: 'approved', state: { stage: 'scheduled', approvedPrice: 94.99, pendingApproval: null } });
    const result = await handle.result();
    finished.push({ name: 'price-change-scheduled-on-decision', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(await posPrices(s)).toEqual([94.99, 94.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 94.99 });
  });

  test('the short database steps run as local activities; the status written after the decision stays an activity', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 89.99, requestedBy: s.people.category.id });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    expect((await dbChange(handle.workflowId)).status).toBe('pending_approval');
    expect(await decide(handle, p.cm2)).toBe('ok');
    const result = await handle.result();
    finished.push({ name: 'price-change-local-steps', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(await posPrices(s)).toEqual([89.99, 89.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 89.99 });
    for (const status of ['pending_approval', 'approved', 'scheduled', 'effective', 'completed']) {
      expect(await h.db.auditEvent.count({ where: { idempotencyKey: `${handle.workflowId}:status:${status}` } })).toBe(1);
    }

    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    const local = events.flatMap((e) => {
      const m = e.markerRecordedEventAttributes;
      if (m?.markerName !== 'core_local_activity') return [];
      return [(JSON.parse(Buffer.from(m.details!.data!.payloads![0]!.data!).toString('utf8')) as { activity_type: string }).activity_type];
    });
    expect(scheduled).not.toContain('loadPricingContext');
    expect(scheduled).not.toContain('recordPriceEffect');
    expect(scheduled.filter((t) => t === 'setPriceChangeStatus')).toHaveLength(1); // 'approved', right after the decision
    expect(local).toEqual(expect.arrayContaining(['loadPricingContext', 'recordPriceEffect', 'setPriceChangeStatus']));
    expect(local.filter((t) => t === 'setPriceChangeStatus')).toHaveLength(4); // pending approval, scheduled, effective, completed
  });

  test('two levels: a large store-scoped cut needs the category manager, then the regional manager', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 74.99 });

    let st = await stateWhen(handle, (x) => x.pendingApproval?.level === 1, 'level 1 open');
    expect(st.tier).toBe('category_and_regional');
    expect(st.pendingApproval).toMatchObject({
      levelCount: 2,
      levelLabel: 'category manager',
      approvers: [{ role: 'category_manager', scope: { category: s.category } }],
    });
    expect(await decide(handle, p.rm)).toBe('NotAuthorized'); // not yet
    expect(await decide(handle, p.cm)).toBe('ok');

    st = await stateWhen(handle, (x) => x.pendingApproval?.level === 2, 'level 2 open');
    expect(st.stage).toBe('awaiting_approval');
    expect(st.pendingApproval).toMatchObject({ levelLabel: 'regional manager', approvers: [{ role: 'regional_manager', scope: { regionId: s.regionId } }] });
    expect(await posPrices(s)).toEqual([null, null]);
    expect(await decide(handle, p.rmOther)).toBe('NotAuthorized');
    expect(await decide(handle, p.cm2)).toBe('NotAuthorized');
    expect(await decide(handle, p.rm)).toBe('ok');

    const result = await handle.result();
    finished.push({ name: 'price-change-two-levels', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.decisions.map((d) => [d.level, d.decision, d.actorId])).toEqual([
      [1, 'approve', s.people.category.id],
      [2, 'approve', s.people.regional.id],
    ]);
    expect(await posPrices(s)).toEqual([74.99, 74.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 74.99 });
    const decisions = await h.db.approvalDecision.findMany({ where: { approvalRequest: { subjectId: handle.workflowId } }, orderBy: { level: 'asc' } });
    expect(decisions.map((d) => [d.level, d.decision, d.actorId])).toEqual([
      [1, 'approve', s.people.category.id],
      [2, 'approve', s.people.regional.id],
    ]);
  });

  test('a decision answers with the state it caused: the next level open after the first, the run moved on after the last', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 74.99 });
    await stateWhen(handle, (x) => x.pendingApproval?.level === 1, 'level 1 open');

    const first = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: p.cm }] });
    expect(first).toMatchObject({ decision: 'approve', level: 1, gateStatus: 'pending' });
    expect(first.state).toMatchObject({ stage: 'awaiting_approval', pendingApproval: { level: 2, levelLabel: 'regional manager' } });
    expect((first.state as PriceChangeState).decisions.map((d) => [d.level, d.actorId])).toEqual([[1, s.people.category.id]]);

    const last = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: p.rm }] });
    expect(last).toMatchObject({ decision: 'approve', level: 2, gateStatus: 'approved' });
    expect(last.state).toMatchObject({ stage: 'scheduled', pendingApproval: null, approvedPrice: 74.99 });
    expect((await handle.result()).stage).toBe('completed');
    finished.push({ name: 'price-change-decisions-answer-with-state', workflowId: handle.workflowId });
  });

  test('counter-price: needs a comment, must pass the hard guardrails, and the charm-rounded counter is what is pushed', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 89.99 });
    await stateWhen(handle, (x) => x.pendingApproval !== null, 'awaiting approval');

    expect(await decide(handle, p.cm, 'approve', { payload: { counterPrice: 92 } })).toBe('InvalidDecision'); // no comment
    const belowCost = await handle
      .executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: p.cm, comment: 'deeper', payload: { counterPrice: 30 } }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failureType(belowCost)).toBe('InvalidDecision');
    expect(((belowCost as WorkflowUpdateFailedError).cause as ApplicationFailure).details?.[0]).toEqual([
      expect.objectContaining({ field: 'body.counterPrice', message: expect.stringContaining('cost_floor') }),
    ]);
    expect(await decide(handle, p.cm, 'approve', { comment: 'A smaller cut is enough', payload: { counterPrice: 92 } })).toBe('ok');

    const result = await handle.result();
    finished.push({ name: 'price-change-counter-price', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.guardrails).toMatchObject({ requestedPrice: 92, finalPrice: 91.99, boundBy: 'charm_rounding' });
    expect(result.approvedPrice).toBe(91.99);
    expect(result.pushed.map((x) => x.price)).toEqual([91.99, 91.99]);
    expect(await posPrices(s)).toEqual([91.99, 91.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 91.99, boundBy: 'charm_rounding' });
    const decision = await h.db.approvalDecision.findFirstOrThrow({ where: { approvalRequest: { subjectId: handle.workflowId } } });
    expect(decision).toMatchObject({ actorId: s.people.category.id, comment: 'A smaller cut is enough', payload: { counterPrice: 92 } });
  });

  test('counter-price at the first of two levels is kept when the second level approves without one', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 74.99 });
    await stateWhen(handle, (x) => x.pendingApproval?.level === 1, 'level 1 open');
    expect(await decide(handle, p.cm, 'approve', { comment: 'Not that deep', payload: { counterPrice: 80 } })).toBe('ok');
    await stateWhen(handle, (x) => x.pendingApproval?.level === 2, 'level 2 open');
    expect(await decide(handle, p.rm)).toBe('ok');

    const result = await handle.result();
    finished.push({ name: 'price-change-counter-two-levels', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.approvedPrice).toBe(79.99);
    expect(await posPrices(s)).toEqual([79.99, 79.99]);
    expect(await dbChange(handle.workflowId)).toMatchObject({ status: 'completed', newPrice: 79.99 });
  });

  test('reject: needs a comment; nothing is pushed and the team is told', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const handle = await start(s, { newPrice: 89.99 });
    await stateWhen(handle, (x) => x.pendingApproval !== null, 'awaiting approval');
    expect(await decide(handle, p.cm, 'reject')).toBe('InvalidDecision');
    expect(await decide(handle, p.cm, 'reject', { comment: 'Margin matters more this month' })).toBe('ok');

    const result = await handle.result();
    finished.push({ name: 'price-change-reject', workflowId: handle.workflowId });
    expect(result.stage).toBe('rejected');
    expect(result.pushed).toEqual([]);
    expect(result.approvedPrice).toBeNull();
    expect(result.decisions).toMatchObject([{ level: 1, decision: 'reject', actorId: s.people.category.id, comment: 'Margin matters more this month' }]);
    expect(await posPrices(s)).toEqual([null, null]);
    expect(await simulatorPushes(s.sku)).toEqual([]);
    expect((await dbChange(handle.workflowId)).status).toBe('rejected');
    expect(await history(handle.workflowId)).toEqual([]);
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { subjectId: handle.workflowId } })).status).toBe('REJECTED');
    const mail = await h.smtp.waitFor((m) => m.to.includes(s.people.storeManager.email) && m.subject.startsWith('Price change rejected'));
    expect(mail.text).toContain('Margin matters more this month');
  });

  test('effective later: a durable timer holds the price until then; nothing is pushed before', async () => {
    const s = await createPricingScenario(h.db);
    const effectiveAt = new Date(Date.now() + 6000).toISOString();
    const handle = await start(s, { newPrice: 97, effectiveAt });

    const st = await stateWhen(handle, (x) => x.stage === 'scheduled', 'scheduled');
    expect(st.approvedPrice).toBe(96.99);
    expect(st.effectiveAt).toBe(effectiveAt);
    // The stage moves to scheduled as the workflow starts writing it down: wait for the row.
    await eventually(async () => (await dbChange(handle.workflowId)).status === 'scheduled', 2_500, 'the change recorded as scheduled');
    expect(Date.now()).toBeLessThan(Date.parse(effectiveAt));
    expect(await posPrices(s)).toEqual([null, null]);
    expect(await simulatorPushes(s.sku)).toEqual([]);

    await stateWhen(handle, (x) => x.stage === 'effective' || x.stage === 'completed', 'effective');
    const firstPush = (await simulatorPushes(s.sku))[0] as unknown as { appliedAt: string };
    expect(Date.parse(firstPush.appliedAt)).toBeGreaterThanOrEqual(Date.parse(effectiveAt));
    const result = await handle.result();
    finished.push({ name: 'price-change-scheduled', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(Date.parse(result.effectiveAt!)).toBeGreaterThanOrEqual(Date.parse(effectiveAt));
    expect(await posPrices(s)).toEqual([96.99, 96.99]);
  });

  test('a channel refuses the price: the channels already changed are put back, the change fails', async () => {
    const s = await createPricingScenario(h.db);
    await fault({ route: 'pos-price', target: s.storeIds[1], failTimes: 1, status: 422 });
    const handle = await start(s, { newPrice: 97 });

    const result = await handle.result();
    finished.push({ name: 'price-change-compensation', workflowId: handle.workflowId });
    expect(result.stage).toBe('failed');
    expect(result.failure).toContain(pos(s, 1));
    expect(result.pushed).toEqual([{ target: pos(s, 0), price: 96.99, previousPrice: null }]);
    expect(result.restored).toEqual([pos(s, 0)]);
    expect(result.unconfirmed).toEqual([]); // a refusal is known not to have applied
    expect(result.rollback).toBeNull();
    // Restored to the catalogue price (the POS had none before); never changed at the refusing store.
    expect(await posPrices(s)).toEqual([100, null]);
    expect((await simulatorPushes(s.sku)).map((x) => [x.storeId, x.price])).toEqual([
      [s.storeIds[0], 96.99],
      [s.storeIds[0], 100],
    ]);
    expect((await dbChange(handle.workflowId)).status).toBe('failed');
    expect(await channelPushes(handle.workflowId)).toEqual([
      { storeId: s.storeIds[0], channel: 'pos', status: 'apply', price: 96.99 },
      { storeId: s.storeIds[0], channel: 'pos', status: 'compensate', price: 100 },
    ]);
    expect(await history(handle.workflowId)).toEqual([]);
    const mail = await h.smtp.waitFor((m) => m.to.includes(s.people.category.email) && m.subject.startsWith('Price change not applied'));
    expect(mail.text).toContain(pos(s, 0));
  });

  test('scheduled end: the prior price comes back at the end date', async () => {
    const s = await createPricingScenario(h.db);
    const endsAt = new Date(Date.now() + 3000).toISOString();
    const handle = await start(s, { newPrice: 97, endsAt, timing: { monitorEveryMs: 500, monitorAfterMs: 0 } });
    await stateWhen(handle, (x) => x.stage === 'effective', 'effective');
    expect(await posPrices(s)).toEqual([96.99, 96.99]);

    const result = await handle.result();
    finished.push({ name: 'price-change-scheduled-end', workflowId: handle.workflowId });
    expect(result.stage).toBe('rolled_back');
    expect(result.rollback?.reason).toBe('scheduled_end');
    expect(Date.parse(result.rollback!.at)).toBeGreaterThanOrEqual(Date.parse(endsAt));
    expect(result.restored).toEqual([pos(s, 1), pos(s, 0)]);
    expect(await posPrices(s)).toEqual([100, 100]);
    expect((await dbChange(handle.workflowId)).status).toBe('rolled_back');
    const rows = await history(handle.workflowId);
    expect(rows).toEqual(
      expect.arrayContaining([
        ...s.storeIds.map((storeId) => ({ id: `${handle.workflowId}:apply:pos:${storeId}`, storeId, channel: 'pos', price: 96.99 })),
        ...s.storeIds.map((storeId) => ({ id: `${handle.workflowId}:rollback:pos:${storeId}`, storeId, channel: 'pos', price: 100 })),
      ]),
    );
    expect(rows).toHaveLength(4);
    expect((await channelPushes(handle.workflowId)).map((x) => x.status).sort()).toEqual(['apply', 'apply', 'rollback', 'rollback']);
    await h.smtp.waitFor((m) => m.to.includes(s.people.category.email) && m.subject.startsWith('Price change rolled back'));
  });

  test('KPI: unit sales far below forecast roll the change back early', async () => {
    const s = await createPricingScenario(h.db, { dailySalesBefore: 10 });
    // An intraday sales feed: today's sales count (by default only whole days after the change do).
    const handle = await start(s, { newPrice: 97, kpiIncludePartialDays: true, timing: { monitorAfterMs: 0, monitorEveryMs: 500, monitorWindowMs: 20_000 } });

    const result = await handle.result();
    finished.push({ name: 'price-change-kpi-rollback', workflowId: handle.workflowId });
    expect(result.stage).toBe('rolled_back');
    expect(result.rollback?.reason).toBe('kpi');
    expect(result.readings).toHaveLength(1);
    expect(result.priceResponse?.baselineUnitsPerDay).toBe(20);
    // Baseline 2 stores × 10 a day, up by elasticity −1.5 at 3% off; nothing sold since.
    const expected = Math.round(20 * Math.pow(96.99 / 100, -1.5) * 100) / 100;
    expect(result.readings[0]).toMatchObject({ actualPerDay: 0, expectedPerDay: expected, ratio: 0 });
    expect(Date.parse(result.rollback!.at) - Date.parse(result.effectiveAt!)).toBeLessThan(10_000);
    expect(await posPrices(s)).toEqual([100, 100]);
    expect((await dbChange(handle.workflowId)).status).toBe('rolled_back');
    expect((await history(handle.workflowId)).filter((r) => r.id.includes(':rollback:')).map((r) => r.price)).toEqual([100, 100]);
    const mail = await h.smtp.waitFor((m) => m.to.includes(s.people.category.email) && m.subject.startsWith('Price change rolled back'));
    expect(mail.text).toContain('below the forecast floor');
  });

  test('KPI: by default only whole days after the change are judged, so the day of the change rolls nothing back', async () => {
    const s = await createPricingScenario(h.db, { dailySalesBefore: 10 });
    const handle = await start(s, { newPrice: 97, timing: { monitorAfterMs: 0, monitorEveryMs: 500, monitorWindowMs: 1500 } });
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    expect(result.readings.length).toBeGreaterThan(0);
    for (const r of result.readings) expect(r).toMatchObject({ ratio: null, daysObserved: 0 });
    expect(await posPrices(s)).toEqual([96.99, 96.99]);
  });

  test('conflict: one active change per SKU and store; chain-wide overlaps every store; a decided change frees the SKU', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const first = await start(s, { newPrice: 89.99, storeIds: [s.storeIds[0]] });
    await stateWhen(first, (x) => x.stage === 'awaiting_approval', 'first awaiting approval');

    for (const storeIds of [[s.storeIds[0]], [...s.storeIds], null]) {
      const attempt = startPriceChange(deps(), startArgs(s, { newPrice: 85, storeIds }));
      await expect(attempt).rejects.toBeInstanceOf(PriceChangeRefused);
      await expect(attempt).rejects.toMatchObject({ kind: 'conflict', conflictWith: first.workflowId });
    }
    // Another store of the same SKU is free.
    const other = await start(s, { newPrice: 89.99, storeIds: [s.storeIds[1]] });
    await stateWhen(other, (x) => x.stage === 'awaiting_approval', 'other awaiting approval');
    expect(await h.db.priceChange.count({ where: { sku: s.sku } })).toBe(2);

    // Cancelled while awaiting approval: nothing pushed, the request closed.
    await other.signal(cancelRequestSignal, { reason: 'Wrong store', actorId: s.people.ops.id, requestedAt: new Date().toISOString() });
    await other.cancel();
    await cancelledResult(other);
    finished.push({ name: 'price-change-cancel-awaiting-approval', workflowId: other.workflowId });
    expect((await dbChange(other.workflowId)).status).toBe('cancelled');
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { subjectId: other.workflowId } })).status).toBe('CANCELLED');
    const cancelled = await h.db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: `${other.workflowId}:status:cancelled` } });
    expect(cancelled.actorId).toBe(s.people.ops.id);
    const otherState = await other.query(priceChangeStateQuery);
    expect(otherState).toMatchObject({ stage: 'cancelled', pushed: [], pendingApproval: null, cancellation: { reason: 'Wrong store' } });

    // Still held by the first until it is decided.
    await expect(startPriceChange(deps(), startArgs(s, { newPrice: 85, storeIds: [s.storeIds[0]] }))).rejects.toMatchObject({ kind: 'conflict' });
    expect(await decide(first, p.cm, 'reject', { comment: 'Not now' })).toBe('ok');
    expect((await first.result()).stage).toBe('rejected');
    const again = await start(s, { newPrice: 89.99, storeIds: [s.storeIds[0]] });
    await stateWhen(again, (x) => x.stage === 'awaiting_approval', 'again awaiting approval');
    await again.cancel();
    await cancelledResult(again);
    expect(await simulatorPushes(s.sku)).toEqual([]);
  });

  test('cancel after the price took effect: every channel is restored and the run ends cancelled', async () => {
    const s = await createPricingScenario(h.db);
    const handle = await start(s, { newPrice: 97, timing: { monitorWindowMs: 60_000, monitorEveryMs: 1000, monitorAfterMs: 0 } });
    await stateWhen(handle, (x) => x.stage === 'effective', 'effective');
    expect(await posPrices(s)).toEqual([96.99, 96.99]);

    await handle.signal(cancelRequestSignal, { reason: 'Supplier raised the cost', actorId: s.people.ops.id, requestedAt: new Date().toISOString() });
    await handle.cancel();
    await cancelledResult(handle);
    finished.push({ name: 'price-change-cancel-after-effect', workflowId: handle.workflowId });

    const st = await handle.query(priceChangeStateQuery);
    expect(st.stage).toBe('cancelled');
    expect(st.rollback?.reason).toBe('cancelled');
    expect(st.restored.sort()).toEqual([pos(s, 0), pos(s, 1)].sort());
    expect(st.failure).toBe('Cancelled: Supplier raised the cost');
    expect(await posPrices(s)).toEqual([100, 100]);
    expect((await dbChange(handle.workflowId)).status).toBe('cancelled');
    const audit = await h.db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: `${handle.workflowId}:status:cancelled` } });
    expect(audit.actorId).toBe(s.people.ops.id);
    expect((await history(handle.workflowId)).filter((r) => r.id.includes(':rollback:')).map((r) => r.price)).toEqual([100, 100]);
    const mail = await h.smtp.waitFor((m) => m.to.includes(s.people.category.email) && m.subject.startsWith('Price change rolled back'));
    expect(mail.text).toContain('Supplier raised the cost');
  });

  test('cancel while a push is in flight: the push that lands after the cancel is restored too', async () => {
    const s = await createPricingScenario(h.db);
    await fault({ route: 'pos-price', target: s.storeIds[1], delayMs: 2000 });
    const handle = await start(s, { newPrice: 97 });
    await stateWhen(handle, (x) => x.stage === 'pushing' && x.pushed.length === 1, 'first store pushed, second in flight');
    await handle.cancel();
    await cancelledResult(handle);
    finished.push({ name: 'price-change-cancel-while-pushing', workflowId: handle.workflowId });

    // Give a stray push every chance to land before looking.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await posPrices(s)).toEqual([100, 100]);
    const st = await handle.query(priceChangeStateQuery);
    expect(st.stage).toBe('cancelled');
    expect(st.restored.sort()).toEqual([pos(s, 0), pos(s, 1)].sort());
    expect((await dbChange(handle.workflowId)).status).toBe('cancelled');
  });

  test('nobody decides in time: the change expires without effect', async () => {
    const s = await createPricingScenario(h.db);
    const handle = await start(s, { newPrice: 89.99, timing: { ...FAST, escalateAfterMs: 1000, reminderBeforeMs: 0, expireAfterMs: 2000 } });
    const result = await handle.result();
    finished.push({ name: 'price-change-expired', workflowId: handle.workflowId });
    expect(result.stage).toBe('expired');
    expect(result.decisions).toMatchObject([{ level: 1, decision: 'expired', actorId: 'system' }]);
    expect(await posPrices(s)).toEqual([null, null]);
    expect((await dbChange(handle.workflowId)).status).toBe('expired');
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { subjectId: handle.workflowId } })).status).toBe('EXPIRED');
  });

  test('approved only after its end date: never pushed', async () => {
    const s = await createPricingScenario(h.db);
    const p = people(s);
    const endsAt = new Date(Date.now() + 2000).toISOString();
    const handle = await start(s, { newPrice: 89.99, endsAt });
    await stateWhen(handle, (x) => x.pendingApproval !== null, 'awaiting approval');
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(endsAt) - Date.now()) + 300));
    expect(await decide(handle, p.cm)).toBe('ok');

    const result = await handle.result();
    finished.push({ name: 'price-change-ended-before-effect', workflowId: handle.workflowId });
    expect(result.stage).toBe('expired');
    expect(result.pushed).toEqual([]);
    expect(await simulatorPushes(s.sku)).toEqual([]);
    expect((await dbChange(handle.workflowId)).status).toBe('expired');
    expect(await history(handle.workflowId)).toEqual([]);
  });

  test('hard guardrails, unknown product and unknown store are refused at start: no workflow, no claim', async () => {
    const s = await createPricingScenario(h.db, { map: 90 });
    const refused = async (input: StartInput) => {
      const err = await startPriceChange(deps(), startArgs(s, input)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PriceChangeRefused);
      return err as PriceChangeRefused;
    };

    const belowCost = await refused({ newPrice: 35 });
    expect(belowCost.kind).toBe('guardrail');
    expect(belowCost.guardrails).toMatchObject({ hard: true });
    expect(belowCost.guardrails!.violations.map((v) => v.rule)).toEqual(expect.arrayContaining(['cost_floor', 'map_floor']));
    expect(belowCost.message).toContain('below the cost');

    const belowMap = await refused({ newPrice: 85 });
    expect(belowMap.kind).toBe('guardrail');
    expect(belowMap.guardrails!.violations.filter((v) => v.severity === 'hard').map((v) => v.rule)).toEqual(['map_floor']);

    expect((await refused({ newPrice: 95, sku: `${s.sku}-NOPE` })).kind).toBe('unknown_product');
    expect((await refused({ newPrice: 95, storeIds: [s.storeIds[0], 'NO-SUCH-STORE'] })).kind).toBe('unknown_store');

    expect(await h.db.priceChange.count({ where: { sku: s.sku } })).toBe(0);
    const runs = [];
    for await (const w of h.client.workflow.list({ query: `WorkflowId STARTS_WITH "price-change-${s.sku}"` })) runs.push(w.workflowId);
    expect(runs).toEqual([]);
  });

  test('a claim whose run never started (the API stopped in between) stops holding the SKU after two minutes', async () => {
    const s = await createPricingScenario(h.db);
    const orphan = `price-change-${s.sku}-orphan`;
    const claim = {
      workflowId: orphan,
      sku: s.sku,
      storeIds: [s.storeIds[0]],
      oldPrice: 100,
      newPrice: 95,
      status: 'requested',
      reason: 'orphan',
      effectiveAt: new Date(),
      requestedBy: 'system:test',
    };
    await h.db.priceChange.create({ data: { id: orphan, ...claim, createdAt: new Date(Date.now() - 60_000) } });
    await expect(startPriceChange(deps(), startArgs(s, { newPrice: 97 }))).rejects.toMatchObject({ kind: 'conflict', conflictWith: orphan });
    await h.db.priceChange.update({ where: { id: orphan }, data: { createdAt: new Date(Date.now() - 3 * 60_000) } });
    const r = await startPriceChange(deps(), startArgs(s, { newPrice: 97 }));
    expect(r.created).toBe(true);
    expect((await h.db.priceChange.findUniqueOrThrow({ where: { id: orphan } })).status).toBe('not_started');
    await h.client.workflow.getHandle(r.workflowId).cancel();
  });

  test('Idempotency-Key: the same key from the same requester returns the first start', async () => {
    const s = await createPricingScenario(h.db);
    const input = startArgs(s, { newPrice: 89.99, idempotencyKey: `key-${s.suffix}` });
    const first = await startPriceChange(deps(), input);
    const second = await startPriceChange(deps(), input);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, workflowId: first.workflowId, runId: first.runId });
    expect(second.guardrails.finalPrice).toBe(89.99);
    expect(await h.db.priceChange.count({ where: { sku: s.sku } })).toBe(1);
    // Another requester's identical key is another request: it conflicts with the first.
    await expect(startPriceChange(deps(), { ...input, requestedBy: s.people.ops.id })).rejects.toMatchObject({
      kind: 'conflict',
      conflictWith: first.workflowId,
    });
    const handle = h.client.workflow.getHandle<typeof priceChange>(first.workflowId);
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval', 'awaiting approval');
    await handle.cancel();
    await cancelledResult(handle);
  });
});
