/**
 * The worker's Prometheus endpoint, from a real worker process (Runtime.install runs once per
 * process) installed as workers/main.ts does: after a campaign it served alone, the scrape holds the
 * Temporal SDK's runtime metrics and the business counters, each email counted once by outcome.
 */
import { createServer } from 'node:net';
import { campaignDispatch } from '../../workflows';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { campaignStateQuery, type CampaignDispatchInput } from '../../workflows/campaign/messages';
import { createCampaignScenario } from '../support/campaign-fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { scrape, total } from '../support/prometheus';
import { killWorkerProcesses, startWorkerProcess } from '../support/worker-process';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  try {
    await killWorkerProcesses();
  } finally {
    await h?.close();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

test('after a campaign: temporal_ runtime metrics, and the campaign emails counted once each as sent or skipped', async () => {
  // Three consenting customers; the third unsubscribes after the audience is frozen, so the send skips them.
  const { storeId, emails, campaignId, marketer, approver } = await createCampaignScenario(h.db, 3, { prefix: 'WM', name: 'Metrics edit' });

  const metricsPort = await freePort();
  const queue = `${h.taskQueue}-metrics`;
  await startWorkerProcess({ taskQueue: queue, smtpPort: h.smtp.port, metricsPort });
  const url = `http://127.0.0.1:${metricsPort}/metrics`;

  const input: CampaignDispatchInput = {
    campaignId,
    name: 'Metrics edit',
    segment: { storeIds: [storeId] },
    variants: [{ key: 'a', subject: 'Hello {{firstName}}', body: 'New arrivals.\nUnsubscribe: {{unsubscribeUrl}}' }],
    holdoutPercent: 0,
    requestedBy: marketer.id,
    quietHours: { startHour: 0, endHour: 0 },
  };
  const handle = await h.client.workflow.start(campaignDispatch, { taskQueue: queue, workflowId: campaignId, args: [input] });
  await eventually(
    async () => {
      const st = await handle.query(campaignStateQuery);
      return st.stage === 'awaiting_approval' && st.pendingApproval !== null ? st : undefined;
    },
    30_000,
    'awaiting approval',
  );
  await h.db.suppression.create({ data: { id: `unsub:${emails[2]}`, email: emails[2]!, reason: 'unsubscribed', source: 'test' } });
  await handle.executeUpdate(decideUpdate, {
    args: [{ decision: 'approve', actor: { id: approver.id, role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] } }],
  });
  const result = await handle.result();
  expect(result.progress).toMatchObject({ sent: 2 });
  expect(emails.map((e) => h.smtp.to(e).length)).toEqual([1, 1, 0]);

  // The exporter's view can trail the activity's last add by a moment.
  const samples = await eventually(
    async () => {
      const s = await scrape(url);
      return total(s, 'retail_ops_emails_total', { kind: 'campaign', outcome: 'sent' }) >= 2 ? s : undefined;
    },
    10_000,
    'campaign sends counted',
  );
  expect(total(samples, 'retail_ops_emails_total', { kind: 'campaign', outcome: 'sent' })).toBe(2);
  expect(total(samples, 'retail_ops_emails_total', { kind: 'campaign', outcome: 'skipped' })).toBe(1);
  expect(total(samples, 'retail_ops_emails_total', { kind: 'campaign', outcome: 'unknown' })).toBe(0);
  // The approvers' notice of the request went out through the shared mailer (one per marketing manager with an address).
  expect(total(samples, 'retail_ops_emails_total', { kind: 'approval.requested', outcome: 'sent' })).toBeGreaterThanOrEqual(2);
  const rate = samples.find((s) => s.name === 'retail_ops_campaign_send_rate_emails_per_second' && s.labels.campaign === campaignId);
  expect(rate?.value).toBeGreaterThan(0);

  // The SDK's own: workflow and activity task metrics, slots and sticky cache, with the temporal_ prefix.
  const names = new Set(samples.map((s) => s.name));
  expect(total(samples, 'temporal_workflow_completed_total', { workflow_type: 'campaignDispatch' })).toBe(1);
  for (const name of [
    'temporal_activity_execution_latency_seconds_count',
    'temporal_workflow_task_schedule_to_start_latency_seconds_count',
    'temporal_sticky_cache_size',
    'temporal_worker_task_slots_available',
  ]) {
    expect(names).toContain(name);
  }
  expect(total(samples, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'sendCampaignBatch' })).toBeGreaterThanOrEqual(1);
});
