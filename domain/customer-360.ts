/**
 * Customer 360: a compact, derived view of one customer (profile + purchase history) that the
 * appointment-recovery process shows the store manager, ranks stylists against and pre-selects
 * items for.
 *
 * Pure: no I/O, no clock. `now` is a parameter so the same inputs always give the same view
 * (this file is bundled into the Temporal workflow sandbox).
 */
import { compareStrings, roundTo } from './text';

export type CustomerTierName = 'STANDARD' | 'SILVER' | 'GOLD' | 'PLATINUM';

export interface CustomerProfile {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  tier: CustomerTierName;
  memberSince: string; // ISO
  styleTags: string[];
  preferredColours: string[];
  preferredCategories: string[];
  sizeTop: string | null;
  sizeBottom: string | null;
  shoeSize: string | null;
  styleNotes: string | null;
}

export interface PurchaseRecord {
  purchasedAt: string;
  total: number;
  categories: string[];
}

export interface Customer360 {
  customerId: string;
  name: string;
  firstName: string;
  email: string;
  tier: CustomerTierName;
  yearsAsMember: number; // one decimal
  purchaseCount: number;
  lastPurchaseAt: string | null;
  daysSinceLastPurchase: number | null;
  averageSpend: number; // 2 decimals
  totalSpend: number; // 2 decimals
  topCategories: string[]; // by frequency, then preferredCategories
  styleTags: string[];
  preferredColours: string[];
  sizes: { top: string | null; bottom: string | null; shoe: string | null };
  styleNotes: string | null;
}

/** At most this many categories are kept in `topCategories`. */
export const MAX_TOP_CATEGORIES = 5;

const MS_PER_DAY = 24 * 60 * 60 * 1000;
const DAYS_PER_YEAR = 365.25;

function parseTime(iso: string): number | null {
  const t = new Date(iso).getTime();
  return Number.isFinite(t) ? t : null;
}

function normaliseCategory(category: string): string {
  return category.trim().toLowerCase();
}

function uniqueNonEmpty(values: readonly string[], normalise: (v: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of values) {
    const v = normalise(raw);
    if (v === '' || seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

function blankToNull(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Top categories: categories she has bought, most purchases first (a purchase counts once per
 * category it contains); ties go to the one she lists as preferred (in her order), then
 * alphabetically. Preferred categories she has not bought yet follow. At most MAX_TOP_CATEGORIES.
 */
function topCategoriesOf(preferred: readonly string[], purchases: readonly PurchaseRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const p of purchases) {
    for (const c of uniqueNonEmpty(p.categories, normaliseCategory)) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  const prefRank = (c: string): number => {
    const i = preferred.indexOf(c);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  const bought = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || prefRank(a) - prefRank(b) || compareStrings(a, b));
  const result = [...bought];
  for (const c of preferred) if (!counts.has(c)) result.push(c);
  return result.slice(0, MAX_TOP_CATEGORIES);
}

export function buildCustomer360(profile: CustomerProfile, purchases: PurchaseRecord[], now: Date): Customer360 {
  const nowMs = now.getTime();

  const memberSinceMs = parseTime(profile.memberSince);
  const yearsAsMember = memberSinceMs === null ? 0 : roundTo(Math.max(0, nowMs - memberSinceMs) / MS_PER_DAY / DAYS_PER_YEAR, 1);

  const totals = purchases.map((p) => (Number.isFinite(p.total) ? p.total : 0));
  const purchaseCount = purchases.length;
  const rawTotal = totals.reduce((sum, t) => sum + t, 0);
  const totalSpend = roundTo(rawTotal, 2);
  const averageSpend = purchaseCount === 0 ? 0 : roundTo(rawTotal / purchaseCount, 2);

  let lastMs: number | null = null;
  for (const p of purchases) {
    const t = parseTime(p.purchasedAt);
    if (t !== null && (lastMs === null || t > lastMs)) lastMs = t;
  }
  const lastPurchaseAt = lastMs === null ? null : new Date(lastMs).toISOString();
  const daysSinceLastPurchase = lastMs === null ? null : Math.max(0, Math.floor((nowMs - lastMs) / MS_PER_DAY));

  const preferredCategories = uniqueNonEmpty(profile.preferredCategories, normaliseCategory);
  const firstName = profile.firstName.trim();

  return {
    customerId: profile.id,
    name: [firstName, profile.lastName.trim()].filter((s) => s !== '').join(' '),
    firstName,
    email: profile.email,
    tier: profile.tier,
    yearsAsMember,
    purchaseCount,
    lastPurchaseAt,
    daysSinceLastPurchase,
    averageSpend,
    totalSpend,
    topCategories: topCategoriesOf(preferredCategories, purchases),
    styleTags: uniqueNonEmpty(profile.styleTags, (s) => s.trim().toLowerCase()),
    preferredColours: uniqueNonEmpty(profile.preferredColours, (s) => s.trim().toLowerCase()),
    sizes: { top: blankToNull(profile.sizeTop), bottom: blankToNull(profile.sizeBottom), shoe: blankToNull(profile.shoeSize) },
    styleNotes: blankToNull(profile.styleNotes),
  };
}
