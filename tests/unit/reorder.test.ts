import type { DemandForecast } from '../../domain/forecasting';
import {
  approvalTierFor,
  demandStdOverCover,
  discreteOrderUpTo,
  economicOrderQuantity,
  groupBySupplier,
  planSku,
  roundToPack,
  safetyStock,
  zForServiceLevel,
  type ApprovalTier,
  type SkuPlanInput,
  type SkuPlanLine,
} from '../../domain/reorder';

const Z95 = 1.6448536;

function flat(meanDaily: number, stdDaily: number, horizonDays = 60): DemandForecast {
  return { meanDaily, stdDaily, horizonDays, dailyMeans: Array.from({ length: horizonDays }, () => meanDaily), method: 'test-flat' };
}

/**
 * The base SKU: 2 a day (std 1), 4-day lead time, weekly review, 95% service level.
 *   lead-time demand 8, demand over lead time + review 22, safety stock over the 11 days
 *   1.6449 * sqrt(11 * 1) = 5.4554, order-up-to (and reorder point) 22 + 5.4554 = 27.4554.
 */
function input(overrides: Partial<SkuPlanInput> = {}): SkuPlanInput {
  return {
    sku: 'SKU-1',
    supplierId: 'SUP-A',
    unitCost: 10,
    onHand: 4,
    reserved: 0,
    onOrder: 0,
    forecast: flat(2, 1),
    leadTimeDays: 4,
    leadTimeStdDays: 0,
    serviceLevel: 0.95,
    reviewPeriodDays: 7,
    packSize: 1,
    minOrderQty: 0,
    ...overrides,
  };
}

describe('zForServiceLevel', () => {
  test.each<[number, number]>([
    [0.5, 0],
    [0.8, 0.8416212],
    [0.9, 1.2815516],
    [0.95, 1.6448536],
    [0.975, 1.959964],
    [0.98, 2.0537489],
    [0.99, 2.3263479],
    [0.999, 3.0902323],
    [0.9999, 3.7190165],
    // clamped to [0.5, 0.9999]
    [0.3, 0],
    [0, 0],
    [1, 3.7190165],
    [95, 3.7190165],
    [Number.NaN, 0],
  ])('p = %p -> z = %p', (p, z) => {
    expect(zForServiceLevel(p)).toBeCloseTo(z, 5);
  });
});

describe('safetyStock: z * sqrt(L * sd^2 + d^2 * sL^2)', () => {
  test.each<[string, Parameters<typeof safetyStock>[0], number]>([
    ['95%, sd 2, L 9, no lead-time variability: z * 6', { serviceLevel: 0.95, demandStdDaily: 2, leadTimeDays: 9, meanDaily: 5 }, 9.8691218],
    ['same with sL 0 given explicitly', { serviceLevel: 0.95, demandStdDaily: 2, leadTimeDays: 9, meanDaily: 5, leadTimeStdDays: 0 }, 9.8691218],
    ['95%, sd 2, L 9, d 5, sL 2: z * sqrt(36 + 100)', { serviceLevel: 0.95, demandStdDaily: 2, leadTimeDays: 9, meanDaily: 5, leadTimeStdDays: 2 }, 19.1821247],
    [
      '98%, sd 3, L 4, d 10, sL 1: z * sqrt(36 + 100)',
      { serviceLevel: 0.98, demandStdDaily: 3, leadTimeDays: 4, meanDaily: 10, leadTimeStdDays: 1 },
      23.9506222,
    ],
    ['lead-time variability only (sd 0): z * d * sL', { serviceLevel: 0.95, demandStdDaily: 0, leadTimeDays: 5, meanDaily: 4, leadTimeStdDays: 1.5 }, Z95 * 6],
    ['50% service level needs none', { serviceLevel: 0.5, demandStdDaily: 2, leadTimeDays: 9, meanDaily: 5, leadTimeStdDays: 2 }, 0],
    ['no lead time, no variability', { serviceLevel: 0.95, demandStdDaily: 2, leadTimeDays: 0, meanDaily: 5 }, 0],
    ['negative spread counts as 0', { serviceLevel: 0.95, demandStdDaily: -2, leadTimeDays: 9, meanDaily: 5 }, 0],
    ['NaN lead time counts as 0', { serviceLevel: 0.95, demandStdDaily: 2, leadTimeDays: Number.NaN, meanDaily: 5, leadTimeStdDays: 1 }, Z95 * 5],
  ])('%s', (_name, args, expected) => {
    expect(safetyStock(args)).toBeCloseTo(expected, 4);
  });
});

