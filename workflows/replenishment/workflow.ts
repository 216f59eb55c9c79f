/**
 * Replenishment of one store for one day: plan every SKU in batches (forecast, safety stock,
 * reorder point, pack rounding), one draft purchase order per supplier, approval by value tier,
 * send each approved PO to its supplier exactly once, wait for the acknowledgment and the
 * receipts, and book them into stock. Each PO runs its own course beside the others.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type * as planningActivities from '../../activities/replenishment/planning';
import type * as orderActivities from '../../activities/replenishment/purchase-orders';
import type { DraftOrder, StoreContext } from '../../activities/replenishment/purchase-orders';
import type { ApproverSpec } from '../../domain/approval';
import {
  applyQuantityEdits,
  applySupplierEvent,
  checkQuantityEdits,
  checkSupplierEvent,
  fullySettled,
  orderValue,
  type OrderLine,
  type QuantityEdit,
  type SupplierEventInput,
  type SupplierStage,
} from '../../domain/purchase-orders';
import { approvalTierFor, DEFAULT_APPROVAL_THRESHOLDS, type ApprovalTier } from '../../domain/reorder';
import { boundedCount, forEachBounded } from '../../domain/batching';
import { findTextProblems } from '../../domain/storable-text';
import { formatMoney, pluralise } from '../../domain/text';
import type { ApprovalGates, DecisionInput, GateLevel, PayloadProblem } from '../shared/approval-gate';
import { failureMessage, runProcess, type ProcessRun } from '../shared/process-run';
import { StoreId } from '../shared/search-attributes';
import { named, timer } from '../shared/summaries';
import { formatShortTime } from '../../domain/run-summaries';
import { DAY } from '../shared/durations';
import {
  CLOSED,
  DEFAULT_PLANNING_CONCURRENCY,
  DEFAULT_REPLENISHMENT_TIMING,
  PROCESS_TYPE,
  type PurchaseOrderStage,
  type PurchaseOrderState,
  type ReplenishmentInput,
  type ReplenishmentState,
  replenishmentStateQuery,
  type ReplenishmentTiming,
  SupplierEventErrors,
  supplierEventUpdate,
} from './messages';

const planningOptions: wf.ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['StoreNotFound', 'InvalidPlanningInput'] },
};
const planning = wf.proxyActivities<ReturnType<typeof planningActivities.createReplenishmentPlanningActivities>>(planningOptions);

const orderOptions: wf.ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['PurchaseOrderNotFound', 'StoreNotFound'] },
};
const orders = wf.proxyActivities<ReturnType<typeof orderActivities.createPurchaseOrderActivities>>(orderOptions);

/**
 * Planning's short database steps (store context, the SKU ranges, the drafts read back) run as
 * local activities, inside the workflow task; the batches run side by side, a few per run, each over
 * a range of SKUs cut up front. Runs started before this plan in sequence, as recorded.
 */
