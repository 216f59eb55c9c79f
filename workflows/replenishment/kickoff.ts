/**
 * Run by each store's daily Schedule: starts that store's replenishment for its local day. The
 * replenishment's workflow ID is the business key (store + day), so a Schedule that fires twice
 * in a day, or an upstream start the same day, never plans the store twice.
 */
import * as wf from '@temporalio/workflow';
import type * as startActivities from '../../activities/replenishment/start';

const acts = wf.proxyActivities<ReturnType<typeof startActivities.createReplenishmentStartActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

export async function startDailyReplenishment(input: { storeId: string }): Promise<{ workflowId: string; created: boolean }> {
  return acts.startDailyReplenishment(input);
}
