import { estimateElasticity, expectedImpact, proposePrice, type DemandPoint, type ImpactInput, type ProposePriceInput } from '../../domain/elasticity';
import { checkGuardrails } from '../../domain/guardrails';

/** Points exactly on units = scale · price^e. */
function curve(scale: number, elasticity: number, prices: number[]): DemandPoint[] {
  return prices.map((price) => ({ price, units: scale * price ** elasticity }));
}

/** A deterministic uniform [0, 1) sequence (Park-Miller), so "noisy" data is the same on every run. */
function uniforms(count: number, seed = 42): number[] {
  const out: number[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 48_271) % 2_147_483_647;
    out.push(state / 2_147_483_647);
  }
  return out;
}

describe('estimateElasticity: recovers a known elasticity', () => {
  test.each<[string, number, number, number[]]>([
    ['1000 · p^-2', 1000, -2, [5, 6, 8, 10, 12, 15]],
    ['500 · p^-0.5', 500, -0.5, [1, 2, 3, 4]],
    ['200 · p^-1 at .99 prices', 200, -1, [9.99, 12.49, 14.99]],
    ['5000 · p^-3.5', 5000, -3.5, [10, 11, 12, 13, 14]],
    ['50 · p^0.3 (rising demand is reported as found)', 50, 0.3, [2, 3, 4]],
    ['repeated prices', 1000, -2, [10, 10, 12, 12, 15, 15]],
  ])('%s', (_name, scale, elasticity, prices) => {
    const estimate = estimateElasticity(curve(scale, elasticity, prices));
    expect(estimate.elasticity).toBeCloseTo(elasticity, 6);
    expect(estimate.intercept).toBeCloseTo(Math.log(scale), 6);
    expect(estimate.r2).toBeCloseTo(1, 9);
    expect([estimate.n, estimate.dropped, estimate.reason]).toEqual([prices.length, 0, undefined]);
  });

  test('noise orthogonal to ln(price) leaves the slope exact and lowers r2 by a known amount', () => {
    // ln prices are ln 10 + k · ln 2 for k = -2..2; noise [1, -2, 2, -2, 1] · 0.1 sums to 0 and to 0 against k.
    const noise = [0.1, -0.2, 0.2, -0.2, 0.1];
    const points = [2.5, 5, 10, 20, 40].map((price, i) => ({ price, units: 1000 * price ** -2 * Math.exp(noise[i]!) }));
    const estimate = estimateElasticity(points);
    expect(estimate.elasticity).toBeCloseTo(-2, 9);
    expect(estimate.intercept).toBeCloseTo(Math.log(1000), 9);
    // SSres = Σ noise² = 0.14; SStot = 4 · Sxx + 0.14 with Sxx = 10 · ln(2)²
    expect(estimate.r2).toBeCloseTo(1 - 0.14 / (40 * Math.log(2) ** 2 + 0.14), 9);
  });

  test('pseudo-random noise: close to -2, a good but imperfect fit', () => {
    const u = uniforms(40);
    const points = u.map((v, i) => {
      const price = 8 + (i % 5);
      return { price, units: 1000 * price ** -2 * Math.exp(0.1 * (v - 0.5)) };
    });
    const estimate = estimateElasticity(points);
    expect(Math.abs(estimate.elasticity! + 2)).toBeLessThan(0.02);
    expect(estimate.r2).toBeGreaterThan(0.95);
    expect(estimate.r2).toBeLessThan(0.999);
    expect(estimate.n).toBe(40);
  });

  test('flat demand: elasticity 0, nothing left to explain', () => {
    const estimate = estimateElasticity([5, 6, 7].map((price) => ({ price, units: 10 })));
    expect(estimate.elasticity).toBeCloseTo(0, 12);
    expect(estimate.r2).toBe(1);
  });

  test('unusable points are counted and left out of the fit', () => {
    const points = [...curve(1000, -2, [5, 6, 8, 10]), { price: 0, units: 5 }, { price: 9, units: 0 }, { price: Number.NaN, units: 3 }];
    const estimate = estimateElasticity(points);
    expect(estimate.elasticity).toBeCloseTo(-2, 6);
    expect([estimate.n, estimate.dropped]).toEqual([4, 3]);
  });
});