describe('demandStdOverCover: sqrt(T * sd^2 + T^2 * sLevel^2 + d^2 * sL^2)', () => {
  test.each<[string, Parameters<typeof demandStdOverCover>[0], number]>([
    ['daily noise only: sqrt(T) * sd', { coverDays: 9, demandStdDaily: 2, meanDaily: 5 }, 6],
    ['level error only: T * sLevel', { coverDays: 10, demandStdDaily: 0, levelStdDaily: 0.3, meanDaily: 5 }, 3],
    // 4 * 1 + 16 * 0.25 + 4 * 1 = 12
    ['all three: T 4, sd 1, sLevel 0.5, d 2, sL 1', { coverDays: 4, demandStdDaily: 1, levelStdDaily: 0.5, meanDaily: 2, leadTimeStdDays: 1 }, Math.sqrt(12)],
    // 11 * 1 + 121 * 0.25 = 41.25
    ['lead 4 + review 7, sd 1, sLevel 0.5', { coverDays: 11, demandStdDaily: 1, levelStdDaily: 0.5, meanDaily: 2 }, Math.sqrt(41.25)],
    ['absent level error counts as 0', { coverDays: 11, demandStdDaily: 1, meanDaily: 2 }, Math.sqrt(11)],
    ['NaN and negative count as 0', { coverDays: Number.NaN, demandStdDaily: 1, levelStdDaily: -1, meanDaily: 2, leadTimeStdDays: 1 }, 2],
  ])('%s', (_name, args, expected) => {
    expect(demandStdOverCover(args)).toBeCloseTo(expected, 9);
  });

  test('safetyStock with a review period covers lead time plus review', () => {
    expect(safetyStock({ serviceLevel: 0.95, demandStdDaily: 1, leadTimeDays: 4, reviewPeriodDays: 7, meanDaily: 2, levelStdDaily: 0.5 })).toBeCloseTo(
      Z95 * Math.sqrt(41.25),
      5,
    );
  });
});

