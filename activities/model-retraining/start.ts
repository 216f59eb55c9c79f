import type { RetrainingTrigger } from '../../domain/model-promotion';
import type { ProcessStarter } from '../shared/process-starter';

/** The Schedule's and the drift check's side: start the model's retraining (once per model and day). */
export function createModelRetrainingStartActivities(deps: {
  startModelRetraining: ProcessStarter<{ modelName: string; trigger: RetrainingTrigger; reason: string; requestedBy: string }>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async startScheduledRetraining(input: {
      modelName: string;
      trigger: Exclude<RetrainingTrigger, 'manual'>;
      reason: string;
    }): Promise<{ workflowId: string; created: boolean }> {
      const r = await deps.startModelRetraining(
        { modelName: input.modelName, trigger: input.trigger, reason: input.reason, requestedBy: `system:model-${input.trigger}` },
        now(),
      );
      return { workflowId: r.workflowId, created: r.created };
    },
  };
}
