/**
 * The promotion gate of model retraining: does the challenger, evaluated on the same holdout window
 * as the current champion, beat it by enough to propose promoting it (to the data-science lead)?
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 *
 * Rule (PROMOTION_DEFAULTS, both configurable):
 * - no champion yet: propose the challenger as the first model, if it has metrics (WAPE and bias);
 * - otherwise propose only if both hold:
 *   - WAPE: the challenger's is lower than the champion's by at least `minWapeImprovement`,
 *     relative: (champion − challenger) / champion ≥ 0.02 (0.400 → at most 0.392). Exactly at the
 *     margin passes (compared with a 1e-9 slack for rounding). A champion WAPE of 0 cannot be beaten.
 *   - bias: the challenger's |bias| is not worse than the champion's by more than `biasTolerance`,
 *     absolute in bias units: |challenger| ≤ |champion| + 0.01 (one percentage point of units sold).
 *     Over- and under-forecasting count alike. Exactly at the tolerance passes.
 * - missing metrics (nothing sold in the window, or the champion not evaluated on it): no proposal.
 * The reason names the numbers; `checks` has one entry per rule looked at.
 */
import type { MetricsSummary } from './forecast-metrics';

/** What started a retraining: a person, the weekly Schedule, or the drift check. */
export type RetrainingTrigger = 'manual' | 'schedule' | 'drift';

export interface PromotionPolicy {
  /** Least relative WAPE improvement over the champion (0.02 = 2 % lower WAPE). In [0, 1). */
  minWapeImprovement: number;
  /** Largest increase of |bias| over the champion's, absolute (0.01 = one percentage point). ≥ 0. */
  biasTolerance: number;
}

export const PROMOTION_DEFAULTS: PromotionPolicy = { minWapeImprovement: 0.02, biasTolerance: 0.01 };

/** The metrics the gate reads (a MetricsSummary will do). */
export type PromotionMetrics = Pick<MetricsSummary, 'wape' | 'bias'> & Partial<Pick<MetricsSummary, 'mase'>>;

export interface PromotionCheck {
  name: 'challenger-metrics' | 'champion-metrics' | 'wape' | 'bias';
  passed: boolean;
  detail: string;
}

export interface PromotionProposal {
  propose: boolean;
  /** One human-readable sentence or two, naming the numbers. */
  reason: string;
  checks: PromotionCheck[];
  /** (champion WAPE − challenger WAPE) / champion WAPE, when both exist and the champion's is > 0. */
  wapeImprovement: number | null;
}

/** Slack for comparisons exactly at a margin (floating-point rounding). */
const SLACK = 1e-9;

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const signedPct = (x: number): string => `${x > 0 ? '+' : ''}${pct(x)}`;
const points = (x: number): string => `${(x * 100).toFixed(2)} pt`;

function hasMetrics(m: PromotionMetrics | null): m is PromotionMetrics & { wape: number; bias: number } {
  return m !== null && m.wape !== null && m.bias !== null && Number.isFinite(m.wape) && Number.isFinite(m.bias);
}

function describe(m: { wape: number; bias: number; mase?: number | null }): string {
  const mase = m.mase !== undefined && m.mase !== null ? `, MASE ${m.mase.toFixed(3)}` : '';
  return `WAPE ${pct(m.wape)}, bias ${signedPct(m.bias)}${mase}`;
}

export function proposePromotion(
  input: { challenger: PromotionMetrics | null; champion: PromotionMetrics | null },
  policy: Partial<PromotionPolicy> = {},
): PromotionProposal {
  const p: PromotionPolicy = { ...PROMOTION_DEFAULTS, ...policy };
  if (!Number.isFinite(p.minWapeImprovement) || p.minWapeImprovement < 0 || p.minWapeImprovement >= 1) {
    throw new RangeError(`minWapeImprovement must be in [0, 1) (got ${String(p.minWapeImprovement)}).`);
  }
  if (!Number.isFinite(p.biasTolerance) || p.biasTolerance < 0) {
    throw new RangeError(`biasTolerance must be a finite number ≥ 0 (got ${String(p.biasTolerance)}).`);
  }
  const { challenger, champion } = input;

  if (!hasMetrics(challenger)) {
    const detail = 'The challenger has no WAPE or bias on the holdout window (no units sold in it), so it cannot be judged.';
    return {
      propose: false,
      reason: `No promotion proposed: ${lowerFirst(detail)}`,
      checks: [{ name: 'challenger-metrics', passed: false, detail }],
      wapeImprovement: null,
    };
  }
  const checks: PromotionCheck[] = [{ name: 'challenger-metrics', passed: true, detail: `Challenger: ${describe(challenger)}.` }];

  if (champion === null) {
    return {
      propose: true,
      reason: `No champion yet: the challenger is proposed as the first model (${describe(challenger)}).`,
      checks,
      wapeImprovement: null,
    };
  }
  if (!hasMetrics(champion)) {
    const detail = 'The champion has no WAPE or bias on the same holdout window, so the challenger cannot be compared with it.';
    checks.push({ name: 'champion-metrics', passed: false, detail });
    return { propose: false, reason: `No promotion proposed: ${lowerFirst(detail)}`, checks, wapeImprovement: null };
  }
  checks.push({ name: 'champion-metrics', passed: true, detail: `Champion: ${describe(champion)}.` });

  // WAPE: lower by at least the relative margin.
  const improvement = champion.wape > 0 ? (champion.wape - challenger.wape) / champion.wape : null;
  const wapePassed = improvement !== null && improvement >= p.minWapeImprovement - SLACK;
  let wapeDetail: string;
  if (improvement === null) {
    wapeDetail = `the champion's WAPE is ${pct(0)} on the window, which cannot be improved on (challenger ${pct(challenger.wape)})`;
  } else {
    const how = improvement >= 0 ? `${pct(improvement)} lower` : `${pct(-improvement)} higher`;
    wapeDetail = `challenger WAPE ${pct(challenger.wape)} vs champion ${pct(champion.wape)} is ${how}, ${wapePassed ? 'meeting' : 'short of'} the required ${pct(p.minWapeImprovement)} improvement`;
  }
  checks.push({ name: 'wape', passed: wapePassed, detail: `${upperFirst(wapeDetail)}.` });

  // Bias: |bias| not worse than the champion's beyond the tolerance.
  const challengerAbs = Math.abs(challenger.bias);
  const championAbs = Math.abs(champion.bias);
  const biasPassed = challengerAbs <= championAbs + p.biasTolerance + SLACK;
  const biasDetail = `challenger bias ${signedPct(challenger.bias)} vs champion ${signedPct(champion.bias)} (|bias| ${
    biasPassed ? 'not worse' : `worse by ${points(challengerAbs - championAbs)}`
  }, tolerance ${points(p.biasTolerance)})`;
  checks.push({ name: 'bias', passed: biasPassed, detail: `${upperFirst(biasDetail)}.` });

  const propose = wapePassed && biasPassed;
  let reason: string;
  if (propose) {
    reason = `Promotion proposed: ${wapeDetail}; ${biasDetail}.`;
  } else {
    const failed = [wapePassed ? null : wapeDetail, biasPassed ? null : biasDetail].filter((s): s is string => s !== null);
    reason = `No promotion proposed: ${failed.join('; ')}.`;
  }
  return { propose, reason, checks, wapeImprovement: improvement };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
