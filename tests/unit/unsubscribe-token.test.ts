import { createHmac } from 'node:crypto';
import {
  createUnsubscribeToken,
  DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS,
  UNSUBSCRIBE_CLOCK_SKEW_MS,
  verifyUnsubscribeToken,
  type UnsubscribePayload,
  type UnsubscribeTokenFailure,
} from '../../platform/unsubscribe-token';

const SECRET = 'current-secret-0123456789abcdef';
const OLD_SECRET = 'previous-secret-fedcba9876543210';
const DAY = 86_400_000;
const ISSUED = new Date('2026-01-01T00:00:00.000Z');
const PAYLOAD: UnsubscribePayload = { customerId: 'C-1042', campaignId: 'CMP-2026-spring', email: 'ana@example.com' };

function token(secret: string | string[] = SECRET, payload: UnsubscribePayload = PAYLOAD, issuedAt: Date = ISSUED): string {
  return createUnsubscribeToken(secret, payload, { issuedAt });
}

/** A token signed the way the module signs, around a payload segment of the test's choosing. */
function signedRaw(payloadSegment: string, secret = SECRET, version = 'v1'): string {
  const signedPart = `${version}.${payloadSegment}`;
  return `${signedPart}.${createHmac('sha256', secret).update(signedPart).digest('base64url')}`;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const verifyAt = (t: string, now: Date = ISSUED): ReturnType<typeof verifyUnsubscribeToken> => verifyUnsubscribeToken(SECRET, t, { now });

/** The same segment with its last character swapped for one that decodes to the same bytes. */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(segment[segment.length - 1]!);
  return segment.slice(0, -1) + alphabet[last ^ 1]!;
}

