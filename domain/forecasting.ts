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

/**
 * Daily unit sales, one entry per consecutive day starting at `startDay` (the series' first day:
 * days before it, and after the data ends, are not in the array at all). NaN is a censored day (a
 * stock-out: demand was at least what sold, unknown): every model skips it, never reads it as 0.
 */
export interface DailySales {
  startDay: string; // yyyy-mm-dd, the day of units[0]
  units: number[]; // one per consecutive day; NaN = censored (skipped); negative or infinite entries count as 0
}

/**
 * The discrete distribution of one day's demand a count model (slow movers) forecasts: Poisson, or
 * negative binomial with the given index of dispersion d = variance / mean (> 1). With d fixed, a
 * sum of days is again of the same kind (NB with size μ/(d − 1), success probability 1/d), so
 * lead-time demand of mean μ is Poisson(μ) or NB(μ/(d − 1), 1/d).
 */
export type CountDistribution = { family: 'poisson' } | { family: 'negative-binomial'; dispersion: number };

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
  /** Slow movers' count models only: the distribution of a day's demand (see CountDistribution). */
  distribution?: CountDistribution;
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

/** Negative or infinite entries count as 0; NaN (a censored day) stays NaN. */
export function sanitiseUnits(units: readonly number[]): number[] {
  return units.map((u) => (Number.isNaN(u) ? NaN : Number.isFinite(u) && u > 0 ? u : 0));
}

/** How many entries are real days (not NaN). */
export function realDayCount(values: readonly number[]): number {
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) n += 1;
  return n;
}

/** The smoothed level's own standard error for smoothing constant alpha and one-step error sigma: var ≈ α/(2−α)·σ². */
export function smoothedLevelStd(alpha: number, sigma: number): number {
  return alpha > 0 && alpha < 2 ? Math.sqrt(alpha / (2 - alpha)) * sigma : sigma;
}

/** A horizon in whole days: floored, never negative, 0 for non-finite. */
export function wholeDays(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 0;
}

