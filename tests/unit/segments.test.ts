import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import {
  explainSegment,
  matchesSegment,
  rfmScores,
  rfmSegment,
  RFM_SEGMENTS,
  SegmentSchema,
  type CustomerFeatures,
  type RfmScore,
  type Segment,
} from '../../domain/segments';

const AS_OF = new Date('2025-06-15T12:00:00.000Z');
const DAY_MS = 86_400_000;

/** ISO time `days` (may be fractional or negative) before AS_OF. */
function daysAgo(days: number): string {
  return new Date(AS_OF.getTime() - days * DAY_MS).toISOString();
}

/** The base customer: GOLD, home store S001 in R01, bought 10 days ago, 10 units of which 6 womens-apparel. */
function customer(overrides: Partial<CustomerFeatures> = {}): CustomerFeatures {
  return {
    customerId: 'C1',
    tier: 'GOLD',
    homeStoreId: 'S001',
    regionId: 'R01',
    lastPurchaseAt: daysAgo(10),
    orderCount: 3,
    totalSpend: 300,
    unitsByCategory: { 'womens-apparel': 6, footwear: 2, beauty: 2 },
    ...overrides,
  };
}

function buyer(customerId: string, days: number, orderCount: number, totalSpend: number): CustomerFeatures {
  return customer({ customerId, lastPurchaseAt: daysAgo(days), orderCount, totalSpend });
}

const MID: RfmScore = { r: 3, f: 3, m: 3 };

function matches(segment: Segment, overrides: Partial<CustomerFeatures> = {}, score: RfmScore | null = MID): boolean {
  const features = customer(overrides);
  const scores = new Map<string, RfmScore>(score ? [[features.customerId, score]] : []);
  return matchesSegment(segment, features, scores, AS_OF);
}

