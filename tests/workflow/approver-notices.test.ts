/**
 * Approver emails through an SMTP outage, on the dev server with mail really crossing SMTP: a run
 * ends only once each approver notice it started has crossed SMTP or been withdrawn because its
 * request was decided, cancelled or expired meanwhile. Nothing is sent twice, nothing is left
 * FAILED or CLAIMED when the run is closed.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Principal } from '../../domain/approval';
import { startPriceChange } from '../../api/processes/price-changes/starter';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { cancelRequestSignal } from '../../workflows/shared/cancellation';
import { priceChange } from '../../workflows/price-change/workflow';
import { priceChangeStateQuery, type PriceChangeState, type PriceChangeTiming } from '../../workflows/price-change/messages';
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
  h.smtp.refuseConnections = false;
  try {
    if (process.env.RECORD_HISTORIES) await recordHistories(finished);
  } finally {
    await h?.close();
  }
});

afterEach(() => {
  h.smtp.refuseConnections = false;
});

type Handle = ReturnType<typeof h.client.workflow.getHandle<typeof priceChange>>;

const FAST: Partial<PriceChangeTiming> = { monitorWindowMs: 500, monitorEveryMs: 250, monitorAfterMs: 0 };

async function start(s: PricingScenario, timing: Partial<PriceChangeTiming> = FAST): Promise<Handle> {
  const r = await startPriceChange(
    { client: h.client, db: h.db, taskQueue: h.taskQueue },
    { sku: s.sku, storeIds: [...s.storeIds], newPrice: 89.99, reason: 'Notices through an SMTP outage', requestedBy: s.people.storeManager.id, timing },
  );
  return h.client.workflow.getHandle<typeof priceChange>(r.workflowId, r.runId);
}

function stateWhen(handle: Handle, ok: (st: PriceChangeState) => boolean, what: string): Promise<PriceChangeState> {
  return eventually(
    async () => {
      const st = await handle.query(priceChangeStateQuery);
      return ok(st) ? st : undefined;
    },
    30_000,
    what,
  );
}

const categoryManager = (s: PricingScenario): Principal => ({
  id: s.people.category.id,
  role: 'category_manager',
  allScopes: false,
  storeIds: [],
  regionIds: [],
  categories: [s.category],
});

async function notices(workflowId: string) {
  const rows = await h.db.outboundEmail.findMany({ where: { workflowId, kind: { startsWith: 'approval.' } }, orderBy: { idempotencyKey: 'asc' } });
  return rows.map((r) => ({ kind: r.kind, status: r.status, to: r.toAddress }));
}

async function runStatus(handle: Handle): Promise<string> {
  return (await handle.describe()).status.name;
}

/** The run's requested notice has been tried against the refusing SMTP server at least once. */
async function noticeFailed(handle: Handle): Promise<void> {
  await eventually(
    async () => ((await notices(handle.workflowId)).some((n) => n.kind === 'approval.requested' && n.status === 'FAILED') ? true : undefined),
    30_000,
    'the approval notice failed once',
  );
}

const crossedFor = (workflowId: string) => h.smtp.messages.filter((m) => m.headers.get('x-retail-ops-key')?.toString().startsWith(`${workflowId}:`));

describe('approver notices through an SMTP outage', () => {
  test('decided while SMTP is down: the unsent "approval needed" email is withdrawn, never sent late, and the run then closes', async () => {
    const s = await createPricingScenario(h.db);
    h.smtp.refuseConnections = true;
    const handle = await start(s);
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await noticeFailed(handle);

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: categoryManager(s) }] });
    const result = await handle.result();
    finished.push({ name: 'price-change-notice-withdrawn', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    const rows = await notices(handle.workflowId);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((n) => n.kind === 'approval.requested' && n.status === 'WITHDRAWN')).toBe(true);

    h.smtp.refuseConnections = false;
    expect(crossedFor(handle.workflowId)).toEqual([]);
  });

  test('expired while SMTP is down: the run waits for SMTP, then the "approval expired" email crosses once and the run closes', async () => {
    const s = await createPricingScenario(h.db);
    h.smtp.refuseConnections = true;
    const handle = await start(s, { ...FAST, escalateAfterMs: 1000, reminderBeforeMs: 0, expireAfterMs: 1500 });
    await stateWhen(handle, (x) => x.stage === 'expired', 'expired');
    await eventually(
      async () => ((await notices(handle.workflowId)).some((n) => n.kind === 'approval.expired' && n.status === 'FAILED') ? true : undefined),
      30_000,
      'the expiry notice failed once',
    );
    expect(await runStatus(handle)).toBe('RUNNING');

    h.smtp.refuseConnections = false;
    const result = await handle.result();
    finished.push({ name: 'price-change-notice-expired-smtp-down', workflowId: handle.workflowId });
    expect(result.stage).toBe('expired');
    const rows = await notices(handle.workflowId);
    const expired = rows.filter((n) => n.kind === 'approval.expired');
    expect(expired.length).toBeGreaterThan(0);
    expect(expired.every((n) => n.status === 'SENT')).toBe(true);
    expect(rows.filter((n) => n.kind !== 'approval.expired').every((n) => n.status === 'WITHDRAWN')).toBe(true);
    const crossed = crossedFor(handle.workflowId).filter((m) => m.subject.startsWith('Approval'));
    expect(crossed.map((m) => m.subject.split(':')[0])).toEqual(expired.map(() => 'Approval expired'));
  });

  test('cancelled while SMTP is down: the pending notice is withdrawn, the run ends cancelled', async () => {
    const s = await createPricingScenario(h.db);
    h.smtp.refuseConnections = true;
    const handle = await start(s);
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await noticeFailed(handle);

    await handle.signal(cancelRequestSignal, { reason: 'Supplier cost changed', actorId: s.people.ops.id, requestedAt: new Date().toISOString() });
    await handle.cancel();
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    finished.push({ name: 'price-change-notice-cancelled', workflowId: handle.workflowId });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const rows = await notices(handle.workflowId);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((n) => n.status === 'WITHDRAWN')).toBe(true);

    h.smtp.refuseConnections = false;
    expect(crossedFor(handle.workflowId)).toEqual([]);
  });

  test('SMTP back before the decision: the notice crosses exactly once, as it always did', async () => {
    const s = await createPricingScenario(h.db);
    h.smtp.refuseConnections = true;
    const handle = await start(s);
    await noticeFailed(handle);
    h.smtp.refuseConnections = false;
    await eventually(
      async () => ((await notices(handle.workflowId)).some((n) => n.status === 'SENT') ? true : undefined),
      60_000,
      'the notice sent once SMTP is back',
    );
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: categoryManager(s) }] });
    await handle.result();
    const rows = await notices(handle.workflowId);
    expect(rows.every((n) => n.status === 'SENT')).toBe(true);
    const crossed = crossedFor(handle.workflowId);
    expect(crossed.length).toBe(rows.length);
    expect(new Set(crossed.map((m) => m.headers.get('x-retail-ops-key'))).size).toBe(crossed.length);
  });
});
