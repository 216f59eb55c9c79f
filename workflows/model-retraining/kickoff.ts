/**
 * Run by a model's Schedules: weekly, start its retraining; daily, check the champion for drift and
 * start a retraining only when it drifted. The retraining's workflow ID is the model and the day,
 * so the weekly run and a drift alert on the same day share one retraining.
 */
import * as wf from '@temporalio/workflow';
import type * as driftActivities from '../../activities/model-retraining/drift';
import type { DriftCheckResult } from '../../activities/model-retraining/drift';
import type * as startActivities from '../../activities/model-retraining/start';
import type { DriftThresholds } from '../../domain/drift';

const { startScheduledRetraining } = wf.proxyActivities<ReturnType<typeof startActivities.createModelRetrainingStartActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

const { checkDemandDrift } = wf.proxyActivities<ReturnType<typeof driftActivities.createModelDriftActivities>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export interface RetrainingKickoffResult {
  started: { workflowId: string; created: boolean } | null;
  drift: DriftCheckResult | null;
}

export async function modelRetrainingKickoff(input: {
  modelName: string;
  trigger: 'schedule' | 'drift';
  thresholds?: Partial<DriftThresholds>;
}): Promise<RetrainingKickoffResult> {
  if (input.trigger === 'schedule') {
    const started = await startScheduledRetraining({ modelName: input.modelName, trigger: 'schedule', reason: 'Weekly retraining' });
    return { started, drift: null };
  }
  const drift = await checkDemandDrift({ modelName: input.modelName, thresholds: input.thresholds });
  if (!drift.drifted) return { started: null, drift };
  const started = await startScheduledRetraining({ modelName: input.modelName, trigger: 'drift', reason: `Drift: ${drift.reasons.join(' ')}`.slice(0, 500) });
  return { started, drift };
}
