/**
 * Reads what product picks need (domain/product-picks.ts): current best sellers chain-wide and per
 * category from the last four weeks of sales, and each recipient's purchased categories and SKUs.
 * Read-only; the best-seller lists are cached for a few minutes because every batch of every
 * campaign would otherwise recompute the same ranking.
 */
import { pickProducts, type PickCandidate } from '../../domain/product-picks';
import type { Db } from '../../platform/db';

const BEST_SELLER_DAYS = 28;
const PER_CATEGORY = 12;
const OVERALL = 24;
const CACHE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

interface BestSellers {
  byCategory: Map<string, PickCandidate[]>;
  overall: PickCandidate[];
}

interface RankedRow {
  sku: string;
  name: string;
  category: string;
  priceCents: number;
  categoryRank: number;
  overallRank: number;
}

interface PurchaseRow {
  customerId: string;
  categories: string[];
  skus: string[];
  names: string[];
}

export function createPicksSource(deps: { db: Db; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  let cache: { at: number; value: BestSellers } | null = null;

  async function bestSellers(): Promise<BestSellers> {
    const at = now().getTime();
    if (cache && at - cache.at < CACHE_MS) return cache.value;
    const since = new Date(at - BEST_SELLER_DAYS * DAY_MS).toISOString().slice(0, 10);
    const rows = await db.$queryRaw<RankedRow[]>`
      WITH units AS (
        SELECT sku, SUM(units)::int AS units FROM "SalesDaily" WHERE day >= ${since}::date GROUP BY sku
      ), ranked AS (
        SELECT p.sku, p.name, p.category, ROUND(p.price * 100)::int AS "priceCents",
               ROW_NUMBER() OVER (PARTITION BY p.category ORDER BY u.units DESC, p.sku)::int AS "categoryRank",
               ROW_NUMBER() OVER (ORDER BY u.units DESC, p.sku)::int AS "overallRank"
          FROM units u JOIN "Product" p ON p.sku = u.sku
         WHERE p.active AND u.units > 0
      )
      SELECT * FROM ranked WHERE "categoryRank" <= ${PER_CATEGORY} OR "overallRank" <= ${OVERALL}
      ORDER BY "overallRank"`;
    const byCategory = new Map<string, PickCandidate[]>();
    const overall: PickCandidate[] = [];
    const byRank = [...rows].sort((a, b) => a.categoryRank - b.categoryRank || a.overallRank - b.overallRank);
    for (const r of byRank) {
      if (r.categoryRank > PER_CATEGORY) continue;
      const list = byCategory.get(r.category) ?? [];
      list.push({ sku: r.sku, name: r.name, category: r.category, priceCents: r.priceCents });
      byCategory.set(r.category, list);
    }
    for (const r of rows) if (r.overallRank <= OVERALL) overall.push({ sku: r.sku, name: r.name, category: r.category, priceCents: r.priceCents });
    const value = { byCategory, overall };
    cache = { at, value };
    return value;
  }

  /** Picks for each customer (customers with no purchases get chain-wide best sellers, or their preferred categories'). */
  async function picksFor(
    customers: readonly { customerId: string; preferredCategories?: readonly string[] }[],
    count?: number,
  ): Promise<Map<string, PickCandidate[]>> {
    const result = new Map<string, PickCandidate[]>();
    if (customers.length === 0) return result;
    const sellers = await bestSellers();
    // One pass over the customers' order lines (a correlated subquery per customer read every order line once per customer).
    const purchases = await db.$queryRaw<PurchaseRow[]>`
      WITH lines AS (
        SELECT o."customerId", l.sku, l.quantity, p.category, p.name
          FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o.id JOIN "Product" p ON p.sku = l.sku
         WHERE o."customerId" = ANY(${customers.map((c) => c.customerId)}::text[])
      )
      SELECT c."customerId", c.categories, s.skus, s.names
        FROM (SELECT "customerId", array_agg(category ORDER BY units DESC, category) AS categories
                FROM (SELECT "customerId", category, SUM(quantity)::int AS units FROM lines GROUP BY "customerId", category) u
               GROUP BY "customerId") c
        JOIN (SELECT "customerId", array_agg(DISTINCT sku) AS skus, array_agg(DISTINCT name) AS names FROM lines GROUP BY "customerId") s
       USING ("customerId")`;
    const byCustomer = new Map(purchases.map((p) => [p.customerId, p]));
    for (const c of customers) {
      const bought = byCustomer.get(c.customerId);
      result.set(
        c.customerId,
        pickProducts({
          purchasedCategories: bought?.categories ?? [],
          preferredCategories: c.preferredCategories ?? [],
          purchasedSkus: bought?.skus ?? [],
          purchasedNames: bought?.names ?? [],
          bestSellersByCategory: sellers.byCategory,
          overallBestSellers: sellers.overall,
          count,
        }),
      );
    }
    return result;
  }

  return { picksFor };
}

export type PicksSource = ReturnType<typeof createPicksSource>;
