import { createJsonRequester, seg, type HttpClientOptions } from '../shared/http';

export { ExternalSystemError } from '../shared/http';

export interface SupplierPurchaseOrderLine {
  sku: string;
  quantity: number;
  unitCost: number;
}

export interface SupplierPurchaseOrder {
  purchaseOrderId: string;
  storeId: string;
  /** The replenishment (workflow ID) the supplier's events (acknowledgment, receipts) go back to. */
  replenishmentId?: string;
  lines: SupplierPurchaseOrderLine[];
}

export interface SupplierOrderReceipt {
  supplierReference: string;
  receivedAt: string;
  /** True when the supplier had already received an order under this idempotency key. */
  duplicate: boolean;
}

export interface ReceivedSupplierOrder extends SupplierPurchaseOrder {
  supplierId: string;
  supplierReference: string;
  status: 'open' | 'cancelled';
  cancelledAt?: string;
  receivedAt: string;
}

export interface SupplierOrderCancellation {
  supplierReference: string;
  cancelledAt: string;
}

/** The supplier ERP as the replenishment activities see it. */
export interface SupplierErpClient {
  /**
   * Sends a purchase order. The same idempotencyKey (derive it from the PO, e.g. its ID) always
   * yields the same supplierReference and never a second order, so a retried send is safe.
   * Throws ExternalSystemError (`retryable` says whether another attempt can help).
   */
  submitPurchaseOrder(supplierId: string, order: SupplierPurchaseOrder, idempotencyKey: string): Promise<SupplierOrderReceipt>;
  /** The order as the supplier received it; null when the supplier does not know it. */
  getPurchaseOrder(supplierId: string, supplierReference: string): Promise<ReceivedSupplierOrder | null>;
  /**
   * Cancels an order; cancelling it again answers the first cancellation. Throws
   * ExternalSystemError, not retryable for an order the supplier does not know (404).
   */
  cancelPurchaseOrder(supplierId: string, supplierReference: string, idempotencyKey: string): Promise<SupplierOrderCancellation>;
}

export function createSupplierErpClient(baseUrl: string, opts: HttpClientOptions = {}): SupplierErpClient {
  const request = createJsonRequester('supplier-erp', baseUrl, opts);
  return {
    async submitPurchaseOrder(supplierId, order, idempotencyKey) {
      const res = await request<SupplierOrderReceipt>({
        method: 'POST',
        path: `/suppliers/${seg(supplierId)}/purchase-orders`,
        idempotencyKey,
        body: {
          purchaseOrderId: order.purchaseOrderId,
          storeId: order.storeId,
          ...(order.replenishmentId !== undefined ? { replenishmentId: order.replenishmentId } : {}),
          lines: order.lines,
        },
      });
      const { supplierReference, receivedAt, duplicate } = res!.body;
      return { supplierReference, receivedAt, duplicate: Boolean(duplicate) };
    },
    async getPurchaseOrder(supplierId, supplierReference) {
      const res = await request<ReceivedSupplierOrder & { idempotencyKey?: string }>(
        { method: 'GET', path: `/suppliers/${seg(supplierId)}/purchase-orders/${seg(supplierReference)}` },
        { allowNotFound: true },
      );
      if (!res) return null;
      const { idempotencyKey: _key, ...order } = res.body;
      return order;
    },
    async cancelPurchaseOrder(supplierId, supplierReference, idempotencyKey) {
      const res = await request<SupplierOrderCancellation>({
        method: 'POST',
        path: `/suppliers/${seg(supplierId)}/purchase-orders/${seg(supplierReference)}/cancel`,
        idempotencyKey,
      });
      const body = res!.body;
      return { supplierReference: body.supplierReference, cancelledAt: body.cancelledAt };
    },
  };
}
