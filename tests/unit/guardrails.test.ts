import { checkGuardrails, medianOf, type GuardrailInput, type GuardrailRule } from '../../domain/guardrails';
import { priceApprovalTier } from '../../domain/price-tiers';

/**
 * The base request: $20.00 now, cost $10.00, no MAP, no competitors, default policy.
 *   margin floor 10 / 0.85 = 11.7647 -> $11.77; one step allows $14.00 to $26.00.
 * $21.30 is within every limit and charm-rounds to $20.99.
 */
function input(overrides: Partial<GuardrailInput> = {}): GuardrailInput {
  return { requestedPrice: 21.3, currentPrice: 20, cost: 10, map: null, competitorPrices: [], ...overrides };
}

type Violation = [GuardrailRule, 'hard' | 'soft', number];

describe('checkGuardrails: which rule sets the final price (boundBy)', () => {
  test.each<[string, Partial<GuardrailInput>, number, GuardrailRule | null]>([
    ['the request stands: it already ends in .99', { requestedPrice: 21.99 }, 21.99, null],
    ['the request stands: charm rounding off', { charm: false }, 21.3, null],
    ['the request stands: below $1 is never charm-rounded', { requestedPrice: 0.75, currentPrice: 0.7, cost: 0.2 }, 0.75, null],
    ['the request stands: a refused request is not charm-rounded', { requestedPrice: 9.5 }, 9.5, null],
    ['charm_rounding: down to the .99 below', {}, 20.99, 'charm_rounding'],
    ['cost_floor: $20.99 would be below the $21.05 cost', { cost: 21.05 }, 21.99, 'cost_floor'],
    ['map_floor: $20.99 would be below the $21.25 MAP', { map: 21.25 }, 21.99, 'map_floor'],
    ['hard_floor: $20.99 would be below the $21.25 hard floor', { hardFloor: 21.25 }, 21.99, 'hard_floor'],
    ['margin_floor: $20.99 would be below the $21.18 margin floor (cost $18)', { cost: 18 }, 21.99, 'margin_floor'],
    ['max_change: $20.99 would be a cut of more than 30% from $30', { currentPrice: 30 }, 21.99, 'max_change'],
    ['competitor_band: $20.99 would be below the band $21.25-$28.75', { competitorPrices: [25, 25, 26] }, 21.99, 'competitor_band'],
    ['request exactly on the MAP: up to the next .99', { map: 21, requestedPrice: 21 }, 21.99, 'map_floor'],
    ['$21.99 is over the $21.75 hard ceiling: the MAP itself', { map: 21.25, hardCeiling: 21.75 }, 21.25, 'map_floor'],
    ['$21.99 is over the competitor band (ends $21.85): the MAP itself', { map: 21.25, competitorPrices: [19] }, 21.25, 'map_floor'],
    ['$21.99 is over the one-step rise from $16.60 ($21.58): the MAP itself', { map: 21.1, currentPrice: 16.6 }, 21.1, 'map_floor'],
    ['margin floor $21.1765 rounded up to the cent under a $21.50 ceiling', { cost: 18, hardCeiling: 21.5 }, 21.18, 'margin_floor'],
    [
      'highest crossed floor binds: hard floor $21.20 over margin $21.18 and MAP $21.10',
      { map: 21.1, hardFloor: 21.2, cost: 18, hardCeiling: 21.5 },
      21.2,
      'hard_floor',
    ],
    ['equal floors: the hard floor is named before the margin floor', { cost: 18.02, hardFloor: 21.2, hardCeiling: 21.5 }, 21.2, 'hard_floor'],
    ['equal floors: cost is named before a 0% margin floor', { cost: 21.05, policy: { minMarginPct: 0 } }, 21.99, 'cost_floor'],
    ['a ceiling the request already broke is not protected', { map: 21.1, competitorPrices: [18] }, 21.99, 'map_floor'],
    ['a floor the request did not meet is not protected', { cost: 18.2 }, 20.99, 'charm_rounding'],
  ])('%s -> %p by %p', (_name, overrides, finalPrice, boundBy) => {
    const result = checkGuardrails(input(overrides));
    expect(result.finalPrice).toBe(finalPrice);
    expect(result.boundBy).toBe(boundBy);
  });
});

