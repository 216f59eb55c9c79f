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
 * Recorded model-retraining and kickoff histories (refreshed with
 * `RECORD_HISTORIES=1 npm test -- tests/workflow/model-retraining.test.ts`) replayed through
 * today's workflow code: a retraining waits days for its approver, so a change that breaks
 * determinism for runs in flight fails here.
 */
describe('model retraining replays its recorded histories', () => {
  const histories = loadRecordedHistories('model-retraining-');

  test('there are recorded histories for every path', () => {
    expect(histories.map((h) => h.workflowId)).toEqual([
      'model-retraining-concurrent-batches',
      'model-retraining-fingerprint-beside-training',
      'model-retraining-kickoff-drifted',
      'model-retraining-kickoff-stable',
      'model-retraining-not-promoted',
      'model-retraining-promoted',
      'model-retraining-rejected',
      'model-retraining-restarted-cancelled',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory(replayWorkerOptions(await workflowBundle()), h.history, h.workflowId);
  });
});
