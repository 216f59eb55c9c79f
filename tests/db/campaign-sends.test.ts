import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { campaignMessageId, createCampaignSendActivities, type CampaignSendVariant, type SendCampaignBatchInput } from '../../activities/campaign/sends';
import { DEFAULT_COMPANY_POSTAL_ADDRESS } from '../../platform/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import { createDb, type Db } from '../../platform/db';
import { createSmtpTransport } from '../../platform/mailer';
import { createSmtpSendBudget, type SmtpSendBudget } from '../../activities/campaign/smtp-budget';
import { verifyUnsubscribeToken } from '../../platform/unsubscribe-token';
import { testEnv } from '../../scripts/kit/env';
import { SmtpCapture, type CapturedMail } from '../../scripts/kit/smtp';

const HOUR_MS = 3_600_000;
const SECRETS = ['test-unsubscribe-secret'] as const;
const BASE_URL = 'http://retail-ops.test';
const MAIL_FROM = 'Retail Ops <no-reply@retail-ops.test>';

/** Noon UTC today: outside default quiet hours (21–8) for customers in UTC; 03:00 in Pacific/Gambier (UTC−9, no DST). */
const NOON = new Date();
NOON.setUTCHours(12, 0, 0, 0);

const VARIANTS: CampaignSendVariant[] = [
  {
    key: 'a',
    subject: 'Hi {{firstName}}, a {{tier}} preview',
    body: 'Dear {{ firstName }},\nNew arrivals for {{tier}} members.\nUnsubscribe: {{unsubscribeUrl}}',
  },
  { key: 'b', subject: '{{firstName}}: last chance', body: 'Hello {{firstName}}, the sale ends tonight.' },
];

let db: Db;
let smtp: SmtpCapture;
let transport: Transporter;

beforeAll(async () => {
  db = createDb(testEnv().databaseUrl, { max: 3 });
  smtp = await new SmtpCapture().start();
  transport = createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false });
});

afterAll(async () => {
  transport.close();
  await smtp.stop();
  await db.$disconnect();
});

type Tier = 'STANDARD' | 'SILVER' | 'GOLD' | 'PLATINUM';
interface PersonSpec {
  key: string;
  tier?: Tier;
  consent?: boolean;
  timezone?: string;
  variantKey?: string | null;
  holdout?: boolean;
  suppressedReason?: string;
}

/** A store and customers of our own, a campaign, and its recipient rows as the audience snapshot writes them. */
async function scenario(specs: PersonSpec[]) {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CS-${suffix}`;
  await db.region.create({ data: { id: `R-CS-${suffix}`, name: 'Send region' } });
  await db.store.create({ data: { id: storeId, name: 'Send store', regionId: `R-CS-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  const campaignId = `campaign-cs-${suffix}`;
  await db.campaign.create({
    data: { id: campaignId, workflowId: campaignId, name: 'Send test', segment: {}, variants: [], status: 'sending', createdBy: 'morgan' },
  });
  const people: Record<string, { id: string; email: string; firstName: string }> = {};
  for (const [i, p] of specs.entries()) {
    // Zero-padded index first: customerId order is the order the specs are given in.
    const id = `CUST-CS-${suffix}-${String(i).padStart(2, '0')}-${p.key}`;
    const email = `${p.key.toLowerCase()}-${suffix.toLowerCase()}@example.com`;
    const firstName = p.key.charAt(0) + p.key.slice(1).toLowerCase();
    await db.customer.create({
      data: {
        id,
        firstName,
        lastName: 'Test',
        email,
        tier: p.tier ?? 'GOLD',
        memberSince: new Date('2020-01-01'),
        homeStoreId: storeId,
        emailConsent: p.consent ?? true,
        timezone: p.timezone ?? 'UTC',
      },
    });
    await db.campaignRecipient.create({
      data: {
        campaignId,
        customerId: id,
        variantKey: p.holdout || p.suppressedReason ? null : (p.variantKey ?? 'a'),
        holdout: p.holdout ?? false,
        suppressedReason: p.suppressedReason ?? null,
      },
    });
    people[p.key] = { id, email, firstName };
  }
  return { campaignId, people, suffix };
}

