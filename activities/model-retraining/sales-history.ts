import type { Db } from '../../platform/db';

export interface SeriesRef {
  storeId: string;
  sku: string;
}

export const seriesKey = (s: SeriesRef): string => `${s.storeId}\u0000${s.sku}`;

/**
 * Dense daily units of each series over [from, to) (yyyy-mm-dd), one query for all of them: days
 * without a SalesDaily row are 0, and so is anything negative (returns booked against a day).
 */
export async function loadDailyUnits(db: Db, series: readonly SeriesRef[], from: string, to: string): Promise<Map<string, number[]>> {
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  const out = new Map<string, number[]>();
  for (const s of series) out.set(seriesKey(s), new Array<number>(days).fill(0));
  if (series.length === 0 || days <= 0) return out;
  const rows = await db.$queryRaw<{ storeId: string; sku: string; offsets: number[]; units: number[] }[]>`
    SELECT s."storeId", s.sku, array_agg(s.day - ${from}::date) AS offsets, array_agg(s.units) AS units
      FROM "SalesDaily" s
      JOIN unnest(${series.map((r) => r.storeId)}::text[], ${series.map((r) => r.sku)}::text[]) AS k("storeId", sku)
        ON k."storeId" = s."storeId" AND k.sku = s.sku
     WHERE s.day >= ${from}::date AND s.day < ${to}::date
     GROUP BY s."storeId", s.sku`;
  for (const r of rows) {
    const units = out.get(seriesKey(r))!;
    r.offsets.forEach((o, k) => {
      if (o >= 0 && o < days) units[o] = Math.max(0, Number(r.units[k] ?? 0));
    });
  }
  return out;
}
