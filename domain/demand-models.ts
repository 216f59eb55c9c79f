/**
 * Per-series demand models for model retraining (champion / challenger): a small set of model
 * families, a JSON-serialisable spec naming one family with its constants, a fit that picks the
 * spec per store × SKU series by validation error, and a `Forecaster` that forecasts each series
 * with its stored spec (the champion's), falling back to the baseline for series it has none for.
 *
 * Pure: no I/O, no clock, no randomness (bundled into the Temporal workflow sandbox). The same
 * history always gives the same spec and the same forecast.
 *
 * A spec holds parameters only, never fitted state: the forecast re-runs the smoothing over the
 * history it is given. So a spec chosen on data up to a holdout is also the spec to store and to
 * forecast with later, on a longer history, and stored specs stay small (a few numbers per series).
 *
 * The model implementations are the baseline's (./forecasting): one Holt-Winters, one Croston-SBA.
 */
import { maseScale } from './forecast-metrics';
import {
  averageDemandInterval,
  crostonSba,
  FORECAST_SETTINGS,
  flatForecast,
  holtWinters,
  mean,
  rootMeanSquare,
  sanitiseUnits,
  seasonalExponentialSmoothing,
  simpleMean,
  wholeDays,
  type DailySales,
  type DemandForecast,
  type Forecaster,
  type SeriesKey,
} from './forecasting';

/**
 * One series' model: a family and its constants. Plain JSON (stored per series as the model
 * version's parameters); read stored ones back with `parseSeriesModelSpec`.
 *
 * - `holt-winters`: additive Holt-Winters with weekly seasonality (./forecasting `holtWinters`);
 *   `trend: false` drops the trend term (beta and phi are then ignored), `trend: true` is a damped
 *   trend with damping `phi`.
 * - `croston-sba`: Croston's method with the Syntetos-Boylan correction, for intermittent series;
 *   flat forecast (1 − alpha/2) · size / interval.
 * - `seasonal-naive`: each day repeats the same weekday of the last week of history.
 * - `simple-mean`: the mean of the last `windowDays` days (of the whole history without it), flat.
 *   The fallback for short or empty series: reproducible, and it follows a new SKU's first sales.
 */
export type SeriesModelSpec = HoltWintersSpec | CrostonSbaSpec | SeasonalNaiveSpec | SimpleMeanSpec;

export interface HoltWintersSpec {
  family: 'holt-winters';
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  trend: boolean;
}
export interface CrostonSbaSpec {
  family: 'croston-sba';
  alpha: number;
}
export interface SeasonalNaiveSpec {
  family: 'seasonal-naive';
}
export interface SimpleMeanSpec {
  family: 'simple-mean';
  windowDays?: number;
}

export type ModelFamily = SeriesModelSpec['family'];

export const MODEL_FAMILIES: readonly ModelFamily[] = ['holt-winters', 'croston-sba', 'seasonal-naive', 'simple-mean'];

/**
 * Fit settings.
 * - validationDays: the tail each candidate is scored on (fit on everything before it).
 * - minTrainingDays: the least history before the validation tail that a candidate is fitted on
 *   (the baseline's minHistoryDays: two weeks to separate level and weekly shape). A shorter
 *   series gets the fallback without a fit.
 * - fallbackWindowDays: window of the `simple-mean` fallback.
 * - restrictIntermittent: a series whose ADI (whole history) is above
 *   FORECAST_SETTINGS.intermittentAdi (1.32) is fitted with the Croston-SBA candidates only.
 */
export const FIT_DEFAULTS = {
  validationDays: 28,
  minTrainingDays: FORECAST_SETTINGS.minHistoryDays,
  fallbackWindowDays: 28,
  restrictIntermittent: true,
} as const;

/** The fallback spec: the mean of the last `fallbackWindowDays` days. */
export const FALLBACK_SPEC: SeriesModelSpec = Object.freeze({ family: 'simple-mean', windowDays: FIT_DEFAULTS.fallbackWindowDays });

/**
 * The default candidates, simplest first (a tie on validation error goes to the earlier one):
 * simple mean (28 days), seasonal naive, Croston-SBA alpha {0.05, 0.1, 0.2}, Holt-Winters without
 * trend alpha {0.1, 0.2, 0.4} × gamma {0.05, 0.15, 0.3}, then the same with a damped trend
 * (beta 0.1, phi 0.98 as the baseline). 23 candidates, each one linear pass over the history.
 * Frozen, as FALLBACK_SPEC: `fitSeries` returns these objects themselves (copy before changing one).
 */
