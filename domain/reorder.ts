/**
 * Reorder maths for replenishment: how much of each SKU a store should order, from its demand
 * forecast, stock and supplier terms, and why, in words a store manager can check at a glance.
 * Then one draft purchase order per supplier, and the approval tier its value needs.
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 *
 * Policy: a periodic-review order-up-to (R, S) rule. An order placed at a review arrives after the
 * lead time L and the next one only after the review period R, so stock must cover L + R days:
 *   inventory position  IP  = on hand − reserved + on order   (what is already coming is not ordered twice)
 *   spread over L + R   σ²  = (L+R)·σd² + (L+R)²·σlevel² + d²·σL²
 *                             (daily demand noise, the forecast level's own error, which does not
 *                             average out over the days, and the lead time's variation)
 *   order-up-to level   S   = demand over L + R + SS,  SS = z(service level) · σ   (normal approximation)
 *                       or, for slow movers (forecast under SLOW_MOVER_DAILY units a day), the smallest
 *                       S with P(demand over L + R ≤ S) ≥ service level under a Poisson or negative
 *                       binomial distribution of that mean and σ (./count-distributions); SS = S − mean
 *   reorder point       s   = S   (every review tops the position up to S)
 *   if IP ≤ s: order max(S − IP, EOQ when costs are known, minimum order), rounded up to whole packs.
 */
import { countCdf, countQuantile, fitCountDistribution } from './count-distributions';
import { forecastOverLeadTime, type DemandForecast } from './forecasting';
import { compareStrings, formatMoney, pluralise, roundTo } from './text';
import { plannedServiceLevel, type ServiceRecord } from './service-feedback';

/** The service-level range accepted; targets outside it are clamped (0.9999 is z ≈ 3.72). */
export const SERVICE_LEVEL_RANGE = { min: 0.5, max: 0.9999 } as const;

/** Days in a year, for turning a daily demand and an annual holding rate into EOQ terms. */
export const DAYS_PER_YEAR = 365;

/** Default purchase-order value thresholds (currency units): above `storeManagerAbove` the store
 * manager approves; above `regionalAbove` the store manager and then the regional manager. */
export const DEFAULT_APPROVAL_THRESHOLDS = { storeManagerAbove: 2_500, regionalAbove: 10_000 } as const;

/** Mean daily demand under which lead-time demand is a count (Poisson / negative binomial), not a normal. */
export const SLOW_MOVER_DAILY = 1;

/** Decimals kept in a line's rationale numbers (quantities and money are rounded separately). */
const RATIONALE_DECIMALS = 2;

function finite(value: number | undefined, fallback = 0): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

function nonNegative(value: number | undefined): number {
  return Math.max(0, finite(value));
}

/** A number for a sentence: one decimal, no trailing `.0` (`11.25` -> `"11.3"`, `4` -> `"4"`). */
function num(value: number): string {
  return String(roundTo(value, 1));
}

/**
 * The standard normal quantile z with P(Z ≤ z) = p, by Acklam's rational approximation
 * (relative error below 1.2e-9). p is clamped to SERVICE_LEVEL_RANGE, so z is in [0, 3.719];
 * a non-finite p counts as the lowest level.
 */
export function zForServiceLevel(p: number): number {
  const q = Math.min(SERVICE_LEVEL_RANGE.max, Math.max(SERVICE_LEVEL_RANGE.min, finite(p, SERVICE_LEVEL_RANGE.min)));
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pHigh = 1 - 0.02425;
  if (q <= pHigh) {
    const r0 = q - 0.5;
    const r = r0 * r0;
    return (
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * r0) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
    );
  }
  const t = Math.sqrt(-2 * Math.log(1 - q));
  return -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
}

/**
 * Standard deviation of demand over a protection interval of `coverDays` (lead time + review period):
 *
 *   σ² = T·σd² + T²·σlevel² + d²·σL²     T = coverDays
 *
 * σd = daily demand std, σlevel = standard error of the forecast level (units a day; a level that is
 * off is off on every day of T, so it grows with T², not T), d = mean daily demand, σL = lead time
 * std (days). Negative or non-finite inputs count as 0.
 */