describe('estimateElasticity: too little to go on', () => {
  test.each<[string, DemandPoint[], number, number, string]>([
    ['no points', [], 0, 0, 'Needs sales at 3 or more distinct prices; got 0'],
    ['one point', [{ price: 10, units: 5 }], 1, 0, 'Needs sales at 3 or more distinct prices; got 1'],
    ['many points at 2 distinct prices', curve(1000, -2, [10, 10, 12, 12, 12]), 5, 0, 'Needs sales at 3 or more distinct prices; got 2'],
    [
      'a zero-unit point dropped leaves 2 prices',
      [
        { price: 10, units: 5 },
        { price: 12, units: 4 },
        { price: 14, units: 0 },
      ],
      2,
      1,
      'Needs sales at 3 or more distinct prices; got 2 (1 point dropped for a price or units of 0 or less)',
    ],
    [
      'a NaN price and negative units dropped',
      [
        { price: Number.NaN, units: 5 },
        { price: 10, units: 5 },
        { price: 12, units: -1 },
        { price: 14, units: 3 },
      ],
      2,
      2,
      'Needs sales at 3 or more distinct prices; got 2 (2 points dropped for a price or units of 0 or less)',
    ],
  ])('%s -> null', (_name, points, n, dropped, reason) => {
    expect(estimateElasticity(points)).toEqual({ elasticity: null, intercept: null, r2: null, n, dropped, reason });
  });

  test('exactly 3 distinct prices is enough', () => {
    expect(estimateElasticity(curve(1000, -2, [10, 11, 12])).elasticity).toBeCloseTo(-2, 6);
  });
});

function proposal(overrides: Partial<ProposePriceInput>): ProposePriceInput {
  return { currentPrice: 20, cost: 10, elasticity: -2, ...overrides };
}