describe('checkGuardrails: charm rounding', () => {
  // Cost $0.01 and a 10,000% step: no floor or ceiling gets in the way.
  test.each<[number, number, GuardrailRule | null]>([
    [24.3, 23.99, 'charm_rounding'],
    [24.99, 24.99, null],
    [25, 24.99, 'charm_rounding'],
    [25.01, 24.99, 'charm_rounding'],
    [24.98, 23.99, 'charm_rounding'],
    [24.304, 23.99, 'charm_rounding'],
    [24.996, 24.99, 'charm_rounding'], // $25.00 to the cent first
    [100, 99.99, 'charm_rounding'],
    [1999.5, 1998.99, 'charm_rounding'],
    [1.99, 1.99, null],
    [1.98, 0.99, 'charm_rounding'],
    [1, 0.99, 'charm_rounding'],
    [0.99, 0.99, null],
    [0.5, 0.5, null],
    [0.01, 0.01, null],
  ])('$%p -> $%p', (requestedPrice, finalPrice, boundBy) => {
    const result = checkGuardrails(input({ requestedPrice, cost: 0.01, policy: { maxChangePct: 100 } }));
    expect(result.finalPrice).toBe(finalPrice);
    expect(result.boundBy).toBe(boundBy);
  });

  test.each<[number, number]>([
    [24.3, 24.3],
    [0.75, 0.75],
    [24.304, 24.3],
  ])('charm off: $%p -> $%p', (requestedPrice, finalPrice) => {
    const result = checkGuardrails(input({ requestedPrice, cost: 0.01, policy: { maxChangePct: 100 }, charm: false }));
    expect(result.finalPrice).toBe(finalPrice);
    expect(result.boundBy).toBeNull();
  });
});

describe('checkGuardrails: hard rules refuse the request', () => {
  test.each<[string, Partial<GuardrailInput>, Violation[]]>([
    [
      'a cent below cost',
      { cost: 15, requestedPrice: 14.99 },
      [
        ['cost_floor', 'hard', 15],
        ['margin_floor', 'soft', 17.65],
      ],
    ],
    ['exactly at cost: only the margin floor', { cost: 15, requestedPrice: 15 }, [['margin_floor', 'soft', 17.65]]],
    ['a cent below the MAP', { map: 18, requestedPrice: 17.99 }, [['map_floor', 'hard', 18]]],
    ['exactly at the MAP', { map: 18, requestedPrice: 18 }, []],
    ['a cent below the hard floor', { hardFloor: 16, requestedPrice: 15.99 }, [['hard_floor', 'hard', 16]]],
    ['exactly at the hard floor', { hardFloor: 16, requestedPrice: 16 }, []],
    ['a cent above the hard ceiling', { hardCeiling: 22, requestedPrice: 22.01 }, [['hard_ceiling', 'hard', 22]]],
    ['exactly at the hard ceiling', { hardCeiling: 22, requestedPrice: 22 }, []],
    [
      'below cost and MAP at once',
      { cost: 15, map: 18, requestedPrice: 14 },
      [
        ['cost_floor', 'hard', 15],
        ['map_floor', 'hard', 18],
        ['margin_floor', 'soft', 17.65],
      ],
    ],
    [
      'a MAP below cost does not lower the cost floor',
      { cost: 15, map: 12, requestedPrice: 13 },
      [
        ['cost_floor', 'hard', 15],
        ['margin_floor', 'soft', 17.65],
        ['max_change', 'soft', 14],
      ],
    ],
    ['null hard floor and ceiling are not set', { hardFloor: null, hardCeiling: null, requestedPrice: 25 }, []],
  ])('%s', (_name, overrides, expected) => {
    const result = checkGuardrails(input(overrides));
    expect(result.violations.map((v) => [v.rule, v.severity, v.limit])).toEqual(expected);
    expect(result.hard).toBe(expected.some(([, severity]) => severity === 'hard'));
  });
});