export const DEFAULT_CANDIDATES: readonly SeriesModelSpec[] = Object.freeze(buildDefaultCandidates().map((spec) => Object.freeze(spec)));

function buildDefaultCandidates(): SeriesModelSpec[] {
  const specs: SeriesModelSpec[] = [FALLBACK_SPEC, { family: 'seasonal-naive' }];
  for (const alpha of [0.05, 0.1, 0.2]) specs.push({ family: 'croston-sba', alpha });
  for (const trend of [false, true]) {
    for (const alpha of [0.1, 0.2, 0.4]) {
      for (const gamma of [0.05, 0.15, 0.3]) {
        specs.push({ family: 'holt-winters', alpha, beta: FORECAST_SETTINGS.beta, gamma, phi: FORECAST_SETTINGS.phi, trend });
      }
    }
  }
  return specs;
}

/**
 * Seasonal naive: day n+h repeats day n+h−7·⌈h/7⌉ (the same weekday in the last week of history).
 * Spread: RMSE of y_t − y_{t−7}. With no horizon, meanDaily is the mean of the last week.
 * Expects sanitised units, at least one week of them.
 */
function seasonalNaive(units: readonly number[], horizonDays: number): DemandForecast {
  const m = FORECAST_SETTINGS.period;
  const n = units.length;
  const errors: number[] = [];
  for (let t = m; t < n; t++) errors.push(units[t]! - units[t - m]!);
  const dailyMeans: number[] = [];
  for (let h = 1; h <= horizonDays; h++) dailyMeans.push(units[n - m + ((h - 1) % m)]!);
  return {
    meanDaily: horizonDays > 0 ? mean(dailyMeans) : mean(units.slice(n - m)),
    stdDaily: rootMeanSquare(errors),
    horizonDays,
    dailyMeans,
    method: 'seasonal-naive',
  };
}

/** Expects sanitised units and a whole-day horizon. */
function forecastSanitised(spec: SeriesModelSpec, units: readonly number[], horizon: number): DemandForecast {
  if (spec.family === 'simple-mean') {
    const window = spec.windowDays;
    return simpleMean(window !== undefined && window < units.length ? units.slice(units.length - window) : units, horizon);
  }
  // The baseline's guards, for every other family: too short to fit, or nothing sold.
  if (units.length < FORECAST_SETTINGS.minHistoryDays) return simpleMean(units, horizon);
  if (averageDemandInterval(units) === null) return flatForecast(0, 0, horizon, 'all-zero');
  switch (spec.family) {
    case 'holt-winters':
      return holtWinters(units, horizon, spec);
    case 'croston-sba':
      return crostonSba(units, horizon, spec.alpha);
    case 'seasonal-naive':
      return seasonalNaive(units, horizon);
  }
}

/**
 * The forecast of one series with the given spec. Negative or non-finite units count as 0; the
 * horizon is floored to whole days. As the baseline: under `FORECAST_SETTINGS.minHistoryDays` days
 * of history every family but `simple-mean` gives the plain mean (`simple-mean` / `no-history`), and
 * a history without any sale gives zero (`all-zero`). `method` names the model that produced it.
 */
export function forecastWithSpec(spec: SeriesModelSpec, units: readonly number[], horizonDays: number): DemandForecast {
  return forecastSanitised(spec, sanitiseUnits(units), wholeDays(horizonDays));
}

export interface FitOptions {
  /** Days at the end scored as validation (default 28). */
  validationDays?: number;
  /** Candidates in order of preference on a tie (default DEFAULT_CANDIDATES). */
  candidates?: readonly SeriesModelSpec[];
  /** Croston-SBA only for intermittent series (default true; ignored when no Croston candidate is given). */
  restrictIntermittent?: boolean;
  /** Selection error on the validation tail: mean absolute (default) or root mean square. See `fitSeries`. */
  criterion?: 'mae' | 'rmse';
}

