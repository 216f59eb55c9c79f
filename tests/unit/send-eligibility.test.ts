import {
  checkEligibility,
  DEFAULT_FREQUENCY_CAP,
  DEFAULT_QUIET_HOURS,
  frequencyCapFreesAt,
  localHour,
  nextSendWindowStart,
  resolveTimeZone,
  SUPPRESSION_PRECEDENCE,
  summarizeEligibility,
  type Eligibility,
  type EligibilityOptions,
  type FrequencyCap,
  type QuietHours,
  type RecipientFacts,
  type SkipReason,
  type SuppressionReason,
} from '../../domain/send-eligibility';

const H = 3_600_000;
/** Thursday noon UTC: outside the default quiet hours in UTC. */
const NOON = '2026-01-15T12:00:00.000Z';
const NO_QUIET: QuietHours = { startHour: 0, endHour: 0 };

function recipient(overrides: Partial<RecipientFacts> = {}): RecipientFacts {
  return {
    customerId: 'C-1',
    email: 'ana@example.com',
    emailConsent: true,
    timezone: 'UTC',
    suppressedReasons: [],
    recentMarketingSends: [],
    ...overrides,
  };
}

/** ISO times `msBefore` milliseconds before `now` (negative: after it). */
function sendsBefore(now: string, msBefore: number[]): string[] {
  return msBefore.map((ms) => new Date(Date.parse(now) - ms).toISOString());
}

function hold(reason: 'quiet_hours' | 'frequency_cap', until: string): Eligibility {
  return { kind: 'hold', reason, until };
}

