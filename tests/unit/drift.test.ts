import { assessDrift, DRIFT_THRESHOLDS, populationStabilityIndex, psiCounts, psiEdges, psiFromCounts, type DriftInput } from '../../domain/drift';

/** Deterministic Poisson sample (Knuth's method on a linear congruential generator; tests only). */
function poissonSample(n: number, lambda: number, seed: number): number[] {
  let s = seed;
  const uniform = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, () => {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k += 1;
      p *= uniform();
    } while (p > limit);
    return k - 1;
  });
}

const WEEK = [5, 6, 7, 8, 10, 20, 15];
const weeks = (n: number, f: (u: number) => number = (u) => u): number[] => Array.from({ length: 7 * n }, (_, i) => f(WEEK[i % 7]!));

describe('PSI bins', () => {
  // Sorted baseline [0, 0, 0, 0, 0, 1, 1, 2, 3, 10]: deciles at positions ⌊k·9/10⌋ = 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
  // → 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 10 → distinct edges [0, 1, 2, 3, 10].
  const baseline = [3, 0, 1, 0, 10, 0, 2, 0, 1, 0];

  test('edges are the distinct baseline deciles, minimum to maximum', () => {
    expect(psiEdges(baseline)).toEqual([0, 1, 2, 3, 10]);
    expect(psiEdges([7, 7, 7])).toEqual([7]);
    expect(psiEdges([])).toEqual([]);
  });

  test('counts: below e0, [e(i−1), e(i)) per edge, exactly the maximum, above it', () => {
    // Bins: <0 | {0} | {1} | {2} | [3, 10) | 10 | >10
    expect(psiCounts(baseline, [0, 1, 2, 3, 10])).toEqual([0, 5, 2, 1, 1, 1, 0]);
    // −2 counts as 0; 5 is in [3, 10); 11 is above the maximum.
    expect(psiCounts([0, 1, 11, 5, 10, -2], [0, 1, 2, 3, 10])).toEqual([0, 2, 1, 0, 1, 1, 1]);
    // A constant baseline 7: below 7 | 7 | above 7.
    expect(psiCounts([3, 7, 7, 9], [7])).toEqual([1, 2, 1]);
  });

  test('counts add up across batches binned with the same edges', () => {
    const edges = psiEdges(baseline);
    const a = [0, 1, 4, 12];
    const b = [2, 2, 10, 0, 0];
    const sum = psiCounts(a, edges).map((c, i) => c + psiCounts(b, edges)[i]!);
    expect(psiCounts([...a, ...b], edges)).toEqual(sum);
  });
});

describe('PSI values', () => {
  test.each<[string, number[], number[], number]>([
    // b = (0.5, 0.5), r = (0.25, 0.75): (−0.25)·ln(0.5) + 0.25·ln(1.5) = 0.25·ln 3.
    ['halves shifting to a quarter and three quarters', [50, 50], [25, 75], 0.25 * Math.log(3)],
    // b = (1, ε), r = (0.5, 0.5) with ε = 1e-4: (0.5 − 1)·ln(0.5) + (0.5 − ε)·ln(0.5/ε).
    ['an empty baseline bin gets ε', [10, 0], [5, 5], -0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4)],
    ['identical shares, different sizes', [10, 30, 60], [1, 3, 6], 0],
    ['a bin empty on both sides contributes nothing', [10, 0, 10], [10, 0, 10], 0],
  ])('psiFromCounts: %s', (_name, baseline, recent, expected) => {
    expect(psiFromCounts(baseline, recent)).toBeCloseTo(expected, 12);
  });

  test('psiFromCounts: null without values on either side; RangeError for different bins', () => {
    expect(psiFromCounts([0, 0], [1, 2])).toBeNull();
    expect(psiFromCounts([1, 2], [0, 0])).toBeNull();
    expect(() => psiFromCounts([1, 2], [1, 2, 3])).toThrow(RangeError);
  });

  test.each<[string, number[], number[], number]>([
    ['the same sample', poissonSample(2000, 4, 11), poissonSample(2000, 4, 11), 1e-12],
    ['two samples of Poisson(4)', poissonSample(2000, 4, 11), poissonSample(2000, 4, 99), 0.02],
    ['a year of a weekly pattern vs its last four weeks', weeks(52), weeks(4), 1e-12],
  ])('same distribution → PSI ≈ 0: %s', (_name, baseline, recent, atMost) => {
    const psi = populationStabilityIndex(baseline, recent)!;
    expect(psi).toBeGreaterThanOrEqual(0);
    expect(psi).toBeLessThanOrEqual(atMost);
  });

  test.each<[string, number[], number[]]>([
    ['Poisson(4) → Poisson(6)', poissonSample(2000, 4, 11), poissonSample(2000, 6, 99)],
    ['weekly pattern + 3 units a day', weeks(52), weeks(4, (u) => u + 3)],
    ['weekly pattern × 1.5', weeks(52), weeks(4, (u) => u * 1.5)],
    ['regular seller going intermittent', poissonSample(730, 5, 3), poissonSample(56, 5, 4).map((u, i) => (i % 3 === 0 ? u : 0))],
    ['constant 5 → constant 3 (below the baseline range)', Array(100).fill(5), Array(28).fill(3)],
    ['constant 5 → constant 7 (above it)', Array(100).fill(5), Array(28).fill(7)],
  ])('shifted distribution → PSI above 0.2: %s', (_name, baseline, recent) => {
    expect(populationStabilityIndex(baseline, recent)!).toBeGreaterThan(DRIFT_THRESHOLDS.psi);
  });

  test('a small shift stays below the significant threshold: Poisson(4) → Poisson(4.4)', () => {
    const psi = populationStabilityIndex(poissonSample(2000, 4, 11), poissonSample(2000, 4.4, 99))!;
    expect(psi).toBeGreaterThan(0.005);
    expect(psi).toBeLessThan(0.1);
  });

  test('null with an empty baseline or recent sample', () => {
    expect(populationStabilityIndex([], [1, 2])).toBeNull();
    expect(populationStabilityIndex([1, 2], [])).toBeNull();
  });
});

