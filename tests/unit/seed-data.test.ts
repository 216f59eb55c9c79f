import {
  DEMO_PRINCIPALS,
  MARIA_ID,
  DEMO_CHAMPION_HOLDOUT_DAYS,
  DEMO_CHAMPION_SPEC,
  SALES_HISTORY_DAYS,
  VICTORIA_ID,
  censoredUnits,
  demoChampion,
  generateSeedData,
  isoDay,
  seedCounts,
  seedFingerprint,
  type SeedData,
} from '../../prisma/seed-data';
import { forecastWithSpec } from '../../domain/demand-models';

const NOW = new Date('2026-11-24T18:30:00.000Z');
const DAY_MS = 86_400_000;

describe('demo seed data', () => {
  let data: SeedData;
  let randomSpy: jest.SpyInstance;
  let dateNowSpy: jest.SpyInstance;

  beforeAll(() => {
    randomSpy = jest.spyOn(Math, 'random');
    dateNowSpy = jest.spyOn(Date, 'now');
    data = generateSeedData(NOW);
  });

  afterAll(() => {
    randomSpy.mockRestore();
    dateNowSpy.mockRestore();
  });

  it('uses neither Math.random nor the clock', () => {
    expect(randomSpy).not.toHaveBeenCalled();
    expect(dateNowSpy).not.toHaveBeenCalled();
  });

  it('is deterministic for a given now', () => {
    const again = generateSeedData(new Date(NOW.getTime()));
    expect(seedFingerprint(again)).toBe(seedFingerprint(data));
  });

  it('keeps the catalogue independent of now while dates follow it', () => {
    const later = generateSeedData(new Date(NOW.getTime() + 3 * DAY_MS));
    expect(later.products).toEqual(data.products);
    expect(later.sales.firstDay).toBe(isoDay(NOW.getTime() - (SALES_HISTORY_DAYS - 3) * DAY_MS));
    expect(seedFingerprint(later)).not.toBe(seedFingerprint(data));
  });

  it('has row counts in the expected ranges', () => {
    const c = seedCounts(data);
    expect(c.regions).toBe(2);
    expect(c.stores).toBe(6);
    expect(c.suppliers).toBe(8);
    expect(c.products).toBe(300);
    expect(c.inventory).toBe(6 * 300);
    expect(c.salesDaily).toBe(6 * 300 * 730);
    expect(c.customers).toBeGreaterThanOrEqual(1950);
    expect(c.customers).toBeLessThanOrEqual(2050);
    expect(c.orders).toBeGreaterThan(4000);
    expect(c.orders).toBeLessThan(15000);
    expect(c.orderLines).toBeGreaterThan(c.orders);
    expect(c.staff).toBeGreaterThanOrEqual(6 * 7 + 2);
    expect(c.staff).toBeLessThanOrEqual(6 * 10 + 2);
    expect(c.shifts).toBeGreaterThan(1500);
    expect(c.rooms).toBeGreaterThanOrEqual(6 * 6);
    expect(c.competitorPrices).toBeGreaterThan(100);
    expect(c.principals).toBe(9);
  });

  it('lays out stores, regions and managers as DESIGN.md describes', () => {
    expect(data.stores.map((s) => `${s.id}:${s.regionId}`)).toEqual(['S001:WEST', 'S002:WEST', 'S003:WEST', 'S004:EAST', 'S005:EAST', 'S006:EAST']);
    expect(data.stores[0]).toMatchObject({ name: 'Retail Ops Union Square', city: 'San Francisco', timezone: 'America/Los_Angeles' });
    for (const store of data.stores) {
      const staff = data.staff.filter((s) => s.storeId === store.id);
      expect(staff.filter((s) => s.role === 'STORE_MANAGER')).toHaveLength(1);
      const stylists = staff.filter((s) => s.role === 'STYLIST').length;
      expect(stylists).toBeGreaterThanOrEqual(4);
      expect(stylists).toBeLessThanOrEqual(6);
      const associates = staff.filter((s) => s.role === 'SALES_ASSOCIATE').length;
      expect(associates).toBeGreaterThanOrEqual(2);
      expect(associates).toBeLessThanOrEqual(3);
      expect(data.rooms.filter((r) => r.storeId === store.id && r.kind === 'SUITE').length).toBeGreaterThanOrEqual(2);
    }
    const regional = data.staff.filter((s) => s.role === 'REGIONAL_MANAGER');
    expect(regional.map((s) => s.regionId).sort()).toEqual(['EAST', 'WEST']);
    expect(regional.every((s) => s.storeId === null)).toBe(true);
    expect(data.staff.find((s) => s.id === 'ST-S001-MGR')).toMatchObject({ firstName: 'Alex', lastName: 'Morgan', role: 'STORE_MANAGER' });
    for (const s of data.staff) {
      expect(s.rating).toBeGreaterThanOrEqual(3.5);
      expect(s.rating).toBeLessThanOrEqual(5);
    }
    expect(new Set(data.staff.map((s) => s.email)).size).toBe(data.staff.length);
  });

  it('makes Maria Santos the best-rated womens stylist in S001, with history with Victoria', () => {
    const womens = data.staff
      .filter((s) => s.storeId === 'S001' && s.role === 'STYLIST' && s.skills.includes('womens_apparel'))
      .sort((a, b) => b.rating - a.rating);
    expect(womens[0].id).toBe(MARIA_ID);
    expect(womens[0]).toMatchObject({ firstName: 'Maria', lastName: 'Santos', rating: 4.9 });
    expect(womens[0].skills).toEqual(expect.arrayContaining(['personal_styling', 'womens_apparel', 'occasion_wear', 'workwear']));
    expect(womens[1].rating).toBeLessThan(4.9);
    const s001Stylists = data.staff.filter((s) => s.storeId === 'S001' && s.role === 'STYLIST');
    expect(Math.max(...s001Stylists.filter((s) => s.id !== MARIA_ID).map((s) => s.rating))).toBeLessThan(4.9);

    const sessions = data.appointments.filter((a) => a.customerId === VICTORIA_ID);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.every((a) => a.stylistId === MARIA_ID && a.status === 'COMPLETED' && a.startsAt < NOW)).toBe(true);
  });

  it('gives Victoria Chen her profile and about fifteen purchases, mostly womens-apparel', () => {
    const victoria = data.customers.find((c) => c.id === VICTORIA_ID)!;
    expect(victoria).toMatchObject({
      firstName: 'Victoria',
      lastName: 'Chen',
      email: 'victoria.chen@example.com',
      tier: 'PLATINUM',
      emailConsent: true,
      homeStoreId: 'S001',
      sizeTop: 'M',
      sizeBottom: '8',
      shoeSize: '38',
    });
    expect(victoria.styleTags).toEqual(['classic', 'minimalist', 'business']);
    expect(victoria.preferredColours).toEqual(['navy', 'ivory', 'camel']);
    const years = (NOW.getTime() - victoria.memberSince.getTime()) / (365 * DAY_MS);
    expect(years).toBeGreaterThan(4.8);
    expect(years).toBeLessThan(5.3);
    const orders = data.orders.filter((o) => o.customerId === VICTORIA_ID);
    expect(orders.length).toBeGreaterThanOrEqual(13);
    expect(orders.length).toBeLessThanOrEqual(17);
    const ids = new Set(orders.map((o) => o.id));
    const lines = data.orderLines.filter((l) => ids.has(l.orderId));
    const category = new Map(data.products.map((p) => [p.sku, p.category]));
    const womens = lines.filter((l) => category.get(l.sku) === 'womens-apparel').length;
    expect(womens / lines.length).toBeGreaterThan(0.5);
  });

  it('has enough womens-apparel in Victoria sizes in stock at S001 to pre-select a dozen', () => {
    const bySku = new Map(data.products.map((p) => [p.sku, p]));
    const inStock = data.inventory.filter((i) => {
      const p = bySku.get(i.sku)!;
      return i.storeId === 'S001' && i.onHand > 0 && p.category === 'womens-apparel' && (p.size === 'M' || p.size === '8');
    });
    expect(inStock.length).toBeGreaterThanOrEqual(12);
  });

  it('prices products with 40-65% margins and MAP below price', () => {
    for (const p of data.products) {
      const margin = (p.priceCents - p.costCents) / p.priceCents;
      expect(margin).toBeGreaterThanOrEqual(0.399);
      expect(margin).toBeLessThanOrEqual(0.651);
      if (p.mapCents !== null) {
        expect(p.mapCents).toBeLessThanOrEqual(p.priceCents);
        expect(p.mapCents).toBeGreaterThan(p.costCents);
      }
      expect([1, 2, 4, 6, 12]).toContain(p.packSize);
      expect(p.serviceLevel).toBeGreaterThanOrEqual(0.9);
      expect(p.serviceLevel).toBeLessThanOrEqual(0.98);
    }
    const withMap = data.products.filter((p) => p.mapCents !== null).length;
    expect(withMap).toBeGreaterThan(60);
    expect(withMap).toBeLessThan(140);
    for (const i of data.inventory) {
      expect(i.onHand).toBeGreaterThanOrEqual(0);
      expect(i.onHand).toBeLessThanOrEqual(40);
    }
  });

  it('ends two years of sales history yesterday and shows a weekend peak and a holiday peak', () => {
    const first = Date.parse(`${data.sales.firstDay}T00:00:00Z`);
    expect(data.sales.days).toBe(730);
    expect(isoDay(first + (data.sales.days - 1) * DAY_MS)).toBe(isoDay(NOW.getTime() - DAY_MS));

    const byDow = new Array<number>(7).fill(0);
    const dowDays = new Array<number>(7).fill(0);
    const byMonth = new Array<number>(12).fill(0);
    for (let d = 0; d < data.sales.days; d++) {
      const date = new Date(first + d * DAY_MS);
      dowDays[date.getUTCDay()]++;
    }
    const dow = Array.from({ length: data.sales.days }, (_, d) => new Date(first + d * DAY_MS).getUTCDay());
    const month = Array.from({ length: data.sales.days }, (_, d) => new Date(first + d * DAY_MS).getUTCMonth());
    let minUnits = Infinity;
    for (const s of data.sales.series) {
      for (let d = 0; d < s.units.length; d++) {
        byDow[dow[d]] += s.units[d];
        byMonth[month[d]] += s.units[d];
        if (s.units[d] < minUnits) minUnits = s.units[d];
      }
    }
    expect(minUnits).toBe(0);
    const avg = byDow.map((u, i) => u / dowDays[i]);
    const weekend = (avg[0] + avg[6]) / 2;
    const midweek = (avg[1] + avg[2] + avg[3] + avg[4]) / 4;
    expect(weekend).toBeGreaterThan(midweek * 1.3);
    const meanMonth = byMonth.reduce((a, b) => a + b, 0) / 12;
    expect(byMonth[11]).toBeGreaterThan(meanMonth * 1.2);

    // Slow movers show intermittent demand (many zero days).
    const zeroShare = data.sales.series.reduce((n, s) => n + s.units.filter((u) => u === 0).length, 0) / (data.sales.series.length * data.sales.days);
    expect(zeroShare).toBeGreaterThan(0.2);
  });

  it('sells every SKU at three or more prices (chain-wide promotions, none in the last 35 days), never below cost or MAP, so elasticity can be estimated', () => {
    const products = new Map(data.products.map((p) => [p.sku, p]));
    let estimable = 0;
    const skus = new Set<string>();
    for (const s of data.sales.series) {
      const p = products.get(s.sku)!;
      const prices = new Set<number>();
      for (let d = 0; d < data.sales.days; d++) {
        const pc = s.dailyPriceCents[d]!;
        const outOfRange =
          pc > p.priceCents || pc <= p.costCents || (p.mapCents !== null && pc < p.mapCents) || (d >= data.sales.days - 35 && pc !== p.priceCents);
        if (outOfRange) throw new Error(`${s.storeId} ${s.sku} day ${d}: ${pc} (list ${p.priceCents}, cost ${p.costCents}, MAP ${p.mapCents})`);
        if (s.units[d]! > 0) prices.add(pc);
      }
      if (!skus.has(s.sku) && prices.size >= 3) estimable++;
      skus.add(s.sku);
    }
    // Per SKU in the first store it is sold in: most SKUs have sales at 3+ distinct prices.
    expect(estimable / skus.size).toBeGreaterThan(0.5);
    // Promotions lift sales: units on promotion days beat list-price days, per day, chain-wide.
    let promoUnits = 0,
      promoDays = 0,
      listUnits = 0,
      listDays = 0;
    for (const s of data.sales.series) {
      for (let d = 0; d < data.sales.days; d++) {
        if (s.dailyPriceCents[d] === s.priceCents) {
          listUnits += s.units[d]!;
          listDays++;
        } else {
          promoUnits += s.units[d]!;
          promoDays++;
        }
      }
    }
    expect(promoDays).toBeGreaterThan(0);
    expect(promoUnits / promoDays).toBeGreaterThan((listUnits / listDays) * 1.1);
  });

  it('mixes smooth, slow and lumpy series: lumpy ones sell in occasional large baskets', () => {
    const byPattern = (p: string) => data.sales.series.filter((s) => s.pattern === p);
    const smooth = byPattern('smooth');
    const slow = byPattern('slow');
    const lumpy = byPattern('lumpy');
    expect(smooth.length).toBeGreaterThan(data.sales.series.length * 0.6);
    expect(lumpy.length).toBeGreaterThan(data.sales.series.length * 0.08);
    expect(slow.length).toBeGreaterThan(0);
    // Per series: the share of days with a sale (1 / ADI) and the squared coefficient of variation
    // of the sizes of those sales (CV²), the two axes of the usual demand classification.
    const shape = (s: { units: Int32Array }) => {
      const sizes = Array.from(s.units).filter((u) => u > 0);
      const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
      const variance = sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / sizes.length;
      return { saleDays: sizes.length / s.units.length, cv2: variance / mean ** 2, max: Math.max(...sizes) };
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lumpyShapes = lumpy.map(shape);
    const smoothShapes = smooth.map(shape);
    // Lumpy: sizes far more variable than smooth series of the same sales frequency, with big baskets.
    expect(median(lumpyShapes.map((x) => x.cv2))).toBeGreaterThan(0.49);
    expect(median(smoothShapes.map((x) => x.cv2))).toBeLessThan(0.49);
    expect(median(lumpyShapes.map((x) => x.max))).toBeGreaterThanOrEqual(8);
    // Slow movers sell on a minority of days; the fastest smooth series nearly every day.
    expect(median(slow.map(shape).map((x) => x.saleDays))).toBeLessThan(0.25);
    expect(Math.max(...smoothShapes.map((x) => x.saleDays))).toBeGreaterThan(0.95);
  });

  it("records the shelves' receipts: weekly orders in whole packs, received after the supplier's lead time, about one a week", () => {
    const products = new Map(data.products.map((p) => [p.sku, p]));
    const suppliers = new Map(data.suppliers.map((s) => [s.id, s]));
    let receipts = 0;
    for (const s of data.sales.series) {
      const product = products.get(s.sku)!;
      const supplier = suppliers.get(product.supplierId)!;
      const orderDays = new Set(s.receipts.map((r) => r.orderedDay % 7));
      if (s.receipts.length > 0) expect(orderDays.size).toBe(1);
      for (const r of s.receipts) {
        expect(r.units % Math.max(1, product.packSize)).toBe(0);
        expect(r.units).toBeGreaterThan(0);
        expect(r.receivedDay - r.orderedDay).toBeGreaterThanOrEqual(1);
        expect(r.receivedDay - r.orderedDay).toBeLessThanOrEqual(Math.round(supplier.leadTimeDays + 6 * supplier.leadTimeStdDays));
        expect(r.receivedDay).toBeLessThan(data.sales.days);
      }
      receipts += s.receipts.length;
    }
    const weeks = data.sales.days / 7;
    expect(receipts / data.sales.series.length).toBeGreaterThan(0.5 * weeks);
    expect(receipts / data.sales.series.length).toBeLessThanOrEqual(weeks);
  });

  it('records stock-outs: a few % of days, more for tightly stocked series; a censored day sold what the shelf held', () => {
    let stockoutDays = 0;
    const shares: number[] = [];
    let notFlags = 0;
    for (const s of data.sales.series) {
      let n = 0;
      for (let d = 0; d < data.sales.days; d++) {
        if (s.stockout[d]! > 1) notFlags++;
        n += s.stockout[d]!;
      }
      stockoutDays += n;
      shares.push(n / data.sales.days);
    }
    expect(notFlags).toBe(0);
    const overall = stockoutDays / (data.sales.series.length * data.sales.days);
    expect(overall).toBeGreaterThan(0.01);
    expect(overall).toBeLessThan(0.06);
    // Most series run out now and then; some (tight stock) on 8 % of days or more.
    expect(shares.filter((x) => x > 0).length).toBeGreaterThan(data.sales.series.length * 0.5);
    expect(shares.filter((x) => x >= 0.08).length).toBeGreaterThan(data.sales.series.length * 0.03);
    expect(shares.filter((x) => x >= 0.08).length).toBeLessThan(data.sales.series.length * 0.3);
    // A stock-out usually lasts into the next day or ends with a delivery: empty shelves sell nothing.
    const emptyDays = data.sales.series.reduce((n, s) => n + s.units.filter((u, d) => s.stockout[d] === 1 && u === 0).length, 0);
    expect(emptyDays).toBeGreaterThan(0);
    expect(emptyDays).toBeLessThan(stockoutDays);

    // As forecasting reads them: a stock-out day is NaN, never 0.
    const s = data.sales.series.find((x) => x.stockout.includes(1))!;
    const d = s.stockout.indexOf(1);
    const units = censoredUnits(s);
    expect(units).toHaveLength(data.sales.days);
    expect(units[d]).toBeNaN();
    expect(units.filter((u) => Number.isNaN(u))).toHaveLength(s.stockout.reduce((a, b) => a + b, 0));
    expect(censoredUnits(s, d, d + 2)[0]).toBeNaN();
  });

  it('evaluates the seeded champion (Croston-SBA for every series) on the last 28 days per series, stock-out days left out', () => {
    const champion = demoChampion(data.sales, new Map(data.products.map((p) => [p.sku, p.category])));
    const first = Date.parse(`${data.sales.firstDay}T00:00:00Z`);
    expect(champion).toMatchObject({
      spec: DEMO_CHAMPION_SPEC,
      trainingStart: data.sales.firstDay,
      holdoutStart: isoDay(first + (data.sales.days - DEMO_CHAMPION_HOLDOUT_DAYS) * DAY_MS),
      asOf: isoDay(NOW.getTime()),
    });
    expect(champion.series).toHaveLength(data.sales.series.length);
    const wrong: string[] = [];
    for (const [i, row] of champion.series.entries()) {
      const s = data.sales.series[i]!;
      const measured = censoredUnits(s, data.sales.days - DEMO_CHAMPION_HOLDOUT_DAYS).filter((u) => !Number.isNaN(u));
      const ok =
        row.storeId === s.storeId &&
        row.sku === s.sku &&
        row.family === DEMO_CHAMPION_SPEC.family &&
        JSON.stringify(row.params) === JSON.stringify(DEMO_CHAMPION_SPEC) &&
        row.holdoutDays === measured.length &&
        row.holdoutUnits === measured.reduce((a, b) => a + b, 0) &&
        row.challengerAbsError >= Math.abs(row.challengerError) - 1e-9 &&
        row.championAbsError >= Math.abs(row.championError) - 1e-9 &&
        [row.challengerAbsError, row.championAbsError, row.naiveScale].every(Number.isFinite);
      if (!ok) wrong.push(`${s.storeId}/${s.sku}`);
    }
    expect(wrong).toEqual([]);
    // One series by hand: the spec's forecast from the days before the holdout, flat, against what sold.
    const clean = data.sales.series.findIndex((s) => !s.stockout.slice(data.sales.days - 35).includes(1) && s.pattern === 'smooth');
    const s = data.sales.series[clean]!;
    const t = data.sales.days - DEMO_CHAMPION_HOLDOUT_DAYS;
    const forecast = forecastWithSpec(DEMO_CHAMPION_SPEC, censoredUnits(s, 0, t), DEMO_CHAMPION_HOLDOUT_DAYS).dailyMeans;
    expect(new Set(forecast).size).toBe(1);
    let abs = 0;
    let signed = 0;
    for (let d = 0; d < DEMO_CHAMPION_HOLDOUT_DAYS; d++) {
      abs += Math.abs(s.units[t + d]! - forecast[d]!);
      signed += forecast[d]! - s.units[t + d]!;
    }
    expect(champion.series[clean]!.challengerAbsError).toBeCloseTo(abs, 9);
    expect(champion.series[clean]!.challengerError).toBeCloseTo(signed, 9);
    // SBA's correction takes alpha/2 off every series: over all of them the champion under-forecasts.
    const sums = champion.series.reduce((a, r) => ({ units: a.units + r.holdoutUnits, signed: a.signed + r.challengerError }), { units: 0, signed: 0 });
    expect(sums.signed / sums.units).toBeLessThan(-0.1);
  });

  it('creates the demo principals with demo-key-<id> keys', () => {
    expect(data.principals.map((p) => p.id)).toEqual(['pos-gateway', 'alex', 'taylor', 'jordan', 'casey', 'morgan', 'devi', 'sam', 'maria']);
    for (const p of DEMO_PRINCIPALS) expect(p.apiKey).toBe(`demo-key-${p.id}`);
    const byId = Object.fromEntries(data.principals.map((p) => [p.id, p]));
    expect(byId.alex).toMatchObject({ role: 'store_manager', storeIds: ['S001'], staffId: 'ST-S001-MGR', email: 'alex@retail-ops.local' });
    expect(byId.jordan).toMatchObject({ role: 'regional_manager', regionIds: ['WEST'] });
    expect(byId.casey).toMatchObject({ role: 'category_manager', categories: ['womens-apparel'] });
    expect(byId.maria).toMatchObject({ role: 'associate', storeIds: ['S001'], staffId: MARIA_ID });
    expect(byId['pos-gateway']).toMatchObject({ role: 'system', allScopes: true });
    const staffIds = new Set(data.staff.map((s) => s.id));
    for (const p of data.principals) if (p.staffId) expect(staffIds.has(p.staffId)).toBe(true);
  });

  it('books no future appointment without a stylist and none in S001 (the scenario owns it)', () => {
    const future = data.appointments.filter((a) => a.startsAt > NOW);
    expect(future.length).toBeGreaterThan(0);
    expect(future.every((a) => a.stylistId !== null && a.storeId !== 'S001')).toBe(true);
  });
});