function activities(opts: { now?: () => Date; transport?: Transporter; db?: Db; smtpBudget?: SmtpSendBudget; sendConcurrency?: number } = {}) {
  return createCampaignSendActivities({
    db: opts.db ?? db,
    transport: opts.transport ?? transport,
    mailFrom: MAIL_FROM,
    publicBaseUrl: BASE_URL,
    unsubscribeSecrets: SECRETS,
    now: opts.now ?? (() => NOON),
    smtpBudget: opts.smtpBudget,
    sendConcurrency: opts.sendConcurrency,
  });
}

function batch(campaignId: string, extra: Partial<SendCampaignBatchInput> = {}): SendCampaignBatchInput {
  return { campaignId, afterCustomerId: null, batchSize: 100, ratePerSecond: 0, variants: VARIANTS, ...extra };
}

function mailsTo(email: string): CapturedMail[] {
  return smtp.to(email);
}

/** What an escaping template makes of text (Handlebars escapes & < > " ' ` =). */
function escapeHtml(text: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (c) => map[c]!);
}

/** mailparser folds the List-* headers into one `list` header: List-Unsubscribe `<url>` as unsubscribe.url, List-Unsubscribe-Post as unsubscribe-post.name. */
type ParsedList = { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } } | undefined;

/** The URL in `<…>` of the List-Unsubscribe header. */
function listUnsubscribeUrl(m: CapturedMail): string {
  const url = (m.headers.get('list') as ParsedList)?.unsubscribe?.url;
  if (!url) throw new Error(`No List-Unsubscribe header: ${JSON.stringify([...m.headers.entries()])}`);
  return url;
}

function listUnsubscribePost(m: CapturedMail): string | undefined {
  return (m.headers.get('list') as ParsedList)?.['unsubscribe-post']?.name;
}

function tokenOf(url: string): string {
  const prefix = `${BASE_URL}/unsubscribe/`;
  expect(url.startsWith(prefix)).toBe(true);
  return url.slice(prefix.length);
}

