/**
 * The numbers behind a purchase-order line's quantity, for the person approving it, from the
 * rationale planning stored with the line (domain/reorder.ts planSku): nothing is forecast again.
 * What the stored numbers do not hold directly comes from them or from the reasons planSku wrote:
 *   forecast over lead time + review period = order-up-to − safety stock
 *   σ over lead time + review period        = safety stock / z (normal approximation only: a slow
 *                                             mover's level is a Poisson / negative-binomial quantile)
 *   raw need                                = max(0, order-up-to − inventory position)
 *
 * Pure: no I/O, no clock.
 */
import { zForServiceLevel, type SkuPlanLine } from './reorder';
import { roundTo } from './text';

/** What planSku stores as a line's rationale (PurchaseOrderLine.rationale). */
export type StoredLineRationale = SkuPlanLine['rationale'];

export interface LineExplanation {
  /** The forecasting method as planning named it, e.g. `holt-winters-additive-damped, demand-forecast v3`. */
  forecastMethod: string | null;
  /** The registered model version that forecast it; null for the baseline (no champion then). */
  model: { name: string; version: number } | null;
  meanDaily: number;
  leadTimeDays: number | null;
  reviewPeriodDays: number | null;
  /** Lead time + review period: the days the order has to cover. */
  coverDays: number | null;
  demandOverLeadTime: number;
  /** Expected demand over lead time + review period. */
  forecastOverCover: number;
  /**
   * Standard deviation of demand over lead time + review period (what the safety stock covers);
   * null when z is 0 or the level came from a count distribution (slow movers), where SS / z is no σ.
   */
  forecastStd: number | null;
  serviceLevel: number | null;
  /**
   * The series' target and its last year's record when planning moved the level from the target for
   * it (domain/service-feedback.ts); serviceLevel is then the level planned for. null: planned at the target.
   */
  serviceFeedback: { target: number; plannedServiceLevel: number; cycles: number; cyclesWithStockout: number } | null;
  z: number | null;
  safetyStock: number;
  reorderPoint: number;
  orderUpTo: number;
  onHand: number;
  reserved: number;
  onOrder: number;
  inventoryPosition: number;
  /** Order-up-to minus inventory position, before minimum order, EOQ and pack rounding. */
  need: number;
  eoq: number | null;
  minOrderQty: number;
  packSize: number;
  /** The quantity rounded up to whole packs (need, or the EOQ or minimum order when larger). */
  roundedFrom: number;
  packs: number;
  plannedQuantity: number;
  quantity: number;
  unitCost: number;
  lineValue: number;
  /** One sentence a store manager can check at a glance. */
  sentence: string;
  /** Planning's reasons, step by step. */
  reasons: string[];
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const num = (v: number): string => String(roundTo(v, 1));

function match(reasons: readonly string[], re: RegExp): RegExpMatchArray | null {
  for (const r of reasons) {
    const m = re.exec(r);
    if (m) return m;
  }
  return null;
}

/** A stored rationale, tolerant of missing fields (rows written by older planning code). */
export function storedRationale(value: unknown): StoredLineRationale {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return {
    meanDaily: n(v.meanDaily),
    demandOverLeadTime: n(v.demandOverLeadTime),
    safetyStock: n(v.safetyStock),
    reorderPoint: n(v.reorderPoint),
    orderUpTo: n(v.orderUpTo),
    inventoryPosition: n(v.inventoryPosition),
    onHand: n(v.onHand),
    reserved: n(v.reserved),
    onOrder: n(v.onOrder),
    packSize: Math.max(1, n(v.packSize) || 1),
    minOrderQty: n(v.minOrderQty),
    eoq: typeof v.eoq === 'number' && Number.isFinite(v.eoq) ? v.eoq : null,
    reasons: Array.isArray(v.reasons) ? v.reasons.filter((r): r is string => typeof r === 'string') : [],
    ...(v.coverDistribution === 'poisson' || v.coverDistribution === 'negative-binomial' || v.coverDistribution === 'normal'
      ? { coverDistribution: v.coverDistribution }
      : {}),
    ...(storedFeedback(v.serviceFeedback) ?? {}),
  };
}

function storedFeedback(value: unknown): Pick<StoredLineRationale, 'serviceFeedback'> | null {
  if (!value || typeof value !== 'object') return null;
  const f = value as Record<string, unknown>;
  const fields = [f.target, f.plannedServiceLevel, f.cycles, f.cyclesWithStockout];
  if (!fields.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
  return {
    serviceFeedback: { target: n(f.target), plannedServiceLevel: n(f.plannedServiceLevel), cycles: n(f.cycles), cyclesWithStockout: n(f.cyclesWithStockout) },
  };
}

/**
 * The explanation of one line. `fallbackServiceLevel` (the product's current target) is used only
 * when the stored reasons do not name the service level planning used.
 */
export function explainOrderLine(
  r: StoredLineRationale,
  line: { quantity: number; plannedQuantity: number; unitCost: number },
  fallbackServiceLevel?: number,
): LineExplanation {
  const methodMatch = match(r.reasons, /^Forecast [\d.]+ units a day \((.+)\)$/);
  const forecastMethod = methodMatch ? methodMatch[1]! : null;
  const modelMatch = forecastMethod ? /(?:^|,\s*)([^,]+) v(\d+)$/.exec(forecastMethod) : null;
  const model = modelMatch ? { name: modelMatch[1]!.trim(), version: Number(modelMatch[2]) } : null;

  const leadMatch = match(r.reasons, /over the ([\d.]+)-day lead time/);
  const leadTimeDays = leadMatch ? Number(leadMatch[1]) : null;
  const reviewMatch = match(r.reasons, /plus the ([\d.]+)-day review period/);
  const reviewPeriodDays = reviewMatch ? Number(reviewMatch[1]) : leadMatch ? 0 : null;
  const coverDays = leadTimeDays !== null && reviewPeriodDays !== null ? roundTo(leadTimeDays + reviewPeriodDays, 2) : null;

  const slMatch = match(r.reasons, /for a ([\d.]+)% service level/);
  const serviceLevel = slMatch ? roundTo(Number(slMatch[1]) / 100, 4) : (fallbackServiceLevel ?? null);
  const z = serviceLevel !== null ? roundTo(zForServiceLevel(serviceLevel), 3) : null;
  const countDistribution = r.coverDistribution === 'poisson' || r.coverDistribution === 'negative-binomial';
  const forecastStd = z !== null && z > 0 && !countDistribution ? roundTo(r.safetyStock / z, 2) : null;

  const forecastOverCover = roundTo(Math.max(0, r.orderUpTo - r.safetyStock), 2);
  const need = roundTo(Math.max(0, r.orderUpTo - r.inventoryPosition), 2);
  const roundedMatch = match(r.reasons, /^Rounded ([\d.]+) up to/);
  const roundedFrom = roundedMatch ? Number(roundedMatch[1]) : line.plannedQuantity;
  const pack = r.packSize;
  const packs = roundTo(line.plannedQuantity / pack, 2);
  const lineValue = roundTo(line.quantity * line.unitCost, 2);

  const parts: string[] = [];
  const over = coverDays !== null ? ` over ${num(coverDays)} days` : '';
  const sigma =
    forecastStd !== null
      ? ` (σ ${num(forecastStd)})`
      : countDistribution
        ? ` (${r.coverDistribution === 'poisson' ? 'Poisson' : 'negative-binomial'} demand)`
        : '';
  const fb = r.serviceFeedback;
  const record = fb ? ` (target ${String(roundTo(fb.target * 100, 2))}%; ${fb.cyclesWithStockout} of the last ${fb.cycles} cycles ran out)` : '';
  const level = serviceLevel !== null ? ` for ${String(roundTo(serviceLevel * 100, 2))}%${record}` : '';
  parts.push(`Forecast ${num(forecastOverCover)}${over}${sigma} + safety stock ${num(r.safetyStock)}${level} → order-up-to ${num(r.orderUpTo)}`);
  const stock = [`on hand ${num(r.onHand)}`, ...(r.reserved > 0 ? [`reserved ${num(r.reserved)}`] : []), `on order ${num(r.onOrder)}`];
  let tail = `${stock.join(', ')} → need ${num(need)}`;
  if (roundedFrom > need + 0.005) {
    tail +=
      r.eoq !== null && Math.abs(roundedFrom - r.eoq) < 0.01
        ? `, economic order quantity ${num(r.eoq)}`
        : `, raised to the minimum order of ${num(r.minOrderQty)}`;
  }
  const whole =
    pack === 1
      ? `${line.plannedQuantity} ${line.plannedQuantity === 1 ? 'unit' : 'units'}`
      : `${num(packs)} ${packs === 1 ? 'pack' : 'packs'} of ${pack} = ${line.plannedQuantity}`;
  tail += line.plannedQuantity > roundedFrom + 1e-9 ? `, rounded up to ${whole}` : `, ordering ${whole}`;
  parts.push(tail);
  let sentence = parts.join('; ');
  if (line.quantity !== line.plannedQuantity) sentence += `; changed by an approver to ${line.quantity}`;

  return {
    forecastMethod,
    model,
    meanDaily: r.meanDaily,
    leadTimeDays,
    reviewPeriodDays,
    coverDays,
    demandOverLeadTime: r.demandOverLeadTime,
    forecastOverCover,
    forecastStd,
    serviceLevel,
    serviceFeedback: fb ?? null,
    z,
    safetyStock: r.safetyStock,
    reorderPoint: r.reorderPoint,
    orderUpTo: r.orderUpTo,
    onHand: r.onHand,
    reserved: r.reserved,
    onOrder: r.onOrder,
    inventoryPosition: r.inventoryPosition,
    need,
    eoq: r.eoq,
    minOrderQty: r.minOrderQty,
    packSize: pack,
    roundedFrom,
    packs,
    plannedQuantity: line.plannedQuantity,
    quantity: line.quantity,
    unitCost: line.unitCost,
    lineValue,
    sentence,
    reasons: r.reasons,
  };
}

/** Why a purchase order of this value needs the approval tier it has (thresholds as in domain/reorder.ts approvalTierFor). */
export function approvalTierReason(
  tier: string,
  value: number,
  thresholds: { storeManagerAbove: number; regionalAbove: number },
  money: (v: number) => string,
): string {
  const worth = `Worth ${money(value)}`;
  switch (tier) {
    case 'auto':
      return `${worth}, not above ${money(thresholds.storeManagerAbove)}: approved automatically.`;
    case 'store_manager':
      return `${worth}, above ${money(thresholds.storeManagerAbove)} and not above ${money(thresholds.regionalAbove)}: the store manager approves.`;
    case 'store_and_regional':
      return `${worth}, above ${money(thresholds.regionalAbove)}: the store manager and then the regional manager approve.`;
    default:
      return `${worth}: approval tier ${tier}.`;
  }
}