export interface SeriesFit {
  spec: SeriesModelSpec;
  /**
   * The chosen spec's error (MAE, or RMSE with `criterion: 'rmse'`) on the validation tail when
   * forecast from the history before it; null when the series was too short to validate.
   */
  validationError: number | null;
  /** Candidates fitted and scored (0 for the fallback). */
  candidatesTried: number;
  /**
   * How the spec was chosen: `validation` (lowest error), `short-history` (fewer than
   * minTrainingDays + validationDays days: the fallback, unscored), `no-demand` (no sale before the
   * validation tail, where every candidate forecasts 0: the fallback, scored).
   */
  basis: 'validation' | 'short-history' | 'no-demand';
  /** Average inter-demand interval over the whole history (null: no sale at all). */
  adi: number | null;
}

/** Slack under which two validation errors count as a tie (floating-point noise): 1e-9, relative above 1. */
const TIE_TOLERANCE = 1e-9;

function validationScore(actual: readonly number[], forecast: readonly number[], criterion: 'mae' | 'rmse'): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i]! - forecast[i]!;
    sum += criterion === 'mae' ? Math.abs(e) : e * e;
  }
  const meanError = sum / actual.length;
  return criterion === 'mae' ? meanError : Math.sqrt(meanError);
}

/**
 * Fits one series: each candidate forecasts the last `validationDays` days from the history before
 * them, and the one with the lowest error wins; a tie (within 1e-9, relative above 1) goes to the earlier
 * candidate, so simpler models win ties with the default order. Intermittent series (ADI over
 * 1.32) try the Croston-SBA candidates only. Series shorter than minTrainingDays + validationDays,
 * and series without a sale before the tail, get FALLBACK_SPEC.
 *
 * MAE is the brief's criterion and matches the WAPE gate, but on intermittent series it prefers
 * lower forecasts (the median of a mostly-zero day is 0): among Croston candidates it picks the
 * largest alpha, whose SBA correction is the largest. `criterion: 'rmse'` prefers the mean instead.
 */
export function fitSeries(units: readonly number[], opts: FitOptions = {}): SeriesFit {
  const y = sanitiseUnits(units);
  const validationDays = Math.max(1, wholeDays(opts.validationDays ?? FIT_DEFAULTS.validationDays));
  const criterion = opts.criterion ?? 'mae';
  const adi = averageDemandInterval(y);
  const n = y.length;
  if (n < FIT_DEFAULTS.minTrainingDays + validationDays) {
    return { spec: FALLBACK_SPEC, validationError: null, candidatesTried: 0, basis: 'short-history', adi };
  }
  const training = y.slice(0, n - validationDays);
  const tail = y.slice(n - validationDays);
  if (averageDemandInterval(training) === null) {
    const zeros = new Array<number>(validationDays).fill(0);
    return { spec: FALLBACK_SPEC, validationError: validationScore(tail, zeros, criterion), candidatesTried: 0, basis: 'no-demand', adi };
  }

  let candidates = opts.candidates ?? DEFAULT_CANDIDATES;
  if ((opts.restrictIntermittent ?? FIT_DEFAULTS.restrictIntermittent) && adi !== null && adi > FORECAST_SETTINGS.intermittentAdi) {
    const croston = candidates.filter((c) => c.family === 'croston-sba');
    if (croston.length > 0) candidates = croston;
  }
  if (candidates.length === 0) {
    return { spec: FALLBACK_SPEC, validationError: null, candidatesTried: 0, basis: 'short-history', adi };
  }

  let best: SeriesModelSpec = candidates[0]!;
  let bestError = Number.POSITIVE_INFINITY;
  for (const spec of candidates) {
    const error = validationScore(tail, forecastSanitised(spec, training, validationDays).dailyMeans, criterion);
    if (bestError === Number.POSITIVE_INFINITY || error < bestError - TIE_TOLERANCE * Math.max(1, bestError)) {
      best = spec;
      bestError = error;
    }
  }
  return { spec: best, validationError: bestError, candidatesTried: candidates.length, basis: 'validation', adi };
}

/**
 * A Forecaster that forecasts each series with its own spec: `lookup(series)` (e.g. the champion
 * version's specs for the batch being planned, loaded beforehand: the lookup is synchronous).
 * Series without a spec, and calls without a series, go to `fallback` (default: the baseline).
 */
