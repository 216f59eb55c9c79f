import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { replayWorkerOptions } from '../../platform/worker-interceptors';
import { workflowBundle } from '../../scripts/kit/harness';
import { loadRecordedHistories } from '../support/histories';

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // installed already in this worker
  }
});

/**
 * Recorded replenishment histories (refreshed with `RECORD_HISTORIES=1 npm test -- tests/workflow`)
 * replayed through today's workflow code: a change that breaks determinism for runs in flight
 * (a PO waiting days for its receipts is the normal case) fails here.
 */
describe('replenishment replays its recorded histories', () => {
  const histories = loadRecordedHistories('replenishment-');

  test('there are recorded histories for every path', () => {
    expect(histories.map((h) => h.workflowId)).toEqual([
      'replenishment-cancel-awaiting-approval',
      'replenishment-closed-short',
      'replenishment-concurrent-planning',
      'replenishment-edit',
      'replenishment-escalation-cancel',
      'replenishment-expired',
      'replenishment-hand-over',
      'replenishment-nothing-to-order',
      'replenishment-partial-receipt',
      'replenishment-reject',
      'replenishment-supplier-rejected',
      'replenishment-tiers',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory(replayWorkerOptions(await workflowBundle()), h.history, h.workflowId);
  });
});
