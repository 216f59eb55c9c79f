/**
 * Price guardrails for a retail price change of one SKU: which limits a requested price breaks,
 * the price that would actually be set after charm rounding, and why, in sentences.
 *
 * Pure: no I/O, no clock.
 *
 * HARD rules refuse the request: below cost (`cost_floor`), below MAP when one is set (`map_floor`),
 * below the hard floor or above the hard ceiling when set. An input that cannot be judged at all is
 * refused under its own rule, `invalid`: a requested or current price below one cent or not finite,
 * a negative or non-finite cost, a MAP / hard floor / hard ceiling given but not a positive finite
 * number, or a policy value out of range.
 * SOFT rules allow the price but need human approval: below the margin floor cost / (1 − minMarginPct),
 * more than maxChangePct away from the current price, or outside the band of ± competitorBandPct
 * around the competitor median (when there are competitor prices).
 * Hard rules judge the requested price; soft rules judge the final price.
 *
 * Everything is worked in whole cents: prices are rounded to the cent first, a floor is the lowest
 * whole-cent price that satisfies it and a ceiling the highest (a 15% margin on a $10 cost is
 * $11.7647..., so the margin floor is $11.77).
 *
 * Charm rounding (on unless `charm: false`, and only for a request of $1 or more that is not
 * refused): down to the nearest price ending in .99 at or below the request. It never crosses a
 * floor the request satisfied, soft floors included (the lowest price the one-step change and the
 * competitor band allow), so rounding never creates a violation the request did not have. When it
 * would, the highest such floor binds: the price goes up to the next .99 (always within a dollar of
 * the request) if that is within every ceiling the request satisfied, else to the floor itself.
 */
import { formatMoney, pluralise, roundTo } from './text';

export interface PricePolicy {
  /** Lowest gross margin on the selling price without approval: price ≥ cost / (1 − minMarginPct). */
  minMarginPct: number;
  /** Largest move from the current price in one step without approval, either way (0.3 = ±30%). */
  maxChangePct: number;
  /** Half-width of the allowed band around the competitor median (0.15 = median ± 15%). */
  competitorBandPct: number;
  /** Hard floors are absolute prices given per request (`GuardrailInput.hardFloor`), never a policy percentage. */
  hardFloorPct?: never;
}

export const DEFAULT_PRICE_POLICY: PricePolicy = { minMarginPct: 0.15, maxChangePct: 0.3, competitorBandPct: 0.15 };

export interface GuardrailInput {
  requestedPrice: number;
  currentPrice: number;
  cost: number;
  map: number | null;
  competitorPrices: number[];
  hardFloor?: number | null;
  hardCeiling?: number | null;
  policy?: Partial<PricePolicy>;
  /** Round to a price ending in .99 (default true). */
  charm?: boolean;
}

export type GuardrailRule =
  'invalid' | 'cost_floor' | 'map_floor' | 'hard_floor' | 'hard_ceiling' | 'margin_floor' | 'max_change' | 'competitor_band' | 'charm_rounding';

export interface GuardrailViolation {
  rule: GuardrailRule;
  severity: 'hard' | 'soft';
  message: string;
  /** The lowest (floor) or highest (ceiling) whole-cent price the rule allows; 0 for `invalid`. */
  limit: number;
}

export interface GuardrailResult {
  requestedPrice: number;
  /** The price to set: the request after charm rounding, or the request to the cent when refused (0 if it is not a price). */
  finalPrice: number;
  /** The rule that decided the final price when it differs from the request; null when the request stands. */
  boundBy: GuardrailRule | null;
  violations: GuardrailViolation[];
  /** Any hard violation: the request is refused. */
  hard: boolean;
  competitorMedian: number | null;
  /** Gross margin on the final price as a fraction (0.25 = 25%); 0 when the input is invalid. */
  marginPct: number;
  /** Final price vs current, signed fraction (−0.1 = 10% cut); 0 when the input is invalid. */
  changePct: number;
  /** One entry per rule (or just `invalid`): limit null when the rule does not apply; for a two-sided
   * rule the side broken, else the side nearer the price. */
  checks: { rule: GuardrailRule; limit: number | null; ok: boolean }[];
  /** The outcome, how the final price was reached, and its margin and change, in sentences; each
   * violation's own sentence is in its `message`, not repeated here. */
  reasons: string[];
}

