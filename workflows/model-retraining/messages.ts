/** The model retraining process's messages: its input, state and stages, the queries, signals and updates the API uses, its workflow ID. */
import * as wf from '@temporalio/workflow';
import type { ModelEvaluation, RegisteredModelVersion } from '../../activities/model-retraining/registry';
import { type PromotionPolicy, type PromotionProposal, type RetrainingTrigger } from '../../domain/model-promotion';
import type { GateDecision, GateTimeouts, PendingApproval } from '../shared/approval-gate';
import type { CancelRequest } from '../shared/cancellation';

export const PROCESS_TYPE = 'model_retraining';

export type { RetrainingTrigger };

/** Training batches in flight per run by default; the workers' activity slots bound them across runs. */
export const DEFAULT_TRAINING_CONCURRENCY = 2;

export interface ModelRetrainingInput {
  modelName: string;
  reason: string;
  trigger: RetrainingTrigger;
  requestedBy: string;
  /** The day training data ends (exclusive), yyyy-mm-dd; the start day (UTC) when absent. */
  asOf?: string;
  /** Days of sales history read, holdout included (default 730: two years). */
  historyDays?: number;
  /** The evaluation window at the end of the history (default 28 days). */
  holdoutDays?: number;
  /** Only these stores' series (a pilot, tests); every store when absent. Not offered by the API. */
  storeIds?: string[];
  /** Series per training activity (default 2,000) and per checkpoint inside it (default 200). */
  batchSize?: number;
  checkpointEvery?: number;
  /** Training activities in flight at a time (default DEFAULT_TRAINING_CONCURRENCY). */
  trainingConcurrency?: number;
  /** Heartbeat timeout of a training batch (default 2 minutes): how soon a dead worker's batch is retried. */
  heartbeatTimeoutMs?: number;
  promotion?: Partial<PromotionPolicy>;
  codeVersion?: string;
  timing?: Partial<GateTimeouts>;
}

export type RetrainingStage =
  'registering' | 'training' | 'evaluating' | 'awaiting_approval' | 'promoting' | 'promoted' | 'not_promoted' | 'rejected' | 'expired' | 'cancelled' | 'failed';

export interface ModelRetrainingState {
  stage: RetrainingStage;
  modelName: string;
  trigger: RetrainingTrigger;
  reason: string;
  version: RegisteredModelVersion | null;
  training: { seriesTotal: number; seriesTrained: number; resumed: number; batches: number; percent: number; families: Record<string, number> };
  evaluation: ModelEvaluation | null;
  proposal: PromotionProposal | null;
  promotedBy: string | null;
  outcome: string | null;
  pendingApproval: PendingApproval | null;
  decisions: GateDecision[];
  cancellation: CancelRequest | null;
}

export const modelRetrainingStateQuery = wf.defineQuery<ModelRetrainingState>('state');

export function modelRetrainingWorkflowId(modelName: string, day: string, key?: string): string {
  return key ? `model-retraining-${modelName}-${day}-${key}` : `model-retraining-${modelName}-${day}`;
}
