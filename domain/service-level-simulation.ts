/**
 * Day-by-day simulation of one store × SKU under a periodic-review replenishment policy, to measure
 * the service level a policy really achieves: lost sales on a stock-out, orders arriving after
 * their lead time, a review every `reviewPeriodDays` days. Pure: no I/O, no clock, no randomness
 * (demand and lead times come in as arrays, so the same inputs give the same result).
 *
 * One day t:
 *   1. orders due on day t arrive (an order placed on day d with lead time L is due on d + L;
 *      L = 0 arrives before the day's sales);
 *   2. on a review day (t = 0, R, 2R, …) the policy sees the stock and what sold so far and says how
 *      much to order; the k-th order takes leadTimes[k] days (cycled);
 *   3. demand is served from stock; what stock cannot cover is lost (a stock-out day).
 *
 * Measures:
 *   cycle service level  share of replenishment cycles without a stock-out; a cycle runs from one
 *                        receipt to the next (receipts on the same day are one), the last one to
 *                        the end; the days before the first receipt (the starting stock) are not
 *                        a cycle. null when nothing was ever received.
 *   fill rate            units sold / units demanded (1 when nothing was demanded).
 *   days of supply       average on hand at the end of a day / average daily demand (null without demand).
 */

export interface ReviewView {
  /** Simulated day of the review, from 0. */
  day: number;
  onHand: number;
  /** Ordered and not yet received. */
  onOrder: number;
  /** Units sold on each simulated day before this one. */
  sales: readonly number[];
  /** Whether each simulated day before this one ran out of stock (its demand censored at its sales). */
  stockouts: readonly boolean[];
  /** The simulated days with a receipt so far (this one's included), in order, each once. */
  receipts?: readonly number[];
}

export interface SimulationInput {
  /** Units demanded each simulated day (negative or non-finite count as 0). */
  demand: readonly number[];
  initialOnHand: number;
  reviewPeriodDays: number;
  /** Lead time in whole days of the 1st, 2nd, … order; cycled when there are more orders. */
  leadTimes: readonly number[];
  /** Units to order at a review (negative or non-finite: nothing). */
  order: (review: ReviewView) => number;
}

export interface SimulationResult {
  days: number;
  demand: number;
  sold: number;
  lost: number;
  orders: number;
  receipts: number;
  cycles: number;
  cyclesWithStockout: number;
  stockoutDays: number;
  cycleServiceLevel: number | null;
  fillRate: number;
  averageOnHand: number;
  daysOfSupply: number | null;
  sales: number[];
  stockouts: boolean[];
}

