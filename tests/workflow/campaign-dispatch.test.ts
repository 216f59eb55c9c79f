import request from 'supertest';
import { createApp } from '../../api/app';
import type { Principal } from '../../domain/approval';
import { createLogger } from '../../platform/logger';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../platform/unsubscribe-token';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { campaignDispatch } from '../../workflows/campaign/workflow';
import { campaignStateQuery, pauseSignal, resumeSignal, type CampaignDispatchInput, type CampaignState } from '../../workflows/campaign/messages';
import { cancelRequestSignal } from '../../workflows/shared/cancellation';
import type { Person } from '../../scripts/kit/fixtures';
import { createCampaignScenario } from '../support/campaign-fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { recordHistories } from '../support/histories';
import { killWorkerProcesses, startWorkerProcess } from '../support/worker-process';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

const finished: { name: string; workflowId: string; runId?: string }[] = [];

afterAll(async () => {
  try {
    await killWorkerProcesses();
    if (process.env.RECORD_HISTORIES) await recordHistories(finished);
  } finally {
    await h?.close();
  }
});

type Handle = ReturnType<typeof h.client.workflow.getHandle<typeof campaignDispatch>>;
type StartedHandle = Handle & { readonly firstExecutionRunId: string };

const scenario = (customers: number) => createCampaignScenario(h.db, customers);

const marketing = (p: Person): Principal => ({ id: p.id, role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] });

async function start(s: Awaited<ReturnType<typeof scenario>>, extra: Partial<CampaignDispatchInput> = {}, taskQueue = h.taskQueue): Promise<StartedHandle> {
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
  return h.client.workflow.start(campaignDispatch, { taskQueue, workflowId: s.campaignId, args: [input] });
}

async function stateWhen(handle: Handle, ok: (st: CampaignState) => boolean, what: string): Promise<CampaignState> {
  return eventually(
    async () => {
      const st = await handle.query(campaignStateQuery);
      return ok(st) ? st : undefined;
    },
    30_000,
    what,
  );
}

const mailsTo = (emails: string[]) => emails.map((e) => h.smtp.to(e).length);
const mailCount = (emails: string[]) => mailsTo(emails).reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function approve(handle: Handle, s: Awaited<ReturnType<typeof scenario>>): Promise<void> {
  await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
  await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
}

