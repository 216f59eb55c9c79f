import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config';

export type WorkerTuningSettings = Pick<
  Config,
  'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES' | 'WORKER_MAX_CACHED_WORKFLOWS'
>;

/** The production defaults (platform/config.ts), for workers built outside workers/main.ts: tests, benchmarks. */
export const DEFAULT_WORKER_TUNING: WorkerTuningSettings = {
  WORKER_MAX_CONCURRENT_ACTIVITIES: 40,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 40,
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 40,
  WORKER_MAX_CACHED_WORKFLOWS: 2000,
};

/**
 * Slots, pollers and cache of every worker this project runs (workers/main.ts, the test harness,
 * the benchmarks), so what is measured is what runs in production.
 */
export function workerTuning(s: WorkerTuningSettings = DEFAULT_WORKER_TUNING): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: s.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: s.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentLocalActivityExecutions: s.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxCachedWorkflows: s.WORKER_MAX_CACHED_WORKFLOWS,
  };
}
