/**
 * What a campaign's approver sees (issue 14 §1), through the real Express app and worker: at the
 * pending approval, the audience counts by exclusion reason (consent, suppression, frequency cap,
 * quiet hours, holdout) as frozen, and every variant rendered for one real recipient; after
 * approval, sends by outcome and reason, the held by reason and when they are offered again. The
 * state and the inbox row validate against the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { assignVariant } from '../../domain/campaign-split';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createPerson } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { responseErrors, untypedParts } from '../support/openapi-validate';

let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
  app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') });
});

afterAll(async () => {
  await h?.close();
});

const BASE = '/api/v1/campaigns';
const VARIANTS = [
  { key: 'a', subject: 'Hi {{firstName}}', body: 'Our winter edit is in.\n\nCome and see it.' },
  { key: 'b', subject: '{{firstName}}, new in for {{tier}} members', body: 'Fresh picks for you.' },
];

test('a pending campaign shows its frozen exclusions and variant previews; once sent, outcomes, holds and retries', async () => {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CX-${suffix}`;
  const regionId = `R-CX-${suffix}`;
  await h.db.region.create({ data: { id: regionId, name: 'Campaign context region' } });
  await h.db.store.create({ data: { id: storeId, name: 'Campaign context store', regionId, city: 'Testville', timezone: 'UTC' } });
  const customer = async (key: string, extra: { emailConsent?: boolean; timezone?: string } = {}) => {
    const id = `CUST-CX-${suffix}-${key}`;
    await h.db.customer.create({
      data: {
        id,
        firstName: `Cx${key}`,
        lastName: 'Test',
        email: `${key.toLowerCase()}-${suffix.toLowerCase()}@example.com`,
        tier: 'GOLD',
        memberSince: new Date('2020-01-01'),
        homeStoreId: storeId,
        emailConsent: extra.emailConsent ?? true,
        timezone: extra.timezone ?? 'UTC',
      },
    });
    return id;
  };
  const plain = [];
  for (let i = 0; i < 8; i++) plain.push(await customer(`P${i}`));
  await customer('NOCONSENT', { emailConsent: false });
  await customer('UNSUB');
  await h.db.suppression.create({ data: { id: `cx-${suffix}`, email: `unsub-${suffix.toLowerCase()}@example.com`, reason: 'unsubscribed' } });
  const capped = await customer('CAPPED');
  // Mailed an hour ago by another campaign: the default cap (1 in 16 h) holds them.
  const other = `campaign-other-${suffix.toLowerCase()}`;
  await h.db.campaign.create({ data: { id: other, workflowId: other, name: 'Other', segment: {}, variants: [], status: 'completed', createdBy: 'test' } });
  await h.db.campaignSend.create({
    data: { id: `${other}:${capped}`, campaignId: other, customerId: capped, variantKey: 'a', status: 'SENT', sentAt: new Date(Date.now() - 3_600_000) },
  });
  // A send window of the two UTC hours from now: a customer at UTC+12 is in their quiet hours.
  const hour = new Date().getUTCHours();
  const sendWindow = { startHour: hour, endHour: hour + 2 > 24 ? (hour + 2) % 24 : hour + 2 };
  const night = await customer('NIGHT', { timezone: 'Etc/GMT-12' });

  const marketer = await createPerson(h.db, suffix, 'marketing_manager', 'cxm', { allScopes: true });
  const approver = await createPerson(h.db, suffix, 'marketing_manager', 'cxa', { allScopes: true });
  const started = await request(app)
    .post(BASE)
    .set(auth(marketer.apiKey))
    .send({ name: `Winter edit ${suffix}`, segment: { storeIds: [storeId] }, variants: VARIANTS, holdoutPercent: 20, sendWindow });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  const group = (customerId: string) => assignVariant(id, customerId, VARIANTS, 20).group;
  const mailable = [...plain, capped, night].filter((c) => group(c) !== 'holdout');
  const heldOut = [...plain, capped, night].length - mailable.length;

  try {
    const pending = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(approver.apiKey));
        return r.status === 200 && r.body.stage === 'awaiting_approval' && r.body.pendingApproval ? r : undefined;
      },
      30_000,
      'the campaign awaiting approval',
    );
    expect(responseErrors('get', `${BASE}/{id}`, 200, pending.body)).toEqual([]);
    const a = pending.body.audienceAtApproval;
    expect(a).toMatchObject({ matched: 12, eligible: 10, toMail: 10 - heldOut, frozenAt: expect.any(String) });
    expect(a.byGroup).toEqual({
      consent: 1,
      suppression: 1,
      frequencyCap: group(capped) === 'holdout' ? 0 : 1,
      quietHours: group(night) === 'holdout' ? 0 : 1,
      holdout: heldOut,
    });
    expect(a.sendableNow).toBe(a.toMail - a.byGroup.frequencyCap - a.byGroup.quietHours);
    expect(a.exclusions).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'no_consent', group: 'consent', count: 1, effect: 'not_mailed' })]));
    expect(a.exclusions).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'unsubscribed', group: 'suppression', count: 1 })]));
    expect(pending.body.delivery).toBeNull();
    expect(pending.body.name).toEqual(expect.any(String));

    // Without include=context: the state and the counts from it, none of what is read from Postgres.
    const plainRead = await request(app).get(`${BASE}/${id}`).set(auth(approver.apiKey));
    expect(plainRead.status).toBe(200);
    expect(responseErrors('get', `${BASE}/{id}`, 200, plainRead.body)).toEqual([]);
    expect(plainRead.body.audienceAtApproval).toEqual(a);
    for (const part of ['name', 'previews', 'delivery']) expect(plainRead.body).not.toHaveProperty(part);

    // The previews: one real recipient (the first of the audience), every variant through the real templates.
    const p = pending.body.previews;
    const first = [...plain, capped, night].sort()[0]!;
    expect(p.recipient).toMatchObject({ customerId: first, firstName: expect.stringMatching(/^Cx/) });
    expect(p.variants.map((v: { key: string }) => v.key)).toEqual(['a', 'b']);
    expect(p.variants[0].subject).toBe(`Hi ${p.recipient.firstName}`);
    expect(p.variants[1].subject).toBe(`${p.recipient.firstName}, new in for Gold members`);
    expect(p.variants[0].text).toContain('Our winter edit is in.');
    expect(p.variants[0].html).toContain('<p style="margin:0 0 12px;">Our winter edit is in.</p>');
    expect(p.variants[0].html).toMatch(/Unsubscribe<\/a> with one click/);

    // The inbox row carries the same for the decider.
    const inbox = await request(app).get('/api/v1/approvals').set(auth(approver.apiKey));
    expect(inbox.status).toBe(200);
    expect(responseErrors('get', '/api/v1/approvals', 200, inbox.body)).toEqual([]);
    const row = inbox.body.items.find((i: { processId: string }) => i.processId === id);
    expect(row.details.audienceAtApproval).toEqual(a);
    expect(row.details.previews.variants).toHaveLength(2);

    // Someone unsubscribes after the freeze: skipped at send time, counted apart; the frozen counts stay.
    const late = plain.find((c) => group(c) !== 'holdout')!;
    const lateEmail = (await h.db.customer.findUniqueOrThrow({ where: { id: late } })).email;
    await h.db.suppression.create({ data: { id: `cx-late-${suffix}`, email: lateEmail, reason: 'unsubscribed' } });
    expect((await request(app).post(`${BASE}/${id}/decisions`).set(auth(approver.apiKey)).send({ decision: 'approve' })).status).toBe(200);

    const expectHeld = [capped, night].filter((c) => group(c) !== 'holdout').length;
    const after = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(approver.apiKey));
        const wanted = expectHeld > 0 ? 'holding' : 'completed';
        return r.body.stage === wanted ? r : undefined;
      },
      30_000,
      'sent, the held waiting',
    );
    expect(responseErrors('get', `${BASE}/{id}`, 200, after.body)).toEqual([]);
    expect(after.body.audienceAtApproval).toEqual(a);
    const d = after.body.delivery;
    expect(d).toMatchObject({
      toMail: 10 - heldOut,
      sent: mailable.length - expectHeld - 1,
      failed: 0,
      unknown: 0,
      inFlight: 0,
      held: expectHeld,
      skippedAtSend: 1,
      notYetAttempted: 0,
    });
    expect(d.skippedByReason).toEqual([{ reason: 'unsubscribed', count: 1 }]);
    expect(d.heldByReason.map((x: { reason: string }) => x.reason).sort()).toEqual(
      [...(group(capped) !== 'holdout' ? ['frequency_cap'] : []), ...(group(night) !== 'holdout' ? ['quiet_hours'] : [])].sort(),
    );
    for (const x of d.heldByReason) expect(Date.parse(x.earliestRetryAt)).toBeGreaterThan(Date.now());
    if (expectHeld > 0) {
      expect(d.nextAttemptAt).toBe(after.body.nextAttemptAt);
      expect(Date.parse(d.nextAttemptAt)).toBe(Math.min(...d.heldByReason.map((x: { earliestRetryAt: string }) => Date.parse(x.earliestRetryAt))));
    }
  } finally {
    await request(app).post(`${BASE}/${id}/cancel`).set(auth(marketer.apiKey)).send({ reason: 'test done' });
  }
});

test('a completed campaign: everyone sent, nothing held, its final state typed', async () => {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CY-${suffix}`;
  await h.db.region.create({ data: { id: `R-CY-${suffix}`, name: 'Campaign done region' } });
  await h.db.store.create({ data: { id: storeId, name: 'Campaign done store', regionId: `R-CY-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  for (let i = 0; i < 2; i++) {
    await h.db.customer.create({
      data: {
        id: `CUST-CY-${suffix}-${i}`,
        firstName: `Cy${i}`,
        lastName: 'Test',
        email: `cy${i}-${suffix.toLowerCase()}@example.com`,
        tier: 'SILVER',
        memberSince: new Date('2020-01-01'),
        homeStoreId: storeId,
        emailConsent: true,
        timezone: 'UTC',
      },
    });
  }
  const marketer = await createPerson(h.db, suffix, 'marketing_manager', 'cym', { allScopes: true });
  const approver = await createPerson(h.db, suffix, 'marketing_manager', 'cya', { allScopes: true });
  const started = await request(app)
    .post(BASE)
    .set(auth(marketer.apiKey))
    .send({ name: `Done ${suffix}`, segment: { storeIds: [storeId] }, variants: VARIANTS, sendWindow: { startHour: 0, endHour: 24 } });
  const id = started.body.id as string;
  await eventually(
    async () => ((await request(app).get(`${BASE}/${id}`).set(auth(approver.apiKey))).body.pendingApproval ? true : undefined),
    30_000,
    'awaiting approval',
  );
  expect((await request(app).post(`${BASE}/${id}/decisions`).set(auth(approver.apiKey)).send({ decision: 'approve' })).status).toBe(200);
  const done = await eventually(
    async () => {
      const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(approver.apiKey));
      return r.body.status === 'completed' ? r : undefined;
    },
    30_000,
    'completed',
  );
  expect(responseErrors('get', `${BASE}/{id}`, 200, done.body)).toEqual([]);
  expect(done.body.result).toMatchObject({ stage: 'completed', progress: { sent: 2 } });
  expect(done.body.delivery).toMatchObject({ toMail: 2, sent: 2, held: 0, failed: 0, unknown: 0, notYetAttempted: 0, heldByReason: [], nextAttemptAt: null });
  expect(done.body.audienceAtApproval.byGroup).toEqual({ consent: 0, suppression: 0, frequencyCap: 0, quietHours: 0, holdout: 0 });
});

test('the CampaignState schema types every part (no open objects or untyped values)', () => {
  expect(untypedParts('CampaignState')).toEqual([]);
});
