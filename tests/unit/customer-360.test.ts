import { buildCustomer360, type CustomerProfile, type PurchaseRecord } from '../../domain/customer-360';

const NOW = new Date('2025-06-15T12:00:00.000Z');

function profile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    id: 'C-VICTORIA',
    firstName: 'Victoria',
    lastName: 'Chen',
    email: 'victoria.chen@example.com',
    tier: 'PLATINUM',
    memberSince: '2019-06-15T12:00:00.000Z',
    styleTags: ['classic', 'business', 'evening'],
    preferredColours: ['navy', 'cream'],
    preferredCategories: ['womens-apparel', 'accessories'],
    sizeTop: 'M',
    sizeBottom: '10',
    shoeSize: '8',
    styleNotes: 'Prefers tailored fits.',
    ...overrides,
  };
}

function purchase(purchasedAt: string, total: number, categories: string[] = ['womens-apparel']): PurchaseRecord {
  return { purchasedAt, total, categories };
}

describe('buildCustomer360', () => {
  it('summarises Victoria Chen', () => {
    const view = buildCustomer360(
      profile(),
      [
        purchase('2025-05-01T10:00:00.000Z', 420, ['womens-apparel', 'accessories']),
        purchase('2025-06-01T10:00:00.000Z', 180.5, ['footwear']),
        purchase('2024-12-20T10:00:00.000Z', 250, ['womens-apparel']),
      ],
      NOW,
    );
    expect(view).toEqual({
      customerId: 'C-VICTORIA',
      name: 'Victoria Chen',
      firstName: 'Victoria',
      email: 'victoria.chen@example.com',
      tier: 'PLATINUM',
      yearsAsMember: 6,
      purchaseCount: 3,
      lastPurchaseAt: '2025-06-01T10:00:00.000Z',
      daysSinceLastPurchase: 14,
      averageSpend: 283.5,
      totalSpend: 850.5,
      topCategories: ['womens-apparel', 'accessories', 'footwear'],
      styleTags: ['classic', 'business', 'evening'],
      preferredColours: ['navy', 'cream'],
      sizes: { top: 'M', bottom: '10', shoe: '8' },
      styleNotes: 'Prefers tailored fits.',
    });
  });

  it.each([
    ['exactly six years (two leap days)', '2019-06-15T12:00:00.000Z', 6],
    ['half a year', '2024-12-14T12:00:00.000Z', 0.5],
    ['joined today', '2025-06-15T12:00:00.000Z', 0],
    ['one day short of a year rounds to 1.0', '2024-06-16T12:00:00.000Z', 1],
    ['2.25 years rounds to 2.3', '2023-03-16T00:00:00.000Z', 2.3],
    ['a future join date counts as 0', '2026-01-01T00:00:00.000Z', 0],
    ['an unparseable join date counts as 0', 'not a date', 0],
  ])('yearsAsMember: %s', (_label, memberSince, expected) => {
    expect(buildCustomer360(profile({ memberSince }), [], NOW).yearsAsMember).toBe(expected);
  });

  it.each([
    ['no purchases', [], 0, 0],
    ['one purchase', [120], 120, 120],
    ['three purchases, average rounded to 2 decimals', [100, 200, 50.5], 116.83, 350.5],
    ['binary fractions do not leak', [0.1, 0.2], 0.15, 0.3],
    ['a refund lowers the total', [300, -100], 100, 200],
  ])('spend: %s', (_label, totals, average, total) => {
    const view = buildCustomer360(
      profile(),
      totals.map((t, i) => purchase(`2025-0${i + 1}-01T00:00:00.000Z`, t)),
      NOW,
    );
    expect(view.averageSpend).toBe(average);
    expect(view.totalSpend).toBe(total);
    expect(view.purchaseCount).toBe(totals.length);
  });

  it.each([
    ['latest of unordered purchases', ['2025-01-01T00:00:00.000Z', '2025-06-10T08:00:00.000Z', '2025-03-01T00:00:00.000Z'], '2025-06-10T08:00:00.000Z', 5],
    ['partial days round down', ['2025-06-14T12:00:00.001Z'], '2025-06-14T12:00:00.001Z', 0],
    ['exactly one day ago', ['2025-06-14T12:00:00.000Z'], '2025-06-14T12:00:00.000Z', 1],
    ['offset timestamps are normalised to UTC', ['2025-06-01T10:00:00-07:00'], '2025-06-01T17:00:00.000Z', 13],
    ['invalid dates are ignored for recency', ['garbage', '2024-06-15T12:00:00.000Z'], '2024-06-15T12:00:00.000Z', 365],
    ['no purchases', [], null, null],
  ])('last purchase: %s', (_label, dates, lastPurchaseAt, days) => {
    const view = buildCustomer360(
      profile(),
      dates.map((d) => purchase(d, 10)),
      NOW,
    );
    expect(view.lastPurchaseAt).toBe(lastPurchaseAt);
    expect(view.daysSinceLastPurchase).toBe(days);
  });

  it.each<[string, string[], string[][], string[]]>([
    ['by purchase frequency', [], [['footwear'], ['accessories'], ['footwear']], ['footwear', 'accessories']],
    [
      'frequency ties go to her preferred order',
      ['footwear', 'accessories'],
      [['accessories'], ['footwear']],
      ['footwear', 'accessories'], // alphabetical would say accessories first
    ],
    ['frequency ties without preference go alphabetically', [], [['home'], ['beauty']], ['beauty', 'home']],
    ['preferred categories she has not bought follow', ['womens-apparel', 'accessories'], [['footwear']], ['footwear', 'womens-apparel', 'accessories']],
    ['a purchase counts a category once', [], [['beauty', 'beauty', 'beauty'], ['home'], ['home']], ['home', 'beauty']],
    ['names are trimmed and lower-cased', ['Footwear '], [[' FOOTWEAR'], ['footwear']], ['footwear']],
    ['at most five categories', ['kids'], [['a'], ['b'], ['c'], ['d'], ['e'], ['f'], ['a']], ['a', 'b', 'c', 'd', 'e']],
    ['no purchases: her preferred categories', ['womens-apparel', 'accessories'], [], ['womens-apparel', 'accessories']],
    ['nothing known', [], [], []],
  ])('topCategories: %s', (_label, preferredCategories, baskets, expected) => {
    const view = buildCustomer360(
      profile({ preferredCategories }),
      baskets.map((categories) => purchase('2025-01-01T00:00:00.000Z', 50, categories)),
      NOW,
    );
    expect(view.topCategories).toEqual(expected);
  });

  it('a customer with no purchases and sparse profile', () => {
    const view = buildCustomer360(
      profile({
        lastName: '  ',
        sizeTop: ' ',
        sizeBottom: null,
        shoeSize: '7.5',
        styleNotes: '',
        styleTags: ['Classic', 'classic', ''],
        preferredColours: [],
        preferredCategories: [],
      }),
      [],
      NOW,
    );
    expect(view).toMatchObject({
      name: 'Victoria',
      purchaseCount: 0,
      lastPurchaseAt: null,
      daysSinceLastPurchase: null,
      averageSpend: 0,
      totalSpend: 0,
      topCategories: [],
      styleTags: ['classic'],
      preferredColours: [],
      sizes: { top: null, bottom: null, shoe: '7.5' },
      styleNotes: null,
    });
  });

  it('does not share arrays with the input profile', () => {
    const p = profile();
    const view = buildCustomer360(p, [], NOW);
    view.styleTags.push('boho');
    expect(p.styleTags).toEqual(['classic', 'business', 'evening']);
  });
});