export function createSpecForecaster(
  lookup: (series: SeriesKey) => SeriesModelSpec | undefined,
  fallback: Forecaster = seasonalExponentialSmoothing,
  name = 'per-series-specs',
): Forecaster {
  return {
    name,
    forecast(history: DailySales, horizonDays: number, series?: SeriesKey): DemandForecast {
      const spec = series ? lookup(series) : undefined;
      return spec ? forecastWithSpec(spec, history.units, horizonDays) : fallback.forecast(history, horizonDays, series);
    },
  };
}

/** A short label for a spec, for logs and summaries: `holt-winters(a=0.2,g=0.15,damped phi=0.98)`. */
export function describeSpec(spec: SeriesModelSpec): string {
  switch (spec.family) {
    case 'holt-winters':
      return `holt-winters(a=${spec.alpha},g=${spec.gamma}${spec.trend ? `,damped b=${spec.beta} phi=${spec.phi}` : ''})`;
    case 'croston-sba':
      return `croston-sba(a=${spec.alpha})`;
    case 'seasonal-naive':
      return 'seasonal-naive';
    case 'simple-mean':
      return spec.windowDays === undefined ? 'simple-mean' : `simple-mean(${spec.windowDays}d)`;
  }
}

function unitInterval(value: unknown, allowZero: boolean): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value <= 1 && (allowZero ? value >= 0 : value > 0);
}

/**
 * A spec read back from storage (untrusted JSON), or null when it is not a valid one: known
 * family; alpha and phi in (0, 1]; beta and gamma in [0, 1]; trend boolean; windowDays a whole
 * number ≥ 1 when present. Returns a fresh object with only the spec's own fields.
 */
export function parseSeriesModelSpec(value: unknown): SeriesModelSpec | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  switch (v.family) {
    case 'holt-winters':
      if (!unitInterval(v.alpha, false) || !unitInterval(v.beta, true) || !unitInterval(v.gamma, true) || !unitInterval(v.phi, false)) return null;
      if (typeof v.trend !== 'boolean') return null;
      return { family: 'holt-winters', alpha: v.alpha, beta: v.beta, gamma: v.gamma, phi: v.phi, trend: v.trend };
    case 'croston-sba':
      return unitInterval(v.alpha, false) ? { family: 'croston-sba', alpha: v.alpha } : null;
    case 'seasonal-naive':
      return { family: 'seasonal-naive' };
    case 'simple-mean':
      if (v.windowDays === undefined) return { family: 'simple-mean' };
      return typeof v.windowDays === 'number' && Number.isInteger(v.windowDays) && v.windowDays >= 1
        ? { family: 'simple-mean', windowDays: v.windowDays }
        : null;
    default:
      return null;
  }
}

export interface ScoredSeries {
  fit: SeriesFit;
  holdoutDays: number;
  holdoutUnits: number;
  challengerAbsError: number;
  challengerError: number;
  championAbsError: number;
  championError: number;
  /** maseScale of the training part, 0 when it has none. */
  naiveScale: number;
}

/**
 * One series of a retraining: fit the challenger on `training`, forecast `holdout` with it and with
 * the champion (its spec, or `fallback` when it has none for the series), and sum both errors.
 */
export function scoreSeries(
  series: { training: readonly number[]; holdout: readonly number[]; startDay: string; champion?: SeriesModelSpec },
  fallback: Forecaster = seasonalExponentialSmoothing,
): ScoredSeries {
  const { training, holdout, champion } = series;
  const h = holdout.length;
  const fit = fitSeries(training);
  const challenger = forecastWithSpec(fit.spec, training, h).dailyMeans;
  const current = champion
    ? forecastWithSpec(champion, training, h).dailyMeans
    : fallback.forecast({ startDay: series.startDay, units: [...training] }, h).dailyMeans;
  const out: ScoredSeries = {
    fit,
    holdoutDays: h,
    holdoutUnits: 0,
    challengerAbsError: 0,
    challengerError: 0,
    championAbsError: 0,
    championError: 0,
    naiveScale: maseScale(training) ?? 0,
  };
  holdout.forEach((a, d) => {
    out.holdoutUnits += a;
    out.challengerAbsError += Math.abs(a - challenger[d]!);
    out.challengerError += challenger[d]! - a;
    out.championAbsError += Math.abs(a - current[d]!);
    out.championError += current[d]! - a;
  });
  return out;
}
