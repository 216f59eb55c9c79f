import { plannedServiceLevel, SERVICE_FEEDBACK, serviceRecord, type ServiceRecord } from '../../domain/service-feedback';
import { simulateReplenishment, type ReviewView } from '../../domain/service-level-simulation';

describe('serviceRecord: cycles from receipt to receipt, counted as the simulation counts them', () => {
  test.each<[string, number[], number[], number, ServiceRecord]>([
    ['no receipt: no cycle', [], [4, 5], 30, { cycles: 0, cyclesWithStockout: 0 }],
    ['one receipt, nothing run out since: the open cycle may still end well', [3], [], 30, { cycles: 0, cyclesWithStockout: 0 }],
    ['one receipt, run out since: the open cycle counts, bad', [3], [9], 30, { cycles: 1, cyclesWithStockout: 1 }],
    ['stock-outs before the first receipt belong to no cycle', [10, 20], [2, 3], 30, { cycles: 1, cyclesWithStockout: 0 }],
    ['a stock-out on a receipt day belongs to the cycle it starts', [10, 20], [20], 30, { cycles: 2, cyclesWithStockout: 1 }],
    ['the day before the next receipt is the last of a cycle', [10, 20], [19], 30, { cycles: 1, cyclesWithStockout: 1 }],
    ['two stock-outs in one cycle make one bad cycle', [10, 20, 25], [12, 14], 30, { cycles: 2, cyclesWithStockout: 1 }],
    ['receipts on one day are one; unordered input', [20, 10, 10], [], 30, { cycles: 1, cyclesWithStockout: 0 }],
    ["today's receipt closes the cycle before it; today's sales are not known yet", [10, 30], [30], 30, { cycles: 1, cyclesWithStockout: 0 }],
    ['after today nothing counts', [10, 20, 40], [35], 30, { cycles: 1, cyclesWithStockout: 0 }],
    ['older than the window nothing counts', [-400, 10, 20], [-390], 30, { cycles: 1, cyclesWithStockout: 0 }],
  ])('%s', (_, receipts, stockouts, today, expected) => {
    expect(serviceRecord(receipts, stockouts, today)).toEqual(expected);
  });

  test('the hand-computed simulation: receipts on days 3, 10, 17 and 24, stock-outs on 8, 9, 22 and 23', () => {
    // tests/unit/service-level-simulation.test.ts works the same case out: 4 cycles, 2 with a stock-out.
    let last: ReviewView | undefined;
    const result = simulateReplenishment({
      demand: new Array(29).fill(2),
      initialOnHand: 10,
      reviewPeriodDays: 7,
      leadTimes: [3],
      order: (r) => {
        last = r;
        return r.day < 28 ? 16 - r.onHand - r.onOrder : 0;
      },
    });
    expect(last!.receipts).toEqual([3, 10, 17, 24]);
    const outs = last!.stockouts.flatMap((out, day) => (out ? [day] : []));
    expect(outs).toEqual([8, 9, 22, 23]);
    // On day 28 the cycle begun on 24 is still open and has not run out: the closed three, [3, 10) and [17, 24) bad.
    expect(serviceRecord(last!.receipts!, outs, 28)).toEqual({ cycles: 3, cyclesWithStockout: 2 });
    expect(result).toMatchObject({ cycles: 4, cyclesWithStockout: 2 });
  });
});

describe('plannedServiceLevel: behind the aim up, ahead of it down, within bounds', () => {
  const { aboveTarget, gain, priorCycles, maxBelowTarget, ceiling } = SERVICE_FEEDBACK;
  // level = aim + gain · (aim − (good + prior · aim) / (cycles + prior)) with aim = target + aboveTarget
  const byHand = (target: number, cycles: number, bad: number) => {
    const aim = target + aboveTarget;
    return aim + gain * (aim - (cycles - bad + priorCycles * aim) / (cycles + priorCycles));
  };

  test.each<[string, number, ServiceRecord | undefined, number]>([
    ['no record: the target', 0.95, undefined, 0.95],
    ['no cycle yet: the target', 0.95, { cycles: 0, cyclesWithStockout: 0 }, 0.95],
    ['120 cycles, 5 bad (95.8%): just behind the 96% aim, raised', 0.95, { cycles: 120, cyclesWithStockout: 5 }, byHand(0.95, 120, 5)],
    ['80 cycles, 3 bad (96.25%): just ahead of the aim, lowered', 0.95, { cycles: 80, cyclesWithStockout: 3 }, byHand(0.95, 80, 3)],
    ['100 cycles, 9 bad: on the 91% aim', 0.9, { cycles: 100, cyclesWithStockout: 9 }, 0.91],
    ['80 cycles, 4 bad (95%): far behind, held at the ceiling', 0.95, { cycles: 80, cyclesWithStockout: 4 }, ceiling],
    ['never run out in a long record: held at the floor', 0.6, { cycles: 400, cyclesWithStockout: 0 }, 0.6 - maxBelowTarget],
    ['a target above the ceiling is never lowered by bad luck', 0.999, { cycles: 80, cyclesWithStockout: 10 }, 0.999],
    ['more bad cycles than cycles count as all of them', 0.95, { cycles: 10, cyclesWithStockout: 30 }, ceiling],
  ])('%s', (_, target, record, expected) => {
    expect(plannedServiceLevel(target, record).serviceLevel).toBeCloseTo(expected, 10);
  });

  test('the hand-worked cases sit inside the bounds, on the side of the target the record says', () => {
    // By hand with gain 6: 0.96 + 6 · (0.96 − 124.6 / 130) = 0.969231; 0.96 + 6 · (0.96 − 86.6 / 90) = 0.946667.
    expect(gain).toBe(6);
    expect(byHand(0.95, 120, 5)).toBeCloseTo(0.969231, 6);
    expect(byHand(0.95, 120, 5)).toBeGreaterThan(0.96);
    expect(byHand(0.95, 120, 5)).toBeLessThan(ceiling);
    expect(byHand(0.95, 80, 3)).toBeCloseTo(0.946667, 6);
    expect(byHand(0.95, 80, 3)).toBeLessThan(0.95);
    expect(byHand(0.95, 80, 3)).toBeGreaterThan(0.95 - maxBelowTarget);
  });

  test('what the record shows comes with the level', () => {
    expect(plannedServiceLevel(0.95, { cycles: 80, cyclesWithStockout: 4 })).toMatchObject({ target: 0.95, achieved: 0.95, cycles: 80, cyclesWithStockout: 4 });
    expect(plannedServiceLevel(0.95, undefined)).toMatchObject({ achieved: null, cycles: 0 });
  });
});