/** Mean of the real (non-NaN) entries; 0 when there are none. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n += 1;
  }
  return n === 0 ? 0 : sum / n;
}

/** Root mean square of the real (non-NaN) entries; 0 when there are none. */
export function rootMeanSquare(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v * v;
    n += 1;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** The same expected units (never negative) on every day of the horizon. */
export function flatForecast(level: number, stdDaily: number, horizonDays: number, method: string, levelStdDaily?: number): DemandForecast {
  const m = Math.max(0, level);
  const f: DemandForecast = {
    meanDaily: m,
    stdDaily: Math.max(0, stdDaily),
    horizonDays,
    dailyMeans: Array.from({ length: horizonDays }, () => m),
    method,
  };
  if (levelStdDaily !== undefined) f.levelStdDaily = Math.max(0, levelStdDaily);
  return f;
}

/**
 * Short history: the plain mean of the real days; spread is their sample standard deviation
 * (Poisson sqrt(mean) for one day), the level's standard error that over sqrt(real days).
 */
export function simpleMean(units: readonly number[], horizonDays: number): DemandForecast {
  const n = realDayCount(units);
  if (n === 0) return flatForecast(0, 0, horizonDays, 'no-history', 0);
  const m = mean(units);
  if (n === 1) return flatForecast(m, Math.sqrt(m), horizonDays, 'simple-mean', Math.sqrt(m));
  let ss = 0;
  for (const u of units) if (!Number.isNaN(u)) ss += (u - m) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return flatForecast(m, sd, horizonDays, 'simple-mean', sd / Math.sqrt(n));
}

/**
 * Croston's method with the Syntetos-Boylan approximation: smooth the size of non-zero sales and
 * the interval between them separately; forecast (1 - alpha/2) * size / interval per day (flat).
 * Size and interval start at their averages over the whole history (not at the first sale, which
 * with a slow smoothing constant would bias a short series towards its first interval).
 * Censored days (NaN) are skipped: they count neither as a day of the interval nor as a sale.
 * Level error: α/(2−α) of the one-step error variance (the smoothed size's, as for SES).
 * Expects at least one sale (a series without any gives NaN; callers send those to `all-zero`).
 */
export function crostonSba(units: readonly number[], horizonDays: number, alpha: number = FORECAST_SETTINGS.crostonAlpha): DemandForecast {
  const a = alpha;
  const correction = 1 - a / 2;
  let sizeSum = 0;
  let sales = 0;
  let realDays = 0;
  let realDaysToLastSale = 0;
  for (const u of units) {
    if (Number.isNaN(u)) continue;
    realDays += 1;
    if (u > 0) {
      sizeSum += u;
      sales += 1;
      realDaysToLastSale = realDays;
    }
  }
  let size = sizeSum / sales;
  let interval = realDaysToLastSale / sales;
  let sinceLast = 0;
  let ss = 0;
  for (const y of units) {
    if (Number.isNaN(y)) continue;
    sinceLast += 1;
    const e = y - (correction * size) / interval;
    ss += e * e;
    if (y > 0) {
      size += a * (y - size);
      interval += a * (sinceLast - interval);
      sinceLast = 0;
    }
  }
  const sigma = realDays > 0 ? Math.sqrt(ss / realDays) : 0;
  return flatForecast((correction * size) / interval, sigma, horizonDays, 'croston-sba', smoothedLevelStd(a, sigma));
}

/**
 * Slow movers (well under a unit a day): a count model. The daily rate is the exponentially
 * smoothed mean of the real days (smoothing `alpha`, starting at the history's mean), flat; a day's
 * demand is Poisson with that rate, or negative binomial when the history is over-dispersed (its
 * variance / mean above 1.05), keeping the history's index of dispersion d: variance = rate · d.
 * The level's error is α/(2−α) of that daily variance (SES). Censored days are skipped.
 */
export function slowMoverCounts(units: readonly number[], horizonDays: number, alpha: number): DemandForecast {
  const n = realDayCount(units);
  if (n === 0) return flatForecast(0, 0, horizonDays, 'no-history', 0);
  const m = mean(units);
  let ss = 0;
  for (const u of units) if (!Number.isNaN(u)) ss += (u - m) ** 2;
  const variance = n > 1 ? ss / (n - 1) : m;
  const dispersion = m > 0 && variance > 1.05 * m ? variance / m : 1;
  let level = m;
  for (const y of units) if (!Number.isNaN(y)) level += alpha * (y - level);
  const dailyVariance = level * dispersion;
  const f = flatForecast(
    level,
    Math.sqrt(dailyVariance),
    horizonDays,
    dispersion > 1 ? 'slow-mover-negative-binomial' : 'slow-mover-poisson',
    smoothedLevelStd(alpha, Math.sqrt(dailyVariance)),
  );
  f.distribution = dispersion > 1 ? { family: 'negative-binomial', dispersion } : { family: 'poisson' };
  return f;
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

/** Holt-Winters state after a pass over the history, with the one-step errors' sum of squares. */
interface HoltWintersPass {
  level: number;
  trend: number;
  season: number[];
  /** Σ e² of the (clamped) one-step errors after the first week, real days only. */
  sse: number;
  /** Real days in `sse`. */
  errorDays: number;
}

/** Holt-Winters' state before the first day: it depends on the history and on whether there is a trend, not on the constants. */
interface HoltWintersStart {
  level: number;
  trend: number;
  season: readonly number[];
}

/** Initial state from the complete weeks (see `holtWinters`). */
function holtWintersStart(units: readonly number[], withTrend: boolean): HoltWintersStart {
  const m = FORECAST_SETTINGS.period;
  const weeks = Math.floor(units.length / m);
  const weekMeans: number[] = [];
  for (let k = 0; k < weeks; k++) {
    let sum = 0;
    let n = 0;
    for (let j = k * m; j < (k + 1) * m; j++) {
      const u = units[j]!;
      if (Number.isNaN(u)) continue;
      sum += u;
      n += 1;
    }
    // A week without a real day takes the previous week's mean (the next one's for the first).
    weekMeans.push(n > 0 ? sum / n : NaN);
  }
  for (let k = 1; k < weeks; k++) if (Number.isNaN(weekMeans[k]!)) weekMeans[k] = weekMeans[k - 1]!;
  for (let k = weeks - 2; k >= 0; k--) if (Number.isNaN(weekMeans[k]!)) weekMeans[k] = weekMeans[k + 1]!;
  for (let k = 0; k < weeks; k++) if (Number.isNaN(weekMeans[k]!)) weekMeans[k] = 0;
  const dayTrend = withTrend ? slope(weekMeans) / m : 0;
  const centre = (m - 1) / 2;

  const season: number[] = new Array<number>(m);
  for (let j = 0; j < m; j++) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < weeks; k++) {
      const u = units[k * m + j]!;
      if (Number.isNaN(u)) continue;
      sum += u - (weekMeans[k]! + dayTrend * (j - centre));
      n += 1;
    }
    season[j] = n > 0 ? sum / n : 0;
  }
  let seasonMean = 0;
  for (let j = 0; j < m; j++) seasonMean += season[j]!;
  seasonMean /= m;
  for (let j = 0; j < m; j++) season[j] = season[j]! - seasonMean;
  return { level: (weekMeans[0] ?? 0) - dayTrend * (centre + 1), trend: dayTrend, season };
}

