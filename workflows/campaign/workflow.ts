/**
 * Campaign dispatch: freeze the audience, let a marketing manager approve it as frozen, then send
 * in throttled batches, each recipient at most once, honouring consent, suppression, the
 * frequency cap and quiet hours (held recipients are offered again when their window opens).
 * Pause and resume take effect between batches; a long send continues as new with its cursor and
 * its progress (after `continueAsNewAfterBatches` batches in one run, or sooner when the server
 * suggests it), so a 100k+ audience never grows one run's history without bound.
 */
import * as wf from '@temporalio/workflow';
import type * as audienceActivities from '../../activities/campaign/audience';
import type * as sendActivities from '../../activities/campaign/sends';
import type * as campaignActivities from '../../activities/campaign/status';
import type { GateTimeouts } from '../shared/approval-gate';
import { storableCancelRequest } from '../shared/cancellation';
import { named, timer } from '../shared/summaries';
import { formatShortTime } from '../../domain/run-summaries';
import { runProcess, type ProcessRun } from '../shared/process-run';
import {
  type CampaignDispatchInput,
  type CampaignState,
  DEFAULT_CONTINUE_AS_NEW_AFTER_BATCHES,
  PROCESS_TYPE,
  campaignStateQuery,
  pauseSignal,
  resumeSignal,
} from './messages';

/** Guards continuing as new before a new pass once a run has sent its share of batches. */
const CONTINUE_AS_NEW_BETWEEN_PASSES_PATCH = 'campaign-continue-as-new-between-passes';
/** Guards continuing as new after `continueAsNewAfterBatches`: a run recorded before it did not. */
const CONTINUE_AS_NEW_AFTER_BATCHES_PATCH = 'campaign-continue-as-new-after-batches';
/** Guards settling claims an interrupted send left behind when the campaign ends without a retry. */
const SETTLE_INTERRUPTED_SENDS_PATCH = 'campaign-settle-interrupted-sends';

const DEFAULT_TIMEOUTS: GateTimeouts = { escalateAfterMs: 24 * 3600_000, reminderBeforeMs: 4 * 3600_000, expireAfterMs: 3 * 24 * 3600_000 };

const acts = wf.proxyActivities<
  ReturnType<typeof audienceActivities.createCampaignAudienceActivities> & ReturnType<typeof campaignActivities.createCampaignActivities>
