/** The replenishment process's messages: its input, state and stages, the queries, signals and updates the API uses, its workflow ID. */
import * as wf from '@temporalio/workflow';
import { type OrderLine, type SupplierEventInput } from '../../domain/purchase-orders';
import { type ApprovalTier } from '../../domain/reorder';
import type { GateDecision, GateTimeouts, PendingApproval } from '../shared/approval-gate';
import type { CancelRequest } from '../shared/cancellation';
import { DAY, HOUR } from '../shared/durations';

export const PROCESS_TYPE = 'replenishment';

export function replenishmentWorkflowId(storeId: string, asOf: string): string {
  return `replenishment-${storeId}-${asOf}`;
}

/** The approval's due time, reminder and final deadline (GateTimeouts), and the process's own. */
export interface ReplenishmentTiming extends GateTimeouts {
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

/** Planning batches in flight per run by default; the worker's activity slots bound them across runs. */
export const DEFAULT_PLANNING_CONCURRENCY = 4;

export interface ReplenishmentInput {
  storeId: string;
  /** Planning day, yyyy-mm-dd (store-local). */
  asOf: string;
  requestedBy: string;
  timing?: Partial<ReplenishmentTiming>;
  /** SKUs per planning activity. */
  batchSize?: number;
  /** Planning activities in flight at a time (default DEFAULT_PLANNING_CONCURRENCY). */
  planningConcurrency?: number;
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

/** The stages a purchase order ends in. */
export const CLOSED: readonly PurchaseOrderStage[] = ['received', 'rejected', 'expired', 'rejected_by_supplier', 'closed_short', 'send_failed', 'cancelled'];

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