/**
 * One pass of the recursion from the initial state (holtWintersStart, computed here unless given).
 * A censored day (NaN) has no error and moves nothing but time: the level follows its prediction
 * and the weekly index stays.
 */
function holtWintersPass(units: readonly number[], p: SeasonalSmoothingParams, start: HoltWintersStart = holtWintersStart(units, p.trend)): HoltWintersPass {
  const m = FORECAST_SETTINGS.period;
  const phi = p.trend ? p.phi : 0;
  const beta = p.trend ? p.beta : 0;
  let level = start.level;
  let trend = start.trend;
  const season = [...start.season];
  let sse = 0;
  let errorDays = 0;
  const { alpha, gamma } = p;
  for (let t = 0; t < units.length; t++) {
    const y = units[t]!;
    const j = t % m;
    const s = season[j]!;
    const previousLevel = level;
    if (Number.isNaN(y)) {
      level = previousLevel + phi * trend;
      trend = phi * trend;
      continue;
    }
    if (t >= m) {
      const oneStep = previousLevel + phi * trend + s;
      const e = y - (oneStep > 0 ? oneStep : 0);
      sse += e * e;
      errorDays += 1;
    }
    level = alpha * (y - s) + (1 - alpha) * (previousLevel + phi * trend);
    trend = beta * (level - previousLevel) + (1 - beta) * phi * trend;
    season[j] = gamma * (y - level) + (1 - gamma) * s;
  }
  return { level, trend, season, sse, errorDays };
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
 * spread is the RMSE of the (clamped) one-step-ahead errors after a one-week warm-up; the level's
 * error α/(2−α) of their variance. Censored days (NaN) are skipped (see holtWintersPass).
 * Expects at least one complete week of history (callers require `minHistoryDays`).
 */
export function holtWinters(units: readonly number[], horizonDays: number, p: SeasonalSmoothingParams): DemandForecast {
  const m = FORECAST_SETTINGS.period;
  const phi = p.trend ? p.phi : 0;
  const { level, trend, season, sse, errorDays } = holtWintersPass(units, p);
  const n = units.length;
  const dailyMeans: number[] = [];
  let damped = 0;
  for (let h = 1; h <= horizonDays; h++) {
    damped += phi ** h;
    dailyMeans.push(Math.max(0, level + damped * trend + season[(n + h - 1) % m]!));
  }
  const sigma = errorDays > 0 ? Math.sqrt(sse / errorDays) : 0;
  return {
    meanDaily: horizonDays > 0 ? mean(dailyMeans) : Math.max(0, level),
    stdDaily: sigma,
    levelStdDaily: smoothedLevelStd(p.alpha, sigma),
    horizonDays,
    dailyMeans,
    method: p.trend ? 'holt-winters-additive-damped' : 'holt-winters-additive',
  };
}

/** Bounds of fitted Holt-Winters constants. */
const HW_BOUNDS = { alpha: [0.01, 0.9], beta: [0.005, 0.3], gamma: [0, 0.5], phi: [0.8, 0.98] } as const;
type HwKey = keyof typeof HW_BOUNDS;

/**
 * Holt-Winters constants fitted to one series: the lowest in-sample one-step SSE (real days after
 * the first week). A coarse grid (alpha × gamma, with and without a damped trend: 12 passes), then
 * a local pattern search from the best point (each constant ± a step, the step halved when nothing
 * improves; at most `maxPasses` passes in all). Constants rounded to 4 decimals, so the same
 * history always gives the same, JSON-stable constants. Cheap enough for 10,000 series a run: each
 * pass is one linear scan. Expects at least two weeks of history.
 */
export function fitHoltWinters(units: readonly number[], maxPasses = 32): SeasonalSmoothingParams {
  let passes = 0;
  const starts = [holtWintersStart(units, false), holtWintersStart(units, true)] as const;
  const sseOf = (p: SeasonalSmoothingParams): number => {
    passes += 1;
    const r = holtWintersPass(units, p, starts[p.trend ? 1 : 0]);
    return r.errorDays > 0 ? r.sse : 0;
  };
  let best: SeasonalSmoothingParams = { alpha: 0.2, beta: 0.05, gamma: 0.1, phi: 0.95, trend: false };
  let bestSse = Number.POSITIVE_INFINITY;
  for (const trend of [false, true]) {
    for (const alpha of [0.05, 0.2, 0.5]) {
      for (const gamma of [0.05, 0.2]) {
        const p = { alpha, beta: 0.05, gamma, phi: 0.95, trend };
        const e = sseOf(p);
        if (bestSse === Number.POSITIVE_INFINITY || e < bestSse - 1e-9 * Math.max(1, bestSse)) {
          best = p;
          bestSse = e;
        }
      }
    }
  }
  const keys: HwKey[] = best.trend ? ['alpha', 'gamma', 'beta', 'phi'] : ['alpha', 'gamma'];
  const step: Record<HwKey, number> = { alpha: 0.08, gamma: 0.05, beta: 0.03, phi: 0.04 };
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  while (passes < maxPasses) {
    let improved = false;
    for (const k of keys) {
      for (const dir of [1, -1]) {
        if (passes >= maxPasses) break;
        const [lo, hi] = HW_BOUNDS[k];
        const value = round(Math.min(hi, Math.max(lo, best[k] + dir * step[k])));
        if (value === best[k]) continue;
        const p = { ...best, [k]: value };
        const e = sseOf(p);
        if (e < bestSse - 1e-9 * Math.max(1, bestSse)) {
          best = p;
          bestSse = e;
          improved = true;
        }
      }
    }
    if (improved) continue;
    if (keys.every((k) => step[k] <= 0.005)) break;
    for (const k of keys) step[k] /= 2;
  }
  return { alpha: round(best.alpha), beta: round(best.beta), gamma: round(best.gamma), phi: round(best.phi), trend: best.trend };
}

/**
 * Average inter-demand interval (ADI): real days of history (censored ones left out) per day with
 * a sale; null with no sale at all. Above `FORECAST_SETTINGS.intermittentAdi` a series counts as
 * intermittent.
 */
export function averageDemandInterval(units: readonly number[]): number | null {
  let demandDays = 0;
  let realDays = 0;
  for (const u of units) {
    if (Number.isNaN(u)) continue;
    realDays += 1;
    if (u > 0) demandDays += 1;
  }
  return demandDays === 0 ? null : realDays / demandDays;
}

/**
 * Syntetos-Boylan demand classification from real days only (censored days left out): ADI (see
 * averageDemandInterval) and CV² of the non-zero sales sizes (variance / mean², 0 with one sale);
 * `meanDaily` is the mean over real days. Null ADI / CV² without a sale.
 */
export function demandClassification(units: readonly number[]): { adi: number | null; cv2: number | null; meanDaily: number; realDays: number } {
  let realDays = 0;
  let total = 0;
  let sales = 0;
  let sumSq = 0;
  for (const u of units) {
    if (Number.isNaN(u)) continue;
    realDays += 1;
    total += u;
    if (u > 0) {
      sales += 1;
      sumSq += u * u;
    }
  }
  if (sales === 0) return { adi: null, cv2: null, meanDaily: 0, realDays };
  const size = total / sales;
  const variance = sales > 1 ? (sumSq - sales * size * size) / (sales - 1) : 0;
  return { adi: realDays / sales, cv2: Math.max(0, variance) / (size * size), meanDaily: total / realDays, realDays };
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
      if (adi === null) return flatForecast(0, 0, horizon, 'all-zero', 0);
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
