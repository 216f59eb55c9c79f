import {
  createSeasonalExponentialSmoothing,
  forecastOverLeadTime,
  FORECAST_SETTINGS,
  seasonalExponentialSmoothing,
  type DailySales,
  type DemandForecast,
} from '../../domain/forecasting';

const history = (units: number[]): DailySales => ({ startDay: '2024-03-04', units });
const days = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const forecast = (units: number[], horizon = 14): DemandForecast => seasonalExponentialSmoothing.forecast(history(units), horizon);

const WEEK = [5, 6, 7, 8, 10, 20, 15];

describe('seasonalExponentialSmoothing: flat series', () => {
  test.each<[string, number[], number]>([
    ['5 a day for 4 weeks', days(28, () => 5), 5],
    ['12 a day for 8 weeks', days(56, () => 12), 12],
    ['0.5 a day for 3 weeks', days(21, () => 0.5), 0.5],
  ])('%s -> flat forecast, ~0 spread', (_name, units, level) => {
    const f = forecast(units);
    expect(f.method).toBe('holt-winters-additive-damped');
    expect(f.dailyMeans).toHaveLength(14);
    for (const d of f.dailyMeans) expect(d).toBeCloseTo(level, 6);
    expect(f.meanDaily).toBeCloseTo(level, 6);
    expect(f.stdDaily).toBeLessThan(1e-9);
  });
});

describe('seasonalExponentialSmoothing: weekly pattern', () => {
  // The first forecast day is the day after the last one of history, so its weekday index is n mod 7.
  test.each<[string, number[], number, number]>([
    ['8 exact weeks', days(56, (i) => WEEK[i % 7]!), 0, 0.01],
    ['8 weeks and 3 days (forecast starts mid-week)', days(59, (i) => WEEK[i % 7]!), 3, 0.01],
    ['2 exact weeks (the shortest seasonal history)', days(14, (i) => WEEK[i % 7]!), 0, 0.01],
    ['8 weeks with deterministic noise of ±2', days(56, (i) => WEEK[i % 7]! + ((i * 37) % 5) - 2), 0, 1],
  ])('%s -> recovers the weekly shape', (_name, units, offset, tolerance) => {
    const f = forecast(units, 14);
    expect(f.method).toBe('holt-winters-additive-damped');
    f.dailyMeans.forEach((d, h) => {
      expect(Math.abs(d - WEEK[(offset + h) % 7]!)).toBeLessThanOrEqual(tolerance);
    });
    expect(f.meanDaily).toBeCloseTo(WEEK.reduce((a, b) => a + b, 0) / 7, tolerance < 1 ? 2 : 0);
  });

  test('exact pattern has ~0 spread, noisy pattern a spread near the noise', () => {
    expect(forecast(days(56, (i) => WEEK[i % 7]!)).stdDaily).toBeLessThan(1e-9);
    const noisy = forecast(days(56, (i) => WEEK[i % 7]! + ((i * 37) % 5) - 2)).stdDaily;
    expect(noisy).toBeGreaterThan(1); // the noise itself has std sqrt(2) ≈ 1.41
    expect(noisy).toBeLessThan(2.5);
  });
});

