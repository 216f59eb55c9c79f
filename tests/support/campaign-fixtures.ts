/** A campaign test's own store and customers (all consenting, no prior sends), a draft campaign and two marketing managers. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db';
import { createPerson } from '../../scripts/kit/fixtures';

export async function createCampaignScenario(db: Db, customers: number, opts: { prefix?: string; name?: string } = {}) {
  const prefix = opts.prefix ?? 'CD';
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-${prefix}-${suffix}`;
  await db.region.create({ data: { id: `R-${prefix}-${suffix}`, name: 'Campaign region' } });
  await db.store.create({ data: { id: storeId, name: 'Campaign store', regionId: `R-${prefix}-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  const emails: string[] = [];
  for (let i = 0; i < customers; i++) {
    const email = `c${i}-${suffix.toLowerCase()}@example.com`;
    emails.push(email);
    await db.customer.create({
      data: {
        id: `CUST-${prefix}-${suffix}-${i}`,
        firstName: `Ann${i}`,
        lastName: 'Test',
        email,
        tier: 'GOLD',
        memberSince: new Date('2020-01-01'),
        homeStoreId: storeId,
        emailConsent: true,
        timezone: 'UTC',
      },
    });
  }
  const campaignId = `campaign-${suffix.toLowerCase()}`;
  await db.campaign.create({
    data: {
      id: campaignId,
      workflowId: campaignId,
      name: opts.name ?? 'Winter edit',
      segment: { storeIds: [storeId] },
      variants: [],
      status: 'draft',
      createdBy: 'test',
    },
  });
  const marketer = await createPerson(db, suffix, 'marketing_manager', 'mkt', { allScopes: true });
  const approver = await createPerson(db, suffix, 'marketing_manager', 'mkt2', { allScopes: true });
  const customerIds = emails.map((_, i) => `CUST-${prefix}-${suffix}-${i}`);
  return { suffix, storeId, emails, customerIds, campaignId, marketer, approver };
}