export function demandStdOverCover(input: {
  coverDays: number;
  demandStdDaily: number;
  levelStdDaily?: number;
  meanDaily: number;
  leadTimeStdDays?: number;
}): number {
  const t = nonNegative(input.coverDays);
  const sd = nonNegative(input.demandStdDaily);
  const level = nonNegative(input.levelStdDaily);
  const d = nonNegative(input.meanDaily);
  const sl = nonNegative(input.leadTimeStdDays);
  return Math.sqrt(t * sd * sd + t * t * level * level + d * d * sl * sl);
}

/**
 * Safety stock for a cycle service level (probability of no stock-out in a replenishment cycle),
 * normal approximation: SS = z(serviceLevel) · σ, σ from demandStdOverCover over lead time +
 * review period (`reviewPeriodDays` absent: the lead time alone). Negative or non-finite inputs count as 0.
 */
export function safetyStock(input: {
  serviceLevel: number;
  demandStdDaily: number;
  leadTimeDays: number;
  meanDaily: number;
  leadTimeStdDays?: number;
  reviewPeriodDays?: number;
  levelStdDaily?: number;
}): number {
  const sigma = demandStdOverCover({
    coverDays: nonNegative(input.leadTimeDays) + nonNegative(input.reviewPeriodDays),
    demandStdDaily: input.demandStdDaily,
    levelStdDaily: input.levelStdDaily,
    meanDaily: input.meanDaily,
    leadTimeStdDays: input.leadTimeStdDays,
  });
  return zForServiceLevel(input.serviceLevel) * sigma;
}

/** How the order-up-to level was set: normal approximation, or a count distribution for a slow mover. */
export type CoverDistribution = 'normal' | 'poisson' | 'negative-binomial';

/**
 * A forecaster's distribution of one day's demand (count models for slow movers), read
 * structurally: `dispersion` = variance / mean, Poisson when absent.
 */
interface DailyCountForecast {
  distribution?: { family: string; dispersion?: number };
}

/**
 * The order-up-to level over `coverDays` for a slow mover: the smallest whole S with
 * P(D ≤ S) ≥ serviceLevel, D Poisson or negative binomial (./count-distributions fitCountDistribution)
 * with mean `coverMean` and standard deviation `coverStd`; `probability` is P(D ≤ S).
 */
export function discreteOrderUpTo(input: { coverMean: number; coverStd: number; serviceLevel: number }): {
  orderUpTo: number;
  distribution: Exclude<CoverDistribution, 'normal'>;
  probability: number;
  variance: number;
} {
  const dist = fitCountDistribution(input.coverMean, input.coverStd);
  const orderUpTo = countQuantile(dist, input.serviceLevel);
  const variance = dist.kind === 'poisson' ? dist.mean : dist.mean + (dist.mean * dist.mean) / dist.size;
  return { orderUpTo, distribution: dist.kind, probability: countCdf(dist, orderUpTo), variance };
}

/**
 * Economic order quantity sqrt(2·D·S / H) with D = annual demand (meanDaily · DAYS_PER_YEAR),
 * S = cost per order, H = annual holding cost per unit (rate · unit cost). Null unless ordering cost,
 * holding rate and unit cost are all known and positive.
 */
export function economicOrderQuantity(input: { meanDaily: number; unitCost: number; orderingCost?: number; holdingCostRate?: number }): number | null {
  const s = finite(input.orderingCost);
  const rate = finite(input.holdingCostRate);
  const cost = finite(input.unitCost);
  if (s <= 0 || rate <= 0 || cost <= 0) return null;
  const annualDemand = nonNegative(input.meanDaily) * DAYS_PER_YEAR;
  return Math.sqrt((2 * annualDemand * s) / (rate * cost));
}

function wholePackSize(packSize: number): number {
  return Math.max(1, Math.round(finite(packSize, 1)));
}

/**
 * An order quantity in whole packs: nothing for a quantity ≤ 0; otherwise at least the minimum
 * order, rounded UP to a multiple of the pack size (a pack size below 1 counts as 1; a fractional
 * one is rounded to the nearest whole unit).
 */