const CONCURRENT_PLANNING_PATCH = 'replenishment-concurrent-planning';
const localOrders = wf.proxyLocalActivities<ReturnType<typeof orderActivities.createPurchaseOrderActivities>>(orderOptions);
const localPlanning = wf.proxyLocalActivities<ReturnType<typeof planningActivities.createReplenishmentPlanningActivities>>({
  startToCloseTimeout: '1 minute',
  retry: planningOptions.retry,
});
/** Batches side by side: on a cancel, the ones running are waited for, so no draft appears after the drafts are cancelled. */
const planningBatches = wf.proxyActivities<ReturnType<typeof planningActivities.createReplenishmentPlanningActivities>>({
  ...planningOptions,
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
const DEFAULT_BATCH_SIZE = 500;

export async function replenishment(input: ReplenishmentInput): Promise<ReplenishmentState> {
  const view = (po: PurchaseOrderState, gates: ApprovalGates): PurchaseOrderState => {
    const lines = currentLines(po, gates);
    return { ...po, lines, totalValue: orderValue(lines), lineCount: lines.filter((l) => l.quantity > 0).length };
  };
  return runProcess(
    initialState(input),
    {
      processType: PROCESS_TYPE,
      stateQuery: replenishmentStateQuery,
      searchAttributes: [{ key: StoreId, value: input.storeId }],
      upsertStageOnlyWhenChanged: true,
      view: (state, gates) => {
        const pos = state.purchaseOrders.map((po) => view(po, gates));
        const byStage: Partial<Record<PurchaseOrderStage, number>> = {};
        for (const po of pos) byStage[po.stage] = (byStage[po.stage] ?? 0) + 1;
        const pending = gates.pending();
        return {
          ...state,
          purchaseOrders: pos,
          pendingApprovals: pending,
          totals: {
            purchaseOrders: pos.length,
            lines: pos.reduce((n, p) => n + p.lineCount, 0),
            value: Math.round(pos.reduce((v, p) => v + p.totalValue, 0) * 100) / 100,
            byStage,
          },
        };
      },
    },
    (run) => replenish(input, run),
  );
}

function initialState(input: ReplenishmentInput): ReplenishmentState {
  return {
    stage: 'planning',
    storeId: input.storeId,
    storeName: null,
    regionId: null,
    asOf: input.asOf,
    planning: { skusTotal: 0, skusExamined: 0, batches: 0, linesPlanned: 0 },
    purchaseOrders: [],
    pendingApproval: null,
    pendingApprovals: [],
    decisions: [],
    totals: { purchaseOrders: 0, lines: 0, value: 0, byStage: {} },
    failure: null,
    cancellation: null,
  };
}

/** Lines as they stand, approvers' edits (absolute quantities) applied in decision order. */
function currentLines(po: PurchaseOrderState, gates: ApprovalGates): OrderLine[] {
  let lines = po.lines;
  for (const d of gates.decisions()) {
    if (d.subjectId === po.id && d.decision === 'approve' && isEditList(d.payload?.lines)) lines = applyQuantityEdits(lines, d.payload.lines);
  }
  return lines;
}

/** One replenishment as it runs: its input, settings and skeleton, and the stage of the whole from its purchase orders'. */
interface Replenishment {
  input: ReplenishmentInput;
  run: ProcessRun<ReplenishmentState>;
  workflowId: string;
  processPath: string;
  timing: ReplenishmentTiming;
  thresholds: NonNullable<ReplenishmentInput['thresholds']>;
  setPoStage: (po: PurchaseOrderState, stage: PurchaseOrderStage) => void;
}

/** Plan, then order: every purchase order approved, sent and tracked side by side; then the summary. */
async function replenish(input: ReplenishmentInput, run: ProcessRun<ReplenishmentState>): Promise<ReplenishmentState> {
  const { workflowId } = wf.workflowInfo();
  const { state } = run;
  const refreshStage = () => {
    if (['cancelling', 'cancelled', 'failed', 'planning'].includes(state.stage)) return;
    const pos = state.purchaseOrders;
    if (pos.some((p) => p.stage === 'awaiting_approval')) run.setStage('awaiting_approval');
    else if (pos.some((p) => !CLOSED.includes(p.stage))) run.setStage('ordering');
    else run.setStage('completed');
  };
  const r: Replenishment = {
    input,
    run,
    workflowId,
    processPath: `/api/v1/replenishments/${workflowId}`,
    timing: { ...DEFAULT_REPLENISHMENT_TIMING, ...input.timing },
    thresholds: input.thresholds ?? DEFAULT_APPROVAL_THRESHOLDS,
    setPoStage: (po, stage) => {
      po.stage = stage;
      refreshStage();
    },
  };
  handleSupplierEvents(r);

  try {
    const { store, drafts } = wf.patched(CONCURRENT_PLANNING_PATCH) ? await planConcurrently(r) : await planInSequence(r);
    for (const d of drafts) state.purchaseOrders.push(newOrderState(d, approvalTierFor(d.totalValue, r.thresholds)));
    if (drafts.length === 0) {
      run.setStage('nothing_to_order');
      return run.snapshot();
    }
    run.setStage('ordering');
    refreshStage();

    const results = await Promise.allSettled(state.purchaseOrders.map((po) => runPurchaseOrder(r, po, store)));
    const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    // The decision or supplier event that closed the last PO is still being written down.
    await wf.condition(wf.allHandlersFinished);
    refreshStage();
    await notifyStoreManagers({
      workflowId,
      storeId: input.storeId,
      step: 'summary',
      subject: `Replenishment ${input.asOf} for ${store.name}: ${summaryLine(run.snapshot())}`,
      lines: run.snapshot().purchaseOrders.map((p) => `${p.id} (${p.supplierName}): ${p.stage.replace(/_/g, ' ')}, ${formatMoney(p.totalValue)}`),
    });
    return run.snapshot();
  } catch (err) {
    return await run.end(err, { type: 'ReplenishmentFailed', message: () => `Replenishment failed: ${state.failure}` }, async ({ cancelled, reason }) => {
      state.failure = reason;
      await cancelOpenOrders(r, cancelled);
    });
  }
}

/** The store, then its SKUs planned batch after batch, then the drafts read back (runs started before CONCURRENT_PLANNING_PATCH). */
async function planInSequence(r: Replenishment): Promise<{ store: StoreContext; drafts: DraftOrder[] }> {
  const { state } = r.run;
  const store = await named(orders.loadStoreContext, `Read store ${r.input.storeId}`)({ storeId: r.input.storeId });
  state.storeName = store.name;
  state.regionId = store.regionId;
  await plan(r);
  const drafts = await named(orders.loadDraftOrders, 'Read the draft purchase orders')({ workflowId: r.workflowId });
  return { store, drafts };
}

/**
 * The store and its SKU ranges together, then the ranges' batches a few at a time (every SKU in
 * exactly one), then the drafts read back. The lines and their rationale go to Postgres, only
 * counts come back.
 */
async function planConcurrently(r: Replenishment): Promise<{ store: StoreContext; drafts: DraftOrder[] }> {
  const { input } = r;
  const { state } = r.run;
  const progress = state.planning;
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const [store, partition] = await Promise.all([
    named(localOrders.loadStoreContext, `Read store ${input.storeId}`)({ storeId: input.storeId }),
    named(localPlanning.partitionStoreSkus, `Split ${input.storeId}'s SKUs into batches of ${batchSize}`)({ storeId: input.storeId, batchSize }),
  ]);
  state.storeName = store.name;
  state.regionId = store.regionId;
  progress.skusTotal = partition.skuCount;
  await forEachBounded(partition.ranges, boundedCount(input.planningConcurrency, DEFAULT_PLANNING_CONCURRENCY, 64), async (range) => {
    const batch = await named(
      planningBatches.planAndStageBatch,
      `Plan ${input.storeId}'s SKUs ${range.afterSku ? `after ${range.afterSku}` : 'from the first'} ${range.throughSku ? `through ${range.throughSku}` : 'to the last'}`,
    )({
      storeId: input.storeId,
      asOf: input.asOf,
      afterSku: range.afterSku,
      throughSku: range.throughSku,
      batchSize,
      workflowId: r.workflowId,
      reviewPeriodDays: input.reviewPeriodDays,
      historyDays: input.historyDays,
    });
    progress.batches += 1;
    progress.skusExamined += batch.examined;
    progress.linesPlanned += batch.linesStaged;
  });
  // Stocked meanwhile, after the count: the open-ended last range planned it too.
  progress.skusTotal = Math.max(progress.skusTotal, progress.skusExamined);
  const drafts = await named(localOrders.loadDraftOrders, 'Read the draft purchase orders')({ workflowId: r.workflowId });
  return { store, drafts };
}

/** Plans in batches, one after the other; the lines and their rationale go to Postgres, only counts come back. */
async function plan(r: Replenishment): Promise<void> {
  const { input } = r;
  const progress = r.run.state.planning;
  progress.skusTotal = await named(planning.countStoreSkus, `Count ${input.storeId}'s SKUs`)({ storeId: input.storeId });
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  let afterSku: string | null = null;
  for (;;) {
    const batch: Awaited<ReturnType<typeof planning.planAndStageBatch>> = await named(
      planning.planAndStageBatch,
      `Plan ${input.storeId}'s next ${batchSize} SKUs ${afterSku ? `after ${afterSku}` : 'from the first'}`,
    )({
      storeId: input.storeId,
      asOf: input.asOf,
      afterSku,
      batchSize,
      workflowId: r.workflowId,
      reviewPeriodDays: input.reviewPeriodDays,
      historyDays: input.historyDays,
    });
    progress.batches += 1;
    progress.skusExamined += batch.examined;
    progress.linesPlanned += batch.linesStaged;
    afterSku = batch.lastSku;
    if (batch.examined < batchSize || afterSku === null) break;
  }
}

/** Cancelled or failed: every purchase order not yet closed is cancelled, and the store managers told. */
async function cancelOpenOrders(r: Replenishment, cancelled: boolean): Promise<void> {
  const { run, input, workflowId } = r;
  const { state } = run;
  run.setStage('cancelling');
  const open = state.purchaseOrders.filter((p) => !CLOSED.includes(p.stage));
  for (const po of open) {
    await named(
      orders.cancelPurchaseOrder,
      `Cancel ${po.id}`,
    )({ purchaseOrderId: po.id, workflowId, reason: state.failure ?? 'cancelled', actorId: state.cancellation?.actorId });
    po.stage = 'cancelled';
  }
  // Drafts that never reached a PO state of their own (planning was cut short).
  if (state.purchaseOrders.length === 0) {
    const drafts = await named(orders.loadDraftOrders, 'Read the draft purchase orders')({ workflowId });
    for (const d of drafts)
      await named(orders.cancelPurchaseOrder, `Cancel ${d.id}`)({ purchaseOrderId: d.id, workflowId, reason: state.failure ?? 'cancelled' });
  }
  await notifyStoreManagers({
    workflowId,
    storeId: input.storeId,
    step: cancelled ? 'cancelled' : 'failed',
    subject: `${cancelled ? 'Cancelled' : 'Failed'}: replenishment ${input.asOf} for ${state.storeName ?? input.storeId}`,
    lines: [state.failure ?? '', open.length ? `Cancelled purchase orders: ${open.map((p) => p.id).join(', ')}.` : 'No purchase order was open.'],
  });
  run.setStage(cancelled ? 'cancelled' : 'failed');
  await wf.condition(wf.allHandlersFinished);
}

/** Supplier acknowledgments, rejections and receipts, each applied once (by event id); bad events refused before they reach history. */
function handleSupplierEvents(r: Replenishment): void {
  const { state } = r.run;
  const seenEvents = new Set<string>();
  wf.setHandler(
    supplierEventUpdate,
    async (event) => {
      const po = state.purchaseOrders.find((p) => p.id === event.purchaseOrderId)!;
      if (seenEvents.has(event.eventId)) return { eventId: event.eventId, duplicate: true, purchaseOrderId: po.id, purchaseOrderStage: po.stage };
      // Another event may have been applied since this one was validated.
      assertEventFits(po, event);
      seenEvents.add(event.eventId);
      po.lines = applySupplierEvent(po.lines, event);
      po.events.push({ eventId: event.eventId, type: event.type, receivedAt: new Date(Date.now()).toISOString() });
      if (event.supplierReference && !po.supplierReference) po.supplierReference = event.supplierReference;
      r.setPoStage(po, stageAfterEvent(po, event));
      await named(orders.recordSupplierEvent, `Record ${po.supplierName}'s ${event.type.replace(/_/g, ' ')} of ${po.id}`)({ workflowId: r.workflowId, event });
      return { eventId: event.eventId, duplicate: false, purchaseOrderId: po.id, purchaseOrderStage: po.stage };
    },
    {
      validator: (event) => {
        // Refused before the handler applies it: the activity that books it could not store it.
        const unstorable = findTextProblems(event, 'body');
        if (unstorable.length > 0) {
          throw ApplicationFailure.create({
            message: unstorable.map((p) => `${p.field} ${p.message}`).join('; '),
            type: SupplierEventErrors.invalid,
            nonRetryable: true,
            details: [{ field: unstorable[0]!.field }],
          });
        }
        const po = state.purchaseOrders.find((p) => p.id === event.purchaseOrderId);
        if (!po) {
          throw ApplicationFailure.create({
            message: `${event.purchaseOrderId} is not a purchase order of ${r.workflowId}.`,
            type: SupplierEventErrors.unknownPurchaseOrder,
            nonRetryable: true,
          });
        }
        if (seenEvents.has(event.eventId)) return;
        assertEventFits(po, event);
      },
    },
  );
}

function assertEventFits(po: PurchaseOrderState, event: SupplierEventInput): void {
  const check = checkSupplierEvent(supplierStage(po.stage), po.lines, event);
  if (check.ok) return;
  throw ApplicationFailure.create({
    message: check.message,
    type: check.code === 'wrong_stage' ? SupplierEventErrors.wrongStage : SupplierEventErrors.invalid,
    nonRetryable: true,
    details: [{ field: check.field }],
  });
}

/** One purchase order: approved (automatically or by tier), sent to the supplier, tracked to receipt. */
async function runPurchaseOrder(r: Replenishment, po: PurchaseOrderState, store: StoreContext): Promise<void> {
  if (po.tier === 'auto') {
    await setPoStatus({
      purchaseOrderId: po.id,
      workflowId: r.workflowId,
      from: ['DRAFT'],
      to: 'APPROVED',
      approvalTier: po.tier,
      actorId: 'system',
      note: `Worth ${formatMoney(po.plannedValue)}, within the ${formatMoney(r.thresholds.storeManagerAbove)} approved automatically.`,
    });
    po.approvedBy.push('system:auto');
    r.setPoStage(po, 'approved');
  } else {
    await setPoStatus({ purchaseOrderId: po.id, workflowId: r.workflowId, from: ['DRAFT'], to: 'PENDING_APPROVAL', approvalTier: po.tier });
    const approved = await approve(r, po, store);
    if (!approved) return;
  }
  await send(r, po, store);
}

/** The PO's approval by tier; true when approved (edits applied), false when it ended otherwise. */
async function approve(r: Replenishment, po: PurchaseOrderState, store: StoreContext): Promise<boolean> {
  const storeManager: ApproverSpec = { role: 'store_manager', scope: { storeId: store.storeId, regionId: store.regionId } };
  const regional: ApproverSpec = { role: 'regional_manager', scope: { storeId: store.storeId, regionId: store.regionId } };
  const levels: GateLevel[] =
    po.tier === 'store_manager'
      ? [{ label: 'store manager', approvers: [storeManager] }]
      : [
          { label: 'store manager', approvers: [storeManager], handOverWhenDue: true },
          { label: 'regional manager', approvers: [regional] },
        ];
  const ceiling = po.tier === 'store_manager' ? r.thresholds.regionalAbove : undefined;
  const biggest = [...po.lines].sort((a, b) => b.quantity * b.unitCost - a.quantity * a.unitCost).slice(0, 5);
  const outcome = await r.run.gates.run({
    processType: PROCESS_TYPE,
    path: r.processPath,
    subjectType: 'purchase_order',
    subjectId: po.id,
    title: `${po.id}: ${formatMoney(po.plannedValue)} to ${po.supplierName} for ${store.name}`,
    summaryLines: [
      `${pluralise(po.lineCount, 'line')} worth ${formatMoney(po.plannedValue)} (${po.tier === 'store_manager' ? 'store manager approval' : 'store manager, then regional manager'}).`,
      ...biggest.map((l) => `${l.sku}: ${l.quantity} × ${formatMoney(l.unitCost)}`),
      `Approve, reject, or approve with edited quantities (purchaseOrderId ${po.id}).`,
    ],
    levels,
    escalateTo: [regional],
    timeouts: { escalateAfterMs: r.timing.escalateAfterMs, reminderBeforeMs: r.timing.reminderBeforeMs, expireAfterMs: r.timing.expireAfterMs },
    requestedBy: r.input.requestedBy,
    details: {
      purchaseOrderId: po.id,
      storeId: store.storeId,
      supplierId: po.supplierId,
      supplierName: po.supplierName,
      totalValue: po.plannedValue,
      lineCount: po.lineCount,
      tier: po.tier,
      largestLines: biggest.map((l) => ({ sku: l.sku, quantity: l.quantity, unitCost: l.unitCost })),
    },
    isOverride: (d) => d.payload?.lines !== undefined,
    validatePayload: (d) => editProblem(po, d, ceiling),
  });

  switch (outcome.status) {
    case 'approved': {
      for (const d of outcome.decisions) {
        if (d.decision !== 'approve') continue;
        po.approvedBy.push(d.actorId);
        if (!isEditList(d.payload?.lines)) continue;
        po.lines = applyQuantityEdits(po.lines, d.payload.lines);
        await named(
          orders.applyQuantityEdits,
          `Apply ${d.actorId}'s quantity edits to ${po.id}`,
        )({
          purchaseOrderId: po.id,
          workflowId: r.workflowId,
          decisionId: `${outcome.requestId}:L${d.level}`,
          actorId: d.actorId,
          edits: d.payload.lines,
        });
      }
      await setPoStatus({
        purchaseOrderId: po.id,
        workflowId: r.workflowId,
        from: ['PENDING_APPROVAL'],
        to: 'APPROVED',
        actorId: outcome.finalDecision?.actorId,
      });
      r.setPoStage(po, 'approved');
      return true;
    }
    case 'rejected': {
      const d = outcome.decisions[outcome.decisions.length - 1];
      await setPoStatus({
        purchaseOrderId: po.id,
        workflowId: r.workflowId,
        from: ['PENDING_APPROVAL'],
        to: 'REJECTED',
        actorId: d?.actorId,
        note: d?.comment,
      });
      r.setPoStage(po, 'rejected');
      return false;
    }
    case 'expired': {
      await setPoStatus({
        purchaseOrderId: po.id,
        workflowId: r.workflowId,
        from: ['PENDING_APPROVAL'],
        to: 'CANCELLED',
        actorId: 'system',
        note: 'No decision by the final deadline.',
      });
      r.setPoStage(po, 'expired');
      await notifyStoreManagers({
        workflowId: r.workflowId,
        storeId: store.storeId,
        step: `expired:${po.id}`,
        includeRegional: true,
        subject: `Cancelled, not decided in time: ${po.id} to ${po.supplierName}`,
        lines: [
          `${po.id} (${formatMoney(po.plannedValue)}, ${pluralise(po.lineCount, 'line')}) was not decided by its final deadline and has been cancelled.`,
          'Its quantities will be planned again in the next replenishment run.',
        ],
      });
      return false;
    }
    case 'cancelled':
      throw new wf.CancelledFailure('Replenishment cancelled while awaiting approval.');
  }
}

/** Sends the PO to the supplier, then waits for its acknowledgment and receipts (closing it short when they do not come). */
async function send(r: Replenishment, po: PurchaseOrderState, store: StoreContext): Promise<void> {
  r.setPoStage(po, 'sending');
  const supplier = wf.proxyActivities<ReturnType<typeof orderActivities.createPurchaseOrderActivities>>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: r.timing.sendGiveUpAfterMs,
    // The workflow learns whether the supplier took the order even when it is being cancelled.
    cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: ['SupplierRefusedOrder', 'PurchaseOrderNotApproved', 'PurchaseOrderNotFound'],
    },
  });
  try {
    const sent = await named(supplier.sendPurchaseOrder, `Send ${po.id} to ${po.supplierName}`)({ purchaseOrderId: po.id, workflowId: r.workflowId });
    po.supplierReference = sent.supplierReference;
    po.sentAt = sent.sentAt;
  } catch (err) {
    if (isCancellation(err)) throw err;
    po.alerts.push(`Not sent: ${failureMessage(err)}`);
    await setPoStatus({
      purchaseOrderId: po.id,
      workflowId: r.workflowId,
      from: ['APPROVED'],
      to: 'CANCELLED',
      actorId: 'system',
      note: failureMessage(err),
    });
    r.setPoStage(po, 'send_failed');
    await notifyStoreManagers({
      workflowId: r.workflowId,
      storeId: r.input.storeId,
      step: `send-failed:${po.id}`,
      subject: `Not sent: ${po.id} to ${po.supplierName}`,
      lines: [
        `${po.id} could not be sent to ${po.supplierName}: ${failureMessage(err)}`,
        'It has been cancelled; its quantities will be planned again in the next run.',
      ],
    });
    return;
  }
  if (po.stage === 'sending') r.setPoStage(po, 'awaiting_acknowledgment');

  const sentAt = Date.parse(po.sentAt!);
  po.acknowledgmentDueAt = new Date(sentAt + r.timing.acknowledgmentTimeoutMs).toISOString();
  const receiptDue = sentAt + (r.timing.receiptTimeoutMs ?? po.leadTimeDays * DAY + r.timing.receiptGraceMs);
  po.receiptDueAt = new Date(receiptDue).toISOString();

  const acknowledged = await wf.condition(
    () => po.stage !== 'awaiting_acknowledgment',
    Math.max(1, sentAt + r.timing.acknowledgmentTimeoutMs - Date.now()),
    timer(`Wait for ${po.supplierName} to acknowledge ${po.id}, until ${formatShortTime(po.acknowledgmentDueAt, store.timezone)}`),
  );
  if (!acknowledged) {
    po.alerts.push(`No acknowledgment by ${po.acknowledgmentDueAt}`);
    void notifyStoreManagers({
      workflowId: r.workflowId,
      storeId: r.input.storeId,
      step: `acknowledgment-overdue:${po.id}`,
      subject: `No acknowledgment yet: ${po.id} to ${po.supplierName}`,
      lines: [
        `${po.supplierName} has not acknowledged ${po.id} (supplier reference ${po.supplierReference ?? 'n/a'}), sent ${po.sentAt}.`,
        'Please contact the supplier; receipts are still awaited.',
      ],
    }).catch(() => undefined);
  }
  const settled = await wf.condition(
    () => CLOSED.includes(po.stage),
    Math.max(1, receiptDue - Date.now()),
    timer(`Wait for the deliveries of ${po.id} from ${po.supplierName}, until ${formatShortTime(receiptDue, store.timezone)}`),
  );
  if (settled) return;
  const closed = await named(
    orders.closePurchaseOrderShort,
    `Close ${po.id} short: receipts not complete`,
  )({
    purchaseOrderId: po.id,
    workflowId: r.workflowId,
    reason: `Receipts not complete by ${po.receiptDueAt}`,
  });
  if (!CLOSED.includes(po.stage)) {
    po.alerts.push(`Closed short on ${new Date(Date.now()).toISOString()}`);
    r.setPoStage(po, closed.status === 'CANCELLED' ? 'cancelled' : 'closed_short');
    await notifyStoreManagers({
      workflowId: r.workflowId,
      storeId: r.input.storeId,
      step: `closed-short:${po.id}`,
      subject: `Closed short: ${po.id} from ${po.supplierName}`,
      lines: [`${po.id} was not fully received by ${po.receiptDueAt}; what has not arrived is no longer counted on order.`],
    });
  }
}