describe('checkGuardrails: MAP vs the margin floor, whichever is higher', () => {
  test.each<[string, Partial<GuardrailInput>, number, GuardrailRule | null, Violation[]]>([
    // cost $10: margin floor $11.77 under a $15 MAP
    ['MAP higher, request between them: refused by the MAP', { map: 15, requestedPrice: 14.5 }, 14.5, null, [['map_floor', 'hard', 15]]],
    ['MAP higher, request above both: the MAP binds the rounding', { map: 15, requestedPrice: 15.4 }, 15.99, 'map_floor', []],
    // cost $15: margin floor $17.65 over a $16 MAP
    [
      'margin floor higher, request between them: allowed with approval',
      { cost: 15, map: 16, requestedPrice: 16.5 },
      16.99,
      'map_floor',
      [['margin_floor', 'soft', 17.65]],
    ],
    [
      'margin floor higher, request below both: refused',
      { cost: 15, map: 16, requestedPrice: 15.5 },
      15.5,
      null,
      [
        ['map_floor', 'hard', 16],
        ['margin_floor', 'soft', 17.65],
      ],
    ],
    ['both crossed, MAP $17.70 higher: the MAP itself', { cost: 15, map: 17.7, requestedPrice: 17.8, hardCeiling: 17.85 }, 17.7, 'map_floor', []],
    [
      'both crossed, margin $17.65 higher: the margin floor itself',
      { cost: 15, map: 17.6, requestedPrice: 17.8, hardCeiling: 17.85 },
      17.65,
      'margin_floor',
      [],
    ],
  ])('%s', (_name, overrides, finalPrice, boundBy, expected) => {
    const result = checkGuardrails(input(overrides));
    expect(result.finalPrice).toBe(finalPrice);
    expect(result.boundBy).toBe(boundBy);
    expect(result.violations.map((v) => [v.rule, v.severity, v.limit])).toEqual(expected);
  });
});

describe('checkGuardrails: soft rules, judged on the final price', () => {
  const band = { currentPrice: 22, competitorPrices: [20, 22, 24] }; // median $22, band $18.70-$25.30
  test.each<[string, Partial<GuardrailInput>, Violation[]]>([
    ['a cent under the margin floor', { currentPrice: 12, requestedPrice: 11.76, charm: false }, [['margin_floor', 'soft', 11.77]]],
    ['at the margin floor', { currentPrice: 12, requestedPrice: 11.77, charm: false }, []],
    ['cost $17 at 15% is a floor of exactly $20.00', { cost: 17, requestedPrice: 20, charm: false }, []],
    ['a cent under that $20.00 floor', { cost: 17, requestedPrice: 19.99, charm: false }, [['margin_floor', 'soft', 20]]],
    ['float noise: cost $17.85 at 15% is 2100.0000000000005 cents, a floor of $21.00', { cost: 17.85, requestedPrice: 21, charm: false }, []],
    [
      'float noise: a $4.00 median + 15% is 459.99999999999994 cents, a top of $4.60',
      { cost: 1, currentPrice: 4, competitorPrices: [4], requestedPrice: 4.6, charm: false },
      [],
    ],
    ['exactly +30%', { requestedPrice: 26, charm: false }, []],
    ['a cent over +30%', { requestedPrice: 26.01, charm: false }, [['max_change', 'soft', 26]]],
    ['exactly -30%', { requestedPrice: 14, charm: false }, []],
    ['a cent over -30%', { requestedPrice: 13.99, charm: false }, [['max_change', 'soft', 14]]],
    ['a +30.4% request charm-rounds back inside to $25.99', { requestedPrice: 26.08 }, []],
    ['policy allows only 10%: a cent over +10%', { requestedPrice: 22.01, charm: false, policy: { maxChangePct: 0.1 } }, [['max_change', 'soft', 22]]],
    ['top of the competitor band', { ...band, requestedPrice: 25.3, charm: false }, []],
    ['a cent above the competitor band', { ...band, requestedPrice: 25.31, charm: false }, [['competitor_band', 'soft', 25.3]]],
    ['bottom of the competitor band', { ...band, requestedPrice: 18.7, charm: false }, []],
    ['a cent below the competitor band', { ...band, requestedPrice: 18.69, charm: false }, [['competitor_band', 'soft', 18.7]]],
    [
      'junk competitor prices are ignored',
      { currentPrice: 22, competitorPrices: [20, Number.NaN, 22, -1, 0, Number.POSITIVE_INFINITY, 24], requestedPrice: 25.31, charm: false },
      [['competitor_band', 'soft', 25.3]],
    ],
    ['no competitor prices: no band', { currentPrice: 22, requestedPrice: 25.31, charm: false }, []],
    ['a 5% band', { ...band, requestedPrice: 23.11, charm: false, policy: { competitorBandPct: 0.05 } }, [['competitor_band', 'soft', 23.1]]],
    [
      'all three at once',
      { cost: 18, currentPrice: 30, competitorPrices: [30], requestedPrice: 20.5, charm: false },
      [
        ['margin_floor', 'soft', 21.18],
        ['max_change', 'soft', 21],
        ['competitor_band', 'soft', 25.5],
      ],
    ],
  ])('%s', (_name, overrides, expected) => {
    const result = checkGuardrails(input(overrides));
    expect(result.violations.map((v) => [v.rule, v.severity, v.limit])).toEqual(expected);
    expect(result.hard).toBe(false);
  });
});

