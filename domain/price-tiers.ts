/**
 * The approval a retail price change needs, by the size of the change and whether it broke a soft
 * guardrail (see guardrails.ts; hard violations are refused before this is asked).
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 */

export type PriceApprovalTier = 'auto' | 'category_manager' | 'category_and_regional';

export interface PriceTierThresholds {
  /** Largest |change| (fraction) approved automatically, when no soft guardrail is broken. */
  autoUpTo: number;
  /** Largest |change| the category manager approves alone, even for a store-scoped change. */
  categoryUpTo: number;
}

export const DEFAULT_PRICE_TIER_THRESHOLDS: Readonly<PriceTierThresholds> = { autoUpTo: 0.05, categoryUpTo: 0.2 };

export interface PriceChangeForApproval {
  /** Signed fraction of the current price (−0.1 = a 10% cut). */
  changePct: number;
  softViolations: number;
  /** True for some stores only; false for a chain-wide change. */
  storeScoped: boolean;
}

// 1.05 / 1 − 1 is 0.050000000000000044: a change computed as exactly 5% still counts as 5%.
const TOLERANCE = 1e-9;

/**
 * |change| up to and including `autoUpTo` with no soft violation: automatic. Up to and including
 * `categoryUpTo`, or any soft violation: the category manager. Above `categoryUpTo`: the category
 * manager, then the regional manager for a store-scoped change (a chain-wide one stays with the
 * category manager). A non-finite change needs the most approval; a soft-violation count that is
 * not a number counts as a violation.
 */
export function priceApprovalTier(change: PriceChangeForApproval, thresholds: PriceTierThresholds = DEFAULT_PRICE_TIER_THRESHOLDS): PriceApprovalTier {
  const size = Math.abs(change.changePct);
  if (!Number.isFinite(size) || size > thresholds.categoryUpTo + TOLERANCE) {
    return change.storeScoped ? 'category_and_regional' : 'category_manager';
  }
  if (size > thresholds.autoUpTo + TOLERANCE || !(change.softViolations <= 0)) return 'category_manager';
  return 'auto';
}
