import type { ProcessStarter } from '../shared/process-starter';

/** The daily Schedule's side: start today's replenishment of a store (once per store and day). */
export function createReplenishmentStartActivities(deps: { startReplenishment: ProcessStarter<{ storeId: string; requestedBy: string }>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async startDailyReplenishment(input: { storeId: string }): Promise<{ workflowId: string; created: boolean }> {
      const r = await deps.startReplenishment({ storeId: input.storeId, requestedBy: 'system:replenishment-schedule' }, now());
      return { workflowId: r.workflowId, created: r.created };
    },
  };
}