describe('seasonalExponentialSmoothing: trend', () => {
  test.each<[string, number[], number, number]>([
    // y = 10 + 0.5 t: next value 38, 14 days ahead 44.5; the damped trend lands a little below.
    ['rising 0.5 a day', days(56, (i) => 10 + 0.5 * i), 38, 44.5],
    ['rising 0.5 a day on a weekly pattern', days(56, (i) => 10 + 0.5 * i + WEEK[i % 7]! - 10), 33, 44.5 - 10 + 15],
  ])('%s -> rising forecast, damped', (_name, units, nextTrue, day14True) => {
    const f = forecast(units, 14);
    expect(Math.abs(f.dailyMeans[0]! - nextTrue)).toBeLessThan(1);
    expect(f.dailyMeans[13]!).toBeGreaterThan(f.dailyMeans[0]! + 3);
    expect(f.dailyMeans[13]!).toBeLessThan(day14True);
    expect(f.dailyMeans[13]!).toBeGreaterThan(day14True - 4);
  });

  test('pure linear trend: each forecast day above the previous', () => {
    const f = forecast(
      days(56, (i) => 10 + 0.5 * i),
      14,
    );
    for (let h = 1; h < 14; h++) expect(f.dailyMeans[h]!).toBeGreaterThan(f.dailyMeans[h - 1]!);
  });

  test('without the trend term the forecast does not rise week on week', () => {
    const f = createSeasonalExponentialSmoothing({ trend: false }).forecast(history(days(56, (i) => 10 + 0.5 * i)), 14);
    expect(f.method).toBe('holt-winters-additive');
    expect(f.dailyMeans[7]! - f.dailyMeans[0]!).toBeCloseTo(0, 9); // same weekday a week apart
    expect(f.dailyMeans[0]!).toBeGreaterThan(30);
    expect(f.dailyMeans[0]!).toBeLessThan(38);
  });

  test('a declining series is never forecast below zero', () => {
    const f = forecast(
      days(42, (i) => Math.max(1, 30 - 0.6 * i)),
      30,
    );
    expect(f.dailyMeans[0]!).toBeLessThan(6);
    expect(Math.min(...f.dailyMeans)).toBe(0);
  });
});

