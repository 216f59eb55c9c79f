import { lastSalesDay, loadDailyUnits, seriesKey } from '../../activities/model-retraining/sales-history';
import { createDb, type Db } from '../../platform/db';
import { testEnv } from '../../scripts/kit/env';
import { createModelScenario } from '../support/model-fixtures';

const DAY_MS = 86_400_000;
let db: Db;

beforeAll(() => {
  db = createDb(testEnv().databaseUrl, { max: 2 });
});

afterAll(async () => {
  await db.$disconnect();
});

const day = (asOf: string, plus: number) => new Date(Date.parse(`${asOf}T00:00:00Z`) + plus * DAY_MS);
const iso = (d: Date) => d.toISOString().slice(0, 10);

describe('loadDailyUnits: only the days that exist for each series', () => {
  test('a series starts on its first sale (or the window when it sold before), stock-outs are NaN, nothing after the data ends', async () => {
    const s = await createModelScenario(db, { series: 3, days: 1 });
    const [late, sold, never] = s.skus as [string, string, string];
    await db.salesDaily.deleteMany({ where: { storeId: s.storeId } });
    const row = (sku: string, plus: number, units: number, stockout = false) => ({
      storeId: s.storeId,
      sku,
      day: day(s.asOf, plus),
      units,
      revenue: 0,
      stockout,
    });
    await db.salesDaily.createMany({
      data: [
        // First rows all zero: the series starts on its first sale (day −9); day −7 has no row (0); −8 sold out.
        row(late, -12, 0),
        row(late, -10, 0),
        row(late, -9, 2),
        row(late, -8, 1, true),
        row(late, -6, 3),
        row(late, -1, 1),
        // Sold before the window: it starts with the window, rows or not.
        row(sold, -25, 1),
        // Never sold: no days at all.
        row(never, -5, 0),
      ],
    });
    const from = iso(day(s.asOf, -20));
    const to = iso(day(s.asOf, 5)); // past the data: cut at its last day
    const last = await lastSalesDay(db);
    expect(last).not.toBeNull();
    const end = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
    expect(end).toBeLessThanOrEqual(25);
    const out = await loadDailyUnits(
      db,
      [late, sold, never].map((sku) => ({ storeId: s.storeId, sku })),
      from,
      to,
    );

    const a = out.get(seriesKey({ storeId: s.storeId, sku: late }))!;
    expect(a.offset).toBe(11);
    expect(a.units).toHaveLength(end - 11);
    expect(a.units.slice(0, 9)).toEqual([2, NaN, 0, 3, 0, 0, 0, 0, 1]);
    const b = out.get(seriesKey({ storeId: s.storeId, sku: sold }))!;
    expect(b).toEqual({ offset: 0, units: new Array<number>(end).fill(0) });
    expect(out.get(seriesKey({ storeId: s.storeId, sku: never }))!.units).toEqual([]);
  });
});
