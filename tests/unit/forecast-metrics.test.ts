import {
  accumulate,
  addSeriesSums,
  bias,
  emptyAccumulator,
  mase,
  maseScale,
  mergeAccumulators,
  mergeGroups,
  summarise,
  summariseGroups,
  wape,
  type MetricsAccumulator,
} from '../../domain/forecast-metrics';

/*
 * Hand-computed series used below.
 *
 * S1: actual [10, 0, 5, 5], forecast [8, 2, 5, 9]
 *     |a − f| = 2, 2, 0, 4 → Σ 8;  f − a = −2, 2, 0, 4 → Σ 4;  Σa = 20
 *     WAPE 8/20 = 0.4;  bias 4/20 = 0.2 (over-forecast)
 *     in-sample IN1 = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9]
 *       |y_t − y_{t−7}| for t = 7..13: 2, 0, 0, 0, 0, 0, 2 → scale 4/7
 *     MASE = (8/4) / (4/7) = 3.5
 * S2: actual [4, 6], forecast [3, 3]
 *     |a − f| = 1, 3 → Σ 4;  f − a = −1, −3 → Σ −4;  Σa = 10
 *     WAPE 0.4;  bias −0.4 (under-forecast);  with scale 2: MASE (4/2)/2 = 1
 * S1 + S2: Σ|a − f| 12, Σ(f − a) 0, Σa 30 → WAPE 0.4, bias 0, MASE (3.5 + 1)/2 = 2.25
 */
const S1 = { actual: [10, 0, 5, 5], forecast: [8, 2, 5, 9] };
const S2 = { actual: [4, 6], forecast: [3, 3] };
const IN1 = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9];

