/**
 * Who may receive a marketing email right now (issue 5, campaign dispatch). Each recipient is
 * skipped (no address, no consent, suppressed), held until a given instant (frequency cap, quiet
 * hours in the customer's local time) or sent to.
 *
 * Pure: no I/O, no clock (`now` is an argument); time zones through Intl only, so the answer
 * depends on the inputs and the runtime's tz database alone (bundled into the Temporal workflow
 * sandbox).
 *
 * Precedence, first match wins:
 *   1. skip   no_email, no_consent, then the suppression reasons in SUPPRESSION_PRECEDENCE
 *   2. hold   frequency_cap: until the send that keeps the count at the cap ages out of the window
 *             (or, when that instant falls in quiet hours, until they end)
 *   3. hold   quiet_hours: until they end in the customer's zone
 *   4. send
 */

export interface FrequencyCap {
  /** Marketing emails allowed in any rolling window (a whole number ≥ 1, or Infinity for no cap). */
  maxEmails: number;
  windowHours: number;
}

/**
 * Whole local hours 0–24 (24 is midnight). Quiet from startHour:00 up to endHour:00, wrapping
 * midnight when startHour > endHour; equal hours mean no quiet hours.
 */
export interface QuietHours {
  startHour: number;
  endHour: number;
}

export type SuppressionReason = 'unsubscribed' | 'hard_bounce' | 'complaint' | 'manual';

export interface RecipientFacts {
  customerId: string;
  email: string | null;
  emailConsent: boolean;
  /** IANA zone; null or unknown -> the defaultTimezone option -> UTC. */
  timezone: string | null;
  suppressedReasons: SuppressionReason[];
  /** When marketing emails were sent to this customer (ISO 8601), in any order. */
  recentMarketingSends: string[];
}

export type SkipReason = 'no_email' | 'no_consent' | 'unsubscribed' | 'hard_bounce' | 'complaint' | 'suppressed';
export type HoldReason = 'quiet_hours' | 'frequency_cap';

/** For a hold, `until` (ISO) is when every rule allows the send; `reason` names the first rule that holds it. */
export type Eligibility = { kind: 'send' } | { kind: 'hold'; until: string; reason: HoldReason } | { kind: 'skip'; reason: SkipReason };

export interface EligibilityOptions {
  cap?: FrequencyCap;
  quietHours?: QuietHours;
  /** Used when the customer has no zone or an unknown one (the store's zone, say); UTC if unknown too. */
  defaultTimezone?: string;
}

export interface EligibilitySummary {
  send: number;
  hold: Record<HoldReason, number>;
  skip: Record<SkipReason, number>;
}

export const DEFAULT_FREQUENCY_CAP: Readonly<FrequencyCap> = { maxEmails: 1, windowHours: 16 };
export const DEFAULT_QUIET_HOURS: Readonly<QuietHours> = { startHour: 21, endHour: 8 };

/**
 * The order suppression reasons are reported in when a customer has several: what the customer
 * asked for (unsubscribed, then a spam complaint) before what the mailbox did (hard bounce), and
 * the specific before the generic (a manual suppression is reported as `suppressed`).
 */
export const SUPPRESSION_PRECEDENCE: readonly SuppressionReason[] = ['unsubscribed', 'complaint', 'hard_bounce', 'manual'];

const SKIP_REASONS: readonly SkipReason[] = ['no_email', 'no_consent', 'unsubscribed', 'complaint', 'hard_bounce', 'suppressed'];
const HOLD_REASONS: readonly HoldReason[] = ['frequency_cap', 'quiet_hours'];

const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone the runtime does not know. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function isKnownZone(timeZone: string | null | undefined): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone to use: `timeZone` if the runtime knows it, else `fallback` if it does, else 'UTC'. */
export function resolveTimeZone(timeZone: string | null | undefined, fallback?: string): string {
  if (isKnownZone(timeZone)) return timeZone;
  if (isKnownZone(fallback)) return fallback;
  return 'UTC';
}

function wallClock(atMs: number, timeZone: string): { hour: number; minute: number; second: number } {
  const parts = { hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(new Date(atMs))) {
    if (p.type === 'hour' || p.type === 'minute' || p.type === 'second') parts[p.type] = Number(p.value);
  }
  return parts;
}

/** The hour (0–23) on the wall clock in `timeZone` at `at`. Throws RangeError for an unknown zone. */
export function localHour(at: Date, timeZone: string): number {
  return wallClock(at.getTime(), timeZone).hour;
}

function validQuietHours(quiet: QuietHours): { start: number; end: number } {
  const ok = (h: number): boolean => Number.isInteger(h) && h >= 0 && h <= 24;
  if (!ok(quiet.startHour) || !ok(quiet.endHour)) {
    throw new RangeError(`Quiet hours must be whole hours 0-24, got ${quiet.startHour} to ${quiet.endHour}`);
  }
  const start = quiet.startHour % 24;
  const end = quiet.endHour % 24;
  // 0 to 24 would be quiet all day and never send; only equal hours as given mean "no quiet hours".
  if (start === end && quiet.startHour !== quiet.endHour) {
    throw new RangeError(`Quiet hours ${quiet.startHour} to ${quiet.endHour} cover the whole day`);
  }
  return { start, end };
}