describe('checkGuardrails: input that cannot be judged (rule invalid)', () => {
  test.each<[string, Partial<GuardrailInput>, string]>([
    ['requested NaN', { requestedPrice: Number.NaN }, 'The requested price NaN'],
    ['requested Infinity', { requestedPrice: Number.POSITIVE_INFINITY }, 'The requested price Infinity'],
    ['requested 0', { requestedPrice: 0 }, 'The requested price 0'],
    ['requested negative', { requestedPrice: -5 }, 'The requested price -5'],
    ['requested under half a cent', { requestedPrice: 0.004 }, 'The requested price 0.004'],
    ['current NaN', { currentPrice: Number.NaN }, 'The current price NaN'],
    ['current 0', { currentPrice: 0 }, 'The current price 0'],
    ['cost NaN', { cost: Number.NaN }, 'The cost NaN'],
    ['cost negative', { cost: -1 }, 'The cost -1'],
    ['MAP NaN', { map: Number.NaN }, 'The MAP NaN'],
    ['MAP 0', { map: 0 }, 'The MAP 0'],
    ['hard floor Infinity', { hardFloor: Number.POSITIVE_INFINITY }, 'The hard floor Infinity'],
    ['hard ceiling negative', { hardCeiling: -1 }, 'The hard ceiling -1'],
    ['minimum margin 100%', { policy: { minMarginPct: 1 } }, "The policy's minimum margin 1"],
    ['minimum margin negative', { policy: { minMarginPct: -0.1 } }, "The policy's minimum margin -0.1"],
    ['largest change NaN', { policy: { maxChangePct: Number.NaN } }, "The policy's largest change NaN"],
    ['competitor band negative', { policy: { competitorBandPct: -0.1 } }, "The policy's competitor band -0.1"],
  ])('%s: refused', (_name, overrides, phrase) => {
    const result = checkGuardrails(input(overrides));
    expect(result.hard).toBe(true);
    expect(result.boundBy).toBeNull();
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ rule: 'invalid', severity: 'hard', limit: 0 });
    expect(result.violations[0]!.message).toContain(phrase);
    expect(result.checks).toEqual([{ rule: 'invalid', limit: null, ok: false }]);
    expect(result.reasons).toEqual(['Refused: 1 input not usable']);
  });

  test.each<[string, Partial<GuardrailInput>, number]>([
    ['NaN request: final 0', { requestedPrice: Number.NaN }, 0],
    ['negative request: final 0', { requestedPrice: -5 }, 0],
    ['a usable request with a bad current price keeps its cents', { requestedPrice: 12.345, currentPrice: Number.NaN }, 12.35],
  ])('%s', (_name, overrides, finalPrice) => {
    const result = checkGuardrails(input(overrides));
    expect(result.finalPrice).toBe(finalPrice);
    expect([result.marginPct, result.changePct]).toEqual([0, 0]);
  });

  test('every problem is listed', () => {
    const result = checkGuardrails(input({ requestedPrice: Number.NaN, cost: -1 }));
    expect(result.violations.map((v) => v.message)).toEqual([
      'The requested price NaN is not a price of at least $0.01',
      'The cost -1 is not an amount of $0 or more',
    ]);
    expect(result.reasons).toEqual(['Refused: 2 inputs not usable']);
  });

  test.each<[string, Partial<GuardrailInput>]>([
    ['cost 0', { cost: 0 }],
    ['hard floor and ceiling left undefined', { hardFloor: undefined, hardCeiling: undefined }],
    ['policy values left undefined fall back to the defaults', { policy: { minMarginPct: undefined, maxChangePct: undefined } }],
  ])('%s is usable', (_name, overrides) => {
    const result = checkGuardrails(input(overrides));
    expect(result.violations).toEqual([]);
    expect(result.finalPrice).toBe(20.99);
  });
});

