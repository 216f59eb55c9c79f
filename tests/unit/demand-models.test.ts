import {
  createSpecForecaster,
  DEFAULT_CANDIDATES,
  describeSpec,
  FALLBACK_SPEC,
  fitSeries,
  forecastWithSpec,
  parseSeriesModelSpec,
  rollingOrigins,
  scoreSeries,
  type HoltWintersSpec,
  type SeriesModelSpec,
} from '../../domain/demand-models';
import { createSeasonalExponentialSmoothing, seasonalExponentialSmoothing, type DailySales, type Forecaster, type SeriesKey } from '../../domain/forecasting';

const days = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const history = (units: number[]): DailySales => ({ startDay: '2024-03-04', units });

/** Deterministic noise in [-1, 1) (a linear congruential generator; tests only). */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  };
}

const WEEK = [5, 6, 7, 8, 10, 20, 15];
const HW = (alpha: number, gamma: number, trend: boolean): HoltWintersSpec => ({ family: 'holt-winters', alpha, beta: 0.1, gamma, phi: 0.98, trend });
const CROSTON = (alpha: number): SeriesModelSpec => ({ family: 'croston-sba', alpha });
/** 3 units every 5th day, the first sale on day 4: every interval is exactly 5, every size 3. */
const EVERY_FIFTH = (n: number): number[] => days(n, (i) => (i % 5 === 4 ? 3 : 0));

describe('forecastWithSpec: each family on series with known answers', () => {
  test.each<[string, SeriesModelSpec, number[], number[], string]>([
    ['HW on a flat series: the level', HW(0.2, 0.15, true), days(56, () => 7), days(7, () => 7), 'holt-winters-additive-damped'],
    ['HW without trend on an exact weekly pattern: the pattern', HW(0.4, 0.3, false), days(56, (i) => WEEK[i % 7]!), WEEK, 'holt-winters-additive'],
    // 59 days: the last day of history is weekday 58 % 7 = 2, so the forecast starts at WEEK[3].
    [
      'seasonal naive, history ending mid-week: the last week repeated',
      { family: 'seasonal-naive' },
      days(59, (i) => WEEK[i % 7]!),
      [8, 10, 20, 15, 5, 6, 7],
      'seasonal-naive',
    ],
    // Croston-SBA: (1 − α/2)·size/interval = (1 − 0.05)·3/5 = 0.57.
    ['Croston-SBA alpha 0.1, 3 every 5th day: 0.95·3/5', CROSTON(0.1), EVERY_FIFTH(60), days(7, () => 0.57), 'croston-sba'],
    ['Croston-SBA alpha 0.2: 0.9·3/5', CROSTON(0.2), EVERY_FIFTH(60), days(7, () => 0.54), 'croston-sba'],
    // Window 7 of [..., 1, 2, 3, 4, 5, 6, 7]: mean 4.
    [
      'simple mean over the last 7 days',
      { family: 'simple-mean', windowDays: 7 },
      [...days(30, () => 100), 1, 2, 3, 4, 5, 6, 7],
      days(7, () => 4),
      'simple-mean',
    ],
    [
      'simple mean without a window: the whole history',
      { family: 'simple-mean' },
      [...days(10, () => 1), ...days(10, () => 3)],
      days(7, () => 2),
      'simple-mean',
    ],
  ])('%s', (_name, spec, units, expected, method) => {
    const f = forecastWithSpec(spec, units, expected.length);
    expect(f.method).toBe(method);
    expect(f.dailyMeans).toHaveLength(expected.length);
    f.dailyMeans.forEach((d, h) => expect(d).toBeCloseTo(expected[h]!, 6));
  });

  test.each<[string, SeriesModelSpec, number[], string, number]>([
    ['HW under two weeks: the plain mean', HW(0.2, 0.15, true), [1, 2, 3, 4, 5], 'simple-mean', 3],
    ['Croston with no history', CROSTON(0.1), [], 'no-history', 0],
    ['seasonal naive on zeros (negative and NaN count as 0)', { family: 'seasonal-naive' }, days(28, (i) => (i % 2 === 0 ? -3 : Number.NaN)), 'all-zero', 0],
    ['Croston on four weeks of zeros', CROSTON(0.2), days(28, () => 0), 'all-zero', 0],
  ])('guards as the baseline: %s', (_name, spec, units, method, level) => {
    const f = forecastWithSpec(spec, units, 5);
    expect(f.method).toBe(method);
    expect(f.dailyMeans).toEqual(days(5, () => level));
  });

  test('one implementation: a Holt-Winters spec gives exactly the baseline with the same constants', () => {
    const next = noise(3);
    const units = days(120, (i) => WEEK[i % 7]! + 0.05 * i + 2 * next());
    for (const trend of [false, true]) {
      const spec = HW(0.3, 0.2, trend);
      expect(forecastWithSpec(spec, units, 21)).toEqual(createSeasonalExponentialSmoothing(spec).forecast(history(units), 21));
    }
  });

  test('one implementation: Croston-SBA alpha 0.1 gives exactly the baseline on an intermittent series', () => {
    const units = days(90, (i) => (i % 10 === 9 ? 1 : 0));
    expect(forecastWithSpec(CROSTON(0.1), units, 14)).toEqual(seasonalExponentialSmoothing.forecast(history(units), 14));
  });

  test('seasonal naive: spread is the RMSE of the weekly differences, meanDaily the last week without a horizon', () => {
    // Two weeks: the second is the first plus 2 on every day, so every weekly difference is 2.
    const units = [...WEEK, ...WEEK.map((u) => u + 2)];
    const f = forecastWithSpec({ family: 'seasonal-naive' }, units, 0);
    expect(f.stdDaily).toBeCloseTo(2, 12);
    expect(f.meanDaily).toBeCloseTo(71 / 7 + 2, 12);
    expect(f.dailyMeans).toEqual([]);
  });
});

