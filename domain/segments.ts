/**
 * Campaign audiences: the declarative segment a marketing user drafts, RFM scoring of the
 * customer base, whether one customer matches, and the segment read back in sentences for the
 * approver.
 *
 * Pure: no I/O, no clock; `asOf` is a parameter. The workflow loads one `CustomerFeatures` row per
 * customer from Postgres, scores the population once with `rfmScores`, then filters with
 * `matchesSegment`.
 */
import { z } from './zod';
import type { CustomerTierName } from './customer-360';
import { humanise, normaliseKey } from './text';

/** The Customer.tier enum of prisma/schema.prisma, lowest first. */
export const CUSTOMER_TIERS = ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'] as const satisfies readonly CustomerTierName[];

/** The named RFM segments a campaign may target, in the precedence `rfmSegment` applies them. */
export const RFM_SEGMENTS = ['champions', 'at_risk', 'hibernating', 'new', 'loyal', 'potential_loyalists'] as const;
export type RfmSegmentName = (typeof RFM_SEGMENTS)[number];

/** Share of a customer's units that must fall in the affinity categories when `minShare` is absent. */
export const DEFAULT_MIN_CATEGORY_SHARE = 0.3;

/** Bounds of the last-purchase windows, in days (ten years). */
export const PURCHASE_WINDOW_DAYS = { min: 1, max: 3650 } as const;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

const unique = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

const idList = (what: string, max: number) =>
  z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, `a ${what} ID such as ${what === 'store' ? 'S001' : 'WEST'}`))
    .min(1, 'must not be empty')
    .max(max)
    .refine(unique, `names a ${what} twice`);

const scoreList = z.array(z.number().int().min(1).max(5)).min(1, 'must not be empty').max(5).refine(unique, 'names a score twice');

const windowDays = z.number().int().min(PURCHASE_WINDOW_DAYS.min).max(PURCHASE_WINDOW_DAYS.max);

const CRITERIA = [
  'tiers',
  'storeIds',
  'regionIds',
  'rfm',
  'rfmSegments',
  'lastPurchaseOlderThanDays',
  'lastPurchaseNewerThanDays',
  'categoryAffinity',
] as const;

export const SegmentSchema = z
  .object({
    allCustomers: z
      .literal(true)
      .optional()
      .openapi({ description: 'Target every customer. Required to say so explicitly: a segment with no criteria is refused.' }),
    tiers: z
      .array(z.enum(CUSTOMER_TIERS))
      .min(1, 'must not be empty')
      .refine(unique, 'names a tier twice')
      .optional()
      .openapi({ description: 'Customer tier is one of these.' }),
    storeIds: idList('store', 500).optional().openapi({ description: 'Home store is one of these.' }),
    regionIds: idList('region', 100).optional().openapi({ description: 'Home store is in one of these regions.' }),
    rfm: z
      .object({ recency: scoreList.optional(), frequency: scoreList.optional(), monetary: scoreList.optional() })
      .strict()
      .refine((r) => r.recency !== undefined || r.frequency !== undefined || r.monetary !== undefined, 'name at least one of recency, frequency, monetary')
      .optional()
      .openapi({ description: 'Allowed RFM scores (1-5, quintiles of the customers with purchases; 5 = most recent, most orders, most spend).' }),
    rfmSegments: z
      .array(z.enum(RFM_SEGMENTS))
      .min(1, 'must not be empty')
      .refine(unique, 'names a segment twice')
      .optional()
      .openapi({ description: 'Named RFM segment is one of these (see rfmSegment in domain/segments.ts).' }),
    lastPurchaseOlderThanDays: windowDays
      .optional()
      .openapi({ description: 'Last purchase at least this many days ago (customers who never purchased do not match).' }),
    lastPurchaseNewerThanDays: windowDays
      .optional()
      .openapi({ description: 'Last purchase less than this many days ago (customers who never purchased do not match).' }),
    categoryAffinity: z
      .object({
        categories: z
          .array(z.string().trim().min(1).max(64))
          .min(1, 'must not be empty')
          .max(50)
          .refine((cs) => unique(cs.map(normaliseKey)), 'names a category twice'),
        minShare: z
          .number()
          .gt(0)
          .max(1)
          .optional()
          .openapi({ description: `Share of the customer's units bought in these categories (default ${DEFAULT_MIN_CATEGORY_SHARE}).` }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const named = CRITERIA.filter((c) => s[c] !== undefined);
    if (s.allCustomers && named.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['allCustomers'], message: `cannot be combined with ${named.join(', ')}` });
    }
    if (!s.allCustomers && named.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'name at least one criterion, or allCustomers: true to target every customer' });
    }
    const older = s.lastPurchaseOlderThanDays;
    const newer = s.lastPurchaseNewerThanDays;
    // At least `older` days ago and less than `newer` days ago: nobody when older >= newer.
    if (older !== undefined && newer !== undefined && older >= newer) {
      ctx.addIssue({
        code: 'custom',
        path: ['lastPurchaseOlderThanDays'],
        message: `must be less than lastPurchaseNewerThanDays (${newer}); otherwise no customer can match`,
      });
    }
  })
  .openapi('CampaignSegment');

