import { DEFAULT_PRICE_TIER_THRESHOLDS, priceApprovalTier, type PriceApprovalTier } from '../../domain/price-tiers';

describe('priceApprovalTier: default thresholds (auto up to 5%, category manager up to 20%)', () => {
  test.each<[number, number, PriceApprovalTier, PriceApprovalTier]>([
    // changePct, soft violations, store-scoped tier, chain-wide tier
    [0, 0, 'auto', 'auto'],
    [0.03, 0, 'auto', 'auto'],
    [0.05, 0, 'auto', 'auto'],
    [-0.05, 0, 'auto', 'auto'],
    [1.05 / 1 - 1, 0, 'auto', 'auto'], // 0.050000000000000044: still exactly 5%
    [0.0501, 0, 'category_manager', 'category_manager'],
    [-0.0501, 0, 'category_manager', 'category_manager'],
    [0, 1, 'category_manager', 'category_manager'],
    [0.05, 2, 'category_manager', 'category_manager'],
    [0.15, 0, 'category_manager', 'category_manager'],
    [0.2, 0, 'category_manager', 'category_manager'],
    [-0.2, 0, 'category_manager', 'category_manager'],
    [0.2, 3, 'category_manager', 'category_manager'],
    [0.2001, 0, 'category_and_regional', 'category_manager'],
    [-0.2001, 0, 'category_and_regional', 'category_manager'],
    [-0.35, 1, 'category_and_regional', 'category_manager'],
    [1.5, 0, 'category_and_regional', 'category_manager'],
    [Number.NaN, 0, 'category_and_regional', 'category_manager'],
    [Number.POSITIVE_INFINITY, 0, 'category_and_regional', 'category_manager'],
  ])('change %p, %p soft -> store-scoped %p, chain-wide %p', (changePct, softViolations, storeTier, chainTier) => {
    expect(priceApprovalTier({ changePct, softViolations, storeScoped: true })).toBe(storeTier);
    expect(priceApprovalTier({ changePct, softViolations, storeScoped: false })).toBe(chainTier);
  });

  test.each<[string, number, PriceApprovalTier]>([
    ['NaN counts as a violation', Number.NaN, 'category_manager'],
    ['negative counts as none', -1, 'auto'],
  ])('soft violations: %s', (_name, softViolations, tier) => {
    expect(priceApprovalTier({ changePct: 0.01, softViolations, storeScoped: true })).toBe(tier);
  });

  test('the defaults are 5% and 20%', () => {
    expect(DEFAULT_PRICE_TIER_THRESHOLDS).toEqual({ autoUpTo: 0.05, categoryUpTo: 0.2 });
  });
});

describe('priceApprovalTier: custom thresholds (auto up to 2%, category manager up to 10%)', () => {
  test.each<[number, PriceApprovalTier]>([
    [0.02, 'auto'],
    [0.03, 'category_manager'],
    [0.05, 'category_manager'],
    [0.1, 'category_manager'],
    [-0.11, 'category_and_regional'],
  ])('store-scoped change %p -> %p', (changePct, tier) => {
    expect(priceApprovalTier({ changePct, softViolations: 0, storeScoped: true }, { autoUpTo: 0.02, categoryUpTo: 0.1 })).toBe(tier);
  });
});