function issuePaths(input: unknown): string[] {
  const r = SegmentSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('SegmentSchema: accepted', () => {
  test.each<[string, unknown]>([
    ['every customer, explicitly', { allCustomers: true }],
    ['tiers', { tiers: ['GOLD', 'PLATINUM'] }],
    ['every tier', { tiers: ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'] }],
    ['home stores', { storeIds: ['S001', 'S-002_b'] }],
    ['regions', { regionIds: ['R01'] }],
    ['rfm, one component', { rfm: { recency: [4, 5] } }],
    ['rfm, every score of every component', { rfm: { recency: [1, 2, 3, 4, 5], frequency: [1], monetary: [5, 1] } }],
    ['rfm segments', { rfmSegments: ['champions', 'at_risk', 'hibernating', 'new', 'loyal', 'potential_loyalists'] }],
    ['older than, lower bound', { lastPurchaseOlderThanDays: 1 }],
    ['newer than, upper bound', { lastPurchaseNewerThanDays: 3650 }],
    ['a window: between 30 and 90 days ago', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }],
    ['narrowest window', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 31 }],
    ['category affinity, default share', { categoryAffinity: { categories: ['womens-apparel'] } }],
    ['category affinity, share 1', { categoryAffinity: { categories: ['footwear', 'beauty'], minShare: 1 } }],
    [
      'everything at once',
      {
        tiers: ['GOLD'],
        storeIds: ['S001'],
        regionIds: ['R01'],
        rfm: { frequency: [4, 5] },
        rfmSegments: ['loyal'],
        lastPurchaseOlderThanDays: 7,
        lastPurchaseNewerThanDays: 365,
        categoryAffinity: { categories: ['beauty'], minShare: 0.5 },
      },
    ],
  ])('%s', (_name, input) => {
    expect(issuePaths(input)).toEqual([]);
    expect(SegmentSchema.parse(input)).toEqual(input);
  });

  test('category names are trimmed', () => {
    expect(SegmentSchema.parse({ categoryAffinity: { categories: [' beauty '] } })).toEqual({ categoryAffinity: { categories: ['beauty'] } });
  });
});

describe('SegmentSchema: refused, with the field paths of the issues', () => {
  test.each<[string, unknown, string[]]>([
    ['empty segment (would be everyone)', {}, ['']],
    ['allCustomers false', { allCustomers: false }, ['allCustomers']],
    ['allCustomers combined with a criterion', { allCustomers: true, tiers: ['GOLD'] }, ['allCustomers']],
    ['unknown field (and so no criterion)', { tier: ['GOLD'] }, ['', '']],
    ['unknown field next to a criterion', { tiers: ['GOLD'], audience: 'all' }, ['']],
    ['not an object', 'GOLD', ['']],
    ['tiers empty', { tiers: [] }, ['tiers']],
    ['tier not in the Customer enum (BRONZE)', { tiers: ['BRONZE'] }, ['tiers.0']],
    ['tier in lower case', { tiers: ['GOLD', 'silver'] }, ['tiers.1']],
    ['tier twice', { tiers: ['GOLD', 'GOLD'] }, ['tiers']],
    ['storeIds empty', { storeIds: [] }, ['storeIds']],
    ['store ID with a space', { storeIds: ['S001', 'S 2'] }, ['storeIds.1']],
    ['store twice', { storeIds: ['S001', 'S001'] }, ['storeIds']],
    ['regionIds empty', { regionIds: [] }, ['regionIds']],
    ['region ID empty string', { regionIds: [''] }, ['regionIds.0']],
    ['rfm with no component', { rfm: {} }, ['rfm']],
    ['rfm unknown component', { rfm: { recency: [5], loyalty: [5] } }, ['rfm']],
    ['rfm recency empty', { rfm: { recency: [] } }, ['rfm.recency']],
    ['rfm score 0', { rfm: { recency: [0] } }, ['rfm.recency.0']],
    ['rfm score 6', { rfm: { frequency: [5, 6] } }, ['rfm.frequency.1']],
    ['rfm score fractional', { rfm: { monetary: [2.5] } }, ['rfm.monetary.0']],
    ['rfm score twice', { rfm: { monetary: [3, 3] } }, ['rfm.monetary']],
    ['rfmSegments empty', { rfmSegments: [] }, ['rfmSegments']],
    ['rfm segment unknown', { rfmSegments: ['whales'] }, ['rfmSegments.0']],
    ["rfm segment 'other' is not targetable", { rfmSegments: ['other'] }, ['rfmSegments.0']],
    ['rfm segment twice', { rfmSegments: ['new', 'new'] }, ['rfmSegments']],
    ['older than 0 days', { lastPurchaseOlderThanDays: 0 }, ['lastPurchaseOlderThanDays']],
    ['older than 3651 days', { lastPurchaseOlderThanDays: 3651 }, ['lastPurchaseOlderThanDays']],
    ['older than 1.5 days', { lastPurchaseOlderThanDays: 1.5 }, ['lastPurchaseOlderThanDays']],
    ['newer than 0 days', { lastPurchaseNewerThanDays: 0 }, ['lastPurchaseNewerThanDays']],
    ['newer than 3651 days', { lastPurchaseNewerThanDays: 3651 }, ['lastPurchaseNewerThanDays']],
    ['newer than as a string', { lastPurchaseNewerThanDays: '30' }, ['lastPurchaseNewerThanDays']],
    ['older than 90 and newer than 30: nobody', { lastPurchaseOlderThanDays: 90, lastPurchaseNewerThanDays: 30 }, ['lastPurchaseOlderThanDays']],
    ['older and newer than the same 30 days: nobody', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 30 }, ['lastPurchaseOlderThanDays']],
    ['category affinity without categories', { categoryAffinity: { minShare: 0.5 } }, ['categoryAffinity.categories']],
    ['category affinity, categories empty', { categoryAffinity: { categories: [] } }, ['categoryAffinity.categories']],
    ['blank category', { categoryAffinity: { categories: ['beauty', '  '] } }, ['categoryAffinity.categories.1']],
    ['same category twice, differently written', { categoryAffinity: { categories: ['womens-apparel', 'Womens_Apparel'] } }, ['categoryAffinity.categories']],
    ['minShare 0', { categoryAffinity: { categories: ['beauty'], minShare: 0 } }, ['categoryAffinity.minShare']],
    ['minShare above 1', { categoryAffinity: { categories: ['beauty'], minShare: 1.5 } }, ['categoryAffinity.minShare']],
    ['category affinity unknown field', { categoryAffinity: { categories: ['beauty'], share: 0.5 } }, ['categoryAffinity']],
    ['several bad fields at once', { tiers: [], lastPurchaseNewerThanDays: 0, rfm: { recency: [9] } }, ['tiers', 'rfm.recency.0', 'lastPurchaseNewerThanDays']],
    [
      'a bad field and an empty window together',
      { storeIds: [], lastPurchaseOlderThanDays: 90, lastPurchaseNewerThanDays: 30 },
      ['storeIds', 'lastPurchaseOlderThanDays'],
    ],
  ])('%s', (_name, input, paths) => {
    expect(issuePaths(input)).toEqual(paths);
  });

  test('the empty window names both limits in its message', () => {
    const r = SegmentSchema.safeParse({ lastPurchaseOlderThanDays: 90, lastPurchaseNewerThanDays: 30 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('must be less than lastPurchaseNewerThanDays (30); otherwise no customer can match');
  });

  test('the empty segment says how to target everyone', () => {
    expect(SegmentSchema.safeParse({}).error!.issues[0]!.message).toMatch(/allCustomers: true/);
  });
});

describe('SegmentSchema in the OpenAPI document', () => {
  test('registers as the CampaignSegment component with every field', () => {
    const registry = new OpenAPIRegistry();
    registry.register('CampaignSegment', SegmentSchema);
    const doc = new OpenApiGeneratorV31(registry.definitions).generateComponents();
    const schema = doc.components!.schemas!.CampaignSegment as { properties: Record<string, unknown>; additionalProperties?: unknown };
    expect(Object.keys(schema.properties).sort()).toEqual([
      'allCustomers',
      'categoryAffinity',
      'lastPurchaseNewerThanDays',
      'lastPurchaseOlderThanDays',
      'regionIds',
      'rfm',
      'rfmSegments',
      'storeIds',
      'tiers',
    ]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.tiers).toMatchObject({ items: { enum: ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'] } });
  });
});

describe('matchesSegment: one criterion at a time', () => {
  test.each<[string, Segment, Partial<CustomerFeatures>, boolean]>([
    ['allCustomers: anyone', { allCustomers: true }, { homeStoreId: null, regionId: null, lastPurchaseAt: null, unitsByCategory: {} }, true],
    ['tier in the list', { tiers: ['GOLD', 'PLATINUM'] }, {}, true],
    ['tier not in the list', { tiers: ['PLATINUM'] }, {}, false],
    ['STANDARD tier', { tiers: ['STANDARD'] }, { tier: 'STANDARD' }, true],
    ['home store in the list', { storeIds: ['S002', 'S001'] }, {}, true],
    ['home store not in the list', { storeIds: ['S002'] }, {}, false],
    ['no home store, store criterion', { storeIds: ['S001'] }, { homeStoreId: null }, false],
    ['region in the list', { regionIds: ['R01'] }, {}, true],
    ['region not in the list', { regionIds: ['R02', 'R03'] }, {}, false],
    ['no region, region criterion', { regionIds: ['R01'] }, { regionId: null }, false],
    ['store criterion does not look at the region', { storeIds: ['S001'] }, { regionId: 'R99' }, true],
    // Last purchase windows: older = at least N days ago, newer = less than N days ago.
    ['older than 90: 89 days ago', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: daysAgo(89) }, false],
    ['older than 90: a second short of 90 days', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: daysAgo(90 - 1 / 86_400) }, false],
    ['older than 90: exactly 90 days ago', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: daysAgo(90) }, true],
    ['older than 90: 400 days ago', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: daysAgo(400) }, true],
    ['older than 90: never bought', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: null }, false],
    ['older than 90: unparseable date', { lastPurchaseOlderThanDays: 90 }, { lastPurchaseAt: 'yesterday' }, false],
    ['newer than 30: 29 days ago', { lastPurchaseNewerThanDays: 30 }, { lastPurchaseAt: daysAgo(29) }, true],
    ['newer than 30: exactly 30 days ago', { lastPurchaseNewerThanDays: 30 }, { lastPurchaseAt: daysAgo(30) }, false],
    ['newer than 30: 31 days ago', { lastPurchaseNewerThanDays: 30 }, { lastPurchaseAt: daysAgo(31) }, false],
    ['newer than 30: dated after asOf', { lastPurchaseNewerThanDays: 30 }, { lastPurchaseAt: daysAgo(-2) }, true],
    ['newer than 30: never bought', { lastPurchaseNewerThanDays: 30 }, { lastPurchaseAt: null }, false],
    ['window 30..90: 29 days ago', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }, { lastPurchaseAt: daysAgo(29) }, false],
    ['window 30..90: 30 days ago', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }, { lastPurchaseAt: daysAgo(30) }, true],
    ['window 30..90: 89 days ago', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }, { lastPurchaseAt: daysAgo(89) }, true],
    ['window 30..90: 90 days ago', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }, { lastPurchaseAt: daysAgo(90) }, false],
    // Category affinity: the base customer has 10 units, 6 womens-apparel, 2 footwear, 2 beauty.
    ['affinity 60% >= default 30%', { categoryAffinity: { categories: ['womens-apparel'] } }, {}, true],
    ['affinity 20% < default 30%', { categoryAffinity: { categories: ['footwear'] } }, {}, false],
    ['affinity sums the listed categories: 40%', { categoryAffinity: { categories: ['footwear', 'beauty'] } }, {}, true],
    ['affinity exactly 30% meets the default', { categoryAffinity: { categories: ['footwear'] } }, { unitsByCategory: { footwear: 3, beauty: 7 } }, true],
    ['affinity 29% misses the default', { categoryAffinity: { categories: ['footwear'] } }, { unitsByCategory: { footwear: 29, beauty: 71 } }, false],
    ['affinity 60% < minShare 0.7', { categoryAffinity: { categories: ['womens-apparel'], minShare: 0.7 } }, {}, false],
    ['affinity 20% >= minShare 0.2', { categoryAffinity: { categories: ['beauty'], minShare: 0.2 } }, {}, true],
    ['affinity 100% meets minShare 1', { categoryAffinity: { categories: ['beauty'], minShare: 1 } }, { unitsByCategory: { beauty: 4 } }, true],
    ['affinity 80% misses minShare 1', { categoryAffinity: { categories: ['beauty'], minShare: 1 } }, { unitsByCategory: { beauty: 4, home: 1 } }, false],
    ['affinity keys compared normalised', { categoryAffinity: { categories: ['Womens_Apparel'] } }, {}, true],
    ['affinity with data keys written differently', { categoryAffinity: { categories: ['beauty'] } }, { unitsByCategory: { ' Beauty': 5, home: 5 } }, true],
    ['affinity, no units bought', { categoryAffinity: { categories: ['beauty'] } }, { unitsByCategory: {} }, false],
    ['affinity, only zero units', { categoryAffinity: { categories: ['beauty'], minShare: 0.01 } }, { unitsByCategory: { beauty: 0 } }, false],
    [
      'affinity ignores negative and non-finite units',
      { categoryAffinity: { categories: ['beauty'], minShare: 1 } },
      { unitsByCategory: { beauty: 2, home: -5, footwear: Number.NaN, toys: Number.POSITIVE_INFINITY } },
      true,
    ],
  ])('%s -> %p', (_name, segment, overrides, expected) => {
    expect(matches(segment, overrides)).toBe(expected);
  });
});