function units(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

export function simulateReplenishment(input: SimulationInput): SimulationResult {
  const days = input.demand.length;
  const review = Math.max(1, Math.round(units(input.reviewPeriodDays)) || 1);
  const leadTimes = input.leadTimes.length > 0 ? input.leadTimes : [0];
  const due = new Map<number, number>();
  let onHand = units(input.initialOnHand);
  let onOrder = 0;
  let orders = 0;
  let receipts = 0;
  let cycles = 0;
  let cyclesWithStockout = 0;
  let cycleHadStockout = false;
  let inCycle = false;
  let demanded = 0;
  let sold = 0;
  let stockoutDays = 0;
  let onHandSum = 0;
  const sales: number[] = [];
  const receiptDays: number[] = [];
  const stockouts: boolean[] = [];

  const receive = (day: number): void => {
    const qty = due.get(day);
    if (qty === undefined) return;
    due.delete(day);
    onHand += qty;
    onOrder -= qty;
    receipts += 1;
    receiptDays.push(day);
    if (inCycle && cycleHadStockout) cyclesWithStockout += 1;
    if (inCycle) cycles += 1;
    inCycle = true;
    cycleHadStockout = false;
  };

  for (let t = 0; t < days; t++) {
    receive(t);
    if (t % review === 0) {
      const qty = Math.round(units(input.order({ day: t, onHand, onOrder, sales, stockouts, receipts: receiptDays })));
      if (qty > 0) {
        const lead = Math.max(0, Math.round(units(leadTimes[orders % leadTimes.length])));
        orders += 1;
        onOrder += qty;
        due.set(t + lead, (due.get(t + lead) ?? 0) + qty);
        if (lead === 0) receive(t);
      }
    }
    const want = units(input.demand[t]);
    const sell = Math.min(onHand, want);
    const short = want - sell;
    onHand -= sell;
    demanded += want;
    sold += sell;
    sales.push(sell);
    stockouts.push(short > 0);
    if (short > 0) {
      stockoutDays += 1;
      cycleHadStockout = true;
    }
    onHandSum += onHand;
  }
  if (inCycle) {
    cycles += 1;
    if (cycleHadStockout) cyclesWithStockout += 1;
  }

  const averageOnHand = days > 0 ? onHandSum / days : 0;
  const meanDemand = days > 0 ? demanded / days : 0;
  return {
    days,
    demand: demanded,
    sold,
    lost: demanded - sold,
    orders,
    receipts,
    cycles,
    cyclesWithStockout,
    stockoutDays,
    cycleServiceLevel: cycles > 0 ? (cycles - cyclesWithStockout) / cycles : null,
    fillRate: demanded > 0 ? sold / demanded : 1,
    averageOnHand,
    daysOfSupply: meanDemand > 0 ? averageOnHand / meanDemand : null,
    sales,
    stockouts,
  };
}

export interface ServiceLevelSummary {
  series: number;
  /** Mean target over the series. */
  target: number;
  /** Mean over the series with a cycle of their cycle service level. */
  cycleServiceLevel: number;
  /** All cycles together: cycles without a stock-out / cycles. */
  pooledCycleServiceLevel: number;
  /** Units sold / units demanded over all series. */
  fillRate: number;
  /** Share of series whose cycle service level reached their target (a series without a cycle counts when it lost nothing). */
  meetingTarget: number;
  /** The stock of all series in days of their total demand: Σ average on hand / Σ average daily demand. */
  daysOfSupply: number;
  /** Median over the series with demand of their own days of supply. */
  medianDaysOfSupply: number;
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The figures of many series' simulations, each with its service-level target. */
export function summariseSimulations(runs: readonly { target: number; result: SimulationResult }[]): ServiceLevelSummary {
  let targetSum = 0;
  let cslSum = 0;
  let cslCount = 0;
  let cycles = 0;
  let goodCycles = 0;
  let demand = 0;
  let sold = 0;
  let meeting = 0;
  let onHand = 0;
  let dailyDemand = 0;
  const dos: number[] = [];
  for (const { target, result } of runs) {
    targetSum += target;
    if (result.cycleServiceLevel !== null) {
      cslSum += result.cycleServiceLevel;
      cslCount += 1;
    }
    cycles += result.cycles;
    goodCycles += result.cycles - result.cyclesWithStockout;
    demand += result.demand;
    sold += result.sold;
    // A hair of tolerance: 19 good cycles of 20 meet 95% despite floating point.
    if (result.cycleServiceLevel !== null ? result.cycleServiceLevel >= target - 1e-9 : result.lost === 0) meeting += 1;
    onHand += result.averageOnHand;
    dailyDemand += result.days > 0 ? result.demand / result.days : 0;
    if (result.daysOfSupply !== null) dos.push(result.daysOfSupply);
  }
  const n = runs.length;
  return {
    series: n,
    target: n > 0 ? targetSum / n : 0,
    cycleServiceLevel: cslCount > 0 ? cslSum / cslCount : 0,
    pooledCycleServiceLevel: cycles > 0 ? goodCycles / cycles : 0,
    fillRate: demand > 0 ? sold / demand : 1,
    meetingTarget: n > 0 ? meeting / n : 0,
    daysOfSupply: dailyDemand > 0 ? onHand / dailyDemand : 0,
    medianDaysOfSupply: median(dos),
  };
}

/**
 * The chance that a series meets its target by luck of the draw alone: with `cycles` replenishment
 * cycles, each free of stock-outs with probability `achieved` independently, the probability that
 * the share of good cycles reaches `target` (at most floor(cycles · (1 − target)) bad ones).
 * A series without a cycle meets it (nothing ran out). Probabilities outside [0, 1] are clamped.
 */
export function chanceOfMeetingTarget(cycles: number, target: number, achieved: number): number {
  const n = Math.max(0, Math.floor(cycles));
  if (n === 0) return 1;
  const miss = 1 - Math.min(1, Math.max(0, achieved));
  // The same hair of tolerance as summariseSimulations: 19 good cycles of 20 meet 95%.
  const allowed = Math.floor(n * (1 - Math.min(1, Math.max(0, target))) + 1e-9);
  if (allowed >= n || miss === 0) return 1;
  if (miss === 1) return 0;
  // P(bad ≤ allowed) for bad ~ Binomial(n, miss), summed from k = 0 with the pmf's ratio in log space.
  const logMiss = Math.log(miss);
  const logHit = Math.log(1 - miss);
  let logP = n * logHit;
  let sum = Math.exp(logP);
  for (let k = 1; k <= allowed; k++) {
    logP += Math.log((n - k + 1) / k) + logMiss - logHit;
    sum += Math.exp(logP);
  }
  return Math.min(1, sum);
}

/**
 * The share of series expected to meet their targets if the policy achieved exactly target + margin
 * on every one of them (capped at 1): the mean of chanceOfMeetingTarget over the series' own cycle
 * counts. It is the ceiling that chance sets on "share of series meeting target" for a policy whose
 * average lands `margin` above the targets.
 */
export function expectedShareMeeting(series: readonly { cycles: number; target: number }[], margin: number): number {
  if (series.length === 0) return 0;
  let sum = 0;
  for (const s of series) sum += chanceOfMeetingTarget(s.cycles, s.target, s.target + margin);
  return sum / series.length;
}

/**
 * The smallest margin over every series' target (to 0.0001) at which expectedShareMeeting reaches
 * `share`; null when even a policy that never runs out (margin up to 1) does not.
 */
export function marginForShare(series: readonly { cycles: number; target: number }[], share: number): number | null {
  if (expectedShareMeeting(series, 1) < share) return null;
  let lo = -1;
  let hi = 1;
  while (hi - lo > 1e-4) {
    const mid = (lo + hi) / 2;
    if (expectedShareMeeting(series, mid) >= share) hi = mid;
    else lo = mid;
  }
  return Math.round(hi * 10_000) / 10_000;
}
