import { emptyAccumulator, summarise, type MetricsSummary } from '../../domain/forecast-metrics';
import { proposePromotion, PROMOTION_DEFAULTS, type PromotionMetrics } from '../../domain/model-promotion';

const m = (wape: number | null, bias: number | null, mase: number | null = null): PromotionMetrics => ({ wape, bias, mase });

describe('proposePromotion: the default gate (2 % relative WAPE, |bias| within 1 pt)', () => {
  test.each<[string, PromotionMetrics, PromotionMetrics | null, boolean, Array<[string, boolean]>]>([
    ['no champion: the first model', m(0.35, 0.02), null, true, [['challenger-metrics', true]]],
    ['no champion, challenger without metrics', m(null, null), null, false, [['challenger-metrics', false]]],
    ['challenger without metrics', m(null, null), m(0.4, 0), false, [['challenger-metrics', false]]],
    [
      'champion without metrics on the window',
      m(0.35, 0.01),
      m(null, null),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', false],
      ],
    ],
    // (0.40 − 0.392)/0.40 = 0.02 exactly: the boundary passes.
    [
      'WAPE exactly 2 % better (0.400 → 0.392)',
      m(0.392, 0.01),
      m(0.4, 0.01),
      true,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', true],
      ],
    ],
    // (0.40 − 0.393)/0.40 = 0.0175.
    [
      'WAPE 1.75 % better: short of the margin',
      m(0.393, 0.01),
      m(0.4, 0.01),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', false],
        ['bias', true],
      ],
    ],
    [
      'WAPE much better, bias worse (1 % → 5 %)',
      m(0.3, 0.05),
      m(0.4, 0.01),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', false],
      ],
    ],
    // |+0.03| ≤ |−0.02| + 0.01: exactly at the tolerance passes.
    [
      'bias exactly at the tolerance (−2 % → +3 %)',
      m(0.3, 0.03),
      m(0.4, -0.02),
      true,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', true],
      ],
    ],
    [
      'bias just over it (−2 % → −3.1 %)',
      m(0.3, -0.031),
      m(0.4, -0.02),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', false],
      ],
    ],
    [
      'bias flips sign, same size',
      m(0.3, 0.04),
      m(0.4, -0.04),
      true,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', true],
      ],
    ],
    [
      'better on both',
      m(0.3, 0.0),
      m(0.4, 0.08),
      true,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', true],
        ['bias', true],
      ],
    ],
    [
      'worse WAPE',
      m(0.45, 0.0),
      m(0.4, 0.0),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', false],
        ['bias', true],
      ],
    ],
    [
      'equal WAPE',
      m(0.4, 0.0),
      m(0.4, 0.0),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', false],
        ['bias', true],
      ],
    ],
    [
      'worse on both',
      m(0.5, 0.2),
      m(0.4, 0.0),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', false],
        ['bias', false],
      ],
    ],
    [
      'a perfect champion cannot be beaten',
      m(0, 0),
      m(0, 0),
      false,
      [
        ['challenger-metrics', true],
        ['champion-metrics', true],
        ['wape', false],
        ['bias', true],
      ],
    ],
  ])('%s', (_name, challenger, champion, propose, checks) => {
    const p = proposePromotion({ challenger, champion });
    expect(p.propose).toBe(propose);
    expect(p.checks.map((c) => [c.name, c.passed])).toEqual(checks);
    expect(p.reason.startsWith(propose ? (champion === null ? 'No champion yet' : 'Promotion proposed') : 'No promotion proposed')).toBe(true);
  });

  test('reasons name the numbers', () => {
    expect(proposePromotion({ challenger: m(0.393, 0.01), champion: m(0.4, 0.01) }).reason).toBe(
      'No promotion proposed: challenger WAPE 39.30% vs champion 40.00% is 1.75% lower, short of the required 2.00% improvement.',
    );
    expect(proposePromotion({ challenger: m(0.3, 0.05), champion: m(0.4, 0.01) }).reason).toBe(
      'No promotion proposed: challenger bias +5.00% vs champion +1.00% (|bias| worse by 4.00 pt, tolerance 1.00 pt).',
    );
    expect(proposePromotion({ challenger: m(0.5, -0.2), champion: m(0.4, 0) }).reason).toBe(
      'No promotion proposed: challenger WAPE 50.00% vs champion 40.00% is 25.00% higher, short of the required 2.00% improvement; ' +
        'challenger bias -20.00% vs champion 0.00% (|bias| worse by 20.00 pt, tolerance 1.00 pt).',
    );
    expect(proposePromotion({ challenger: m(0.3, 0), champion: m(0.4, 0.08) }).reason).toBe(
      'Promotion proposed: challenger WAPE 30.00% vs champion 40.00% is 25.00% lower, meeting the required 2.00% improvement; ' +
        'challenger bias 0.00% vs champion +8.00% (|bias| not worse, tolerance 1.00 pt).',
    );
    expect(proposePromotion({ challenger: m(0.35, 0.02, 0.81), champion: null }).reason).toBe(
      'No champion yet: the challenger is proposed as the first model (WAPE 35.00%, bias +2.00%, MASE 0.810).',
    );
    expect(proposePromotion({ challenger: m(null, null), champion: null }).reason).toBe(
      'No promotion proposed: the challenger has no WAPE or bias on the holdout window (no units sold in it), so it cannot be judged.',
    );
  });

  test('wapeImprovement is the relative improvement, when there is one', () => {
    expect(proposePromotion({ challenger: m(0.3, 0), champion: m(0.4, 0) }).wapeImprovement).toBeCloseTo(0.25, 12);
    expect(proposePromotion({ challenger: m(0.3, 0), champion: null }).wapeImprovement).toBeNull();
    expect(proposePromotion({ challenger: m(0, 0), champion: m(0, 0) }).wapeImprovement).toBeNull();
  });

  test('takes MetricsSummary from the metrics accumulators directly', () => {
    const none: MetricsSummary = summarise(emptyAccumulator());
    expect(proposePromotion({ challenger: none, champion: null }).propose).toBe(false);
  });
});

