import { CampaignVariantsSchema, HoldoutPercentSchema, VariantSchema } from '../../domain/campaign-schemas';
import { assignVariant, fnv1a32, splitBucket, splitCounts, type VariantAssignment, type VariantWeight } from '../../domain/campaign-split';

const ids = (n: number, prefix = 'C'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);
const HUNDRED_K = ids(100_000);
const AB: VariantWeight[] = [{ key: 'a' }, { key: 'b' }];

/** The reference FNV-1a over Node's own UTF-8 encoding, to check the hand-rolled encoder. */
function referenceFnv(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

function label(a: VariantAssignment): string {
  return a.group === 'holdout' ? 'holdout' : a.key;
}

describe('fnv1a32', () => {
  test.each<[string, number]>([
    // Published FNV-1a 32-bit test vectors.
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('%p -> %p', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });

  test.each<[string]>([['CMP-1:C000001'], ['é'], ['€uro'], ['Zoë:Ørsted'], ['😀 emoji'], ['日本:顧客-7']])('hashes the UTF-8 bytes of %p', (text) => {
    expect(fnv1a32(text)).toBe(referenceFnv(text));
  });
});

describe('splitBucket', () => {
  test.each<[string, string, number]>([
    // Frozen: changing these reshuffles every campaign already running.
    ['CMP-1', 'C000001', 3212],
    ['CMP-1', 'C000002', 230],
    ['CMP-2', 'C000001', 1155],
    ['spring-sale', 'CUST-42', 9370],
  ])('%p / %p -> %p', (campaignId, customerId, bucket) => {
    expect(splitBucket(campaignId, customerId)).toBe(bucket);
  });

  test('whole numbers in [0, 10 000), spread over the whole range', () => {
    const buckets = HUNDRED_K.slice(0, 20_000).map((id) => splitBucket('CMP-1', id));
    expect(buckets.every((b) => Number.isInteger(b) && b >= 0 && b < 10_000)).toBe(true);
    expect(Math.min(...buckets)).toBeLessThan(10);
    expect(Math.max(...buckets)).toBeGreaterThan(9_990);
    // Ten deciles of 2 000 each, within ±10%.
    const deciles = Array(10).fill(0) as number[];
    for (const b of buckets) deciles[Math.floor(b / 1000)]! += 1;
    for (const d of deciles) expect(Math.abs(d - 2000)).toBeLessThan(200);
  });
});

describe('assignVariant: deterministic and stable', () => {
  test.each<[string, string, number, string]>([
    ['CMP-1', 'C000001', 10, 'a'], // bucket 3212: a is [1000, 5500)
    ['CMP-1', 'C000002', 10, 'holdout'], // bucket 230 < 1000
    ['CMP-1', 'C000002', 2, 'a'], // bucket 230 >= 200: a is [200, 5100)
    ['spring-sale', 'CUST-42', 10, 'b'], // bucket 9370: b is [5500, 10 000)
    ['spring-sale', 'CUST-42', 0, 'b'],
  ])('%p / %p, holdout %p%% -> %p', (campaignId, customerId, holdout, expected) => {
    expect(label(assignVariant(campaignId, customerId, AB, holdout))).toBe(expected);
  });

  test('the same input always gives the same group', () => {
    const first = HUNDRED_K.slice(0, 2000).map((id) => label(assignVariant('CMP-1', id, AB, 20)));
    const second = HUNDRED_K.slice(0, 2000).map((id) => label(assignVariant('CMP-1', id, AB, 20)));
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['holdout', 'a', 'b']));
  });

  test('follows the documented ranges: holdout below holdout·100, then the variants in key order', () => {
    for (const id of HUNDRED_K.slice(0, 5000)) {
      const bucket = splitBucket('CMP-9', id);
      const expected = bucket < 1500 ? 'holdout' : bucket < 1500 + 4250 ? 'a' : 'b';
      expect(label(assignVariant('CMP-9', id, [{ key: 'b' }, { key: 'a' }], 15))).toBe(expected);
    }
  });

  test.each<[number, string]>([
    // 10% holdout, a and b equal: holdout [0, 1000), a [1000, 5500), b [5500, 10 000).
    [0, 'holdout'],
    [999, 'holdout'],
    [1000, 'a'],
    [5499, 'a'],
    [5500, 'b'],
    [9999, 'b'],
  ])('a customer in bucket %p -> %p', (bucket, expected) => {
    const id = HUNDRED_K.find((c) => splitBucket('CMP-1', c) === bucket);
    expect(id).toBeDefined();
    expect(label(assignVariant('CMP-1', id!, AB, 10))).toBe(expected);
  });

  test('the order the variants are listed in does not matter', () => {
    const listed = [{ key: 'control' }, { key: 'bold', weight: 2 }, { key: 'short' }];
    const reordered = [listed[2]!, listed[0]!, listed[1]!];
    const a = HUNDRED_K.slice(0, 5000).map((id) => label(assignVariant('CMP-1', id, listed, 10)));
    const b = HUNDRED_K.slice(0, 5000).map((id) => label(assignVariant('CMP-1', id, reordered, 10)));
    expect(b).toEqual(a);
  });

  test('another campaign reshuffles: agreement is what independent draws give', () => {
    const sample = HUNDRED_K.slice(0, 20_000);
    const same = sample.filter((id) => label(assignVariant('CMP-1', id, AB, 0)) === label(assignVariant('CMP-2', id, AB, 0))).length;
    // Two independent 50/50 draws agree half the time.
    expect(Math.abs(same / sample.length - 0.5)).toBeLessThan(0.02);
    const sameBucket = sample.filter((id) => splitBucket('CMP-1', id) === splitBucket('CMP-2', id)).length;
    expect(sameBucket).toBeLessThan(20);
  });

  test('campaign IDs differing only in a late character still reshuffle', () => {
    const sample = HUNDRED_K.slice(0, 20_000);
    const inHoldoutBoth = sample.filter(
      (id) => assignVariant('CMP-10', id, AB, 10).group === 'holdout' && assignVariant('CMP-11', id, AB, 10).group === 'holdout',
    ).length;
    // Independent 10% holdouts overlap on 1% of customers, not 10%.
    expect(Math.abs(inHoldoutBoth / sample.length - 0.01)).toBeLessThan(0.005);
  });

  test('raising the holdout only moves variant customers into it; nobody leaves it', () => {
    for (const id of HUNDRED_K.slice(0, 5000)) {
      if (assignVariant('CMP-1', id, AB, 10).group === 'holdout') expect(assignVariant('CMP-1', id, AB, 20).group).toBe('holdout');
    }
    const at10 = splitCounts('CMP-1', HUNDRED_K.slice(0, 5000), AB, 10).holdout;
    const at20 = splitCounts('CMP-1', HUNDRED_K.slice(0, 5000), AB, 20).holdout;
    expect(at20).toBeGreaterThan(at10);
  });

  test('adding customers leaves the others where they were, and counts add up', () => {
    const first = HUNDRED_K.slice(0, 3000);
    const later = HUNDRED_K.slice(3000, 5000);
    const before = splitCounts('CMP-1', first, AB, 10);
    const after = splitCounts('CMP-1', [...first, ...later], AB, 10);
    const added = splitCounts('CMP-1', later, AB, 10);
    expect(after).toEqual({
      total: before.total + added.total,
      holdout: before.holdout + added.holdout,
      byVariant: { a: before.byVariant.a! + added.byVariant.a!, b: before.byVariant.b! + added.byVariant.b! },
    });
  });
});

