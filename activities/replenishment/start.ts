import type { Client } from '@temporalio/client';
import type { Db } from '../../platform/db';
import { startReplenishment } from '../../api/processes/replenishments/starter';

/** The daily Schedule's side: start today's replenishment of a store (once per store and day). */
export function createReplenishmentStartActivities(deps: { db: Db; client: Client; taskQueue: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async startDailyReplenishment(input: { storeId: string }): Promise<{ workflowId: string; created: boolean }> {
      const r = await startReplenishment(deps, { storeId: input.storeId, requestedBy: 'system:replenishment-schedule' }, now());
      return { workflowId: r.workflowId, created: r.created };
    },
  };
}
