/**
 * Own-price elasticity of demand for one SKU, and the price it suggests.
 *
 * Pure: no I/O, no clock.
 *
 * Model: constant elasticity, units = A · price^e, fitted by least squares on
 *   ln(units) = intercept + e · ln(price).
 * Gross profit (p − cost) · A · p^e then peaks at p* = cost · e / (1 + e) when e < −1; when
 * e ≥ −1 (inelastic) it keeps rising with price, so there is no finite optimum.
 *
 * Changes are signed fractions (0.1 = +10%), as in guardrails.ts; money is rounded to the cent.
 */
import { formatMoney, pluralise, roundTo } from './text';

export interface DemandPoint {
  price: number;
  units: number;
}

export interface ElasticityEstimate {
  /** e in units = A · price^e; null when it cannot be estimated (see `reason`). */
  elasticity: number | null;
  /** ln A. */
  intercept: number | null;
  /** Share of the variance of ln(units) the fit explains, 0..1 (1 when units never vary). */
  r2: number | null;
  /** Points used. */
  n: number;
  /** Points dropped for a price or units that are not positive finite numbers. */
  dropped: number;
  reason?: string;
}

/** Fewer distinct prices than this and a line through ln(units) says little about elasticity. */
export const MIN_DISTINCT_PRICES = 3;

/** The default range a proposal may move in, either way from the current price (as guardrails' maxChangePct). */
export const DEFAULT_PROPOSAL_RANGE_PCT = 0.3;

const ESTIMATE_DECIMALS = 4;