/** CampaignSend rows of the campaign by status, e.g. { SENT: 9, UNKNOWN: 1 }. */
async function sendRows(campaignId: string): Promise<Record<string, number>> {
  const rows = await h.db.campaignSend.findMany({ where: { campaignId }, select: { status: true } });
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/** temporal.api.enums.v1.PendingActivityState: waiting for its (next) attempt, none running. */
const PENDING_ACTIVITY_STATE_SCHEDULED = 1;

/** The send batch Temporal is retrying (attempt = the next or current attempt, lastFailure = why the previous one failed). */
async function pendingBatch(handle: Handle): Promise<{ attempt: number; lastFailure: string; scheduled: boolean } | undefined> {
  const d = await handle.describe();
  const a = d.raw.pendingActivities?.find((p) => p.activityType?.name === 'sendCampaignBatch');
  return a ? { attempt: a.attempt ?? 0, lastFailure: a.lastFailure?.message ?? '', scheduled: a.state === PENDING_ACTIVITY_STATE_SCHEDULED } : undefined;
}

/** The highest attempt at which a send batch of this run completed (from the history). */
async function maxBatchAttempt(handle: Handle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const batches = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCampaignBatch').map((e) => String(e.eventId)),
  );
  return Math.max(
    0,
    ...events
      .filter((e) => batches.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
      .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0),
  );
}

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

  test('cancelled with a claim an interrupted send left behind (its worker killed, no retry to come): recorded UNKNOWN, never sent', async () => {
    const s = await scenario(2);
    const hour = new Date().getUTCHours();
    const handle = await start(s, { quietHours: { startHour: hour, endHour: (hour + 2) % 24 } });
    await approve(handle, s);
    await stateWhen(handle, (x) => x.stage === 'holding', 'holding');
    // What a send attempt killed between its claim and SMTP's answer leaves: a CLAIMED row.
    const sendId = `${s.campaignId}:${s.customerIds[0]}`;
    await h.db.campaignSend.create({
      data: { id: sendId, campaignId: s.campaignId, customerId: s.customerIds[0]!, variantKey: 'a', status: 'CLAIMED', claimedAt: new Date() },
    });
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    finished.push({ name: 'campaign-cancelled-interrupted-claim', workflowId: handle.workflowId });
    expect(await sendRows(s.campaignId)).toEqual({ UNKNOWN: 1 });
    expect((await h.db.campaignSend.findUniqueOrThrow({ where: { id: sendId } })).error).toMatch(/interrupted/);
    expect((await handle.query(campaignStateQuery)).progress.unknown).toBe(1);
    expect(mailsTo(s.emails)).toEqual([0, 0]);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('cancelled');
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

describe('campaign dispatch when things break', () => {
  // A batch of 4 at 2-4 a second takes 1-2 s and heartbeats only every 50 recipients, so its
  // heartbeat timeout bounds the whole batch: 4 s notices a dead worker quickly and leaves room on a busy machine.
  const crashable = { batchSize: 4, batchHeartbeatTimeoutMs: 4_000 };

  test('worker killed (SIGKILL) between two sends of a batch: a new worker retries the batch; every recipient is mailed exactly once', async () => {
    const s = await scenario(10);
    // A queue of its own, served by nothing but the worker process until it dies.
    const queue = `${h.taskQueue}-killed-${s.suffix}`;
    const doomed = await startWorkerProcess({ taskQueue: queue, smtpPort: h.smtp.port });
    const handle = await start(s, { ...crashable, ratePerSecond: 2 }, queue);
    await approve(handle, s);

    // Batches: c0-c3, c4-c7, c8-c9. Once the second send of batch 2 is recorded, the worker waits
    // out the throttle (500 ms) before claiming the next one: it dies there.
    const deadline = Date.now() + 30_000;
    while (((await sendRows(s.campaignId)).SENT ?? 0) < 6) {
      if (Date.now() > deadline) throw new Error(`six sends were not recorded in time: ${JSON.stringify(await sendRows(s.campaignId))}`);
      await sleep(20);
    }
    expect(await doomed.kill()).toBe('SIGKILL');
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 6 });
    expect(mailCount(s.emails)).toBe(6);
    await sleep(1_000);
    expect(mailCount(s.emails)).toBe(6); // it is really gone

    await h.startWorker({ taskQueue: queue });
    const result = await handle.result();
    finished.push({ name: 'campaign-worker-killed', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.progress).toMatchObject({ queued: 10, sent: 10, failed: 0, unknown: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual(Array(10).fill(1));
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 10 });
    const ids = new Set(s.emails.map((e) => h.smtp.to(e)[0]!.messageId));
    expect(ids.size).toBe(10);
    expect(await maxBatchAttempt(handle)).toBeGreaterThanOrEqual(2); // batch 2 was retried (heartbeat timeout)
  });

  test('worker killed while SMTP holds the reply to a message it took: that recipient is never mailed again (unknown), everyone else once', async () => {
    const s = await scenario(10);
    const queue = `${h.taskQueue}-killed-${s.suffix}`;
    const doomed = await startWorkerProcess({ taskQueue: queue, smtpPort: h.smtp.port });
    const handle = await start(s, { ...crashable, ratePerSecond: 4 }, queue);
    await approve(handle, s);
    await eventually(async () => mailCount(s.emails) >= 5, 30_000, 'batch 2 under way');

    // The next message is taken in full, but the worker never hears the 250: it dies waiting.
    const heldBefore = h.smtp.heldReplies.length;
    h.smtp.holdReplies = (m) => s.emails.includes(m.to[0]!);
    const inFlight = await eventually(async () => h.smtp.heldReplies[heldBefore], 10_000, 'a message whose reply is held');
    const k = s.emails.indexOf(inFlight.to[0]!);
    expect(await doomed.kill()).toBe('SIGKILL');
    h.smtp.holdReplies = false;
    h.smtp.releaseReplies();
    const claimed = await h.db.campaignSend.findUniqueOrThrow({ where: { id: `${s.campaignId}:${s.customerIds[k]}` } });
    expect(claimed.status).toBe('CLAIMED');

    await h.startWorker({ taskQueue: queue });
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    // It may have been delivered (it was, here): counted unknown, never sent a second time.
    expect(result.progress).toMatchObject({ queued: 10, sent: 9, failed: 0, unknown: 1, percent: 100 });
    expect(mailsTo(s.emails)).toEqual(Array(10).fill(1));
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 9, UNKNOWN: 1 });
    expect((await h.db.campaignSend.findUniqueOrThrow({ where: { id: claimed.id } })).status).toBe('UNKNOWN');
    expect(await maxBatchAttempt(handle)).toBeGreaterThanOrEqual(2);
  });

  /** Waits until the send batch has failed `failures` times with a transient SMTP failure; fails at once if a recipient was written off meanwhile. */
  async function batchFailedTimes(handle: Handle, campaignId: string, failures: number): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await sendRows(campaignId);
      // (A claim exists while an attempt tries its recipient; it is released when SMTP refuses.)
      if (rows.UNKNOWN || rows.FAILED) throw new Error(`SMTP was down, yet sends were written off: ${JSON.stringify(rows)}`);
      const st = await handle.query(campaignStateQuery);
      if (['completed', 'failed', 'cancelled'].includes(st.stage)) throw new Error(`stage ${st.stage} while SMTP was down: ${JSON.stringify(st.progress)}`);
      const p = await pendingBatch(handle);
      // Waiting for its next attempt (not running one), after `failures` failed.
      if (p && p.scheduled && p.attempt > failures && p.lastFailure.includes('Transient SMTP failure')) return p.lastFailure;
      if (Date.now() > deadline) throw new Error(`the batch did not fail ${failures} times: ${JSON.stringify(p)}`);
      await sleep(100);
    }
  }

  test('SMTP refuses every connection (421) when sending starts: the batch retries; once it is back, everyone gets exactly one', async () => {
    const s = await scenario(6);
    const handle = await start(s, { batchSize: 3, ratePerSecond: 5 });
    await stateWhen(handle, (x) => x.stage === 'awaiting_approval' && x.pendingApproval !== null, 'awaiting approval');
    await h.smtp.waitFor((m) => m.to.includes(s.approver.email)); // the approval request got out first
    h.smtp.refuseConnections = true;
    try {
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: marketing(s.approver) }] });
      expect(await batchFailedTimes(handle, s.campaignId, 2)).toContain('421');
      expect(mailCount(s.emails)).toBe(0);
      expect(await sendRows(s.campaignId)).toEqual({}); // each refused claim released for the retry
    } finally {
      h.smtp.refuseConnections = false;
    }
    const result = await handle.result();
    finished.push({ name: 'campaign-smtp-down-up', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.progress).toMatchObject({ queued: 6, sent: 6, failed: 0, unknown: 0, skipped: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual(Array(6).fill(1));
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 6 });
    expect(await maxBatchAttempt(handle)).toBeGreaterThanOrEqual(3);
  });

  test('SMTP server goes away mid-batch (connection refused): the batch retries; once it is back, everyone gets exactly one', async () => {
    const s = await scenario(8);
    const handle = await start(s, { batchSize: 4, ratePerSecond: 4 });
    await approve(handle, s);
    await eventually(async () => mailCount(s.emails) >= 2, 20_000, 'two emails');
    h.smtp.down();
    try {
      expect(await batchFailedTimes(handle, s.campaignId, 2)).toContain('ECONNREFUSED');
      expect(mailCount(s.emails)).toBe(2);
      expect(await sendRows(s.campaignId)).toEqual({ SENT: 2 });
    } finally {
      await h.smtp.up();
    }
    const result = await handle.result();
    expect(result.progress).toMatchObject({ queued: 8, sent: 8, failed: 0, unknown: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual(Array(8).fill(1));
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 8 });
  });

  test('SMTP cuts the connection after taking a message, before its reply: that recipient is not mailed twice; the rest once', async () => {
    const s = await scenario(6);
    const handle = await start(s, { batchSize: 3, ratePerSecond: 4 });
    await approve(handle, s);
    await eventually(async () => mailCount(s.emails) >= 1, 20_000, 'first email');
    const heldBefore = h.smtp.heldReplies.length;
    h.smtp.holdReplies = (m) => s.emails.includes(m.to[0]!);
    const inFlight = await eventually(async () => h.smtp.heldReplies[heldBefore], 10_000, 'a message whose reply is held');
    h.smtp.holdReplies = false;
    h.smtp.dropConnections();
    const result = await handle.result();
    expect(h.smtp.to(inFlight.to[0]!)).toHaveLength(1);
    expect(result.progress).toMatchObject({ queued: 6, sent: 5, unknown: 1, failed: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual(Array(6).fill(1));
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 5, UNKNOWN: 1 });
  });

  test('a recipient unsubscribes (one-click POST) while the send is under way: not mailed, counted skipped; everyone else once', async () => {
    const s = await scenario(6);
    const handle = await start(s, { batchSize: 10, ratePerSecond: 2 });
    await approve(handle, s);
    const first = await h.smtp.waitFor((m) => m.to.includes(s.emails[0]!));
    // The link in the mail verifies with the secret the worker signs with; the recipient five sends later gets the same kind.
    const url = (first.headers.get('list') as { unsubscribe?: { url?: string } }).unsubscribe!.url!;
    const seen = verifyUnsubscribeToken(h.unsubscribeSecrets, url.split('/unsubscribe/')[1]!);
    expect(seen).toMatchObject({ ok: true, payload: { customerId: s.customerIds[0], campaignId: s.campaignId, email: s.emails[0] } });
    const target = 4;
    const token = createUnsubscribeToken(h.unsubscribeSecrets, { customerId: s.customerIds[target]!, campaignId: s.campaignId, email: s.emails[target]! });
    const app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, logger: createLogger('silent'), unsubscribeSecrets: h.unsubscribeSecrets });
    const res = await request(app).post(`/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(mailsTo(s.emails)[target]).toBe(0);
    expect((await handle.query(campaignStateQuery)).stage).toBe('sending');

    const result = await handle.result();
    expect(result.progress).toMatchObject({ queued: 6, sent: 5, skipped: 1, failed: 0, unknown: 0, percent: 100 });
    expect(mailsTo(s.emails)).toEqual([1, 1, 1, 1, 0, 1]);
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 5 });
    const recipient = await h.db.campaignRecipient.findUniqueOrThrow({
      where: { campaignId_customerId: { campaignId: s.campaignId, customerId: s.customerIds[target]! } },
    });
    expect(recipient.suppressedReason).toBe('unsubscribed');
  });
});

describe('campaign dispatch continues as new', () => {
  /** The runs of a workflow, first to last, following each run's continued-as-new event. */
  async function runsOf(workflowId: string, firstRunId: string) {
    const runs: { runId: string; batches: number; patched: boolean; end: string }[] = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const history: Awaited<ReturnType<Handle['fetchHistory']>> = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      const last = events[events.length - 1]!;
      runs.push({
        runId,
        batches: events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCampaignBatch').length,
        patched: events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
        end: Object.keys(last).find((k) => k.endsWith('EventAttributes')) ?? '',
      });
      runId = last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return runs;
  }

  test('60 recipients in batches of 5, 3 batches a run: several runs; progress, a hold, a bounce and an unknown carried; each recipient once', async () => {
    const s = await scenario(60);
    // In customer-ID order the first batch is c0, c1, c10, c11, c12: c1 bounces (550), c10 was
    // claimed by an attempt that died (unknown), c11 is held by the frequency cap for a few seconds.
    const [bounce, unknown, held] = [1, 10, 11];
    h.smtp.rejectRecipients.add(s.emails[bounce]!);
    await h.db.campaignSend.create({
      data: {
        id: `${s.campaignId}:${s.customerIds[unknown]}`,
        campaignId: s.campaignId,
        customerId: s.customerIds[unknown]!,
        variantKey: 'a',
        status: 'CLAIMED',
      },
    });
    const other = `${s.campaignId}-earlier`;
    await h.db.campaign.create({ data: { id: other, workflowId: other, name: 'Earlier', segment: {}, variants: [], status: 'completed', createdBy: 'test' } });
    await h.db.campaignSend.create({
      data: { id: `${other}:${s.customerIds[held]}`, campaignId: other, customerId: s.customerIds[held]!, variantKey: 'a', status: 'SENT', sentAt: new Date() },
    });

    const handle = await start(s, { batchSize: 5, ratePerSecond: 0, continueAsNewAfterBatches: 3, cap: { maxEmails: 1, windowHours: 12 / 3600 } });
    await approve(handle, s);
    // The end of the first pass: everyone else done, the held one waits for its window, several runs later.
    const holding = await stateWhen(handle, (x) => x.stage === 'holding', 'holding');
    expect(holding.progress).toEqual({ queued: 60, sent: 57, failed: 1, unknown: 1, skipped: 0, held: 1, percent: 98.3 });
    expect(holding.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: s.approver.id })]);
    expect(holding.approvedBy).toBe(s.approver.id);
    const holdingRun = (await handle.describe()).runId;
    expect(holdingRun).not.toBe(handle.firstExecutionRunId);

    const result = await handle.result();
    expect(result).toMatchObject({ stage: 'completed', pass: 2, approvedBy: s.approver.id });
    expect(result.progress).toEqual({ queued: 60, sent: 58, failed: 1, unknown: 1, skipped: 0, held: 0, percent: 100 });
    const counts = mailsTo(s.emails);
    expect(counts.filter((_, i) => i !== bounce && i !== unknown)).toEqual(Array(58).fill(1));
    expect([counts[bounce], counts[unknown]]).toEqual([0, 0]);
    expect(await sendRows(s.campaignId)).toEqual({ SENT: 58, FAILED: 1, UNKNOWN: 1 });

    const runs = await runsOf(handle.workflowId, handle.firstExecutionRunId);
    // Pass 1: 12 batches in runs of 3 (a full last batch says nothing is left); pass 2 the same again in fresh runs.
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(runs.every((r) => r.batches <= 3)).toBe(true);
    expect(runs.slice(0, -1).every((r) => r.end === 'workflowExecutionContinuedAsNewEventAttributes' && r.patched)).toBe(true);
    expect(runs[runs.length - 1]!.end).toBe('workflowExecutionCompletedEventAttributes');
    expect((await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    finished.push(
      { name: 'campaign-continue-as-new-first-run', workflowId: handle.workflowId, runId: runs[0]!.runId },
      { name: 'campaign-continue-as-new-holding-run', workflowId: handle.workflowId, runId: holdingRun },
      { name: 'campaign-continue-as-new-last-run', workflowId: handle.workflowId, runId: runs[runs.length - 1]!.runId },
    );
    h.smtp.rejectRecipients.delete(s.emails[bounce]!);
  });

  test('pause, query, resume and cancel reach the latest run; a pause or cancel reason received just before continuing as new is carried', async () => {
    const s = await scenario(12);
    const handle = await start(s, { batchSize: 2, ratePerSecond: 4, continueAsNewAfterBatches: 1 });
    await approve(handle, s);
    await eventually(async () => mailCount(s.emails) >= 1, 20_000, 'first email');

    // Pause while a send is in flight (its reply held), so the signal lands in a run that then continues as new.
    const ours = (m: { to: string[] }) => s.emails.includes(m.to[0]!);
    let heldBefore = h.smtp.heldReplies.length;
    h.smtp.holdReplies = ours;
    await eventually(async () => h.smtp.heldReplies.length > heldBefore, 10_000, 'a held reply');
    const pausedIn = (await handle.describe()).runId;
    await handle.signal(pauseSignal, { actorId: s.marketer.id });
    h.smtp.holdReplies = false;
    h.smtp.releaseReplies();
    const paused = await stateWhen(handle, (x) => x.stage === 'paused', 'paused');
    const pausedRun = (await handle.describe()).runId;
    expect(pausedRun).not.toBe(pausedIn);
    expect(paused).toMatchObject({ paused: true, approvedBy: s.approver.id });
    expect(paused.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: s.approver.id })]);
    const atPause = mailCount(s.emails);
    expect(paused.progress).toMatchObject({ queued: 12, sent: atPause, percent: Math.round((atPause / 12) * 1000) / 10 });
    await sleep(1_500);
    expect(mailCount(s.emails)).toBe(atPause);
    expect((await handle.query(campaignStateQuery)).stage).toBe('paused');

    await handle.signal(resumeSignal, { actorId: s.marketer.id });
    await eventually(async () => mailCount(s.emails) >= atPause + 2, 20_000, 'sending again');

    // The API's cancel: the reason (a signal) reaches one run, the cancellation the next.
    heldBefore = h.smtp.heldReplies.length;
    h.smtp.holdReplies = ours;
    await eventually(async () => h.smtp.heldReplies.length > heldBefore, 10_000, 'a held reply');
    const reasonIn = (await handle.describe()).runId;
    await handle.signal(cancelRequestSignal, { reason: 'Wrong audience', actorId: s.marketer.id, requestedAt: new Date().toISOString() });
    h.smtp.holdReplies = false;
    h.smtp.releaseReplies();
    await eventually(async () => (await handle.describe()).runId !== reasonIn, 10_000, 'the next run');
    expect(mailCount(s.emails)).toBeLessThan(12);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const final = await handle.query(campaignStateQuery);
    expect(final).toMatchObject({ stage: 'cancelled', failure: 'Cancelled: Wrong audience' });
    finished.push(
      { name: 'campaign-continue-as-new-paused-run', workflowId: handle.workflowId, runId: pausedRun },
      { name: 'campaign-continue-as-new-cancelled', workflowId: handle.workflowId },
    );
    await sleep(1_000);
    const counts = mailsTo(s.emails);
    expect(counts.every((c) => c <= 1)).toBe(true);
    expect(final.progress.sent).toBeLessThanOrEqual(counts.reduce((a, b) => a + b, 0));
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('cancelled');
  });
});
