/**
 * Forecast accuracy on a holdout window: WAPE, bias and MASE, over one series or thousands of
 * them, overall and per category.
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 *
 * Metrics are built from an additive accumulator of sums, so they can be gathered batch by batch
 * (each activity returns its batch's accumulators, plain JSON) and merged in any order; summarise
 * at the end. Per category: one accumulator per category key, merged the same way.
 *
 * Definitions (a = actual units, f = forecast units, over every series and holdout day):
 * - WAPE = Σ|a − f| / Σ|a|. 0 is perfect; 1 is as bad as forecasting nothing. Null without sales.
 * - bias = Σ(f − a) / Σa: positive = over-forecast (0.05 = 5 % more forecast than sold), negative =
 *   under-forecast. Null without sales.
 * - MASE: per series, the mean absolute holdout error divided by that series' in-sample scale (the
 *   mean absolute error of the seasonal naive forecast y_t − y_{t−7} over its training history; see
 *   `maseScale`). Overall MASE is the arithmetic mean of the per-series values, over the series that
 *   have a scale (with equal holdout lengths this equals Hyndman's mean of all scaled errors). Below
 *   1: better than the in-sample seasonal naive. Null when no series has a scale.
 *
 * Actual units are sanitised as the forecaster does (negative or infinite count as 0), so Σ|a| = Σa.
 * A censored (stock-out) day is NaN and is skipped everywhere: not a holdout day, not in a naive
 * difference of the MASE scale, so the scale is that of the real days only. Forecasts must be finite
 * numbers; actual and forecast must have the same length (RangeError).
 */

export interface MetricsAccumulator {
  /** Series accumulated (with at least one holdout day). */
  series: number;
  /** Holdout observations (series × days). */
  days: number;
  /** Σ|a − f| */
  absError: number;
  /** Σ(f − a) */
  signedError: number;
  /** Σa */
  actualUnits: number;
  /** Σf */
  forecastUnits: number;
  /** Σ per-series MASE, over the series with an in-sample scale. */
  scaledErrorSum: number;
  /** Series with an in-sample scale (those in the MASE). */
  scaledSeries: number;
}

export interface MetricsSummary {
  /** Σ|a − f| / Σa; null when nothing was sold in the window. */
  wape: number | null;
  /** Σ(f − a) / Σa, positive = over-forecast; null when nothing was sold in the window. */
  bias: number | null;
  /** Mean of the per-series MASE; null when no series has an in-sample scale. */
  mase: number | null;
  series: number;
  /** Series in the MASE (the others had a zero in-sample scale). */
  maseSeries: number;
  days: number;
  actualUnits: number;
  forecastUnits: number;
}

export const MASE_SEASON = 7;

export function emptyAccumulator(): MetricsAccumulator {
  return { series: 0, days: 0, absError: 0, signedError: 0, actualUnits: 0, forecastUnits: 0, scaledErrorSum: 0, scaledSeries: 0 };
}

/** Actual units as the forecaster reads them; NaN (a censored day) stays NaN and is skipped. */
function actualUnits(value: number): number {
  return Number.isNaN(value) ? NaN : Number.isFinite(value) && value > 0 ? value : 0;
}

/** Mean |y_t − y_{t−lag}| over the pairs of real days (a censored day, NaN, on either side: no pair). */
function meanAbsoluteDifference(y: readonly number[], lag: number): number | null {
  let sum = 0;
  let pairs = 0;
  for (let t = lag; t < y.length; t++) {
    const d = y[t]! - y[t - lag]!;
    if (Number.isNaN(d)) continue;
    sum += Math.abs(d);
    pairs += 1;
  }
  if (pairs === 0) return null;
  const scale = sum / pairs;
  return scale > 0 ? scale : null;
}

/**
 * The MASE denominator of one series: the mean absolute seasonal difference |y_t − y_{t−m}| over its
 * in-sample (training) history, m = 7. When that is zero or cannot be computed (history of m days or
 * fewer, or an exact weekly repeat), the lag-1 naive scale |y_t − y_{t−1}|; when that is zero too
 * (constant or empty history), null: the series has no MASE and is left out of the mean.
 */
export function maseScale(inSample: readonly number[], m: number = MASE_SEASON): number | null {
  const y = inSample.map(actualUnits);
  return meanAbsoluteDifference(y, m) ?? meanAbsoluteDifference(y, 1);
}

/**
 * Adds one series' holdout to the accumulator (returns a new one). `inSampleScale` is the series'
 * `maseScale` (null or not positive: not in the MASE). A series with an empty holdout changes nothing.
 */
