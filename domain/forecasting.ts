/**
 * Demand forecasting for replenishment: expected daily unit sales of one SKU in one store over the
 * next few days, and how far actual sales tend to stray from such a forecast.
 *
 * Pure: no I/O, no clock, no randomness (bundled into the Temporal workflow sandbox). The same
 * history always gives the same forecast.
 *
 * Replenishment depends on the `Forecaster` interface only, so the baseline here can be swapped
 * for the registry's champion model (see `createSpecForecaster` in ./demand-models, which forecasts
 * each series with the champion's fitted `SeriesModelSpec` and falls back to this baseline).
 *
 * The model internals (`holtWinters`, `crostonSba`, `simpleMean`, ...) are exported, parametrised,
 * for ./demand-models; they expect sanitised units (`sanitiseUnits`) and whole-day horizons
 * (`wholeDays`), as `createSeasonalExponentialSmoothing` passes them.
 */

/** Daily unit sales, one entry per consecutive day starting at `startDay`. */
export interface DailySales {
  startDay: string; // yyyy-mm-dd, the day of units[0]
  units: number[]; // one per consecutive day; negative or non-finite entries count as 0
}

export interface DemandForecast {
  /** Mean of `dailyMeans` (with no horizon: the deseasonalised current level). Never negative. */
  meanDaily: number;
  /** Spread of one day's actual sales around its forecast (RMSE of one-step-ahead errors). */
  stdDaily: number;
  /**
   * Standard error of the forecast level itself (units a day): how far the estimated mean may be
   * from the true one. Safety stock covers it on top of the daily spread; absent means unknown (0).
   */
  levelStdDaily?: number;
  horizonDays: number;
  /** Expected units for each of the `horizonDays` days after the last day of history. Never negative. */
  dailyMeans: number[];
  /** Which model produced it, e.g. `holt-winters-additive-damped`, `croston-sba`, `simple-mean`. */
  method: string;
}

/** Which series a history belongs to: one SKU in one store. */
export interface SeriesKey {
  storeId: string;
  sku: string;
}

export interface Forecaster {
  readonly name: string;
  /**
   * `series` (optional) names the store × SKU the history belongs to, for forecasters with
   * per-series models (the champion's fitted specs); forecasters with one model for every series
   * ignore it, and one called without it forecasts as for an unknown series.
   */
  forecast(history: DailySales, horizonDays: number, series?: SeriesKey): DemandForecast;
}

/**
 * The model constants, in one place.
 *
 * - period:        weekly seasonality on daily data.
 * - minHistoryDays: below two full weeks there is too little to separate level, trend and weekly
 *                  shape, so the forecast is the plain mean of the history (flat).
 * - alpha / beta / gamma: Holt-Winters smoothing of level, trend and weekly indices. Fixed rather
 *                  than fitted so the result is cheap (thousands of SKUs per store) and stable from
 *                  day to day; moderate values that suit noisy store-level retail sales.
 * - phi:           trend damping (Gardner-McKenzie). A trend is extrapolated with weights
 *                  phi + phi^2 + ... + phi^h, so it never adds more than phi / (1 - phi) = 49 days of
 *                  the current slope (about 12 days' worth over the next 14): a surge or a decline
 *                  is not projected forever. Damping applies in-sample too, so a steady linear
 *                  trend is estimated a little low (by design: replenishment errs towards
 *                  yesterday's rate rather than an extrapolated one).
 * - intermittentAdi: average inter-demand interval (days per day with a sale) above which a series
 *                  is intermittent (Syntetos-Boylan cut-off 1.32); those use Croston's method with
 *                  the Syntetos-Boylan bias correction, smoothing constant `crostonAlpha`.
 */
export const FORECAST_SETTINGS = {
  period: 7,
  minHistoryDays: 14,
  alpha: 0.2,
  beta: 0.1,
  gamma: 0.15,
  phi: 0.98,
  intermittentAdi: 1.32,
  crostonAlpha: 0.1,
} as const;

export interface SeasonalSmoothingParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** With false, level and weekly shape only (no trend term). */
  trend: boolean;
}

/** Negative or non-finite entries count as 0. */
export function sanitiseUnits(units: readonly number[]): number[] {
  return units.map((u) => (Number.isFinite(u) && u > 0 ? u : 0));
}

/** A horizon in whole days: floored, never negative, 0 for non-finite. */
export function wholeDays(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 0;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function rootMeanSquare(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / values.length);
}