export function roundToPack(qty: number, packSize: number, minOrderQty: number): number {
  const wanted = finite(qty);
  if (wanted <= 0) return 0;
  const pack = wholePackSize(packSize);
  const target = Math.max(wanted, nonNegative(minOrderQty));
  // A hair of tolerance so 18.000000000001 of packs of 6 stays 3 packs, not 4.
  return Math.ceil(target / pack - 1e-9) * pack;
}

export interface SkuPlanInput {
  sku: string;
  supplierId: string;
  unitCost: number;
  onHand: number;
  reserved: number;
  onOrder: number;
  forecast: DemandForecast;
  leadTimeDays: number;
  leadTimeStdDays: number;
  serviceLevel: number;
  reviewPeriodDays: number;
  packSize: number;
  minOrderQty: number;
  orderingCost?: number;
  holdingCostRate?: number; // annual fraction of unit cost
  /** The series' replenishment cycles of the last year (domain/service-feedback.ts); absent: planned at the target. */
  serviceRecord?: ServiceRecord;
}

export interface SkuPlanLine {
  sku: string;
  supplierId: string;
  quantity: number;
  unitCost: number;
  lineValue: number;
  rationale: {
    meanDaily: number;
    demandOverLeadTime: number;
    safetyStock: number;
    reorderPoint: number;
    orderUpTo: number;
    inventoryPosition: number;
    onHand: number;
    reserved: number;
    onOrder: number;
    packSize: number;
    minOrderQty: number;
    eoq: number | null;
    /** How the order-up-to level was set (absent on lines planned before it was recorded). */
    coverDistribution?: CoverDistribution;
    /** The target, the level planned for and the record behind it (absent on lines planned before service feedback). */
    serviceFeedback?: { target: number; plannedServiceLevel: number; cycles: number; cyclesWithStockout: number };
    reasons: string[];
  };
}

/**
 * The order line for one SKU, or null when its inventory position is above the reorder point (or
 * nothing would be ordered). See the file header for the policy. Quantity is a whole number of
 * packs, never negative; the rationale carries every number behind it (2 decimals) and the reasons
 * in sentences. On hand may be negative (sold before a receipt was booked); reserved and on order
 * below 0, and any non-finite number, count as 0.
 */