describe('assessDrift', () => {
  test.each<[string, DriftInput, boolean, Array<[string, string]>]>([
    [
      'PSI above 0.2',
      { psi: 0.25, baselineWape: 0.4, recentWape: 0.42 },
      true,
      [
        ['psi', 'drifted'],
        ['wape', 'stable'],
      ],
    ],
    [
      'PSI exactly 0.2: moderate, not drift',
      { psi: 0.2, baselineWape: 0.4, recentWape: 0.4 },
      false,
      [
        ['psi', 'moderate'],
        ['wape', 'stable'],
      ],
    ],
    [
      'PSI 0.15: moderate',
      { psi: 0.15, baselineWape: null, recentWape: null },
      false,
      [
        ['psi', 'moderate'],
        ['wape', 'unavailable'],
      ],
    ],
    [
      'PSI 0.05: stable',
      { psi: 0.05, baselineWape: 0.4, recentWape: 0.3 },
      false,
      [
        ['psi', 'stable'],
        ['wape', 'stable'],
      ],
    ],
    // 0.40 × 1.25 = 0.50: above it is drift, exactly at it is not.
    [
      'WAPE 0.40 → 0.51 (27.5 % worse)',
      { psi: 0.01, baselineWape: 0.4, recentWape: 0.51 },
      true,
      [
        ['psi', 'stable'],
        ['wape', 'drifted'],
      ],
    ],
    [
      'WAPE 0.40 → 0.50 (exactly 25 % worse)',
      { psi: 0.01, baselineWape: 0.4, recentWape: 0.5 },
      false,
      [
        ['psi', 'stable'],
        ['wape', 'stable'],
      ],
    ],
    [
      'WAPE from a perfect baseline',
      { psi: null, baselineWape: 0, recentWape: 0.1 },
      true,
      [
        ['psi', 'unavailable'],
        ['wape', 'drifted'],
      ],
    ],
    [
      'both',
      { psi: 0.9, baselineWape: 0.3, recentWape: 0.6 },
      true,
      [
        ['psi', 'drifted'],
        ['wape', 'drifted'],
      ],
    ],
    [
      'nothing to compare',
      { psi: null, baselineWape: null, recentWape: 0.3 },
      false,
      [
        ['psi', 'unavailable'],
        ['wape', 'unavailable'],
      ],
    ],
  ])('%s', (_name, input, drifted, statuses) => {
    const a = assessDrift(input);
    expect(a.drifted).toBe(drifted);
    expect(a.checks.map((c) => [c.name, c.status])).toEqual(statuses);
    expect(a.reasons).toHaveLength(statuses.filter(([, s]) => s === 'drifted').length);
  });

  test('reasons name the numbers', () => {
    const a = assessDrift({ psi: 0.31, baselineWape: 0.4, recentWape: 0.52 });
    expect(a.reasons).toEqual([
      'Demand distribution shifted: PSI 0.310 is above 0.2 (significant).',
      'Forecast error grew: recent WAPE 52.0% vs baseline 40.0% (30.0% relative, limit +25.0%).',
    ]);
  });

  test('thresholds are configurable', () => {
    expect(assessDrift({ psi: 0.15, baselineWape: 0.4, recentWape: 0.45 }, { psi: 0.1 }).drifted).toBe(true);
    expect(assessDrift({ psi: 0.05, baselineWape: 0.4, recentWape: 0.45 }, { wapeRelativeIncrease: 0.1 }).drifted).toBe(true);
    expect(assessDrift({ psi: 0.05, baselineWape: 0.4, recentWape: 0.45 }).drifted).toBe(false);
  });
});
