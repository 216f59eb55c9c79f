/**
 * Replenishment of one store for one day: plan every SKU in batches (forecast, safety stock,
 * reorder point, pack rounding), one draft purchase order per supplier, approval by value tier,
 * send each approved PO to its supplier exactly once, wait for the acknowledgment and the
 * receipts, and book them into stock. Each PO runs its own course beside the others.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
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
import { findTextProblems } from '../../domain/storable-text';
import { formatMoney, pluralise } from '../../domain/text';
import {
  ApprovalGates,
  withApprovalGates,
  type DecisionInput,
  type GateDecision,
  type GateLevel,
  type PayloadProblem,
  type PendingApproval,
} from '../shared/approval-gate';
import { cancelRequestSignal, storableCancelRequest, type CancelRequest } from '../shared/cancellation';
import { BusinessStatus, ProcessType, StoreId } from '../shared/search-attributes';

export const PROCESS_TYPE = 'replenishment';

export function replenishmentWorkflowId(storeId: string, asOf: string): string {
  return `replenishment-${storeId}-${asOf}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ReplenishmentTiming {
  /** From a level's opening to its due time (escalation or hand-over to the next level). */
  escalateAfterMs: number;
  reminderBeforeMs: number;
  /** From a level's opening to the final deadline: the PO is cancelled and reported. */
  expireAfterMs: number;
  /** From sending to the acknowledgment alert. */
  acknowledgmentTimeoutMs: number;
  /** Past the supplier's lead time, how long receipts are awaited before the PO is closed short. */
  receiptGraceMs: number;
  /** Overrides lead time + grace (tests). */
  receiptTimeoutMs?: number;
  /** How long a PO is retried against a supplier system that is down. */
  sendGiveUpAfterMs: number;
}

export const DEFAULT_REPLENISHMENT_TIMING: ReplenishmentTiming = {
  escalateAfterMs: 4 * HOUR,
  reminderBeforeMs: 1 * HOUR,
  expireAfterMs: 24 * HOUR,
  acknowledgmentTimeoutMs: 24 * HOUR,
  receiptGraceMs: 7 * DAY,
  sendGiveUpAfterMs: 1 * DAY,
};

export interface ReplenishmentInput {
  storeId: string;
  /** Planning day, yyyy-mm-dd (store-local). */
  asOf: string;
  requestedBy: string;
  timing?: Partial<ReplenishmentTiming>;
  /** SKUs per planning activity. */
  batchSize?: number;
  thresholds?: { storeManagerAbove: number; regionalAbove: number };
  reviewPeriodDays?: number;
  historyDays?: number;
}

export type PurchaseOrderStage =
  | 'awaiting_approval'
  | 'approved'
  | 'sending'
  | 'awaiting_acknowledgment'
  | 'acknowledged'
  | 'partially_received'
  | 'received'
  | 'rejected'
  | 'expired'
  | 'rejected_by_supplier'
  | 'closed_short'
  | 'send_failed'
  | 'cancelled';

const CLOSED: readonly PurchaseOrderStage[] = ['received', 'rejected', 'expired', 'rejected_by_supplier', 'closed_short', 'send_failed', 'cancelled'];

export interface PurchaseOrderState {
  id: string;
  supplierId: string;
  supplierName: string;
  leadTimeDays: number;
  tier: ApprovalTier;
  stage: PurchaseOrderStage;
  plannedValue: number;
  totalValue: number;
  lineCount: number;
  lines: OrderLine[];
  approvedBy: string[];
  supplierReference: string | null;
  sentAt: string | null;
  acknowledgmentDueAt: string | null;
  receiptDueAt: string | null;
  events: { eventId: string; type: string; receivedAt: string }[];
  alerts: string[];
}

export type ReplenishmentStage = 'planning' | 'awaiting_approval' | 'ordering' | 'completed' | 'nothing_to_order' | 'cancelling' | 'cancelled' | 'failed';