describe('seasonalExponentialSmoothing: no and intermittent demand', () => {
  test.each<[string, number[]]>([
    ['4 weeks of zeros', days(28, () => 0)],
    ['zeros with negative and non-finite entries', days(28, (i) => (i % 3 === 0 ? -4 : i % 3 === 1 ? Number.NaN : 0))],
  ])('%s -> zero forecast, zero spread', (_name, units) => {
    const f = forecast(units);
    expect(f.method).toBe('all-zero');
    expect(f.meanDaily).toBe(0);
    expect(f.stdDaily).toBe(0);
    expect(f.dailyMeans).toEqual(days(14, () => 0));
  });

  test.each<[string, number[], number]>([
    ['3 units every 5th day', days(60, (i) => (i % 5 === 0 ? 3 : 0)), 0.6],
    ['1 unit every 10th day', days(90, (i) => (i % 10 === 9 ? 1 : 0)), 0.1],
    ['lumpy: 12 then 1 on alternate sale days, every 4th day', days(80, (i) => (i % 4 === 0 ? (i % 8 === 0 ? 12 : 1) : 0)), 6.5 / 4],
  ])('%s -> Croston-SBA near the true rate, never negative', (_name, units, rate) => {
    const f = forecast(units, 21);
    expect(f.method).toBe('croston-sba');
    for (const d of f.dailyMeans) expect(d).toBeGreaterThanOrEqual(0);
    expect(Math.abs(f.meanDaily - rate) / rate).toBeLessThan(0.15);
    expect(f.stdDaily).toBeGreaterThan(0);
  });

  test.each<[string, number[]]>([
    ['collapse after a high weekly pattern', [...days(28, (i) => (i % 7 >= 5 ? 60 : 30)), ...days(14, () => 1)]],
    ['spiky pattern', days(56, (i) => (i % 7 === 5 ? 40 : i % 2))],
    ['promotion spike then nothing', [...days(21, () => 2), 80, 80, ...days(12, () => 0)]],
  ])('%s -> never negative, never NaN', (_name, units) => {
    const f = forecast(units, 28);
    for (const d of f.dailyMeans) {
      expect(Number.isFinite(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
    }
    expect(f.meanDaily).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(f.stdDaily)).toBe(true);
  });

  test('a collapse after a high pattern is forecast as zero, not negative', () => {
    const f = forecast([...days(28, (i) => (i % 7 >= 5 ? 60 : 30)), ...days(14, () => 1)], 7);
    expect(f.dailyMeans).toEqual(days(7, () => 0));
  });
});

describe('seasonalExponentialSmoothing: short history (under two weeks)', () => {
  test.each<[string, number[], string, number, number]>([
    ['no history', [], 'no-history', 0, 0],
    ['one day of 4 (Poisson spread)', [4], 'simple-mean', 4, 2],
    ['1..5', [1, 2, 3, 4, 5], 'simple-mean', 3, Math.sqrt(2.5)],
    ['13 days of 7', days(13, () => 7), 'simple-mean', 7, 0],
    [
      '13 days alternating 0 and 4',
      days(13, (i) => (i % 2 === 0 ? 0 : 4)),
      'simple-mean',
      24 / 13,
      Math.sqrt((7 * (24 / 13) ** 2 + 6 * (4 - 24 / 13) ** 2) / 12),
    ],
  ])('%s -> flat simple mean', (_name, units, method, mean, std) => {
    const f = forecast(units, 5);
    expect(f.method).toBe(method);
    expect(f.meanDaily).toBeCloseTo(mean, 9);
    expect(f.stdDaily).toBeCloseTo(std, 9);
    expect(f.dailyMeans).toHaveLength(5);
    for (const d of f.dailyMeans) expect(d).toBeCloseTo(mean, 9);
  });

  test('the seasonal model starts at exactly minHistoryDays', () => {
    expect(FORECAST_SETTINGS.minHistoryDays).toBe(14);
    expect(forecast(days(13, (i) => WEEK[i % 7]!)).method).toBe('simple-mean');
    expect(forecast(days(14, (i) => WEEK[i % 7]!)).method).toBe('holt-winters-additive-damped');
  });
});

describe('seasonalExponentialSmoothing: horizon and determinism', () => {
  test.each<[number, number]>([
    [0, 0],
    [1, 1],
    [30, 30],
    [7.9, 7],
    [-3, 0],
    [Number.NaN, 0],
  ])('horizon %p -> %p daily means', (horizon, length) => {
    const f = forecast(
      days(28, (i) => WEEK[i % 7]!),
      horizon,
    );
    expect(f.horizonDays).toBe(length);
    expect(f.dailyMeans).toHaveLength(length);
  });

  test('no horizon: meanDaily is the deseasonalised level', () => {
    expect(
      forecast(
        days(28, (i) => WEEK[i % 7]!),
        0,
      ).meanDaily,
    ).toBeCloseTo(71 / 7, 6);
  });

  test('same history, same forecast', () => {
    const units = days(63, (i) => WEEK[i % 7]! + ((i * 13) % 7) - 3);
    expect(forecast(units, 21)).toEqual(forecast([...units], 21));
  });
});

describe('forecastOverLeadTime', () => {
  const f: DemandForecast = { meanDaily: 4, stdDaily: 2, horizonDays: 7, dailyMeans: [1, 2, 3, 4, 5, 6, 7], method: 'test' };
  const short: DemandForecast = { meanDaily: 2, stdDaily: 1.5, horizonDays: 3, dailyMeans: [1, 2, 3], method: 'test' };

  test.each<[string, DemandForecast, number, number, number]>([
    ['3 days: sum of the first three', f, 3, 6, 2 * Math.sqrt(3)],
    ['4 days: std doubles', f, 4, 10, 4],
    ['2.5 days: half of day 3', f, 2.5, 4.5, 2 * Math.sqrt(2.5)],
    ['7 days: the whole horizon', f, 7, 28, 2 * Math.sqrt(7)],
    ['9 days: past the horizon repeats the last week', f, 9, 31, 6],
    ['0 days', f, 0, 0, 0],
    ['negative lead time counts as 0', f, -2, 0, 0],
    ['horizon under a week: meanDaily beyond it', short, 5, 10, 1.5 * Math.sqrt(5)],
  ])('%s', (_name, forecast, lead, mean, std) => {
    const r = forecastOverLeadTime(forecast, lead);
    expect(r.mean).toBeCloseTo(mean, 9);
    expect(r.std).toBeCloseTo(std, 9);
  });
});