describe('campaign sends', () => {
  test('each eligible recipient gets one personalised email with one-click unsubscribe; send-time rules skip or hold the rest; a rerun sends nothing', async () => {
    const s = await scenario([
      { key: 'ALICE', variantKey: 'a', tier: 'PLATINUM' },
      { key: 'BEN', variantKey: 'b', tier: 'SILVER' },
      { key: 'CARA', variantKey: 'a' },
      { key: 'HOLDOUT', holdout: true },
      { key: 'NOCONSENT', consent: false, suppressedReason: 'no_consent' },
      { key: 'LATEUNSUB', variantKey: 'a' },
      { key: 'CAPPED', variantKey: 'b' },
      { key: 'QUIET', variantKey: 'a', timezone: 'Pacific/Gambier' },
    ]);
    // After the snapshot: an unsubscribe, and another campaign mailing CAPPED an hour ago.
    await db.suppression.create({ data: { id: randomUUID(), email: s.people.LATEUNSUB!.email, reason: 'unsubscribed' } });
    const other = `${s.campaignId}-other`;
    await db.campaign.create({ data: { id: other, workflowId: other, name: 'Other', segment: {}, variants: [], status: 'done', createdBy: 'morgan' } });
    const otherSentAt = new Date(NOON.getTime() - HOUR_MS);
    await db.campaignSend.create({
      data: { id: `${other}:${s.people.CAPPED!.id}`, campaignId: other, customerId: s.people.CAPPED!.id, variantKey: 'a', status: 'SENT', sentAt: otherSentAt },
    });

    const acts = activities();
    const first = await acts.sendCampaignBatch(batch(s.campaignId));
    expect(first).toMatchObject({ examined: 6, sent: 3, failed: 0, alreadySent: 0, unknown: 0, skipped: { unsubscribed: 1 } });
    expect(first.lastCustomerId).toBe(s.people.QUIET!.id);
    const held = Object.fromEntries(first.held.map((h) => [h.customerId, h]));
    expect(first.held).toHaveLength(2);
    // 16 h cap: frees at 03:00 UTC tomorrow, inside quiet hours, so 08:00 UTC tomorrow.
    const tomorrow8 = new Date(NOON.getTime() + 20 * HOUR_MS).toISOString();
    expect(held[s.people.CAPPED!.id]).toEqual({ customerId: s.people.CAPPED!.id, until: tomorrow8, reason: 'frequency_cap' });
    // 03:00 in Gambier (UTC−9): quiet until 08:00 there, 17:00 UTC.
    expect(held[s.people.QUIET!.id]).toEqual({
      customerId: s.people.QUIET!.id,
      until: new Date(NOON.getTime() + 5 * HOUR_MS).toISOString(),
      reason: 'quiet_hours',
    });

    for (const key of ['HOLDOUT', 'NOCONSENT', 'LATEUNSUB', 'CAPPED', 'QUIET']) expect(mailsTo(s.people[key]!.email)).toHaveLength(0);
    const lateUnsub = await db.campaignRecipient.findUniqueOrThrow({
      where: { campaignId_customerId: { campaignId: s.campaignId, customerId: s.people.LATEUNSUB!.id } },
    });
    expect(lateUnsub.suppressedReason).toBe('unsubscribed');

    const expectations = [
      { key: 'ALICE', subject: 'Hi Alice, a Platinum preview', body: 'New arrivals for Platinum members.' },
      { key: 'BEN', subject: 'Ben: last chance', body: 'Hello Ben, the sale ends tonight.' },
      { key: 'CARA', subject: 'Hi Cara, a Gold preview', body: 'Dear Cara,' },
    ];
    for (const e of expectations) {
      const person = s.people[e.key]!;
      const mails = mailsTo(person.email);
      expect(mails).toHaveLength(1);
      const m = mails[0]!;
      expect(m.subject).toBe(e.subject);
      expect(m.from).toContain('no-reply@retail-ops.test');
      expect(m.text).toContain(e.body);
      expect(m.text).not.toContain('{{');
      expect(listUnsubscribePost(m)).toBe('List-Unsubscribe=One-Click');
      const url = listUnsubscribeUrl(m);
      expect(m.text).toContain(url); // in the body: as written by variant a, as the footer for variant b
      // The HTML part: the body escaped, a visible one-click unsubscribe link and the postal address.
      expect(m.html).toContain(escapeHtml(e.body));
      expect(m.html).toContain(`<a href="${url}"`);
      expect(m.html).toMatch(/>Unsubscribe<\/a>/);
      expect(m.html).toContain(escapeHtml(DEFAULT_COMPANY_POSTAL_ADDRESS));
      expect(m.text).toContain(DEFAULT_COMPANY_POSTAL_ADDRESS);
      const verified = verifyUnsubscribeToken(SECRETS, tokenOf(url), { now: NOON });
      expect(verified).toMatchObject({ ok: true, payload: { customerId: person.id, campaignId: s.campaignId, email: person.email } });

      const send = await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${person.id}` } });
      expect(send).toMatchObject({ status: 'SENT', sentAt: NOON, messageId: campaignMessageId(send.id) });
      expect(m.messageId).toBe(send.messageId);
    }

    // The same batch again (a retried activity or a replayed step): nothing new goes out.
    const before = smtp.messages.length;
    const again = await acts.sendCampaignBatch(batch(s.campaignId));
    expect(again).toMatchObject({ examined: 5, sent: 0, failed: 0, alreadySent: 3, unknown: 0, skipped: {} });
    expect(again.held.map((h) => h.customerId).sort()).toEqual([s.people.CAPPED!.id, s.people.QUIET!.id].sort());
    expect(smtp.messages.length).toBe(before);
    expect(await db.campaignSend.count({ where: { campaignId: s.campaignId } })).toBe(3);
  });

  test('a transient SMTP failure fails the activity and releases the claim; nothing starts after it; the retry sends each recipient exactly once', async () => {
    const s = await scenario([{ key: 'ONE' }, { key: 'TWO' }, { key: 'THREE' }]);
    // One email in flight at a time (a transport without a pool), so which one fails is known.
    const acts = activities({ sendConcurrency: 1 });
    expect(await acts.sendCampaignBatch(batch(s.campaignId, { batchSize: 1 }))).toMatchObject({ sent: 1, lastCustomerId: s.people.ONE!.id });

    smtp.failNext = 1; // TWO gets a 451
    await expect(acts.sendCampaignBatch(batch(s.campaignId))).rejects.toThrow(/Transient SMTP failure/);
    expect(smtp.failNext).toBe(0);
    expect(await db.campaignSend.findUnique({ where: { id: `${s.campaignId}:${s.people.TWO!.id}` } })).toBeNull();
    expect(mailsTo(s.people.TWO!.email)).toHaveLength(0);
    expect(mailsTo(s.people.THREE!.email)).toHaveLength(0); // nothing after the failure

    const retry = await acts.sendCampaignBatch(batch(s.campaignId));
    expect(retry).toMatchObject({ examined: 3, sent: 2, alreadySent: 1, failed: 0 });
    for (const key of ['ONE', 'TWO', 'THREE']) expect(mailsTo(s.people[key]!.email)).toHaveLength(1);
    expect(await db.campaignSend.count({ where: { campaignId: s.campaignId, status: 'SENT' } })).toBe(3);
  });

  test('a claim left by an attempt that died mid-send is never resent', async () => {
    const s = await scenario([{ key: 'CRASHED' }, { key: 'FRESH' }]);
    await db.campaignSend.create({
      data: { id: `${s.campaignId}:${s.people.CRASHED!.id}`, campaignId: s.campaignId, customerId: s.people.CRASHED!.id, variantKey: 'a' },
    });
    const result = await activities().sendCampaignBatch(batch(s.campaignId));
    expect(result).toMatchObject({ examined: 2, sent: 1, unknown: 1, alreadySent: 0 });
    expect(mailsTo(s.people.CRASHED!.email)).toHaveLength(0);
    expect((await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${s.people.CRASHED!.id}` } })).status).toBe('UNKNOWN');
  });

  test('a permanent SMTP rejection marks the send FAILED, suppresses the address and goes on', async () => {
    const s = await scenario([{ key: 'BOUNCY' }, { key: 'NEXT' }]);
    let calls = 0;
    const rejecting = {
      sendMail: async () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('550 5.1.1 mailbox unavailable'), { responseCode: 550, code: 'EENVELOPE' });
        return { messageId: 'x' };
      },
    } as unknown as Transporter;
    const result = await activities({ transport: rejecting }).sendCampaignBatch(batch(s.campaignId));
    expect(result).toMatchObject({ examined: 2, sent: 1, failed: 1 });
    expect(await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${s.people.BOUNCY!.id}` } })).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('550'),
    });
    expect(await db.suppression.count({ where: { email: s.people.BOUNCY!.email, reason: 'hard_bounce' } })).toBe(1);
    const rerun = await activities({ transport: rejecting }).sendCampaignBatch(batch(s.campaignId));
    expect(rerun).toMatchObject({ sent: 0, failed: 1, alreadySent: 1 });
    expect(calls).toBe(2);
  });

  test('a connection dropped mid-send without an answer: UNKNOWN, never sent again; no connection at all: retried', async () => {
    const s = await scenario([{ key: 'DROPPED' }, { key: 'AFTER' }]);
    let calls = 0;
    const dropping = {
      sendMail: async () => {
        calls += 1;
        // nodemailer's shape for a connection closed after the message went out.
        if (calls === 1) throw Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' });
        return { messageId: 'x' };
      },
    } as unknown as Transporter;
    const result = await activities({ transport: dropping }).sendCampaignBatch(batch(s.campaignId));
    expect(result).toMatchObject({ examined: 2, sent: 1, unknown: 1 });
    expect((await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${s.people.DROPPED!.id}` } })).status).toBe('UNKNOWN');
    const rerun = await activities({ transport: dropping }).sendCampaignBatch(batch(s.campaignId));
    expect(rerun).toMatchObject({ sent: 0, unknown: 1, alreadySent: 1 });
    expect(calls).toBe(2);

    const s2 = await scenario([{ key: 'NOCONN' }]);
    // nodemailer's shape for a server that is not listening.
    const refused = {
      sendMail: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' });
      },
    } as unknown as Transporter;
    await expect(activities({ transport: refused }).sendCampaignBatch(batch(s2.campaignId))).rejects.toThrow(/Transient SMTP failure/);
    expect(await db.campaignSend.count({ where: { campaignId: s2.campaignId } })).toBe(0);
  });

  test('batches page through recipients in customerId order', async () => {
    const s = await scenario([{ key: 'P1' }, { key: 'P2' }, { key: 'HELDOUT', holdout: true }, { key: 'P3' }, { key: 'P4' }, { key: 'P5' }]);
    const acts = activities();
    const seen: string[] = [];
    let after: string | null = null;
    const sizes: number[] = [];
    const more: boolean[] = [];
    for (;;) {
      const r = await acts.sendCampaignBatch(batch(s.campaignId, { afterCustomerId: after, batchSize: 2 }));
      sizes.push(r.examined);
      more.push(r.more);
      if (r.lastCustomerId === null) break;
      after = r.lastCustomerId;
      seen.push(after);
    }
    expect(sizes).toEqual([2, 2, 1, 0]);
    expect(more).toEqual([true, true, false, false]);

    // A full last batch says nothing is left, so no empty batch is needed after it.
    const even = await scenario([{ key: 'E1' }, { key: 'E2' }, { key: 'E3' }, { key: 'E4' }]);
    const first = await acts.sendCampaignBatch(batch(even.campaignId, { batchSize: 2 }));
    const second = await acts.sendCampaignBatch(batch(even.campaignId, { afterCustomerId: first.lastCustomerId, batchSize: 2 }));
    expect([first.more, second.more, second.examined]).toEqual([true, false, 2]);
    expect(seen).toEqual([s.people.P2!.id, s.people.P4!.id, s.people.P5!.id]);
    for (const key of ['P1', 'P2', 'P3', 'P4', 'P5']) expect(mailsTo(s.people[key]!.email)).toHaveLength(1);
    expect(mailsTo(s.people.HELDOUT!.email)).toHaveLength(0);
  });

  test('throttling keeps to ratePerSecond, within a batch and across batches', async () => {
    const s = await scenario([{ key: 'T1' }, { key: 'T2' }, { key: 'T3' }, { key: 'T4' }, { key: 'T5' }]);
    const started = Date.now();
    const result = await activities().sendCampaignBatch(batch(s.campaignId, { ratePerSecond: 10 }));
    const elapsed = Date.now() - started;
    expect(result.sent).toBe(5);
    expect(elapsed).toBeGreaterThanOrEqual(390); // four gaps of 100 ms

    // From one batch to the next as well: five batches of one recipient at 10 a second.
    const p = await scenario([{ key: 'B1' }, { key: 'B2' }, { key: 'B3' }, { key: 'B4' }, { key: 'B5' }]);
    const acts = activities();
    const begun = Date.now();
    let after: string | null = null;
    for (let i = 0; i < 5; i++)
      after = (await acts.sendCampaignBatch(batch(p.campaignId, { ratePerSecond: 10, batchSize: 1, afterCustomerId: after }))).lastCustomerId;
    expect(Date.now() - begun).toBeGreaterThanOrEqual(390);
    for (const person of Object.values(p.people)) expect(mailsTo(person.email)).toHaveLength(1);
  });

  test('input errors and recipients of unknown variants fail without sending', async () => {
    const s = await scenario([{ key: 'VX', variantKey: 'zzz' }]);
    const acts = activities();
    await expect(acts.sendCampaignBatch(batch(s.campaignId, { batchSize: 0 }))).rejects.toThrow(/batchSize/);
    await expect(acts.sendCampaignBatch(batch(s.campaignId))).rejects.toThrow(/variants not in the input: zzz/);
    expect(mailsTo(s.people.VX!.email)).toHaveLength(0);
  });
  test('product picks: best sellers of the categories the customer buys, never what they already bought; placed by {{productPicks}} or appended', async () => {
    const s = await scenario([
      { key: 'BUYER', variantKey: 'a' },
      { key: 'PLACED', variantKey: 'b' },
    ]);
    const category = `picks-${s.suffix.toLowerCase()}`;
    const supplierId = `SUP-CS-${s.suffix}`;
    await db.supplier.create({ data: { id: supplierId, name: `Supplier ${s.suffix}`, email: `sup-${s.suffix.toLowerCase()}@example.com`, leadTimeDays: 5 } });
    // Four styles selling 40, 30, 20, 10 units a day over the last week; the first in two sizes.
    const styles = [
      { sku: `PK-${s.suffix}-1M`, name: `Alpine Parka ${s.suffix}`, units: 40, price: 250 },
      { sku: `PK-${s.suffix}-1L`, name: `Alpine Parka ${s.suffix}`, units: 35, price: 250 },
      { sku: `PK-${s.suffix}-2`, name: `Fleece Vest ${s.suffix}`, units: 30, price: 89.5 },
      { sku: `PK-${s.suffix}-3`, name: `Wool Beanie ${s.suffix}`, units: 20, price: 25 },
      { sku: `PK-${s.suffix}-4`, name: `Trail Gloves ${s.suffix}`, units: 10, price: 40 },
    ];
    for (const st of styles) {
      await db.product.create({
        data: { sku: st.sku, name: st.name, category, brand: 'Test', colour: 'red', size: 'M', styleTags: [], cost: 10, price: st.price, supplierId },
      });
      for (let d = 1; d <= 7; d++) {
        const day = new Date(Date.UTC(NOON.getUTCFullYear(), NOON.getUTCMonth(), NOON.getUTCDate() - d));
        await db.salesDaily.create({ data: { storeId: `T-CS-${s.suffix}`, sku: st.sku, day, units: st.units * 1000, revenue: 0 } });
      }
    }
    // BUYER bought the parka (medium) and only in this category; PLACED has only a stated preference.
    const order = await db.order.create({
      data: { id: `O-CS-${s.suffix}`, customerId: s.people.BUYER!.id, channel: 'store', purchasedAt: new Date(NOON.getTime() - 30 * 24 * HOUR_MS), total: 250 },
    });
    await db.orderLine.create({ data: { id: `OL-CS-${s.suffix}`, orderId: order.id, sku: styles[0]!.sku, quantity: 1, unitPrice: 250 } });
    await db.customer.update({ where: { id: s.people.PLACED!.id }, data: { preferredCategories: [category] } });

    const variants: CampaignSendVariant[] = [
      { key: 'a', subject: 'New for you, {{firstName}}', body: 'Hello {{firstName}}.' },
      { key: 'b', subject: '{{firstName}}, meet {{productPicks}}', body: 'Top picks:\n{{productPicks}}\nSee you soon.' },
    ];
    const r = await activities().sendCampaignBatch(batch(s.campaignId, { variants }));
    expect(r.sent).toBe(2);

    const buyer = mailsTo(s.people.BUYER!.email)[0]!;
    // The parka is a style they own in another size: one pick per style, so it is not offered again in L.
    expect(buyer.text).toContain(`Picked for you:\n- Fleece Vest ${s.suffix}, $89.50\n- Wool Beanie ${s.suffix}, $25.00\n- Trail Gloves ${s.suffix}, $40.00`);
    expect(buyer.text).not.toContain('Alpine Parka');
    expect(buyer.text.indexOf('Picked for you')).toBeLessThan(buyer.text.indexOf('/unsubscribe/'));

    const placed = mailsTo(s.people.PLACED!.email)[0]!;
    expect(placed.subject).toBe(`Placed, meet Alpine Parka ${s.suffix}, Fleece Vest ${s.suffix}, Wool Beanie ${s.suffix}`);
    expect(placed.text).toContain(
      `Top picks:\n- Alpine Parka ${s.suffix}, $250.00\n- Fleece Vest ${s.suffix}, $89.50\n- Wool Beanie ${s.suffix}, $25.00\nSee you soon.`,
    );
    expect(placed.text).not.toContain('Picked for you');
  });
  test('a pooled transport (SMTP_POOL) sends each recipient exactly once over reused connections', async () => {
    const s = await scenario(Array.from({ length: 12 }, (_, i) => ({ key: `POOL${String(i).padStart(2, '0')}` })));
    const pooled = createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false, SMTP_POOL: true, SMTP_MAX_CONNECTIONS: 2 });
    try {
      const r = await activities({ transport: pooled }).sendCampaignBatch(batch(s.campaignId));
      expect(r).toMatchObject({ examined: 12, sent: 12, failed: 0, unknown: 0 });
      for (const p of Object.values(s.people)) expect(mailsTo(p.email)).toHaveLength(1);
    } finally {
      pooled.close();
    }
  });

  test('emails in flight together: a transient failure releases only what SMTP never took; the retry sends the rest, each once', async () => {
    const s = await scenario(Array.from({ length: 8 }, (_, i) => ({ key: `FLIGHT${i}` })));
    smtp.failNext = 1; // whichever email reaches DATA first gets a 451
    await expect(activities({ sendConcurrency: 4 }).sendCampaignBatch(batch(s.campaignId))).rejects.toThrow(/Transient SMTP failure.*451/);
    const rows = await db.campaignSend.findMany({ where: { campaignId: s.campaignId }, select: { customerId: true, status: true } });
    // Those in flight beside the refused one finished and were recorded; nothing is left claimed or written off.
    expect(rows.every((r) => r.status === 'SENT')).toBe(true);
    const mailed = Object.values(s.people).filter((p) => mailsTo(p.email).length > 0);
    expect(mailed.map((p) => p.id).sort()).toEqual(rows.map((r) => r.customerId).sort());
    expect(rows.length).toBeLessThan(8);

    const retry = await activities({ sendConcurrency: 4 }).sendCampaignBatch(batch(s.campaignId));
    expect(retry).toMatchObject({ examined: 8, alreadySent: rows.length, sent: 8 - rows.length, unknown: 0, failed: 0 });
    for (const p of Object.values(s.people)) expect(mailsTo(p.email)).toHaveLength(1);
  });

  test('one claim and one write for a chunk: a batch with recipients already SENT, CLAIMED or FAILED takes as many statements as one of a few', async () => {
    const counted = new PrismaClient({ adapter: new PrismaPg({ connectionString: testEnv().databaseUrl, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
    const statements: string[] = [];
    counted.$on('query', (e) => statements.push(e.query));
    try {
      // Mixes of every kind: new, already sent, claimed by an attempt that died, bounced earlier.
      const mix = async (n: number) => {
        const s = await scenario(Array.from({ length: n }, (_, i) => ({ key: `MIX${String(i).padStart(2, '0')}` })));
        const people = Object.values(s.people);
        const prior = (status: 'SENT' | 'CLAIMED' | 'FAILED', from: number, to: number) =>
          db.campaignSend.createMany({
            data: people.slice(from, to).map((p) => ({ id: `${s.campaignId}:${p.id}`, campaignId: s.campaignId, customerId: p.id, variantKey: 'a', status })),
          });
        const q = n / 6;
        await prior('SENT', 0, 2 * q);
        await prior('CLAIMED', 2 * q, 3 * q);
        await prior('FAILED', 3 * q, 4 * q);
        return { s, people, q };
      };
      const acts = activities({ db: counted });
      // Warm the best-seller cache (one query every ten minutes, whatever the batches).
      await acts.sendCampaignBatch(batch((await scenario([{ key: 'WARM' }])).campaignId));

      const run = async (n: number) => {
        const m = await mix(n);
        statements.length = 0;
        const r = await acts.sendCampaignBatch(batch(m.s.campaignId));
        return { ...m, r, statements: statements.length };
      };
      const small = await run(6);
      const large = await run(60);
      // The recipients, their facts, the interrupted claims settled, the picks, the claim, the outcomes.
      expect(small.statements).toBe(6);
      expect(large.statements).toBe(small.statements);

      const { s, people, q, r } = large;
      expect(r).toMatchObject({ examined: 60, sent: 2 * q, alreadySent: 2 * q, unknown: q, failed: q, skipped: {} });
      const byStatus = await db.campaignSend.groupBy({ by: ['status'], where: { campaignId: s.campaignId }, _count: { _all: true } });
      expect(Object.fromEntries(byStatus.map((b) => [b.status, b._count._all]))).toEqual({ SENT: 4 * q, UNKNOWN: q, FAILED: q });
      people.forEach((p, i) => expect(mailsTo(p.email)).toHaveLength(i >= 4 * q ? 1 : 0));
      const sent = await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${people[59]!.id}` } });
      expect(sent).toMatchObject({ status: 'SENT', sentAt: NOON, claimedAt: NOON, messageId: campaignMessageId(sent.id), error: null });
    } finally {
      await counted.$disconnect();
    }
  });

  test('two campaigns in one worker share its SMTP budget: together they keep its rate', async () => {
    const a = await scenario(Array.from({ length: 5 }, (_, i) => ({ key: `SHAREA${i}` })));
    const b = await scenario(Array.from({ length: 5 }, (_, i) => ({ key: `SHAREB${i}` })));
    const handedOver: number[] = [];
    const timed = {
      options: transport.options,
      sendMail: (m: Parameters<Transporter['sendMail']>[0]) => {
        handedOver.push(Date.now());
        return transport.sendMail(m);
      },
    } as unknown as Transporter;
    const acts = activities({ transport: timed, smtpBudget: createSmtpSendBudget(20) });
    const [ra, rb] = await Promise.all([acts.sendCampaignBatch(batch(a.campaignId)), acts.sendCampaignBatch(batch(b.campaignId))]);
    expect(ra.sent + rb.sent).toBe(10);
    // 20 a second for the worker, whichever campaign the emails belong to: ten take nine gaps of 50 ms
    // (a timer that fires late may bring two sends closer, never the slots).
    handedOver.sort((x, y) => x - y);
    expect(handedOver.at(-1)! - handedOver[0]!).toBeGreaterThanOrEqual(440);
    for (const p of [...Object.values(a.people), ...Object.values(b.people)]) expect(mailsTo(p.email)).toHaveLength(1);
  });

  describe('with a pooled transport (the default) through SMTP outages', () => {
    let pooled: Transporter;
    beforeEach(() => {
      pooled = createSmtpTransport({ SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false, SMTP_POOL: true, SMTP_MAX_CONNECTIONS: 2 });
    });
    afterEach(async () => {
      pooled.close();
      smtp.refuseConnections = false;
      await smtp.up();
    });

    test('the server goes away with pooled connections open: connection refused, nothing claimed; back up, each recipient once', async () => {
      const s = await scenario(Array.from({ length: 6 }, (_, i) => ({ key: `GONE${i}` })));
      const acts = activities({ transport: pooled });
      expect(await acts.sendCampaignBatch(batch(s.campaignId, { batchSize: 2 }))).toMatchObject({ sent: 2 });
      smtp.down();
      await expect(acts.sendCampaignBatch(batch(s.campaignId))).rejects.toThrow(/Transient SMTP failure.*ECONNREFUSED/);
      expect(await db.campaignSend.count({ where: { campaignId: s.campaignId } })).toBe(2);
      await smtp.up();
      expect(await acts.sendCampaignBatch(batch(s.campaignId))).toMatchObject({ examined: 6, alreadySent: 2, sent: 4, unknown: 0 });
      for (const p of Object.values(s.people)) expect(mailsTo(p.email)).toHaveLength(1);
    });

    test('the server refuses service (421) with pooled connections open: retried, never written off', async () => {
      const s = await scenario(Array.from({ length: 4 }, (_, i) => ({ key: `BUSY${i}` })));
      const acts = activities({ transport: pooled });
      expect(await acts.sendCampaignBatch(batch(s.campaignId, { batchSize: 1 }))).toMatchObject({ sent: 1 });
      smtp.refuseConnections = true;
      await expect(acts.sendCampaignBatch(batch(s.campaignId))).rejects.toThrow(/Transient SMTP failure.*421/);
      expect(await db.campaignSend.count({ where: { campaignId: s.campaignId } })).toBe(1);
      smtp.refuseConnections = false;
      expect(await acts.sendCampaignBatch(batch(s.campaignId))).toMatchObject({ examined: 4, alreadySent: 1, sent: 3 });
      for (const p of Object.values(s.people)) expect(mailsTo(p.email)).toHaveLength(1);
    });

    test('a 550 bounces that recipient only; a connection cut before the reply is UNKNOWN and never resent', async () => {
      const s = await scenario([{ key: 'POOLBOUNCE' }, { key: 'POOLOK' }, { key: 'POOLCUT' }]);
      smtp.rejectRecipients.add(s.people.POOLBOUNCE!.email);
      try {
        const acts = activities({ transport: pooled });
        expect(await acts.sendCampaignBatch(batch(s.campaignId, { batchSize: 2 }))).toMatchObject({ sent: 1, failed: 1 });
        expect(await db.suppression.count({ where: { email: s.people.POOLBOUNCE!.email, reason: 'hard_bounce' } })).toBe(1);

        const held = smtp.heldReplies.length;
        smtp.holdReplies = (m) => m.to.includes(s.people.POOLCUT!.email);
        const cut = acts.sendCampaignBatch(batch(s.campaignId, { afterCustomerId: s.people.POOLOK!.id }));
        for (const deadline = Date.now() + 10_000; smtp.heldReplies.length === held;) {
          if (Date.now() > deadline) throw new Error('the email to POOLCUT never reached SMTP');
          await new Promise((r) => setTimeout(r, 20));
        }
        smtp.holdReplies = false;
        smtp.dropConnections();
        expect(await cut).toMatchObject({ sent: 0, unknown: 1 });
        expect((await db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${s.people.POOLCUT!.id}` } })).status).toBe('UNKNOWN');
        expect(await acts.sendCampaignBatch(batch(s.campaignId))).toMatchObject({ sent: 0, alreadySent: 1, failed: 1, unknown: 1 });
        expect(mailsTo(s.people.POOLCUT!.email)).toHaveLength(1);
        expect(mailsTo(s.people.POOLBOUNCE!.email)).toHaveLength(0);
      } finally {
        smtp.rejectRecipients.delete(s.people.POOLBOUNCE!.email);
      }
    });
  });
});
