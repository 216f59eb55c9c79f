/**
 * Item pre-selection for a styling appointment: a short, varied rail of in-stock items in the
 * customer's size, picked from the store's inventory to hold for her before she arrives.
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 */
import type { Customer360 } from './customer-360';
import { compareStrings, formatMoney, humanise, joinList, normaliseKey, roundTo } from './text';

export interface InventoryItem {
  sku: string;
  name: string;
  category: string;
  brand: string;
  colour: string;
  size: string;
  styleTags: string[];
  price: number;
  available: number; // onHand - reserved
}

export interface PreselectedItem extends Omit<InventoryItem, 'styleTags' | 'available'> {
  score: number;
  reasons: string[];
}

export const PRESELECTION_DEFAULTS = { count: 12, maxPerCategory: 6, maxPerBrand: 4 } as const;

/**
 * The item scoring weights, in one place. They sum to 100, so a score is out of 100.
 *
 * - style:    overlap between the item's style tags and hers; two shared tags (or all of hers, if she
 *             has only one) earn the full weight, one of two earns half.
 * - colour:   the item's colour is one of her preferred colours.
 * - category: by the category's place in her top categories: 1st of n earns all, k-th earns (n-k+1)/n.
 * - price:    closeness to her average spend on a log scale: same price earns all, 2x or 1/2x earns
 *             half, 4x or 1/4x or further earns nothing. Nothing when she has no spend history.
 */
export const ITEM_WEIGHTS = {
  style: 40,
  colour: 20,
  category: 25,
  price: 15,
} as const;

/** Sizes meaning "fits anyone", compared after upper-casing and removing spaces. */
const ONE_SIZE = new Set(['ONE', 'ONESIZE', 'OS', 'O/S']);

type SizeKind = 'apparel' | 'footwear' | 'sizeless';

function isOneSize(size: string): boolean {
  return ONE_SIZE.has(normaliseSize(size));
}

function sizeKindOf(category: string): SizeKind {
  const key = normaliseKey(category);
  if (key.includes('footwear') || key.includes('shoe')) return 'footwear';
  if (key.includes('accessor') || key.includes('beauty') || key.includes('home')) return 'sizeless';
  return 'apparel';
}

function normaliseSize(size: string): string {
  return size.trim().toUpperCase().replace(/\s+/g, '');
}

function sameSize(a: string, b: string): boolean {
  const na = normaliseSize(a);
  const nb = normaliseSize(b);
  if (na === nb) return true;
  const x = Number(na);
  const y = Number(nb);
  return na !== '' && nb !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
}

/**
 * Whether the item fits her: one-size items fit anyone; accessories, beauty and home need no size;
 * footwear must be her shoe size; everything else (apparel) her top or bottom size. An unknown size
 * on her side never matches, so she is never offered something that might not fit.
 */
export function fitsCustomer(item: Pick<InventoryItem, 'category' | 'size'>, customer: Customer360): boolean {
  if (isOneSize(item.size)) return true;
  const kind = sizeKindOf(item.category);
  if (kind === 'sizeless') return true;
  const mine = kind === 'footwear' ? [customer.sizes.shoe] : [customer.sizes.top, customer.sizes.bottom];
  return mine.some((s) => s !== null && sameSize(s, item.size));
}

interface Scored {
  item: InventoryItem;
  preferred: boolean;
  inHerColours: boolean;
  score: number;
  reasons: string[];
}

