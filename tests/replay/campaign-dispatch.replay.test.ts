import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/harness';
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
      'campaign-cancelled',
      'campaign-held-cancelled',
      'campaign-pause-resume',
      'campaign-rejected',
    ]);
  });

  test.each(histories.map((h) => [h.workflowId, h] as const))('%s replays without nondeterminism', async (_name, h) => {
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, h.history, h.workflowId);
  });
});