describe('matchesSegment: RFM criteria', () => {
  test.each<[string, Segment, RfmScore | null, boolean]>([
    ['recency 4 or 5, r 5', { rfm: { recency: [4, 5] } }, { r: 5, f: 1, m: 1 }, true],
    ['recency 4 or 5, r 3', { rfm: { recency: [4, 5] } }, { r: 3, f: 5, m: 5 }, false],
    ['frequency 1, f 1', { rfm: { frequency: [1] } }, { r: 3, f: 1, m: 3 }, true],
    ['frequency 1, f 2', { rfm: { frequency: [1] } }, { r: 3, f: 2, m: 3 }, false],
    ['monetary 5, m 5', { rfm: { monetary: [5] } }, { r: 1, f: 1, m: 5 }, true],
    ['monetary 5, m 4', { rfm: { monetary: [5] } }, { r: 5, f: 5, m: 4 }, false],
    ['all three components hold', { rfm: { recency: [5], frequency: [4], monetary: [3] } }, { r: 5, f: 4, m: 3 }, true],
    ['all three, monetary fails', { rfm: { recency: [5], frequency: [4], monetary: [3] } }, { r: 5, f: 4, m: 2 }, false],
    ['all three, recency fails', { rfm: { recency: [5], frequency: [4], monetary: [3] } }, { r: 4, f: 4, m: 3 }, false],
    ['segment champions, 5/5/5', { rfmSegments: ['champions'] }, { r: 5, f: 5, m: 5 }, true],
    ['segment champions, 5/5/3 is loyal', { rfmSegments: ['champions'] }, { r: 5, f: 5, m: 3 }, false],
    ['segment at_risk or hibernating, 1/1/1', { rfmSegments: ['at_risk', 'hibernating'] }, { r: 1, f: 1, m: 1 }, true],
    ['segment new, 3/3/3 is other', { rfmSegments: ['new'] }, MID, false],
    ['scores and segment both hold', { rfm: { monetary: [1] }, rfmSegments: ['new'] }, { r: 5, f: 1, m: 1 }, true],
    ['scores hold, segment fails', { rfm: { monetary: [1] }, rfmSegments: ['loyal'] }, { r: 5, f: 1, m: 1 }, false],
    ['customer not scored: no RFM match', { rfm: { recency: [1, 2, 3, 4, 5] } }, null, false],
    ['customer not scored: no segment match', { rfmSegments: ['hibernating'] }, null, false],
    ['customer not scored, no RFM criterion', { tiers: ['GOLD'] }, null, true],
  ])('%s -> %p', (_name, segment, score, expected) => {
    expect(matches(segment, {}, score)).toBe(expected);
  });
});