describe('proposePromotion: configured policy', () => {
  test.each<[string, Partial<typeof PROMOTION_DEFAULTS>, PromotionMetrics, PromotionMetrics, boolean]>([
    ['margin 0: equal WAPE passes', { minWapeImprovement: 0 }, m(0.4, 0), m(0.4, 0), true],
    ['margin 10 %: 0.40 → 0.36 passes (exactly 10 %)', { minWapeImprovement: 0.1 }, m(0.36, 0), m(0.4, 0), true],
    ['margin 10 %: 0.40 → 0.37 does not', { minWapeImprovement: 0.1 }, m(0.37, 0), m(0.4, 0), false],
    ['bias tolerance 0: any worse |bias| fails', { biasTolerance: 0 }, m(0.3, 0.011), m(0.4, 0.01), false],
    ['bias tolerance 0: equal |bias| passes', { biasTolerance: 0 }, m(0.3, -0.01), m(0.4, 0.01), true],
    ['bias tolerance 5 pt', { biasTolerance: 0.05 }, m(0.3, 0.06), m(0.4, 0.01), true],
  ])('%s', (_name, policy, challenger, champion, propose) => {
    expect(proposePromotion({ challenger, champion }, policy).propose).toBe(propose);
  });

  test.each<[string, Partial<typeof PROMOTION_DEFAULTS>]>([
    ['negative margin', { minWapeImprovement: -0.1 }],
    ['margin of 100 %', { minWapeImprovement: 1 }],
    ['NaN margin', { minWapeImprovement: Number.NaN }],
    ['negative bias tolerance', { biasTolerance: -0.01 }],
    ['infinite bias tolerance', { biasTolerance: Number.POSITIVE_INFINITY }],
  ])('RangeError for %s', (_name, policy) => {
    expect(() => proposePromotion({ challenger: m(0.3, 0), champion: m(0.4, 0) }, policy)).toThrow(RangeError);
  });
});
