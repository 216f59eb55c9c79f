/**
 * The replenishment state as the API answers it: the workflow's state with every purchase order's
 * lines explained (rationale, 8 weeks of sales), its tier and why, and its approvals so far, all
 * read from Postgres (api/processes/replenishments/purchase-orders.ts).
 */
import type { Db } from '../../../platform/db';
import { processStateFields } from '../../schemas';
import { z } from '../../zod';
import type { ApprovalRow } from '../definition';
import { CancelRequestSchema, gateDecisionWith, pendingApprovalWith } from '../approval-schemas';
import { ApprovalStepSchema, LineExplanationSchema, PurchaseOrderContextSchema, readPurchaseOrderContexts, WeeklySalesSchema } from './purchase-orders';

export const ReplenishmentOrderLineSchema = z
  .object({
    sku: z.string(),
    quantity: z.number().int(),
    plannedQuantity: z.number().int(),
    unitCost: z.number(),
    packSize: z.number().int(),
    received: z.number().int(),
    rejected: z.number().int(),
    productName: z.string().nullable().optional().openapi({ description: 'Only with `include=context` (Postgres)' }),
    lineValue: z.number().optional().openapi({ description: 'Only with `include=context`' }),
    why: z.union([LineExplanationSchema, z.null()]).optional().openapi({
      description: 'Only with `include=context` (Postgres). The numbers behind the quantity; null only when Postgres has no rationale for the line',
    }),
    salesLast8Weeks: z.array(WeeklySalesSchema).optional().openapi({ description: 'Only with `include=context` (Postgres)' }),
  })
  .strict()
  .openapi('ReplenishmentOrderLine');

export const ReplenishmentPurchaseOrderSchema = z
  .object({
    id: z.string(),
    supplierId: z.string(),
    supplierName: z.string(),
    leadTimeDays: z.number(),
    tier: z.enum(['auto', 'store_manager', 'store_and_regional']),
    tierReason: z.string().optional().openapi({ description: 'Only with `include=context` (Postgres)' }),
    stage: z.string(),
    plannedValue: z.number(),
    totalValue: z.number(),
    lineCount: z.number().int(),
    lines: z.array(ReplenishmentOrderLineSchema),
    approvedBy: z.array(z.string()).openapi({
      description:
        'Who approved so far (`system:auto` for the auto tier); with `include=context`, each level as soon as it is decided, else as the workflow has recorded it',
    }),
    approvalSteps: z.array(ApprovalStepSchema).optional().openapi({ description: 'Only with `include=context` (Postgres)' }),
    supplierReference: z.string().nullable(),
    sentAt: z.string().nullable(),
    acknowledgmentDueAt: z.string().nullable(),
    receiptDueAt: z.string().nullable(),
    events: z.array(z.object({ eventId: z.string(), type: z.string(), receivedAt: z.string() }).strict()),
    alerts: z.array(z.string()),
  })
  .strict()
  .openapi('ReplenishmentPurchaseOrder');

const PO_STAGES = [
  'awaiting_approval',
  'approved',
  'sending',
  'awaiting_acknowledgment',
  'acknowledged',
  'partially_received',
  'received',
  'rejected',
  'expired',
  'rejected_by_supplier',
  'closed_short',
  'send_failed',
  'cancelled',
] as const;

/** A purchase order as the workflow keeps it (in its result; GET answers it with every line explained). */
const PurchaseOrderWorkflowStateSchema = z
  .object({
    id: z.string(),
    supplierId: z.string(),
    supplierName: z.string(),
    leadTimeDays: z.number(),
    tier: z.enum(['auto', 'store_manager', 'store_and_regional']),
    stage: z.enum(PO_STAGES),
    plannedValue: z.number(),
    totalValue: z.number(),
    lineCount: z.number().int(),
    lines: z.array(
      z
        .object({
          sku: z.string(),
          quantity: z.number().int(),
          plannedQuantity: z.number().int(),
          unitCost: z.number(),
          packSize: z.number().int(),
          received: z.number().int(),
          rejected: z.number().int(),
        })
        .strict(),
    ),
    approvedBy: z.array(z.string()),
    supplierReference: z.string().nullable(),
    sentAt: z.string().nullable(),
    acknowledgmentDueAt: z.string().nullable(),
    receiptDueAt: z.string().nullable(),
    events: z.array(z.object({ eventId: z.string(), type: z.string(), receivedAt: z.string() }).strict()),
    alerts: z.array(z.string()),
  })
  .strict()
  .openapi('PurchaseOrderWorkflowState');

const PurchaseOrderRequestDetailsSchema = z
  .object({
    purchaseOrderId: z.string(),
    storeId: z.string(),
    supplierId: z.string(),
    supplierName: z.string(),
    totalValue: z.number(),
    lineCount: z.number().int(),
    tier: z.enum(['auto', 'store_manager', 'store_and_regional']),
    largestLines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitCost: z.number() }).strict()),
  })
  .strict()
  .openapi('PurchaseOrderRequestDetails');