describe('checkGuardrails: counter-prices re-checked through the same function', () => {
  const band = { currentPrice: 22, competitorPrices: [20, 22, 24] };
  test.each<[string, Partial<GuardrailInput>, number, GuardrailRule]>([
    ['below cost, countered at the cost', { cost: 15 }, 14, 'cost_floor'],
    ['below the MAP, countered at the MAP', { map: 18 }, 17, 'map_floor'],
    ['below the hard floor, countered at it', { hardFloor: 16 }, 15, 'hard_floor'],
    ['above the hard ceiling, countered at it', { hardCeiling: 22 }, 23, 'hard_ceiling'],
    ['below the margin floor, countered at it', { currentPrice: 12 }, 11, 'margin_floor'],
    ['too big a rise, countered at +30%', {}, 27, 'max_change'],
    ['too big a cut, countered at -30%', {}, 13, 'max_change'],
    ['above the competitor band, countered at its top', band, 26, 'competitor_band'],
    ['below the competitor band, countered at its bottom', band, 18, 'competitor_band'],
  ])('%s clears the rule', (_name, overrides, requestedPrice, rule) => {
    const first = checkGuardrails(input({ ...overrides, requestedPrice }));
    const broken = first.violations.find((v) => v.rule === rule);
    expect(broken).toBeDefined();
    const counter = checkGuardrails(input({ ...overrides, requestedPrice: broken!.limit }));
    expect(counter.violations.find((v) => v.rule === rule)).toBeUndefined();
    expect(counter.hard).toBe(false);
  });

  test('refused, then counter-offers until it can be approved automatically', () => {
    const tierAt = (requestedPrice: number): string => {
      const g = checkGuardrails(input({ requestedPrice }));
      if (g.hard) return 'refused';
      const soft = g.violations.filter((v) => v.severity === 'soft').length;
      return `${g.finalPrice} ${priceApprovalTier({ changePct: g.changePct, softViolations: soft, storeScoped: true })}`;
    };
    expect([9.5, 11, 13, 17.3, 19.4, 19.99].map(tierAt)).toEqual([
      'refused',
      '10.99 category_and_regional', // below the margin floor and -45%
      '12.99 category_and_regional', // -35%
      '16.99 category_manager', // -15.05%
      '18.99 category_manager', // -5.05%
      '19.99 auto', // -0.05%
    ]);
  });
});

