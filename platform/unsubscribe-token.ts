/**
 * Signed tokens for one-click unsubscribe links (RFC 8058): the link names the customer, campaign
 * and address it was sent to, and only this service can mint one.
 *
 *   v1.<payload>.<signature>
 *   payload    base64url of {"u":customerId,"c":campaignId,"e":email,"t":issued-at epoch seconds}
 *   signature  base64url of HMAC-SHA256(secret, "v1.<payload>")
 *
 * Secret rotation: pass the secrets newest first; the first signs, any of them verifies.
 *
 * Lifetime: a token is good for `maxAgeDays` after it was issued (default 365; the operator sets
 * UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS), and never before it was issued, give or take
 * UNSUBSCRIBE_CLOCK_SKEW_MS between the worker that signed it and the API that checks it. A date
 * further ahead is not something this service writes: such a token would otherwise never expire.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribePayload {
  customerId: string;
  campaignId: string;
  email: string;
}

export type UnsubscribeTokenFailure = 'malformed' | 'bad_signature' | 'expired' | 'issued_in_future' | 'unsupported_version';

export type UnsubscribeTokenResult = { ok: true; payload: UnsubscribePayload; issuedAt: Date } | { ok: false; reason: UnsubscribeTokenFailure };

export const UNSUBSCRIBE_TOKEN_VERSION = 'v1';
export const DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS = 365;
/** How far ahead of this host's clock a token's issue time may be (another host's clock). */
export const UNSUBSCRIBE_CLOCK_SKEW_MS = 5 * 60_000;

/** Far longer than any real token; anything longer is refused before it is hashed. */
const MAX_TOKEN_LENGTH = 2_048;
const SIGNATURE_BYTES = 32;
const DAY_MS = 86_400_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface WirePayload {
  u: string;
  c: string;
  e: string;
  t: number;
}

function secretList(secret: string | readonly string[]): string[] {
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('Unsubscribe token secrets must be non-empty strings');
  }
  return secrets;
}

function sign(secret: string, signedPart: string): Buffer {
  return createHmac('sha256', secret).update(signedPart, 'utf8').digest();
}

/** The bytes of a base64url segment, or null unless it is exactly what Buffer would encode (no padding, no stray bits). */
function decodeSegment(segment: string): Buffer | null {
  if (!BASE64URL.test(segment)) return null;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : null;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function parseWirePayload(bytes: Buffer): WirePayload | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const p = value as Record<string, unknown>;
  if (!nonEmptyString(p.u) || !nonEmptyString(p.c) || !nonEmptyString(p.e)) return null;
  if (typeof p.t !== 'number' || !Number.isSafeInteger(p.t) || p.t < 0) return null;
  return { u: p.u, c: p.c, e: p.e, t: p.t };
}

/**
 * A token for an unsubscribe URL. `issuedAt` (default now) is kept to the whole second. With
 * several secrets the first signs. Throws TypeError for an empty secret or payload field.
 */
export function createUnsubscribeToken(secret: string | readonly string[], payload: UnsubscribePayload, opts: { issuedAt?: Date } = {}): string {
  const [signingSecret] = secretList(secret);
  if (!nonEmptyString(payload.customerId) || !nonEmptyString(payload.campaignId) || !nonEmptyString(payload.email)) {
    throw new TypeError('Unsubscribe token payload needs a customerId, campaignId and email');
  }
  const issuedMs = (opts.issuedAt ?? new Date()).getTime();
  if (!Number.isFinite(issuedMs) || issuedMs < 0) throw new RangeError('issuedAt must be a valid Date after 1970');
  const wire: WirePayload = { u: payload.customerId, c: payload.campaignId, e: payload.email, t: Math.floor(issuedMs / 1000) };
  const signedPart = `${UNSUBSCRIBE_TOKEN_VERSION}.${Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url')}`;
  return `${signedPart}.${sign(signingSecret!, signedPart).toString('base64url')}`;
}

/**
 * Checks a token from an unsubscribe URL: its shape, then the signature against each secret, then
 * its age. It expires `maxAgeDays` (default 365) after it was issued, to the millisecond: at that
 * instant it is already expired. A token issued up to UNSUBSCRIBE_CLOCK_SKEW_MS after `now` (clock
 * skew between hosts) is accepted; one issued later than that is refused as `issued_in_future`.
 */
export function verifyUnsubscribeToken(
  secret: string | readonly string[],
  token: string,
  opts: { now?: Date; maxAgeDays?: number } = {},
): UnsubscribeTokenResult {
  const secrets = secretList(secret);
  const maxAgeDays = opts.maxAgeDays ?? DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS;
  if (!(maxAgeDays > 0)) throw new RangeError(`maxAgeDays must be positive, got ${maxAgeDays}`);
  const nowMs = (opts.now ?? new Date()).getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid Date');

  if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  // Another version's layout may differ, so its prefix alone decides.
  if (/^v\d+$/.test(parts[0]!) && parts[0] !== UNSUBSCRIBE_TOKEN_VERSION) return { ok: false, reason: 'unsupported_version' };
  if (parts.length !== 3 || parts[0] !== UNSUBSCRIBE_TOKEN_VERSION) return { ok: false, reason: 'malformed' };
  const [version, payloadSegment, signatureSegment] = parts as [string, string, string];
  const payloadBytes = decodeSegment(payloadSegment);
  const signature = decodeSegment(signatureSegment);
  if (!payloadBytes || !signature || signature.length !== SIGNATURE_BYTES) return { ok: false, reason: 'malformed' };

  // The payload is not parsed until the signature proves we wrote it.
  const signedPart = `${version}.${payloadSegment}`;
  if (!secrets.some((s) => timingSafeEqual(sign(s, signedPart), signature))) return { ok: false, reason: 'bad_signature' };

  const wire = parseWirePayload(payloadBytes);
  if (!wire) return { ok: false, reason: 'malformed' };
  const issuedMs = wire.t * 1000;
  if (issuedMs > nowMs + UNSUBSCRIBE_CLOCK_SKEW_MS) return { ok: false, reason: 'issued_in_future' };
  if (nowMs >= issuedMs + maxAgeDays * DAY_MS) return { ok: false, reason: 'expired' };
  return { ok: true, payload: { customerId: wire.u, campaignId: wire.c, email: wire.e }, issuedAt: new Date(issuedMs) };
}