export interface ReplenishmentState {
  stage: ReplenishmentStage;
  storeId: string;
  storeName: string | null;
  regionId: string | null;
  asOf: string;
  planning: { skusTotal: number; skusExamined: number; batches: number; linesPlanned: number };
  purchaseOrders: PurchaseOrderState[];
  pendingApproval: PendingApproval | null;
  pendingApprovals: PendingApproval[];
  decisions: (GateDecision & { subjectId: string })[];
  totals: { purchaseOrders: number; lines: number; value: number; byStage: Partial<Record<PurchaseOrderStage, number>> };
  failure: string | null;
  cancellation: CancelRequest | null;
}

export const replenishmentStateQuery = wf.defineQuery<ReplenishmentState>('state');

export interface SupplierEventReceipt {
  eventId: string;
  duplicate: boolean;
  purchaseOrderId: string;
  purchaseOrderStage: PurchaseOrderStage;
}

/** Supplier acknowledgments, rejections and receipts; the validator keeps bad events out of history. */
export const supplierEventUpdate = wf.defineUpdate<SupplierEventReceipt, [SupplierEventInput]>('supplierEvent');

/** Failure types of supplierEvent the API maps to HTTP statuses. */
export const SupplierEventErrors = {
  unknownPurchaseOrder: 'UnknownPurchaseOrder', // 404
  wrongStage: 'SupplierEventWrongStage', // 409
  invalid: 'InvalidSupplierEvent', // 400, details[0].field names the field
} as const;

const planning = wf.proxyActivities<ReturnType<typeof planningActivities.createReplenishmentPlanningActivities>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['StoreNotFound', 'InvalidPlanningInput'] },
});

const orders = wf.proxyActivities<ReturnType<typeof orderActivities.createPurchaseOrderActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['PurchaseOrderNotFound', 'StoreNotFound'] },
});

export async function replenishment(input: ReplenishmentInput): Promise<ReplenishmentState> {
  return withApprovalGates((gates) => replenish(input, gates));
}