describe('matchesSegment: criteria combine with AND', () => {
  const all: Segment = {
    tiers: ['GOLD'],
    storeIds: ['S001'],
    regionIds: ['R01'],
    rfm: { recency: [3] },
    rfmSegments: ['loyal'],
    lastPurchaseOlderThanDays: 7,
    lastPurchaseNewerThanDays: 30,
    categoryAffinity: { categories: ['womens-apparel'] },
  };

  test('the base customer matches every criterion together', () => {
    expect(matches(all, {}, { r: 3, f: 4, m: 3 })).toBe(true);
  });

  test.each<[string, Partial<CustomerFeatures>, RfmScore]>([
    ['another tier', { tier: 'SILVER' }, { r: 3, f: 4, m: 3 }],
    ['another store', { homeStoreId: 'S002' }, { r: 3, f: 4, m: 3 }],
    ['another region', { regionId: 'R02' }, { r: 3, f: 4, m: 3 }],
    ['another recency score', {}, { r: 4, f: 4, m: 3 }],
    ['segment other (3/3/3), not loyal', {}, MID],
    ['bought too recently', { lastPurchaseAt: daysAgo(2) }, { r: 3, f: 4, m: 3 }],
    ['bought too long ago', { lastPurchaseAt: daysAgo(45) }, { r: 3, f: 4, m: 3 }],
    ['too little womens-apparel', { unitsByCategory: { 'womens-apparel': 1, beauty: 9 } }, { r: 3, f: 4, m: 3 }],
  ])('one criterion failing is enough to exclude: %s', (_name, overrides, score) => {
    expect(matches(all, overrides, score)).toBe(false);
  });
});