describe('proposePrice: profit-optimal price cost · e / (1 + e), clamped', () => {
  // current $20, cost $10: by default the price may move to $14.00-$26.00
  test.each<[string, Partial<ProposePriceInput>, number, 'min' | 'max' | null, number | null]>([
    ['e -2: the optimum is the current price', {}, 20, null, 20],
    ['e -3: optimum $15 is inside the range', { elasticity: -3 }, 15, null, 15],
    ['e -1.5: optimum $30 is above $26', { elasticity: -1.5 }, 26, 'max', 30],
    ['e -5: optimum $12.50 is below $14', { elasticity: -5 }, 14, 'min', 12.5],
    ['e -0.8, inelastic: the maximum', { elasticity: -0.8 }, 26, 'max', null],
    ['e -1 exactly, inelastic: the maximum', { elasticity: -1 }, 26, 'max', null],
    ['e +0.4: the maximum', { elasticity: 0.4 }, 26, 'max', null],
    ['no estimate: the current price', { elasticity: null }, 20, null, null],
    ['NaN estimate: the current price', { elasticity: Number.NaN }, 20, null, null],
    ['explicit maximum $22', { elasticity: -1.5, maxPrice: 22 }, 22, 'max', 30],
    ['explicit minimum $16', { elasticity: -5, minPrice: 16 }, 16, 'min', 12.5],
    ['10% range, optimum above', { elasticity: -1.5, maxChangePct: 0.1 }, 22, 'max', 30],
    ['10% range, optimum below', { elasticity: -5, maxChangePct: 0.1 }, 18, 'min', 12.5],
    ['minimum $6.993 rounds up to $7.00', { currentPrice: 9.99, cost: 1, elasticity: -5 }, 7, 'min', 1.25],
    ['maximum $12.987 rounds down to $12.98', { currentPrice: 9.99, cost: 1, elasticity: -1.05 }, 12.98, 'max', 21],
    ['cost 0: the optimum is 0, so the minimum', { cost: 0 }, 14, 'min', 0],
  ])('%s', (_name, overrides, price, clampedBy, optimalPrice) => {
    const result = proposePrice(proposal(overrides))!;
    expect(result.price).toBe(price);
    expect(result.clampedBy).toBe(clampedBy);
    expect(result.optimalPrice).toBe(optimalPrice);
  });

  test.each<[string, Partial<ProposePriceInput>, number, number, number | null]>([
    // (p / 20)^e, ratio · p / 20 − 1, (p − 10) · ratio / 10 − 1
    ['e -3 to $15', { elasticity: -3 }, 2.3704, 0.7778, 0.1852],
    ['e -1.5 to $26', { elasticity: -1.5 }, 0.6747, -0.1229, 0.0795],
    ['e -0.8 to $26', { elasticity: -0.8 }, 0.8107, 0.0539, 0.2971],
    ['e -2 stays at $20', {}, 1, 0, 0],
    ['current $10 below the $12 cost: no profit to compare', { currentPrice: 10, cost: 12 }, 0.5917, -0.2308, null],
  ])('expected change: %s', (_name, overrides, unitsRatio, revenueChange, marginChange) => {
    const result = proposePrice(proposal(overrides))!;
    expect(result.expectedUnitsRatio).toBe(unitsRatio);
    expect(result.expectedRevenueChangePct).toBe(revenueChange);
    expect(result.expectedMarginChangePct).toBe(marginChange);
  });

  test.each<[string, Partial<ProposePriceInput>, string[]]>([
    [
      'inside the range',
      { elasticity: -3 },
      ['Elasticity -3: profit peaks at cost × e / (1 + e) = $15.00', 'At $15.00: units ×2.37, revenue +77.8%, gross profit +18.5%'],
    ],
    [
      'clamped to the minimum',
      { elasticity: -5 },
      [
        'Elasticity -5: profit peaks at cost × e / (1 + e) = $12.50',
        'Raised to the minimum $14.00',
        'At $14.00: units ×5.95, revenue +316.5%, gross profit +138%',
      ],
    ],
    [
      'inelastic',
      { elasticity: -0.8 },
      [
        'Elasticity -0.8 is inelastic (−1 or above): profit keeps rising with price, so there is no finite optimum; proposing the maximum $26.00',
        'At $26.00: units ×0.81, revenue +5.4%, gross profit +29.7%',
      ],
    ],
    [
      'positive elasticity',
      { elasticity: 0.4 },
      [
        'Elasticity 0.4 is inelastic (−1 or above): profit keeps rising with price, so there is no finite optimum; proposing the maximum $26.00',
        'A positive elasticity (demand rising with price) is implausible: check the sales history',
        'At $26.00: units ×1.11, revenue +44.4%, gross profit +77.7%',
      ],
    ],
    [
      'minimum $6.993 rounded up',
      { currentPrice: 9.99, cost: 1, elasticity: -5 },
      [
        'Elasticity -5: profit peaks at cost × e / (1 + e) = $1.25',
        'Raised to the minimum $7.00',
        'At $7.00: units ×5.92, revenue +314.8%, gross profit +295.1%',
      ],
    ],
    ['no estimate', { elasticity: null }, ['No elasticity estimate: keeping the current price $20.00', 'At $20.00: units ×1, revenue 0%, gross profit 0%']],
    [
      'no profit now',
      { currentPrice: 10, cost: 12 },
      [
        'Elasticity -2: profit peaks at cost × e / (1 + e) = $24.00',
        'Lowered to the maximum $13.00',
        'At $13.00: units ×0.59, revenue -23.1%, no gross profit at the current price to compare with',
      ],
    ],
  ])('reasons: %s', (_name, overrides, reasons) => {
    expect(proposePrice(proposal(overrides))!.reasons).toEqual(reasons);
  });

  test.each<[string, Partial<ProposePriceInput>]>([
    ['current price 0', { currentPrice: 0 }],
    ['current price NaN', { currentPrice: Number.NaN }],
    ['negative cost', { cost: -1 }],
    ['NaN cost', { cost: Number.NaN }],
    ['minimum above the default maximum', { minPrice: 30 }],
    ['minimum above the maximum', { minPrice: 18, maxPrice: 17 }],
  ])('%s -> null', (_name, overrides) => {
    expect(proposePrice(proposal(overrides))).toBeNull();
  });

  test.each<[string, Partial<ProposePriceInput>]>([
    ['clamped to the minimum of a $9.99 price', { currentPrice: 9.99, cost: 1, elasticity: -5 }],
    ['clamped to the maximum of a $9.99 price', { currentPrice: 9.99, cost: 1, elasticity: -1.05 }],
  ])('%s stays inside the guardrails one-step limit', (_name, overrides) => {
    const input = proposal(overrides);
    const proposed = proposePrice(input)!;
    const g = checkGuardrails({
      requestedPrice: proposed.price,
      currentPrice: input.currentPrice,
      cost: input.cost,
      map: null,
      competitorPrices: [],
      charm: false,
    });
    expect(g.violations.map((v) => v.rule)).not.toContain('max_change');
    expect(g.finalPrice).toBe(proposed.price);
  });

  test('an estimate from history feeds straight in', () => {
    const estimate = estimateElasticity(curve(1000, -3, [16, 18, 20, 22, 24]));
    expect(proposePrice(proposal({ elasticity: estimate.elasticity }))!.price).toBe(15);
  });
});

