import { randomUUID } from 'node:crypto';
import type { Principal } from '../../domain/approval';
import { decideUpdate } from '../../workflows/approval-gate';
import { campaignDispatch, campaignStateQuery, pauseSignal, resumeSignal, type CampaignDispatchInput, type CampaignState } from '../../workflows/campaign-dispatch';
import { createPerson, type Person } from '../support/fixtures';
import { createHarness, eventually, type Harness } from '../support/harness';
import { recordHistories } from '../support/histories';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

const finished: { name: string; workflowId: string }[] = [];

afterAll(async () => {
  try {
    if (process.env.RECORD_HISTORIES) await recordHistories(finished);
  } finally {
    await h?.close();
  }
});

type Handle = ReturnType<typeof h.client.workflow.getHandle<typeof campaignDispatch>>;

/** Our own store and customers (all consenting, no prior sends), a draft campaign, two marketing managers. */
async function scenario(customers: number) {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CD-${suffix}`;
  await h.db.region.create({ data: { id: `R-CD-${suffix}`, name: 'Campaign region' } });
  await h.db.store.create({ data: { id: storeId, name: 'Campaign store', regionId: `R-CD-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  const emails: string[] = [];
  for (let i = 0; i < customers; i++) {
    const email = `c${i}-${suffix.toLowerCase()}@example.com`;
    emails.push(email);
    await h.db.customer.create({
      data: { id: `CUST-CD-${suffix}-${i}`, firstName: `Ann${i}`, lastName: 'Test', email, tier: 'GOLD', memberSince: new Date('2020-01-01'), homeStoreId: storeId, emailConsent: true, timezone: 'UTC' },
    });
  }
  const campaignId = `campaign-${suffix.toLowerCase()}`;
  await h.db.campaign.create({ data: { id: campaignId, workflowId: campaignId, name: 'Winter edit', segment: { storeIds: [storeId] }, variants: [], status: 'draft', createdBy: 'test' } });
  const marketer = await createPerson(h.db, suffix, 'marketing_manager', 'mkt', { allScopes: true });
  const approver = await createPerson(h.db, suffix, 'marketing_manager', 'mkt2', { allScopes: true });
  return { suffix, storeId, emails, campaignId, marketer, approver };
}

const marketing = (p: Person): Principal => ({ id: p.id, role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] });

async function start(s: Awaited<ReturnType<typeof scenario>>, extra: Partial<CampaignDispatchInput> = {}): Promise<Handle> {
  const input: CampaignDispatchInput = {
    campaignId: s.campaignId,
    name: 'Winter edit',
    segment: { storeIds: [s.storeId] },
    variants: [
      { key: 'a', subject: 'Hello {{firstName}}, your {{tier}} winter edit', body: 'New arrivals picked for you.\nUnsubscribe: {{unsubscribeUrl}}' },
      { key: 'b', subject: '{{firstName}}: the winter edit is here', body: 'Fresh picks.' },
    ],
    holdoutPercent: 0,
    requestedBy: s.marketer.id,
    quietHours: { startHour: 0, endHour: 0 },
    ...extra,
  };
  return h.client.workflow.start(campaignDispatch, { taskQueue: h.taskQueue, workflowId: s.campaignId, args: [input] });
}

async function stateWhen(handle: Handle, ok: (st: CampaignState) => boolean, what: string): Promise<CampaignState> {
  return eventually(async () => {
    const st = await handle.query(campaignStateQuery);
    return ok(st) ? st : undefined;
  }, 30_000, what);
}

const mailsTo = (emails: string[]) => emails.map((e) => h.smtp.to(e).length);

describe('campaign dispatch on the dev server', () => {
  test('the marketing manager approves the frozen audience; each recipient gets exactly one email with one-click unsubscribe', async () => {
    const s = await scenario(3);
    const handle = await start(s);
    const st = await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    expect(st.audience).toMatchObject({ matched: 3, eligible: 3 });
    expect(st.pendingApproval?.approvers).toEqual([{ role: 'marketing_manager', scope: {} }]);
    // The marketer who drafted it may not approve it.
    const self = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.marketer) }] }).then(
      () => 'ok',
      (e: { cause?: { type?: string } }) => e.cause?.type,
    );
    expect(self).toBe('SelfApproval');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
    const result = await handle.result();
    finished.push({ name: 'campaign-approved-sent', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.progress).toMatchObject({ queued: 3, sent: 3, failed: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual([1, 1, 1]);
    const mail = h.smtp.to(s.emails[0]!)[0]!;
    // mailparser folds the List-* headers into one `list` header.
    const list = mail.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } };
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    expect(list.unsubscribe?.url).toContain('/unsubscribe/');
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('completed');
  });

  test('reject: nothing is sent', async () => {
    const s = await scenario(2);
    const handle = await start(s);
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', comment: 'Wrong season', actor: marketing(s.approver) }] });
    const result = await handle.result();
    finished.push({ name: 'campaign-rejected', workflowId: handle.workflowId });
    expect(result.stage).toBe('rejected');
    expect(mailsTo(s.emails)).toEqual([0, 0]);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('rejected');
  });

  test('pause takes effect within one batch; resume finishes; nobody is mailed twice', async () => {
    const s = await scenario(5);
    const handle = await start(s, { batchSize: 1, ratePerSecond: 5 });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
    await eventually(async () => mailsTo(s.emails).reduce((a, b) => a + b, 0) >= 1, 20_000, 'first email');
    await handle.signal(pauseSignal, { actorId: s.marketer.id });
    const paused = await stateWhen(handle, (x) => x.stage === 'paused', 'paused');
    const atPause = mailsTo(s.emails).reduce((a, b) => a + b, 0);
    expect(paused.progress.sent).toBeLessThan(5);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo(s.emails).reduce((a, b) => a + b, 0)).toBe(atPause);
    await handle.signal(resumeSignal, { actorId: s.marketer.id });
    const result = await handle.result();
    finished.push({ name: 'campaign-pause-resume', workflowId: handle.workflowId });
    expect(result.progress).toMatchObject({ sent: 5, percent: 100 });
    expect(mailsTo(s.emails)).toEqual([1, 1, 1, 1, 1]);
  });

  test('quiet hours in the customer’s time zone: held, with the time the window opens; nothing sent meanwhile', async () => {
    const s = await scenario(2);
    const hour = new Date().getUTCHours();
    const handle = await start(s, { quietHours: { startHour: hour, endHour: (hour + 2) % 24 } });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
    const st = await stateWhen(handle, (x) => x.stage === 'holding', 'holding');
    expect(st.progress).toMatchObject({ sent: 0, held: 2 });
    const opens = new Date();
    opens.setUTCHours(hour + 2, 0, 0, 0);
    expect(st.nextAttemptAt).toBe(opens.toISOString());
    expect(mailsTo(s.emails)).toEqual([0, 0]);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'campaign-held-cancelled', workflowId: handle.workflowId });
  });

  test('cancel mid-send stops sending; nobody is mailed twice', async () => {
    const s = await scenario(5);
    const handle = await start(s, { batchSize: 1, ratePerSecond: 2 });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
    await eventually(async () => mailsTo(s.emails).reduce((a, b) => a + b, 0) >= 1, 20_000, 'first email');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'campaign-cancelled', workflowId: handle.workflowId });
    await new Promise((r) => setTimeout(r, 1500));
    const counts = mailsTo(s.emails);
    expect(counts.every((c) => c <= 1)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThan(5);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('cancelled');
  });
});