function isQuietHour(hour: number, quiet: { start: number; end: number }): boolean {
  if (quiet.start === quiet.end) return false;
  return quiet.start < quiet.end ? hour >= quiet.start && hour < quiet.end : hour >= quiet.start || hour < quiet.end;
}

function validCap(cap: FrequencyCap): FrequencyCap {
  const maxOk = cap.maxEmails === Number.POSITIVE_INFINITY || (Number.isInteger(cap.maxEmails) && cap.maxEmails >= 1);
  if (!maxOk || !Number.isFinite(cap.windowHours) || cap.windowHours <= 0) {
    throw new RangeError(`Frequency cap needs maxEmails ≥ 1 and windowHours > 0, got ${cap.maxEmails} per ${cap.windowHours} h`);
  }
  return cap;
}

function validNow(now: Date): number {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new RangeError('now must be a valid Date');
  return t;
}

/**
 * The first instant at or after `now` outside quiet hours in `timeZone`: `now` itself when the
 * window is open, otherwise the top of the local hour at which quiet hours end. Across a DST
 * change this is the real instant (an 8:00 end after a spring-forward night comes an hour sooner
 * in UTC; an end hour the clocks skip opens at the jump). Throws RangeError for an unknown zone
 * or invalid quiet hours.
 */
export function nextSendWindowStart(now: Date, timeZone: string, quiet: QuietHours): Date {
  const q = validQuietHours(quiet);
  let t = validNow(now);
  // Walk from one top of the local hour to the next: the local hour only changes there (current
  // DST rules all switch on the hour), so the first open hour is found exactly. A quiet span is
  // at most 23 hours plus a repeated DST hour, well within the bound.
  for (let step = 0; step < 48; step++) {
    const wall = wallClock(t, timeZone);
    if (!isQuietHour(wall.hour, q)) return new Date(t);
    const msIntoSecond = ((t % 1000) + 1000) % 1000;
    t += HOUR_MS - (wall.minute * 60_000 + wall.second * 1000 + msIntoSecond);
  }
  throw new Error(`No open send window found after ${now.toISOString()} in ${timeZone}`);
}

/**
 * When the frequency cap next allows a send, or null if it allows one now. A send counts while it
 * is less than `windowHours` old (one exactly `windowHours` old has aged out); future-dated sends
 * count; unparseable times are ignored.
 */
export function frequencyCapFreesAt(recentSends: readonly string[], now: Date, cap: FrequencyCap = DEFAULT_FREQUENCY_CAP): Date | null {
  const { maxEmails, windowHours } = validCap(cap);
  const t = validNow(now);
  const windowMs = windowHours * HOUR_MS;
  const inWindow = recentSends
    .map((iso) => Date.parse(iso))
    .filter((s) => Number.isFinite(s) && t - s < windowMs)
    .sort((a, b) => a - b);
  if (inWindow.length < maxEmails) return null;
  // Once this one ages out, fewer than maxEmails remain in the window.
  return new Date(inWindow[inWindow.length - maxEmails]! + windowMs);
}

function skipReason(r: RecipientFacts): SkipReason | null {
  if (r.email === null || r.email.trim() === '') return 'no_email';
  if (!r.emailConsent) return 'no_consent';
  if (r.suppressedReasons.length === 0) return null;
  for (const reason of SUPPRESSION_PRECEDENCE) {
    if (r.suppressedReasons.includes(reason)) return reason === 'manual' ? 'suppressed' : reason;
  }
  // Suppression.reason is free text in the database: any other reason still suppresses.
  return 'suppressed';
}

/** Whether to send to a recipient now, hold it until an instant, or skip it; see the file header. */
export function checkEligibility(r: RecipientFacts, now: Date, opts: EligibilityOptions = {}): Eligibility {
  const cap = opts.cap ?? DEFAULT_FREQUENCY_CAP;
  const quiet = opts.quietHours ?? DEFAULT_QUIET_HOURS;
  validCap(cap);
  validQuietHours(quiet);
  const t = validNow(now);

  const skip = skipReason(r);
  if (skip) return { kind: 'skip', reason: skip };

  const zone = resolveTimeZone(r.timezone, opts.defaultTimezone);
  const capFreesAt = frequencyCapFreesAt(r.recentMarketingSends, now, cap);
  if (capFreesAt) {
    return { kind: 'hold', reason: 'frequency_cap', until: nextSendWindowStart(capFreesAt, zone, quiet).toISOString() };
  }
  const opensAt = nextSendWindowStart(now, zone, quiet);
  if (opensAt.getTime() > t) return { kind: 'hold', reason: 'quiet_hours', until: opensAt.toISOString() };
  return { kind: 'send' };
}

/** Counts by outcome; every reason is present (0 when unused), in precedence order. */
export function summarizeEligibility(results: readonly Eligibility[]): EligibilitySummary {
  const hold = Object.fromEntries(HOLD_REASONS.map((reason) => [reason, 0])) as Record<HoldReason, number>;
  const skip = Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<SkipReason, number>;
  let send = 0;
  for (const result of results) {
    if (result.kind === 'send') send += 1;
    else if (result.kind === 'hold') hold[result.reason] += 1;
    else skip[result.reason] += 1;
  }
  return { send, hold, skip };
}
