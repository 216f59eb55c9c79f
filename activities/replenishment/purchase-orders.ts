/**
 * Purchase orders after planning: read the drafts, move them through approval, send them to the
 * supplier exactly once, book supplier events (acknowledgments, receipts) into stock, cancel or
 * close them. Every call is idempotent: status moves are guarded by the status they come from,
 * stock changes happen only in the transaction that makes that move, and the supplier's system
 * is called with the PO's idempotency key.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma } from '../../generated/prisma/client';
import { consoleRunPath, consoleUrl } from '../../domain/console-links';
import { localiseInstants } from '../../domain/local-time';
import { applySupplierEvent, outstanding, type OrderLine, type QuantityEdit, type SupplierEventInput } from '../../domain/purchase-orders';
import { roundTo } from '../../domain/text';
import type { Db } from '../../platform/db';
import { workerMetrics } from '../../platform/metrics';
import { ExternalSystemError, type SupplierErpClient } from './supplier-erp';
import type { MailSender } from '../shared/email';
import { renderEmail } from '../shared/email/render';
import { loadStoreContact } from '../shared/email/store-contact';
import { activityContext } from '../shared/activity-context';

export const PurchaseOrderErrors = {
  notFound: 'PurchaseOrderNotFound',
  supplierRefused: 'SupplierRefusedOrder',
  notApproved: 'PurchaseOrderNotApproved',
} as const;

type PoStatus = 'DRAFT' | 'PENDING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'SENT' | 'ACKNOWLEDGED' | 'PARTIALLY_RECEIVED' | 'RECEIVED' | 'CANCELLED';

export interface StoreContext {
  storeId: string;
  name: string;
  regionId: string;
  timezone: string;
}

export interface DraftOrder {
  id: string;
  supplierId: string;
  supplierName: string;
  leadTimeDays: number;
  totalValue: number;
  lines: OrderLine[];
}

export interface SentOrder {
  supplierReference: string;
  sentAt: string;
}

export interface BookedEvent {
  duplicate: boolean;
  status: PoStatus;
}

const OPEN_AT_SUPPLIER: PoStatus[] = ['SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED'];

function json(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue;
}

/** Retryable supplier failures are retried by Temporal; a refusal (4xx) is final. */
function supplierFailure(err: unknown): unknown {
  if (err instanceof ExternalSystemError && !err.retryable) {
    return ApplicationFailure.nonRetryable(err.message, PurchaseOrderErrors.supplierRefused, { status: err.status, body: err.body });
  }
  return err;
}

