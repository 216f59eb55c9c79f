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
 * Recorded price-change histories (refreshed with `RECORD_HISTORIES=1 npm test -- tests/workflow`)
 * replayed through today's workflow code: a change that breaks determinism for runs in flight
 * (a change scheduled for next week, or watching sales for two weeks, is the normal case) fails here.
 */
describe('price change replays its recorded histories', () => {
  const histories = loadRecordedHistories('price-change-');

  test('there are recorded histories for every path', () => {
    expect(histories.map((h) => h.workflowId)).toEqual([
      'price-change-auto-approve',
      'price-change-cancel-after-effect',
      'price-change-cancel-awaiting-approval',
      'price-change-cancel-while-pushing',
      'price-change-compensation',
      'price-change-counter-price',
      'price-change-counter-two-levels',
      'price-change-decisions-answer-with-state',
      'price-change-ended-before-effect',
      'price-change-expired',
      'price-change-kpi-rollback',
      'price-change-local-steps',
      'price-change-notice-cancelled',
      'price-change-notice-expired-smtp-down',
      'price-change-notice-withdrawn',
      'price-change-one-level',
      'price-change-reject',
      'price-change-scheduled-end',
      'price-change-scheduled-on-decision',
      'price-change-scheduled',
      'price-change-two-levels',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory(replayWorkerOptions(await workflowBundle()), h.history, h.workflowId);
  });
});
