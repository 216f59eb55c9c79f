/**
 * Yearly (holiday) seasonality at category level: a multiplicative profile by week of the year,
 * estimated from a category's daily unit totals (all its series), applied to each of its series.
 * Pure: no I/O, no clock.
 *
 * A single SKU in a single store is far too noisy to show its own holiday curve, but the sum over a
 * category is not; the series of a category share it. The profile needs more than a year of
 * history (YEARLY_SETTINGS.minDays): the weeks a forecast looks into must have been seen a year
 * before. Below that there is no profile and forecasts stay as they are.
 */

export const YEARLY_SETTINGS = {
  /** A year and four weeks: the four weeks after the history were seen a year before it. */
  minDays: 393,
  /** Weeks of the year in a profile (week w = days of the year 7w .. 7w + 6; week 52 is 1-2 days). */
  weeks: 53,
  /** Centred moving averages applied in turn to the daily totals: the weekly shape out, then noise. */
  smoothingDays: [7, 15],
  /** Window of the centred moving average the smoothed totals are divided by (the level and trend). */
  levelDays: 365,
} as const;

const DAY_MS = 86_400_000;

/** Day of the year, 0-based (Jan 1 = 0), of yyyy-mm-dd plus `plusDays`. */
export function dayOfYear(day: string, plusDays = 0): number {
  const t = Date.parse(`${day}T00:00:00Z`) + plusDays * DAY_MS;
  const year = new Date(t).getUTCFullYear();
  return Math.floor((t - Date.UTC(year, 0, 1)) / DAY_MS);
}

/** Centred moving average over `window` days (shorter at the edges: what is there). */
function centredMean(values: readonly number[], window: number): number[] {
  const half = Math.floor(window / 2);
  const n = values.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + values[i]!;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    out[i] = (prefix[hi]! - prefix[lo]!) / (hi - lo);
  }
  return out;
}

/**
 * A category's yearly profile from its daily totals (`totals[0]` on `startDay`; NaN: a day not
 * known, taken as the mean of its neighbours' smoothing), or null with fewer than minDays days or
 * no sales. Totals are smoothed (7-day then 15-day centred means), divided by their 365-day
 * centred mean (the level and trend; at the ends the nearest full-year mean), and averaged per week
 * of the year; weeks never seen are 1. Rounded to 3 decimals (stored with each series' spec).
 */
export function categoryYearlyProfile(startDay: string, totals: readonly number[]): number[] | null {
  const n = totals.length;
  if (n < YEARLY_SETTINGS.minDays) return null;
  let sum = 0;
  let known = 0;
  for (const v of totals) {
    if (Number.isFinite(v)) {
      sum += v;
      known += 1;
    }
  }
  if (known === 0 || sum <= 0) return null;
  const fill = sum / known;
  let smooth = totals.map((v) => (Number.isFinite(v) ? Math.max(0, v) : fill));
  for (const w of YEARLY_SETTINGS.smoothingDays) smooth = centredMean(smooth, w);
  const half = Math.floor(YEARLY_SETTINGS.levelDays / 2);
  const yearMean = centredMean(smooth, YEARLY_SETTINGS.levelDays);
  const weekSum = new Array<number>(YEARLY_SETTINGS.weeks).fill(0);
  const weekDays = new Array<number>(YEARLY_SETTINGS.weeks).fill(0);
  for (let t = 0; t < n; t++) {
    const at = Math.min(Math.max(t, half), n - 1 - half);
    const level = yearMean[at]!;
    if (!(level > 0)) continue;
    const w = Math.min(YEARLY_SETTINGS.weeks - 1, Math.floor(dayOfYear(startDay, t) / 7));
    weekSum[w] = weekSum[w]! + smooth[t]! / level;
    weekDays[w] = weekDays[w]! + 1;
  }
  return weekSum.map((s, w) => (weekDays[w]! > 0 ? Math.max(0.05, Math.round((s / weekDays[w]!) * 1000) / 1000) : 1));
}

/**
 * The profile's factor for one day: linear between the centres of the weeks of the year (day 7w + 3),
 * wrapping from the last week of the year to the first.
 */
export function yearlyFactor(profile: readonly number[], day: string, plusDays = 0): number {
  const weeks = profile.length;
  const x = (dayOfYear(day, plusDays) - 3) / 7;
  const w0 = Math.floor(x);
  const frac = x - w0;
  const a = profile[((w0 % weeks) + weeks) % weeks]!;
  const b = profile[(((w0 + 1) % weeks) + weeks) % weeks]!;
  return a + (b - a) * frac;
}

/**
 * The profile's factors for `count` consecutive days from `from` days after `startDay` (as
 * yearlyFactor, one date computation for all of them).
 */
export function yearlyFactors(profile: readonly number[], startDay: string, from: number, count: number): number[] {
  const out = new Array<number>(count);
  if (count <= 0) return out;
  const t = Date.parse(`${startDay}T00:00:00Z`) + from * DAY_MS;
  let year = new Date(t).getUTCFullYear();
  let doy = Math.floor((t - Date.UTC(year, 0, 1)) / DAY_MS);
  let yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
  const weeks = profile.length;
  for (let i = 0; i < count; i++) {
    const x = (doy - 3) / 7;
    const w0 = Math.floor(x);
    const a = profile[((w0 % weeks) + weeks) % weeks]!;
    const b = profile[(((w0 + 1) % weeks) + weeks) % weeks]!;
    out[i] = a + (b - a) * (x - w0);
    doy += 1;
    if (doy >= yearDays) {
      doy = 0;
      year += 1;
      yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
    }
  }
  return out;
}

/** A category's daily unit totals over all its series: `totals[0]` on `startDay`. */
export interface CategoryTotals {
  startDay: string;
  totals: readonly number[];
}

const profileCache = new WeakMap<CategoryTotals, Map<number, number[] | null>>();

/**
 * The category's profile from its totals before `day` (yyyy-mm-dd) only: what was known on that
 * day, so a holdout starting then is judged without its own data. Memoised per totals and day.
 */
export function profileBefore(category: CategoryTotals, day: string): number[] | null {
  const end = Math.min(category.totals.length, Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${category.startDay}T00:00:00Z`)) / DAY_MS));
  let cache = profileCache.get(category);
  if (!cache) profileCache.set(category, (cache = new Map()));
  if (!cache.has(end)) cache.set(end, end > 0 ? categoryYearlyProfile(category.startDay, category.totals.slice(0, end)) : null);
  return cache.get(end)!;
}

/** yyyy-mm-dd `days` after `day`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether a value is a stored profile: YEARLY_SETTINGS.weeks positive finite numbers. */
export function isYearlyProfile(value: unknown): value is number[] {
  return Array.isArray(value) && value.length === YEARLY_SETTINGS.weeks && value.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
}
