import type { Db } from '../../platform/db';

/**
 * What a retraining needs from every sales row of its window, in one pass: the data fingerprint
 * (recordDataFingerprint) and each category's daily totals before the holdout, the yearly profiles'
 * input (trainModelBatch). The two steps start together (the fingerprint beside the training), so on
 * one worker the first to ask reads and the other awaits the same read; on another worker a step
 * reads it again (the same figures from the same rows). Kept per model version for half an hour.
 *
 * The fingerprint is the md5 of count, units, first and last day, stores, SKUs and day-weighted
 * units of the window's rows, as registry.ts's salesFingerprint sums them per series (its query, kept for versions registered with the fingerprint): the same
 * figures come from the (category, day), store and SKU groups of one grouping-sets aggregate.
 */
export interface SalesWindow {
  versionId: string;
  /** [from, to) is fingerprinted; the category totals stop at holdoutStart (yyyy-mm-dd). */
  from: string;
  holdoutStart: string;
  to: string;
  /** Only these stores' sales; all stores when null. */
  storeIds: string[] | null;
}

/** A category's daily unit totals from its first day with sales: day `first` + offsets[i] sold totals[i]. */
export interface CategoryDayTotals {
  category: string;
  first: string;
  offsets: number[];
  totals: number[];
}

export interface WindowSales {
  fingerprint: string;
  categories: CategoryDayTotals[];
}

const TTL_MS = 30 * 60_000;
const cache = new Map<string, { at: number; sales: Promise<WindowSales> }>();

export function readWindowSales(db: Db, w: SalesWindow): Promise<WindowSales> {
  const key = [w.versionId, w.from, w.holdoutStart, w.to, w.storeIds === null ? '*' : w.storeIds.join(',')].join('|');
  const now = Date.now();
  for (const [k, v] of cache) if (now - v.at > TTL_MS) cache.delete(k);
  const cached = cache.get(key);
  if (cached) return cached.sales;
  const sales = (async (): Promise<WindowSales> => {
    // GROUPING(category, day, storeId, sku): 3 for a (category, day) group, 13 for a store's, 14 for a SKU's.
    const rows = await db.$queryRaw<({ fingerprint: string } & ({ [K in keyof CategoryDayTotals]: null } | CategoryDayTotals))[]>`
      WITH g AS (
        SELECT p.category, s.day, GROUPING(p.category, s.day, s."storeId", s.sku) AS grp, COUNT(*) AS n, SUM(s.units) AS units
          FROM "SalesDaily" s LEFT JOIN "Product" p ON p.sku = s.sku
         WHERE s.day >= ${w.from}::date AND s.day < ${w.to}::date
           AND (${w.storeIds}::text[] IS NULL OR s."storeId" = ANY(${w.storeIds ?? []}::text[]))
         GROUP BY GROUPING SETS ((p.category, s.day), (s."storeId"), (s.sku))),
      f AS (
        SELECT md5(concat_ws(':', COALESCE(SUM(n) FILTER (WHERE grp = 3), 0), COALESCE(SUM(units) FILTER (WHERE grp = 3), 0),
                             MIN(day) FILTER (WHERE grp = 3), MAX(day) FILTER (WHERE grp = 3), COUNT(*) FILTER (WHERE grp = 13), COUNT(*) FILTER (WHERE grp = 14),
                             COALESCE(SUM(units * (EXTRACT(DOY FROM day)::int % 7 + 1)) FILTER (WHERE grp = 3), 0))) AS fingerprint
          FROM g),
      c AS (
        SELECT category, min(day) AS first FROM g
         WHERE grp = 3 AND category IS NOT NULL AND day < ${w.holdoutStart}::date GROUP BY category)
      SELECT f.fingerprint, t.category, t.first, t.offsets, t.totals
        FROM f LEFT JOIN (
          SELECT g.category, to_char(c.first, 'YYYY-MM-DD') AS first, array_agg((g.day - c.first)::int ORDER BY g.day) AS offsets,
                 array_agg(g.units::float8 ORDER BY g.day) AS totals
            FROM g JOIN c ON c.category = g.category
           WHERE g.grp = 3 AND g.day < ${w.holdoutStart}::date
           GROUP BY g.category, c.first) t ON true`;
    return {
      fingerprint: rows[0]!.fingerprint,
      categories: rows.flatMap(({ fingerprint: _, ...c }) => (c.category === null ? [] : [c])),
    };
  })();
  cache.set(key, { at: now, sales });
  // A failed read is not kept: the retry reads again.
  sales.catch(() => cache.delete(key));
  return sales;
}
