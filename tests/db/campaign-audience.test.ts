import { randomUUID } from 'node:crypto';
import { createCampaignAudienceActivities } from '../../activities/campaign/audience';
import type { Segment } from '../../domain/segments';
import { createDb, type Db } from '../../platform/db';
import { testEnv } from '../../scripts/kit/env';

const DAY_MS = 86_400_000;
let db: Db;

beforeAll(() => {
  db = createDb(testEnv().databaseUrl, { max: 2 });
});

afterAll(async () => {
  await db.$disconnect();
});

/** A store of our own with six customers: who is in, who may not be mailed, and why. */
async function scenario() {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CA-${suffix}`;
  await db.region.create({ data: { id: `R-CA-${suffix}`, name: 'Campaign region' } });
  await db.store.create({ data: { id: storeId, name: 'Campaign store', regionId: `R-CA-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  const customer = async (key: string, tier: 'STANDARD' | 'SILVER' | 'GOLD' | 'PLATINUM', consent: boolean, orderDaysAgo: number | null) => {
    const id = `CUST-CA-${suffix}-${key}`;
    const email = `${key.toLowerCase()}-${suffix.toLowerCase()}@example.com`;
    await db.customer.create({
      data: { id, firstName: key, lastName: 'Test', email, tier, memberSince: new Date('2020-01-01'), homeStoreId: storeId, emailConsent: consent },
    });
    if (orderDaysAgo !== null) {
      await db.order.create({
        data: {
          id: `ORD-${id}`,
          customerId: id,
          storeId,
          channel: 'store',
          purchasedAt: new Date(Date.now() - orderDaysAgo * DAY_MS),
          total: 240,
          lines: { create: [{ id: randomUUID(), sku: 'WA-0001', quantity: 3, unitPrice: 80 }] },
        },
      });
    }
    return { id, email };
  };
  const people = {
    recent: await customer('RECENT', 'PLATINUM', true, 5),
    lapsed: await customer('LAPSED', 'GOLD', true, 400),
    noConsent: await customer('NOCONSENT', 'PLATINUM', false, 10),
    unsubscribed: await customer('UNSUB', 'PLATINUM', true, 10),
    bounced: await customer('BOUNCED', 'PLATINUM', true, 10),
    silver: await customer('SILVER', 'SILVER', true, null),
  };
  await db.suppression.create({ data: { id: randomUUID(), email: people.unsubscribed.email, reason: 'unsubscribed' } });
  await db.suppression.create({ data: { id: randomUUID(), email: people.bounced.email, reason: 'hard_bounce' } });
  const campaignId = `campaign-${suffix}`;
  await db.campaign.create({ data: { id: campaignId, workflowId: campaignId, name: 'Test', segment: {}, variants: [], status: 'draft', createdBy: 'morgan' } });
  return { storeId, people, campaignId };
}

describe('campaign audience snapshot', () => {
  test('segment members, who may not be mailed and why, the split of the rest; a retry writes nothing twice', async () => {
    const s = await scenario();
    const acts = createCampaignAudienceActivities({ db });
    const segment: Segment = { storeIds: [s.storeId], tiers: ['PLATINUM', 'GOLD'] };
    const input = { campaignId: s.campaignId, segment, variants: [{ key: 'a' }, { key: 'b' }], holdoutPercent: 0, asOf: new Date().toISOString() };
    const snap = await acts.snapshotAudience(input);
    expect(snap.matched).toBe(5);
    expect(snap.eligible).toBe(2);
    expect(snap.suppressed).toEqual({ no_consent: 1, unsubscribed: 1, hard_bounce: 1 });
    expect(snap.split.total).toBe(2);
    expect(snap.split.byVariant.a! + snap.split.byVariant.b!).toBe(2);
    expect(snap.sample.map((x) => x.customerId).sort()).toEqual([s.people.lapsed.id, s.people.recent.id].sort());

    const rows = await db.campaignRecipient.findMany({ where: { campaignId: s.campaignId }, orderBy: { customerId: 'asc' } });
    expect(rows).toHaveLength(5);
    expect(
      rows
        .filter((r) => r.suppressedReason)
        .map((r) => [r.customerId, r.suppressedReason])
        .sort(),
    ).toEqual(
      [
        [s.people.bounced.id, 'hard_bounce'],
        [s.people.noConsent.id, 'no_consent'],
        [s.people.unsubscribed.id, 'unsubscribed'],
      ].sort(),
    );
    expect((await db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).audienceSize).toBe(2);

    const again = await acts.snapshotAudience(input);
    expect(again).toEqual(snap);
    expect(await db.campaignRecipient.count({ where: { campaignId: s.campaignId } })).toBe(5);
  });

  test('recency and category affinity come from purchase history', async () => {
    const s = await scenario();
    const acts = createCampaignAudienceActivities({ db });
    const recent = await acts.snapshotAudience({
      campaignId: s.campaignId,
      segment: { storeIds: [s.storeId], lastPurchaseNewerThanDays: 30 },
      variants: [{ key: 'a' }],
      holdoutPercent: 0,
      asOf: new Date().toISOString(),
    });
    expect(recent.matched).toBe(4); // recent, no-consent, unsubscribed, bounced
    expect(recent.eligible).toBe(1);
    expect(recent.sample.map((x) => x.customerId)).toEqual([s.people.recent.id]);

    const s2 = await scenario();
    const apparel = await acts.snapshotAudience({
      campaignId: s2.campaignId,
      segment: { storeIds: [s2.storeId], categoryAffinity: { categories: ['womens-apparel'], minShare: 0.5 } },
      variants: [{ key: 'a' }],
      holdoutPercent: 0,
      asOf: new Date().toISOString(),
    });
    expect(apparel.matched).toBe(5); // everyone who bought (all apparel); not the silver customer who never did
  });
});