const PurchaseOrderPendingApprovalSchema = pendingApprovalWith('PurchaseOrderPendingApproval', PurchaseOrderRequestDetailsSchema);

/** The state the replenishment workflow keeps (its query and its result). */
export const ReplenishmentWorkflowStateSchema = z
  .object({
    stage: z.enum(['planning', 'awaiting_approval', 'ordering', 'completed', 'nothing_to_order', 'cancelling', 'cancelled', 'failed']),
    storeId: z.string(),
    storeName: z.string().nullable(),
    regionId: z.string().nullable(),
    asOf: z.string(),
    planning: z.object({ skusTotal: z.number().int(), skusExamined: z.number().int(), batches: z.number().int(), linesPlanned: z.number().int() }).strict(),
    purchaseOrders: z.array(PurchaseOrderWorkflowStateSchema),
    pendingApproval: z.union([PurchaseOrderPendingApprovalSchema, z.null()]),
    pendingApprovals: z.array(PurchaseOrderPendingApprovalSchema),
    decisions: z.array(
      gateDecisionWith(
        'PurchaseOrderDecision',
        z
          .object({
            lines: z
              .array(z.object({ sku: z.string(), quantity: z.number().int() }).strict())
              .optional()
              .openapi({ description: 'Quantity edits approved with the order' }),
          })
          .strict(),
      ),
    ),
    totals: z
      .object({ purchaseOrders: z.number().int(), lines: z.number().int(), value: z.number(), byStage: z.record(z.string(), z.number().int()) })
      .strict(),
    failure: z.string().nullable(),
    cancellation: z.union([CancelRequestSchema, z.null()]),
  })
  .strict()
  .openapi('ReplenishmentWorkflowState');

export const ReplenishmentStateSchema = z
  .object({
    ...processStateFields,
    ...ReplenishmentWorkflowStateSchema.shape,
    stage: z.string(),
    purchaseOrders: z.array(ReplenishmentPurchaseOrderSchema),
    result: z.union([ReplenishmentWorkflowStateSchema, z.null()]).openapi({ description: "The run's final state, once it completed" }),
  })
  .strict()
  .openapi('ReplenishmentState');

export const ReplenishmentApprovalDetailsSchema = z
  .object({
    purchaseOrderId: z.string(),
    purchaseOrder: z.union([PurchaseOrderContextSchema, z.null()]).openapi({ description: 'The order as Postgres has it now, every line explained' }),
  })
  .passthrough()
  .openapi('ReplenishmentApprovalDetails');

type StatePo = { id: string; approvedBy?: string[]; lines?: { sku: string }[] } & Record<string, unknown>;

/** The state's purchase orders with their lines explained and approvals so far (Postgres): merged over the state by GET /replenishments/{id}?include=context. */
export async function replenishmentContext(db: Db, state: Record<string, unknown>): Promise<Record<string, unknown>> {
  const pos = (Array.isArray(state.purchaseOrders) ? state.purchaseOrders : []) as StatePo[];
  const decisions = (Array.isArray(state.decisions) ? state.decisions : []) as { subjectId?: string; decision?: string; actorId?: string }[];
  const live: Record<string, string[]> = {};
  for (const po of pos) {
    live[po.id] = [
      ...(po.approvedBy ?? []),
      ...decisions.filter((d) => d.subjectId === po.id && d.decision === 'approve' && typeof d.actorId === 'string').map((d) => d.actorId!),
    ];
  }
  const contexts = await readPurchaseOrderContexts(
    db,
    pos.map((p) => p.id),
    live,
  );
  return {
    purchaseOrders: pos.map((po) => {
      const ctx = contexts.get(po.id);
      const lineCtx = new Map((ctx?.lines ?? []).map((l) => [l.sku, l]));
      return {
        ...po,
        tierReason: ctx?.tierReason ?? '',
        approvedBy: ctx?.approvedBy ?? [...new Set(live[po.id] ?? [])],
        approvalSteps: ctx?.approvalSteps ?? [],
        lines: (po.lines ?? []).map((l) => {
          const c = lineCtx.get(l.sku);
          const line = l as { sku: string; quantity: number; unitCost: number };
          return {
            ...l,
            productName: c?.productName ?? null,
            lineValue: Math.round(line.quantity * line.unitCost * 100) / 100,
            why: c ? { ...c.why, quantity: line.quantity, lineValue: Math.round(line.quantity * line.unitCost * 100) / 100 } : null,
            salesLast8Weeks: c?.salesLast8Weeks ?? [],
          };
        }),
      };
    }),
  };
}

/** An inbox row of a purchase order: the order as Postgres has it, every line explained. */
export async function replenishmentApprovalDetails(db: Db, row: ApprovalRow): Promise<Record<string, unknown>> {
  const contexts = await readPurchaseOrderContexts(db, [row.subjectId]);
  return { purchaseOrderId: row.subjectId, purchaseOrder: contexts.get(row.subjectId) ?? null };
}