async function replenish(input: ReplenishmentInput, gates: ApprovalGates): Promise<ReplenishmentState> {
  const { workflowId } = wf.workflowInfo();
  const timing: ReplenishmentTiming = { ...DEFAULT_REPLENISHMENT_TIMING, ...input.timing };
  const thresholds = input.thresholds ?? DEFAULT_APPROVAL_THRESHOLDS;
  const state: ReplenishmentState = {
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
  const processPath = `/api/v1/replenishments/${workflowId}`;
  const seenEvents = new Set<string>();

  // Lines as they stand, approvers' edits (absolute quantities) applied in decision order.
  const currentLines = (po: PurchaseOrderState): OrderLine[] => {
    let lines = po.lines;
    for (const d of gates.decisions()) {
      if (d.subjectId === po.id && d.decision === 'approve' && isEditList(d.payload?.lines)) lines = applyQuantityEdits(lines, d.payload.lines);
    }
    return lines;
  };
  const view = (po: PurchaseOrderState): PurchaseOrderState => {
    const lines = currentLines(po);
    return { ...po, lines, totalValue: orderValue(lines), lineCount: lines.filter((l) => l.quantity > 0).length };
  };
  const snapshot = (): ReplenishmentState => {
    const pos = state.purchaseOrders.map(view);
    const byStage: Partial<Record<PurchaseOrderStage, number>> = {};
    for (const po of pos) byStage[po.stage] = (byStage[po.stage] ?? 0) + 1;
    const pending = gates.pending();
    return {
      ...state,
      purchaseOrders: pos,
      pendingApproval: pending[0] ?? null,
      pendingApprovals: pending,
      decisions: gates.decisions(),
      totals: {
        purchaseOrders: pos.length,
        lines: pos.reduce((n, p) => n + p.lineCount, 0),
        value: Math.round(pos.reduce((v, p) => v + p.totalValue, 0) * 100) / 100,
        byStage,
      },
    };
  };
  wf.setHandler(replenishmentStateQuery, snapshot);
  wf.setHandler(cancelRequestSignal, (req) => {
    state.cancellation ??= storableCancelRequest(req);
  });

  const setStage = (stage: ReplenishmentStage) => {
    if (state.stage === stage) return;
    state.stage = stage;
    wf.upsertSearchAttributes([{ key: BusinessStatus, value: stage }]);
  };
  const refreshStage = () => {
    if (['cancelling', 'cancelled', 'failed', 'planning'].includes(state.stage)) return;
    const pos = state.purchaseOrders;
    if (pos.some((p) => p.stage === 'awaiting_approval')) setStage('awaiting_approval');
    else if (pos.some((p) => !CLOSED.includes(p.stage))) setStage('ordering');
    else setStage('completed');
  };
  const setPoStage = (po: PurchaseOrderState, stage: PurchaseOrderStage) => {
    po.stage = stage;
    refreshStage();
  };
  wf.upsertSearchAttributes([
    { key: ProcessType, value: PROCESS_TYPE },
    { key: StoreId, value: input.storeId },
    { key: BusinessStatus, value: state.stage },
  ]);

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
      setPoStage(po, stageAfterEvent(po, event));
      await orders.recordSupplierEvent({ workflowId, event });
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
            message: `${event.purchaseOrderId} is not a purchase order of ${workflowId}.`,
            type: SupplierEventErrors.unknownPurchaseOrder,
            nonRetryable: true,
          });
        }
        if (seenEvents.has(event.eventId)) return;
        assertEventFits(po, event);
      },
    },
  );

  const undecided: PurchaseOrderState[] = state.purchaseOrders;
  try {
    const store = await orders.loadStoreContext({ storeId: input.storeId });
    state.storeName = store.name;
    state.regionId = store.regionId;

    // Plan in batches; the lines and their rationale go to Postgres, only counts come back.
    state.planning.skusTotal = await planning.countStoreSkus({ storeId: input.storeId });
    const batchSize = input.batchSize ?? 500;
    let afterSku: string | null = null;
    for (;;) {
      const batch: Awaited<ReturnType<typeof planning.planAndStageBatch>> = await planning.planAndStageBatch({
        storeId: input.storeId,
        asOf: input.asOf,
        afterSku,
        batchSize,
        workflowId,
        reviewPeriodDays: input.reviewPeriodDays,
        historyDays: input.historyDays,
      });
      state.planning.batches += 1;
      state.planning.skusExamined += batch.examined;
      state.planning.linesPlanned += batch.linesStaged;
      afterSku = batch.lastSku;
      if (batch.examined < batchSize || afterSku === null) break;
    }

    const drafts = await orders.loadDraftOrders({ workflowId });
    for (const d of drafts) state.purchaseOrders.push(newOrderState(d, approvalTierFor(d.totalValue, thresholds)));
    if (drafts.length === 0) {
      setStage('nothing_to_order');
      return snapshot();
    }
    setStage('ordering');
    refreshStage();

    const results = await Promise.allSettled(state.purchaseOrders.map((po) => runPurchaseOrder(po, store)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // The decision or supplier event that closed the last PO is still being written down.
    await wf.condition(wf.allHandlersFinished);
    refreshStage();
    await orders.notifyStoreManagers({
      workflowId,
      storeId: input.storeId,
      step: 'summary',
      subject: `Replenishment ${input.asOf} for ${store.name}: ${summaryLine(snapshot())}`,
      lines: snapshot().purchaseOrders.map((p) => `${p.id} (${p.supplierName}): ${p.stage.replace(/_/g, ' ')}, ${formatMoney(p.totalValue)}`),
    });
    return snapshot();
  } catch (err) {
    const cancelled = isCancellation(err);
    state.failure = cancelled ? `Cancelled: ${state.cancellation?.reason ?? 'no reason given'}` : describe(err);
    gates.cancelAll();
    await CancellationScope.nonCancellable(async () => {
      setStage('cancelling');
      const open = undecided.filter((p) => !CLOSED.includes(p.stage));
      for (const po of open) {
        await orders.cancelPurchaseOrder({ purchaseOrderId: po.id, workflowId, reason: state.failure ?? 'cancelled', actorId: state.cancellation?.actorId });
        po.stage = 'cancelled';
      }
      // Drafts that never reached a PO state of their own (planning was cut short).
      if (state.purchaseOrders.length === 0) {
        const drafts = await orders.loadDraftOrders({ workflowId });
        for (const d of drafts) await orders.cancelPurchaseOrder({ purchaseOrderId: d.id, workflowId, reason: state.failure ?? 'cancelled' });
      }
      await orders.notifyStoreManagers({
        workflowId,
        storeId: input.storeId,
        step: cancelled ? 'cancelled' : 'failed',
        subject: `${cancelled ? 'Cancelled' : 'Failed'}: replenishment ${input.asOf} for ${state.storeName ?? input.storeId}`,
        lines: [state.failure ?? '', open.length ? `Cancelled purchase orders: ${open.map((p) => p.id).join(', ')}.` : 'No purchase order was open.'],
      });
      setStage(cancelled ? 'cancelled' : 'failed');
      await wf.condition(wf.allHandlersFinished);
    });
    if (cancelled) throw err;
    throw ApplicationFailure.nonRetryable(`Replenishment failed: ${state.failure}`, 'ReplenishmentFailed');
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

  async function runPurchaseOrder(po: PurchaseOrderState, store: StoreContext): Promise<void> {
    if (po.tier === 'auto') {
      await orders.setPurchaseOrderStatus({
        purchaseOrderId: po.id,
        workflowId,
        from: ['DRAFT'],
        to: 'APPROVED',
        approvalTier: po.tier,
        actorId: 'system',
        note: `Worth ${formatMoney(po.plannedValue)}, within the ${formatMoney(thresholds.storeManagerAbove)} approved automatically.`,
      });
      po.approvedBy.push('system:auto');
      setPoStage(po, 'approved');
    } else {
      await orders.setPurchaseOrderStatus({ purchaseOrderId: po.id, workflowId, from: ['DRAFT'], to: 'PENDING_APPROVAL', approvalTier: po.tier });
      const approved = await approve(po, store);
      if (!approved) return;
    }
    await send(po);
  }

  /** The PO's approval by tier; true when approved (edits applied), false when it ended otherwise. */
  async function approve(po: PurchaseOrderState, store: StoreContext): Promise<boolean> {
    const storeManager: ApproverSpec = { role: 'store_manager', scope: { storeId: store.storeId, regionId: store.regionId } };
    const regional: ApproverSpec = { role: 'regional_manager', scope: { storeId: store.storeId, regionId: store.regionId } };
    const levels: GateLevel[] =
      po.tier === 'store_manager'
        ? [{ label: 'store manager', approvers: [storeManager] }]
        : [
            { label: 'store manager', approvers: [storeManager], handOverWhenDue: true },
            { label: 'regional manager', approvers: [regional] },
          ];
    const ceiling = po.tier === 'store_manager' ? thresholds.regionalAbove : undefined;
    const biggest = [...po.lines].sort((a, b) => b.quantity * b.unitCost - a.quantity * a.unitCost).slice(0, 5);
    const outcome = await gates.run({
      processType: PROCESS_TYPE,
      path: processPath,
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
      timeouts: { escalateAfterMs: timing.escalateAfterMs, reminderBeforeMs: timing.reminderBeforeMs, expireAfterMs: timing.expireAfterMs },
      requestedBy: input.requestedBy,
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
          await orders.applyQuantityEdits({
            purchaseOrderId: po.id,
            workflowId,
            decisionId: `${outcome.requestId}:L${d.level}`,
            actorId: d.actorId,
            edits: d.payload.lines,
          });
        }
        await orders.setPurchaseOrderStatus({
          purchaseOrderId: po.id,
          workflowId,
          from: ['PENDING_APPROVAL'],
          to: 'APPROVED',
          actorId: outcome.finalDecision?.actorId,
        });
        setPoStage(po, 'approved');
        return true;
      }
      case 'rejected': {
        const d = outcome.decisions[outcome.decisions.length - 1];
        await orders.setPurchaseOrderStatus({
          purchaseOrderId: po.id,
          workflowId,
          from: ['PENDING_APPROVAL'],
          to: 'REJECTED',
          actorId: d?.actorId,
          note: d?.comment,
        });
        setPoStage(po, 'rejected');
        return false;
      }
      case 'expired': {
        await orders.setPurchaseOrderStatus({
          purchaseOrderId: po.id,
          workflowId,
          from: ['PENDING_APPROVAL'],
          to: 'CANCELLED',
          actorId: 'system',
          note: 'No decision by the final deadline.',
        });
        setPoStage(po, 'expired');
        await orders.notifyStoreManagers({
          workflowId,
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

  async function send(po: PurchaseOrderState): Promise<void> {
    setPoStage(po, 'sending');
    const supplier = wf.proxyActivities<ReturnType<typeof orderActivities.createPurchaseOrderActivities>>({
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: timing.sendGiveUpAfterMs,
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
      const sent = await supplier.sendPurchaseOrder({ purchaseOrderId: po.id, workflowId });
      po.supplierReference = sent.supplierReference;
      po.sentAt = sent.sentAt;
    } catch (err) {
      if (isCancellation(err)) throw err;
      po.alerts.push(`Not sent: ${describe(err)}`);
      await orders.setPurchaseOrderStatus({ purchaseOrderId: po.id, workflowId, from: ['APPROVED'], to: 'CANCELLED', actorId: 'system', note: describe(err) });
      setPoStage(po, 'send_failed');
      await orders.notifyStoreManagers({
        workflowId,
        storeId: input.storeId,
        step: `send-failed:${po.id}`,
        subject: `Not sent: ${po.id} to ${po.supplierName}`,
        lines: [
          `${po.id} could not be sent to ${po.supplierName}: ${describe(err)}`,
          'It has been cancelled; its quantities will be planned again in the next run.',
        ],
      });
      return;
    }
    if (po.stage === 'sending') setPoStage(po, 'awaiting_acknowledgment');

    const sentAt = Date.parse(po.sentAt!);
    po.acknowledgmentDueAt = new Date(sentAt + timing.acknowledgmentTimeoutMs).toISOString();
    const receiptDue = sentAt + (timing.receiptTimeoutMs ?? po.leadTimeDays * DAY + timing.receiptGraceMs);
    po.receiptDueAt = new Date(receiptDue).toISOString();

    const acknowledged = await wf.condition(() => po.stage !== 'awaiting_acknowledgment', Math.max(1, sentAt + timing.acknowledgmentTimeoutMs - Date.now()));
    if (!acknowledged) {
      po.alerts.push(`No acknowledgment by ${po.acknowledgmentDueAt}`);
      void orders
        .notifyStoreManagers({
          workflowId,
          storeId: input.storeId,
          step: `acknowledgment-overdue:${po.id}`,
          subject: `No acknowledgment yet: ${po.id} to ${po.supplierName}`,
          lines: [
            `${po.supplierName} has not acknowledged ${po.id} (supplier reference ${po.supplierReference ?? 'n/a'}), sent ${po.sentAt}.`,
            'Please contact the supplier; receipts are still awaited.',
          ],
        })
        .catch(() => undefined);
    }
    const settled = await wf.condition(() => CLOSED.includes(po.stage), Math.max(1, receiptDue - Date.now()));
    if (settled) return;
    const closed = await orders.closePurchaseOrderShort({ purchaseOrderId: po.id, workflowId, reason: `Receipts not complete by ${po.receiptDueAt}` });
    if (!CLOSED.includes(po.stage)) {
      po.alerts.push(`Closed short on ${new Date(Date.now()).toISOString()}`);
      setPoStage(po, closed.status === 'CANCELLED' ? 'cancelled' : 'closed_short');
      await orders.notifyStoreManagers({
        workflowId,
        storeId: input.storeId,
        step: `closed-short:${po.id}`,
        subject: `Closed short: ${po.id} from ${po.supplierName}`,
        lines: [`${po.id} was not fully received by ${po.receiptDueAt}; what has not arrived is no longer counted on order.`],
      });
    }
  }
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

function describe(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
