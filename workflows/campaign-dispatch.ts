/**
 * Campaign dispatch: freeze the audience, let a marketing manager approve it as frozen, then send
 * in throttled batches, each recipient at most once, honouring consent, suppression, the
 * frequency cap and quiet hours (held recipients are offered again when their window opens).
 * Pause and resume take effect between batches; a long send continues as new with its cursor.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type * as audienceActivities from '../activities/campaign-audience';
import type { AudienceSnapshot } from '../activities/campaign-audience';
import type * as sendActivities from '../activities/campaign-sends';
import type * as campaignActivities from '../activities/campaigns';
import type { FrequencyCap, QuietHours } from '../domain/send-eligibility';
import type { Segment } from '../domain/segments';
import { ApprovalGates, type GateDecision, type GateTimeouts, type PendingApproval } from './approval-gate';
import { cancelRequestSignal, type CancelRequest } from './cancellation';
import { BusinessStatus, ProcessType } from './search-attributes';

export const PROCESS_TYPE = 'campaign';

export interface CampaignVariantInput {
  key: string;
  subject: string;
  body: string;
  weight?: number;
}

export interface CampaignProgress {
  /** Recipients to mail: the frozen audience minus holdout and exclusions. */
  queued: number;
  sent: number;
  failed: number;
  unknown: number;
  skipped: number;
  held: number;
  percent: number;
}

interface Carry {
  cursor: string | null;
  pass: number;
  sentBefore: number;
  skippedBefore: number;
  audience: AudienceSnapshot;
  approvedBy: string;
}

export interface CampaignDispatchInput {
  campaignId: string;
  name: string;
  segment: Segment;
  variants: CampaignVariantInput[];
  holdoutPercent: number;
  requestedBy: string;
  batchSize?: number;
  ratePerSecond?: number;
  cap?: FrequencyCap;
  quietHours?: QuietHours;
  timing?: Partial<GateTimeouts>;
  /** Set when the run continues as new mid-send. */
  carry?: Carry;
}

export type CampaignStage = 'snapshotting' | 'awaiting_approval' | 'sending' | 'paused' | 'holding' | 'completed' | 'rejected' | 'expired' | 'cancelled' | 'failed';

export interface CampaignState {
  stage: CampaignStage;
  campaignId: string;
  audience: AudienceSnapshot | null;
  progress: CampaignProgress;
  paused: boolean;
  pass: number;
  nextAttemptAt: string | null;
  approvedBy: string | null;
  pendingApproval: PendingApproval | null;
  decisions: GateDecision[];
  failure: string | null;
  cancellation: CancelRequest | null;
}

export const campaignStateQuery = wf.defineQuery<CampaignState>('state');
export const pauseSignal = wf.defineSignal<[{ actorId: string }]>('pause');
export const resumeSignal = wf.defineSignal<[{ actorId: string }]>('resume');

const DEFAULT_TIMEOUTS: GateTimeouts = { escalateAfterMs: 24 * 3600_000, reminderBeforeMs: 4 * 3600_000, expireAfterMs: 3 * 24 * 3600_000 };

const acts = wf.proxyActivities<
  ReturnType<typeof audienceActivities.createCampaignAudienceActivities> & ReturnType<typeof campaignActivities.createCampaignActivities>