>({
  // One statement each: a worker killed under one is noticed in 30 s, not 5 minutes.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
/** The snapshot heartbeats while it runs, so a worker that dies under it costs 30 s, not 5 minutes. */
const audienceActs = wf.proxyActivities<ReturnType<typeof audienceActivities.createCampaignAudienceActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export async function campaignDispatch(input: CampaignDispatchInput): Promise<CampaignState> {
  const carried = input.carry?.decisions ?? [];
  return runProcess(
    initialState(input),
    {
      processType: PROCESS_TYPE,
      stateQuery: campaignStateQuery,
      upsertStageOnlyWhenChanged: true,
      // Decisions taken in earlier runs of a campaign that continued as new come first.
      view: (state) => ({ ...state, decisions: [...carried, ...state.decisions] }),
    },
    (run) => dispatchCampaign(input, run),
  );
}

function initialState(input: CampaignDispatchInput): CampaignState {
  const carry = input.carry;
  return {
    stage: carry ? 'sending' : 'snapshotting',
    campaignId: input.campaignId,
    audience: carry?.audience ?? null,
    progress: {
      queued: 0,
      sent: carry?.sentBefore ?? 0,
      failed: carry?.failedBefore ?? 0,
      unknown: carry?.unknownBefore ?? 0,
      skipped: carry?.skippedBefore ?? 0,
      held: carry?.passHeld ?? 0,
      percent: 0,
    },
    paused: carry?.paused ?? false,
    pass: carry?.pass ?? 1,
    nextAttemptAt: null,
    approvedBy: carry?.approvedBy || null,
    pendingApproval: null,
    decisions: [],
    failure: null,
    cancellation: carry?.cancellation ? storableCancelRequest(carry.cancellation) : null,
  };
}

type Run = ProcessRun<CampaignState>;

/** Freeze the audience and approve it (the first run only), send in passes, complete. */
async function dispatchCampaign(input: CampaignDispatchInput, run: Run): Promise<CampaignState> {
  const { state } = run;
  wf.setHandler(pauseSignal, () => {
    state.paused = true;
  });
  wf.setHandler(resumeSignal, () => {
    state.paused = false;
  });
  try {
    if (!input.carry && (await freezeAudienceAndApprove(input, run))) return await run.close();
    await sendToAudience(input, run);
    state.progress.held = 0;
    updatePercent(state);
    run.setStage('completed');
    await setCampaignStatus(input, {
      campaignId: input.campaignId,
      status: 'completed',
      note: `${state.progress.sent} sent, ${state.progress.failed} failed, ${state.progress.skipped} skipped at send time.`,
    });
    return await run.close();
  } catch (err) {
    return await run.end(err, { type: 'CampaignFailed', message: () => `Campaign failed: ${state.failure}` }, async ({ cancelled, reason }) => {
      state.failure = reason;
      run.setStage(cancelled ? 'cancelled' : 'failed');
      if (wf.patched(SETTLE_INTERRUPTED_SENDS_PATCH)) {
        const settled = await named(acts.settleInterruptedSends, 'Settle the sends an interrupted batch left open')({ campaignId: input.campaignId });
        state.progress.unknown += settled.unknown;
      }
      await setCampaignStatus(input, {
        campaignId: input.campaignId,
        status: cancelled ? 'cancelled' : 'failed',
        actorId: state.cancellation?.actorId,
        note: state.failure ?? undefined,
      });
      await wf.condition(wf.allHandlersFinished);
    });
  }
}

/** Freezes the audience and asks the marketing manager; true when the campaign ends there (rejected or expired). */
async function freezeAudienceAndApprove(input: CampaignDispatchInput, run: Run): Promise<boolean> {
  const { state } = run;
  const audience = await named(
    audienceActs.snapshotAudience,
    `Freeze the audience of "${input.name}"`,
  )({
    campaignId: input.campaignId,
    segment: input.segment,
    variants: input.variants.map((v) => ({ key: v.key, weight: v.weight })),
    holdoutPercent: input.holdoutPercent,
    asOf: new Date(Date.now()).toISOString(),
    // Only what the approver is shown of the snapshot depends on these (no command changes).
    cap: input.cap,
    quietHours: input.quietHours,
  });
  state.audience = audience;
  await setCampaignStatus(input, { campaignId: input.campaignId, status: 'pending_approval' });
  // Shown as awaiting approval only once the gate is open (gates.run opens it in this same activation).
  run.setStage('awaiting_approval');
  const sample = audience.sample[0];
  const preview = input.variants[0]!;
  const outcome = await run.gates.run({
    processType: PROCESS_TYPE,
    path: `/api/v1/campaigns/${input.campaignId}`,
    subjectType: 'campaign',
    subjectId: input.campaignId,
    title: `Campaign "${input.name}": ${audience.eligible} recipients`,
    summaryLines: [
      `Audience frozen now: ${audience.matched} in the segment, ${audience.eligible} may be mailed, ${audience.split.holdout} held out.`,
      `Not mailed: ${
        Object.entries(audience.suppressed)
          .map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`)
          .join(', ') || 'nobody'
      }.`,
      `Split: ${Object.entries(audience.split.byVariant)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
      `Preview (${preview.key}) for ${sample?.firstName ?? 'a customer'}: ${render(preview.subject, sample, 'names')}`,
    ],
    levels: [{ label: 'marketing manager', approvers: [{ role: 'marketing_manager', scope: {} }] }],
    timeouts: { ...DEFAULT_TIMEOUTS, ...input.timing },
    requestedBy: input.requestedBy,
    details: { audience, variants: input.variants.map((v) => ({ key: v.key, subject: v.subject, preview: previewBody(v.body, sample).slice(0, 2000) })) },
  });
  if (outcome.status === 'cancelled') throw new wf.CancelledFailure('Campaign cancelled while awaiting approval.');
  if (outcome.status !== 'approved') {
    run.setStage(outcome.status);
    const last = outcome.decisions[outcome.decisions.length - 1];
    await setCampaignStatus(input, { campaignId: input.campaignId, status: outcome.status, actorId: last?.actorId, note: last?.comment });
    return true;
  }
  state.approvedBy = outcome.finalDecision?.actorId ?? null;
  await setCampaignStatus(input, { campaignId: input.campaignId, status: 'sending', actorId: state.approvedBy ?? undefined, approved: true });
  return false;
}

/** Sends to the frozen audience in batches, pass after pass while some are held (quiet hours, frequency cap), continuing as new on long runs. */
async function sendToAudience(input: CampaignDispatchInput, run: Run): Promise<void> {
  const { state } = run;
  const batchSize = input.batchSize ?? 500;
  const rate = input.ratePerSecond ?? 20;
  const sender = senderFor(input, batchSize, rate);
  const continueAsNewAfterBatches = input.continueAsNewAfterBatches ?? DEFAULT_CONTINUE_AS_NEW_AFTER_BATCHES;
  const audience = state.audience!;
  state.progress.queued = audience.eligible - audience.split.holdout;
  if (input.carry) updatePercent(state);
  run.setStage('sending');

  let cursor = input.carry?.cursor ?? null;
  // The pass a previous run was in the middle of goes on with what it had counted.
  let resumed = input.carry;
  let batchesThisRun = 0;
  const continueWith = async (at: {
    cursor: string | null;
    passSent: number;
    passFailed: number;
    passUnknown: number;
    heldCount: number;
    heldUntil: number;
  }) => {
    await wf.condition(wf.allHandlersFinished);
    await wf.continueAsNew<typeof campaignDispatch>({
      ...input,
      carry: {
        cursor: at.cursor,
        pass: state.pass,
        sentBefore: state.progress.sent,
        skippedBefore: state.progress.skipped,
        audience,
        approvedBy: state.approvedBy ?? '',
        failedBefore: state.progress.failed,
        unknownBefore: state.progress.unknown,
        passSent: at.passSent,
        passFailed: at.passFailed,
        passUnknown: at.passUnknown,
        passHeld: at.heldCount,
        passHeldUntil: at.heldCount > 0 ? new Date(at.heldUntil).toISOString() : null,
        paused: state.paused,
        cancellation: state.cancellation,
        decisions: run.snapshot().decisions,
      },
    });
  };
  for (;;) {
    // A new pass in a run that already sent its share of batches starts in a fresh run.
    if (!resumed && batchesThisRun >= continueAsNewAfterBatches && wf.patched(CONTINUE_AS_NEW_BETWEEN_PASSES_PATCH)) {
      await continueWith({ cursor: null, passSent: 0, passFailed: 0, passUnknown: 0, heldCount: 0, heldUntil: Number.POSITIVE_INFINITY });
    }
    // One pass over the recipients; a later pass offers again only those held (sent ones are skipped by their claims).
    let passSent = resumed?.passSent ?? 0;
    let passFailed = resumed?.passFailed ?? 0;
    let passUnknown = resumed?.passUnknown ?? 0;
    // Only how many are held and the earliest time one may be mailed are needed (and carried).
    let heldCount = resumed?.passHeld ?? 0;
    let heldUntil = resumed?.passHeldUntil ? Date.parse(resumed.passHeldUntil) : Number.POSITIVE_INFINITY;
    resumed = undefined;
    for (;;) {
      if (state.paused) {
        run.setStage('paused');
        await wf.condition(() => !state.paused);
        run.setStage('sending');
      }
      const r = await named(
        sender.sendCampaignBatch,
        `Send pass ${state.pass}'s next ${batchSize} recipients at ${rate} emails/s`,
      )({
        campaignId: input.campaignId,
        afterCustomerId: cursor,
        batchSize,
        ratePerSecond: rate,
        variants: input.variants.map((v) => ({ key: v.key, subject: v.subject, body: v.body })),
        cap: input.cap,
        quietHours: input.quietHours,
      });
      batchesThisRun += 1;
      // A batch retried after its worker died or SMTP failed finds what the failed attempt sent
      // as alreadySent: it counts here, once. Later passes re-examine everyone, so there
      // alreadySent also counts earlier passes' sends: the pass's total only catches up at its end.
      passSent += r.sent + r.alreadySent;
      state.progress.sent = Math.max(state.progress.sent + r.sent, passSent);
      state.progress.skipped += Object.values(r.skipped).reduce((a, b) => a + b, 0);
      passFailed += r.failed;
      passUnknown += r.unknown;
      state.progress.failed = Math.max(state.progress.failed, passFailed);
      state.progress.unknown = Math.max(state.progress.unknown, passUnknown);
      for (const h of r.held) heldUntil = Math.min(heldUntil, Date.parse(h.until));
      heldCount += r.held.length;
      state.progress.held = heldCount;
      updatePercent(state);
      cursor = r.lastCustomerId;
      // `more` is absent from batches recorded before it existed: they end on a short batch.
      if (r.more === false || r.examined < batchSize || cursor === null) break;
      if (
        wf.workflowInfo().continueAsNewSuggested ||
        // Checked only once the count is reached, so runs that never reach it record no marker.
        (batchesThisRun >= continueAsNewAfterBatches && wf.patched(CONTINUE_AS_NEW_AFTER_BATCHES_PATCH))
      ) {
        await continueWith({ cursor, passSent, passFailed, passUnknown, heldCount, heldUntil });
      }
    }
    if (heldCount === 0) break;
    // Wait until the earliest held recipient may be mailed, then offer everyone again.
    const next = heldUntil;
    state.nextAttemptAt = new Date(next).toISOString();
    run.setStage('holding');
    await wf.sleep(Math.max(1000, next - Date.now()), timer(`Wait until ${formatShortTime(next)} to mail ${heldCount} held recipients`));
    state.nextAttemptAt = null;
    state.pass += 1;
    cursor = null;
    run.setStage('sending');
  }
}

function setCampaignStatus(input: CampaignDispatchInput, args: { campaignId: string; status: string; actorId?: string; note?: string; approved?: boolean }) {
  return named(acts.setCampaignStatus, `Record "${input.name}" as ${args.status.replace(/_/g, ' ')}`)(args);
}

function senderFor(input: CampaignDispatchInput, batchSize: number, rate: number) {
  return wf.proxyActivities<ReturnType<typeof sendActivities.createCampaignSendActivities>>({
    // Generous whatever the rate (a slow SMTP server must not time a batch out mid-send and race
    // its retry); a dead worker is noticed by the heartbeat timeout, every 50 recipients.
    startToCloseTimeout: Math.max(10 * 60_000, Math.ceil((batchSize / Math.max(rate, 1)) * 1000 * 4)),
    heartbeatTimeout: input.batchHeartbeatTimeoutMs ?? Math.max(30_000, Math.ceil((50 / Math.max(rate, 1)) * 1000 * 3)),
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: ['CampaignSendInvalidInput', 'CampaignSendUnknownVariant', 'CampaignSendSmtpAuth'],
    },
  });
}