describe('discreteOrderUpTo and slow movers', () => {
  test.each<[string, number, number, number, string, number]>([
    // mean 0.3 a day over 14 days = 4.2; Poisson P(X <= 7) = 0.9361 < 0.95 <= P(X <= 8) = 0.9721
    ['Poisson 4.2 at 95%', 4.2, Math.sqrt(4.2), 0.95, 'poisson', 8],
    ['Poisson 4.2 at 90%', 4.2, Math.sqrt(4.2), 0.9, 'poisson', 7],
    // variance 13.02 = 4.2 + 4.2^2 / 2: negative binomial size 2, P(X <= 10) = 0.9373, P(X <= 11) = 0.9545
    ['negative binomial 4.2, size 2, at 95%', 4.2, Math.sqrt(13.02), 0.95, 'negative-binomial', 11],
    // P(0) = e^-0.5 = 0.6065, P(X <= 1) = 0.9098, P(X <= 2) = 0.9856
    ['Poisson 0.5 at 95%', 0.5, Math.sqrt(0.5), 0.95, 'poisson', 2],
  ])('%s', (_name, mean, std, level, distribution, orderUpTo) => {
    const r = discreteOrderUpTo({ coverMean: mean, coverStd: std, serviceLevel: level });
    expect(r.distribution).toBe(distribution);
    expect(r.orderUpTo).toBe(orderUpTo);
    expect(r.probability).toBeGreaterThanOrEqual(level);
  });

  test.each<[string, Partial<SkuPlanInput>, string, number, number]>([
    // 0.3 a day, std sqrt(0.3), 7-day lead + 7-day review: Poisson(4.2) at 95% -> 8 (normal would give 4.2 + 1.645 * 2.05 = 7.57)
    ['0.3 a day, Poisson', { forecast: flat(0.3, Math.sqrt(0.3)), leadTimeDays: 7 }, 'poisson', 8, 3.8],
    // std 1.2: variance over 14 days 20.16, size 4.2^2 / 15.96
    ['0.3 a day, over-dispersed', { forecast: flat(0.3, 1.2), leadTimeDays: 7 }, 'negative-binomial', 13, 8.8],
    // 1 a day is not a slow mover: normal, 14 + 1.645 * sqrt(14)
    ['1 a day: normal approximation', { forecast: flat(1, 1), leadTimeDays: 7 }, 'normal', 20.15, 6.15],
  ])('%s', (_name, overrides, distribution, orderUpTo, ss) => {
    const line = planSku(input({ onHand: 0, ...overrides }))!;
    expect(line.rationale.coverDistribution).toBe(distribution);
    expect(line.rationale.orderUpTo).toBeCloseTo(orderUpTo, 2);
    expect(line.rationale.safetyStock).toBeCloseTo(ss, 2);
  });

  test('the rationale says which distribution set the order-up-to level', () => {
    const poisson = planSku(input({ onHand: 0, forecast: flat(0.3, Math.sqrt(0.3)), leadTimeDays: 7 }))!;
    expect(poisson.rationale.reasons[2]).toBe(
      'Safety stock 3.8 for a 95% service level: a slow mover, so demand over the 14 days of lead time and review is counted with a Poisson distribution ' +
        '(mean 4.2; daily demand ±0.5), and 8 units cover it with 97.2% probability',
    );
    const nb = planSku(input({ onHand: 0, forecast: flat(0.3, 1.2), leadTimeDays: 7 }))!;
    expect(nb.rationale.reasons[2]).toContain('negative binomial distribution (mean 4.2, spread 4.5');
  });

  test("a count model's own daily dispersion is used when the forecast carries one", () => {
    // dispersion 3: daily variance 0.9, over 14 days 12.6; size 4.2^2 / 8.4 = 2.1
    const forecast = { ...flat(0.3, 0.1), distribution: { family: 'negative-binomial', dispersion: 3 } as const };
    const line = planSku(input({ onHand: 0, forecast, leadTimeDays: 7 }))!;
    expect(line.rationale.coverDistribution).toBe('negative-binomial');
    expect(line.rationale.orderUpTo).toBe(discreteOrderUpTo({ coverMean: 4.2, coverStd: Math.sqrt(12.6), serviceLevel: 0.95 }).orderUpTo);
  });
});

