import {
  chanceOfMeetingTarget,
  expectedShareMeeting,
  marginForShare,
  simulateReplenishment,
  summariseSimulations,
  type ReviewView,
  type SimulationResult,
} from '../../domain/service-level-simulation';

const orderUpTo = (level: number) => (r: ReviewView) => level - r.onHand - r.onOrder;

describe('simulateReplenishment: a tiny deterministic case computed by hand', () => {
  /**
   * 2 a day for 28 days, weekly review, 3-day lead time, 10 on hand at the start, order up to 16.
   *   day 0: position 10, order 6 (due day 3)   ends days 0-6 with 8 6 4 | 8 6 4 2
   *   day 7: position 2, order 14 (due day 10)  days 7-9: 0, then 2 lost on days 8 and 9; 10-13: 12 10 8 6
   *   day 14: position 6, order 10 (due day 17) 14-16: 4 2 0 (sold out exactly, nothing lost); 17-20: 8 6 4 2
   *   day 21: position 2, order 14 (due day 24) 21-23: 0, 2 lost on 22 and 23; 24-27: 12 10 8 6
   * Receipts on days 3, 10, 17, 24: cycles [3,10) [10,17) [17,24) [24,28), two with a stock-out.
   * Demand 56, lost 8: fill rate 48/56. On hand at day end sums to 38 + 36 + 26 + 36 = 136: 136/28 a day,
   * 2.43 days of demand.
   */
  const result = simulateReplenishment({ demand: new Array(28).fill(2), initialOnHand: 10, reviewPeriodDays: 7, leadTimes: [3], order: orderUpTo(16) });

  test.each<[keyof SimulationResult, number | null]>([
    ['demand', 56],
    ['sold', 48],
    ['lost', 8],
    ['orders', 4],
    ['receipts', 4],
    ['cycles', 4],
    ['cyclesWithStockout', 2],
    ['stockoutDays', 4],
    ['cycleServiceLevel', 0.5],
    ['fillRate', 48 / 56],
    ['averageOnHand', 136 / 28],
    ['daysOfSupply', 136 / 28 / 2],
  ])('%s = %p', (key, expected) => {
    expect(result[key]).toBeCloseTo(expected as number, 9);
  });

  test('sales and stock-out days day by day', () => {
    expect(result.sales).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 2]);
    expect(result.stockouts.flatMap((s, day) => (s ? [day] : []))).toEqual([8, 9, 22, 23]);
  });

  test('order up to 20 covers the 10 days of lead time and review: every cycle without a stock-out', () => {
    const covered = simulateReplenishment({ demand: new Array(28).fill(2), initialOnHand: 20, reviewPeriodDays: 7, leadTimes: [3], order: orderUpTo(20) });
    expect(covered).toMatchObject({ lost: 0, cycleServiceLevel: 1, fillRate: 1, cycles: 3 }); // receipts on 10, 17, 24 (nothing ordered on day 0)
  });
});

describe('simulateReplenishment: edges', () => {
  test('the policy sees what sold and which days ran out', () => {
    const seen: { day: number; sales: number[]; stockouts: boolean[] }[] = [];
    simulateReplenishment({
      demand: [1, 3, 0, 2],
      initialOnHand: 2,
      reviewPeriodDays: 2,
      leadTimes: [5],
      order: (r) => {
        seen.push({ day: r.day, sales: [...r.sales], stockouts: [...r.stockouts] });
        return 0;
      },
    });
    expect(seen).toEqual([
      { day: 0, sales: [], stockouts: [] },
      { day: 2, sales: [1, 1], stockouts: [false, true] },
    ]);
  });

  test('a lead time of 0 arrives before the day sells; lead times are taken in turn', () => {
    const r = simulateReplenishment({ demand: [5, 5, 5, 5], initialOnHand: 0, reviewPeriodDays: 1, leadTimes: [0, 1], order: () => 5 });
    // orders on days 0 (lead 0, sold that day), 1 (lead 1, due day 2), 2 (lead 0), 3 (lead 1, due after the end)
    expect(r.sales).toEqual([5, 0, 5, 5]); // day 2 receives 5 + 5 and keeps 5 for day 3
    expect(r).toMatchObject({ orders: 4, receipts: 3, lost: 5 });
  });

  test('nothing ever received: no cycle; no demand: fill rate 1 and no days of supply', () => {
    const r = simulateReplenishment({ demand: [0, 0, 0], initialOnHand: 4, reviewPeriodDays: 7, leadTimes: [2], order: () => 0 });
    expect(r).toMatchObject({ cycles: 0, cycleServiceLevel: null, fillRate: 1, daysOfSupply: null, averageOnHand: 4 });
  });
});

