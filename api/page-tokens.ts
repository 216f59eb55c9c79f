import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Page tokens the API hands out for Temporal visibility lists: Temporal's own token, bound to the
 * list's query and signed, so a token the API did not issue (or issued for another filter) is a 400
 * at once instead of reaching Temporal, which answers a foreign token only after ~20 s, with
 * UNKNOWN. The key is the installation's (kept in Postgres) so every API instance reads the others'.
 */
export interface PageTokenCodec {
  encode(temporalToken: Uint8Array, query: string): string;
  /** Temporal's token, or undefined when this token was not issued by this installation for this query. */
  decode(token: string, query: string): Uint8Array | undefined;
}

const MAC_BYTES = 16;

export function pageTokenCodec(key: string = randomBytes(32).toString('base64url')): PageTokenCodec {
  const mac = (bytes: Uint8Array, query: string) => createHmac('sha256', key).update(query).update('\n').update(bytes).digest().subarray(0, MAC_BYTES);
  return {
    encode(temporalToken, query) {
      return `${Buffer.from(temporalToken).toString('base64url')}.${mac(temporalToken, query).toString('base64url')}`;
    },
    decode(token, query) {
      const [body, signature, ...rest] = token.split('.');
      if (!body || !signature || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(signature)) return undefined;
      const bytes = Buffer.from(body, 'base64url');
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(bytes, query);
      return given.length === expected.length && timingSafeEqual(given, expected) ? bytes : undefined;
    },
  };
}