function positive(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

function pct(fraction: number): string {
  return `${fraction > 0 ? '+' : ''}${roundTo(fraction * 100, 1)}%`;
}

/** Estimates elasticity by log-log least squares over the points with positive price and units. */
export function estimateElasticity(points: readonly DemandPoint[]): ElasticityEstimate {
  const usable = points.filter((p) => positive(p.price) && positive(p.units));
  const n = usable.length;
  const dropped = points.length - n;
  const distinct = new Set(usable.map((p) => p.price)).size;
  if (distinct < MIN_DISTINCT_PRICES) {
    const droppedNote = dropped > 0 ? ` (${pluralise(dropped, 'point')} dropped for a price or units of 0 or less)` : '';
    return {
      elasticity: null,
      intercept: null,
      r2: null,
      n,
      dropped,
      reason: `Needs sales at ${MIN_DISTINCT_PRICES} or more distinct prices; got ${distinct}${droppedNote}`,
    };
  }
  const xs = usable.map((p) => Math.log(p.price));
  const ys = usable.map((p) => Math.log(p.units));
  const meanX = xs.reduce((s, x) => s + x, 0) / n;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    const dy = ys[i]! - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residual = 0;
  for (let i = 0; i < n; i++) residual += (ys[i]! - intercept - slope * xs[i]!) ** 2;
  // Units that never vary leave nothing to explain: every point is on the (flat) line.
  const r2 = syy === 0 ? 1 : Math.min(1, Math.max(0, 1 - residual / syy));
  return { elasticity: slope, intercept, r2, n, dropped };
}

export interface ProposePriceInput {
  currentPrice: number;
  cost: number;
  /** Null (no estimate) keeps the current price. */
  elasticity: number | null;
  /** Lowest price to propose; default currentPrice · (1 − maxChangePct). */
  minPrice?: number;
  /** Highest price to propose; default currentPrice · (1 + maxChangePct). */
  maxPrice?: number;
  /** Default DEFAULT_PROPOSAL_RANGE_PCT. */
  maxChangePct?: number;
}

export interface PriceProposal {
  price: number;
  /** The unclamped profit-maximising price, to the cent; null when unbounded or unknown. */
  optimalPrice: number | null;
  /** (price / current)^e. */
  expectedUnitsRatio: number;
  expectedRevenueChangePct: number;
  /** Gross profit change; null when the current price makes no gross profit to compare with. */
  expectedMarginChangePct: number | null;
  clampedBy: 'min' | 'max' | null;
  reasons: string[];
}

/**
 * The profit-maximising price for a constant elasticity, clamped to [minPrice, maxPrice] (the
 * minimum rounded up and the maximum down to the cent, so the price stays inside the range).
 * Null when the current price is not positive, the cost is negative or not finite, or the range is
 * empty (min above max).
 */
export function proposePrice(input: ProposePriceInput): PriceProposal | null {
  const { currentPrice: current, cost, elasticity: e } = input;
  if (!positive(current) || !Number.isFinite(cost) || cost < 0) return null;
  const range =
    input.maxChangePct !== undefined && Number.isFinite(input.maxChangePct) && input.maxChangePct >= 0 ? input.maxChangePct : DEFAULT_PROPOSAL_RANGE_PCT;
  const lowest = positive(input.minPrice) ? input.minPrice : current * (1 - range);
  const highest = positive(input.maxPrice) ? input.maxPrice : current * (1 + range);
  if (lowest > highest) return null;
  // Bounds rounded inwards to the cent (a minimum of $6.993 is $7.00), unless the range is narrower than a cent.
  const minCents = Math.ceil(lowest * 100 - 1e-6);
  const maxCents = Math.floor(highest * 100 + 1e-6);
  const [min, max] = minCents <= maxCents ? [minCents / 100, maxCents / 100] : [lowest, highest];

  const reasons: string[] = [];
  let target: number;
  let optimalPrice: number | null = null;
  let clampedBy: PriceProposal['clampedBy'] = null;
  if (e === null || !Number.isFinite(e)) {
    target = current;
    reasons.push(`No elasticity estimate: keeping the current price ${formatMoney(current)}`);
  } else if (e >= -1) {
    target = max;
    clampedBy = 'max';
    reasons.push(
      `Elasticity ${roundTo(e, 2)} is inelastic (−1 or above): profit keeps rising with price, so there is no finite optimum; proposing the maximum ${formatMoney(max)}`,
    );
    if (e > 0) reasons.push('A positive elasticity (demand rising with price) is implausible: check the sales history');
  } else {
    const optimum = (cost * e) / (1 + e);
    optimalPrice = roundTo(optimum, 2);
    reasons.push(`Elasticity ${roundTo(e, 2)}: profit peaks at cost × e / (1 + e) = ${formatMoney(optimum)}`);
    if (optimum < min) {
      target = min;
      clampedBy = 'min';
      reasons.push(`Raised to the minimum ${formatMoney(min)}`);
    } else if (optimum > max) {
      target = max;
      clampedBy = 'max';
      reasons.push(`Lowered to the maximum ${formatMoney(max)}`);
    } else {
      target = optimum;
    }
  }

  const price = roundTo(target, 2);

  const ratio = e === null || !Number.isFinite(e) ? 1 : (price / current) ** e;
  const revenueChange = (ratio * price) / current - 1;
  const marginChange = current > cost ? ((price - cost) * ratio) / (current - cost) - 1 : null;
  reasons.push(
    `At ${formatMoney(price)}: units ×${roundTo(ratio, 2)}, revenue ${pct(revenueChange)}, ` +
      (marginChange === null ? 'no gross profit at the current price to compare with' : `gross profit ${pct(marginChange)}`),
  );
  return {
    price,
    optimalPrice,
    expectedUnitsRatio: roundTo(ratio, ESTIMATE_DECIMALS),
    expectedRevenueChangePct: roundTo(revenueChange, ESTIMATE_DECIMALS),
    expectedMarginChangePct: marginChange === null ? null : roundTo(marginChange, ESTIMATE_DECIMALS),
    clampedBy,
    reasons,
  };
}

export interface ImpactInput {
  currentPrice: number;
  newPrice: number;
  cost: number;
  elasticity: number;
  baselineUnitsPerDay: number;
}

export interface ExpectedImpact {
  unitsPerDay: number;
  revenuePerDay: number;
  grossProfitPerDay: number;
  /** Null when there is no baseline revenue to compare with. */
  revenueChangePct: number | null;
  /** Null when the baseline makes no gross profit (none, or a loss) to compare with. */
  profitChangePct: number | null;
}

/**
 * Units, revenue and gross profit a day at the new price: baseline units · (new / current)^e.
 * Null when either price is not a positive finite number or the elasticity is not finite; a
 * negative or non-finite baseline or cost counts as 0.
 */
export function expectedImpact(input: ImpactInput): ExpectedImpact | null {
  const { currentPrice: current, newPrice: next, elasticity: e } = input;
  if (!positive(current) || !positive(next) || !Number.isFinite(e)) return null;
  const baseline = positive(input.baselineUnitsPerDay) ? input.baselineUnitsPerDay : 0;
  const cost = positive(input.cost) ? input.cost : 0;
  const units = baseline * (next / current) ** e;
  const revenue = units * next;
  const profit = units * (next - cost);
  const baseRevenue = baseline * current;
  const baseProfit = baseline * (current - cost);
  return {
    unitsPerDay: roundTo(units, 2),
    revenuePerDay: roundTo(revenue, 2),
    grossProfitPerDay: roundTo(profit, 2),
    revenueChangePct: baseRevenue > 0 ? roundTo(revenue / baseRevenue - 1, ESTIMATE_DECIMALS) : null,
    profitChangePct: baseProfit > 0 ? roundTo(profit / baseProfit - 1, ESTIMATE_DECIMALS) : null,
  };
}