describe('summariseSimulations', () => {
  test('means, pooled rates and the share meeting target', () => {
    const a = simulateReplenishment({ demand: new Array(28).fill(2), initialOnHand: 10, reviewPeriodDays: 7, leadTimes: [3], order: orderUpTo(16) });
    const b = simulateReplenishment({ demand: new Array(28).fill(2), initialOnHand: 20, reviewPeriodDays: 7, leadTimes: [3], order: orderUpTo(20) });
    const s = summariseSimulations([
      { target: 0.9, result: a }, // 0.5: misses
      { target: 0.95, result: b }, // 1: meets
    ]);
    expect(s.series).toBe(2);
    expect(s.target).toBeCloseTo(0.925, 9);
    expect(s.cycleServiceLevel).toBeCloseTo(0.75, 9);
    expect(s.pooledCycleServiceLevel).toBeCloseTo(5 / 7, 9); // 2 of 4 and 3 of 3
    expect(s.fillRate).toBeCloseTo(104 / 112, 9);
    expect(s.meetingTarget).toBe(0.5);
    expect(s.daysOfSupply).toBeCloseTo((a.averageOnHand + b.averageOnHand) / 4, 9);
    expect(s.medianDaysOfSupply).toBeCloseTo((a.daysOfSupply! + b.daysOfSupply!) / 2, 9);
  });
});

describe('chanceOfMeetingTarget: a series that sits on its service level meets its target only by luck', () => {
  test.each<[string, number, number, number, number]>([
    // 20 cycles at 95%: at most 1 bad one; 0.95^20 + 20 · 0.05 · 0.95^19.
    ['20 cycles, on a 95% target', 20, 0.95, 0.95, 0.95 ** 20 + 20 * 0.05 * 0.95 ** 19],
    // 10 cycles at 90%: at most 1 bad one.
    ['10 cycles, on a 90% target', 10, 0.9, 0.9, 0.9 ** 10 + 10 * 0.1 * 0.9 ** 9],
    // 4 fair coins, at most 2 tails: (1 + 4 + 6) / 16.
    ['4 cycles, on a 50% target', 4, 0.5, 0.5, 11 / 16],
    ['no cycle: nothing ran out', 0, 0.95, 0.5, 1],
    ['never runs out', 10, 0.9, 1, 1],
    ['always runs out, no bad cycle allowed', 10, 0.95, 0, 0],
    ['always runs out, every cycle allowed bad', 10, 0, 0, 1],
  ])('%s', (_name, cycles, target, achieved, expected) => {
    expect(chanceOfMeetingTarget(cycles, target, achieved)).toBeCloseTo(expected, 10);
  });

  test('more margin, more chance; more cycles at a margin, more chance', () => {
    expect(chanceOfMeetingTarget(50, 0.95, 0.96)).toBeGreaterThan(chanceOfMeetingTarget(50, 0.95, 0.95));
    expect(chanceOfMeetingTarget(400, 0.95, 0.96)).toBeGreaterThan(chanceOfMeetingTarget(50, 0.95, 0.96));
  });
});

describe('expectedShareMeeting and marginForShare', () => {
  const series = [
    { cycles: 20, target: 0.95 },
    { cycles: 0, target: 0.9 },
  ];

  test('the mean chance over the series at a margin', () => {
    expect(expectedShareMeeting(series, 0)).toBeCloseTo((0.95 ** 20 + 20 * 0.05 * 0.95 ** 19 + 1) / 2, 10);
    expect(expectedShareMeeting([], 0)).toBe(0);
  });

  test('the margin at which a share is expected', () => {
    // 4 cycles on a 50% target meet it with probability 11/16 at no margin.
    expect(marginForShare([{ cycles: 4, target: 0.5 }], 11 / 16)).toBeCloseTo(0, 3);
    const margin = marginForShare(series, 0.9)!;
    expect(expectedShareMeeting(series, margin)).toBeGreaterThanOrEqual(0.9);
    expect(expectedShareMeeting(series, margin - 0.001)).toBeLessThan(0.9);
    expect(marginForShare(series, 1.01)).toBeNull();
  });
});
