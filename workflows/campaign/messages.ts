/** The campaign process's messages: its input, state and stages, the queries, signals and updates the API uses, its workflow ID. */
import * as wf from '@temporalio/workflow';
import type { AudienceSnapshot } from '../../activities/campaign/audience';
import type { FrequencyCap, QuietHours } from '../../domain/send-eligibility';
import type { Segment } from '../../domain/segments';
import type { GateDecision, GateTimeouts, PendingApproval } from '../shared/approval-gate';
import { type CancelRequest } from '../shared/cancellation';

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

/**
 * What a run hands to the next when it continues as new mid-send. The fields after `approvedBy`
 * are optional so a carry written by an earlier version of this code still starts.
 */
interface Carry {
  cursor: string | null;
  pass: number;
  sentBefore: number;
  skippedBefore: number;
  audience: AudienceSnapshot;
  approvedBy: string;
  /** progress.failed / progress.unknown so far. */
  failedBefore?: number;
  unknownBefore?: number;
  /** The pass in progress: sent (now or by an earlier attempt), failed and unknown counted so far (each pass re-counts earlier ones). */
  passSent?: number;
  passFailed?: number;
  passUnknown?: number;
  /** Recipients of the pass in progress held so far, and the earliest time one of them may be mailed (ISO). */
  passHeld?: number;
  passHeldUntil?: string | null;
  /** A pause or a cancel request received before the run continued as new. */
  paused?: boolean;
  cancellation?: CancelRequest | null;
  /** The approval decisions (the gate lives in the first run). */
  decisions?: CampaignState['decisions'];
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
  /**
   * A run continues as new after this many send batches (default 200: with the default batch of
   * 500, 100k recipients per run, about 1,200 history events), or sooner when the server suggests
   * it. Bounds each run's history by batches regardless of the server's suggestion.
   */
  continueAsNewAfterBatches?: number;
  /**
   * Heartbeat timeout of a send batch: how soon a batch whose worker died is retried elsewhere.
   * Default from batchSize and ratePerSecond, at least 30 s. The batch heartbeats every 50
   * recipients, so a smaller batch must finish within it. Tests pass seconds.
   */
  batchHeartbeatTimeoutMs?: number;
  /** Set when the run continues as new mid-send. */
  carry?: Carry;
}

export type CampaignStage =
  'snapshotting' | 'awaiting_approval' | 'sending' | 'paused' | 'holding' | 'completed' | 'rejected' | 'expired' | 'cancelled' | 'failed';

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

export const DEFAULT_CONTINUE_AS_NEW_AFTER_BATCHES = 200;
