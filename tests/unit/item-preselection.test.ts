import type { Customer360 } from '../../domain/customer-360';
import { customer360 } from '../support/customers';
import { fitsCustomer, ITEM_WEIGHTS, preselectItems, type InventoryItem } from '../../domain/item-preselection';

function customer(overrides: Partial<Customer360> = {}): Customer360 {
  return customer360({ averageSpend: 200, totalSpend: 2800, styleTags: ['classic', 'business'], ...overrides });
}

function item(sku: string, overrides: Partial<InventoryItem> = {}): InventoryItem {
  return {
    sku,
    name: `Item ${sku}`,
    category: 'womens-apparel',
    brand: `Brand ${sku}`,
    colour: 'grey',
    size: 'M',
    styleTags: [],
    price: 50,
    available: 3,
    ...overrides,
  };
}

const skus = (picked: { sku: string }[]): string[] => picked.map((p) => p.sku);

/** n items with distinct SKUs, given fields. */
function many(prefix: string, n: number, fields: (i: number) => Partial<InventoryItem> = () => ({})): InventoryItem[] {
  return Array.from({ length: n }, (_, i) => item(`${prefix}${String(i).padStart(2, '0')}`, fields(i)));
}

describe('preselectItems', () => {
  it('weights sum to 100', () => {
    expect(ITEM_WEIGHTS.style + ITEM_WEIGHTS.colour + ITEM_WEIGHTS.category + ITEM_WEIGHTS.price).toBe(100);
  });

  it.each<[string, Partial<InventoryItem>, Partial<Customer360>, boolean]>([
    ['apparel in her top size', { category: 'womens-apparel', size: 'M' }, {}, true],
    ['apparel in her bottom size', { category: 'womens-apparel', size: '10' }, {}, true],
    ['apparel size compared case- and space-insensitively', { category: 'womens-apparel', size: ' m ' }, {}, true],
    ['apparel in another size', { category: 'womens-apparel', size: 'L' }, {}, false],
    ['apparel in her shoe size is not her size', { category: 'womens-apparel', size: '8' }, {}, false],
    ['one-size apparel', { category: 'womens-apparel', size: 'One Size' }, {}, true],
    ['apparel with a blank size', { category: 'womens-apparel', size: '' }, {}, false],
    ['apparel when her sizes are unknown', { category: 'womens-apparel', size: 'M' }, { sizes: { top: null, bottom: null, shoe: '8' } }, false],
    ['footwear in her shoe size', { category: 'footwear', size: '8' }, {}, true],
    ['footwear size compared numerically', { category: 'footwear', size: '8.0' }, {}, true],
    ['footwear in another size', { category: 'footwear', size: '8.5' }, {}, false],
    ['footwear in her top size is not her size', { category: 'footwear', size: 'M' }, {}, false],
    ['footwear when her shoe size is unknown', { category: 'footwear', size: '8' }, { sizes: { top: 'M', bottom: '10', shoe: null } }, false],
    ['accessories one size', { category: 'accessories', size: 'ONE' }, {}, true],
    ['accessories in any size', { category: 'accessories', size: 'S' }, {}, true],
    ['beauty in any size', { category: 'beauty', size: '50ml' }, {}, true],
    ['home in any size', { category: 'home', size: 'Queen' }, {}, true],
    ['unknown categories need her size', { category: 'kids', size: 'L' }, {}, false],
  ])('size: %s', (_label, fields, customerFields, fits) => {
    const c = customer(customerFields);
    const candidate = item('SKU-1', fields);
    expect(fitsCustomer(candidate, c)).toBe(fits);
    expect(skus(preselectItems(c, [candidate]))).toEqual(fits ? ['SKU-1'] : []);
  });

  it.each([
    ['in stock', 1, true],
    ['out of stock', 0, false],
    ['over-reserved', -2, false],
    ['not a number', Number.NaN, false],
  ])('stock: %s', (_label, available, included) => {
    expect(skus(preselectItems(customer(), [item('SKU-1', { available })]))).toEqual(included ? ['SKU-1'] : []);
  });

  // 30 eligible items: 10 each in three categories, every item its own brand.
  const plenty = [
    ...many('W', 10, () => ({ category: 'womens-apparel' })),
    ...many('A', 10, () => ({ category: 'accessories', size: 'ONE' })),
    ...many('F', 10, () => ({ category: 'footwear', size: '8' })),
  ];

  it.each<[string, { count?: number } | undefined, number]>([
    ['default is 12', undefined, 12],
    ['explicit count', { count: 5 }, 5],
    ['count above supply returns what there is (caps still apply: 3 x 6)', { count: 50 }, 18],
    ['count 0', { count: 0 }, 0],
    ['negative count', { count: -3 }, 0],
    ['fractional count rounds down', { count: 2.9 }, 2],
  ])('count: %s', (_label, opts, expected) => {
    expect(preselectItems(customer(), plenty, opts)).toHaveLength(expected);
  });

  it('default caps: at most 6 of a category, so 12 becomes 6 + 6 across her first two categories', () => {
    const picked = preselectItems(customer(), plenty);
    expect(skus(picked)).toEqual(['W00', 'W01', 'W02', 'W03', 'W04', 'W05', 'A00', 'A01', 'A02', 'A03', 'A04', 'A05']);
  });

  it.each<[string, InventoryItem[], { maxPerCategory?: number; maxPerBrand?: number }, string[]]>([
    ['category cap 3', plenty, { maxPerCategory: 3 }, ['W00', 'W01', 'W02', 'A00', 'A01', 'A02', 'F00', 'F01', 'F02']],
    [
      'brand cap defaults to 4',
      many('S', 8, (i) => ({ brand: 'Same', category: i % 2 === 0 ? 'womens-apparel' : 'accessories' })),
      {},
      ['S00', 'S02', 'S04', 'S06'],
    ],
    [
      'brand cap 2, compared case-insensitively',
      [item('B1', { brand: 'Acme' }), item('B2', { brand: 'ACME' }), item('B3', { brand: 'acme ' })],
      { maxPerBrand: 2 },
      ['B1', 'B2'],
    ],
    ['only one category in stock: capped at 6', many('W', 10), {}, ['W00', 'W01', 'W02', 'W03', 'W04', 'W05']],
  ])('diversity: %s', (_label, items, opts, expected) => {
    expect(skus(preselectItems(customer(), items, opts))).toEqual(expected);
  });

  it('scores style, colour, category and price, with reasons', () => {
    const perfect = item('P1', { styleTags: ['Classic', 'business', 'boho'], colour: 'Navy', price: 200, available: 2 });
    const partial = item('P2', { category: 'accessories', size: 'ONE', styleTags: ['classic'], colour: 'red', price: 100 });
    const distant = item('P3', { category: 'mens-apparel', size: 'M', price: 800 });
    const [a, b, c] = preselectItems(customer(), [distant, partial, perfect]);
    expect([a!.sku, a!.score]).toEqual(['P1', 100]); // 40 style + 20 colour + 25 category + 15 price
    expect([b!.sku, b!.score]).toEqual(['P2', 44.2]); // 20 + 0 + 16.67 (2nd of 3) + 7.5 (half price)
    expect([c!.sku, c!.score]).toEqual(['P3', 0]); // not a top category, 4x her average: nothing
    expect(a!.reasons).toEqual([
      'Matches her style: classic and business',
      'In a colour she prefers: navy',
      'From one of her top categories: womens apparel',
      '$200.00 is close to her average spend of $200.00',
      'In her size (M), 2 available',
    ]);
    expect(b!.reasons).toEqual([
      'Matches her style: classic',
      'From one of her top categories: accessories',
      '$100.00 is close to her average spend of $200.00',
      '3 available',
    ]);
    expect(c!.reasons).toEqual(['In her size (M), 3 available']);
  });

  it.each<[string, InventoryItem[], Partial<Customer360>, string[]]>([
    [
      'her top categories come first even when another scores higher',
      [
        item('X-OTHER', { category: 'mens-apparel', styleTags: ['classic', 'business'], colour: 'navy', price: 200 }),
        item('Y-FAV', { category: 'footwear', size: '8', price: 5 }),
      ],
      {},
      ['Y-FAV', 'X-OTHER'],
    ],
    [
      'within her categories, higher score first',
      [item('A-PLAIN'), item('B-STYLED', { styleTags: ['business'] }), item('C-COLOUR', { colour: 'cream', styleTags: ['business'] })],
      {},
      ['C-COLOUR', 'B-STYLED', 'A-PLAIN'],
    ],
    [
      'her first category outranks her third, all else equal',
      [item('F1', { category: 'footwear', size: '8' }), item('W1', { category: 'womens-apparel' })],
      {},
      ['W1', 'F1'],
    ],
    ['equal scores tie-break by SKU', [item('SKU-C'), item('SKU-A'), item('SKU-B')], {}, ['SKU-A', 'SKU-B', 'SKU-C']],
    [
      'no spend history: price earns nothing, so cheaper is not preferred',
      [item('B-CHEAP', { price: 10 }), item('A-DEAR', { price: 1000 })],
      { averageSpend: 0 },
      ['A-DEAR', 'B-CHEAP'],
    ],
    ['price closer to her average spend wins', [item('A-FAR', { price: 40 }), item('B-NEAR', { price: 180 })], {}, ['B-NEAR', 'A-FAR']],
    ['no top categories: score alone', [item('A1'), item('B1', { colour: 'navy', category: 'home', size: 'ONE' })], { topCategories: [] }, ['B1', 'A1']],
    ['a repeated SKU is picked once', [item('D1'), item('D1')], {}, ['D1']],
  ])('ordering: %s', (_label, items, customerFields, expected) => {
    expect(skus(preselectItems(customer(customerFields), items))).toEqual(expected);
  });

  // Her colours (navy, cream) win within her categories wherever stock allows; they never make an
  // item that does not fit, is out of stock or lies outside her categories jump the queue.
  it.each<[string, InventoryItem[], Partial<Customer360>, { count?: number }, string[]]>([
    [
      'in her colours before a higher-scoring item in another colour',
      [
        item('A-STYLED-GREY', { styleTags: ['classic', 'business'], price: 200 }), // 40 + 25 + 15 = 80
        item('B-PLAIN-NAVY', { colour: 'navy', price: 40 }), // 20 + 25 + ~0 = 45
      ],
      {},
      {},
      ['B-PLAIN-NAVY', 'A-STYLED-GREY'],
    ],
    [
      'colour is compared case- and space-insensitively',
      [item('A-GREY', { styleTags: ['classic'] }), item('B-NAVY', { colour: ' Navy ' }), item('C-CREAM', { colour: 'CREAM' })],
      {},
      {},
      ['B-NAVY', 'C-CREAM', 'A-GREY'],
    ],
    [
      'enough in her colours: every pick is in her colours',
      [...many('G', 4, () => ({ colour: 'grey', styleTags: ['classic', 'business'] })), ...many('N', 3, () => ({ colour: 'navy' }))],
      {},
      { count: 3 },
      ['N00', 'N01', 'N02'],
    ],
    [
      'too few in her colours: the rest filled in score order',
      [item('G1', { colour: 'grey', styleTags: ['classic'] }), item('G2', { colour: 'red' }), item('N1', { colour: 'navy' })],
      {},
      { count: 3 },
      ['N1', 'G1', 'G2'],
    ],
    [
      'her colours do not outrank her categories',
      [item('X-NAVY', { category: 'mens-apparel' }), item('Y-GREY', { category: 'accessories', size: 'ONE' })],
      {},
      {},
      ['Y-GREY', 'X-NAVY'],
    ],
    ['an out-of-stock item in her colours is skipped', [item('A-NAVY-OUT', { colour: 'navy', available: 0 }), item('B-GREY')], {}, {}, ['B-GREY']],
    ['an item in her colours in the wrong size is skipped', [item('A-NAVY-XL', { colour: 'navy', size: 'XL' }), item('B-GREY')], {}, {}, ['B-GREY']],
    [
      'no colour preferences: score alone within her categories',
      [item('B-PLAIN-NAVY', { colour: 'navy' }), item('A-STYLED-GREY', { styleTags: ['business'] })],
      { preferredColours: [] },
      {},
      ['A-STYLED-GREY', 'B-PLAIN-NAVY'],
    ],
    ['the category cap still applies to items in her colours', many('N', 8, () => ({ colour: 'navy' })), {}, {}, ['N00', 'N01', 'N02', 'N03', 'N04', 'N05']],
  ])('colour: %s', (_label, items, customerFields, opts, expected) => {
    expect(skus(preselectItems(customer(customerFields), items, opts))).toEqual(expected);
  });

  it('never returns an out-of-stock or wrong-size item, and fewer than count when supply is short', () => {
    const items = [
      item('OK-1'),
      item('OUT', { available: 0 }),
      item('BIG', { size: 'XL' }),
      item('SHOE-9', { category: 'footwear', size: '9' }),
      item('OK-2', { category: 'footwear', size: '8' }),
    ];
    expect(skus(preselectItems(customer(), items))).toEqual(['OK-1', 'OK-2']);
  });

  it('empty inventory gives an empty selection', () => {
    expect(preselectItems(customer(), [])).toEqual([]);
  });

  it('is deterministic regardless of input order', () => {
    const reversed = [...plenty].reverse();
    expect(skus(preselectItems(customer(), reversed))).toEqual(skus(preselectItems(customer(), plenty)));
  });
});
