/** The fuzz context read from the seeded database: real stores, SKUs, open appointments, stylists. */
import { randomUUID } from 'node:crypto';
import { hashApiKey } from '../../platform/api-keys';
import type { Db } from '../../platform/db';
import { createUnsubscribeToken } from '../../platform/unsubscribe-token';
import { DEMO_CALLERS, type Caller, type FuzzContext } from './context';

export interface ContextOptions {
  callers?: Caller[];
  refusedKeys?: string[];
  /** Stores valid starts name (default: every store). */
  startStoreIds?: string[];
  /** Appointments valid recoveries start for (default: S001's open ones, the demo scenario's among them). */
  appointmentIds?: string[];
  segments?: unknown[];
  /** SKUs valid requests name (default: a spread over every category). */
  skus?: string[];
  allow?: Partial<FuzzContext['allow']>;
  /** The secrets the API verifies unsubscribe links with: valid tokens are signed with them. */
  unsubscribeSecrets?: readonly string[];
}

export async function contextFromDb(db: Db, o: ContextOptions = {}): Promise<FuzzContext> {
  const stores = await db.store.findMany({ select: { id: true, regionId: true }, orderBy: { id: 'asc' } });
  const products = await db.product.findMany({ where: { active: true }, select: { sku: true, price: true, category: true }, orderBy: { sku: 'asc' } });
  const categories = [...new Set(products.map((p) => p.category))].sort();
  // A spread of SKUs over every category, not the first few of one.
  const picked = o.skus ? products.filter((p) => o.skus!.includes(p.sku)) : categories.flatMap((c) => products.filter((p) => p.category === c).slice(0, 8));
  const appointmentIds =
    o.appointmentIds ??
    (
      await db.appointment.findMany({
        where: { stylistId: null, status: 'SCHEDULED', startsAt: { gt: new Date(Date.now() + 20 * 60_000) }, storeId: { in: ['S001', 'S002'] } },
        select: { id: true },
        orderBy: { startsAt: 'asc' },
        take: 40,
      })
    ).map((a) => a.id);
  const stylists = await db.staff.findMany({
    where: { role: 'STYLIST', active: true, storeId: { in: ['S001', 'S002'] } },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: 12,
  });
  const startStores = o.startStoreIds ?? stores.map((s) => s.id);
  return {
    callers: o.callers ?? DEMO_CALLERS,
    refusedKeys: o.refusedKeys ?? [],
    stores: stores.filter((s) => startStores.includes(s.id)),
    readStoreIds: stores.map((s) => s.id),
    products: picked.map((p) => ({ sku: p.sku, price: Number(p.price), category: p.category })),
    categories,
    appointmentIds,
    stylistIds: stylists.map((s) => s.id),
    modelNames: ['demand-forecast'],
    unsubscribeTokens: o.unsubscribeSecrets?.length
      ? Array.from({ length: 5 }, (_, i) =>
          createUnsubscribeToken(o.unsubscribeSecrets!, {
            customerId: `fuzz-customer-${i}`,
            campaignId: 'fuzz-campaign',
            email: `fuzz-${i}@retail-ops.invalid`,
          }),
        )
      : [],
    segments: o.segments ?? [
      { tiers: ['PLATINUM'], storeIds: ['S001'] },
      { tiers: ['GOLD'], storeIds: ['S002'] },
      { rfmSegments: ['champions'], regionIds: ['EAST'] },
    ],
    allow: { othersProcesses: true, modelRetrainingStarts: true, rollback: true, campaignApprovals: true, ...o.allow },
  };
}

/** Adds a revoked key and a deactivated principal's key: both must answer 401. */
export async function createRefusedKeys(db: Db): Promise<string[]> {
  const suffix = randomUUID().slice(0, 8);
  const revoked = `fuzz-revoked-${suffix}`;
  const inactive = `fuzz-inactive-${suffix}`;
  await db.principal.create({
    data: { id: `fuzz-revoked-${suffix}`, displayName: 'Fuzz revoked', role: 'ops', allScopes: true, storeIds: [], regionIds: [], categories: [] },
  });
  await db.apiKey.create({
    data: { id: `apikey-${revoked}`, principalId: `fuzz-revoked-${suffix}`, keyHash: hashApiKey(revoked), label: 'fuzz: revoked', revokedAt: new Date() },
  });
  await db.principal.create({
    data: {
      id: `fuzz-inactive-${suffix}`,
      displayName: 'Fuzz inactive',
      role: 'ops',
      allScopes: true,
      storeIds: [],
      regionIds: [],
      categories: [],
      active: false,
    },
  });
  await db.apiKey.create({
    data: { id: `apikey-${inactive}`, principalId: `fuzz-inactive-${suffix}`, keyHash: hashApiKey(inactive), label: 'fuzz: inactive principal' },
  });
  return [revoked, inactive];
}