describe('proportions over 100 000 synthetic customers (±1 percentage point)', () => {
  test.each<[string, VariantWeight[], number, Record<string, number>]>([
    ['two equal variants, 10% holdout', AB, 10, { holdout: 0.1, a: 0.45, b: 0.45 }],
    ['three equal variants, no holdout', [{ key: 'x' }, { key: 'y' }, { key: 'z' }], 0, { holdout: 0, x: 1 / 3, y: 1 / 3, z: 1 / 3 }],
    [
      'weights 2:1, no holdout',
      [
        { key: 'a', weight: 2 },
        { key: 'b', weight: 1 },
      ],
      0,
      { holdout: 0, a: 2 / 3, b: 1 / 3 },
    ],
    [
      'weights 2:1, 20% holdout',
      [
        { key: 'a', weight: 2 },
        { key: 'b', weight: 1 },
      ],
      20,
      { holdout: 0.2, a: 0.8 * (2 / 3), b: 0.8 / 3 },
    ],
    ['weights 1:2 listed the other way', [{ key: 'b', weight: 2 }, { key: 'a' }], 5, { holdout: 0.05, a: 0.95 / 3, b: 0.95 * (2 / 3) }],
    [
      'weights 70:30, 10% holdout',
      [
        { key: 'long', weight: 70 },
        { key: 'short', weight: 30 },
      ],
      10,
      { holdout: 0.1, long: 0.63, short: 0.27 },
    ],
    [
      'fractional weights 0.5:0.25:0.25',
      [
        { key: 'p', weight: 0.5 },
        { key: 'q', weight: 0.25 },
        { key: 'r', weight: 0.25 },
      ],
      0,
      { holdout: 0, p: 0.5, q: 0.25, r: 0.25 },
    ],
    [
      'five equal variants, 50% holdout',
      [{ key: 'v1' }, { key: 'v2' }, { key: 'v3' }, { key: 'v4' }, { key: 'v5' }],
      50,
      { holdout: 0.5, v1: 0.1, v2: 0.1, v3: 0.1, v4: 0.1, v5: 0.1 },
    ],
    ['one variant, 25% holdout', [{ key: 'only' }], 25, { holdout: 0.25, only: 0.75 }],
  ])('%s', (_name, variants, holdout, shares) => {
    const counts = splitCounts('CMP-PROP', HUNDRED_K, variants, holdout);
    expect(counts.total).toBe(100_000);
    expect(counts.holdout + Object.values(counts.byVariant).reduce((s, n) => s + n, 0)).toBe(100_000);
    const actual: Record<string, number> = { holdout: counts.holdout / counts.total };
    for (const [key, n] of Object.entries(counts.byVariant)) actual[key] = n / counts.total;
    expect(Object.keys(actual).sort()).toEqual(Object.keys(shares).sort());
    for (const [key, share] of Object.entries(shares)) {
      expect({ key, off: Math.abs(actual[key]! - share) < 0.01 }).toEqual({ key, off: true });
    }
  });

  test.each<[string, number]>([
    ['0% holdout holds out nobody', 0],
    ['negative holdout counts as 0', -5],
    ['NaN holdout counts as 0', Number.NaN],
  ])('%s', (_name, holdout) => {
    const counts = splitCounts('CMP-PROP', HUNDRED_K.slice(0, 20_000), AB, holdout);
    expect(counts.holdout).toBe(0);
    expect(counts.byVariant.a! + counts.byVariant.b!).toBe(20_000);
  });

  test.each<[string, number]>([
    ['100% holds out everyone', 100],
    ['above 100% counts as 100%', 150],
  ])('%s', (_name, holdout) => {
    expect(splitCounts('CMP-PROP', HUNDRED_K.slice(0, 20_000), AB, holdout)).toEqual({ total: 20_000, holdout: 20_000, byVariant: { a: 0, b: 0 } });
  });

  test('one variant and no holdout: everyone gets it', () => {
    expect(splitCounts('CMP-PROP', HUNDRED_K.slice(0, 20_000), [{ key: 'only' }], 0)).toEqual({ total: 20_000, holdout: 0, byVariant: { only: 20_000 } });
  });
});