describe('planSku: reorder point and order-up-to level', () => {
  test.each<[string, Partial<SkuPlanInput>, number, number, number, number]>([
    // name, overrides, demand over lead time, safety stock, reorder point, order-up-to
    ['base SKU', {}, 8, 5.46, 27.46, 27.46],
    ['no demand spread: no safety stock', { forecast: flat(2, 0) }, 8, 0, 22, 22],
    ['lead-time variability adds safety stock', { leadTimeStdDays: 1 }, 8, 6.37, 28.37, 28.37], // z * sqrt(11*1 + 2^2*1)
    ['98% service level', { serviceLevel: 0.98 }, 8, 6.81, 28.81, 28.81], // 2.0537 * sqrt(11)
    // z * sqrt(11 * 1 + 11^2 * 0.5^2) = 1.6449 * 6.4226: the level's error grows with the days squared
    ['forecast level error adds safety stock', { forecast: { ...flat(2, 1), levelStdDaily: 0.5 } }, 8, 10.56, 32.56, 32.56],
    ['no review period: the lead time alone', { reviewPeriodDays: 0 }, 8, 3.29, 11.29, 11.29],
    [
      'seasonal forecast: the lead-time days themselves, not the average',
      {
        forecast: { meanDaily: 4, stdDaily: 0, horizonDays: 7, dailyMeans: [1, 2, 3, 4, 5, 6, 7], method: 'test' },
        leadTimeDays: 3,
        reviewPeriodDays: 2,
        onHand: 0,
      },
      6,
      0,
      15,
      15,
    ],
  ])('%s', (_name, overrides, leadDemand, ss, rop, out) => {
    const line = planSku(input({ onHand: 0, ...overrides }));
    expect(line).not.toBeNull();
    expect(line!.rationale.coverDistribution).toBe('normal');
    expect(line!.rationale.demandOverLeadTime).toBeCloseTo(leadDemand, 2);
    expect(line!.rationale.safetyStock).toBeCloseTo(ss, 2);
    expect(line!.rationale.reorderPoint).toBeCloseTo(rop, 2);
    expect(line!.rationale.orderUpTo).toBeCloseTo(out, 2);
  });

  test.each<[string, number, number | null]>([
    // reorder point = order-up-to 27.4554: order ceil(27.4554 - position)
    ['position 4, well below', 4, 24],
    ['position 11', 11, 17],
    ['position 27.45, a hair below: one unit', 27.45, 1],
    ['position 27.46, just above: no order', 27.46, null],
    ['position 30, far above: no order', 30, null],
    ['position 0', 0, 28],
  ])('%s -> %p', (_name, onHand, expected) => {
    const line = planSku(input({ onHand }));
    expect(line?.quantity ?? null).toBe(expected);
  });

  test('reasons read as sentences with the numbers', () => {
    const line = planSku(input())!;
    expect(line.rationale.reasons).toEqual([
      'Forecast 2 units a day (test-flat)',
      'Expected demand over the 4-day lead time is 8, and 22 over lead time plus the 7-day review period',
      'Safety stock 5.5 for a 95% service level (z 1.64, normal approximation): demand over the 11 days of lead time and review varies by 3.3 (daily demand ±1)',
      'Position 4 = 4 on hand − 0 reserved + 0 on order',
      'Position 4 is below the reorder point 27.5 (the order-up-to level: every review tops it up)',
      'Order-up-to level 27.5 needs 23.5 more',
      'Rounded 23.46 up to 24 units',
      'Line value $240.00 at $10.00 a unit',
    ]);
  });

  test('lead-time variability and the forecast level error are named in the safety stock reason', () => {
    expect(planSku(input({ leadTimeStdDays: 1 }))!.rationale.reasons[2]).toBe(
      'Safety stock 6.4 for a 95% service level (z 1.64, normal approximation): demand over the 11 days of lead time and review varies by 3.9 (daily demand ±1, lead time ±1 day)',
    );
    expect(planSku(input({ forecast: { ...flat(2, 1), levelStdDaily: 0.5 } }))!.rationale.reasons[2]).toBe(
      'Safety stock 10.6 for a 95% service level (z 1.64, normal approximation): demand over the 11 days of lead time and review varies by 6.4 (daily demand ±1, forecast level ±0.5 a day)',
    );
  });

  test('rationale carries the stock figures and the line its value', () => {
    const line = planSku(input({ onHand: 6, reserved: 1, onOrder: 2, unitCost: 2.35 }))!;
    expect(line).toMatchObject({ sku: 'SKU-1', supplierId: 'SUP-A', quantity: 21, unitCost: 2.35, lineValue: 49.35 });
    expect(line.rationale).toMatchObject({ meanDaily: 2, onHand: 6, reserved: 1, onOrder: 2, inventoryPosition: 7, packSize: 1, minOrderQty: 0, eoq: null });
  });
});

