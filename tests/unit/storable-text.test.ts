import {
  findTextProblems,
  MAX_NESTING,
  MAX_TEXT_LENGTH,
  printableKey,
  REPLACEMENT_CHARACTER as R,
  toStorableText,
  unstorableReason,
} from '../../domain/storable-text';

describe('unstorableReason: what Postgres cannot store or SMTP carry', () => {
  test.each([
    ['plain ASCII', 'Customer cancelled', undefined],
    ['tab, line feed and carriage return', 'a\tb\nc\r\nd', undefined],
    ['accents, CJK and emoji (a valid surrogate pair)', 'Crème brûlée 店 👗', undefined],
    ['U+FFFD itself', `broken ${R}`, undefined],
    ['empty', '', undefined],
    ['NUL', 'bad\u0000reason', 'contains a NUL character (U+0000) at position 3, which cannot be stored or sent'],
    ['NUL first', '\u0000', 'contains a NUL character (U+0000) at position 0, which cannot be stored or sent'],
    ['bell', 'ring\u0007', 'contains a control character (U+0007) at position 4, which cannot be stored or sent'],
    ['vertical tab', 'a\u000Bb', 'contains a control character (U+000B) at position 1, which cannot be stored or sent'],
    ['escape', '\u001B[31mred', 'contains a control character (U+001B) at position 0, which cannot be stored or sent'],
    ['DEL', 'x\u007F', 'contains a control character (U+007F) at position 1, which cannot be stored or sent'],
    ['lone high surrogate', 'a\uD800b', 'contains an unpaired surrogate at position 1 (not valid Unicode)'],
    ['lone low surrogate', 'a\uDC00', 'contains an unpaired surrogate at position 1 (not valid Unicode)'],
    ['reversed pair', '\uDC00\uD800', 'contains an unpaired surrogate at position 0 (not valid Unicode)'],
  ])('%s', (_label, text, expected) => {
    expect(unstorableReason(text)).toBe(expected);
  });
});

describe('findTextProblems: every field of a JSON value', () => {
  test('a clean value has no problems', () => {
    expect(findTextProblems({ decision: 'approve', comment: 'ok', lines: [{ sku: 'BE-0003', quantity: 18 }], n: 1, b: true, z: null }, 'body')).toEqual([]);
  });

  test.each([
    ['a string root', 'x\u0000', 'comment', [{ field: 'comment', code: 'unstorable_character' }]],
    ['a nested value', { payload: { stylistId: 'ST\u0000' } }, 'body', [{ field: 'body.payload.stylistId', code: 'unstorable_character' }]],
    ['an array item', { lines: ['ok', 'b\uD800'] }, 'body', [{ field: 'body.lines.1', code: 'unstorable_character' }]],
    ['a key', { ['k\u0000ey']: 1 }, 'body', [{ field: 'body.k?ey', code: 'unstorable_character' }]],
    ['a key over 200 characters', { ['k'.repeat(201)]: 1 }, 'body', [{ field: `body.${'k'.repeat(57)}...`, code: 'too_long' }]],
    ['a string over the limit', { note: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, 'body', [{ field: 'body.note', code: 'too_long' }]],
  ])('%s', (_label, value, root, expected) => {
    expect(findTextProblems(value, root)).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  test('nesting deeper than the limit is one problem at the level it starts', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_NESTING + 2; i++) deep = { d: deep };
    const problems = findTextProblems(deep, 'body');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'too_deep', field: `body${'.d'.repeat(MAX_NESTING)}` });
  });

  test('options: a tighter length, and a limit on how many are listed', () => {
    expect(findTextProblems({ q: 'abcdef' }, 'query', { maxLength: 5 })).toEqual([expect.objectContaining({ field: 'query.q', code: 'too_long' })]);
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, '\u0000']));
    expect(findTextProblems(many, 'body')).toHaveLength(20);
    expect(findTextProblems(many, 'body', { limit: 3 })).toHaveLength(3);
  });

  test('undefined and non-text values are fine', () => {
    expect(findTextProblems(undefined, 'comment')).toEqual([]);
    expect(findTextProblems(42, 'n')).toEqual([]);
  });
});

describe('printableKey', () => {
  test.each([
    ['stylistId', 'stylistId'],
    ['k\u0000ey', 'k?ey'],
    ['crème', 'cr?me'],
    ['x'.repeat(61), `${'x'.repeat(57)}...`],
  ])('%j', (key, expected) => {
    expect(printableKey(key)).toBe(expected);
  });
});

describe('toStorableText: input that cannot be refused, made storable', () => {
  test.each([
    ['storable text is unchanged', 'Customer cancelled: moved to Friday', 'Customer cancelled: moved to Friday'],
    ['tab and newlines stay', 'a\tb\r\nc', 'a\tb\r\nc'],
    ['emoji pairs stay', 'ok 👗', 'ok 👗'],
    ['NUL is replaced', 'bad\u0000reason', `bad${R}reason`],
    ['every control character is replaced', '\u0000\u0001\u001F\u007F', R.repeat(4)],
    ['a lone high surrogate is replaced', 'a\uD800b', `a${R}b`],
    ['a lone low surrogate is replaced', '\uDC00a', `${R}a`],
    ['a reversed pair becomes two replacements', '\uDC00\uD800', R.repeat(2)],
    ['empty stays empty', '', ''],
  ])('%s', (_label, text, expected) => {
    const out = toStorableText(text);
    expect(out).toBe(expected);
    expect(unstorableReason(out)).toBeUndefined();
  });

  test.each([
    ['cut to the limit with an ellipsis', 'abcdefghij', 5, 'abcd…'],
    ['exactly the limit is kept', 'abcde', 5, 'abcde'],
    ['never cut inside a surrogate pair', 'abc👗def', 5, 'abc…'],
    ['a limit of one', 'abc', 1, '…'],
    ['a limit of zero', 'abc', 0, ''],
  ])('%s', (_label, text, max, expected) => {
    const out = toStorableText(text, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(unstorableReason(out)).toBeUndefined();
  });

  test('the default limit is the rule’s', () => {
    const out = toStorableText('x'.repeat(MAX_TEXT_LENGTH + 10));
    expect(out).toHaveLength(MAX_TEXT_LENGTH);
    expect(findTextProblems(out, 'reason')).toEqual([]);
  });

  test('whatever comes in, what comes out passes the rule', () => {
    // Every UTF-16 code unit from U+0000 to U+FFFF, in order and in reverse.
    const all = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');
    for (const text of [all, [...all].reverse().join('')]) {
      const out = toStorableText(text, Number.MAX_SAFE_INTEGER);
      expect(unstorableReason(out)).toBeUndefined();
      expect(out).toHaveLength(text.length);
    }
  });
});