export function accumulate(acc: MetricsAccumulator, actual: readonly number[], forecast: readonly number[], inSampleScale: number | null): MetricsAccumulator {
  if (actual.length !== forecast.length) {
    throw new RangeError(`actual and forecast differ in length (${actual.length} vs ${forecast.length}).`);
  }
  let absError = 0;
  let signedError = 0;
  let actualSum = 0;
  let forecastSum = 0;
  let days = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actualUnits(actual[i]!);
    const f = forecast[i]!;
    if (!Number.isFinite(f)) throw new RangeError(`forecast[${i}] is not a finite number (${String(f)}).`);
    if (Number.isNaN(a)) continue;
    days += 1;
    absError += Math.abs(a - f);
    signedError += f - a;
    actualSum += a;
    forecastSum += f;
  }
  if (days === 0) return acc;
  const hasScale = inSampleScale !== null && Number.isFinite(inSampleScale) && inSampleScale > 0;
  return {
    series: acc.series + 1,
    days: acc.days + days,
    absError: acc.absError + absError,
    signedError: acc.signedError + signedError,
    actualUnits: acc.actualUnits + actualSum,
    forecastUnits: acc.forecastUnits + forecastSum,
    scaledErrorSum: acc.scaledErrorSum + (hasScale ? absError / days / inSampleScale : 0),
    scaledSeries: acc.scaledSeries + (hasScale ? 1 : 0),
  };
}

/** The sum of accumulators (associative and commutative: merge batches in any order). */
export function mergeAccumulators(...accs: readonly MetricsAccumulator[]): MetricsAccumulator {
  const total = emptyAccumulator();
  for (const a of accs) {
    total.series += a.series;
    total.days += a.days;
    total.absError += a.absError;
    total.signedError += a.signedError;
    total.actualUnits += a.actualUnits;
    total.forecastUnits += a.forecastUnits;
    total.scaledErrorSum += a.scaledErrorSum;
    total.scaledSeries += a.scaledSeries;
  }
  return total;
}

export function summarise(acc: MetricsAccumulator): MetricsSummary {
  const sold = acc.actualUnits > 0;
  return {
    wape: sold ? acc.absError / acc.actualUnits : null,
    bias: sold ? acc.signedError / acc.actualUnits : null,
    mase: acc.scaledSeries > 0 ? acc.scaledErrorSum / acc.scaledSeries : null,
    series: acc.series,
    maseSeries: acc.scaledSeries,
    days: acc.days,
    actualUnits: acc.actualUnits,
    forecastUnits: acc.forecastUnits,
  };
}

/** Summaries of per-key (e.g. per-category) accumulators, keys in code-unit order. */
export function summariseGroups(groups: Readonly<Record<string, MetricsAccumulator>>): Record<string, MetricsSummary> {
  const out: Record<string, MetricsSummary> = {};
  for (const key of Object.keys(groups).sort()) out[key] = summarise(groups[key]!);
  return out;
}

/** Per-key merge of grouped accumulators (keys of either side). */
export function mergeGroups(
  a: Readonly<Record<string, MetricsAccumulator>>,
  b: Readonly<Record<string, MetricsAccumulator>>,
): Record<string, MetricsAccumulator> {
  const out: Record<string, MetricsAccumulator> = {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    out[key] = mergeAccumulators(a[key] ?? emptyAccumulator(), b[key] ?? emptyAccumulator());
  }
  return out;
}

/** WAPE of one series (see the file comment). */
export function wape(actual: readonly number[], forecast: readonly number[]): number | null {
  return summarise(accumulate(emptyAccumulator(), actual, forecast, null)).wape;
}

/** Bias of one series, positive = over-forecast (see the file comment). */
export function bias(actual: readonly number[], forecast: readonly number[]): number | null {
  return summarise(accumulate(emptyAccumulator(), actual, forecast, null)).bias;
}

/** MASE of one series against its in-sample history (see `maseScale`). */
export function mase(actual: readonly number[], forecast: readonly number[], inSample: readonly number[], m: number = MASE_SEASON): number | null {
  return summarise(accumulate(emptyAccumulator(), actual, forecast, maseScale(inSample, m))).mase;
}

/** One series' holdout as sums (how model versions store it per series). */
export interface SeriesErrorSums {
  days: number;
  actualUnits: number;
  /** Σ|a − f| */
  absError: number;
  /** Σ(f − a) */
  signedError: number;
  /** The series' maseScale; 0 or less: not in the MASE. */
  scale: number;
}

/** Adds one series' stored sums to the accumulator in place (the same arithmetic as `accumulate`). */
export function addSeriesSums(acc: MetricsAccumulator, sums: SeriesErrorSums): void {
  if (sums.days <= 0) return;
  acc.series += 1;
  acc.days += sums.days;
  acc.absError += sums.absError;
  acc.signedError += sums.signedError;
  acc.actualUnits += sums.actualUnits;
  acc.forecastUnits += sums.actualUnits + sums.signedError;
  if (sums.scale > 0) {
    acc.scaledErrorSum += sums.absError / sums.days / sums.scale;
    acc.scaledSeries += 1;
  }
}
