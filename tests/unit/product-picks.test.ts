import { formatPicks, pickProducts, type PickCandidate, type PickInput } from '../../domain/product-picks';

const p = (sku: string, category: string, name = sku, priceCents = 1000): PickCandidate => ({ sku, name, category, priceCents });

const dresses = [p('D1', 'dresses', 'Wrap Dress'), p('D2', 'dresses', 'Wrap Dress'), p('D3', 'dresses', 'Slip Dress'), p('D4', 'dresses', 'Shirt Dress')];
const shoes = [p('S1', 'shoes', 'Loafer'), p('S2', 'shoes', 'Ankle Boot')];
const bags = [p('B1', 'bags', 'Tote')];
const overall = [p('O1', 'home', 'Candle'), p('D1', 'dresses', 'Wrap Dress'), p('O2', 'beauty', 'Serum'), p('O3', 'beauty', 'Balm')];
const byCategory = new Map<string, readonly PickCandidate[]>([
  ['dresses', dresses],
  ['shoes', shoes],
  ['bags', bags],
]);

function input(overrides: Partial<PickInput> = {}): PickInput {
  return { purchasedCategories: [], preferredCategories: [], purchasedSkus: [], bestSellersByCategory: byCategory, overallBestSellers: overall, ...overrides };
}

const skus = (picks: PickCandidate[]) => picks.map((x) => x.sku);

describe('pickProducts', () => {
  it.each<[string, Partial<PickInput>, string[]]>([
    ['no history, no preferences: chain-wide best sellers', {}, ['O1', 'D1', 'O2']],
    ['one purchased category: its best sellers, one per product name', { purchasedCategories: ['dresses'] }, ['D1', 'D3', 'D4']],
    ['two categories: round-robin, most-bought first', { purchasedCategories: ['shoes', 'dresses'] }, ['S1', 'D1', 'S2']],
    ['three categories: one from each', { purchasedCategories: ['bags', 'shoes', 'dresses'] }, ['B1', 'S1', 'D1']],
    [
      'already-bought SKUs are skipped (the other size of the same style may be picked)',
      { purchasedCategories: ['dresses'], purchasedSkus: ['D1', 'D3'] },
      ['D2', 'D4', 'O1'],
    ],
    [
      'a style bought in one size is not picked in another',
      { purchasedCategories: ['dresses'], purchasedSkus: ['D1'], purchasedNames: ['Wrap Dress'] },
      ['D3', 'D4', 'O1'],
    ],
    ['preferences follow purchases', { purchasedCategories: ['bags'], preferredCategories: ['shoes'] }, ['B1', 'S1', 'S2']],
    ['a category with no best sellers is ignored', { purchasedCategories: ['garden'], preferredCategories: ['bags'] }, ['B1', 'O1', 'D1']],
    ['a category in both lists counts once', { purchasedCategories: ['bags'], preferredCategories: ['bags'] }, ['B1', 'O1', 'D1']],
    ['top-up does not repeat a product name already picked', { purchasedCategories: ['dresses'], purchasedSkus: ['D3', 'D4'], count: 3 }, ['D1', 'O1', 'O2']],
    ['count 5', { purchasedCategories: ['shoes'], count: 5 }, ['S1', 'S2', 'O1', 'D1', 'O2']],
    ['count 0', { purchasedCategories: ['shoes'], count: 0 }, []],
    ['negative count', { count: -2 }, []],
    ['fractional count is floored', { count: 1.9 }, ['O1']],
    ['everything bought: fewer picks than asked', { purchasedSkus: ['O1', 'D1', 'O2', 'O3'], bestSellersByCategory: new Map() }, []],
    ['purchasedSkus as a Set', { purchasedCategories: ['shoes'], purchasedSkus: new Set(['S1']) }, ['S2', 'O1', 'D1']],
  ])('%s', (_name, overrides, expected) => {
    expect(skus(pickProducts(input(overrides)))).toEqual(expected);
  });

  it('is deterministic', () => {
    const i = input({ purchasedCategories: ['dresses', 'shoes'], purchasedSkus: ['S1'] });
    expect(pickProducts(i)).toEqual(pickProducts(i));
  });
});

describe('formatPicks', () => {
  it.each<[PickCandidate[], string]>([
    [[], ''],
    [[p('A', 'x', 'Cashmere Crew Sweater', 18900)], '- Cashmere Crew Sweater, $189.00'],
    [[p('A', 'x', 'Tee', 995), p('B', 'x', 'Cap', 5)], '- Tee, $9.95\n- Cap, $0.05'],
  ])('%j', (picks, expected) => {
    expect(formatPicks(picks)).toBe(expected);
  });
});
