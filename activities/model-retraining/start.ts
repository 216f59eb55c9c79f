import type { Client } from '@temporalio/client';
import { startModelRetraining } from '../../api/processes/model-retrainings/starter';
import type { RetrainingTrigger } from '../../workflows/model-retraining/workflow';

/** The Schedule's and the drift check's side: start the model's retraining (once per model and day). */
export function createModelRetrainingStartActivities(deps: { client: Client; taskQueue: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async startScheduledRetraining(input: {
      modelName: string;
      trigger: Exclude<RetrainingTrigger, 'manual'>;
      reason: string;
    }): Promise<{ workflowId: string; created: boolean }> {
      const r = await startModelRetraining(
        deps,
        { modelName: input.modelName, trigger: input.trigger, reason: input.reason, requestedBy: `system:model-${input.trigger}` },
        now(),
      );
      return { workflowId: r.workflowId, created: r.created };
    },
  };
}