function isQuiet(hour: number, q: QuietHours): boolean {
  const start = q.startHour % 24;
  const end = q.endHour % 24;
  if (start === end) return false;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

describe('checkEligibility: skip reasons and their precedence', () => {
  test('the base recipient is sent to at noon UTC', () => {
    expect(checkEligibility(recipient(), new Date(NOON))).toEqual({ kind: 'send' });
  });

  test('suppression precedence is documented as unsubscribed, complaint, hard bounce, manual', () => {
    expect(SUPPRESSION_PRECEDENCE).toEqual(['unsubscribed', 'complaint', 'hard_bounce', 'manual']);
  });

  test.each<[string, Partial<RecipientFacts>, SkipReason]>([
    ['no email address', { email: null }, 'no_email'],
    ['empty email address', { email: '' }, 'no_email'],
    ['blank email address', { email: '  \t' }, 'no_email'],
    ['no consent', { emailConsent: false }, 'no_consent'],
    ['unsubscribed', { suppressedReasons: ['unsubscribed'] }, 'unsubscribed'],
    ['spam complaint', { suppressedReasons: ['complaint'] }, 'complaint'],
    ['hard bounce', { suppressedReasons: ['hard_bounce'] }, 'hard_bounce'],
    ['manual suppression is reported as suppressed', { suppressedReasons: ['manual'] }, 'suppressed'],
    ['a reason unknown to the code still suppresses', { suppressedReasons: ['legal_hold' as SuppressionReason] }, 'suppressed'],
    // precedence
    ['no email beats no consent', { email: null, emailConsent: false }, 'no_email'],
    ['no email beats suppression', { email: null, suppressedReasons: ['unsubscribed'] }, 'no_email'],
    ['no consent beats suppression', { emailConsent: false, suppressedReasons: ['unsubscribed', 'hard_bounce'] }, 'no_consent'],
    ['unsubscribed beats the rest, listed last', { suppressedReasons: ['manual', 'hard_bounce', 'complaint', 'unsubscribed'] }, 'unsubscribed'],
    ['complaint beats hard bounce and manual', { suppressedReasons: ['manual', 'hard_bounce', 'complaint'] }, 'complaint'],
    ['hard bounce beats manual', { suppressedReasons: ['manual', 'hard_bounce'] }, 'hard_bounce'],
    ['a known reason beats an unknown one', { suppressedReasons: ['legal_hold' as SuppressionReason, 'hard_bounce'] }, 'hard_bounce'],
    ['a reason listed twice', { suppressedReasons: ['complaint', 'complaint'] }, 'complaint'],
    [
      'a skip beats the frequency cap and quiet hours (21:00 in Tokyo)',
      { suppressedReasons: ['complaint'], timezone: 'Asia/Tokyo', recentMarketingSends: sendsBefore(NOON, [H]) },
      'complaint',
    ],
    ['no consent beats quiet hours (21:00 in Tokyo)', { emailConsent: false, timezone: 'Asia/Tokyo' }, 'no_consent'],
  ])('%s -> %p', (_name, overrides, reason) => {
    expect(checkEligibility(recipient(overrides), new Date(NOON))).toEqual({ kind: 'skip', reason });
  });
});

describe('checkEligibility: frequency cap (quiet hours off, UTC, now = noon)', () => {
  test.each<[string, FrequencyCap | undefined, number[], string | null]>([
    // name, cap (undefined = default 1 per 16 h), prior sends as ms before now, held until (null = send)
    ['no prior sends', undefined, [], null],
    ['one send 17 h ago', undefined, [17 * H], null],
    ['one send exactly 16 h ago has aged out', undefined, [16 * H], null],
    ['one send 1 ms short of 16 h ago: held 1 ms', undefined, [16 * H - 1], '2026-01-15T12:00:00.001Z'],
    ['one send 2 h ago: held until it is 16 h old', undefined, [2 * H], '2026-01-16T02:00:00.000Z'],
    ['two sends, both outside the window', undefined, [20 * H, 40 * H], null],
    ['two sends, one inside', undefined, [20 * H, 3 * H], '2026-01-16T01:00:00.000Z'],
    ['two sends inside: the newer one must age out too', undefined, [10 * H, 3 * H], '2026-01-16T01:00:00.000Z'],
    ['two sends inside, newest listed first', undefined, [3 * H, 10 * H], '2026-01-16T01:00:00.000Z'],
    ['a future-dated send counts', undefined, [-1 * H], '2026-01-16T05:00:00.000Z'],
    ['2 per 16 h, no sends', { maxEmails: 2, windowHours: 16 }, [], null],
    ['2 per 16 h, one inside', { maxEmails: 2, windowHours: 16 }, [3 * H], null],
    ['2 per 16 h, two inside: until the older ages out', { maxEmails: 2, windowHours: 16 }, [10 * H, 3 * H], '2026-01-15T18:00:00.000Z'],
    ['2 per 16 h, the older exactly 16 h ago', { maxEmails: 2, windowHours: 16 }, [16 * H, 3 * H], null],
    ['2 per 16 h, the older 1 ms short of 16 h', { maxEmails: 2, windowHours: 16 }, [16 * H - 1, 3 * H], '2026-01-15T12:00:00.001Z'],
    ['2 per 16 h, three inside (cap lowered since)', { maxEmails: 2, windowHours: 16 }, [12 * H, 10 * H, 3 * H], '2026-01-15T18:00:00.000Z'],
    ['3 a week, two inside', { maxEmails: 3, windowHours: 168 }, [100 * H, 50 * H], null],
    ['3 a week, three inside', { maxEmails: 3, windowHours: 168 }, [167 * H, 100 * H, 50 * H], '2026-01-15T13:00:00.000Z'],
    ['no cap (Infinity)', { maxEmails: Number.POSITIVE_INFINITY, windowHours: 16 }, [1, 2, 3], null],
  ])('%s', (_name, cap, msBefore, until) => {
    const sends = sendsBefore(NOON, msBefore);
    const result = checkEligibility(recipient({ recentMarketingSends: sends }), new Date(NOON), { cap, quietHours: NO_QUIET });
    expect(result).toEqual(until === null ? { kind: 'send' } : hold('frequency_cap', until));
    expect(frequencyCapFreesAt(sends, new Date(NOON), cap)?.toISOString() ?? null).toBe(until);
  });

  test('the default cap is 1 per 16 h', () => {
    expect(DEFAULT_FREQUENCY_CAP).toEqual({ maxEmails: 1, windowHours: 16 });
  });

  test('unparseable send times are ignored; the input is not reordered', () => {
    const sends = ['not a date', '2026-01-15T09:00:00.000Z', '2026-01-15T02:00:00.000Z'];
    const result = checkEligibility(recipient({ recentMarketingSends: sends }), new Date(NOON), {
      cap: { maxEmails: 2, windowHours: 16 },
      quietHours: NO_QUIET,
    });
    expect(result).toEqual(hold('frequency_cap', '2026-01-15T18:00:00.000Z'));
    expect(sends).toEqual(['not a date', '2026-01-15T09:00:00.000Z', '2026-01-15T02:00:00.000Z']);
  });

  test.each<[string, FrequencyCap]>([
    ['zero emails', { maxEmails: 0, windowHours: 16 }],
    ['a fraction of an email', { maxEmails: 1.5, windowHours: 16 }],
    ['NaN emails', { maxEmails: Number.NaN, windowHours: 16 }],
    ['a zero window', { maxEmails: 1, windowHours: 0 }],
    ['a negative window', { maxEmails: 1, windowHours: -2 }],
    ['an infinite window', { maxEmails: 1, windowHours: Number.POSITIVE_INFINITY }],
  ])('invalid cap: %s -> RangeError, even for a recipient who would be skipped', (_name, cap) => {
    expect(() => checkEligibility(recipient(), new Date(NOON), { cap })).toThrow(RangeError);
    expect(() => checkEligibility(recipient({ email: null }), new Date(NOON), { cap })).toThrow(RangeError);
    expect(() => frequencyCapFreesAt([], new Date(NOON), cap)).toThrow(RangeError);
  });
});

describe('checkEligibility: quiet hours (UTC, no prior sends)', () => {
  test.each<[string, QuietHours | undefined, string, string | null]>([
    // name, quiet hours (undefined = default 21 -> 8), now, held until (null = send)
    ['21->8: 20:59:59.999 is open', undefined, '2026-01-15T20:59:59.999Z', null],
    ['21->8: 21:00 starts quiet hours', undefined, '2026-01-15T21:00:00.000Z', '2026-01-16T08:00:00.000Z'],
    ['21->8: 23:59:59.999, until tomorrow 8:00', undefined, '2026-01-15T23:59:59.999Z', '2026-01-16T08:00:00.000Z'],
    ['21->8: midnight, until 8:00 the same day', undefined, '2026-01-16T00:00:00.000Z', '2026-01-16T08:00:00.000Z'],
    ['21->8: 07:59:59.999', undefined, '2026-01-16T07:59:59.999Z', '2026-01-16T08:00:00.000Z'],
    ['21->8: 08:00 opens', undefined, '2026-01-16T08:00:00.000Z', null],
    ['21->8: noon', undefined, NOON, null],
    ['13->15 (no wrap): 12:59:59.999 is open', { startHour: 13, endHour: 15 }, '2026-01-15T12:59:59.999Z', null],
    ['13->15: 13:00', { startHour: 13, endHour: 15 }, '2026-01-15T13:00:00.000Z', '2026-01-15T15:00:00.000Z'],
    ['13->15: 14:30:15.250', { startHour: 13, endHour: 15 }, '2026-01-15T14:30:15.250Z', '2026-01-15T15:00:00.000Z'],
    ['13->15: 15:00 opens', { startHour: 13, endHour: 15 }, '2026-01-15T15:00:00.000Z', null],
    ['13->15: 23:00 is open', { startHour: 13, endHour: 15 }, '2026-01-15T23:00:00.000Z', null],
    ['0->6 (no wrap): 23:30 is open', { startHour: 0, endHour: 6 }, '2026-01-15T23:30:00.000Z', null],
    ['0->6: midnight', { startHour: 0, endHour: 6 }, '2026-01-16T00:00:00.000Z', '2026-01-16T06:00:00.000Z'],
    ['21->24 (24 is midnight): 21:00', { startHour: 21, endHour: 24 }, '2026-01-15T21:00:00.000Z', '2026-01-16T00:00:00.000Z'],
    ['21->24: midnight is open', { startHour: 21, endHour: 24 }, '2026-01-16T00:00:00.000Z', null],
    ['23->0 (one hour): 23:30', { startHour: 23, endHour: 0 }, '2026-01-15T23:30:00.000Z', '2026-01-16T00:00:00.000Z'],
    ['23->0: 22:59:59.999 is open', { startHour: 23, endHour: 0 }, '2026-01-15T22:59:59.999Z', null],
    ['8->8 (equal hours): no quiet hours at 03:00', { startHour: 8, endHour: 8 }, '2026-01-15T03:00:00.000Z', null],
    ['0->0: no quiet hours at 03:00', NO_QUIET, '2026-01-15T03:00:00.000Z', null],
  ])('%s', (_name, quietHours, now, until) => {
    const result = checkEligibility(recipient(), new Date(now), { quietHours });
    expect(result).toEqual(until === null ? { kind: 'send' } : hold('quiet_hours', until));
  });

  test('the default quiet hours are 21:00 to 08:00', () => {
    expect(DEFAULT_QUIET_HOURS).toEqual({ startHour: 21, endHour: 8 });
  });

  test.each<[string, QuietHours]>([
    ['start hour 25', { startHour: 25, endHour: 8 }],
    ['negative end hour', { startHour: 21, endHour: -1 }],
    ['half an hour', { startHour: 21.5, endHour: 8 }],
    ['NaN', { startHour: Number.NaN, endHour: 8 }],
    ['0 to 24 would never send', { startHour: 0, endHour: 24 }],
    ['24 to 0 would never send', { startHour: 24, endHour: 0 }],
  ])('invalid quiet hours: %s -> RangeError', (_name, quietHours) => {
    expect(() => checkEligibility(recipient(), new Date(NOON), { quietHours })).toThrow(RangeError);
    expect(() => nextSendWindowStart(new Date(NOON), 'UTC', quietHours)).toThrow(RangeError);
  });

  test('an invalid now -> RangeError', () => {
    expect(() => checkEligibility(recipient(), new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('checkEligibility: frequency cap then quiet hours', () => {
  test.each<[string, string, string, number[], Eligibility]>([
    // name, zone, now, prior sends as ms before now, expected (default cap 1 per 16 h, quiet 21 -> 8)
    ['cap frees at 18:00, outside quiet hours', 'UTC', NOON, [10 * H], hold('frequency_cap', '2026-01-15T18:00:00.000Z')],
    ['cap frees at 02:00, inside quiet hours: held until they end', 'UTC', NOON, [2 * H], hold('frequency_cap', '2026-01-16T08:00:00.000Z')],
    ['cap frees exactly as quiet hours start', 'UTC', NOON, [7 * H], hold('frequency_cap', '2026-01-16T08:00:00.000Z')],
    ['cap frees 1 ms before quiet hours start', 'UTC', NOON, [7 * H + 1], hold('frequency_cap', '2026-01-15T20:59:59.999Z')],
    [
      'in quiet hours, cap frees before they end: until they end',
      'UTC',
      '2026-01-15T22:00:00.000Z',
      [14 * H],
      hold('frequency_cap', '2026-01-16T08:00:00.000Z'),
    ],
    ['in quiet hours, cap frees exactly as they end', 'UTC', '2026-01-15T22:00:00.000Z', [6 * H], hold('frequency_cap', '2026-01-16T08:00:00.000Z')],
    ['in quiet hours, cap frees after they end: until it frees', 'UTC', '2026-01-15T22:00:00.000Z', [2 * H], hold('frequency_cap', '2026-01-16T12:00:00.000Z')],
    ['in quiet hours, not capped', 'UTC', '2026-01-15T22:00:00.000Z', [], hold('quiet_hours', '2026-01-16T08:00:00.000Z')],
    ['in quiet hours, the last send just aged out', 'UTC', '2026-01-15T22:00:00.000Z', [16 * H], hold('quiet_hours', '2026-01-16T08:00:00.000Z')],
    [
      'New York: cap frees at 03:00 EDT on the spring-forward night, held until 08:00 EDT',
      'America/New_York',
      '2026-03-07T17:00:00.000Z',
      [2 * H],
      hold('frequency_cap', '2026-03-08T12:00:00.000Z'),
    ],
    ['Kolkata: cap frees at 01:30 IST, held until 08:00 IST', 'Asia/Kolkata', NOON, [8 * H], hold('frequency_cap', '2026-01-16T02:30:00.000Z')],
    ['Kolkata: cap frees at 08:30 IST, after quiet hours', 'Asia/Kolkata', NOON, [1 * H], hold('frequency_cap', '2026-01-16T03:00:00.000Z')],
  ])('%s', (_name, timezone, now, msBefore, expected) => {
    const r = recipient({ timezone, recentMarketingSends: sendsBefore(now, msBefore) });
    expect(checkEligibility(r, new Date(now))).toEqual(expected);
  });
});

describe('checkEligibility: time zones (default quiet hours, now = 2026-01-15 16:00 UTC)', () => {
  test.each<[string, string, string | null]>([
    // zone, local time at now, held until (null = send)
    ['UTC', '16:00', null],
    ['America/Los_Angeles', '08:00, the window has just opened', null],
    ['America/New_York', '11:00', null],
    ['Europe/London', '16:00', null],
    ['Asia/Kolkata', '21:30 (+05:30)', '2026-01-16T02:30:00.000Z'],
    ['Asia/Kathmandu', '21:45 (+05:45)', '2026-01-16T02:15:00.000Z'],
    ['Asia/Tokyo', '01:00 the next day', '2026-01-15T23:00:00.000Z'],
    ['Australia/Adelaide', '02:30 the next day (+10:30 in summer)', '2026-01-15T21:30:00.000Z'],
    ['Pacific/Auckland', '05:00 the next day (+13 in summer)', '2026-01-15T19:00:00.000Z'],
    ['Pacific/Chatham', '05:45 the next day (+13:45 in summer)', '2026-01-15T18:15:00.000Z'],
  ])('%s (%s)', (timezone, _local, until) => {
    const result = checkEligibility(recipient({ timezone }), new Date('2026-01-15T16:00:00.000Z'));
    expect(result).toEqual(until === null ? { kind: 'send' } : hold('quiet_hours', until));
  });

  test.each<[string, string | null]>([
    // Asia/Kolkata, +05:30: quiet from 15:30 to 02:30 UTC
    ['2026-01-15T15:29:59.999Z', null],
    ['2026-01-15T15:30:00.000Z', '2026-01-16T02:30:00.000Z'],
    ['2026-01-16T02:29:59.999Z', '2026-01-16T02:30:00.000Z'],
    ['2026-01-16T02:30:00.000Z', null],
  ])('Asia/Kolkata at %s -> %p', (now, until) => {
    const result = checkEligibility(recipient({ timezone: 'Asia/Kolkata' }), new Date(now));
    expect(result).toEqual(until === null ? { kind: 'send' } : hold('quiet_hours', until));
  });

  test.each<[string, string | null, string | undefined, string | null]>([
    // now 02:00 UTC = 21:00 in New York (quiet), 18:00 in Los Angeles (open)
    ['unknown zone -> the default zone', 'Mars/Olympus_Mons', 'America/Los_Angeles', null],
    ['no zone -> the default zone', null, 'America/Los_Angeles', null],
    ['empty zone -> the default zone', '', 'America/New_York', '2026-01-15T13:00:00.000Z'],
    ['no zone, no default -> UTC', null, undefined, '2026-01-15T08:00:00.000Z'],
    ['unknown zone, unknown default -> UTC', 'Mars/Olympus_Mons', 'Nowhere/Else', '2026-01-15T08:00:00.000Z'],
    ["the customer's zone beats the default", 'America/New_York', 'America/Los_Angeles', '2026-01-15T13:00:00.000Z'],
    ['zone names are case-insensitive', 'america/new_york', 'America/Los_Angeles', '2026-01-15T13:00:00.000Z'],
  ])('%s', (_name, timezone, defaultTimezone, until) => {
    const opts: EligibilityOptions = defaultTimezone === undefined ? {} : { defaultTimezone };
    const result = checkEligibility(recipient({ timezone }), new Date('2026-01-15T02:00:00.000Z'), opts);
    expect(result).toEqual(until === null ? { kind: 'send' } : hold('quiet_hours', until));
  });
});

describe('resolveTimeZone', () => {
  test.each<[string | null, string | undefined, string]>([
    ['America/New_York', undefined, 'America/New_York'],
    ['Asia/Kolkata', 'Europe/London', 'Asia/Kolkata'],
    [null, 'Europe/London', 'Europe/London'],
    ['', 'Europe/London', 'Europe/London'],
    ['Mars/Olympus_Mons', 'Europe/London', 'Europe/London'],
    [null, undefined, 'UTC'],
    ['Mars/Olympus_Mons', 'Nowhere/Else', 'UTC'],
  ])('%p, fallback %p -> %p', (zone, fallback, expected) => {
    expect(resolveTimeZone(zone, fallback)).toBe(expected);
  });
});

describe('localHour', () => {
  test.each<[string, string, number]>([
    ['UTC', '2026-01-15T00:00:00.000Z', 0], // 0, not 24
    ['UTC', '2026-01-15T23:59:59.999Z', 23],
    ['Asia/Kolkata', '2026-01-15T02:29:59.999Z', 7],
    ['Asia/Kolkata', '2026-01-15T02:30:00.000Z', 8],
    ['Asia/Kathmandu', '2026-01-15T02:14:59.999Z', 7],
    ['Asia/Kathmandu', '2026-01-15T02:15:00.000Z', 8],
    ['Pacific/Chatham', '2026-01-15T16:00:00.000Z', 5],
    ['America/New_York', '2026-03-08T06:59:59.999Z', 1], // 01:59:59 EST
    ['America/New_York', '2026-03-08T07:00:00.000Z', 3], // 03:00 EDT: 2 o'clock is skipped
    ['America/New_York', '2026-11-01T05:30:00.000Z', 1], // 01:30 EDT
    ['America/New_York', '2026-11-01T06:30:00.000Z', 1], // 01:30 EST, the repeated hour
    ['America/New_York', '2026-11-01T07:00:00.000Z', 2],
    ['Australia/Lord_Howe', '2026-10-03T15:30:00.000Z', 2], // 02:30 after a half-hour jump
  ])('%s at %s -> %p', (zone, at, hour) => {
    expect(localHour(new Date(at), zone)).toBe(hour);
  });

  test('an unknown zone -> RangeError', () => {
    expect(() => localHour(new Date(NOON), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => nextSendWindowStart(new Date(NOON), 'Mars/Olympus_Mons', DEFAULT_QUIET_HOURS)).toThrow(RangeError);
  });
});

describe('nextSendWindowStart across DST changes', () => {
  test.each<[string, string, QuietHours, string, string]>([
    // name, zone, quiet hours, now, window opens
    ['NY the night before spring forward: 08:00 EST', 'America/New_York', DEFAULT_QUIET_HOURS, '2026-03-07T03:00:00.000Z', '2026-03-07T13:00:00.000Z'],
    [
      'NY spring-forward night: 08:00 EDT, an hour sooner in UTC',
      'America/New_York',
      DEFAULT_QUIET_HOURS,
      '2026-03-08T03:00:00.000Z',
      '2026-03-08T12:00:00.000Z',
    ],
    ['NY fall-back night: 08:00 EST, an hour later in UTC', 'America/New_York', DEFAULT_QUIET_HOURS, '2026-11-01T02:00:00.000Z', '2026-11-01T13:00:00.000Z'],
    ['NY the night after fall back', 'America/New_York', DEFAULT_QUIET_HOURS, '2026-11-02T02:00:00.000Z', '2026-11-02T13:00:00.000Z'],
    [
      'NY 0->2, the end hour is skipped: opens at the jump to 03:00 EDT',
      'America/New_York',
      { startHour: 0, endHour: 2 },
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'NY 2->3, the whole quiet hour is skipped: open at 01:59:59.999 EST',
      'America/New_York',
      { startHour: 2, endHour: 3 },
      '2026-03-08T06:59:59.999Z',
      '2026-03-08T06:59:59.999Z',
    ],
    [
      'NY 2->3, the whole quiet hour is skipped: open at 03:00 EDT',
      'America/New_York',
      { startHour: 2, endHour: 3 },
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      "NY 0->2 on fall back: quiet through both 1 o'clock hours",
      'America/New_York',
      { startHour: 0, endHour: 2 },
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ],
    [
      'NY 22->1 on fall back: ends at the first 01:00 (EDT)',
      'America/New_York',
      { startHour: 22, endHour: 1 },
      '2026-11-01T03:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
    ],
    ['London spring forward: 08:00 BST', 'Europe/London', DEFAULT_QUIET_HOURS, '2026-03-28T22:00:00.000Z', '2026-03-29T07:00:00.000Z'],
    ['Auckland fall back (southern autumn): 08:00 NZST', 'Pacific/Auckland', DEFAULT_QUIET_HOURS, '2026-04-04T10:00:00.000Z', '2026-04-04T20:00:00.000Z'],
    [
      'Lord Howe half-hour jump, 0->2: opens at 02:30',
      'Australia/Lord_Howe',
      { startHour: 0, endHour: 2 },
      '2026-10-03T15:00:00.000Z',
      '2026-10-03T15:30:00.000Z',
    ],
    [
      'Lord Howe half-hour jump, 0->3: opens at 03:00',
      'Australia/Lord_Howe',
      { startHour: 0, endHour: 3 },
      '2026-10-03T15:00:00.000Z',
      '2026-10-03T16:00:00.000Z',
    ],
    [
      'Lord Howe half-hour fall back, 0->2: 01:30 comes twice',
      'Australia/Lord_Howe',
      { startHour: 0, endHour: 2 },
      '2026-04-04T14:30:00.000Z',
      '2026-04-04T15:30:00.000Z',
    ],
    ['outside quiet hours: now itself', 'America/New_York', DEFAULT_QUIET_HOURS, '2026-03-08T15:17:42.123Z', '2026-03-08T15:17:42.123Z'],
  ])('%s', (_name, zone, quiet, now, opens) => {
    expect(nextSendWindowStart(new Date(now), zone, quiet).toISOString()).toBe(opens);
  });

  test('checkEligibility holds a New York customer until 08:00 EDT on the spring-forward night', () => {
    const r = recipient({ timezone: 'America/New_York' });
    expect(checkEligibility(r, new Date('2026-03-08T03:00:00.000Z'))).toEqual(hold('quiet_hours', '2026-03-08T12:00:00.000Z'));
  });

  test('it is always the first open instant: open itself, quiet just before it and every quarter hour since now', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Pacific/Auckland'];
    const quiets: QuietHours[] = [
      DEFAULT_QUIET_HOURS,
      { startHour: 13, endHour: 15 },
      { startHour: 0, endHour: 2 },
      { startHour: 22, endHour: 1 },
      { startHour: 1, endHour: 3 },
    ];
    const days = ['2026-03-07', '2026-03-28', '2026-04-04', '2026-10-03', '2026-10-31'];
    const violations: string[] = [];
    let held = 0;
    for (const zone of zones) {
      for (const quiet of quiets) {
        for (const day of days) {
          // every 37 min 11.5 s for two days, so instants land off the hour
          for (let t = Date.parse(`${day}T00:00:00.000Z`); t < Date.parse(`${day}T00:00:00.000Z`) + 48 * H; t += 2_231_500) {
            const opens = nextSendWindowStart(new Date(t), zone, quiet).getTime();
            const label = `${zone} ${quiet.startHour}->${quiet.endHour} at ${new Date(t).toISOString()}`;
            if (opens < t) violations.push(`${label}: opens before now`);
            if (isQuiet(localHour(new Date(opens), zone), quiet)) violations.push(`${label}: opens inside quiet hours`);
            if (opens > t) {
              held += 1;
              if (!isQuiet(localHour(new Date(opens - 1), zone), quiet)) violations.push(`${label}: open 1 ms earlier`);
              for (let s = t; s < opens; s += 15 * 60_000) {
                if (!isQuiet(localHour(new Date(s), zone), quiet)) violations.push(`${label}: open at ${new Date(s).toISOString()}`);
              }
            }
          }
        }
      }
    }
    expect(violations).toEqual([]);
    expect(held).toBeGreaterThan(1_000);
  });
});

describe('summarizeEligibility', () => {
  test('counts each outcome by reason; every reason present, in precedence order', () => {
    const summary = summarizeEligibility([
      { kind: 'send' },
      { kind: 'skip', reason: 'unsubscribed' },
      hold('quiet_hours', NOON),
      { kind: 'send' },
      hold('frequency_cap', NOON),
      { kind: 'skip', reason: 'no_email' },
      { kind: 'skip', reason: 'unsubscribed' },
      hold('frequency_cap', NOON),
      { kind: 'skip', reason: 'suppressed' },
      { kind: 'send' },
    ]);
    expect(summary).toEqual({
      send: 3,
      hold: { frequency_cap: 2, quiet_hours: 1 },
      skip: { no_email: 1, no_consent: 0, unsubscribed: 2, complaint: 0, hard_bounce: 0, suppressed: 1 },
    });
    expect(Object.keys(summary.skip)).toEqual(['no_email', 'no_consent', 'unsubscribed', 'complaint', 'hard_bounce', 'suppressed']);
    expect(Object.keys(summary.hold)).toEqual(['frequency_cap', 'quiet_hours']);
  });

  test('nothing to count: all zero', () => {
    expect(summarizeEligibility([])).toEqual({
      send: 0,
      hold: { frequency_cap: 0, quiet_hours: 0 },
      skip: { no_email: 0, no_consent: 0, unsubscribed: 0, complaint: 0, hard_bounce: 0, suppressed: 0 },
    });
  });

  test('a dispatch batch end to end at 16:00 UTC', () => {
    const now = new Date('2026-01-15T16:00:00.000Z');
    const batch = [
      recipient({ customerId: 'C-1', timezone: 'America/New_York' }), // 11:00: send
      recipient({ customerId: 'C-2', timezone: 'Asia/Kolkata' }), // 21:30: quiet
      recipient({ customerId: 'C-3', recentMarketingSends: ['2026-01-15T10:00:00.000Z'] }), // capped
      recipient({ customerId: 'C-4', emailConsent: false }),
      recipient({ customerId: 'C-5', suppressedReasons: ['hard_bounce'] }),
      recipient({ customerId: 'C-6', suppressedReasons: ['manual', 'complaint'] }),
      recipient({ customerId: 'C-7', timezone: null }), // UTC 16:00: send
    ];
    expect(summarizeEligibility(batch.map((r) => checkEligibility(r, now)))).toEqual({
      send: 2,
      hold: { frequency_cap: 1, quiet_hours: 1 },
      skip: { no_email: 0, no_consent: 1, unsubscribed: 0, complaint: 1, hard_bounce: 1, suppressed: 0 },
    });
  });
});