describe('fitSeries: synthetic series with known answers', () => {
  const next = noise(42);
  const noisyWeekly = days(112, (i) => WEEK[i % 7]! + 2 * next());

  test.each<[string, number[], number[], number]>([
    // Flat: every sensible candidate is exact; the tie goes to the simplest (the 28-day mean).
    ['flat 5 a day', days(84, () => 5), days(14, () => 5), 1e-9],
    ['flat 0.5 a day', days(120, () => 0.5), days(14, () => 0.5), 1e-9],
    // y = 10 + 0.5 t over 84 days: the next 14 days are 52 ... 58.5; a damped trend lands a little below.
    ['linear trend 10 + 0.5 t', days(84, (i) => 10 + 0.5 * i), days(14, (h) => 10 + 0.5 * (84 + h)), 4],
    // Weekly pattern with noise of ±2: the pattern itself is forecast within about 1 unit.
    ['weekly pattern with noise', noisyWeekly, days(14, (h) => WEEK[h % 7]!), 1],
  ])('%s: the chosen spec forecasts the known continuation', (_name, units, expected, tolerance) => {
    const fit = fitSeries(units);
    expect(fit.basis).toBe('validation');
    const f = forecastWithSpec(fit.spec, units, expected.length);
    f.dailyMeans.forEach((d, h) => expect(Math.abs(d - expected[h]!)).toBeLessThanOrEqual(tolerance));
  });

  test.each<[string, number[], Partial<SeriesModelSpec>]>([
    ['flat: the simplest exact model', days(84, () => 5), FALLBACK_SPEC],
    ['linear trend: Holt-Winters with a (damped) trend', days(84, (i) => 10 + 0.5 * i), { family: 'holt-winters', trend: true }],
    ['noisy weekly pattern: Holt-Winters', noisyWeekly, { family: 'holt-winters' }],
    ['exact weekly pattern: seasonal naive (exact, and simpler than Holt-Winters)', days(84, (i) => WEEK[i % 7]!), { family: 'seasonal-naive' }],
  ])('%s', (_name, units, spec) => {
    expect(fitSeries(units).spec).toMatchObject(spec);
  });

  test('3 every 5th day (ADI 5, 0.6 a day): an intermittent candidate whose forecast is the rate, not below it', () => {
    const fit = fitSeries(EVERY_FIFTH(140));
    expect(['croston-sba', 'slow-mover', 'simple-mean']).toContain(fit.spec.family);
    expect(forecastWithSpec(fit.spec, EVERY_FIFTH(140), 7).meanDaily).toBeGreaterThan(0.55);
  });

  test('weekly pattern: Holt-Winters is chosen over Croston-SBA when only those two families compete', () => {
    const candidates = DEFAULT_CANDIDATES.filter((c) => c.family === 'croston-sba' || c.family === 'holt-winters');
    for (const units of [days(84, (i) => WEEK[i % 7]!), noisyWeekly]) {
      const fit = fitSeries(units, { candidates });
      expect(fit.spec.family).toBe('holt-winters');
      expect(fit.candidatesTried).toBe(5); // 3 Croston, the fixed Holt-Winters, the fitted Holt-Winters
      const f = forecastWithSpec(fit.spec, units, 7);
      f.dailyMeans.forEach((d, h) => expect(Math.abs(d - WEEK[(units.length + h) % 7]!)).toBeLessThanOrEqual(1));
    }
  });

  test('intermittent: the intermittent candidates only (Croston-SBA, slow-mover, simple mean); with MAE alone the largest Croston alpha', () => {
    const units = EVERY_FIFTH(100);
    const fit = fitSeries(units, { criterion: 'mae' });
    expect(fit.adi).toBe(5);
    expect(fit.cv2).toBe(0);
    expect(fit.candidatesTried).toBe(6);
    expect(fit.spec).toEqual({ family: 'croston-sba', alpha: 0.2 });
    const f = forecastWithSpec(fit.spec, units, 14);
    for (const d of f.dailyMeans) expect(d).toBeCloseTo((1 - 0.2 / 2) * (3 / 5), 9);
  });

  test('intermittent with the RMSE criterion: Croston candidates only, the smallest alpha, closest to the true rate 0.6', () => {
    const fit = fitSeries(EVERY_FIFTH(100), { criterion: 'rmse', candidates: [CROSTON(0.05), CROSTON(0.1), CROSTON(0.2)] });
    expect(fit.spec).toEqual({ family: 'croston-sba', alpha: 0.05 });
    const f = forecastWithSpec(fit.spec, EVERY_FIFTH(100), 7);
    expect(f.meanDaily).toBeCloseTo(0.975 * 0.6, 9);
  });

  test('intermittent without the restriction: every candidate is tried, the fitted Holt-Winters too', () => {
    expect(fitSeries(EVERY_FIFTH(100), { restrictIntermittent: false }).candidatesTried).toBe(DEFAULT_CANDIDATES.length + 1);
  });

  test.each<[string, number[], SeriesModelSpec['family'], 'validation' | 'short-history' | 'no-demand', number | null]>([
    ['no history', [], 'simple-mean', 'short-history', null],
    ['41 days (under 14 + 28)', days(41, (i) => WEEK[i % 7]!), 'simple-mean', 'short-history', null],
    ['exactly 42 days: fitted', days(42, (i) => WEEK[i % 7]!), 'seasonal-naive', 'validation', 0],
    ['all zeros', days(100, () => 0), 'simple-mean', 'no-demand', 0],
    // First sales only in the 28-day tail: 7 sales of 4 → the zero forecast misses 28/28 = 1 a day, all of it bias: 1 + 1.
    ['new SKU selling only in the validation tail', [...days(72, () => 0), ...days(28, (i) => (i % 4 === 0 ? 4 : 0))], 'simple-mean', 'no-demand', 2],
  ])('fallback and boundaries: %s', (_name, units, family, basis, error) => {
    const fit = fitSeries(units);
    expect(fit.spec.family).toBe(family);
    expect(fit.basis).toBe(basis);
    if (error === null) expect(fit.validationError).toBeNull();
    else expect(fit.validationError).toBeCloseTo(error, 9);
    if (basis !== 'validation') {
      expect(fit.spec).toEqual(FALLBACK_SPEC);
      expect(fit.candidatesTried).toBe(0);
    }
  });

  test('validationError is the chosen spec’s MAE + |mean error| over the rolling holdouts (weighted 1, 2, 3 from the oldest), each forecast from the history before it', () => {
    const units = noisyWeekly;
    const fit = fitSeries(units, { validationDays: 14, fitHoltWinters: false });
    expect(fit.origins).toEqual(rollingOrigins(112, 14));
    const score = (spec: SeriesModelSpec): number => {
      let abs = 0;
      let signed = 0;
      let n = 0;
      fit.origins.forEach((o, i) => {
        const w = i + 1; // the latest origin weighs most: 1, 2, 3
        const f = forecastWithSpec(spec, units.slice(0, o), 14).dailyMeans;
        f.forEach((d, h) => {
          abs += w * Math.abs(d - units[o + h]!);
          signed += w * (d - units[o + h]!);
          n += w;
        });
      });
      return abs / n + Math.abs(signed) / n;
    };
    expect(fit.validationError).toBeCloseTo(score(fit.spec), 12);
    for (const spec of DEFAULT_CANDIDATES) expect(score(spec)).toBeGreaterThanOrEqual(fit.validationError! - 1e-9);
  });

  test('ties go to the earlier candidate, so the order decides, deterministically', () => {
    const flat = days(84, () => 5);
    const exact: SeriesModelSpec[] = [HW(0.4, 0.3, false), { family: 'seasonal-naive' }, FALLBACK_SPEC];
    expect(fitSeries(flat, { candidates: exact }).spec).toEqual(exact[0]);
    expect(fitSeries(flat, { candidates: [...exact].reverse() }).spec).toEqual(FALLBACK_SPEC);
    expect(fitSeries(noisyWeekly)).toEqual(fitSeries([...noisyWeekly]));
  });

  describe('a fixed candidate displaces the fitted Holt-Winters only by a clear margin (fittedPreference)', () => {
    // About 8 a day, a faint weekend lift, noise of ±4: the 28-day mean's validation error (2.678) is
    // 3.85 % under the fitted Holt-Winters' (2.781), which is noise on three holdouts of 28 days.
    const next = noise(1);
    const units = days(140, (i) => Math.round(8 + [0, 0, 0, 0, 1, 2, 1][i % 7]! + 4 * next()));
    const fittedOnly = fitSeries(units, { candidates: [] });

    test.each<[string, number | undefined, SeriesModelSpec['family'], number]>([
      ['0: the lowest error wins outright', 0, 'simple-mean', 2.677721],
      ['0.03: 3.85 % lower is enough', 0.03, 'simple-mean', 2.677721],
      ['0.05: 3.85 % lower is not', 0.05, 'holt-winters', 2.780771],
      ['the default 0.3', undefined, 'holt-winters', 2.780771],
    ])('%s', (_name, fittedPreference, family, validationError) => {
      const fit = fitSeries(units, fittedPreference === undefined ? {} : { fittedPreference });
      expect(fit.spec.family).toBe(family);
      // The chosen candidate's own error, not the handicapped one.
      expect(fit.validationError).toBeCloseTo(validationError, 6);
    });

    test('the fitted Holt-Winters chosen is the one fitted alone, with its own validation error', () => {
      expect(fittedOnly.spec.family).toBe('holt-winters');
      const fit = fitSeries(units);
      expect(fit.spec).toEqual(fittedOnly.spec);
      expect(fit.validationError).toBe(fittedOnly.validationError);
      expect(fit.candidatesTried).toBe(DEFAULT_CANDIDATES.length - 2 + 1); // slow movers left out (8 a day), the fitted one added
    });

    test('exact series still tie at 0 and go to the simpler model', () => {
      expect(fitSeries(days(84, () => 5)).spec).toEqual(FALLBACK_SPEC);
      expect(fitSeries(days(84, (i) => WEEK[i % 7]!)).spec).toEqual({ family: 'seasonal-naive' });
    });
  });
});

