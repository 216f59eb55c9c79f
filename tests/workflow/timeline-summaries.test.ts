/**
 * A replenishment's timeline reads as the process: on the dev server, every activity it schedules
 * carries a summary, the PO sent to its supplier says so, and its timers say what they wait for
 * (the supplier's acknowledgment, the store manager's decision) and until when.
 */
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startReplenishment } from '../../api/processes/replenishments/starter';
import { replenishment } from '../../workflows/replenishment/workflow';
import { replenishmentStateQuery } from '../../workflows/replenishment/messages';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createReplenishmentScenario } from '../support/replenishment-fixtures';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

function summaryOf(e: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const payload = e.userMetadata?.summary;
  return payload ? defaultPayloadConverter.fromPayload<string>(payload as Payload) : undefined;
}

const MINUTE_UTC = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC`;

test('a replenishment names its activities and timers', async () => {
  const s = await createReplenishmentScenario(h.db, { tiers: ['auto', 'store'] });
  const started = await startReplenishment(
    { client: h.client, db: h.db, taskQueue: h.taskQueue },
    { storeId: s.storeId, asOf: s.asOf, requestedBy: 'system:test' },
  );
  const handle = h.client.workflow.getHandle<typeof replenishment>(started.workflowId, started.runId);
  const auto = s.suppliers.auto!;
  const supplierName = `auto supplier ${s.suffix}`;
  try {
    await eventually(
      async () => {
        const st = await handle.query(replenishmentStateQuery);
        const sent = st.purchaseOrders.find((p) => p.id === auto.purchaseOrderId)?.stage === 'awaiting_acknowledgment';
        return sent && st.pendingApprovals.length === 1;
      },
      30_000,
      'the auto PO sent and the store PO awaiting approval',
    );
    const events = await eventually(
      async () => {
        const list = (await handle.fetchHistory()).events ?? [];
        return list.filter((e) => e.timerStartedEventAttributes).length >= 2 ? list : undefined;
      },
      10_000,
      'both timers started',
    );

    const activities = events.filter((e) => e.activityTaskScheduledEventAttributes);
    const unnamed = activities.filter((e) => !summaryOf(e)).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(unnamed).toEqual([]);
    expect(activities.map(summaryOf)).toContain(`Send ${auto.purchaseOrderId} to ${supplierName}`);

    const timers = events.filter((e) => e.timerStartedEventAttributes).map(summaryOf);
    expect(timers).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Wait for ${supplierName} to acknowledge ${auto.purchaseOrderId}, until ${MINUTE_UTC}$`)),
        expect.stringMatching(new RegExp(`^Wait for the store manager's decision until the (reminder|escalation|expiry) at ${MINUTE_UTC}: `)),
      ]),
    );
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
