import type { Db } from '../../platform/db';

export interface SeriesRef {
  storeId: string;
  sku: string;
}

export const seriesKey = (s: SeriesRef): string => `${s.storeId}\u0000${s.sku}`;

/**
 * One series' daily units over the real days of a window: `units[0]` is the day `offset` days after
 * the window's start. A stock-out day is NaN (censored: demand was at least what sold, unknown).
 */
export interface SeriesHistory {
  offset: number;
  units: number[];
}

const DAY_MS = 86_400_000;

const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The last day SalesDaily holds (yyyy-mm-dd), null when it is empty. A skip scan over the (sku, day)
 * index: a few index probes per SKU, not a scan of the table.
 */
export async function lastSalesDay(db: Db): Promise<string | null> {
  const [row] = await db.$queryRaw<{ last: string | null }[]>`
    WITH RECURSIVE skus(sku) AS (
      (SELECT sku FROM "SalesDaily" ORDER BY sku LIMIT 1)
      UNION ALL
      SELECT (SELECT s.sku FROM "SalesDaily" s WHERE s.sku > skus.sku ORDER BY s.sku LIMIT 1) FROM skus WHERE skus.sku IS NOT NULL)
    SELECT to_char(max((SELECT max(d.day) FROM "SalesDaily" d WHERE d.sku = skus.sku)), 'YYYY-MM-DD') AS last FROM skus WHERE skus.sku IS NOT NULL`;
  return row?.last ?? null;
}

/**
 * Daily units of each series over the days of [from, to) (yyyy-mm-dd) that exist for it, one query
 * for all of them. A series starts on its first sale, or on `from` when it sold before `from` (a
 * series whose first rows are all zero starts on its first sale; one that never sold has no days);
 * every series ends with the last day the table holds (`dataEnd`, looked up when not given) or the
 * day before `to`, whichever is first. Between those, a day without a SalesDaily row is 0 (rows
 * are written for days with sales), negative units (returns booked against a day) are 0, and a
 * stock-out day is NaN.
 *
 * Each series' days come back as one text of `offset:units` pairs (parsed by readDayUnits; `x` for
 * a stock-out): a third of the CPU of two integer arrays per series, which the worker spends on the
 * same thread that fits the models.
 */
export async function loadDailyUnits(
  db: Db,
  series: readonly SeriesRef[],
  from: string,
  to: string,
  opts: { dataEnd?: string | null } = {},
): Promise<Map<string, SeriesHistory>> {
  const out = new Map<string, SeriesHistory>();
  for (const s of series) out.set(seriesKey(s), { offset: 0, units: [] });
  let days = daysBetween(from, to);
  if (series.length === 0 || days <= 0) return out;
  const dataEnd = opts.dataEnd !== undefined ? opts.dataEnd : await lastSalesDay(db);
  if (dataEnd === null) return out;
  days = Math.min(days, daysBetween(from, dataEnd) + 1);
  if (days <= 0) return out;
  const rows = await db.$queryRaw<{ storeId: string; sku: string; sales: string | null; firstSale: number | null; soldBefore: boolean }[]>`
    SELECT k."storeId", k.sku,
           string_agg((s.day - ${from}::date) || ':' || CASE WHEN s.stockout THEN 'x' ELSE s.units::text END, ',') AS sales,
           min(s.day - ${from}::date) FILTER (WHERE s.units > 0) AS "firstSale",
           EXISTS (SELECT 1 FROM "SalesDaily" e WHERE e."storeId" = k."storeId" AND e.sku = k.sku AND e.day < ${from}::date AND e.units > 0) AS "soldBefore"
      FROM unnest(${series.map((r) => r.storeId)}::text[], ${series.map((r) => r.sku)}::text[]) AS k("storeId", sku)
      LEFT JOIN "SalesDaily" s ON s."storeId" = k."storeId" AND s.sku = k.sku AND s.day >= ${from}::date AND s.day < ${to}::date
     GROUP BY k."storeId", k.sku`;
  for (const r of rows) {
    const offset = r.soldBefore ? 0 : (r.firstSale ?? days);
    if (offset >= days) continue;
    const units = new Array<number>(days - offset).fill(0);
    if (r.sales !== null) readDayUnits(r.sales, units, offset);
    out.set(seriesKey(r), { offset, units });
  }
  return out;
}

/**
 * Writes `offset:units,offset:units,…` into units, where units[0] is the day `first` days after
 * the window's start (offsets outside it ignored, negative units as 0, `x` as NaN: a stock-out).
 */
export function readDayUnits(text: string, units: number[], first = 0): void {
  let i = 0;
  while (i < text.length) {
    let offset = 0;
    let negativeOffset = false;
    if (text.charCodeAt(i) === 45) {
      negativeOffset = true;
      i++;
    }
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) offset = offset * 10 + (c - 48);
    i++; // ':'
    let value = 0;
    let negative = false;
    let censored = false;
    if (text.charCodeAt(i) === 45) {
      negative = true;
      i++;
    } else if (text.charCodeAt(i) === 120) {
      censored = true;
      i++;
    }
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) value = value * 10 + (c - 48);
    i++; // ','
    const at = offset - first;
    if (!negativeOffset && at >= 0 && at < units.length) units[at] = censored ? NaN : negative ? 0 : value;
  }
}