describe('DEFAULT_CANDIDATES and stored specs', () => {
  test('8 fixed candidates, simplest first, every one JSON round-trips through parseSeriesModelSpec', () => {
    expect(DEFAULT_CANDIDATES.map((c) => c.family)).toEqual([
      'simple-mean',
      'seasonal-naive',
      'croston-sba',
      'croston-sba',
      'croston-sba',
      'slow-mover',
      'slow-mover',
      'holt-winters',
    ]);
    for (const spec of DEFAULT_CANDIDATES) expect(parseSeriesModelSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['a string', 'holt-winters'],
    ['unknown family', { family: 'prophet' }],
    ['HW alpha 0', { family: 'holt-winters', alpha: 0, beta: 0.1, gamma: 0.1, phi: 0.98, trend: true }],
    ['HW gamma above 1', { family: 'holt-winters', alpha: 0.2, beta: 0.1, gamma: 1.5, phi: 0.98, trend: true }],
    ['HW trend not boolean', { family: 'holt-winters', alpha: 0.2, beta: 0.1, gamma: 0.1, phi: 0.98, trend: 'yes' }],
    ['HW missing phi', { family: 'holt-winters', alpha: 0.2, beta: 0.1, gamma: 0.1, trend: false }],
    ['Croston alpha NaN', { family: 'croston-sba', alpha: Number.NaN }],
    ['Croston alpha as a string', { family: 'croston-sba', alpha: '0.1' }],
    ['slow-mover alpha 0', { family: 'slow-mover', alpha: 0 }],
    ['mean window 0', { family: 'simple-mean', windowDays: 0 }],
    ['mean window 2.5', { family: 'simple-mean', windowDays: 2.5 }],
  ])('parseSeriesModelSpec rejects %s', (_name, value) => {
    expect(parseSeriesModelSpec(value)).toBeNull();
  });

  test('parseSeriesModelSpec keeps only the spec’s own fields', () => {
    expect(parseSeriesModelSpec({ family: 'croston-sba', alpha: 0.1, extra: 1 })).toEqual({ family: 'croston-sba', alpha: 0.1 });
    expect(parseSeriesModelSpec({ family: 'simple-mean' })).toEqual({ family: 'simple-mean' });
    expect(parseSeriesModelSpec({ family: 'slow-mover', alpha: 0.03 })).toEqual({ family: 'slow-mover', alpha: 0.03 });
  });

  test('specs stored before fitted constants and slow movers still read back unchanged', () => {
    for (const old of [HW(0.2, 0.15, true), HW(0.4, 0.3, false), CROSTON(0.05), { family: 'seasonal-naive' }, { family: 'simple-mean', windowDays: 28 }]) {
      expect(parseSeriesModelSpec(JSON.parse(JSON.stringify(old)))).toEqual(old);
    }
  });

  test.each<[SeriesModelSpec, string]>([
    [HW(0.2, 0.15, true), 'holt-winters(a=0.2,g=0.15,damped b=0.1 phi=0.98)'],
    [HW(0.4, 0.05, false), 'holt-winters(a=0.4,g=0.05)'],
    [CROSTON(0.1), 'croston-sba(a=0.1)'],
    [{ family: 'slow-mover', alpha: 0.03 }, 'slow-mover(a=0.03)'],
    [{ family: 'seasonal-naive' }, 'seasonal-naive'],
    [FALLBACK_SPEC, 'simple-mean(28d)'],
  ])('describeSpec %j', (spec, label) => {
    expect(describeSpec(spec)).toBe(label);
  });
});

describe('createSpecForecaster', () => {
  const specs = new Map<string, SeriesModelSpec>([['S001|SKU-1', CROSTON(0.2)]]);
  const lookup = (s: SeriesKey): SeriesModelSpec | undefined => specs.get(`${s.storeId}|${s.sku}`);
  const units = EVERY_FIFTH(60);

  test.each<[string, SeriesKey | undefined, string, number]>([
    ['a series with a spec: its spec', { storeId: 'S001', sku: 'SKU-1' }, 'croston-sba', 0.54],
    ['a series without one: the fallback (baseline Croston alpha 0.1)', { storeId: 'S002', sku: 'SKU-1' }, 'croston-sba', 0.57],
    ['no series given: the fallback', undefined, 'croston-sba', 0.57],
  ])('%s', (_name, series, method, level) => {
    const f = createSpecForecaster(lookup).forecast(history(units), 7, series);
    expect(f.method).toBe(method);
    for (const d of f.dailyMeans) expect(d).toBeCloseTo(level, 9);
  });

  test('the fallback receives the series; the name is configurable', () => {
    const seen: Array<SeriesKey | undefined> = [];
    const fallback: Forecaster = {
      name: 'spy',
      forecast(h, horizon, series) {
        seen.push(series);
        return seasonalExponentialSmoothing.forecast(h, horizon);
      },
    };
    const forecaster = createSpecForecaster(() => undefined, fallback, 'champion-v3');
    expect(forecaster.name).toBe('champion-v3');
    forecaster.forecast(history(units), 3, { storeId: 'S009', sku: 'X' });
    expect(seen).toEqual([{ storeId: 'S009', sku: 'X' }]);
  });

  test('an existing two-argument Forecaster still satisfies the interface', () => {
    const legacy: Forecaster = { name: 'legacy', forecast: (h, horizon) => seasonalExponentialSmoothing.forecast(h, horizon) };
    expect(legacy.forecast(history(units), 2, { storeId: 'S001', sku: 'SKU-1' }).dailyMeans).toHaveLength(2);
  });
});

describe('scoreSeries (one series of a retraining)', () => {
  const weekly = Array.from({ length: 140 }, (_, t) => [4, 3, 3, 4, 6, 14, 16][t % 7]! + (t % 3));
  const training = weekly.slice(0, 112);
  const holdout = weekly.slice(112);

  it('sums the holdout errors of the fitted challenger and of the champion spec', () => {
    const r = scoreSeries({ training, holdout, startDay: '2026-01-01', champion: { family: 'seasonal-naive' } });
    const challenger = forecastWithSpec(r.fit.spec, training, 28).dailyMeans;
    const naive = forecastWithSpec({ family: 'seasonal-naive' }, training, 28).dailyMeans;
    expect(r.holdoutDays).toBe(28);
    expect(r.holdoutUnits).toBe(holdout.reduce((a, b) => a + b, 0));
    expect(r.challengerAbsError).toBeCloseTo(
      holdout.reduce((s, a, d) => s + Math.abs(a - challenger[d]!), 0),
      9,
    );
    expect(r.challengerError).toBeCloseTo(
      holdout.reduce((s, a, d) => s + challenger[d]! - a, 0),
      9,
    );
    expect(r.championAbsError).toBeCloseTo(
      holdout.reduce((s, a, d) => s + Math.abs(a - naive[d]!), 0),
      9,
    );
    expect(r.naiveScale).toBeGreaterThan(0);
  });

  it('without a champion spec, the fallback forecaster is the champion', () => {
    const zero: Forecaster = {
      name: 'zero',
      forecast: (_h, horizon) => ({ meanDaily: 0, stdDaily: 0, horizonDays: horizon, dailyMeans: new Array<number>(horizon).fill(0), method: 'zero' }),
    };
    const r = scoreSeries({ training, holdout, startDay: '2026-01-01' }, zero);
    const sold = holdout.reduce((a, b) => a + b, 0);
    expect([r.championAbsError, r.championError]).toEqual([sold, -sold]);
  });
});