describe('planSku: on-order netting (same SKU, with and without stock on order)', () => {
  test.each<[string, number, number, number | null]>([
    ['nothing on order', 4, 0, 24],
    ['5 on order: orders 5 fewer', 4, 5, 19],
    ['24 on order lifts the position above the reorder point', 4, 24, null],
    ['out of stock, 28 on order: enough is coming', 0, 28, null],
    ['out of stock, 8 on order: tops up the rest', 0, 8, 20],
    ['negative on order counts as 0', 4, -10, 24],
  ])('%s', (_name, onHand, onOrder, expected) => {
    const line = planSku(input({ onHand, onOrder }));
    expect(line?.quantity ?? null).toBe(expected);
    if (line) expect(line.rationale.inventoryPosition).toBe(onHand + Math.max(0, onOrder));
  });

  test('ordering the suggested quantity and planning again orders nothing more', () => {
    const first = planSku(input({ onHand: 4 }))!;
    expect(planSku(input({ onHand: 4, onOrder: first.quantity }))).toBeNull();
  });
});

describe('planSku: reserved stock', () => {
  test.each<[string, number, number, number, number | null]>([
    ['30 on hand, none reserved: no order', 30, 0, 0, null],
    ['30 on hand, 6 reserved: position 24 orders', 30, 6, 24, 4],
    ['15 on hand, 20 reserved: position -5 covers the shortfall', 15, 20, -5, 33],
    ['negative on hand (sold before receipt) counts', -3, 0, -3, 31],
  ])('%s', (_name, onHand, reserved, position, expected) => {
    const line = planSku(input({ onHand, reserved }));
    expect(line?.quantity ?? null).toBe(expected);
    if (line) expect(line.rationale.inventoryPosition).toBe(position);
  });
});

describe('planSku: packs, minimum order and EOQ', () => {
  test.each<[string, Partial<SkuPlanInput>, number, string]>([
    ['needs exactly 17, packs of 6', { forecast: flat(2, 0), onHand: 5, packSize: 6 }, 18, 'Rounded 17 up to 3 packs of 6'],
    ['needs exactly 18, packs of 6', { forecast: flat(2, 0), onHand: 4, packSize: 6 }, 18, 'Ordering exactly 3 packs of 6'],
    ['needs 23.46, packs of 12', { packSize: 12 }, 24, 'Rounded 23.46 up to 2 packs of 12'],
    ['minimum order 40 raises 23.46', { minOrderQty: 40 }, 40, "Raised to the supplier's minimum order of 40"],
    ['minimum order 40, packs of 6', { minOrderQty: 40, packSize: 6 }, 42, 'Rounded 40 up to 7 packs of 6'],
    ['minimum order 10 below the need', { minOrderQty: 10 }, 24, 'Rounded 23.46 up to 24 units'],
  ])('%s -> %p', (_name, overrides, quantity, reason) => {
    const line = planSku(input(overrides))!;
    expect(line.quantity).toBe(quantity);
    expect(line.rationale.reasons).toContain(reason);
  });

  test.each<[string, Partial<SkuPlanInput>, number | null, number]>([
    // EOQ = sqrt(2 * (2 * 365) * S / (rate * 10))
    ['no costs: no EOQ', {}, null, 24],
    ['only ordering cost: no EOQ', { orderingCost: 50 }, null, 24],
    ['S 50, 25% a year: EOQ 170.88 beats the need', { orderingCost: 50, holdingCostRate: 0.25 }, 170.88, 171],
    ['same, packs of 12', { orderingCost: 50, holdingCostRate: 0.25, packSize: 12 }, 170.88, 180],
    ['S 0.5, 25% a year: EOQ 17.09 is below the need', { orderingCost: 0.5, holdingCostRate: 0.25 }, 17.09, 24],
    ['EOQ does not trigger an order above the reorder point', { orderingCost: 50, holdingCostRate: 0.25, onHand: 28 }, null, 0],
  ])('%s', (_name, overrides, eoq, quantity) => {
    const line = planSku(input(overrides));
    expect(line?.quantity ?? 0).toBe(quantity);
    if (line) expect(line.rationale.eoq).toBe(eoq);
  });

  test('economicOrderQuantity by hand', () => {
    expect(economicOrderQuantity({ meanDaily: 2, unitCost: 10, orderingCost: 50, holdingCostRate: 0.25 })).toBeCloseTo(Math.sqrt(29_200), 9);
    expect(economicOrderQuantity({ meanDaily: 0, unitCost: 10, orderingCost: 50, holdingCostRate: 0.25 })).toBe(0);
    expect(economicOrderQuantity({ meanDaily: 2, unitCost: 0, orderingCost: 50, holdingCostRate: 0.25 })).toBeNull();
  });
});