function updatePercent(state: CampaignState): void {
  const p = state.progress;
  const done = p.sent + p.failed + p.unknown + p.skipped;
  p.percent = p.queued > 0 ? Math.min(100, Math.round((done / p.queued) * 1000) / 10) : 100;
}

/** The approver's preview for one sample recipient: the same placeholders the send renders (activities/campaign/sends.ts). */
function render(text: string, sample: { firstName: string; tier: string; productPicks?: string } | undefined, picksAs: 'lines' | 'names' = 'lines'): string {
  const picks = sample?.productPicks ?? '(product picks)';
  const values: Record<string, string> = {
    firstName: sample?.firstName ?? 'there',
    tier: sample ? sample.tier.charAt(0) + sample.tier.slice(1).toLowerCase() : 'member',
    unsubscribeUrl: '(unsubscribe link)',
    productPicks:
      picksAs === 'names'
        ? picks
            .split('\n')
            .map((l) => l.replace(/^- /, '').replace(/, \$[\d.]+$/, ''))
            .join(', ')
        : picks,
  };
  return text.replace(/\{\{\s*(firstName|tier|unsubscribeUrl|productPicks)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

/** As the email body will read: picks appended when the template does not place them. */
function previewBody(body: string, sample: { firstName: string; tier: string; productPicks?: string } | undefined): string {
  const text = render(body, sample);
  if (/\{\{\s*productPicks\s*\}\}/.test(body) || !sample?.productPicks) return text;
  return `${text.replace(/\s+$/, '')}\n\nPicked for you:\n${sample.productPicks}\n`;
}