export type Segment = z.infer<typeof SegmentSchema>;

export interface CustomerFeatures {
  customerId: string;
  tier: CustomerTierName;
  homeStoreId: string | null;
  regionId: string | null; // the home store's region
  lastPurchaseAt: string | null; // ISO
  orderCount: number;
  totalSpend: number;
  unitsByCategory: Record<string, number>;
}

export interface RfmScore {
  r: number;
  f: number;
  m: number;
}

function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const t = new Date(iso).getTime();
  return Number.isFinite(t) ? t : null;
}

function finiteOr0(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/**
 * Score 1..5 for each value: 1 + floor(5 · percent rank), capped at 5, where percent rank is
 * SQL's PERCENT_RANK(): (rank − 1) / (n − 1) with tied values sharing the lowest rank. So equal
 * values always score the same, the lowest value always scores 1 (a mass of one-order customers
 * is f = 1, not pushed up to 2 or 3 by the tie), the highest distinct value scores 5, and a
 * population of one scores 1.
 */
function percentRankScores(values: readonly number[]): number[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const below = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!below.has(v)) below.set(v, i);
  });
  return values.map((v) => (n <= 1 ? 1 : Math.min(5, 1 + Math.floor((5 * below.get(v)!) / (n - 1)))));
}

/**
 * RFM scores 1..5 for every customer, ranked among the customers with a purchase (see
 * percentRankScores):
 *   recency    whole days since lastPurchaseAt (a purchase after asOf counts as 0 days); fewer days score higher
 *   frequency  orderCount
 *   monetary   totalSpend, to the cent
 * A customer without a purchase (no or unparseable lastPurchaseAt) scores {1, 1, 1} and is left
 * out of the ranking, so a large never-bought population does not lift everyone else's scores.
 * Non-finite counts and amounts count as 0. Independent of input order.
 */
export function rfmScores(customers: readonly CustomerFeatures[], asOf: Date): Map<string, RfmScore> {
  const asOfMs = asOf.getTime();
  const buyers: { id: string; recency: number; frequency: number; monetary: number }[] = [];
  const result = new Map<string, RfmScore>();
  for (const c of customers) {
    const last = parseTime(c.lastPurchaseAt);
    if (last === null) {
      result.set(c.customerId, { r: 1, f: 1, m: 1 });
      continue;
    }
    buyers.push({
      id: c.customerId,
      // Negated so that, like the other two, a higher value scores higher.
      recency: -Math.max(0, Math.floor((asOfMs - last) / MS_PER_DAY)),
      frequency: finiteOr0(c.orderCount),
      monetary: Math.round(finiteOr0(c.totalSpend) * 100),
    });
  }
  const r = percentRankScores(buyers.map((b) => b.recency));
  const f = percentRankScores(buyers.map((b) => b.frequency));
  const m = percentRankScores(buyers.map((b) => b.monetary));
  buyers.forEach((b, i) => result.set(b.id, { r: r[i]!, f: f[i]!, m: m[i]! }));
  return result;
}

/**
 * The named segment of an RFM score. The first rule that holds wins:
 *
 *   #  segment               rule                      e.g.
 *   1  champions             r ≥ 4, f ≥ 4, m ≥ 4       bought recently, often, a lot
 *   2  at_risk               r ≤ 2, f ≥ 3              used to buy often, not lately
 *   3  hibernating           r ≤ 2, f ≤ 2              bought little, long ago
 *   4  new                   r = 5, f = 1              first purchase just now
 *   5  loyal                 f ≥ 4  (so r ≥ 3)         buys often
 *   6  potential_loyalists   r ≥ 4, f ≤ 3              recent, not yet frequent
 *   7  other                 anything else: r = 3, f ≤ 3
 *
 * Rules 2 and 3 split every r ≤ 2; for r ≥ 3 the order decides the overlaps (champions before
 * loyal, new before potential_loyalists). Monetary only separates champions from loyal.
 */
export function rfmSegment(score: RfmScore): RfmSegmentName | 'other' {
  const { r, f, m } = score;
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r <= 2 && f >= 3) return 'at_risk';
  if (r <= 2) return 'hibernating';
  if (r === 5 && f === 1) return 'new';
  if (f >= 4) return 'loyal';
  if (r >= 4) return 'potential_loyalists';
  return 'other';
}

/** Share of the customer's units in `categories` (keys compared with normaliseKey); null when no units. */
function categoryShare(unitsByCategory: Record<string, number>, categories: readonly string[]): number | null {
  const wanted = new Set(categories.map(normaliseKey));
  let total = 0;
  let inWanted = 0;
  for (const [category, units] of Object.entries(unitsByCategory)) {
    if (!Number.isFinite(units) || units <= 0) continue;
    total += units;
    if (wanted.has(normaliseKey(category))) inWanted += units;
  }
  return total === 0 ? null : inWanted / total;
}