describe('splitCounts', () => {
  test('a repeated customer counts once; every key is listed in the order given, empty ones as 0', () => {
    const counts = splitCounts('CMP-1', ['C000001', 'C000001', 'C000002'], [{ key: 'zeta' }, { key: 'a' }, { key: 'b' }], 10);
    expect(counts.total).toBe(2);
    expect(Object.keys(counts.byVariant)).toEqual(['zeta', 'a', 'b']);
    expect(counts.holdout).toBe(1); // C000002 is bucket 230
    expect(Object.values(counts.byVariant).reduce((s, n) => s + n, 0)).toBe(1);
  });

  test('no customers', () => {
    expect(splitCounts('CMP-1', [], AB, 10)).toEqual({ total: 0, holdout: 0, byVariant: { a: 0, b: 0 } });
  });

  test('agrees with assignVariant customer by customer', () => {
    const sample = HUNDRED_K.slice(0, 3000);
    const tally: Record<string, number> = { holdout: 0, a: 0, b: 0 };
    for (const id of sample) tally[label(assignVariant('CMP-3', id, AB, 30))]! += 1;
    const counts = splitCounts('CMP-3', sample, AB, 30);
    expect({ holdout: counts.holdout, ...counts.byVariant }).toEqual(tally);
  });
});

describe('invalid variants are refused', () => {
  test.each<[string, VariantWeight[]]>([
    ['no variants', []],
    ['a repeated key', [{ key: 'a' }, { key: 'a' }]],
    ['weight 0', [{ key: 'a', weight: 0 }, { key: 'b' }]],
    ['negative weight', [{ key: 'a', weight: -1 }]],
    ['NaN weight', [{ key: 'a', weight: Number.NaN }]],
    ['infinite weight', [{ key: 'a', weight: Number.POSITIVE_INFINITY }]],
  ])('%s', (_name, variants) => {
    expect(() => assignVariant('CMP-1', 'C000001', variants, 10)).toThrow(RangeError);
    expect(() => splitCounts('CMP-1', ['C000001'], variants, 10)).toThrow(RangeError);
  });
});

