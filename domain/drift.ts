/**
 * Drift of demand against the champion's baseline: has the demand distribution shifted (Population
 * Stability Index) or has the champion's forecast error grown (recent WAPE vs its baseline WAPE)?
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 *
 * PSI = Σ_i (r_i − b_i) · ln(r_i / b_i) over fixed bins, b_i and r_i the baseline's and the recent
 * sample's share of values in bin i. A bin empty on one side gets the share `epsilon` (1e-4) there
 * instead of 0 (shares are not renormalised), so the index stays finite.
 *
 * Bins (fixed by the baseline alone, so recent samples are always binned the same way): the edges
 * e_0 < … < e_k are the distinct baseline deciles q_0 (the minimum), q_0.1, …, q_1 (the maximum),
 * each q_p the observed value at sorted position ⌊p·(n − 1)⌋ (never an interpolated one, which suits
 * whole daily units). The bins are: below e_0; [e_{i−1}, e_i) for i = 1..k; exactly e_k; above e_k.
 * So zero-sales days get a bin of their own as soon as a tenth of the baseline is zero, and values
 * outside the baseline's range (either side) land in bins the baseline left empty. With a constant
 * baseline c that is: below c, c, above c.
 *
 * Values are daily units, sanitised as the forecaster does (negative or non-finite count as 0).
 * For many series the counts are additive: compute edges from the baseline once (`psiEdges`), count
 * each batch (`psiCounts`), add counts, then `psiFromCounts`.
 *
 * Thresholds (DRIFT_THRESHOLDS), the usual reading of PSI: below 0.1 no significant change, 0.1–0.2
 * moderate, above 0.2 significant: drift. Error drift: the recent WAPE worse than the baseline WAPE
 * by more than 25 % relative (0.40 → above 0.50).
 */

export const PSI_DEFAULTS = {
  /** Quantile bins of the baseline (deciles). */
  bins: 10,
  /** Share used for a bin empty on one side. */
  epsilon: 1e-4,
} as const;

/** Daily units of a holdout window in fixed bins: the baseline a later drift check's PSI compares with. */
export interface DemandProfile {
  edges: number[];
  counts: number[];
  from: string;
  to: string;
}

export interface DriftThresholds {
  /** PSI above this is a significant shift of the demand distribution (drift). */
  psi: number;
  /** PSI above this (and not above `psi`) is noted as a moderate shift, not drift. */
  psiModerate: number;
  /** Recent WAPE above baselineWape × (1 + this) is error drift. */
  wapeRelativeIncrease: number;
}

export const DRIFT_THRESHOLDS: DriftThresholds = { psi: 0.2, psiModerate: 0.1, wapeRelativeIncrease: 0.25 };

function sanitise(values: readonly number[]): number[] {
  return values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
}