type OrderActivities = ReturnType<typeof orderActivities.createPurchaseOrderActivities>;

function setPoStatus(args: Parameters<OrderActivities['setPurchaseOrderStatus']>[0]) {
  return named(orders.setPurchaseOrderStatus, `Mark ${args.purchaseOrderId} ${args.to.toLowerCase().replace(/_/g, ' ')}`)(args);
}

function notifyStoreManagers(args: Parameters<OrderActivities['notifyStoreManagers']>[0]) {
  return named(orders.notifyStoreManagers, `Email ${args.storeId}'s managers${args.includeRegional ? ' and regional manager' : ''}: ${args.subject}`)(args);
}

function newOrderState(d: DraftOrder, tier: ApprovalTier): PurchaseOrderState {
  return {
    id: d.id,
    supplierId: d.supplierId,
    supplierName: d.supplierName,
    leadTimeDays: d.leadTimeDays,
    tier,
    stage: tier === 'auto' ? 'approved' : 'awaiting_approval',
    plannedValue: d.totalValue,
    totalValue: d.totalValue,
    lineCount: d.lines.length,
    lines: d.lines,
    approvedBy: [],
    supplierReference: null,
    sentAt: null,
    acknowledgmentDueAt: null,
    receiptDueAt: null,
    events: [],
    alerts: [],
  };
}