/** The same expected units (never negative) on every day of the horizon. */
export function flatForecast(level: number, stdDaily: number, horizonDays: number, method: string): DemandForecast {
  const m = Math.max(0, level);
  return {
    meanDaily: m,
    stdDaily: Math.max(0, stdDaily),
    horizonDays,
    dailyMeans: Array.from({ length: horizonDays }, () => m),
    method,
  };
}

/** Short history: the plain mean; spread is the sample standard deviation (Poisson sqrt(mean) for one day). */
export function simpleMean(units: readonly number[], horizonDays: number): DemandForecast {
  if (units.length === 0) return flatForecast(0, 0, horizonDays, 'no-history');
  const m = mean(units);
  if (units.length === 1) return flatForecast(m, Math.sqrt(m), horizonDays, 'simple-mean');
  let ss = 0;
  for (const u of units) ss += (u - m) ** 2;
  return flatForecast(m, Math.sqrt(ss / (units.length - 1)), horizonDays, 'simple-mean');
}

/**
 * Croston's method with the Syntetos-Boylan approximation: smooth the size of non-zero sales and
 * the interval between them separately; forecast (1 - alpha/2) * size / interval per day (flat).
 * Size and interval start at their averages over the whole history (not at the first sale, which
 * with a slow smoothing constant would bias a short series towards its first interval).
 * Expects at least one sale (a series without any gives NaN; callers send those to `all-zero`).
 */
export function crostonSba(units: readonly number[], horizonDays: number, alpha: number = FORECAST_SETTINGS.crostonAlpha): DemandForecast {
  const a = alpha;
  const correction = 1 - a / 2;
  const sizes = units.filter((u) => u > 0);
  let lastSaleIndex = -1;
  units.forEach((u, i) => {
    if (u > 0) lastSaleIndex = i;
  });
  let size = mean(sizes);
  let interval = (lastSaleIndex + 1) / sizes.length;
  let sinceLast = 0;
  const errors: number[] = [];
  for (const y of units) {
    sinceLast += 1;
    errors.push(y - (correction * size) / interval);
    if (y > 0) {
      size += a * (y - size);
      interval += a * (sinceLast - interval);
      sinceLast = 0;
    }
  }
  return flatForecast((correction * size) / interval, rootMeanSquare(errors), horizonDays, 'croston-sba');
}

/** Least-squares slope of `ys` against 0, 1, 2, ... (0 for fewer than two points). */
function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const xBar = (n - 1) / 2;
  const yBar = mean(ys);
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - xBar) * (y - yBar);
    den += (x - xBar) ** 2;
  });
  return num / den;
}

/**
 * Additive Holt-Winters with an optional damped trend (error-correction form):
 *
 *   one-step forecast  ŷ_t = L_{t-1} + φ·b_{t-1} + s_{t-m}
 *   level              L_t = α·(y_t − s_{t-m}) + (1 − α)·(L_{t-1} + φ·b_{t-1})
 *   trend              b_t = β·(L_t − L_{t-1}) + (1 − β)·φ·b_{t-1}
 *   season             s_t = γ·(y_t − L_t) + (1 − γ)·s_{t-m}
 *   h days ahead       ŷ_{n+h} = L_n + (φ + … + φ^h)·b_n + s_{n+h-m⌈h/m⌉}
 *
 * Initial state from the complete weeks: trend = slope of the weekly means / m, weekly indices =
 * mean detrended deviation of each weekday from its week's mean (centred to sum 0), level = first
 * week's mean moved back to the day before the history starts. Forecasts are clamped at 0; the
 * spread is the RMSE of the (clamped) one-step-ahead errors after a one-week warm-up.
 * Expects at least one complete week of history (callers require `minHistoryDays`).
 */
export function holtWinters(units: readonly number[], horizonDays: number, p: SeasonalSmoothingParams): DemandForecast {
  const m = FORECAST_SETTINGS.period;
  const weeks = Math.floor(units.length / m);
  const weekMeans = Array.from({ length: weeks }, (_, k) => mean(units.slice(k * m, (k + 1) * m)));
  const phi = p.trend ? p.phi : 0;
  const beta = p.trend ? p.beta : 0;
  const dayTrend = p.trend ? slope(weekMeans) / m : 0;
  const centre = (m - 1) / 2;

  const season: number[] = Array.from({ length: m }, (_, j) => {
    let sum = 0;
    for (let k = 0; k < weeks; k++) sum += units[k * m + j]! - (weekMeans[k]! + dayTrend * (j - centre));
    return sum / weeks;
  });
  const seasonMean = mean(season);
  for (let j = 0; j < m; j++) season[j] = season[j]! - seasonMean;

  let level = weekMeans[0]! - dayTrend * (centre + 1);
  let trend = dayTrend;
  const errors: number[] = [];
  units.forEach((y, t) => {
    const s = season[t % m]!;
    const oneStep = level + phi * trend + s;
    if (t >= m) errors.push(y - Math.max(0, oneStep));
    const previousLevel = level;
    level = p.alpha * (y - s) + (1 - p.alpha) * (previousLevel + phi * trend);
    trend = beta * (level - previousLevel) + (1 - beta) * phi * trend;
    season[t % m] = p.gamma * (y - level) + (1 - p.gamma) * s;
  });

  const n = units.length;
  const dailyMeans: number[] = [];
  let damped = 0;
  for (let h = 1; h <= horizonDays; h++) {
    damped += phi ** h;
    dailyMeans.push(Math.max(0, level + damped * trend + season[(n + h - 1) % m]!));
  }
  return {
    meanDaily: horizonDays > 0 ? mean(dailyMeans) : Math.max(0, level),
    stdDaily: rootMeanSquare(errors),
    horizonDays,
    dailyMeans,
    method: p.trend ? 'holt-winters-additive-damped' : 'holt-winters-additive',
  };
}

