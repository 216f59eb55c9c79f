/**
 * Discrete demand distributions for slow movers: Poisson and negative binomial probability mass,
 * cumulative probability and quantile, and the choice between them from a mean and a spread.
 *
 * Pure: no I/O, no clock, no randomness. Summation is from 0 upwards with the pmf recurrence in
 * log space, so a mean in the thousands does not underflow (cost grows with k, fine for the
 * counts of a few weeks' demand of one SKU).
 *
 * Negative binomial is parametrised by its mean μ and size r (the "number of successes"):
 *   variance = μ + μ²/r,  P(k) = Γ(k+r) / (Γ(r)·k!) · p^r · (1−p)^k  with p = r / (r + μ).
 * As r → ∞ it tends to Poisson(μ).
 */

/** Over-dispersion (variance / mean) up to which a count is modelled as Poisson rather than negative binomial. */
export const POISSON_DISPERSION_LIMIT = 1.1;

/** Quantiles stop at cumulative probability 1 − this (a target of 1 is never reached exactly). */
const QUANTILE_TAIL = 1e-12;

/** Hard stop for summation, far beyond any count a store orders. */
const MAX_COUNT = 10_000_000;

export type CountDistribution =
  { kind: 'poisson'; mean: number } | { kind: 'negative-binomial'; mean: number; /** r: variance = mean + mean² / size */ size: number };

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function wholeCount(k: number): number {
  return Number.isFinite(k) ? Math.floor(k) : k > 0 ? Infinity : -1;
}

/**
 * Log of the pmf at 0 and the log ratio pmf(k)/pmf(k−1), for the recurrence. For Poisson:
 * log P(0) = −μ, ratio μ/k. For negative binomial: log P(0) = r·log p, ratio (k−1+r)/k · (1−p).
 */
function recurrence(dist: CountDistribution): { logP0: number; logRatio: (k: number) => number } | null {
  const mu = nonNegative(dist.mean);
  if (mu === 0) return null; // all mass at 0
  if (dist.kind === 'poisson' || !(Number.isFinite(dist.size) && dist.size > 0)) {
    const logMu = Math.log(mu);
    return { logP0: -mu, logRatio: (k) => logMu - Math.log(k) };
  }
  const r = dist.size;
  const logP = Math.log(r / (r + mu));
  const logQ = Math.log(mu / (r + mu));
  return { logP0: r * logP, logRatio: (k) => Math.log((k - 1 + r) / k) + logQ };
}

/** P(X = k); 0 for k < 0 or non-integer k. A mean ≤ 0 (or non-finite) puts all mass at 0. */
export function countPmf(dist: CountDistribution, k: number): number {
  if (!Number.isInteger(k) || k < 0) return 0;
  const rec = recurrence(dist);
  if (rec === null) return k === 0 ? 1 : 0;
  let logP = rec.logP0;
  for (let i = 1; i <= k; i++) logP += rec.logRatio(i);
  return Math.exp(logP);
}

/** P(X ≤ k); k is floored (P(X ≤ 2.7) = P(X ≤ 2)); 0 below 0. */
export function countCdf(dist: CountDistribution, k: number): number {
  const top = wholeCount(k);
  if (top < 0) return 0;
  const rec = recurrence(dist);
  if (rec === null) return 1;
  let logP = rec.logP0;
  let sum = Math.exp(logP);
  const last = Math.min(top, MAX_COUNT);
  for (let i = 1; i <= last; i++) {
    logP += rec.logRatio(i);
    sum += Math.exp(logP);
    if (sum >= 1) return 1;
  }
  return Math.min(1, sum);
}

/**
 * The smallest whole k with P(X ≤ k) ≥ p (p clamped to [0, 1 − 1e-12]; a non-finite p counts as 0).
 * A relative tolerance of 1e-12 keeps rounding in the sum from pushing an exact hit one count up.
 */
export function countQuantile(dist: CountDistribution, p: number): number {
  const target = Math.min(1 - QUANTILE_TAIL, Number.isFinite(p) ? Math.max(0, p) : 0);
  const rec = recurrence(dist);
  if (rec === null) return 0;
  let logP = rec.logP0;
  let sum = Math.exp(logP);
  let k = 0;
  while (sum < target - 1e-12 && k < MAX_COUNT) {
    k++;
    logP += rec.logRatio(k);
    sum += Math.exp(logP);
  }
  return k;
}

export function poissonPmf(k: number, mean: number): number {
  return countPmf({ kind: 'poisson', mean }, k);
}

export function poissonCdf(k: number, mean: number): number {
  return countCdf({ kind: 'poisson', mean }, k);
}

export function poissonQuantile(p: number, mean: number): number {
  return countQuantile({ kind: 'poisson', mean }, p);
}

export function negativeBinomialPmf(k: number, mean: number, size: number): number {
  return countPmf({ kind: 'negative-binomial', mean, size }, k);
}

export function negativeBinomialCdf(k: number, mean: number, size: number): number {
  return countCdf({ kind: 'negative-binomial', mean, size }, k);
}

export function negativeBinomialQuantile(p: number, mean: number, size: number): number {
  return countQuantile({ kind: 'negative-binomial', mean, size }, p);
}

/**
 * The count distribution with this mean and standard deviation, by the method of moments:
 * Poisson when variance ≤ POISSON_DISPERSION_LIMIT · mean (under-dispersed counts included, as
 * Poisson is the least spread a count model here offers), otherwise negative binomial with
 * size r = μ² / (variance − μ). Negative or non-finite inputs count as 0.
 */
export function fitCountDistribution(mean: number, std: number): CountDistribution {
  const mu = nonNegative(mean);
  const sd = nonNegative(std);
  const variance = sd * sd;
  if (mu === 0 || variance <= POISSON_DISPERSION_LIMIT * mu) return { kind: 'poisson', mean: mu };
  return { kind: 'negative-binomial', mean: mu, size: (mu * mu) / (variance - mu) };
}

/** Variance of the distribution: μ for Poisson, μ + μ²/r for negative binomial. */
export function countVariance(dist: CountDistribution): number {
  const mu = nonNegative(dist.mean);
  if (dist.kind === 'poisson' || !(Number.isFinite(dist.size) && dist.size > 0)) return mu;
  return mu + (mu * mu) / dist.size;
}