describe('checkGuardrails: result figures', () => {
  test('margin, change and median at the final price', () => {
    const result = checkGuardrails(input({ competitorPrices: [20, 21] }));
    expect(result.finalPrice).toBe(20.99);
    expect(result.marginPct).toBeCloseTo(10.99 / 20.99, 10);
    expect(result.changePct).toBeCloseTo(0.0495, 10);
    expect(result.competitorMedian).toBe(20.5);
    expect(result.requestedPrice).toBe(21.3);
  });

  test.each<[string, number[], number | null]>([
    ['no competitors', [], null],
    ['median to the cent', [10, 10.01], 10.01],
    ['only junk', [Number.NaN, 0, -3], null],
  ])('competitorMedian: %s', (_name, competitorPrices, median) => {
    expect(checkGuardrails(input({ competitorPrices })).competitorMedian).toBe(median);
  });

  test('a cut is a negative change', () => {
    const result = checkGuardrails(input({ requestedPrice: 15.5 }));
    expect(result.finalPrice).toBe(14.99);
    expect(result.changePct).toBeCloseTo(-0.2505, 10);
  });

  test('checks: every rule with its limit, the nearer side of a two-sided rule', () => {
    expect(checkGuardrails(input({ map: 15, competitorPrices: [20, 22, 24] })).checks).toEqual([
      { rule: 'cost_floor', limit: 10, ok: true },
      { rule: 'map_floor', limit: 15, ok: true },
      { rule: 'hard_floor', limit: null, ok: true },
      { rule: 'hard_ceiling', limit: null, ok: true },
      { rule: 'margin_floor', limit: 11.77, ok: true },
      { rule: 'max_change', limit: 26, ok: true },
      { rule: 'competitor_band', limit: 18.7, ok: true },
    ]);
  });

  test('checks: a broken rule shows the side it broke; hard rules judge the request', () => {
    const result = checkGuardrails(input({ requestedPrice: 27, hardFloor: 5, hardCeiling: 26.5 }));
    expect(result.checks).toEqual([
      { rule: 'cost_floor', limit: 10, ok: true },
      { rule: 'map_floor', limit: null, ok: true },
      { rule: 'hard_floor', limit: 5, ok: true },
      { rule: 'hard_ceiling', limit: 26.5, ok: false },
      { rule: 'margin_floor', limit: 11.77, ok: true },
      { rule: 'max_change', limit: 26, ok: false },
      { rule: 'competitor_band', limit: null, ok: true },
    ]);
  });

  test.each<[string, Partial<GuardrailInput>, string[]]>([
    ['charm rounded', {}, ['Within all guardrails', 'Charm-rounded $21.30 down to $20.99', 'Margin 52.4% at $20.99, +5% from $20.00']],
    ['as requested', { requestedPrice: 21.99 }, ['Within all guardrails', 'Price $21.99 as requested', 'Margin 54.5% at $21.99, +10% from $20.00']],
    [
      'bumped over a floor',
      { map: 21.25 },
      [
        'Within all guardrails',
        'Charm rounding to $20.99 would go below the MAP of $21.25, so $21.99, the next price ending in .99',
        'Margin 54.5% at $21.99, +10% from $20.00',
      ],
    ],
    [
      'held at a floor by a ceiling',
      { map: 21.25, hardCeiling: 21.75 },
      [
        'Within all guardrails',
        'Charm rounding to $20.99 would go below the MAP of $21.25 and $21.99 above the hard ceiling of $21.75, so $21.25, the floor itself',
        'Margin 52.9% at $21.25, +6.3% from $20.00',
      ],
    ],
    [
      'needs approval',
      { requestedPrice: 27 },
      ['Needs approval: 1 soft guardrail broken', 'Charm-rounded $27.00 down to $26.99', 'Margin 62.9% at $26.99, +35% from $20.00'],
    ],
    ['refused', { requestedPrice: 9.5 }, ['Refused: 1 hard guardrail broken', 'Margin -5.3% at $9.50, -52.5% from $20.00']],
  ])('reasons: %s', (_name, overrides, reasons) => {
    expect(checkGuardrails(input(overrides)).reasons).toEqual(reasons);
  });

  test.each<[string, Partial<GuardrailInput>, string]>([
    ['cost', { requestedPrice: 9.5 }, '$9.50 is below the cost of $10.00'],
    ['MAP', { map: 18, requestedPrice: 17.5 }, '$17.50 is below the MAP (minimum advertised price) of $18.00'],
    ['hard floor', { hardFloor: 16, requestedPrice: 15.5 }, '$15.50 is below the hard floor of $16.00'],
    ['hard ceiling', { hardCeiling: 22, requestedPrice: 22.5 }, '$22.50 is above the hard ceiling of $22.00'],
    ['margin floor', { cost: 18, requestedPrice: 20, charm: false }, '$20.00 is below the margin floor of $21.18, a 15% margin on a cost of $18.00'],
    ['max change', { requestedPrice: 27, charm: false }, '$27.00 is +35% from $20.00, more than the 30% allowed in one step'],
    [
      'above the band',
      { currentPrice: 22, competitorPrices: [20, 22, 24], requestedPrice: 26, charm: false },
      '$26.00 is above the competitor band, which ends at $25.30 (median $22.00 + 15%)',
    ],
    [
      'below the band',
      { currentPrice: 22, competitorPrices: [20, 22, 24], requestedPrice: 18, charm: false },
      '$18.00 is below the competitor band, which starts at $18.70 (median $22.00 − 15%)',
    ],
  ])('message: %s (the first violation)', (_name, overrides, message) => {
    expect(checkGuardrails(input(overrides)).violations[0]?.message).toBe(message);
  });

  test('the same input gives the same result and is left as it was', () => {
    const request = input({ competitorPrices: [24, 20, 22], map: 21.5 });
    const first = checkGuardrails(request);
    expect(checkGuardrails(request)).toEqual(first);
    expect(request.competitorPrices).toEqual([24, 20, 22]);
  });
});

describe('medianOf', () => {
  test.each<[string, number[], number | null]>([
    ['empty', [], null],
    ['one', [5], 5],
    ['odd count, unsorted', [3, 1, 2], 2],
    ['even count: mean of the middle two', [4, 1, 3, 2], 2.5],
    ['even count, two values', [10, 11], 10.5],
    ['duplicates', [5, 5, 1, 9], 5],
    ['junk ignored: NaN, Infinity, 0, negative', [Number.NaN, -1, 0, Number.POSITIVE_INFINITY, 7], 7],
    ['junk ignored before counting: 3 usable values', [Number.NaN, 9, 1, 0, 4], 4],
    ['only junk', [Number.NaN, 0, -2], null],
  ])('%s -> %p', (_name, values, expected) => {
    expect(medianOf(values)).toBe(expected);
  });

  test('does not reorder its input', () => {
    const values = [3, 1, 2];
    medianOf(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
