/**
 * Deterministic audience split for a campaign: each customer lands in the holdout or one variant
 * from a hash of the campaign and customer IDs alone, so a retry, a replay or a larger audience
 * never moves anyone already assigned, and another campaign shuffles everyone afresh.
 *
 * Pure: no I/O, no Node built-ins (no crypto), so it runs in the Temporal workflow sandbox.
 *
 *   bucket = fmix32(FNV-1a-32(utf8("<campaignId>:<customerId>"))) scaled to [0, 10 000)
 *   [0, holdout basis points)           holdout
 *   [holdout basis points, 10 000)      variants, in key order, each a range proportional to its weight
 *
 * Changing the holdout percentage, the weights or the set of variant keys moves customers; the
 * order the variants are listed in does not.
 */
import { compareStrings } from './text';

export const BASIS_POINTS = 10_000;

export type { CampaignVariant } from './campaign-schemas';

export interface VariantWeight {
  key: string;
  weight?: number;
}

export type VariantAssignment = { group: 'holdout' } | { group: 'variant'; key: string };

function utf8(text: string): number[] {
  const bytes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return bytes;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`; unsigned. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's finaliser. FNV-1a's low bits depend only on the low bits of its input, so IDs that
 * differ in a prefix (the campaign) would land in correlated buckets; this mixes every bit into all.
 */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The customer's bucket for the campaign, an integer in [0, 10 000). */
export function splitBucket(campaignId: string, customerId: string): number {
  const h = fmix32(fnv1a32(`${campaignId}:${customerId}`));
  return Math.floor((h * BASIS_POINTS) / 2 ** 32);
}

/** Holdout percentage in basis points: 2 decimals kept, clamped to [0, 100]%, non-finite is 0. */
function holdoutBasisPoints(holdoutPercent: number): number {
  if (!Number.isFinite(holdoutPercent)) return 0;
  return Math.min(BASIS_POINTS, Math.max(0, Math.round(holdoutPercent * 100)));
}

interface VariantRange {
  key: string;
  end: number; // exclusive, in basis points
}

/** Variant ranges over [holdout, 10 000), sorted by key. Throws on no variants, a repeated key or a weight that is not a positive number. */
function variantRanges(variants: readonly VariantWeight[], holdoutBp: number): VariantRange[] {
  if (variants.length === 0) throw new RangeError('a campaign split needs at least one variant');
  const keys = new Set<string>();
  for (const v of variants) {
    if (keys.has(v.key)) throw new RangeError(`variant key ${v.key} is repeated`);
    keys.add(v.key);
    if (v.weight !== undefined && !(Number.isFinite(v.weight) && v.weight > 0)) {
      throw new RangeError(`variant ${v.key} has weight ${v.weight}; weights must be positive numbers`);
    }
  }
  const sorted = [...variants].sort((a, b) => compareStrings(a.key, b.key));
  const total = sorted.reduce((sum, v) => sum + (v.weight ?? 1), 0);
  const span = BASIS_POINTS - holdoutBp;
  let cumulative = 0;
  return sorted.map((v, i) => {
    cumulative += v.weight ?? 1;
    // The last range always closes at 10 000 so rounding can never leave a bucket unassigned.
    const end = i === sorted.length - 1 ? BASIS_POINTS : holdoutBp + Math.round((span * cumulative) / total);
    return { key: v.key, end };
  });
}

function assignBucket(bucket: number, holdoutBp: number, ranges: readonly VariantRange[]): VariantAssignment {
  if (bucket < holdoutBp) return { group: 'holdout' };
  const range = ranges.find((r) => bucket < r.end) ?? ranges[ranges.length - 1]!;
  return { group: 'variant', key: range.key };
}

/**
 * The customer's group in the campaign (see the file header). `holdoutPercent` is a percentage
 * (10 = 10%); weights default to 1. Throws a RangeError on invalid variants, which
 * CampaignVariantsSchema refuses before a campaign starts.
 */
export function assignVariant(campaignId: string, customerId: string, variants: readonly VariantWeight[], holdoutPercent: number): VariantAssignment {
  const holdoutBp = holdoutBasisPoints(holdoutPercent);
  return assignBucket(splitBucket(campaignId, customerId), holdoutBp, variantRanges(variants, holdoutBp));
}

export interface SplitCounts {
  total: number;
  holdout: number;
  byVariant: Record<string, number>; // every variant key, in the order given, 0 when empty
}

/** How many of the customers land in the holdout and each variant; a repeated ID counts once. */
export function splitCounts(campaignId: string, customerIds: readonly string[], variants: readonly VariantWeight[], holdoutPercent: number): SplitCounts {
  const holdoutBp = holdoutBasisPoints(holdoutPercent);
  const ranges = variantRanges(variants, holdoutBp);
  const byVariant: Record<string, number> = {};
  for (const v of variants) byVariant[v.key] = 0;
  let holdout = 0;
  const ids = new Set(customerIds);
  for (const id of ids) {
    const a = assignBucket(splitBucket(campaignId, id), holdoutBp, ranges);
    if (a.group === 'holdout') holdout += 1;
    else byVariant[a.key] = byVariant[a.key]! + 1;
  }
  return { total: ids.size, holdout, byVariant };
}