describe('planSku: nothing to order, bad numbers', () => {
  test.each<[string, Partial<SkuPlanInput>]>([
    ['no demand, no stock', { forecast: flat(0, 0), onHand: 0 }],
    ['no demand, no stock, minimum order 24 is not forced', { forecast: flat(0, 0), onHand: 0, minOrderQty: 24, packSize: 6 }],
  ])('%s -> null', (_name, overrides) => {
    expect(planSku(input(overrides))).toBeNull();
  });

  test.each<[string, Partial<SkuPlanInput>]>([
    ['NaN on hand', { onHand: Number.NaN }],
    ['NaN forecast spread', { forecast: { ...flat(2, 1), stdDaily: Number.NaN } }],
    ['negative unit cost', { unitCost: -5 }],
    ['zero pack size', { packSize: 0 }],
    ['infinite service level', { serviceLevel: Number.POSITIVE_INFINITY }],
  ])('%s -> whole, non-negative, finite numbers', (_name, overrides) => {
    const line = planSku(input(overrides))!;
    expect(Number.isInteger(line.quantity)).toBe(true);
    expect(line.quantity).toBeGreaterThan(0);
    expect(line.lineValue).toBeGreaterThanOrEqual(0);
    for (const [key, value] of Object.entries(line.rationale)) {
      if (typeof value === 'number') expect({ key, finite: Number.isFinite(value) }).toEqual({ key, finite: true });
    }
  });
});

describe('roundToPack', () => {
  test.each<[string, number, number, number, number]>([
    ['zero', 0, 6, 0, 0],
    ['zero with a minimum order', 0, 6, 10, 0],
    ['negative', -5, 6, 0, 0],
    ['exact multiple', 12, 6, 0, 12],
    ['just above a multiple', 12.01, 6, 0, 18],
    ['one above a multiple', 13, 6, 0, 18],
    ['float noise above a multiple', 18.0000000001, 6, 0, 18],
    ['below one pack', 5, 6, 0, 6],
    ['below the minimum order, single units', 3, 1, 10, 10],
    ['below the minimum order, packs of 6', 3, 6, 10, 12],
    ['just above the minimum order', 11, 6, 10, 12],
    ['minimum order a multiple of the pack', 25, 12, 24, 36],
    ['fraction of a unit', 0.2, 1, 0, 1],
    ['pack size 0 counts as 1', 7, 0, 0, 7],
    ['NaN quantity', Number.NaN, 6, 0, 0],
  ])('%s: %p, pack %p, min %p -> %p', (_name, qty, pack, min, expected) => {
    expect(roundToPack(qty, pack, min)).toBe(expected);
  });
});

