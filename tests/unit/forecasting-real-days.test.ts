import { readDayUnits } from '../../activities/model-retraining/sales-history';
import { fitSeries, forecastWithSpec, rollingOrigins, type SeriesModelSpec } from '../../domain/demand-models';
import { maseScale } from '../../domain/forecast-metrics';
import { demandClassification, fitHoltWinters, holtWinters, simpleMean, slowMoverCounts } from '../../domain/forecasting';
import { categoryYearlyProfile, profileBefore, yearlyFactor, type CategoryTotals } from '../../domain/seasonality';

const days = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const WEEK = [5, 6, 7, 8, 10, 20, 15];

describe('histories hold only the days that exist', () => {
  test.each<[string, string, number, number[]]>([
    ['a series starting mid-window: offsets before its first day are dropped, no zeros before it', '3:2,5:4,4:x', 3, [2, NaN, 4, 0]],
    ['a stock-out day is NaN, not 0', '0:1,1:x,2:3', 0, [1, NaN, 3, 0]],
  ])('%s', (_name, text, first, expected) => {
    const units = new Array<number>(4).fill(0);
    readDayUnits(text, units, first);
    expect(units).toEqual(expected);
  });

  test('a censored day is skipped, not read as zero: the mean of 4, NaN, 4 is 4', () => {
    expect(simpleMean([4, NaN, 4], 1).meanDaily).toBe(4);
  });

  test.each<[string, number[], number | null, number | null]>([
    ['sales every other real day, censored days left out', [2, 0, NaN, 2, 0, NaN], 2, 0],
    ['sizes 1 and 3: CV² = var / mean² = 2 / 4', [1, 0, 3, 0], 2, 0.5],
    ['no sale', [0, NaN, 0], null, null],
  ])('ADI and CV² on real days: %s', (_name, units, adi, cv2) => {
    expect(demandClassification(units)).toMatchObject({ adi, cv2 });
  });

  test('MASE scale on real days: pairs across a censored day are skipped', () => {
    // lag-7 pairs: (0,7) = |2 − 1|, (1,8) has NaN → skipped: scale 1.
    expect(maseScale([1, NaN, 1, 1, 1, 1, 1, 2, 5])).toBeCloseTo((1 + 0) / 1, 9);
  });
});

describe('selection does not reward under-forecasting', () => {
  // 3 units every 5th day (mean 0.6, median 0): MAE alone prefers the lower forecast, Croston-SBA's
  // 0.9 · 0.6 = 0.54; MAE + |mean error| the unbiased mean of the history.
  const units = days(196, (i) => (i % 5 === 4 ? 3 : 0));
  const UNDER: SeriesModelSpec = { family: 'croston-sba', alpha: 0.2 };
  const MEAN: SeriesModelSpec = { family: 'simple-mean' };

  test.each<['mae' | 'mae+bias', SeriesModelSpec]>([
    ['mae', UNDER],
    ['mae+bias', MEAN],
  ])('criterion %s picks %j', (criterion, spec) => {
    expect(fitSeries(units, { candidates: [UNDER, MEAN], criterion, fitHoltWinters: false, restrictIntermittent: false }).spec).toEqual(spec);
    expect(forecastWithSpec(UNDER, units, 1).meanDaily).toBeLessThan(forecastWithSpec(MEAN, units, 1).meanDaily);
  });

  test.each<[number, number, number[]]>([
    [365, 28, [155, 246, 337]],
    [172, 28, [60, 102, 144]],
    [100, 28, [58, 65, 72]],
    [41, 28, []],
  ])('rolling origins for %i days, holdouts of %i: %j (a season apart when the history allows)', (n, h, origins) => {
    expect(rollingOrigins(n, h)).toEqual(origins);
  });
});