/**
 * Average inter-demand interval (ADI): days of history per day with a sale; null with no sale at
 * all. Above `FORECAST_SETTINGS.intermittentAdi` a series counts as intermittent.
 */
export function averageDemandInterval(units: readonly number[]): number | null {
  let demandDays = 0;
  for (const u of units) if (u > 0) demandDays += 1;
  return demandDays === 0 ? null : units.length / demandDays;
}

/**
 * A seasonal exponential smoothing forecaster with the given constants (defaults: FORECAST_SETTINGS,
 * damped trend on). It picks, per series:
 * - fewer than `minHistoryDays` days: the simple mean;
 * - no sales at all: zero, with zero spread;
 * - intermittent sales (average inter-demand interval above `intermittentAdi`): Croston-SBA;
 * - otherwise additive Holt-Winters with weekly seasonality.
 */
export function createSeasonalExponentialSmoothing(params: Partial<SeasonalSmoothingParams> = {}): Forecaster {
  const p: SeasonalSmoothingParams = {
    alpha: FORECAST_SETTINGS.alpha,
    beta: FORECAST_SETTINGS.beta,
    gamma: FORECAST_SETTINGS.gamma,
    phi: FORECAST_SETTINGS.phi,
    trend: true,
    ...params,
  };
  return {
    name: 'seasonal-exponential-smoothing',
    forecast(history: DailySales, horizonDays: number): DemandForecast {
      const units = sanitiseUnits(history.units);
      const horizon = wholeDays(horizonDays);
      if (units.length < FORECAST_SETTINGS.minHistoryDays) return simpleMean(units, horizon);
      const adi = averageDemandInterval(units);
      if (adi === null) return flatForecast(0, 0, horizon, 'all-zero');
      if (adi > FORECAST_SETTINGS.intermittentAdi) return crostonSba(units, horizon);
      return holtWinters(units, horizon, p);
    },
  };
}

/** The baseline forecaster: weekly-seasonal, damped-trend exponential smoothing (see FORECAST_SETTINGS). */
export const seasonalExponentialSmoothing: Forecaster = createSeasonalExponentialSmoothing();

/**
 * Expected demand over the next `leadTimeDays` days and its spread.
 *
 * mean = sum of the daily means over the lead time (a fractional last day counts pro rata; days past
 * the forecast horizon repeat its last week, or use `meanDaily` if the horizon is under a week);
 * std = stdDaily * sqrt(leadTimeDays) (independent daily errors).
 */
export function forecastOverLeadTime(f: DemandForecast, leadTimeDays: number): { mean: number; std: number } {
  const lead = Number.isFinite(leadTimeDays) ? Math.max(0, leadTimeDays) : 0;
  const days = f.dailyMeans.length;
  const m = FORECAST_SETTINGS.period;
  const fallback = Number.isFinite(f.meanDaily) ? Math.max(0, f.meanDaily) : 0;
  const dayMean = (i: number): number => {
    let v: number | undefined;
    if (i < days) v = f.dailyMeans[i];
    else if (days >= m) v = f.dailyMeans[days - m + ((i - days) % m)];
    else v = fallback;
    return v !== undefined && Number.isFinite(v) ? Math.max(0, v) : 0;
  };
  const whole = Math.floor(lead);
  let total = 0;
  for (let i = 0; i < whole; i++) total += dayMean(i);
  total += (lead - whole) * dayMean(whole);
  const std = Number.isFinite(f.stdDaily) ? Math.max(0, f.stdDaily) * Math.sqrt(lead) : 0;
  return { mean: total, std };
}
