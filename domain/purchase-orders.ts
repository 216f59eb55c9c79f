/**
 * Purchase-order rules shared by the replenishment workflow (validators, state) and the API:
 * quantity edits by approvers, and what a supplier event may do to an order.
 */
import { roundTo } from './text';

export interface OrderLine {
  sku: string;
  /** Ordered quantity (after any approved edits). */
  quantity: number;
  /** As planned, before edits. */
  plannedQuantity: number;
  unitCost: number;
  packSize: number;
  received: number;
  rejected: number;
}

export interface QuantityEdit {
  sku: string;
  quantity: number;
}

/** An edit may not raise a line above this many times the planned quantity (nor above MAX_LINE_QUANTITY). */
export const MAX_EDIT_FACTOR = 10;
export const MAX_LINE_QUANTITY = 100_000;

export function orderValue(lines: readonly Pick<OrderLine, 'quantity' | 'unitCost'>[]): number {
  return roundTo(
    lines.reduce((sum, l) => sum + l.quantity * l.unitCost, 0),
    2,
  );
}

export interface EditProblem {
  /** Index into the edits, or undefined for the edit as a whole. */
  index?: number;
  field: 'sku' | 'quantity' | 'lines';
  message: string;
}

/**
 * Checks approver quantity edits against the order: every SKU on the order and named once, whole
 * numbers from 0 (drops the line) in whole packs, not absurd (over MAX_EDIT_FACTOR × planned, or
 * MAX_LINE_QUANTITY), not dropping every line (reject instead), and the edited value within
 * `maxValue` (the ceiling of the approval tier being decided) when given.
 */
export function checkQuantityEdits(lines: readonly OrderLine[], edits: readonly QuantityEdit[], maxValue?: number): EditProblem[] {
  const problems: EditProblem[] = [];
  if (edits.length === 0) return [{ field: 'lines', message: 'Name at least one line to edit.' }];
  const bySku = new Map(lines.map((l) => [l.sku, l]));
  const seen = new Set<string>();
  edits.forEach((e, index) => {
    const line = bySku.get(e.sku);
    if (!line) return void problems.push({ index, field: 'sku', message: `${e.sku} is not on this purchase order.` });
    if (seen.has(e.sku)) return void problems.push({ index, field: 'sku', message: `${e.sku} is edited twice.` });
    seen.add(e.sku);
    const q = e.quantity;
    const pack = wholePack(line.packSize);
    const cap = Math.min(MAX_LINE_QUANTITY, Math.max(line.plannedQuantity, pack) * MAX_EDIT_FACTOR);
    if (!Number.isInteger(q) || q < 0) problems.push({ index, field: 'quantity', message: `must be a whole number of units, 0 or more (got ${String(q)}).` });
    else if (q > cap)
      problems.push({
        index,
        field: 'quantity',
        message: `${q} is more than ${cap}, the most this line may be raised to (planned ${line.plannedQuantity}); check the number.`,
      });
    else if (q % pack !== 0) problems.push({ index, field: 'quantity', message: `must be whole packs of ${pack} (got ${q}).` });
  });
  if (problems.length > 0) return problems;
  const edited = applyQuantityEdits(lines, edits);
  if (edited.every((l) => l.quantity === 0)) return [{ field: 'lines', message: 'The edit leaves nothing to order; reject the purchase order instead.' }];
  const value = orderValue(edited);
  if (maxValue !== undefined && value > maxValue) {
    return [
      {
        field: 'lines',
        message: `The edited order is worth ${value.toFixed(2)}, above the ${maxValue.toFixed(2)} this approval covers; reject it and raise a new one, or order less.`,
      },
    ];
  }
  return [];
}

/** A pack size below 1 (or not a number) counts as single units, as in planning. */
function wholePack(packSize: number): number {
  const p = Math.round(packSize);
  return Number.isFinite(p) && p >= 1 ? p : 1;
}

/** The lines with the edits applied (lines edited to 0 stay, with quantity 0). */
export function applyQuantityEdits(lines: readonly OrderLine[], edits: readonly QuantityEdit[]): OrderLine[] {
  const bySku = new Map(edits.map((e) => [e.sku, e.quantity]));
  return lines.map((l) => (bySku.has(l.sku) ? { ...l, quantity: bySku.get(l.sku)! } : { ...l }));
}

export type SupplierEventType = 'acknowledged' | 'rejected' | 'received';

export interface SupplierEventLine {
  sku: string;
  quantityReceived?: number;
  quantityRejected?: number;
  reason?: string;
}

export interface SupplierEventInput {
  eventId: string;
  purchaseOrderId: string;
  type: SupplierEventType;
  supplierReference?: string;
  occurredAt?: string;
  reason?: string;
  lines?: SupplierEventLine[];
}

/** Where an order is, as far as supplier events are concerned. */
export type SupplierStage = 'not_sent' | 'sent' | 'acknowledged' | 'partially_received' | 'closed';