describe('expectedImpact', () => {
  function impact(overrides: Partial<ImpactInput>): ImpactInput {
    return { currentPrice: 20, newPrice: 20, cost: 10, elasticity: -2, baselineUnitsPerDay: 30, ...overrides };
  }

  test.each<[string, Partial<ImpactInput>, ReturnType<typeof expectedImpact>]>([
    ['no change', {}, { unitsPerDay: 30, revenuePerDay: 600, grossProfitPerDay: 300, revenueChangePct: 0, profitChangePct: 0 }],
    [
      'cut to $15 at e -2',
      { newPrice: 15 },
      { unitsPerDay: 53.33, revenuePerDay: 800, grossProfitPerDay: 266.67, revenueChangePct: 0.3333, profitChangePct: -0.1111 },
    ],
    [
      'rise to $26 at e -1.5, 10 a day',
      { newPrice: 26, elasticity: -1.5, baselineUnitsPerDay: 10 },
      { unitsPerDay: 6.75, revenuePerDay: 175.41, grossProfitPerDay: 107.95, revenueChangePct: -0.1229, profitChangePct: 0.0795 },
    ],
    [
      'e 0: units do not move',
      { newPrice: 26, elasticity: 0 },
      { unitsPerDay: 30, revenuePerDay: 780, grossProfitPerDay: 480, revenueChangePct: 0.3, profitChangePct: 0.6 },
    ],
    [
      'selling at a loss now: no profit change',
      { currentPrice: 10, cost: 12, newPrice: 13 },
      { unitsPerDay: 17.75, revenuePerDay: 230.77, grossProfitPerDay: 17.75, revenueChangePct: -0.2308, profitChangePct: null },
    ],
    [
      'no baseline sales',
      { baselineUnitsPerDay: 0, newPrice: 15 },
      { unitsPerDay: 0, revenuePerDay: 0, grossProfitPerDay: 0, revenueChangePct: null, profitChangePct: null },
    ],
    [
      'negative baseline counts as 0',
      { baselineUnitsPerDay: -4 },
      { unitsPerDay: 0, revenuePerDay: 0, grossProfitPerDay: 0, revenueChangePct: null, profitChangePct: null },
    ],
    [
      'NaN cost counts as 0',
      { cost: Number.NaN, newPrice: 15 },
      { unitsPerDay: 53.33, revenuePerDay: 800, grossProfitPerDay: 800, revenueChangePct: 0.3333, profitChangePct: 0.3333 },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(expectedImpact(impact(overrides))).toEqual(expected);
  });

  test.each<[string, Partial<ImpactInput>]>([
    ['current price 0', { currentPrice: 0 }],
    ['new price NaN', { newPrice: Number.NaN }],
    ['new price negative', { newPrice: -1 }],
    ['elasticity NaN', { elasticity: Number.NaN }],
    ['elasticity infinite', { elasticity: Number.NEGATIVE_INFINITY }],
  ])('%s -> null', (_name, overrides) => {
    expect(expectedImpact(impact(overrides))).toBeNull();
  });
});