describe('single-series metrics against hand-computed values', () => {
  test.each<[string, number[], number[], number | null, number | null]>([
    ['S1 (over-forecast)', S1.actual, S1.forecast, 0.4, 0.2],
    ['S2 (under-forecast)', S2.actual, S2.forecast, 0.4, -0.4],
    ['perfect', [3, 1, 4], [3, 1, 4], 0, 0],
    ['forecast nothing: WAPE 1, bias −1', [3, 1, 4], [0, 0, 0], 1, -1],
    // a = [0, 0, 4] after sanitising; |a − f| = 1, 0, 0 → 1/4; f − a = 1, 0, 0 → 1/4.
    ['negative and NaN actuals count as 0', [-3, Number.NaN, 4], [1, 0, 4], 0.25, 0.25],
    ['nothing sold: undefined', [0, 0], [1, 1], null, null],
    ['empty window: undefined', [], [], null, null],
  ])('%s', (_name, actual, forecast, expectedWape, expectedBias) => {
    const w = wape(actual, forecast);
    const b = bias(actual, forecast);
    if (expectedWape === null) expect(w).toBeNull();
    else expect(w).toBeCloseTo(expectedWape, 12);
    if (expectedBias === null) expect(b).toBeNull();
    else expect(b).toBeCloseTo(expectedBias, 12);
  });

  test.each<[string, number[], number | null]>([
    ['seasonal differences (IN1)', IN1, 4 / 7],
    // [1..7, 1..7] repeats exactly: lag 7 is 0, so lag 1: six 1s, |1 − 7| = 6, six 1s → 18/13.
    ['exact weekly repeat: falls back to lag 1', [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7], 18 / 13],
    // Too short for lag 7: |4 − 2| = 2, |3 − 4| = 1 → 3/2.
    ['three days: lag 1', [2, 4, 3], 1.5],
    ['constant: no scale', [5, 5, 5, 5, 5, 5, 5, 5, 5], null],
    ['one day: no scale', [5], null],
    ['empty: no scale', [], null],
    // Negative / NaN count as 0: [0, 2, 0] → lag 1: 2, 2 → 2.
    ['sanitised like the forecaster', [-1, 2, Number.NaN], 2],
  ])('maseScale: %s', (_name, inSample, expected) => {
    const s = maseScale(inSample);
    if (expected === null) expect(s).toBeNull();
    else expect(s).toBeCloseTo(expected, 12);
  });

  test('MASE of S1 against IN1 is 3.5; with the lag-1 fallback (4/4)/(18/13) = 13/18', () => {
    expect(mase(S1.actual, S1.forecast, IN1)).toBeCloseTo(3.5, 12);
    expect(mase([1, 1, 1, 1], [2, 2, 2, 0], [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7])).toBeCloseTo(13 / 18, 12);
    expect(mase([1, 2], [1, 2], [5, 5, 5])).toBeNull();
  });

  test.each<[string, () => unknown]>([
    ['lengths differ', () => wape([1, 2], [1])],
    ['a forecast is NaN', () => accumulate(emptyAccumulator(), [1, 2], [1, Number.NaN], null)],
    ['a forecast is infinite', () => bias([1], [Number.POSITIVE_INFINITY])],
  ])('RangeError when %s', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});

describe('accumulators: additive over series, batches and categories', () => {
  const a1 = accumulate(emptyAccumulator(), S1.actual, S1.forecast, 4 / 7);
  const a2 = accumulate(emptyAccumulator(), S2.actual, S2.forecast, 2);

  test('S1 + S2 overall: WAPE 0.4, bias 0, MASE the mean of 3.5 and 1', () => {
    const s = summarise(accumulate(a1, S2.actual, S2.forecast, 2));
    expect(s.wape).toBeCloseTo(0.4, 12);
    expect(s.bias).toBeCloseTo(0, 12);
    expect(s.mase).toBeCloseTo(2.25, 12);
    expect(s).toMatchObject({ series: 2, maseSeries: 2, days: 6, actualUnits: 30, forecastUnits: 30 });
  });

  test('merging batch accumulators equals accumulating one by one, in any order', () => {
    const sequential = accumulate(a1, S2.actual, S2.forecast, 2);
    expect(mergeAccumulators(a1, a2)).toEqual(sequential);
    expect(mergeAccumulators(a2, a1)).toEqual(sequential);
    expect(mergeAccumulators(a1, emptyAccumulator(), a2)).toEqual(sequential);
    expect(mergeAccumulators()).toEqual(emptyAccumulator());
  });

  test('a series without an in-sample scale counts in WAPE and bias, not in MASE', () => {
    const s = summarise(accumulate(a1, S2.actual, S2.forecast, null));
    expect(s.wape).toBeCloseTo(0.4, 12);
    expect(s.mase).toBeCloseTo(3.5, 12);
    expect(s).toMatchObject({ series: 2, maseSeries: 1 });
    expect(summarise(accumulate(a1, S2.actual, S2.forecast, 0)).maseSeries).toBe(1);
  });

  test('an empty holdout changes nothing; an empty accumulator summarises to nulls', () => {
    expect(accumulate(a1, [], [], 1)).toBe(a1);
    expect(summarise(emptyAccumulator())).toEqual({ wape: null, bias: null, mase: null, series: 0, maseSeries: 0, days: 0, actualUnits: 0, forecastUnits: 0 });
  });

  test('a series that sold nothing adds its forecast to the error: WAPE (8 + 2)/20', () => {
    const s = summarise(accumulate(a1, [0, 0], [1, 1], null));
    expect(s.wape).toBeCloseTo(0.5, 12);
    expect(s.bias).toBeCloseTo(0.3, 12); // (4 + 2)/20
  });

  test('accumulators are plain JSON (they travel in activity results)', () => {
    expect(JSON.parse(JSON.stringify(a1))).toEqual(a1);
  });

  test('per category: grouped accumulators merge per key and summarise per key', () => {
    const batch1: Record<string, MetricsAccumulator> = { shoes: a1 };
    const batch2: Record<string, MetricsAccumulator> = { shoes: a2, bags: a2 };
    const merged = mergeGroups(batch1, batch2);
    expect(Object.keys(merged)).toEqual(['bags', 'shoes']);
    const summaries = summariseGroups(merged);
    expect(summaries.shoes!.mase).toBeCloseTo(2.25, 12);
    expect(summaries.shoes!.bias).toBeCloseTo(0, 12);
    expect(summaries.bags!.wape).toBeCloseTo(0.4, 12);
    expect(summaries.bags!.bias).toBeCloseTo(-0.4, 12);
    expect(summaries.bags!.series).toBe(1);
  });
});

describe('addSeriesSums (stored per-series sums, as model versions keep them)', () => {
  it.each<[string, number[], number[], number[]]>([
    ['ordinary series', [3, 0, 5, 2], [2, 1, 4, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['no in-sample scale', [1, 1], [0, 2], [4, 4, 4, 4, 4, 4, 4, 4]],
    ['nothing sold', [0, 0, 0], [1, 1, 1], [0, 1, 0, 1, 0, 1, 0, 1]],
  ])('%s: the same accumulator as accumulate()', (_name, actual, forecast, inSample) => {
    const scale = maseScale(inSample);
    const expected = accumulate(emptyAccumulator(), actual, forecast, scale);
    const acc = emptyAccumulator();
    addSeriesSums(acc, {
      days: actual.length,
      actualUnits: actual.reduce((a, b) => a + b, 0),
      absError: actual.reduce((s, a, i) => s + Math.abs(a - forecast[i]!), 0),
      signedError: actual.reduce((s, a, i) => s + forecast[i]! - a, 0),
      scale: scale ?? 0,
    });
    expect(acc).toEqual(expected);
  });

  it('ignores a series with no holdout days', () => {
    const acc = emptyAccumulator();
    addSeriesSums(acc, { days: 0, actualUnits: 0, absError: 0, signedError: 0, scale: 1 });
    expect(acc).toEqual(emptyAccumulator());
  });
});