/** The median of the prices that are positive finite numbers (others are ignored); null when none are. */
export function medianOf(values: readonly number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rules that are a price limit. */
type LimitRule = Exclude<GuardrailRule, 'invalid' | 'charm_rounding'>;

const CHECKED_RULES: readonly LimitRule[] = ['cost_floor', 'map_floor', 'hard_floor', 'hard_ceiling', 'margin_floor', 'max_change', 'competitor_band'];

const FLOOR_NAMES: Partial<Record<LimitRule, string>> = {
  cost_floor: 'cost',
  map_floor: 'MAP',
  hard_floor: 'hard floor',
  margin_floor: 'margin floor',
  max_change: 'largest cut allowed in one step',
  competitor_band: 'competitor band',
};

const CEILING_NAMES: Partial<Record<LimitRule, string>> = {
  hard_ceiling: 'hard ceiling',
  max_change: 'largest rise allowed in one step',
  competitor_band: 'competitor band',
};

/** A limit in whole cents: a floor is the lowest price allowed, a ceiling the highest. */
interface Bound {
  rule: LimitRule;
  side: 'floor' | 'ceiling';
  hard: boolean;
  cents: number;
}

// Float slack when turning a limit into whole cents: a 15% margin on $17.85 computes as 2100.0000000000005
// cents, a floor of $21.00, not $21.01.
const CENT_SLACK = 1e-6;

function lowestAllowedCents(centsValue: number): number {
  return Math.ceil(centsValue - CENT_SLACK);
}

function highestAllowedCents(centsValue: number): number {
  return Math.floor(centsValue + CENT_SLACK);
}

function toCents(dollars: number): number {
  return Math.round(roundTo(dollars, 2) * 100);
}

function money(cents: number): string {
  return formatMoney(cents / 100);
}

function pct(fraction: number): string {
  return `${roundTo(fraction * 100, 1)}%`;
}

function signedPct(fraction: number): string {
  return `${fraction > 0 ? '+' : ''}${pct(fraction)}`;
}

function within(bound: Bound, cents: number): boolean {
  return bound.side === 'floor' ? cents >= bound.cents : cents <= bound.cents;
}

function resolvePolicy(policy: Partial<PricePolicy> | undefined): PricePolicy {
  return {
    minMarginPct: policy?.minMarginPct ?? DEFAULT_PRICE_POLICY.minMarginPct,
    maxChangePct: policy?.maxChangePct ?? DEFAULT_PRICE_POLICY.maxChangePct,
    competitorBandPct: policy?.competitorBandPct ?? DEFAULT_PRICE_POLICY.competitorBandPct,
  };
}

/** Why the input cannot be judged, one sentence per problem; empty when it can. */
function invalidInputs(input: GuardrailInput, policy: PricePolicy): string[] {
  const problems: string[] = [];
  const isPrice = (v: number): boolean => Number.isFinite(v) && toCents(v) >= 1;
  const price = (label: string, value: number | null | undefined): void => {
    if (value !== null && value !== undefined && !isPrice(value)) problems.push(`The ${label} ${String(value)} is not a price of at least $0.01`);
  };
  price('requested price', input.requestedPrice);
  price('current price', input.currentPrice);
  if (!Number.isFinite(input.cost) || input.cost < 0) problems.push(`The cost ${String(input.cost)} is not an amount of $0 or more`);
  price('MAP', input.map);
  price('hard floor', input.hardFloor);
  price('hard ceiling', input.hardCeiling);
  const { minMarginPct, maxChangePct, competitorBandPct } = policy;
  if (!(minMarginPct >= 0 && minMarginPct < 1)) problems.push(`The policy's minimum margin ${String(minMarginPct)} is not from 0 up to (not including) 1`);
  if (!(maxChangePct >= 0 && Number.isFinite(maxChangePct))) problems.push(`The policy's largest change ${String(maxChangePct)} is not 0 or more`);
  if (!(competitorBandPct >= 0 && Number.isFinite(competitorBandPct))) {
    problems.push(`The policy's competitor band ${String(competitorBandPct)} is not 0 or more`);
  }
  return problems;
}

/** Every limit that applies, hard rules first, in CHECKED_RULES order (which also breaks ties between equal floors). */
function boundsFor(input: GuardrailInput, policy: PricePolicy, current: number, median: number | null): Bound[] {
  const bounds: Bound[] = [];
  const add = (rule: LimitRule, side: Bound['side'], hard: boolean, centsValue: number): void => {
    bounds.push({ rule, side, hard, cents: side === 'floor' ? lowestAllowedCents(centsValue) : highestAllowedCents(centsValue) });
  };
  add('cost_floor', 'floor', true, input.cost * 100);
  if (input.map !== null) add('map_floor', 'floor', true, input.map * 100);
  if (input.hardFloor !== null && input.hardFloor !== undefined) add('hard_floor', 'floor', true, input.hardFloor * 100);
  if (input.hardCeiling !== null && input.hardCeiling !== undefined) add('hard_ceiling', 'ceiling', true, input.hardCeiling * 100);
  add('margin_floor', 'floor', false, (input.cost * 100) / (1 - policy.minMarginPct));
  add('max_change', 'floor', false, current * (1 - policy.maxChangePct));
  add('max_change', 'ceiling', false, current * (1 + policy.maxChangePct));
  if (median !== null) {
    add('competitor_band', 'floor', false, median * 100 * (1 - policy.competitorBandPct));
    add('competitor_band', 'ceiling', false, median * 100 * (1 + policy.competitorBandPct));
  }
  return bounds;
}

interface Charmed {
  cents: number;
  boundBy: GuardrailRule | null;
  /** The .99 price charm rounding aimed for. */
  target: number;
  floor?: Bound;
  ceiling?: Bound;
}

function charmRound(requested: number, bounds: readonly Bound[]): Charmed {
  if (requested < 100) return { cents: requested, boundBy: null, target: requested };
  const target = requested - ((requested - 99) % 100);
  if (target === requested) return { cents: requested, boundBy: null, target };
  const crossed = bounds.filter((b) => b.side === 'floor' && b.cents <= requested && b.cents > target);
  if (crossed.length === 0) return { cents: target, boundBy: 'charm_rounding', target };
  const floor = crossed.reduce((highest, b) => (b.cents > highest.cents ? b : highest));
  // target < floor ≤ requested, so the next .99 above the floor is target + $1, within a dollar of the request.
  const next = target + 100;
  const ceiling = bounds
    .filter((b) => b.side === 'ceiling' && b.cents >= requested)
    .reduce<Bound | undefined>((lowest, b) => (lowest === undefined || b.cents < lowest.cents ? b : lowest), undefined);
  if (ceiling === undefined || next <= ceiling.cents) return { cents: next, boundBy: floor.rule, target, floor };
  return { cents: floor.cents, boundBy: floor.rule, target, floor, ceiling };
}

interface Context {
  cost: number;
  policy: PricePolicy;
  current: number;
  median: number | null;
}

function violationMessage(bound: Bound, price: number, ctx: Context): string {
  const p = money(price);
  const limit = money(bound.cents);
  switch (bound.rule) {
    case 'cost_floor':
      return `${p} is below the cost of ${limit}`;
    case 'map_floor':
      return `${p} is below the MAP (minimum advertised price) of ${limit}`;
    case 'hard_floor':
      return `${p} is below the hard floor of ${limit}`;
    case 'hard_ceiling':
      return `${p} is above the hard ceiling of ${limit}`;
    case 'margin_floor':
      return `${p} is below the margin floor of ${limit}, a ${pct(ctx.policy.minMarginPct)} margin on a cost of ${formatMoney(ctx.cost)}`;
    case 'max_change':
      return `${p} is ${signedPct((price - ctx.current) / ctx.current)} from ${money(ctx.current)}, more than the ${pct(ctx.policy.maxChangePct)} allowed in one step`;
    case 'competitor_band': {
      const around = `median ${formatMoney(ctx.median ?? 0)} ${bound.side === 'floor' ? '−' : '+'} ${pct(ctx.policy.competitorBandPct)}`;
      return bound.side === 'floor'
        ? `${p} is below the competitor band, which starts at ${limit} (${around})`
        : `${p} is above the competitor band, which ends at ${limit} (${around})`;
    }
  }
}

function priceReason(requested: number, charmed: Charmed): string {
  const { floor, ceiling } = charmed;
  if (charmed.boundBy === null) return `Price ${money(requested)} as requested`;
  if (floor === undefined) return `Charm-rounded ${money(requested)} down to ${money(charmed.cents)}`;
  const below = `Charm rounding to ${money(charmed.target)} would go below the ${FLOOR_NAMES[floor.rule]!} of ${money(floor.cents)}`;
  if (ceiling === undefined) return `${below}, so ${money(charmed.cents)}, the next price ending in .99`;
  return `${below} and ${money(charmed.target + 100)} above the ${CEILING_NAMES[ceiling.rule]!} of ${money(ceiling.cents)}, so ${money(charmed.cents)}, the floor itself`;
}

function refusedAsInvalid(input: GuardrailInput, problems: string[], competitorMedian: number | null): GuardrailResult {
  const requested = Number.isFinite(input.requestedPrice) ? roundTo(input.requestedPrice, 2) : 0;
  return {
    requestedPrice: input.requestedPrice,
    finalPrice: requested > 0 ? requested : 0,
    boundBy: null,
    violations: problems.map((message) => ({ rule: 'invalid', severity: 'hard', message, limit: 0 })),
    hard: true,
    competitorMedian,
    marginPct: 0,
    changePct: 0,
    checks: [{ rule: 'invalid', limit: null, ok: false }],
    reasons: [`Refused: ${pluralise(problems.length, 'input')} not usable`],
  };
}

/** Checks a requested price against the guardrails; see the file header for the rules. */
export function checkGuardrails(input: GuardrailInput): GuardrailResult {
  const policy = resolvePolicy(input.policy);
  const median = medianOf(input.competitorPrices);
  const competitorMedian = median === null ? null : roundTo(median, 2);
  const problems = invalidInputs(input, policy);
  if (problems.length > 0) return refusedAsInvalid(input, problems, competitorMedian);

  const requested = toCents(input.requestedPrice);
  const current = toCents(input.currentPrice);
  const bounds = boundsFor(input, policy, current, median);
  const hard = bounds.some((b) => b.hard && !within(b, requested));
  const charmed: Charmed = hard || input.charm === false ? { cents: requested, boundBy: null, target: requested } : charmRound(requested, bounds);
  const final = charmed.cents;
  const judged = (b: Bound): number => (b.hard ? requested : final);

  const ctx: Context = { cost: input.cost, policy, current, median };
  const broken = bounds.filter((b) => !within(b, judged(b)));
  const violations: GuardrailViolation[] = broken.map((b) => ({
    rule: b.rule,
    severity: b.hard ? 'hard' : 'soft',
    message: violationMessage(b, judged(b), ctx),
    limit: b.cents / 100,
  }));

  const checks = CHECKED_RULES.map((rule) => {
    const own = bounds.filter((b) => b.rule === rule);
    if (own.length === 0) return { rule, limit: null, ok: true };
    const failed = own.find((b) => !within(b, judged(b)));
    const shown = failed ?? own.reduce((near, b) => (Math.abs(judged(b) - b.cents) < Math.abs(judged(near) - near.cents) ? b : near));
    return { rule, limit: shown.cents / 100, ok: failed === undefined };
  });

  const finalDollars = final / 100;
  const marginPct = (finalDollars - input.cost) / finalDollars;
  const changePct = (final - current) / current;
  const hardCount = violations.filter((v) => v.severity === 'hard').length;
  const reasons = [
    hard
      ? `Refused: ${pluralise(hardCount, 'hard guardrail')} broken`
      : violations.length > 0
        ? `Needs approval: ${pluralise(violations.length, 'soft guardrail')} broken`
        : 'Within all guardrails',
    ...(hard ? [] : [priceReason(requested, charmed)]),
    `Margin ${pct(marginPct)} at ${money(final)}, ${signedPct(changePct)} from ${money(current)}`,
  ];

  return {
    requestedPrice: input.requestedPrice,
    finalPrice: finalDollars,
    boundBy: charmed.boundBy,
    violations,
    hard,
    competitorMedian,
    marginPct,
    changePct,
    checks,
    reasons,
  };
}