>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export async function campaignDispatch(input: CampaignDispatchInput): Promise<CampaignState> {
  const batchSize = input.batchSize ?? 500;
  const rate = input.ratePerSecond ?? 20;
  const sender = wf.proxyActivities<ReturnType<typeof sendActivities.createCampaignSendActivities>>({
    // A batch at the configured rate, with room to spare; heartbeats every 50 recipients.
    startToCloseTimeout: Math.max(60_000, Math.ceil((batchSize / Math.max(rate, 1)) * 1000 * 2)),
    heartbeatTimeout: Math.max(30_000, Math.ceil((50 / Math.max(rate, 1)) * 1000 * 3)),
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['CampaignSendInvalidInput', 'CampaignSendUnknownVariant', 'CampaignSendSmtpAuth'] },
  });
  const state: CampaignState = {
    stage: input.carry ? 'sending' : 'snapshotting',
    campaignId: input.campaignId,
    audience: input.carry?.audience ?? null,
    progress: { queued: 0, sent: input.carry?.sentBefore ?? 0, failed: 0, unknown: 0, skipped: input.carry?.skippedBefore ?? 0, held: 0, percent: 0 },
    paused: false,
    pass: input.carry?.pass ?? 1,
    nextAttemptAt: null,
    approvedBy: input.carry?.approvedBy ?? null,
    pendingApproval: null,
    decisions: [],
    failure: null,
    cancellation: null,
  };
  const gates = new ApprovalGates();
  const snapshot = (): CampaignState => ({ ...state, pendingApproval: gates.pending()[0] ?? null, decisions: gates.decisions() });
  wf.setHandler(campaignStateQuery, snapshot);
  wf.setHandler(cancelRequestSignal, (req) => {
    state.cancellation ??= req;
  });
  wf.setHandler(pauseSignal, () => {
    state.paused = true;
  });
  wf.setHandler(resumeSignal, () => {
    state.paused = false;
  });
  const setStage = (stage: CampaignStage) => {
    if (state.stage === stage) return;
    state.stage = stage;
    wf.upsertSearchAttributes([{ key: BusinessStatus, value: stage }]);
  };
  wf.upsertSearchAttributes([{ key: ProcessType, value: PROCESS_TYPE }, { key: BusinessStatus, value: state.stage }]);
  const updatePercent = () => {
    const p = state.progress;
    const done = p.sent + p.failed + p.unknown + p.skipped;
    p.percent = p.queued > 0 ? Math.min(100, Math.round((done / p.queued) * 1000) / 10) : 100;
  };

  try {
    if (!input.carry) {
      const audience = await acts.snapshotAudience({
        campaignId: input.campaignId,
        segment: input.segment,
        variants: input.variants.map((v) => ({ key: v.key, weight: v.weight })),
        holdoutPercent: input.holdoutPercent,
        asOf: new Date(Date.now()).toISOString(),
      });
      state.audience = audience;
      await acts.setCampaignStatus({ campaignId: input.campaignId, status: 'pending_approval' });
      // Shown as awaiting approval only once the gate is open (gates.run opens it in this same activation).
      setStage('awaiting_approval');
      const sample = audience.sample[0];
      const preview = input.variants[0]!;
      const outcome = await gates.run({
        processType: PROCESS_TYPE,
        path: `/api/v1/campaigns/${input.campaignId}`,
        subjectType: 'campaign',
        subjectId: input.campaignId,
        title: `Campaign "${input.name}": ${audience.eligible} recipients`,
        summaryLines: [
          `Audience frozen now: ${audience.matched} in the segment, ${audience.eligible} may be mailed, ${audience.split.holdout} held out.`,
          `Not mailed: ${Object.entries(audience.suppressed).map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`).join(', ') || 'nobody'}.`,
          `Split: ${Object.entries(audience.split.byVariant).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
          `Preview (${preview.key}) for ${sample?.firstName ?? 'a customer'}: ${render(preview.subject, sample, 'names')}`,
        ],
        levels: [{ label: 'marketing manager', approvers: [{ role: 'marketing_manager', scope: {} }] }],
        timeouts: { ...DEFAULT_TIMEOUTS, ...input.timing },
        requestedBy: input.requestedBy,
        details: { audience, variants: input.variants.map((v) => ({ key: v.key, subject: v.subject, preview: previewBody(v.body, sample).slice(0, 2000) })) },
      });
      if (outcome.status === 'cancelled') throw new wf.CancelledFailure('Campaign cancelled while awaiting approval.');
      if (outcome.status !== 'approved') {
        setStage(outcome.status);
        const last = outcome.decisions[outcome.decisions.length - 1];
        await acts.setCampaignStatus({ campaignId: input.campaignId, status: outcome.status, actorId: last?.actorId, note: last?.comment });
        await wf.condition(wf.allHandlersFinished);
        return snapshot();
      }
      state.approvedBy = outcome.finalDecision?.actorId ?? null;
      await acts.setCampaignStatus({ campaignId: input.campaignId, status: 'sending', actorId: state.approvedBy ?? undefined, approved: true });
    }
    const audience = state.audience!;
    state.progress.queued = audience.eligible - audience.split.holdout;
    setStage('sending');

    let cursor = input.carry?.cursor ?? null;
    for (;;) {
      // One pass over the recipients; a later pass offers again only those held (sent ones are skipped by their claims).
      let passFailed = 0;
      let passUnknown = 0;
      const held: { until: string }[] = [];
      for (;;) {
        if (state.paused) {
          setStage('paused');
          await wf.condition(() => !state.paused);
          setStage('sending');
        }
        const r = await sender.sendCampaignBatch({
          campaignId: input.campaignId,
          afterCustomerId: cursor,
          batchSize,
          ratePerSecond: rate,
          variants: input.variants.map((v) => ({ key: v.key, subject: v.subject, body: v.body })),
          cap: input.cap,
          quietHours: input.quietHours,
        });
        state.progress.sent += r.sent;
        state.progress.skipped += Object.values(r.skipped).reduce((a, b) => a + b, 0);
        passFailed += r.failed;
        passUnknown += r.unknown;
        state.progress.failed = Math.max(state.progress.failed, passFailed);
        state.progress.unknown = Math.max(state.progress.unknown, passUnknown);
        held.push(...r.held);
        state.progress.held = held.length;
        updatePercent();
        cursor = r.lastCustomerId;
        if (r.examined < batchSize || cursor === null) break;
        if (wf.workflowInfo().continueAsNewSuggested) {
          await wf.condition(wf.allHandlersFinished);
          await wf.continueAsNew<typeof campaignDispatch>({
            ...input,
            carry: { cursor, pass: state.pass, sentBefore: state.progress.sent, skippedBefore: state.progress.skipped, audience, approvedBy: state.approvedBy ?? '' },
          });
        }
      }
      if (held.length === 0) break;
      // Wait until the earliest held recipient may be mailed, then offer everyone again.
      const next = Math.min(...held.map((h) => Date.parse(h.until)));
      state.nextAttemptAt = new Date(next).toISOString();
      setStage('holding');
      await wf.sleep(Math.max(1000, next - Date.now()));
      state.nextAttemptAt = null;
      state.pass += 1;
      cursor = null;
      setStage('sending');
    }
    state.progress.held = 0;
    updatePercent();
    setStage('completed');
    await acts.setCampaignStatus({ campaignId: input.campaignId, status: 'completed', note: `${state.progress.sent} sent, ${state.progress.failed} failed, ${state.progress.skipped} skipped at send time.` });
    await wf.condition(wf.allHandlersFinished);
    return snapshot();
  } catch (err) {
    const cancelled = isCancellation(err);
    state.failure = cancelled ? `Cancelled: ${state.cancellation?.reason ?? 'no reason given'}` : describe(err);
    gates.cancelAll();
    await wf.CancellationScope.nonCancellable(async () => {
      setStage(cancelled ? 'cancelled' : 'failed');
      await acts.setCampaignStatus({ campaignId: input.campaignId, status: cancelled ? 'cancelled' : 'failed', actorId: state.cancellation?.actorId, note: state.failure ?? undefined });
      await wf.condition(wf.allHandlersFinished);
    });
    if (cancelled) throw err;
    throw ApplicationFailure.nonRetryable(`Campaign failed: ${state.failure}`, 'CampaignFailed');
  }
}

