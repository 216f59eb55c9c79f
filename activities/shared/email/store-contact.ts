import type { Db } from '../../../platform/db';

/** What an email says about a store: its name, where it is, its zone, and where replies reach it. */
export interface StoreContact {
  id: string;
  name: string;
  timezone: string;
  /** "170 O'Farrell Street, San Francisco, CA 94102" (the city alone when the street is unknown). */
  address: string;
  /** Replies to the store's emails; null when the store has none (then no email invites a reply). */
  email: string | null;
}

export function storeAddress(s: { city: string; street: string | null; state: string | null; postalCode: string | null }): string {
  const region = [s.state, s.postalCode].filter(Boolean).join(' ');
  return [s.street, s.city, region].filter(Boolean).join(', ');
}

export async function loadStoreContact(db: Db, storeId: string | null | undefined): Promise<StoreContact | null> {
  if (!storeId) return null;
  const s = await db.store.findUnique({
    where: { id: storeId },
    select: { id: true, name: true, timezone: true, city: true, street: true, state: true, postalCode: true, email: true },
  });
  if (!s) return null;
  return { id: s.id, name: s.name, timezone: s.timezone, address: storeAddress(s), email: s.email?.trim() || null };
}
