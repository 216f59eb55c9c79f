/**
 * What a purchase order's approver needs, read from Postgres: per line the numbers behind its
 * quantity (the rationale planning stored, explained by domain/order-line-explanation.ts), the
 * SKU's weekly sales in the store over the 8 weeks before the planning day, the order's totals,
 * its approval tier and why, and who has approved it so far (every level, at once).
 */
import { approvalTierReason, explainOrderLine, storedRationale } from '../../../domain/order-line-explanation';
import { DEFAULT_APPROVAL_THRESHOLDS, approvalTierFor } from '../../../domain/reorder';
import { formatMoney, roundTo } from '../../../domain/text';
import type { Db } from '../../../platform/db';
import { z } from '../../zod';

export const SALES_WEEKS = 8;
const DAY_MS = 86_400_000;

export const LineExplanationSchema = z
  .object({
    forecastMethod: z.string().nullable(),
    model: z
      .object({ name: z.string(), version: z.number().int() })
      .nullable()
      .openapi({ description: 'The registered demand-model version that forecast the line; null for the baseline' }),
    meanDaily: z.number(),
    leadTimeDays: z.number().nullable(),
    reviewPeriodDays: z.number().nullable(),
    coverDays: z.number().nullable().openapi({ description: 'Lead time + review period (days)' }),
    demandOverLeadTime: z.number(),
    forecastOverCover: z.number().openapi({ description: 'Expected demand over lead time + review period' }),
    forecastStd: z.number().nullable().openapi({
      description:
        'Standard deviation of demand over lead time plus review period (what safety stock covers); null for slow movers, whose order-up-to level is a Poisson or negative-binomial quantile',
    }),
    serviceLevel: z.number().nullable(),
    serviceFeedback: z
      .object({
        target: z.number().openapi({ description: "The product's service-level target" }),
        plannedServiceLevel: z.number().openapi({ description: 'The level the safety stock was set for (serviceLevel)' }),
        cycles: z.number().int().openapi({ description: 'Replenishment cycles (receipt to receipt) of the last year' }),
        cyclesWithStockout: z.number().int().openapi({ description: 'Of them, those that ran out of stock' }),
      })
      .strict()
      .nullable()
      .openapi({
        description:
          "Why serviceLevel differs from the target: the series' last year of receipts and stock-outs. Behind the target it is planned higher, comfortably ahead lower. null when planned at the target (no cycle on record).",
      }),
    z: z.number().nullable(),
    safetyStock: z.number(),
    reorderPoint: z.number(),
    orderUpTo: z.number(),
    onHand: z.number(),
    reserved: z.number(),
    onOrder: z.number(),
    inventoryPosition: z.number(),
    need: z.number().openapi({ description: 'Order-up-to minus inventory position, before minimum order, EOQ and pack rounding' }),
    eoq: z.number().nullable(),
    minOrderQty: z.number(),
    packSize: z.number().int(),
    roundedFrom: z.number(),
    packs: z.number(),
    plannedQuantity: z.number().int(),
    quantity: z.number().int(),
    unitCost: z.number(),
    lineValue: z.number(),
    sentence: z.string(),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('PurchaseOrderLineExplanation');

export const WeeklySalesSchema = z
  .object({ weekStart: z.string().openapi({ description: 'First day of the week (yyyy-mm-dd)' }), units: z.number().int() })
  .strict()
  .openapi('WeeklySales');

export const PurchaseOrderLineContextSchema = z
  .object({
    sku: z.string(),
    productName: z.string().nullable(),
    quantity: z.number().int(),
    plannedQuantity: z.number().int(),
    packSize: z.number().int(),
    unitCost: z.number(),
    lineValue: z.number(),
    why: LineExplanationSchema,
    salesLast8Weeks: z
      .array(WeeklySalesSchema)
      .openapi({ description: 'Weekly unit sales of the SKU in the store, oldest first, the 8 weeks before the planning day' }),
  })
  .strict()
  .openapi('PurchaseOrderLineContext');

export const ApprovalStepSchema = z
  .object({
    level: z.number().int(),
    decision: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    comment: z.string().nullable(),
    decidedAt: z.string(),
  })
  .strict()
  .openapi('ApprovalStep');

export const PurchaseOrderContextSchema = z
  .object({
    purchaseOrderId: z.string(),
    storeId: z.string(),
    supplierId: z.string(),
    supplierName: z.string(),
    status: z.string(),
    planningDay: z.string(),
    tier: z.string(),
    tierReason: z.string(),
    thresholds: z.object({ storeManagerAbove: z.number(), regionalAbove: z.number() }).strict(),
    totals: z.object({ lines: z.number().int(), units: z.number().int(), plannedValue: z.number(), value: z.number() }).strict(),
    approvedBy: z.array(z.string()).openapi({ description: 'Who approved so far, every level as soon as it is decided' }),
    approvalSteps: z.array(ApprovalStepSchema),
    lines: z.array(PurchaseOrderLineContextSchema),
  })
  .strict()
  .openapi('PurchaseOrderContext');

export type PurchaseOrderContext = z.infer<typeof PurchaseOrderContextSchema>;
export type PurchaseOrderLineContext = z.infer<typeof PurchaseOrderLineContextSchema>;

/** The planning day of a purchase order, from its ID (`PO-S001-20261124-SUP-01`), else the day it was created. */
function planningDayOf(id: string, storeId: string, createdAt: Date): string {
  const m = /^(\d{4})(\d{2})(\d{2})-/.exec(id.slice(`PO-${storeId}-`.length));
  return m ? `${m[1]}-${m[2]}-${m[3]}` : createdAt.toISOString().slice(0, 10);
}

/**
 * Contexts of the given purchase orders (unknown IDs are left out). `liveApprovals` adds
 * approvals the workflow holds that Postgres may not show yet (e.g. `system:auto`).
 */
export async function readPurchaseOrderContexts(
  db: Db,
  ids: readonly string[],
  liveApprovals: Record<string, string[]> = {},
): Promise<Map<string, PurchaseOrderContext>> {
  const out = new Map<string, PurchaseOrderContext>();
  if (ids.length === 0) return out;
  const orders = await db.purchaseOrder.findMany({
    where: { id: { in: [...ids] } },
    include: { lines: { orderBy: { sku: 'asc' } }, supplier: { select: { name: true } } },
  });
  if (orders.length === 0) return out;
  const skus = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.sku)))];
  const [products, requests] = await Promise.all([
    db.product.findMany({ where: { sku: { in: skus } }, select: { sku: true, name: true, serviceLevel: true } }),
    db.approvalRequest.findMany({
      where: { subjectType: 'purchase_order', subjectId: { in: orders.map((o) => o.id) } },
      include: { decisions: { orderBy: [{ level: 'asc' }, { decidedAt: 'asc' }] } },
      orderBy: { createdAt: 'asc' },
    }),
  ]);
  const productBySku = new Map(products.map((p) => [p.sku, p]));

  for (const po of orders) {
    const planningDay = planningDayOf(po.id, po.storeId, po.createdAt);
    const sales = await weeklySales(
      db,
      po.storeId,
      po.lines.map((l) => l.sku),
      planningDay,
    );
    const lines: PurchaseOrderLineContext[] = po.lines.map((l) => {
      const unitCost = Number(l.unitCost);
      const plannedQuantity = l.plannedQuantity || l.quantity;
      const why = explainOrderLine(storedRationale(l.rationale), { quantity: l.quantity, plannedQuantity, unitCost }, productBySku.get(l.sku)?.serviceLevel);
      return {
        sku: l.sku,
        productName: productBySku.get(l.sku)?.name ?? null,
        quantity: l.quantity,
        plannedQuantity,
        packSize: why.packSize,
        unitCost,
        lineValue: why.lineValue,
        why,
        salesLast8Weeks: sales.get(l.sku) ?? emptyWeeks(planningDay),
      };
    });
    const plannedValue = roundTo(
      lines.reduce((s, l) => s + l.plannedQuantity * l.unitCost, 0),
      2,
    );
    const value = roundTo(
      lines.reduce((s, l) => s + l.lineValue, 0),
      2,
    );
    const tier = po.approvalTier ?? approvalTierFor(plannedValue);
    const steps = requests
      .filter((r) => r.subjectId === po.id && r.workflowId === po.workflowId)
      .flatMap((r) => r.decisions)
      .map((d) => ({
        level: d.level,
        decision: d.decision,
        actorId: d.actorId,
        actorRole: d.actorRole,
        comment: d.comment,
        decidedAt: d.decidedAt.toISOString(),
      }));
    const approvedBy = [...new Set([...(liveApprovals[po.id] ?? []), ...steps.filter((s) => s.decision === 'approve').map((s) => s.actorId)])];
    if (tier === 'auto' && ['APPROVED', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED', 'RECEIVED'].includes(po.status) && !approvedBy.includes('system:auto')) {
      approvedBy.unshift('system:auto');
    }
    out.set(po.id, {
      purchaseOrderId: po.id,
      storeId: po.storeId,
      supplierId: po.supplierId,
      supplierName: po.supplier.name,
      status: po.status.toLowerCase(),
      planningDay,
      tier,
      tierReason: approvalTierReason(tier, plannedValue, DEFAULT_APPROVAL_THRESHOLDS, formatMoney),
      thresholds: { ...DEFAULT_APPROVAL_THRESHOLDS },
      totals: { lines: lines.length, units: lines.reduce((s, l) => s + l.quantity, 0), plannedValue, value },
      approvedBy,
      approvalSteps: steps,
      lines,
    });
  }
  return out;
}