export function planSku(input: SkuPlanInput): SkuPlanLine | null {
  const onHand = finite(input.onHand);
  const reserved = nonNegative(input.reserved);
  const onOrder = nonNegative(input.onOrder);
  const unitCost = nonNegative(input.unitCost);
  const lead = nonNegative(input.leadTimeDays);
  const review = nonNegative(input.reviewPeriodDays);
  const pack = wholePackSize(input.packSize);
  const minOrder = nonNegative(input.minOrderQty);
  const meanDaily = nonNegative(input.forecast.meanDaily);
  const target = Math.min(SERVICE_LEVEL_RANGE.max, Math.max(SERVICE_LEVEL_RANGE.min, finite(input.serviceLevel, SERVICE_LEVEL_RANGE.min)));
  const feedback = plannedServiceLevel(target, input.serviceRecord);
  const serviceLevel = Math.min(SERVICE_LEVEL_RANGE.max, Math.max(SERVICE_LEVEL_RANGE.min, feedback.serviceLevel));

  const position = onHand - reserved + onOrder;
  const cover = lead + review;
  const leadDemand = forecastOverLeadTime(input.forecast, lead).mean;
  const coverDemand = forecastOverLeadTime(input.forecast, cover).mean;
  const z = zForServiceLevel(serviceLevel);
  const demandStd = nonNegative(input.forecast.stdDaily);
  const levelStd = nonNegative(input.forecast.levelStdDaily);
  const leadVariability = nonNegative(input.leadTimeStdDays);
  const sigmaParts = { coverDays: cover, demandStdDaily: demandStd, levelStdDaily: levelStd, meanDaily, leadTimeStdDays: leadVariability };
  // A count model's own daily variance (dispersion × mean) stands in for the one-step error spread.
  const daily = (input.forecast as DemandForecast & DailyCountForecast).distribution;
  const dispersion = daily ? Math.max(1, finite(daily.dispersion, 1)) : null;
  const coverStd = demandStdOverCover(dispersion !== null ? { ...sigmaParts, demandStdDaily: Math.sqrt(dispersion * meanDaily) } : sigmaParts);

  let distribution: CoverDistribution = 'normal';
  let orderUpTo = coverDemand + z * coverStd;
  let discrete: ReturnType<typeof discreteOrderUpTo> | null = null;
  if (meanDaily < SLOW_MOVER_DAILY && coverDemand > 0) {
    discrete = discreteOrderUpTo({ coverMean: coverDemand, coverStd, serviceLevel });
    distribution = discrete.distribution;
    orderUpTo = discrete.orderUpTo;
  }
  const ss = orderUpTo - coverDemand;
  const reorderPoint = orderUpTo;
  if (position > reorderPoint) return null;

  const eoq = economicOrderQuantity({
    meanDaily,
    unitCost,
    orderingCost: input.orderingCost,
    holdingCostRate: input.holdingCostRate,
  });
  const need = Math.max(0, orderUpTo - position);
  const beforeRounding = Math.max(need, eoq ?? 0, need > 0 || (eoq ?? 0) > 0 ? minOrder : 0);
  const quantity = roundToPack(beforeRounding, pack, minOrder);
  if (quantity <= 0) return null;

  const reasons: string[] = [];
  reasons.push(`Forecast ${num(meanDaily)} units a day (${input.forecast.method})`);
  reasons.push(
    `Expected demand over the ${num(lead)}-day lead time is ${num(leadDemand)}` +
      (review > 0 ? `, and ${num(coverDemand)} over lead time plus the ${num(review)}-day review period` : ''),
  );
  const level = `${roundTo(serviceLevel * 100, 2)}% service level`;
  if (feedback.achieved !== null) {
    const record =
      (feedback.cyclesWithStockout === 0
        ? `None of the last ${pluralise(feedback.cycles, 'replenishment cycle')} ran out of stock `
        : `${pluralise(feedback.cyclesWithStockout, 'replenishment cycle')} of the last ${feedback.cycles} ran out of stock `) +
      `(${roundTo(feedback.achieved * 100, 1)}% without a stock-out against a ${roundTo(target * 100, 2)}% target)`;
    const move = serviceLevel > target ? 'raised to' : serviceLevel < target ? 'lowered to' : 'kept at';
    reasons.push(`${record}, so the service level planned for is ${move} ${roundTo(serviceLevel * 100, 2)}%`);
  }
  const coverDays = `${num(cover)} ${cover === 1 ? 'day' : 'days'} of lead time${review > 0 ? ' and review' : ''}`;
  const spreads = [
    `daily demand ±${num(dispersion !== null ? Math.sqrt(dispersion * meanDaily) : demandStd)}`,
    ...(levelStd > 0 ? [`forecast level ±${num(levelStd)} a day`] : []),
    ...(leadVariability > 0 ? [`lead time ±${num(leadVariability)} ${leadVariability === 1 ? 'day' : 'days'}`] : []),
  ];
  if (discrete) {
    const name = discrete.distribution === 'poisson' ? 'Poisson' : 'negative binomial';
    reasons.push(
      `Safety stock ${num(ss)} for a ${level}: a slow mover, so demand over the ${coverDays} is counted with a ${name} distribution ` +
        `(mean ${num(coverDemand)}` +
        (discrete.distribution === 'poisson' ? '' : `, spread ${num(Math.sqrt(discrete.variance))}`) +
        `; ${spreads.join(', ')}), and ${pluralise(orderUpTo, 'unit')} cover it with ${roundTo(discrete.probability * 100, 1)}% probability`,
    );
  } else {
    reasons.push(
      `Safety stock ${num(ss)} for a ${level} (z ${roundTo(z, 2)}, normal approximation): demand over the ${coverDays} varies by ${num(coverStd)} ` +
        `(${spreads.join(', ')})`,
    );
  }
  reasons.push(`Position ${num(position)} = ${num(onHand)} on hand − ${num(reserved)} reserved + ${num(onOrder)} on order`);
  reasons.push(
    position < reorderPoint
      ? `Position ${num(position)} is below the reorder point ${num(reorderPoint)} (the order-up-to level: every review tops it up)`
      : `Position ${num(position)} is at the reorder point ${num(reorderPoint)} (the order-up-to level: every review tops it up)`,
  );
  reasons.push(`Order-up-to level ${num(orderUpTo)} needs ${num(need)} more`);
  if (eoq !== null) {
    reasons.push(
      eoq > need && eoq >= minOrder
        ? `Economic order quantity ${num(eoq)} is larger, so it is ordered instead`
        : `Economic order quantity ${num(eoq)} is not larger`,
    );
  }
  if (minOrder > Math.max(need, eoq ?? 0)) reasons.push(`Raised to the supplier's minimum order of ${num(minOrder)}`);
  const packs = quantity / pack;
  const whole = pack === 1 ? pluralise(quantity, 'unit') : `${pluralise(packs, 'pack')} of ${pack}`;
  reasons.push(quantity === beforeRounding ? `Ordering exactly ${whole}` : `Rounded ${String(roundTo(beforeRounding, 2))} up to ${whole}`);
  const lineValue = roundTo(quantity * unitCost, 2);
  reasons.push(`Line value ${formatMoney(lineValue)} at ${formatMoney(unitCost)} a unit`);

  const r = (v: number): number => roundTo(v, RATIONALE_DECIMALS);
  return {
    sku: input.sku,
    supplierId: input.supplierId,
    quantity,
    unitCost,
    lineValue,
    rationale: {
      meanDaily: r(meanDaily),
      demandOverLeadTime: r(leadDemand),
      safetyStock: r(ss),
      reorderPoint: r(reorderPoint),
      orderUpTo: r(orderUpTo),
      inventoryPosition: r(position),
      onHand: r(onHand),
      reserved: r(reserved),
      onOrder: r(onOrder),
      packSize: pack,
      minOrderQty: minOrder,
      eoq: eoq === null ? null : r(eoq),
      coverDistribution: distribution,
      ...(feedback.achieved !== null
        ? {
            serviceFeedback: {
              target: roundTo(target, 4),
              plannedServiceLevel: roundTo(serviceLevel, 4),
              cycles: feedback.cycles,
              cyclesWithStockout: feedback.cyclesWithStockout,
            },
          }
        : {}),
      reasons,
    },
  };
}

