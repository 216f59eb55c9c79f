/**
 * A few product picks for one customer's campaign email: current best sellers from the categories
 * the customer buys most (then the categories they told us they like), skipping what they already
 * bought, topped up from the chain-wide best sellers. Pure and deterministic: the same inputs give
 * the same picks, so a resent preview and the real email agree.
 */

export interface PickCandidate {
  sku: string;
  name: string;
  category: string;
  /** Shelf price in cents. */
  priceCents: number;
}

export interface PickInput {
  /** Categories the customer bought, most units first. */
  purchasedCategories: readonly string[];
  /** Categories from the customer's profile (preferences), in their order. */
  preferredCategories: readonly string[];
  /** SKUs the customer already bought: never picked. */
  purchasedSkus: ReadonlySet<string> | readonly string[];
  /** Names of the products they bought: the same style in another size or colour is not picked either. */
  purchasedNames?: readonly string[];
  /** Best sellers per category, best first. */
  bestSellersByCategory: ReadonlyMap<string, readonly PickCandidate[]>;
  /** Best sellers across the chain, best first: the top-up when the customer's categories run out. */
  overallBestSellers: readonly PickCandidate[];
  count?: number;
}

export const DEFAULT_PICK_COUNT = 3;

/**
 * Up to `count` picks, at most one per product name (a style in five sizes is one pick), taken
 * round-robin over the customer's categories so three picks do not all come from one of them.
 */
export function pickProducts(input: PickInput): PickCandidate[] {
  const count = Math.max(0, Math.floor(input.count ?? DEFAULT_PICK_COUNT));
  if (count === 0) return [];
  const bought = input.purchasedSkus instanceof Set ? input.purchasedSkus : new Set(input.purchasedSkus as readonly string[]);
  const categories = [...new Set([...input.purchasedCategories, ...input.preferredCategories])].filter((c) => input.bestSellersByCategory.has(c));
  const picks: PickCandidate[] = [];
  const names = new Set<string>();
  const boughtNames = new Set(input.purchasedNames ?? []);
  const take = (c: PickCandidate): boolean => {
    if (bought.has(c.sku) || boughtNames.has(c.name) || names.has(c.name)) return false;
    names.add(c.name);
    picks.push(c);
    return true;
  };

  const cursors = categories.map(() => 0);
  let progressed = true;
  while (picks.length < count && progressed) {
    progressed = false;
    categories.forEach((category, i) => {
      if (picks.length >= count) return;
      const list = input.bestSellersByCategory.get(category)!;
      while (cursors[i]! < list.length) {
        const candidate = list[cursors[i]!]!;
        cursors[i]! += 1;
        if (take(candidate)) {
          progressed = true;
          return;
        }
      }
    });
  }
  for (const c of input.overallBestSellers) {
    if (picks.length >= count) break;
    take(c);
  }
  return picks;
}

/** The picks as plain-text lines for an email body ("- Cashmere Crew Sweater, $189.00"). */
export function formatPicks(picks: readonly PickCandidate[]): string {
  return picks.map((p) => `- ${p.name}, $${(p.priceCents / 100).toFixed(2)}`).join('\n');
}
