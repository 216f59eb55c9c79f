/**
 * Service feedback: each store × SKU is planned at the service level that keeps its own record on
 * its target, not only at the target itself.
 *
 * A series has some 60–120 replenishment cycles a year, so luck alone spreads what the same rules
 * achieve by several points from one series to the next: planned exactly at 95 %, about half the
 * series end the year below 95 %. The record of the last year (cycles from receipt to receipt,
 * and which of them ran out of stock) tells how a series is doing; the level it is planned at moves
 * up while it is behind an aim just above the target and down, to a floor, while it is ahead.
 * Series with bad luck get more protection and series with good luck hold less stock.
 *
 * Cycles are counted as the service-level simulation counts them (domain/service-level-simulation.ts):
 * from one receipt to the next (receipts on one day are one), a stock-out on a receipt's day belongs
 * to the cycle that receipt starts. The cycle still open counts only once it has run out (until then
 * it may still end well).
 */

export const SERVICE_FEEDBACK = {
  /** How far back the record reaches (days before the planning day). */
  windowDays: 365,
  /** The aim over the target: one cycle in a hundred, so one late stock-out does not put a year under target. */
  aboveTarget: 0.01,
  /**
   * How strongly the planned level answers the record's distance from the aim. Chosen by simulating
   * the six demo stores (npm run bench:service-level -- --store S00n): at 4 the mean overshoots the
   * target by more than a point in one store, at 8 one store has under 70 % of its series on target.
   */
  gain: 6,
  /** The record is read as if it began with this many cycles exactly on the aim (few cycles say little). */
  priorCycles: 10,
  /** The planned level never goes further below the target than this. */
  maxBelowTarget: 0.2,
  /** Nor above this (or the target, when that is higher): beyond it stock grows much faster than service. */
  ceiling: 0.995,
} as const;

export interface ServiceRecord {
  /** Replenishment cycles in the window: closed ones, and the open one when it has already run out. */
  cycles: number;
  cyclesWithStockout: number;
}

/**
 * The record of one series on day `today` from its receipt days and stock-out days (day numbers on
 * one scale, e.g. days since an epoch). Only days in [today − windowDays, today) count as sales days;
 * receipts up to and including today close the cycle before them.
 */
export function serviceRecord(
  receiptDays: readonly number[],
  stockoutDays: readonly number[],
  today: number,
  windowDays: number = SERVICE_FEEDBACK.windowDays,
): ServiceRecord {
  const from = today - windowDays;
  const receipts = [...new Set(receiptDays.filter((d) => Number.isFinite(d) && d >= from && d <= today))].sort((a, b) => a - b);
  const outs = stockoutDays.filter((d) => Number.isFinite(d) && d >= from && d < today).sort((a, b) => a - b);
  let cycles = 0;
  let cyclesWithStockout = 0;
  let k = 0;
  for (let i = 0; i < receipts.length; i++) {
    const start = receipts[i]!;
    const end = i + 1 < receipts.length ? receipts[i + 1]! : today;
    while (k < outs.length && outs[k]! < start) k++;
    const ranOut = k < outs.length && outs[k]! < end;
    if (i + 1 < receipts.length || ranOut) {
      cycles += 1;
      if (ranOut) cyclesWithStockout += 1;
    }
  }
  return { cycles, cyclesWithStockout };
}

export interface PlannedServiceLevel {
  /** The level the order-up-to point is set for. */
  serviceLevel: number;
  target: number;
  /** What the record shows, cycles without a stock-out / cycles; null without a cycle. */
  achieved: number | null;
  cycles: number;
  cyclesWithStockout: number;
}

/**
 * The level to plan a series at, given its target and its record. Without a cycle on record the
 * target itself. Otherwise aim = target + aboveTarget, and with the record read from priorCycles on
 * the aim, achieved* = (good cycles + priorCycles · aim) / (cycles + priorCycles):
 *   level = aim + gain · (aim − achieved*), kept within [target − maxBelowTarget, max(target, ceiling)].
 */
export function plannedServiceLevel(target: number, record: ServiceRecord | undefined, settings = SERVICE_FEEDBACK): PlannedServiceLevel {
  const cycles = Math.max(0, Math.floor(record?.cycles ?? 0));
  const bad = Math.min(cycles, Math.max(0, Math.floor(record?.cyclesWithStockout ?? 0)));
  if (cycles === 0 || !Number.isFinite(target)) return { serviceLevel: target, target, achieved: null, cycles, cyclesWithStockout: bad };
  const aim = target + settings.aboveTarget;
  const smoothed = (cycles - bad + settings.priorCycles * aim) / (cycles + settings.priorCycles);
  const level = aim + settings.gain * (aim - smoothed);
  const serviceLevel = Math.min(Math.max(target, settings.ceiling), Math.max(target - settings.maxBelowTarget, level));
  return { serviceLevel, target, achieved: (cycles - bad) / cycles, cycles, cyclesWithStockout: bad };
}
