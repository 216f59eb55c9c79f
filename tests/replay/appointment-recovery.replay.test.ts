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
 * Recorded histories (refreshed with `RECORD_HISTORIES=1 npm test -- tests/workflow`) replayed
 * through today's workflow code: a change that breaks determinism for runs in flight fails here.
 */
describe('appointment recovery replays its recorded histories', () => {
  const histories = loadRecordedHistories('appointment-recovery-');

  test('there are recorded histories for every path', () => {
    expect(histories.map((h) => h.workflowId)).toEqual([
      'appointment-recovery-compensation',
      'appointment-recovery-escalation-auto-assign',
      'appointment-recovery-happy-path',
      'appointment-recovery-local-steps',
      'appointment-recovery-override',
      'appointment-recovery-rejected',
      'appointment-recovery-stylist-taken',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory(replayWorkerOptions(await workflowBundle()), h.history, h.workflowId);
  });
});