function scoreItem(item: InventoryItem, customer: Customer360, categoryKeys: readonly string[]): Scored {
  const reasons: string[] = [];

  const categoryRank = categoryKeys.indexOf(normaliseKey(item.category));
  const preferred = categoryRank !== -1;
  const categoryPoints = preferred ? (ITEM_WEIGHTS.category * (categoryKeys.length - categoryRank)) / categoryKeys.length : 0;

  const herTags = new Set(customer.styleTags.map(normaliseKey));
  const shared: string[] = [];
  for (const tag of item.styleTags) {
    const key = normaliseKey(tag);
    if (herTags.has(key) && !shared.includes(key)) shared.push(key);
  }
  const styleDenominator = Math.min(2, herTags.size);
  const stylePoints = styleDenominator === 0 ? 0 : (ITEM_WEIGHTS.style * Math.min(shared.length, styleDenominator)) / styleDenominator;

  const colourMatch = customer.preferredColours.some((c) => normaliseKey(c) === normaliseKey(item.colour));
  const colourPoints = colourMatch ? ITEM_WEIGHTS.colour : 0;

  let pricePoints = 0;
  if (customer.averageSpend > 0 && item.price > 0 && Number.isFinite(item.price)) {
    const distance = Math.abs(Math.log(item.price / customer.averageSpend)) / Math.log(4);
    pricePoints = ITEM_WEIGHTS.price * Math.max(0, 1 - distance);
  }

  if (shared.length > 0) reasons.push(`Matches her style: ${joinList(shared.map(humanise))}`);
  if (colourMatch) reasons.push(`In a colour she prefers: ${humanise(item.colour)}`);
  if (preferred) reasons.push(`From one of her top categories: ${humanise(item.category)}`);
  if (pricePoints >= ITEM_WEIGHTS.price / 2) {
    reasons.push(`${formatMoney(item.price)} is close to her average spend of ${formatMoney(customer.averageSpend)}`);
  }
  const sized = !isOneSize(item.size) && sizeKindOf(item.category) !== 'sizeless';
  reasons.push(sized ? `In her size (${item.size.trim()}), ${item.available} available` : `${item.available} available`);

  const score = roundTo(stylePoints + colourPoints + categoryPoints + pricePoints, 1);
  return { item, preferred, inHerColours: colourMatch, score, reasons };
}

function limit(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(0, Math.floor(value));
}

/**
 * Picks up to `count` (default 12) items to hold for her.
 *
 * Eligible: available > 0 and fitting her (see fitsCustomer); a SKU is considered once.
 * Order: items in her top categories first; then items in her preferred colours before the rest,
 * so what is held is in her colours wherever stock allows (a higher-scoring item in another colour
 * comes only after them); then by score (desc), then SKU (asc).
 * Diversity: walking that order, an item is skipped once its category already has `maxPerCategory`
 * (default 6) picks or its brand `maxPerBrand` (default 4). Caps are never relaxed, so fewer than
 * `count` items come back when not enough qualify.
 */
export function preselectItems(
  customer: Customer360,
  items: InventoryItem[],
  opts?: { count?: number; maxPerCategory?: number; maxPerBrand?: number },
): PreselectedItem[] {
  const count = limit(opts?.count, PRESELECTION_DEFAULTS.count);
  const maxPerCategory = limit(opts?.maxPerCategory, PRESELECTION_DEFAULTS.maxPerCategory);
  const maxPerBrand = limit(opts?.maxPerBrand, PRESELECTION_DEFAULTS.maxPerBrand);
  if (count === 0) return [];

  const categoryKeys: string[] = [];
  for (const c of customer.topCategories) {
    const key = normaliseKey(c);
    if (key !== '' && !categoryKeys.includes(key)) categoryKeys.push(key);
  }

  const ranked = items
    .filter((i) => Number.isFinite(i.available) && i.available > 0 && fitsCustomer(i, customer))
    .map((i) => scoreItem(i, customer, categoryKeys))
    .sort(
      (a, b) =>
        Number(b.preferred) - Number(a.preferred) ||
        Number(b.inHerColours) - Number(a.inHerColours) ||
        b.score - a.score ||
        compareStrings(a.item.sku, b.item.sku),
    );

  const picked: PreselectedItem[] = [];
  const seenSkus = new Set<string>();
  const perCategory = new Map<string, number>();
  const perBrand = new Map<string, number>();
  for (const { item, score, reasons } of ranked) {
    if (picked.length >= count) break;
    if (seenSkus.has(item.sku)) continue;
    const categoryKey = normaliseKey(item.category);
    const brandKey = normaliseKey(item.brand);
    if ((perCategory.get(categoryKey) ?? 0) >= maxPerCategory) continue;
    if ((perBrand.get(brandKey) ?? 0) >= maxPerBrand) continue;
    seenSkus.add(item.sku);
    perCategory.set(categoryKey, (perCategory.get(categoryKey) ?? 0) + 1);
    perBrand.set(brandKey, (perBrand.get(brandKey) ?? 0) + 1);
    picked.push({
      sku: item.sku,
      name: item.name,
      category: item.category,
      brand: item.brand,
      colour: item.colour,
      size: item.size,
      price: item.price,
      score,
      reasons,
    });
  }
  return picked;
}