/** The approver's preview for one sample recipient: the same placeholders the send renders (activities/campaign-sends.ts). */
function render(text: string, sample: { firstName: string; tier: string; productPicks?: string } | undefined, picksAs: 'lines' | 'names' = 'lines'): string {
  const picks = sample?.productPicks ?? '(product picks)';
  const values: Record<string, string> = {
    firstName: sample?.firstName ?? 'there',
    tier: sample ? sample.tier.charAt(0) + sample.tier.slice(1).toLowerCase() : 'member',
    unsubscribeUrl: '(unsubscribe link)',
    productPicks: picksAs === 'names' ? picks.split('\n').map((l) => l.replace(/^- /, '').replace(/, \$[\d.]+$/, '')).join(', ') : picks,
  };
  return text.replace(/\{\{\s*(firstName|tier|unsubscribeUrl|productPicks)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

/** As the email body will read: picks appended when the template does not place them. */
function previewBody(body: string, sample: { firstName: string; tier: string; productPicks?: string } | undefined): string {
  const text = render(body, sample);
  if (/\{\{\s*productPicks\s*\}\}/.test(body) || !sample?.productPicks) return text;
  return `${text.replace(/\s+$/, '')}\n\nPicked for you:\n${sample.productPicks}\n`;
}

function describe(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