export type EventCheck = { ok: true } | { ok: false; code: 'wrong_stage' | 'unknown_line' | 'exceeds_outstanding' | 'invalid'; field: string; message: string };

export const outstanding = (l: OrderLine): number => Math.max(0, l.quantity - l.received - l.rejected);

/**
 * Whether a supplier event fits the order: only once sent and until closed; lines named must be
 * on the order, once each, and may not receive or reject more than is still outstanding.
 * A receipt may come without an acknowledgment first (it implies one).
 */
export function checkSupplierEvent(stage: SupplierStage, lines: readonly OrderLine[], event: SupplierEventInput): EventCheck {
  if (stage === 'not_sent')
    return { ok: false, code: 'wrong_stage', field: 'body.purchaseOrderId', message: `${event.purchaseOrderId} has not been sent to the supplier.` };
  if (stage === 'closed') return { ok: false, code: 'wrong_stage', field: 'body.purchaseOrderId', message: `${event.purchaseOrderId} is closed.` };
  if (event.type === 'acknowledged' && stage !== 'sent') {
    return { ok: false, code: 'wrong_stage', field: 'body.type', message: `${event.purchaseOrderId} is already acknowledged.` };
  }
  if (event.type === 'rejected') {
    if (stage === 'partially_received')
      return {
        ok: false,
        code: 'wrong_stage',
        field: 'body.type',
        message: `${event.purchaseOrderId} is partly received; reject the remaining lines in a receipt instead.`,
      };
    return { ok: true };
  }
  const named = event.lines ?? [];
  if (event.type === 'received' && named.length === 0)
    return { ok: false, code: 'invalid', field: 'body.lines', message: 'A receipt names the lines received.' };
  const bySku = new Map(lines.map((l) => [l.sku, l]));
  const seen = new Set<string>();
  for (const [i, e] of named.entries()) {
    const line = bySku.get(e.sku);
    if (!line || line.quantity === 0)
      return { ok: false, code: 'unknown_line', field: `body.lines[${i}].sku`, message: `${e.sku} is not on ${event.purchaseOrderId}.` };
    if (seen.has(e.sku)) return { ok: false, code: 'invalid', field: `body.lines[${i}].sku`, message: `${e.sku} is named twice.` };
    seen.add(e.sku);
    const got = e.quantityReceived ?? 0;
    const refused = e.quantityRejected ?? 0;
    for (const [name, q] of [
      ['quantityReceived', got],
      ['quantityRejected', refused],
    ] as const) {
      if (!Number.isInteger(q) || q < 0) {
        return { ok: false, code: 'invalid', field: `body.lines[${i}].${name}`, message: `${name} must be a whole number, 0 or more (got ${String(q)}).` };
      }
    }
    if (event.type === 'acknowledged' && got > 0) {
      return { ok: false, code: 'invalid', field: `body.lines[${i}].quantityReceived`, message: 'An acknowledgment receives nothing; send a received event.' };
    }
    if (got + refused > outstanding(line)) {
      return {
        ok: false,
        code: 'exceeds_outstanding',
        field: `body.lines[${i}]`,
        message: `${e.sku}: ${got + refused} is more than the ${outstanding(line)} still outstanding.`,
      };
    }
  }
  if (event.type === 'received' && named.every((e) => (e.quantityReceived ?? 0) + (e.quantityRejected ?? 0) === 0)) {
    return { ok: false, code: 'invalid', field: 'body.lines', message: 'The receipt receives or rejects nothing.' };
  }
  return { ok: true };
}

/** The lines after the event (a whole-order rejection rejects everything outstanding). */
export function applySupplierEvent(lines: readonly OrderLine[], event: SupplierEventInput): OrderLine[] {
  if (event.type === 'rejected') return lines.map((l) => ({ ...l, rejected: l.rejected + outstanding(l) }));
  const bySku = new Map((event.lines ?? []).map((e) => [e.sku, e]));
  return lines.map((l) => {
    const e = bySku.get(l.sku);
    return e ? { ...l, received: l.received + (e.quantityReceived ?? 0), rejected: l.rejected + (e.quantityRejected ?? 0) } : { ...l };
  });
}

/** Every line received or rejected in full. */
export const fullySettled = (lines: readonly OrderLine[]): boolean => lines.every((l) => outstanding(l) === 0);

/**
 * The workflowId of purchase orders placed before Retail Ops ran the store's replenishment (the
 * demo data's year of received orders, or orders imported from an earlier system): history that
 * planning reads as receipts, not orders any run of ours placed or sent.
 */
export const ORDER_HISTORY_WORKFLOW_ID = 'order-history';

/** One purchase order per store, planning day and supplier: `PO-S001-20261124-SUP-01`. */
export function purchaseOrderId(storeId: string, asOf: string, supplierId: string): string {
  return `PO-${storeId}-${asOf.replace(/-/g, '')}-${supplierId}`;
}