describe('VariantSchema and CampaignVariantsSchema', () => {
  const v = (key: string, extra: Record<string, unknown> = {}) => ({ key, subject: 'Spring is here', body: 'Hello {{firstName}}', ...extra });

  const paths = (schema: typeof CampaignVariantsSchema | typeof VariantSchema, input: unknown): string[] => {
    const r = schema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  test.each<[string, unknown]>([
    ['one variant', [v('control')]],
    ['five variants with weights', [v('a', { weight: 2 }), v('b', { weight: 1 }), v('c_1'), v('d-2'), v('e', { weight: 0.5 })]],
    ['longest key, subject and body', [v('abcdefghij0123456789', { subject: 's'.repeat(200), body: 'b'.repeat(20_000) })]],
  ])('accepted: %s', (_name, input) => {
    expect(paths(CampaignVariantsSchema, input)).toEqual([]);
  });

  test('the subject is trimmed', () => {
    expect(VariantSchema.parse(v('a', { subject: '  Hi  ' })).subject).toBe('Hi');
  });

  test.each<[string, unknown, string[]]>([
    ['no variants', [], ['']],
    ['six variants', ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => v(k)), ['']],
    ['not a list', v('a'), ['']],
    ['a repeated key, flagged where it repeats', [v('a'), v('b'), v('a')], ['2.key']],
    ['key with upper case', [v('Control')], ['0.key']],
    ['key with a space', [v('a'), v('new copy')], ['1.key']],
    ['key of 21 characters', [v('a'.repeat(21))], ['0.key']],
    ['empty key', [v('')], ['0.key']],
    ['blank subject', [v('a', { subject: '   ' })], ['0.subject']],
    ['subject of 201 characters', [v('a', { subject: 's'.repeat(201) })], ['0.subject']],
    ['missing subject', [{ key: 'a', body: 'x' }], ['0.subject']],
    ['empty body', [v('a', { body: '' })], ['0.body']],
    ['blank body', [v('a', { body: ' \n\t ' })], ['0.body']],
    ['body of 20 001 characters', [v('a', { body: 'b'.repeat(20_001) })], ['0.body']],
    ['weight 0', [v('a', { weight: 0 })], ['0.weight']],
    ['negative weight', [v('a', { weight: -2 })], ['0.weight']],
    ['weight above 1000', [v('a', { weight: 1001 })], ['0.weight']],
    ['unknown field', [v('a', { from: 'x@example.com' })], ['0']],
  ])('refused: %s', (_name, input, expected) => {
    expect(paths(CampaignVariantsSchema, input)).toEqual(expected);
  });
});

describe('HoldoutPercentSchema', () => {
  test.each<[unknown, boolean]>([
    [0, true],
    [10, true],
    [50, true],
    [51, false],
    [-1, false],
    [12.5, false],
    ['10', false],
    [null, false],
  ])('%p -> valid %p', (value, valid) => {
    expect(HoldoutPercentSchema.safeParse(value).success).toBe(valid);
  });
});