/** The bin edges of a baseline (see the file comment); empty for an empty baseline. */
export function psiEdges(baseline: readonly number[], bins: number = PSI_DEFAULTS.bins): number[] {
  const sorted = sanitise(baseline).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const b = Math.max(1, Math.floor(bins));
  const edges: number[] = [];
  for (let k = 0; k <= b; k++) {
    const q = sorted[Math.floor((k * (n - 1)) / b)]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  return edges;
}

/** Number of edges ≤ x (edges ascending), by binary search. */
function edgesAtOrBelow(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts of `values` per bin for the given edges: edges.length + 2 bins (below e_0, [e_{i−1}, e_i)
 * for each i, exactly e_k, above e_k). Counts of two samples binned with the same edges add up.
 */
export function psiCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  if (edges.length === 0) return counts;
  const max = edges[edges.length - 1]!;
  for (const v of sanitise(values)) counts[v > max ? edges.length + 1 : edgesAtOrBelow(edges, v)] += 1;
  return counts;
}

/** PSI from per-bin counts of the baseline and the recent sample; null when either has no values. */
export function psiFromCounts(baselineCounts: readonly number[], recentCounts: readonly number[], epsilon: number = PSI_DEFAULTS.epsilon): number | null {
  if (baselineCounts.length !== recentCounts.length) {
    throw new RangeError(`bin counts differ in length (${baselineCounts.length} vs ${recentCounts.length}).`);
  }
  const total = (counts: readonly number[]): number => counts.reduce((s, c) => s + c, 0);
  const nb = total(baselineCounts);
  const nr = total(recentCounts);
  if (nb <= 0 || nr <= 0) return null;
  let psi = 0;
  for (let i = 0; i < baselineCounts.length; i++) {
    const b = baselineCounts[i]! > 0 ? baselineCounts[i]! / nb : epsilon;
    const r = recentCounts[i]! > 0 ? recentCounts[i]! / nr : epsilon;
    psi += (r - b) * Math.log(r / b);
  }
  return psi;
}

/** PSI of a recent sample of daily units against a baseline sample; null when either is empty. */
export function populationStabilityIndex(
  baseline: readonly number[],
  recent: readonly number[],
  opts: { bins?: number; epsilon?: number } = {},
): number | null {
  const edges = psiEdges(baseline, opts.bins ?? PSI_DEFAULTS.bins);
  return psiFromCounts(psiCounts(baseline, edges), psiCounts(recent, edges), opts.epsilon ?? PSI_DEFAULTS.epsilon);
}

export interface DriftInput {
  /** The champion's WAPE when it was evaluated (its baseline). */
  baselineWape: number | null;
  /** The champion's WAPE over the recent window. */
  recentWape: number | null;
  /** PSI of recent daily units against the baseline's. */
  psi: number | null;
}

export interface DriftCheck {
  name: 'psi' | 'wape';
  status: 'drifted' | 'moderate' | 'stable' | 'unavailable';
  detail: string;
}

export interface DriftAssessment {
  drifted: boolean;
  /** One sentence per check that found drift (empty when none did). */
  reasons: string[];
  checks: DriftCheck[];
}

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Drift when PSI > thresholds.psi (0.2), or when recentWape > baselineWape × (1 + thresholds.
 * wapeRelativeIncrease) (25 % worse; with a baseline WAPE of 0, any error). Comparisons are strict:
 * exactly at a threshold is not drift. A missing input leaves its check `unavailable` (not drift).
 */
export function assessDrift(input: DriftInput, thresholds: Partial<DriftThresholds> = {}): DriftAssessment {
  const t: DriftThresholds = { ...DRIFT_THRESHOLDS, ...thresholds };
  const checks: DriftCheck[] = [];

  const { psi } = input;
  if (psi === null || !Number.isFinite(psi)) {
    checks.push({ name: 'psi', status: 'unavailable', detail: 'No PSI: no baseline or no recent demand to compare.' });
  } else if (psi > t.psi) {
    checks.push({ name: 'psi', status: 'drifted', detail: `Demand distribution shifted: PSI ${psi.toFixed(3)} is above ${t.psi} (significant).` });
  } else if (psi > t.psiModerate) {
    checks.push({ name: 'psi', status: 'moderate', detail: `PSI ${psi.toFixed(3)} is a moderate shift (above ${t.psiModerate}, not above ${t.psi}).` });
  } else {
    checks.push({ name: 'psi', status: 'stable', detail: `PSI ${psi.toFixed(3)} is not above ${t.psiModerate}: no significant shift.` });
  }

  const { baselineWape, recentWape } = input;
  if (baselineWape === null || recentWape === null || !Number.isFinite(baselineWape) || !Number.isFinite(recentWape)) {
    checks.push({ name: 'wape', status: 'unavailable', detail: 'No WAPE comparison: the baseline or the recent WAPE is missing (no sales).' });
  } else {
    const limit = baselineWape * (1 + t.wapeRelativeIncrease);
    const change = baselineWape > 0 ? `${percent((recentWape - baselineWape) / baselineWape)} relative` : 'from a perfect baseline';
    if (recentWape > limit) {
      checks.push({
        name: 'wape',
        status: 'drifted',
        detail: `Forecast error grew: recent WAPE ${percent(recentWape)} vs baseline ${percent(baselineWape)} (${change}, limit +${percent(t.wapeRelativeIncrease)}).`,
      });
    } else {
      checks.push({
        name: 'wape',
        status: 'stable',
        detail: `Recent WAPE ${percent(recentWape)} vs baseline ${percent(baselineWape)} is within +${percent(t.wapeRelativeIncrease)}.`,
      });
    }
  }

  const reasons = checks.filter((c) => c.status === 'drifted').map((c) => c.detail);
  return { drifted: reasons.length > 0, reasons, checks };
}