export function createPurchaseOrderActivities(deps: { db: Db; mail: MailSender; supplierErp: SupplierErpClient; publicBaseUrl: string }) {
  const { db, mail, supplierErp } = deps;

  async function audit(
    tx: Prisma.TransactionClient | Db,
    key: string,
    e: { action: string; entityId: string; workflowId: string; actorId?: string; details: unknown },
  ) {
    await tx.auditEvent.upsert({
      where: { idempotencyKey: key },
      create: {
        idempotencyKey: key,
        action: e.action,
        entityType: 'purchase_order',
        entityId: e.entityId,
        workflowId: e.workflowId,
        actorId: e.actorId ?? null,
        details: json(e.details),
      },
      update: {},
    });
  }

  /**
   * Adds each line's quantity (negative: takes it off, not below 0) to the store's on-order stock,
   * in two statements whatever the number of lines: the rows locked in SKU order (as one update
   * per line did), then updated together.
   */
  async function addOnOrder(tx: Prisma.TransactionClient, storeId: string, lines: { sku: string; quantity: number }[]): Promise<void> {
    if (lines.length === 0) return;
    const skus = lines.map((l) => l.sku);
    await tx.$queryRaw`SELECT 1 FROM "InventoryLevel" WHERE "storeId" = ${storeId} AND sku = ANY(${skus}::text[]) ORDER BY sku FOR UPDATE`;
    await tx.$executeRaw`
      UPDATE "InventoryLevel" i SET "onOrder" = CASE WHEN t.quantity < 0 THEN GREATEST(0, i."onOrder" + t.quantity) ELSE i."onOrder" + t.quantity END, "updatedAt" = now()
        FROM unnest(${skus}::text[], ${lines.map((l) => l.quantity)}::int[]) AS t(sku, quantity)
       WHERE i."storeId" = ${storeId} AND i.sku = t.sku`;
  }

  async function loadOrder(id: string) {
    const po = await db.purchaseOrder.findUnique({ where: { id }, include: { lines: { orderBy: { sku: 'asc' } } } });
    if (!po) throw ApplicationFailure.nonRetryable(`Purchase order ${id} does not exist.`, PurchaseOrderErrors.notFound);
    return po;
  }

  /** Gives back to on-order what will not arrive, and closes the order, in one transaction. */
  async function releaseOutstanding(
    id: string,
    from: PoStatus[],
    to: PoStatus,
    action: string,
    workflowId: string,
    details: Record<string, unknown>,
  ): Promise<boolean> {
    return db.$transaction(async (tx) => {
      const moved = await tx.purchaseOrder.updateMany({ where: { id, status: { in: from } }, data: { status: to, closedAt: new Date() } });
      if (moved.count === 0) return false;
      const po = await tx.purchaseOrder.findUniqueOrThrow({ where: { id }, include: { lines: true } });
      if (from.some((s) => OPEN_AT_SUPPLIER.includes(s))) {
        const left = po.lines
          .map((l) => ({ sku: l.sku, quantity: -Math.max(0, l.quantity - l.quantityReceived - l.quantityRejected) }))
          .filter((l) => l.quantity < 0);
        await addOnOrder(tx, po.storeId, left);
      }
      await audit(tx, `${id}:${action}`, { action, entityId: id, workflowId, details });
      return true;
    });
  }

  return {
    async loadStoreContext(input: { storeId: string }): Promise<StoreContext> {
      const store = await db.store.findUnique({ where: { id: input.storeId } });
      if (!store) throw ApplicationFailure.nonRetryable(`Store ${input.storeId} does not exist.`, 'StoreNotFound');
      return { storeId: store.id, name: store.name, regionId: store.regionId, timezone: store.timezone };
    },

    /** The run's draft POs with their totals (written back) and compact lines: one read, one write. */
    async loadDraftOrders(input: { workflowId: string }): Promise<DraftOrder[]> {
      // A PO's lines come back as one JSON array of [sku, quantity, planned, unitCost, packSize,
      // received, rejected] (parsed natively) rather than a row per line and a value per column.
      const pos = await db.$queryRaw<
        {
          id: string;
          status: PoStatus;
          supplierId: string;
          supplierName: string;
          leadTimeDays: number;
          lines: [string, number, number, number, number, number, number][];
        }[]
      >`
        SELECT po.id, po.status::text AS status, po."supplierId", s.name AS "supplierName", s."leadTimeDays",
               COALESCE((SELECT json_agg(json_build_array(l.sku, l.quantity, l."plannedQuantity", l."unitCost"::float8, COALESCE(p."packSize", 1),
                                                          l."quantityReceived", l."quantityRejected") ORDER BY l.sku)
                           FROM "PurchaseOrderLine" l LEFT JOIN "Product" p ON p.sku = l.sku
                          WHERE l."purchaseOrderId" = po.id), '[]'::json) AS lines
          FROM "PurchaseOrder" po JOIN "Supplier" s ON s.id = po."supplierId"
         WHERE po."workflowId" = ${input.workflowId}
         ORDER BY po.id`;
      const drafts: DraftOrder[] = pos.map((po) => {
        const lines: OrderLine[] = po.lines.map(([sku, quantity, plannedQuantity, unitCost, packSize, received, rejected]) => ({
          sku,
          quantity,
          plannedQuantity,
          unitCost,
          packSize,
          received,
          rejected,
        }));
        const totalValue = roundTo(
          lines.reduce((sum, l) => sum + l.quantity * l.unitCost, 0),
          2,
        );
        return { id: po.id, supplierId: po.supplierId, supplierName: po.supplierName, leadTimeDays: po.leadTimeDays, totalValue, lines };
      });
      const unpriced = drafts.filter((_, i) => pos[i]!.status === 'DRAFT');
      if (unpriced.length > 0) {
        await db.$executeRaw`
          UPDATE "PurchaseOrder" po SET "totalValue" = t.value
            FROM unnest(${unpriced.map((po) => po.id)}::text[], ${unpriced.map((po) => po.totalValue)}::numeric[]) AS t(id, value)
           WHERE po.id = t.id AND po.status = 'DRAFT'`;
      }
      return drafts;
    },

    /** Moves a PO on (DRAFT → PENDING_APPROVAL → APPROVED / REJECTED / CANCELLED); a repeat is a no-op. */
    async setPurchaseOrderStatus(input: {
      purchaseOrderId: string;
      workflowId: string;
      from: PoStatus[];
      to: PoStatus;
      approvalTier?: string;
      actorId?: string;
      note?: string;
    }): Promise<{ moved: boolean }> {
      return db.$transaction(async (tx) => {
        const moved = await tx.purchaseOrder.updateMany({
          where: { id: input.purchaseOrderId, status: { in: input.from } },
          data: {
            status: input.to,
            ...(input.approvalTier ? { approvalTier: input.approvalTier } : {}),
            ...(['REJECTED', 'CANCELLED'].includes(input.to) ? { closedAt: new Date() } : {}),
          },
        });
        if (moved.count > 0) {
          await audit(tx, `${input.purchaseOrderId}:status:${input.to}`, {
            action: `purchase_order.${input.to.toLowerCase()}`,
            entityId: input.purchaseOrderId,
            workflowId: input.workflowId,
            actorId: input.actorId,
            details: { from: input.from, to: input.to, approvalTier: input.approvalTier, note: input.note },
          });
        }
        return { moved: moved.count > 0 };
      });
    },

    /** An approver's edited quantities, with the lines before and after in the audit trail. */
    async applyQuantityEdits(input: {
      purchaseOrderId: string;
      workflowId: string;
      decisionId: string;
      actorId: string;
      edits: QuantityEdit[];
    }): Promise<{ totalValue: number }> {
      return db.$transaction(async (tx) => {
        const key = `${input.decisionId}:quantities`;
        const po = await tx.purchaseOrder.findUnique({ where: { id: input.purchaseOrderId }, include: { lines: true } });
        if (!po) throw ApplicationFailure.nonRetryable(`Purchase order ${input.purchaseOrderId} does not exist.`, PurchaseOrderErrors.notFound);
        if (await tx.auditEvent.findUnique({ where: { idempotencyKey: key } })) return { totalValue: Number(po.totalValue) };
        const bySku = new Map(po.lines.map((l) => [l.sku, l]));
        const changes = input.edits
          .filter((e) => bySku.has(e.sku) && bySku.get(e.sku)!.quantity !== e.quantity)
          .map((e) => ({ sku: e.sku, before: bySku.get(e.sku)!.quantity, after: e.quantity }));
        for (const c of changes) {
          await tx.purchaseOrderLine.update({ where: { purchaseOrderId_sku: { purchaseOrderId: po.id, sku: c.sku } }, data: { quantity: c.after } });
        }
        const after = po.lines.map((l) => ({ quantity: changes.find((c) => c.sku === l.sku)?.after ?? l.quantity, unitCost: Number(l.unitCost) }));
        const totalValue = roundTo(
          after.reduce((sum, l) => sum + l.quantity * l.unitCost, 0),
          2,
        );
        await tx.purchaseOrder.update({ where: { id: po.id }, data: { totalValue } });
        await audit(tx, key, {
          action: 'purchase_order.quantities_edited',
          entityId: po.id,
          workflowId: input.workflowId,
          actorId: input.actorId,
          details: { changes, totalBefore: Number(po.totalValue), totalAfter: totalValue },
        });
        return { totalValue };
      });
    },

    /**
     * Sends an approved PO to the supplier under its idempotency key, then marks it SENT and puts
     * its quantities on order in one transaction. A retry after the supplier took the order gets
     * the same supplier reference back and changes nothing twice.
     */
    async sendPurchaseOrder(input: { purchaseOrderId: string; workflowId: string }): Promise<SentOrder> {
      const po = await loadOrder(input.purchaseOrderId);
      if (po.supplierReference && po.sentAt) return { supplierReference: po.supplierReference, sentAt: po.sentAt.toISOString() };
      if (po.status !== 'APPROVED') {
        throw ApplicationFailure.nonRetryable(`${po.id} is ${po.status}, not APPROVED; it is not sent.`, PurchaseOrderErrors.notApproved);
      }
      const lines = po.lines.filter((l) => l.quantity > 0);
      let receipt;
      try {
        receipt = await supplierErp.submitPurchaseOrder(
          po.supplierId,
          {
            purchaseOrderId: po.id,
            storeId: po.storeId,
            replenishmentId: input.workflowId,
            lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitCost: Number(l.unitCost) })),
          },
          po.idempotencyKey,
        );
      } catch (err) {
        throw supplierFailure(err);
      }
      const sentAt = new Date();
      const marked = await db.$transaction(async (tx) => {
        const moved = await tx.purchaseOrder.updateMany({
          where: { id: po.id, status: 'APPROVED' },
          data: { status: 'SENT', sentAt, supplierReference: receipt.supplierReference },
        });
        if (moved.count === 0) return false;
        await addOnOrder(tx, po.storeId, lines);
        await audit(tx, `${po.id}:sent`, {
          action: 'purchase_order.sent',
          entityId: po.id,
          workflowId: input.workflowId,
          details: { supplierId: po.supplierId, supplierReference: receipt.supplierReference, lines: lines.length, duplicate: receipt.duplicate },
        });
        return true;
      });
      if (marked) workerMetrics.purchaseOrderSent(po.supplierId);
      if (marked) {
        activityContext()?.log.info('purchase order sent to supplier', {
          purchaseOrderId: po.id,
          supplierId: po.supplierId,
          supplierReference: receipt.supplierReference,
          lines: lines.length,
          duplicate: receipt.duplicate,
        });
      }
      const current = await db.purchaseOrder.findUniqueOrThrow({ where: { id: po.id }, select: { supplierReference: true, sentAt: true } });
      return { supplierReference: current.supplierReference ?? receipt.supplierReference, sentAt: (current.sentAt ?? sentAt).toISOString() };
    },

    /**
     * Books one supplier event: the event row (its eventId is unique, so a duplicate delivery is
     * recognised and changes nothing), the lines' received and rejected quantities, stock on hand
     * and on order, and the PO's status, all in one transaction.
     */
    async recordSupplierEvent(input: { workflowId: string; event: SupplierEventInput }): Promise<BookedEvent> {
      const e = input.event;
      return db.$transaction(async (tx) => {
        const inserted = await tx.supplierEvent.createMany({
          data: [{ id: e.eventId, eventId: e.eventId, purchaseOrderId: e.purchaseOrderId, type: e.type, payload: json(e) }],
          skipDuplicates: true,
        });
        const po = await tx.purchaseOrder.findUnique({ where: { id: e.purchaseOrderId }, include: { lines: true } });
        if (!po) throw ApplicationFailure.nonRetryable(`Purchase order ${e.purchaseOrderId} does not exist.`, PurchaseOrderErrors.notFound);
        if (inserted.count === 0) return { duplicate: true, status: po.status };

        const before: OrderLine[] = po.lines.map((l) => ({
          sku: l.sku,
          quantity: l.quantity,
          plannedQuantity: l.plannedQuantity,
          unitCost: Number(l.unitCost),
          packSize: 1,
          received: l.quantityReceived,
          rejected: l.quantityRejected,
        }));
        const after = applySupplierEvent(before, e);
        for (const [i, l] of after.entries()) {
          const got = l.received - before[i]!.received;
          const refused = l.rejected - before[i]!.rejected;
          if (got === 0 && refused === 0) continue;
          await tx.purchaseOrderLine.update({
            where: { purchaseOrderId_sku: { purchaseOrderId: po.id, sku: l.sku } },
            data: { quantityReceived: l.received, quantityRejected: l.rejected },
          });
          await tx.$executeRaw`UPDATE "InventoryLevel"
                                  SET "onHand" = "onHand" + ${got}, "onOrder" = GREATEST(0, "onOrder" - ${got + refused}), "updatedAt" = now()
                                WHERE "storeId" = ${po.storeId} AND sku = ${l.sku}`;
        }
        const settled = after.every((l) => outstanding(l) === 0);
        const anyReceived = after.some((l) => l.received > 0);
        let status: PoStatus = po.status;
        if (settled) status = anyReceived ? 'RECEIVED' : 'CANCELLED';
        else if (anyReceived) status = 'PARTIALLY_RECEIVED';
        else if (e.type === 'acknowledged') status = 'ACKNOWLEDGED';
        await tx.purchaseOrder.update({
          where: { id: po.id },
          data: {
            status,
            ...(e.supplierReference && !po.supplierReference ? { supplierReference: e.supplierReference } : {}),
            ...(e.type !== 'rejected' && !po.acknowledgedAt ? { acknowledgedAt: new Date() } : {}),
            ...(settled ? { closedAt: new Date() } : {}),
          },
        });
        await audit(tx, `supplier-event:${e.eventId}`, {
          action: `purchase_order.supplier_${e.type}`,
          entityId: po.id,
          workflowId: input.workflowId,
          actorId: 'supplier',
          details: { eventId: e.eventId, status, lines: e.lines ?? [], reason: e.reason },
        });
        return { duplicate: false, status };
      });
    },

    /** Cancels at the supplier (when sent) and closes the PO, giving back what will not arrive. */
    async cancelPurchaseOrder(input: {
      purchaseOrderId: string;
      workflowId: string;
      reason: string;
      actorId?: string;
    }): Promise<{ cancelled: boolean; atSupplier: boolean }> {
      const po = await loadOrder(input.purchaseOrderId);
      const sent = OPEN_AT_SUPPLIER.includes(po.status);
      if (sent && po.supplierReference) {
        try {
          await supplierErp.cancelPurchaseOrder(po.supplierId, po.supplierReference, `${po.idempotencyKey}:cancel`);
        } catch (err) {
          throw supplierFailure(err);
        }
      }
      const from: PoStatus[] = sent ? OPEN_AT_SUPPLIER : ['DRAFT', 'PENDING_APPROVAL', 'APPROVED'];
      const cancelled = await releaseOutstanding(po.id, from, 'CANCELLED', 'purchase_order.cancelled', input.workflowId, {
        reason: input.reason,
        actorId: input.actorId,
        atSupplier: sent,
      });
      return { cancelled, atSupplier: sent };
    },

    /** Receipt deadline passed: what has not arrived is no longer expected. */
    async closePurchaseOrderShort(input: { purchaseOrderId: string; workflowId: string; reason: string }): Promise<{ closed: boolean; status: PoStatus }> {
      const po = await loadOrder(input.purchaseOrderId);
      const to: PoStatus = po.lines.some((l) => l.quantityReceived > 0) ? 'PARTIALLY_RECEIVED' : 'CANCELLED';
      const closed = await releaseOutstanding(po.id, OPEN_AT_SUPPLIER, to, 'purchase_order.closed_short', input.workflowId, { reason: input.reason });
      return { closed, status: to };
    },

    /** Tells the store's managers (and, when asked, its regional managers) about a PO; once per step and person. */
    async notifyStoreManagers(input: {
      workflowId: string;
      storeId: string;
      step: string;
      subject: string;
      lines: string[];
      includeRegional?: boolean;
    }): Promise<{ notified: string[] }> {
      const store = await db.store.findUnique({ where: { id: input.storeId }, select: { regionId: true } });
      const contact = await loadStoreContact(db, input.storeId);
      const people = await db.principal.findMany({
        where: {
          active: true,
          email: { not: null },
          OR: [
            { role: 'store_manager', storeIds: { has: input.storeId } },
            ...(input.includeRegional && store ? [{ role: 'regional_manager' as const, regionIds: { has: store.regionId } }] : []),
          ],
        },
        orderBy: { id: 'asc' },
      });
      for (const p of people) {
        await mail.sendOnce({
          key: `${input.workflowId}:${input.step}:${p.id}`,
          kind: `replenishment.${input.step.split(':')[0]}`,
          to: p.email!,
          subject: input.subject,
          ...renderEmail('process-notice', {
            subject: input.subject,
            store: contact,
            recipientName: p.displayName,
            heading: input.subject,
            lines: input.lines.map((l) => localiseInstants(l, contact?.timezone ?? 'UTC')),
            linkLabel: 'Open the replenishment',
            link: consoleUrl(deps.publicBaseUrl, consoleRunPath('replenishments', input.workflowId)),
          }),
          workflowId: input.workflowId,
        });
      }
      return { notified: people.map((p) => p.id) };
    },
  };
}

export type PurchaseOrderActivities = ReturnType<typeof createPurchaseOrderActivities>;