export interface DraftPurchaseOrder {
  supplierId: string;
  lines: SkuPlanLine[];
  totalValue: number;
}

/** One draft PO per supplier: suppliers sorted by id, lines by SKU, total value to 2 decimals. */
export function groupBySupplier(lines: SkuPlanLine[]): DraftPurchaseOrder[] {
  const bySupplier = new Map<string, SkuPlanLine[]>();
  for (const line of lines) {
    const group = bySupplier.get(line.supplierId);
    if (group) group.push(line);
    else bySupplier.set(line.supplierId, [line]);
  }
  return [...bySupplier.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([supplierId, group]) => {
      const sorted = [...group].sort((a, b) => compareStrings(a.sku, b.sku));
      const total = sorted.reduce((sum, l) => sum + finite(l.lineValue), 0);
      return { supplierId, lines: sorted, totalValue: roundTo(total, 2) };
    });
}

export type ApprovalTier = 'auto' | 'store_manager' | 'store_and_regional';

/**
 * The approval a PO of this value needs: up to and including `storeManagerAbove` it is approved
 * automatically; above it the store manager; above `regionalAbove` the store manager and then the
 * regional manager. A non-finite value needs the most approval.
 */
export function approvalTierFor(
  totalValue: number,
  thresholds: { storeManagerAbove: number; regionalAbove: number } = DEFAULT_APPROVAL_THRESHOLDS,
): ApprovalTier {
  if (!Number.isFinite(totalValue) || totalValue > thresholds.regionalAbove) return 'store_and_regional';
  if (totalValue > thresholds.storeManagerAbove) return 'store_manager';
  return 'auto';
}