describe('rfmScores: quintiles by percent rank', () => {
  const scoresOf = (customers: CustomerFeatures[]) => {
    const map = rfmScores(customers, AS_OF);
    return customers.map((c) => map.get(c.customerId));
  };

  test.each<[string, CustomerFeatures[], RfmScore[]]>([
    ['one customer', [buyer('A', 3, 2, 100)], [{ r: 1, f: 1, m: 1 }]],
    [
      'two customers: the higher scores 5, the lower 1',
      [buyer('A', 2, 5, 500), buyer('B', 40, 1, 50)],
      [
        { r: 5, f: 5, m: 5 },
        { r: 1, f: 1, m: 1 },
      ],
    ],
    [
      'two customers, opposite on each measure',
      [buyer('A', 40, 5, 50), buyer('B', 2, 1, 500)],
      [
        { r: 1, f: 5, m: 1 },
        { r: 5, f: 1, m: 5 },
      ],
    ],
    [
      'two customers tied on everything',
      [buyer('A', 5, 2, 80), buyer('B', 5, 2, 80)],
      [
        { r: 1, f: 1, m: 1 },
        { r: 1, f: 1, m: 1 },
      ],
    ],
    [
      'five distinct customers: 1 to 5',
      [buyer('A', 50, 1, 10), buyer('B', 40, 2, 20), buyer('C', 30, 3, 30), buyer('D', 20, 4, 40), buyer('E', 10, 5, 50)],
      [
        { r: 1, f: 1, m: 1 },
        { r: 2, f: 2, m: 2 },
        { r: 3, f: 3, m: 3 },
        { r: 4, f: 4, m: 4 },
        { r: 5, f: 5, m: 5 },
      ],
    ],
    [
      'seven distinct customers: floor(5k / 6) + 1 -> 1 1 2 3 4 5 5',
      [70, 60, 50, 40, 30, 20, 10].map((d, k) => buyer(`C${k}`, d, k + 1, (k + 1) * 10)),
      [1, 1, 2, 3, 4, 5, 5].map((s) => ({ r: s, f: s, m: s })),
    ],
    [
      'five customers, three tied on one order: the tie scores 1',
      [buyer('A', 1, 1, 10), buyer('B', 1, 1, 20), buyer('C', 1, 1, 30), buyer('D', 1, 2, 40), buyer('E', 1, 3, 50)],
      [
        { r: 1, f: 1, m: 1 },
        { r: 1, f: 1, m: 2 },
        { r: 1, f: 1, m: 3 },
        { r: 1, f: 4, m: 4 },
        { r: 1, f: 5, m: 5 },
      ],
    ],
    [
      'seven customers with ties in the middle and at the top',
      [buyer('A', 9, 1, 5), buyer('B', 8, 2, 5), buyer('C', 8, 2, 5), buyer('D', 8, 2, 5), buyer('E', 2, 7, 90), buyer('F', 2, 7, 90), buyer('G', 2, 7, 90)],
      // below: A 0, B-D 1, E-G 4 of 6 others -> 1 + floor(0), 1 + floor(5/6), 1 + floor(20/6)
      [{ r: 1, f: 1, m: 1 }, ...Array(3).fill({ r: 1, f: 1, m: 1 }), ...Array(3).fill({ r: 4, f: 4, m: 4 })],
    ],
  ])('%s', (_name, customers, expected) => {
    expect(scoresOf(customers)).toEqual(expected);
  });

  test('one hundred distinct spends fall into five groups of twenty', () => {
    const customers = Array.from({ length: 100 }, (_, i) => buyer(`C${i}`, 1, 1, i + 1));
    const counts = [0, 0, 0, 0, 0];
    for (const s of rfmScores(customers, AS_OF).values()) counts[s.m - 1]! += 1;
    expect(counts).toEqual([20, 20, 20, 20, 20]);
  });

  test('customers without a purchase score 1/1/1 and are left out of the ranking', () => {
    const never = Array.from({ length: 10 }, (_, i) => customer({ customerId: `N${i}`, lastPurchaseAt: null, orderCount: 0, totalSpend: 0 }));
    const scores = rfmScores([...never, buyer('A', 90, 1, 20), buyer('B', 5, 2, 40)], AS_OF);
    expect(scores.get('N0')).toEqual({ r: 1, f: 1, m: 1 });
    expect(scores.get('N9')).toEqual({ r: 1, f: 1, m: 1 });
    // Ranked among the two buyers only; with the ten never-bought customers A would score above 1.
    expect(scores.get('A')).toEqual({ r: 1, f: 1, m: 1 });
    expect(scores.get('B')).toEqual({ r: 5, f: 5, m: 5 });
    expect(scores.size).toBe(12);
  });

  test('an unparseable last purchase counts as no purchase, even with orders', () => {
    const scores = rfmScores(
      [customer({ customerId: 'X', lastPurchaseAt: 'not a date', orderCount: 50, totalSpend: 9999 }), buyer('A', 1, 1, 1), buyer('B', 2, 2, 2)],
      AS_OF,
    );
    expect(scores.get('X')).toEqual({ r: 1, f: 1, m: 1 });
    expect(scores.get('A')).toEqual({ r: 5, f: 1, m: 1 });
  });

  test('recency ranks whole days: same day ties, a purchase after asOf counts as today', () => {
    const scores = rfmScores(
      [buyer('EARLY', 3.45, 1, 1), buyer('LATE', 3.05, 1, 1), buyer('TODAY', 0.2, 1, 1), buyer('FUTURE', -4, 1, 1), buyer('OLD', 30, 1, 1)],
      AS_OF,
    );
    expect(scores.get('EARLY')!.r).toBe(scores.get('LATE')!.r);
    expect(scores.get('TODAY')!.r).toBe(scores.get('FUTURE')!.r);
    expect([scores.get('OLD')!.r, scores.get('EARLY')!.r, scores.get('TODAY')!.r]).toEqual([1, 2, 4]);
  });

  test('recency is measured against asOf', () => {
    const customers = [buyer('A', 10, 1, 1), buyer('B', 20, 1, 1)];
    expect(rfmScores(customers, AS_OF).get('A')!.r).toBe(5);
    // Seen from 15 days earlier, A's purchase is in the future (0 days) and B's 5 days old: still A ahead.
    expect(rfmScores(customers, new Date(AS_OF.getTime() - 15 * DAY_MS)).get('B')!.r).toBe(1);
    // Seen from 20 days earlier both are in the future: a tie.
    expect(rfmScores(customers, new Date(AS_OF.getTime() - 20 * DAY_MS)).get('A')!.r).toBe(1);
  });

  test('monetary ranks to the cent', () => {
    const scores = rfmScores([buyer('A', 1, 1, 100), buyer('B', 1, 1, 100.004), buyer('C', 1, 1, 100.01)], AS_OF);
    expect([scores.get('A')!.m, scores.get('B')!.m, scores.get('C')!.m]).toEqual([1, 1, 5]);
  });

  test('non-finite order counts and spend count as 0', () => {
    const scores = rfmScores([buyer('A', 1, Number.NaN, Number.POSITIVE_INFINITY), buyer('B', 1, 0, 0), buyer('C', 1, 1, 1)], AS_OF);
    expect(scores.get('A')).toEqual(scores.get('B'));
    expect(scores.get('C')).toEqual({ r: 1, f: 5, m: 5 });
  });

  test('the order of the input does not matter', () => {
    const customers = Array.from({ length: 23 }, (_, i) => buyer(`C${i}`, (i * 7) % 11, (i * 5) % 4, (i * 13) % 17));
    const forward = rfmScores(customers, AS_OF);
    const backward = rfmScores([...customers].reverse(), AS_OF);
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
    expect(new Set([...forward.values()].map((s) => s.f)).size).toBeGreaterThan(1);
  });
});

