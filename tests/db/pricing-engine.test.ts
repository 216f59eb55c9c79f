import { createPricingEngineActivities } from '../../activities/price-change/pricing-engine';
import { createDb, type Db } from '../../platform/db';
import { testEnv } from '../../scripts/kit/env';
import { createPricingScenario } from '../support/pricing-fixtures';

const DAY_MS = 86_400_000;
let db: Db;

beforeAll(() => {
  db = createDb(testEnv().databaseUrl, { max: 2 });
});

afterAll(async () => {
  await db.$disconnect();
});

describe('pricing engine reading of sales history', () => {
  test('recovers the elasticity of sales sold at several prices, proposes a price and the impact of the request', async () => {
    const s = await createPricingScenario(db);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const prices = [80, 90, 100, 110];
    // units = 1,000,000 · p^-2: elasticity −2 (rounded to whole units).
    await db.salesDaily.createMany({
      data: Array.from({ length: 60 }, (_, i) => {
        const price = prices[i % prices.length]!;
        const units = Math.round(1_000_000 * price ** -2);
        return { storeId: s.storeIds[0], sku: s.sku, day: new Date(today - (i + 1) * DAY_MS), units, revenue: units * price };
      }),
    });
    const acts = createPricingEngineActivities({ db });
    const r = await acts.estimatePriceResponse({ sku: s.sku, storeIds: s.storeIds, currentPrice: 100, cost: 40, newPrice: 90 });
    expect(r.estimate.n).toBe(60);
    expect(r.estimate.elasticity).toBeCloseTo(-2, 1);
    // Profit-optimal at constant elasticity −2: cost · e / (1 + e) = 80.
    expect(r.proposal?.price).toBeGreaterThan(78);
    expect(r.proposal?.price).toBeLessThan(82);
    expect(r.baselineUnitsPerDay).toBeGreaterThan(90);
    expect(r.impact!.unitsPerDay).toBeGreaterThan(r.baselineUnitsPerDay); // cheaper sells more
    expect(r.impact!.revenueChangePct).toBeGreaterThan(0); // elastic demand: revenue rises on a cut
  });

  test('one price only: no elasticity, said why, no impact', async () => {
    const s = await createPricingScenario(db, { dailySalesBefore: 10 });
    const r = await createPricingEngineActivities({ db }).estimatePriceResponse({
      sku: s.sku,
      storeIds: s.storeIds,
      currentPrice: 100,
      cost: 40,
      newPrice: 90,
    });
    expect(r.estimate.elasticity).toBeNull();
    expect(r.estimate.reason).toBeTruthy();
    expect(r.impact).toBeNull();
    expect(r.baselineUnitsPerDay).toBeCloseTo(20, 5); // two stores × 10 a day
  });
});