/**
 * Whether a customer is in the segment: every criterion present must hold (AND); within a list,
 * any value (OR). A customer without a home store matches no store or region criterion; without
 * a purchase, no last-purchase window and no category affinity. A customer missing from `scores`
 * matches no RFM criterion. Last-purchase windows compare exact elapsed time: "older than 90"
 * is at least 90·24 h before asOf, "newer than 30" less than 30·24 h before it.
 */
export function matchesSegment(segment: Segment, features: CustomerFeatures, scores: ReadonlyMap<string, RfmScore>, asOf: Date): boolean {
  if (segment.tiers && !segment.tiers.includes(features.tier)) return false;
  if (segment.storeIds && (features.homeStoreId === null || !segment.storeIds.includes(features.homeStoreId))) return false;
  if (segment.regionIds && (features.regionId === null || !segment.regionIds.includes(features.regionId))) return false;

  if (segment.rfm || segment.rfmSegments) {
    const score = scores.get(features.customerId);
    if (!score) return false;
    const { recency, frequency, monetary } = segment.rfm ?? {};
    if (recency && !recency.includes(score.r)) return false;
    if (frequency && !frequency.includes(score.f)) return false;
    if (monetary && !monetary.includes(score.m)) return false;
    if (segment.rfmSegments && !(segment.rfmSegments as readonly string[]).includes(rfmSegment(score))) return false;
  }

  const older = segment.lastPurchaseOlderThanDays;
  const newer = segment.lastPurchaseNewerThanDays;
  if (older !== undefined || newer !== undefined) {
    const last = parseTime(features.lastPurchaseAt);
    if (last === null) return false;
    const elapsed = asOf.getTime() - last;
    if (older !== undefined && elapsed < older * MS_PER_DAY) return false;
    if (newer !== undefined && elapsed >= newer * MS_PER_DAY) return false;
  }

  if (segment.categoryAffinity) {
    const share = categoryShare(features.unitsByCategory, segment.categoryAffinity.categories);
    const min = segment.categoryAffinity.minShare ?? DEFAULT_MIN_CATEGORY_SHARE;
    // Tolerance for shares like 3/10 meeting a minimum of 0.3.
    if (share === null || share < min - 1e-9) return false;
  }
  return true;
}

/** `["a", "b", "c"]` -> `"a, b or c"`. */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

function scores(values: readonly number[]): string {
  return orList([...values].sort((a, b) => a - b).map(String));
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/**
 * The segment in sentences for the approver, one per criterion in a fixed order (tiers in enum
 * order, scores ascending, IDs and categories as written), preceded by a reminder that all must
 * hold when there are several.
 */
export function explainSegment(segment: Segment): string[] {
  if (segment.allCustomers) return ['Every customer.'];
  const out: string[] = [];
  if (segment.tiers) {
    const tiers = CUSTOMER_TIERS.filter((t) => segment.tiers!.includes(t));
    out.push(`Tier is ${orList(tiers)}.`);
  }
  if (segment.storeIds) out.push(`Home store is ${orList(segment.storeIds)}.`);
  if (segment.regionIds) out.push(`Home store is in region ${orList(segment.regionIds)}.`);
  if (segment.rfm) {
    const { recency, frequency, monetary } = segment.rfm;
    if (recency) out.push(`RFM recency score (5 = bought most recently) is ${scores(recency)}.`);
    if (frequency) out.push(`RFM frequency score (5 = most orders) is ${scores(frequency)}.`);
    if (monetary) out.push(`RFM monetary score (5 = spent most) is ${scores(monetary)}.`);
  }
  if (segment.rfmSegments) {
    const names = RFM_SEGMENTS.filter((s) => segment.rfmSegments!.includes(s)).map(humanise);
    out.push(`RFM segment is ${orList(names)}.`);
  }
  const older = segment.lastPurchaseOlderThanDays;
  const newer = segment.lastPurchaseNewerThanDays;
  if (older !== undefined && newer !== undefined) {
    out.push(`Last purchase was at least ${older} and less than ${newer} days ago.`);
  } else if (older !== undefined) {
    out.push(`Last purchase was at least ${older} ${older === 1 ? 'day' : 'days'} ago (customers who never bought are excluded).`);
  } else if (newer !== undefined) {
    out.push(`Last purchase was less than ${newer} ${newer === 1 ? 'day' : 'days'} ago.`);
  }
  if (segment.categoryAffinity) {
    const { categories, minShare } = segment.categoryAffinity;
    out.push(`At least ${percent(minShare ?? DEFAULT_MIN_CATEGORY_SHARE)} of the units they bought are ${orList(categories.map(humanise))}.`);
  }
  if (out.length > 1) out.unshift('Customers who meet all of these conditions:');
  return out;
}
