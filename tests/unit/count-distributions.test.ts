import {
  countCdf,
  countPmf,
  countQuantile,
  countVariance,
  fitCountDistribution,
  negativeBinomialCdf,
  negativeBinomialPmf,
  negativeBinomialQuantile,
  poissonCdf,
  poissonPmf,
  poissonQuantile,
} from '../../domain/count-distributions';

describe('Poisson', () => {
  // A slow mover selling 0.3 a day over a 14-day lead time plus review: mean 4.2.
  // P(0) = e^-4.2 = 0.014996, P(k) = P(k-1) * 4.2 / k.
  test.each<[number, number, number]>([
    [0, 0.014996, 0.014996],
    [1, 0.062981, 0.077977],
    [4, 0.194424, 0.589827],
    [7, 0.068593, 0.936057],
    [8, 0.036011, 0.972068],
  ])('mean 4.2: P(%i) = %f, P(X <= k) = %f', (k, pmf, cdf) => {
    expect(poissonPmf(k, 4.2)).toBeCloseTo(pmf, 6);
    expect(poissonCdf(k, 4.2)).toBeCloseTo(cdf, 6);
  });

  test.each<[number, number, number]>([
    // 0.3 a day over 14 days, 95%: P(X <= 7) = 0.936 < 0.95 <= P(X <= 8) = 0.972
    [0.95, 4.2, 8],
    [0.9, 4.2, 7],
    [0.5, 4.2, 4],
    [0.98, 4.2, 9],
    // P(0) = e^-0.1 = 0.905 already covers 90%
    [0.9, 0.1, 0],
    [0.95, 0.1, 1],
    [0.95, 0, 0],
    [0.95, -3, 0],
    [0, 4.2, 0],
    [Number.NaN, 4.2, 0],
  ])('quantile %f of Poisson(%f) is %i', (p, mean, k) => {
    expect(poissonQuantile(p, mean)).toBe(k);
  });

  test('an exact hit is not pushed one count up: P(X <= 0) = e^-1 for mean 1', () => {
    expect(poissonQuantile(Math.exp(-1), 1)).toBe(0);
  });

  test('large means do not underflow: Poisson(2000) median ~ 2000', () => {
    expect(poissonCdf(2000, 2000)).toBeCloseTo(0.50595, 3);
    expect(poissonQuantile(0.5, 2000)).toBe(2000);
  });

  test('out-of-range k', () => {
    expect(poissonPmf(-1, 2)).toBe(0);
    expect(poissonPmf(1.5, 2)).toBe(0);
    expect(poissonCdf(-0.5, 2)).toBe(0);
    expect(poissonCdf(2.9, 2)).toBeCloseTo(poissonCdf(2, 2), 12);
    expect(poissonCdf(Infinity, 2)).toBe(1);
  });
});

describe('negative binomial', () => {
  // Mean 4.2, size 2: p = 2/6.2, P(0) = p^2 = 0.104058, variance 4.2 + 4.2^2/2 = 13.02.
  test.each<[number, number, number]>([
    [0, 0.104058, 0.104058],
    [1, 0.140982, 0.24504],
    [5, 0.089067, 0.716322],
    [10, 0.023294, 0.937297],
    [11, 0.017214, 0.954511],
  ])('mean 4.2 size 2: P(%i) = %f, P(X <= k) = %f', (k, pmf, cdf) => {
    expect(negativeBinomialPmf(k, 4.2, 2)).toBeCloseTo(pmf, 6);
    expect(negativeBinomialCdf(k, 4.2, 2)).toBeCloseTo(cdf, 6);
  });

  test.each<[number, number, number, number]>([
    [0.95, 4.2, 2, 11],
    [0.9, 4.2, 2, 9],
    [0.5, 4.2, 2, 3],
    // size 1 is geometric: P(X <= k) = 1 - (mu/(1+mu))^(k+1); mean 1: 1 - 0.5^(k+1) >= 0.95 at k = 4
    [0.95, 1, 1, 4],
    [0.9375, 1, 1, 3],
  ])('quantile %f with mean %f size %f is %i', (p, mean, size, k) => {
    expect(negativeBinomialQuantile(p, mean, size)).toBe(k);
  });

  test('a very large size is Poisson', () => {
    expect(negativeBinomialCdf(6, 4.2, 1e9)).toBeCloseTo(poissonCdf(6, 4.2), 6);
  });

  test('its masses sum to 1 and its quantile needs more stock than Poisson of the same mean', () => {
    const dist = { kind: 'negative-binomial', mean: 3, size: 0.5 } as const;
    let sum = 0;
    for (let k = 0; k < 400; k++) sum += countPmf(dist, k);
    expect(sum).toBeCloseTo(1, 9);
    expect(countQuantile(dist, 0.95)).toBeGreaterThan(poissonQuantile(0.95, 3));
  });
});

describe('fitCountDistribution', () => {
  test.each<[number, number, ReturnType<typeof fitCountDistribution>]>([
    // variance 0.3 = mean: Poisson
    [0.3, Math.sqrt(0.3), { kind: 'poisson', mean: 0.3 }],
    // under-dispersed: still Poisson
    [2, 0.5, { kind: 'poisson', mean: 2 }],
    // variance 1.1 x mean is the limit
    [1, Math.sqrt(1.1), { kind: 'poisson', mean: 1 }],
    // variance 13.02, mean 4.2: size 4.2^2 / (13.02 - 4.2) = 2
    [4.2, Math.sqrt(13.02), { kind: 'negative-binomial', mean: 4.2, size: 2 }],
    [0, 5, { kind: 'poisson', mean: 0 }],
    [Number.NaN, 1, { kind: 'poisson', mean: 0 }],
  ])('mean %f std %f', (mean, std, expected) => {
    const fitted = fitCountDistribution(mean, std);
    expect(fitted.kind).toBe(expected.kind);
    expect(fitted.mean).toBeCloseTo(expected.mean, 9);
    if (fitted.kind === 'negative-binomial' && expected.kind === 'negative-binomial') expect(fitted.size).toBeCloseTo(expected.size, 9);
  });

  test('the fitted distribution has the variance it was fitted to', () => {
    expect(countVariance(fitCountDistribution(4.2, Math.sqrt(13.02)))).toBeCloseTo(13.02, 9);
    expect(countVariance(fitCountDistribution(0.3, 0.5))).toBeCloseTo(0.3, 9);
  });

  test('no mean puts all mass at 0', () => {
    const none = fitCountDistribution(0, 0);
    expect(countPmf(none, 0)).toBe(1);
    expect(countCdf(none, 0)).toBe(1);
    expect(countQuantile(none, 0.99)).toBe(0);
  });
});