function weekStarts(planningDay: string): string[] {
  const end = Date.parse(`${planningDay}T00:00:00Z`);
  return Array.from({ length: SALES_WEEKS }, (_, i) => new Date(end - (SALES_WEEKS - i) * 7 * DAY_MS).toISOString().slice(0, 10));
}

function emptyWeeks(planningDay: string) {
  return weekStarts(planningDay).map((weekStart) => ({ weekStart, units: 0 }));
}

/** Weekly unit sales per SKU over the 8 whole weeks before the planning day, oldest first, zeros filled. */
async function weeklySales(db: Db, storeId: string, skus: string[], planningDay: string): Promise<Map<string, { weekStart: string; units: number }[]>> {
  const out = new Map<string, { weekStart: string; units: number }[]>();
  if (skus.length === 0) return out;
  const starts = weekStarts(planningDay);
  const rows = await db.$queryRaw<{ sku: string; week: number; units: number }[]>`
    SELECT sku, ((day - ${starts[0]}::date) / 7)::int AS week, SUM(units)::int AS units
      FROM "SalesDaily"
     WHERE "storeId" = ${storeId} AND sku = ANY(${skus}::text[])
       AND day >= ${starts[0]}::date AND day < ${planningDay}::date
     GROUP BY 1, 2`;
  for (const sku of skus)
    out.set(
      sku,
      starts.map((weekStart) => ({ weekStart, units: 0 })),
    );
  for (const r of rows) {
    const weeks = out.get(r.sku);
    if (weeks && r.week >= 0 && r.week < SALES_WEEKS) weeks[r.week]!.units = Number(r.units);
  }
  return out;
}
