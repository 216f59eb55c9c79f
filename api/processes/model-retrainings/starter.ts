import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { StartedProcess } from '../definition';
import { modelRetraining } from '../../../workflows/model-retraining/workflow';
import { modelRetrainingWorkflowId, PROCESS_TYPE, type ModelRetrainingInput } from '../../../workflows/model-retraining/messages';
import { BusinessStatus, ProcessType, StoreIds } from '../../../workflows/shared/search-attributes';
import { modelRetrainingDetails, modelRetrainingSummary } from '../../../domain/run-summaries';
import { assertStorableInput } from '../../../platform/storable-input';

/**
 * Starts a retraining of a model, or returns the one already started under the same business key:
 * the model and the day (UTC), so the weekly Schedule, a drift alert and a manual request on the
 * same day share one run. An `Idempotency-Key` (manual starts) makes its own key: a data scientist
 * may retrain again the same day after fixing data, and a retried request still starts only once.
 */
export async function startModelRetraining(
  deps: { client: Client; taskQueue: string },
  input: ModelRetrainingInput & { idempotencyKey?: string },
  now: Date = new Date(),
): Promise<StartedProcess> {
  assertStorableInput(input, 'input');
  const day = now.toISOString().slice(0, 10);
  const key = input.idempotencyKey ? createHash('sha256').update(`${input.requestedBy}\u0000${input.idempotencyKey}`).digest('hex').slice(0, 16) : undefined;
  const workflowId = modelRetrainingWorkflowId(input.modelName, day, key);
  const { idempotencyKey: _ignored, ...args } = input;
  const facts = { ...args, asOf: args.asOf ?? day };
  try {
    const handle = await deps.client.workflow.start(modelRetraining, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ ...args, asOf: args.asOf ?? day }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: ProcessType, value: PROCESS_TYPE },
        { key: BusinessStatus, value: 'registering' },
        // A pilot on some stores is found by each of them; a chain-wide retraining concerns no one store.
        ...(args.storeIds?.length ? [{ key: StoreIds, value: args.storeIds }] : []),
      ],
      staticSummary: modelRetrainingSummary(facts),
      staticDetails: modelRetrainingDetails(facts),
    });
    return { workflowId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const desc = await deps.client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: desc.runId, created: false };
  }
}
