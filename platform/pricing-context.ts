import type { Db } from './db';

export interface PricingContext {
  sku: string;
  name: string;
  category: string;
  cost: number;
  currentPrice: number;
  map: number | null;
  /** The latest observation per competitor over the last 30 days. */
  competitorPrices: number[];
  /** The stores the change applies to, with their regions (every store for a chain-wide change). */
  stores: { storeId: string; regionId: string }[];
}

const DAY_MS = 86_400_000;

/** What a price decision needs to know about a SKU; null when there is no such product. */
export async function loadPricingContext(db: Db, sku: string, storeIds: string[] | null, now: Date = new Date()): Promise<PricingContext | null> {
  const product = await db.product.findUnique({ where: { sku } });
  if (!product) return null;
  const competitors = await db.competitorPrice.findMany({
    where: { sku, observedAt: { gte: new Date(now.getTime() - 30 * DAY_MS) } },
    orderBy: { observedAt: 'desc' },
  });
  const latest = new Map<string, number>();
  for (const c of competitors) if (!latest.has(c.competitor)) latest.set(c.competitor, Number(c.price));
  const stores = await db.store.findMany({ where: storeIds ? { id: { in: storeIds } } : {}, select: { id: true, regionId: true }, orderBy: { id: 'asc' } });
  return {
    sku: product.sku,
    name: product.name,
    category: product.category,
    cost: Number(product.cost),
    currentPrice: Number(product.price),
    map: product.map === null ? null : Number(product.map),
    competitorPrices: [...latest.values()],
    stores: stores.map((s) => ({ storeId: s.id, regionId: s.regionId })),
  };
}