describe('fitted Holt-Winters, slow movers, level error', () => {
  const next = (() => {
    let s = 7;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s / 2147483648) * 2 - 1;
    };
  })();
  // A weekly shape on a level that moves slowly: a low alpha suits it.
  const smooth = days(280, (i) => 20 + 5 * Math.sin(i / 40) + WEEK[i % 7]! + 2 * next());

  test('fitted constants beat every point of the old fixed grid on in-sample one-step error', () => {
    const fitted = holtWinters(smooth, 0, fitHoltWinters(smooth)).stdDaily;
    for (const alpha of [0.1, 0.2, 0.4]) {
      for (const gamma of [0.05, 0.15, 0.3]) {
        for (const trend of [false, true])
          expect(fitted).toBeLessThanOrEqual(holtWinters(smooth, 0, { alpha, beta: 0.1, gamma, phi: 0.98, trend }).stdDaily + 1e-9);
      }
    }
  });

  /**
   * An additive Holt-Winters process without trend (ETS(A,N,A)) with known constants, written with
   * the model's own recursion: level 20, weekly indices −3 … 3, uniform noise of ±2 (seeded),
   * rounded to 3 decimals.
   */
  const holtWintersProcess = (alpha: number, gamma: number, n: number): number[] => {
    let s = 2024;
    const e = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return 2 * ((s / 2147483648) * 2 - 1);
    };
    const season = [-3, -2, -1, 0, 1, 3, 2];
    let level = 20;
    return days(n, (t) => {
      const err = e();
      const y = level + season[t % 7]! + err;
      const next = level + alpha * err;
      season[t % 7] = gamma * (y - next) + (1 - gamma) * season[t % 7]!;
      level = next;
      return Math.round(y * 1000) / 1000;
    });
  };

  // statsmodels 0.13.5 on the same numbers: ExponentialSmoothing(y, trend=None, seasonal='add',
  // seasonal_periods=7, initialization_method='estimated').fit(), its smoothing_level and forecast(7).
  // Its seasonal constant is per error before the level moves: γ(1 − α) in this model's terms.
  test.each<[string, number, number, number, { alpha: number; gamma: [number, number] }, number, number[]]>([
    [
      'α 0.2, γ 0.3, two years: both constants recovered',
      0.2,
      0.3,
      728,
      { alpha: 0.1832, gamma: [0.25, 0.35] },
      0.05,
      [14.784, 14.654, 19.668, 20.749, 20.99, 22.031, 23.453],
    ],
    [
      'α 0.3, γ 0.1, one year: γ too small to tell from the noise (statsmodels: 0)',
      0.3,
      0.1,
      364,
      { alpha: 0.328, gamma: [0, 0.05] },
      0.02,
      [17.61, 18.552, 19.886, 20.971, 22.147, 23.328, 22.759],
    ],
  ])('fitted on a Holt-Winters process, %s; the forecast matches statsmodels’ fitted ETS', (_name, alpha, gamma, n, statsmodels, alphaTolerance, forecast) => {
    const units = holtWintersProcess(alpha, gamma, n);
    const p = fitHoltWinters(units);
    expect(p.trend).toBe(false);
    expect(Math.abs(p.alpha - alpha)).toBeLessThanOrEqual(alphaTolerance + Math.abs(statsmodels.alpha - alpha));
    expect(Math.abs(p.alpha - statsmodels.alpha)).toBeLessThanOrEqual(0.02);
    expect(p.gamma).toBeGreaterThanOrEqual(statsmodels.gamma[0]);
    expect(p.gamma).toBeLessThanOrEqual(statsmodels.gamma[1]);
    // Within 2 % of statsmodels' forecast on every day of the week ahead.
    holtWinters(units, 7, p).dailyMeans.forEach((d, h) => expect(Math.abs(d - forecast[h]!)).toBeLessThanOrEqual(0.02 * forecast[h]!));
  });

  test.each<[string, number[], string, number]>([
    ['one sale of 1 every 4th day: Poisson at 0.25 a day', days(400, (i) => (i % 4 === 0 ? 1 : 0)), 'poisson', 0.25],
    ['a sale of 3 every 12th day: over-dispersed, negative binomial', days(400, (i) => (i % 12 === 0 ? 3 : 0)), 'negative-binomial', 0.25],
  ])('slow mover: %s', (_name, units, family, rate) => {
    const f = slowMoverCounts(units, 7, 0.03);
    expect(f.distribution?.family).toBe(family);
    expect(f.meanDaily).toBeCloseTo(rate, 1);
    const dispersion = f.distribution?.family === 'negative-binomial' ? f.distribution.dispersion : 1;
    expect(f.stdDaily).toBeCloseTo(Math.sqrt(f.meanDaily * dispersion), 9);
    expect(f.levelStdDaily).toBeCloseTo(Math.sqrt(0.03 / 1.97) * f.stdDaily, 9);
  });

  test('levelStdDaily: present, under the daily spread, α/(2−α) of its variance for Holt-Winters', () => {
    const p = fitHoltWinters(smooth);
    const f = holtWinters(smooth, 7, p);
    expect(f.levelStdDaily).toBeCloseTo(Math.sqrt(p.alpha / (2 - p.alpha)) * f.stdDaily, 9);
    expect(f.levelStdDaily!).toBeLessThan(f.stdDaily);
    expect(simpleMean([2, 4, 6, 8], 1).levelStdDaily).toBeCloseTo(Math.sqrt(20 / 3) / 2, 9);
  });
});

