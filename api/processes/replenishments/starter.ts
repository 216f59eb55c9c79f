import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../../platform/db';
import type { StartedProcess } from '../definition';
import { replenishment } from '../../../workflows/replenishment/workflow';
import { PROCESS_TYPE, replenishmentWorkflowId, type ReplenishmentInput } from '../../../workflows/replenishment/messages';
import { BusinessStatus, ProcessType, StoreId, StoreIds } from '../../../workflows/shared/search-attributes';
import { replenishmentDetails, replenishmentSummary } from '../../../domain/run-summaries';
import { assertStorableInput } from '../../../platform/storable-input';

export class StoreNotFoundError extends Error {}

/** The calendar day (yyyy-mm-dd) it is in a time zone at an instant. */
export function localDay(at: Date, timeZone: string): string {
  // en-CA formats dates as yyyy-mm-dd.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Starts the replenishment of a store for a day (the store's local today when asOf is absent), or
 * returns the run already started for that store and day: the business key is store + day, and a
 * day is planned once whatever happened to its run.
 */
export async function startReplenishment(
  deps: { client: Client; db: Db; taskQueue: string },
  input: Omit<ReplenishmentInput, 'asOf'> & { asOf?: string },
  now: Date = new Date(),
): Promise<StartedProcess & { asOf: string }> {
  assertStorableInput(input, 'input');
  const store = await deps.db.store.findUnique({ where: { id: input.storeId } });
  if (!store) throw new StoreNotFoundError(`Store ${input.storeId} does not exist.`);
  const asOf = input.asOf ?? localDay(now, store.timezone);
  const workflowId = replenishmentWorkflowId(store.id, asOf);
  const facts = { storeId: store.id, storeName: store.name, regionId: store.regionId, asOf, requestedBy: input.requestedBy };
  try {
    const handle = await deps.client.workflow.start(replenishment, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ ...input, asOf }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: ProcessType, value: PROCESS_TYPE },
        { key: StoreId, value: store.id },
        { key: StoreIds, value: [store.id] },
        { key: BusinessStatus, value: 'planning' },
      ],
      staticSummary: replenishmentSummary(facts),
      staticDetails: replenishmentDetails(facts),
    });
    return { workflowId, runId: handle.firstExecutionRunId, created: true, asOf };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const desc = await deps.client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: desc.runId, created: false, asOf };
  }
}