function line(supplierId: string, sku: string, quantity: number, unitCost: number): SkuPlanLine {
  return {
    sku,
    supplierId,
    quantity,
    unitCost,
    lineValue: Math.round(quantity * unitCost * 100) / 100,
    rationale: {
      meanDaily: 0,
      demandOverLeadTime: 0,
      safetyStock: 0,
      reorderPoint: 0,
      orderUpTo: 0,
      inventoryPosition: 0,
      onHand: 0,
      reserved: 0,
      onOrder: 0,
      packSize: 1,
      minOrderQty: 0,
      eoq: null,
      reasons: [],
    },
  };
}

describe('groupBySupplier', () => {
  test('one draft PO per supplier, suppliers by id, lines by SKU, totals to 2 decimals', () => {
    const pos = groupBySupplier([
      line('SUP-B', 'SKU-Z', 3, 1.1),
      line('SUP-A', 'SKU-M', 1, 0.1),
      line('SUP-B', 'SKU-A', 1, 0.2),
      line('SUP-A', 'SKU-B', 12, 24.99),
      line('SUP-C', 'SKU-A', 6, 1000),
    ]);
    expect(pos.map((po) => [po.supplierId, po.lines.map((l) => l.sku), po.totalValue])).toEqual([
      ['SUP-A', ['SKU-B', 'SKU-M'], 299.98],
      ['SUP-B', ['SKU-A', 'SKU-Z'], 3.5],
      ['SUP-C', ['SKU-A'], 6000],
    ]);
  });

  test.each<[string, SkuPlanLine[], number]>([
    ['0.1 + 0.2 is 0.3, not 0.30000000000000004', [line('S', 'A', 1, 0.1), line('S', 'B', 1, 0.2)], 0.3],
    ['many small lines', Array.from({ length: 10 }, (_, i) => line('S', `SKU-${i}`, 1, 0.07)), 0.7],
  ])('total: %s', (_name, lines, total) => {
    expect(groupBySupplier(lines)[0]!.totalValue).toBe(total);
  });

  test('no lines, no POs; the input is not reordered', () => {
    expect(groupBySupplier([])).toEqual([]);
    const lines = [line('SUP-B', 'Z', 1, 1), line('SUP-A', 'A', 1, 1)];
    groupBySupplier(lines);
    expect(lines.map((l) => l.supplierId)).toEqual(['SUP-B', 'SUP-A']);
  });

  test('planned lines group end to end', () => {
    const planned = [
      planSku(input({ sku: 'SKU-2', supplierId: 'SUP-B' })),
      planSku(input({ sku: 'SKU-1', supplierId: 'SUP-B', packSize: 6 })),
      planSku(input({ sku: 'SKU-3', supplierId: 'SUP-A', onHand: 50 })), // above the reorder point
    ].filter((l): l is SkuPlanLine => l !== null);
    const pos = groupBySupplier(planned);
    expect(pos).toHaveLength(1);
    expect(pos[0]!.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['SKU-1', 24],
      ['SKU-2', 24],
    ]);
    expect(pos[0]!.totalValue).toBe(480);
  });
});

describe('approvalTierFor', () => {
  test.each<[number, ApprovalTier]>([
    [0, 'auto'],
    [2_499.99, 'auto'],
    [2_500, 'auto'],
    [2_500.01, 'store_manager'],
    [9_999.99, 'store_manager'],
    [10_000, 'store_manager'],
    [10_000.01, 'store_and_regional'],
    [250_000, 'store_and_regional'],
    [Number.NaN, 'store_and_regional'],
  ])('default thresholds: %p -> %p', (value, tier) => {
    expect(approvalTierFor(value)).toBe(tier);
  });

  test.each<[number, ApprovalTier]>([
    [100, 'auto'],
    [100.5, 'store_manager'],
    [1_000, 'store_manager'],
    [1_000.5, 'store_and_regional'],
  ])('thresholds 100 / 1,000: %p -> %p', (value, tier) => {
    expect(approvalTierFor(value, { storeManagerAbove: 100, regionalAbove: 1_000 })).toBe(tier);
  });
});