describe('category yearly profile', () => {
  test('a holiday peak seen a year before lifts the forecast of the same weeks', () => {
    // Two years from 2025-01-01: weeks 48-51 (December) sell double.
    const startDay = '2025-01-01';
    const totals = days(730, (i) => (Math.floor((i % 365) / 7) >= 48 && Math.floor((i % 365) / 7) <= 51 ? 200 : 100));
    const profile = categoryYearlyProfile(startDay, totals)!;
    expect(profile).toHaveLength(53);
    expect(yearlyFactor(profile, '2026-12-17')).toBeGreaterThan(1.4);
    expect(yearlyFactor(profile, '2026-06-10')).toBeLessThan(1.05);
    expect(categoryYearlyProfile(startDay, totals.slice(0, 300))).toBeNull();
  });
});

describe('yearly profile in the fit', () => {
  // Two years and a bit from 2024-11-01: a weekly shape, December at double the rest.
  const startDay = '2024-11-01';
  const december = (i: number) => new Date(Date.parse(`${startDay}T00:00:00Z`) + i * 86_400_000).getUTCMonth() === 11;
  const units = days(800, (i) => (december(i) ? 2 : 1) * WEEK[i % 7]!);
  const category: CategoryTotals = { startDay, totals: units.map((u) => u * 50) };

  test('a profile judged at an origin is the one known then: the totals after it change nothing', () => {
    const before = profileBefore(category, '2025-12-20');
    const changed: CategoryTotals = { startDay, totals: category.totals.map((t, i) => (i >= 414 ? t * 3 : t)) };
    expect(profileBefore(changed, '2025-12-20')).toEqual(before);
    expect(profileBefore(category, '2025-10-01')).toBeNull(); // under a year and four weeks of totals
  });

  test('a series with its category’s December peak keeps the profile, and forecasts December up from November', () => {
    // To 2027-01-09: the latest holdout (Dec 13 – Jan 9) has the peak in it, so the profile is judged on it.
    const fit = fitSeries(units, { yearly: { category, startDay } });
    expect(fit.spec.yearly).toHaveLength(53);
    const history = units.slice(0, 730); // to 2026-10-31
    const f = forecastWithSpec(fit.spec, history, 60, startDay);
    expect(f.method).toMatch(/\+yearly$/);
    const november = f.dailyMeans.slice(0, 28).reduce((a, b) => a + b, 0);
    const decemberWeeks = f.dailyMeans.slice(35, 63).reduce((a, b) => a + b, 0);
    expect(decemberWeeks).toBeGreaterThan(1.4 * november);
    // Without the start day the profile cannot be placed: the plain model.
    expect(forecastWithSpec(fit.spec, history, 7).method).not.toMatch(/yearly/);
  });
});