describe('rfmSegment', () => {
  test.each<[RfmScore, ReturnType<typeof rfmSegment>]>([
    [{ r: 5, f: 5, m: 5 }, 'champions'],
    [{ r: 4, f: 4, m: 4 }, 'champions'],
    [{ r: 4, f: 4, m: 3 }, 'loyal'],
    [{ r: 3, f: 5, m: 5 }, 'loyal'],
    [{ r: 3, f: 4, m: 1 }, 'loyal'],
    [{ r: 2, f: 5, m: 5 }, 'at_risk'],
    [{ r: 1, f: 3, m: 1 }, 'at_risk'],
    [{ r: 2, f: 2, m: 5 }, 'hibernating'],
    [{ r: 1, f: 1, m: 1 }, 'hibernating'],
    [{ r: 5, f: 1, m: 1 }, 'new'],
    [{ r: 5, f: 1, m: 5 }, 'new'],
    [{ r: 4, f: 1, m: 1 }, 'potential_loyalists'],
    [{ r: 5, f: 2, m: 1 }, 'potential_loyalists'],
    [{ r: 4, f: 3, m: 5 }, 'potential_loyalists'],
    [{ r: 3, f: 3, m: 3 }, 'other'],
    [{ r: 3, f: 1, m: 5 }, 'other'],
  ])('%p -> %p', (score, segment) => {
    expect(rfmSegment(score)).toBe(segment);
  });

  test('every one of the 125 scores maps to one segment; each named segment is reachable', () => {
    const counts: Record<string, number> = {};
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        for (let m = 1; m <= 5; m++) {
          const s = rfmSegment({ r, f, m });
          counts[s] = (counts[s] ?? 0) + 1;
        }
      }
    }
    expect(counts).toEqual({ champions: 8, at_risk: 30, hibernating: 20, new: 5, loyal: 22, potential_loyalists: 25, other: 15 });
    for (const name of RFM_SEGMENTS) expect(counts[name]).toBeGreaterThan(0);
  });

  test('scored from purchases end to end', () => {
    // Days since purchase / orders / spend chosen so each ranks 1..5 on a measure.
    const customers = [
      buyer('CHAMPION', 1, 10, 1000), // r 4, f 5, m 5
      buyer('NEWCOMER', 0, 1, 40), // r 5, f 1
      buyer('MIDDLE', 30, 3, 30), // r 3, f 3
      buyer('SLIPPING', 60, 8, 500), // r 2, f 4
      buyer('DORMANT', 200, 2, 20), // r 1, f 2
    ];
    const scores = rfmScores(customers, AS_OF);
    expect(customers.map((c) => rfmSegment(scores.get(c.customerId)!))).toEqual(['champions', 'new', 'other', 'at_risk', 'hibernating']);
    expect(customers.filter((c) => matchesSegment({ rfmSegments: ['at_risk', 'hibernating'] }, c, scores, AS_OF)).map((c) => c.customerId)).toEqual([
      'SLIPPING',
      'DORMANT',
    ]);
  });
});