describe('createUnsubscribeToken', () => {
  test('v1.<payload>.<signature>, base64url without padding; the payload is compact JSON with short keys', () => {
    const t = token();
    expect(t).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const [, payload] = t.split('.');
    expect(Buffer.from(payload!, 'base64url').toString('utf8')).toBe('{"u":"C-1042","c":"CMP-2026-spring","e":"ana@example.com","t":1767225600}');
    expect(t.length).toBeLessThan(160);
  });

  test('deterministic for the same inputs; any field changes the token', () => {
    expect(token()).toBe(token());
    const variants = [
      token(SECRET, { ...PAYLOAD, customerId: 'C-1043' }),
      token(SECRET, { ...PAYLOAD, campaignId: 'CMP-other' }),
      token(SECRET, { ...PAYLOAD, email: 'bo@example.com' }),
      token(SECRET, PAYLOAD, new Date(ISSUED.getTime() + 1000)),
      token(OLD_SECRET),
    ];
    expect(new Set([token(), ...variants]).size).toBe(6);
  });

  test('issued-at is kept to the whole second', () => {
    expect(token(SECRET, PAYLOAD, new Date('2026-01-01T00:00:00.999Z'))).toBe(token());
  });

  test('with several secrets the first signs', () => {
    const t = token([SECRET, OLD_SECRET]);
    expect(t).toBe(token(SECRET));
    expect(verifyUnsubscribeToken(OLD_SECRET, t, { now: ISSUED })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test.each<[string, () => string]>([
    ['an empty secret', () => createUnsubscribeToken('', PAYLOAD)],
    ['no secrets', () => createUnsubscribeToken([], PAYLOAD)],
    ['an empty customer id', () => createUnsubscribeToken(SECRET, { ...PAYLOAD, customerId: '' })],
    ['an empty campaign id', () => createUnsubscribeToken(SECRET, { ...PAYLOAD, campaignId: '' })],
    ['an empty email', () => createUnsubscribeToken(SECRET, { ...PAYLOAD, email: '' })],
  ])('refuses %s (TypeError)', (_name, create) => {
    expect(create).toThrow(TypeError);
  });

  test('refuses an invalid issued-at (RangeError)', () => {
    expect(() => createUnsubscribeToken(SECRET, PAYLOAD, { issuedAt: new Date(Number.NaN) })).toThrow(RangeError);
  });
});

describe('verifyUnsubscribeToken', () => {
  test.each<[string, UnsubscribePayload]>([
    ['plain ids', PAYLOAD],
    ['non-ASCII email and ids with dots', { customerId: 'C.1.2', campaignId: 'été.2026', email: 'zoë+promo@exämple.com' }],
  ])('round trip: %s', (_name, payload) => {
    expect(verifyAt(token(SECRET, payload))).toEqual({ ok: true, payload, issuedAt: ISSUED });
  });

  test('issuedAt comes back to the second', () => {
    const result = verifyAt(token(SECRET, PAYLOAD, new Date('2026-01-01T00:00:07.654Z')));
    expect(result).toEqual({ ok: true, payload: PAYLOAD, issuedAt: new Date('2026-01-01T00:00:07.000Z') });
  });

  test.each<[string, string | string[], string | string[], UnsubscribeTokenFailure | null]>([
    // name, signed with, verified with, failure (null = ok)
    ['the same secret', SECRET, SECRET, null],
    ['a wrong secret', OLD_SECRET, SECRET, 'bad_signature'],
    ['rotation: old token, [new, old]', OLD_SECRET, [SECRET, OLD_SECRET], null],
    ['rotation: new token, [new, old]', SECRET, [SECRET, OLD_SECRET], null],
    ['rotation: old secret retired', OLD_SECRET, [SECRET], 'bad_signature'],
    ['rotation: neither secret', 'a-third-secret', [SECRET, OLD_SECRET], 'bad_signature'],
    ['a secret differing by case', SECRET, SECRET.toUpperCase(), 'bad_signature'],
  ])('secrets: %s', (_name, signWith, verifyWith, failure) => {
    const result = verifyUnsubscribeToken(verifyWith, token(signWith), { now: ISSUED });
    expect(result).toEqual(failure === null ? { ok: true, payload: PAYLOAD, issuedAt: ISSUED } : { ok: false, reason: failure });
  });

  test.each<[string, (t: string) => string]>([
    [
      'another customer id under the same signature',
      (t) => {
        const [v, , sig] = t.split('.');
        return `${v}.${b64('{"u":"C-9999","c":"CMP-2026-spring","e":"ana@example.com","t":1767225600}')}.${sig}`;
      },
    ],
    [
      'a later issued-at under the same signature',
      (t) => {
        const [v, , sig] = t.split('.');
        return `${v}.${b64('{"u":"C-1042","c":"CMP-2026-spring","e":"ana@example.com","t":1999999999}')}.${sig}`;
      },
    ],
    [
      'one payload character changed',
      (t) => {
        const [v, payload, sig] = t.split('.');
        return `${v}.${payload!.slice(0, 5)}${payload![5] === 'A' ? 'B' : 'A'}${payload!.slice(6)}.${sig}`;
      },
    ],
    [
      'one signature character changed',
      (t) => {
        const [v, payload, sig] = t.split('.');
        return `${v}.${payload}.${sig![0] === 'A' ? 'B' : 'A'}${sig!.slice(1)}`;
      },
    ],
    [
      'the signature of another token',
      (t) => {
        const [v, payload] = t.split('.');
        return `${v}.${payload}.${token(SECRET, { ...PAYLOAD, customerId: 'C-9999' }).split('.')[2]}`;
      },
    ],
  ])('tampered: %s -> bad_signature', (_name, tamper) => {
    const t = token();
    const tampered = tamper(t);
    expect(tampered).not.toBe(t);
    expect(verifyAt(tampered)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test.each<[string, Date, number | undefined]>([
    // name, issued at, maxAgeDays: valid 1 ms before ISSUED + maxAgeDays, expired at that instant
    ['default 365 days', ISSUED, undefined],
    ['7 days', ISSUED, 7],
    ['1 day, issued with milliseconds (kept to the second)', new Date('2026-01-01T00:00:00.999Z'), 1],
  ])('expiry at the exact boundary: %s', (_name, issuedAt, maxAgeDays) => {
    const days = maxAgeDays ?? DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS;
    const expiresAt = ISSUED.getTime() + days * DAY;
    const t = token(SECRET, PAYLOAD, issuedAt);
    expect(verifyUnsubscribeToken(SECRET, t, { now: new Date(expiresAt - 1), maxAgeDays })).toMatchObject({ ok: true });
    expect(verifyUnsubscribeToken(SECRET, t, { now: new Date(expiresAt), maxAgeDays })).toEqual({ ok: false, reason: 'expired' });
  });

  test('the default max age is 365 days', () => {
    expect(DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS).toBe(365);
    expect(verifyAt(token(), new Date('2026-12-31T23:59:59.999Z'))).toMatchObject({ ok: true });
    expect(verifyAt(token(), new Date('2027-01-01T00:00:00.000Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  test("a token issued up to 5 minutes after now (another host's clock) is accepted; 1 ms more is refused", () => {
    expect(UNSUBSCRIBE_CLOCK_SKEW_MS).toBe(5 * 60_000);
    expect(verifyAt(token(), new Date(ISSUED.getTime() - 60_000))).toMatchObject({ ok: true });
    expect(verifyAt(token(), new Date(ISSUED.getTime() - UNSUBSCRIBE_CLOCK_SKEW_MS))).toMatchObject({ ok: true, issuedAt: ISSUED });
    expect(verifyAt(token(), new Date(ISSUED.getTime() - UNSUBSCRIBE_CLOCK_SKEW_MS - 1))).toEqual({ ok: false, reason: 'issued_in_future' });
  });

  test.each<[string, Date]>([
    ['an hour ahead', new Date(ISSUED.getTime() + 3_600_000)],
    ['a year ahead', new Date(ISSUED.getTime() + 365 * DAY)],
    ['ten years ahead (it would never expire)', new Date('2036-01-01T00:00:00.000Z')],
  ])('a token dated %s is refused as issued_in_future, whatever the max age', (_name, issuedAt) => {
    for (const maxAgeDays of [1, 365, 3650]) {
      expect(verifyUnsubscribeToken(SECRET, token(SECRET, PAYLOAD, issuedAt), { now: ISSUED, maxAgeDays })).toEqual({ ok: false, reason: 'issued_in_future' });
    }
  });

  test('a future-dated token with a bad signature is reported as a bad signature (nothing about its content is revealed)', () => {
    expect(verifyAt(token(OLD_SECRET, PAYLOAD, new Date('2036-01-01T00:00:00.000Z')))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test('an expired token with a bad signature is reported as a bad signature', () => {
    expect(verifyUnsubscribeToken(SECRET, token(OLD_SECRET), { now: new Date('2030-01-01T00:00:00.000Z') })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  const good = token();
  const [, goodPayload, goodSig] = good.split('.') as [string, string, string];

  test.each<[string, string]>([
    ['empty', ''],
    ['version only', 'v1'],
    ['version and a dot', 'v1.'],
    ['empty segments', 'v1..'],
    ['two segments', `v1.${goodPayload}`],
    ['an extra trailing dot', `${good}.`],
    ['an extra segment', `${good}.${goodSig}`],
    ['a leading dot', `.${good}`],
    ['a dot inside the payload', `v1.${goodPayload.slice(0, 4)}.${goodPayload.slice(4)}.${goodSig}`],
    ['no version', `${goodPayload}.${goodSig}`],
    ['upper-case version', `V1.${goodPayload}.${goodSig}`],
    ['a version that is not v<n>', `version1.${goodPayload}.${goodSig}`],
    ['standard base64 characters', `v1.${goodPayload}+/.${goodSig}`],
    ['base64 padding', `v1.${goodPayload}.${goodSig}=`],
    ['whitespace', `v1.${goodPayload}.${goodSig} `],
    ['a payload of impossible length (4n + 1 characters)', `v1.AAAAA.${goodSig}`],
    ['a non-canonical payload encoding', `v1.${nonCanonical(goodPayload)}.${goodSig}`],
    ['a non-canonical signature encoding', `v1.${goodPayload}.${nonCanonical(goodSig)}`],
    ['a truncated signature', `v1.${goodPayload}.${goodSig.slice(0, 42)}`],
    ['a signature too long', `v1.${goodPayload}.${goodSig}AAAA`],
    ['longer than 2,048 characters', `v1.${'A'.repeat(2_100)}.${goodSig}`],
    // signed with the right secret, so only the content is wrong
    ['signed, but not JSON', signedRaw(b64('not json'))],
    ['signed JSON array', signedRaw(b64('["C-1042","CMP","ana@example.com",1767225600]'))],
    ['signed JSON null', signedRaw(b64('null'))],
    ['signed, missing the email', signedRaw(b64('{"u":"C-1042","c":"CMP","t":1767225600}'))],
    ['signed, empty customer id', signedRaw(b64('{"u":"","c":"CMP","e":"ana@example.com","t":1767225600}'))],
    ['signed, issued-at a string', signedRaw(b64('{"u":"C-1042","c":"CMP","e":"ana@example.com","t":"1767225600"}'))],
    ['signed, issued-at a fraction', signedRaw(b64('{"u":"C-1042","c":"CMP","e":"ana@example.com","t":1.5}'))],
    ['signed, issued-at negative', signedRaw(b64('{"u":"C-1042","c":"CMP","e":"ana@example.com","t":-1}'))],
  ])('malformed: %s', (_name, bad) => {
    expect(bad).not.toBe(good);
    expect(verifyAt(bad)).toEqual({ ok: false, reason: 'malformed' });
  });

  test("the signing scheme the malformed cases rely on is the module's own", () => {
    expect(signedRaw(goodPayload)).toBe(good);
    expect(verifyAt(signedRaw(b64('{"u":"C-1042","c":"CMP","e":"ana@example.com","t":1767225600}')))).toMatchObject({ ok: true });
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
  ])('malformed: a token that is %s at runtime', (_name, value) => {
    expect(verifyUnsubscribeToken(SECRET, value as string, { now: ISSUED })).toEqual({ ok: false, reason: 'malformed' });
  });

  test.each<[string, string]>([
    ['v2', `v2.${goodPayload}.${goodSig}`],
    ['v0', `v0.${goodPayload}.${goodSig}`],
    ['v2 with a different layout', `v2.${goodPayload}`],
    ['v2 signed correctly under the v1 scheme', signedRaw(goodPayload, SECRET, 'v2')],
    ['v10', `v10.${goodPayload}.${goodSig}`],
  ])('unsupported version: %s', (_name, t) => {
    expect(verifyAt(t)).toEqual({ ok: false, reason: 'unsupported_version' });
  });

  test.each<[string, () => unknown, ErrorConstructor]>([
    ['an empty secret', () => verifyUnsubscribeToken('', good), TypeError],
    ['no secrets', () => verifyUnsubscribeToken([], good), TypeError],
    ['an empty secret among others', () => verifyUnsubscribeToken([SECRET, ''], good), TypeError],
    ['maxAgeDays 0', () => verifyUnsubscribeToken(SECRET, good, { maxAgeDays: 0 }), RangeError],
    ['maxAgeDays NaN', () => verifyUnsubscribeToken(SECRET, good, { maxAgeDays: Number.NaN }), RangeError],
    ['an invalid now', () => verifyUnsubscribeToken(SECRET, good, { now: new Date(Number.NaN) }), RangeError],
  ])('configuration errors throw: %s', (_name, call, error) => {
    expect(call).toThrow(error);
  });
});
