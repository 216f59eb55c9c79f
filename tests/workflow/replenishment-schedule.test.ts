import { ScheduleOverlapPolicy } from '@temporalio/client';
import { localDay } from '../../api/processes/replenishments/starter';
import {
  ensureModelRetrainingSchedules,
  modelDriftScheduleId,
  modelRetrainingScheduleId,
  replenishmentScheduleId,
  ensureReplenishmentSchedules,
} from '../../workers/schedules';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createReplenishmentScenario } from '../support/replenishment-fixtures';

let h: Harness;
const created: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

afterAll(async () => {
  for (const id of created)
    await h.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await h?.close();
});

describe('daily replenishment Schedules', () => {
  test('one per store at the store-local hour; a trigger starts that store’s run for its local day, once', async () => {
    const s = await createReplenishmentScenario(h.db, { tiers: ['auto'] });
    const stores = [{ id: s.storeId, name: 'Replenishment store', timezone: 'America/Los_Angeles' }];
    await ensureReplenishmentSchedules(h.client, { taskQueue: h.taskQueue, stores, hour: 6 });
    // Creating again updates in place (a worker restart does not fail or duplicate).
    await ensureReplenishmentSchedules(h.client, { taskQueue: h.taskQueue, stores, hour: 7 });
    const id = replenishmentScheduleId(s.storeId);
    created.push(id);
    const schedule = h.client.schedule.getHandle(id);
    const desc = await schedule.describe();
    expect(desc.spec.timezone).toBe('America/Los_Angeles');
    expect(desc.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(desc.action).toMatchObject({ type: 'startWorkflow', workflowType: 'startDailyReplenishment', args: [{ storeId: s.storeId }] });

    await schedule.trigger();
    const day = localDay(new Date(), 'UTC'); // the fixture store's own time zone
    const runId = `replenishment-${s.storeId}-${day}`;
    const run = await eventually(
      async () => {
        const d = await h.client.workflow.getHandle(runId).describe();
        return d.status.name === 'RUNNING' || d.status.name === 'COMPLETED' ? d : undefined;
      },
      30_000,
      'the scheduled replenishment',
    );
    expect(await run.staticSummary()).toContain(s.storeId);

    // A second firing the same day finds the run already there. Schedules name a run by the second
    // it fires in, so the second trigger waits for the first kickoff to end and for the next second.
    const first = (await schedule.describe()).info.recentActions[0]!.action.workflow;
    await h.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).result();
    await new Promise((r) => setTimeout(r, 1100));
    await schedule.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    await eventually(async () => ((await schedule.describe()).info.recentActions.length >= 2 ? true : undefined), 20_000, 'second firing');
    const kickoffs = await eventually(
      async () => {
        const started = (await schedule.describe()).info.recentActions.map((a) => a.action.workflow);
        const results = await Promise.all(
          started.map((w) =>
            h.client.workflow
              .getHandle(w.workflowId, w.firstExecutionRunId)
              .result()
              .catch(() => undefined),
          ),
        );
        return results.every(Boolean) ? results : undefined;
      },
      30_000,
      'kickoffs finished',
    );
    expect(kickoffs.map((r) => (r as { created: boolean }).created).sort()).toEqual([false, true]);
    const runs = await h.client.workflow.list({ query: `WorkflowId = '${runId}'` });
    let count = 0;
    for await (const _ of runs) count += 1;
    expect(count).toBe(1);
    await h.client.workflow.getHandle(runId).cancel();
  });
});

describe('model retraining Schedules', () => {
  test('weekly retraining and a daily drift check per model; the drift check without a champion starts nothing', async () => {
    const modelName = `demand-forecast-sched-${Date.now()}`;
    const opts = { taskQueue: h.taskQueue, modelName, weekday: 0, hour: 2, driftHour: 3 };
    await ensureModelRetrainingSchedules(h.client, opts);
    await ensureModelRetrainingSchedules(h.client, { ...opts, weekday: 1 }); // updated in place
    created.push(modelRetrainingScheduleId(modelName), modelDriftScheduleId(modelName));
    const weekly = await h.client.schedule.getHandle(modelRetrainingScheduleId(modelName)).describe();
    expect(weekly.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] });
    expect(weekly.action).toMatchObject({ type: 'startWorkflow', workflowType: 'modelRetrainingKickoff', args: [{ modelName, trigger: 'schedule' }] });
    const drift = h.client.schedule.getHandle(modelDriftScheduleId(modelName));
    expect((await drift.describe()).action).toMatchObject({ workflowType: 'modelRetrainingKickoff', args: [{ modelName, trigger: 'drift' }] });

    await drift.trigger();
    const result = await eventually(
      async () => {
        const fired = (await drift.describe()).info.recentActions[0]?.action.workflow;
        return fired ? h.client.workflow.getHandle(fired.workflowId, fired.firstExecutionRunId).result() : undefined;
      },
      30_000,
      'the drift check',
    );
    expect(result).toMatchObject({ started: null, drift: { drifted: false, championVersion: null } });
  });
});
