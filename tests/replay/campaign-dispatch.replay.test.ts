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
 * Recorded campaign histories (refreshed with `RECORD_HISTORIES=1 npm test -- tests/workflow`)
 * replayed through today's workflow code: a send held for quiet hours or paused over a weekend is
 * a run in flight that a non-deterministic change would break.
 */
describe('campaign dispatch replays its recorded histories', () => {
  const histories = loadRecordedHistories('campaign-');

  test('there are recorded histories for every path', () => {
    expect(histories.map((h) => h.workflowId)).toEqual([
      'campaign-approved-sent',
      'campaign-cancelled-interrupted-claim',
      'campaign-cancelled',
      // Runs of one chain: the first (audience, approval, batches, continued as new), the one whose
      // pass ended in a hold (timer, second pass, continued as new), the last (completed); a run
      // started paused by its carry; one started with a carried cancel reason, then cancelled.
      'campaign-continue-as-new-cancelled',
      'campaign-continue-as-new-first-run',
      'campaign-continue-as-new-holding-run',
      'campaign-continue-as-new-last-run',
      'campaign-continue-as-new-paused-run',
      'campaign-held-cancelled',
      'campaign-pause-resume',
      'campaign-rejected',
      // A send batch retried while SMTP refused connections.
      'campaign-smtp-down-up',
      // A worker SIGKILLed mid-batch: heartbeat timeout, retried batch, a workflow task timed out on the dead worker's sticky queue.
      'campaign-worker-killed',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory(replayWorkerOptions(await workflowBundle()), h.history, h.workflowId);
  });
});