function isEditList(value: unknown): value is QuantityEdit[] {
  return (
    Array.isArray(value) &&
    value.every((e) => e && typeof e === 'object' && typeof (e as QuantityEdit).sku === 'string' && typeof (e as QuantityEdit).quantity === 'number')
  );
}

function editProblem(po: PurchaseOrderState, d: DecisionInput, ceiling: number | undefined): PayloadProblem[] | undefined {
  const edits = d.payload?.lines;
  if (edits === undefined) return undefined;
  if (!isEditList(edits)) return [{ field: 'body.lines', message: 'must be a list of { sku, quantity }' }];
  return checkQuantityEdits(po.lines, edits, ceiling).map((p) => ({
    field: p.index === undefined ? 'body.lines' : `body.lines[${p.index}].${p.field}`,
    message: p.message,
  }));
}

function supplierStage(stage: PurchaseOrderStage): SupplierStage {
  switch (stage) {
    case 'awaiting_approval':
    case 'approved':
      return 'not_sent';
    case 'sending':
    case 'awaiting_acknowledgment':
      return 'sent';
    case 'acknowledged':
      return 'acknowledged';
    case 'partially_received':
      return 'partially_received';
    default:
      return 'closed';
  }
}

function stageAfterEvent(po: PurchaseOrderState, event: SupplierEventInput): PurchaseOrderStage {
  const anyReceived = po.lines.some((l) => l.received > 0);
  if (fullySettled(po.lines)) return anyReceived ? 'received' : 'rejected_by_supplier';
  if (anyReceived) return 'partially_received';
  return event.type === 'acknowledged' ? 'acknowledged' : po.stage;
}

function summaryLine(s: ReplenishmentState): string {
  const parts = Object.entries(s.totals.byStage).map(([stage, n]) => `${n} ${stage.replace(/_/g, ' ')}`);
  return `${pluralise(s.totals.purchaseOrders, 'purchase order')} (${parts.join(', ')})`;
}