describe('explainSegment', () => {
  test.each<[string, Segment, string[]]>([
    ['everyone', { allCustomers: true }, ['Every customer.']],
    ['tiers in enum order', { tiers: ['PLATINUM', 'SILVER'] }, ['Tier is SILVER or PLATINUM.']],
    ['one tier', { tiers: ['GOLD'] }, ['Tier is GOLD.']],
    ['stores as written', { storeIds: ['S003', 'S001', 'S002'] }, ['Home store is S003, S001 or S002.']],
    ['regions', { regionIds: ['R01', 'R02'] }, ['Home store is in region R01 or R02.']],
    [
      'rfm scores ascending',
      { rfm: { recency: [5, 4], monetary: [1] } },
      ['Customers who meet all of these conditions:', 'RFM recency score (5 = bought most recently) is 4 or 5.', 'RFM monetary score (5 = spent most) is 1.'],
    ],
    ['rfm frequency', { rfm: { frequency: [3, 1, 2] } }, ['RFM frequency score (5 = most orders) is 1, 2 or 3.']],
    ['rfm segments humanised', { rfmSegments: ['potential_loyalists', 'at_risk'] }, ['RFM segment is at risk or potential loyalists.']],
    ['older than', { lastPurchaseOlderThanDays: 90 }, ['Last purchase was at least 90 days ago (customers who never bought are excluded).']],
    ['older than one day', { lastPurchaseOlderThanDays: 1 }, ['Last purchase was at least 1 day ago (customers who never bought are excluded).']],
    ['newer than', { lastPurchaseNewerThanDays: 30 }, ['Last purchase was less than 30 days ago.']],
    ['window', { lastPurchaseOlderThanDays: 30, lastPurchaseNewerThanDays: 90 }, ['Last purchase was at least 30 and less than 90 days ago.']],
    [
      'affinity, default share',
      { categoryAffinity: { categories: ['womens-apparel', 'footwear'] } },
      ['At least 30% of the units they bought are womens apparel or footwear.'],
    ],
    ['affinity, given share', { categoryAffinity: { categories: ['beauty'], minShare: 0.125 } }, ['At least 12.5% of the units they bought are beauty.']],
    [
      'several criteria, in a fixed order',
      { categoryAffinity: { categories: ['beauty'] }, lastPurchaseNewerThanDays: 60, tiers: ['GOLD'], regionIds: ['R02'] },
      [
        'Customers who meet all of these conditions:',
        'Tier is GOLD.',
        'Home store is in region R02.',
        'Last purchase was less than 60 days ago.',
        'At least 30% of the units they bought are beauty.',
      ],
    ],
  ])('%s', (_name, segment, sentences) => {
    expect(explainSegment(segment)).toEqual(sentences);
  });
});
