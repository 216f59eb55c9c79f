/**
 * Input that reaches a run without passing the API (a Temporal client, a Schedule, a bug) must not
 * poison it: decisions are refused by the gate's validator or undone when the database refuses
 * them, a cancel reason is stored sanitised, and a start the database cannot store ends the run
 * instead of retrying until its attempts run out. On the dev server, with the real worker wiring.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Principal } from '../../domain/approval';
import { startModelRetraining } from '../../api/processes/model-retrainings/starter';
import { UnstorableInputError } from '../../platform/storable-input';
import { decideUpdate, GateErrors, type DecisionInput } from '../../workflows/shared/approval-gate';
import { campaignDispatch } from '../../workflows/campaign/workflow';
import { campaignStateQuery, type CampaignState } from '../../workflows/campaign/messages';
import { cancelRequestSignal } from '../../workflows/shared/cancellation';
import { modelRetraining } from '../../workflows/model-retraining/workflow';
import { modelRetrainingStateQuery } from '../../workflows/model-retraining/messages';
import type { Person } from '../../scripts/kit/fixtures';
import { createCampaignScenario } from '../support/campaign-fixtures';
import { createHarness, eventually, workflowBundle, type Harness } from '../../scripts/kit/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

type CampaignHandle = ReturnType<typeof h.client.workflow.getHandle<typeof campaignDispatch>>;

/** A store of our own with two consenting customers, a draft campaign and a marketing manager to decide it. */
async function campaignScenario(name = 'Poison test') {
  const { storeId, emails, campaignId, marketer, approver } = await createCampaignScenario(h.db, 2, { prefix: 'PI', name: 'Poison test' });
  const handle = await h.client.workflow.start(campaignDispatch, {
    taskQueue: h.taskQueue,
    workflowId: campaignId,
    args: [
      {
        campaignId,
        name,
        segment: { storeIds: [storeId] },
        variants: [{ key: 'a', subject: 'Hello {{firstName}}', body: 'Picked for you.\nUnsubscribe: {{unsubscribeUrl}}' }],
        holdoutPercent: 0,
        requestedBy: marketer.id,
        quietHours: { startHour: 0, endHour: 0 },
      },
    ],
  });
  return { campaignId, emails, marketer, approver, handle: handle as CampaignHandle };
}

const marketing = (p: Person): Principal => ({ id: p.id, role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] });

async function awaitingApproval(handle: CampaignHandle): Promise<CampaignState> {
  return eventually(
    async () => {
      const st = await handle.query(campaignStateQuery);
      return st.stage === 'awaiting_approval' && st.pendingApproval ? st : undefined;
    },
    30_000,
    'awaiting approval',
  );
}

/** Sends a decision through the Temporal client; the failure's type, details and how long it took. */
async function decide(handle: CampaignHandle, input: DecisionInput) {
  const t0 = Date.now();
  try {
    await handle.executeUpdate(decideUpdate, { args: [input] });
    return { ok: true as const, ms: Date.now() - t0 };
  } catch (err) {
    const ms = Date.now() - t0;
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      return {
        ok: false as const,
        ms,
        type: err.cause.type,
        message: err.cause.message,
        fields: (err.cause.details?.[0] as { field: string }[] | undefined)?.map((f) => f.field),
      };
    }
    throw err;
  }
}

const decisionRows = (requestId: string) => h.db.approvalDecision.findMany({ where: { approvalRequestId: requestId } });

/** The run replays through today's workflow code: the refused and undone decisions left a valid history. */
async function replays(handle: CampaignHandle): Promise<void> {
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
}

describe('decisions the database could not store', () => {
  test('a comment or payload with a NUL, sent straight through the Temporal client, is refused at once (InvalidDecision); nothing is recorded and a clean decision completes the gate', async () => {
    const s = await campaignScenario();
    const st = await awaitingApproval(s.handle);
    const requestId = st.pendingApproval!.requestId;

    const comment = await decide(s.handle, { decision: 'reject', comment: 'Wrong\u0000audience', actor: marketing(s.approver) });
    expect(comment).toMatchObject({ ok: false, type: GateErrors.invalidDecision, fields: ['comment'] });
    expect(comment.ms).toBeLessThan(5_000);
    const payload = await decide(s.handle, { decision: 'approve', payload: { stylistId: 'ST-\u0000', note: 'fine' }, actor: marketing(s.approver) });
    expect(payload).toMatchObject({ ok: false, type: GateErrors.invalidDecision, fields: ['payload.stylistId'] });
    expect(payload.ms).toBeLessThan(5_000);
    const surrogate = await decide(s.handle, { decision: 'reject', comment: 'half a pair \ud83d', actor: marketing(s.approver) });
    expect(surrogate).toMatchObject({ ok: false, type: GateErrors.invalidDecision, fields: ['comment'] });

    const after = await s.handle.query(campaignStateQuery);
    expect(after).toMatchObject({ stage: 'awaiting_approval', decisions: [] });
    expect(after.pendingApproval?.requestId).toBe(requestId);
    expect(await decisionRows(requestId)).toHaveLength(0);

    const clean = await decide(s.handle, { decision: 'approve', comment: 'Looks right', actor: marketing(s.approver) });
    expect(clean.ok).toBe(true);
    const result = await s.handle.result();
    expect(result.stage).toBe('completed');
    expect(result.progress.sent).toBe(2);
    expect(result.decisions).toHaveLength(1);
    expect(await decisionRows(requestId)).toEqual([expect.objectContaining({ decision: 'approve', comment: 'Looks right', actorId: s.approver.id })]);
    await replays(s.handle);
  });

  test('a decision the database refuses (InvalidData from recordApprovalDecision) is undone: refused quickly, the level stays open, and a clean decision afterwards completes the gate', async () => {
    const s = await campaignScenario();
    const st = await awaitingApproval(s.handle);
    const requestId = st.pendingApproval!.requestId;
    // The decision's row references its request: without the request row the insert breaks the
    // foreign key (23503), as it would on every retry.
    // The gate shows as pending while openApprovalRequest is still writing the row.
    const request = (await eventually(() => h.db.approvalRequest.findUnique({ where: { id: requestId } }), 10_000, 'the request row'))!;
    await h.db.approvalRequest.delete({ where: { id: requestId } });

    const refused = await decide(s.handle, { decision: 'approve', comment: 'Ship it', actor: marketing(s.approver) });
    expect(refused).toMatchObject({ ok: false, type: GateErrors.invalidDecision, fields: ['decision'] });
    expect(refused.ok === false && refused.message).toMatch(/could not be recorded.*foreign key.*23503/);
    expect(refused.ms).toBeLessThan(5_000);
    // One attempt, not twenty: the activity failed non-retryably.
    const history = await s.handle.fetchHistory();
    const failed = history.events!.filter((e) => e.activityTaskFailedEventAttributes);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo).toMatchObject({ type: 'InvalidData', nonRetryable: true });

    const after = await s.handle.query(campaignStateQuery);
    expect(after).toMatchObject({ stage: 'awaiting_approval', decisions: [] });
    expect(after.pendingApproval?.requestId).toBe(requestId);

    await h.db.approvalRequest.create({ data: { ...request, details: request.details as object } });
    const clean = await decide(s.handle, { decision: 'approve', comment: 'Ship it', actor: marketing(s.approver) });
    expect(clean.ok).toBe(true);
    const result = await s.handle.result();
    expect(result).toMatchObject({ stage: 'completed', approvedBy: s.approver.id });
    expect(await decisionRows(requestId)).toHaveLength(1);
    expect((await h.db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('APPROVED');
    await replays(s.handle);
  });
});

describe('a cancel reason that cannot be stored', () => {
  test('a campaign cancelled with a NUL in its reason ends cancelled, the reason stored sanitised', async () => {
    const s = await campaignScenario();
    await awaitingApproval(s.handle);
    const t0 = Date.now();
    await s.handle.signal(cancelRequestSignal, { reason: 'Wrong\u0000audience \ud800', actorId: s.marketer.id, requestedAt: new Date().toISOString() });
    await s.handle.cancel();
    const err = await s.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const st = await s.handle.query(campaignStateQuery);
    expect(st).toMatchObject({ stage: 'cancelled', failure: 'Cancelled: Wrong\uFFFDaudience \uFFFD' });
    expect(st.cancellation).toMatchObject({ reason: 'Wrong\uFFFDaudience \uFFFD', actorId: s.marketer.id });
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('cancelled');
    const audit = await h.db.auditEvent.findUniqueOrThrow({ where: { idempotencyKey: `${s.campaignId}:status:cancelled` } });
    expect(audit).toMatchObject({ actorId: s.marketer.id, details: { note: 'Cancelled: Wrong\uFFFDaudience \uFFFD' } });
    await replays(s.handle);
  });
});

describe('other free text that reaches an activity', () => {
  test('a campaign started straight through the client with a NUL in its name ends failed within seconds (the approval request could not be stored), its status written', async () => {
    const t0 = Date.now();
    const s = await campaignScenario('Winter\u0000edit');
    const err = await s.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('CampaignFailed');
    expect(cause.message).toMatch(/Invalid data for ApprovalRequest: invalid byte sequence.*22021/);
    const st = await s.handle.query(campaignStateQuery);
    expect(st).toMatchObject({ stage: 'failed', pendingApproval: null });
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: s.campaignId } })).status).toBe('failed');
    expect(h.smtp.to(s.emails[0]!)).toHaveLength(0);
  });
});

describe('a retraining whose reason cannot be stored', () => {
  test('the starter refuses it, naming the field, before anything starts', async () => {
    const modelName = `poison-model-${randomUUID().slice(0, 8)}`;
    const started = startModelRetraining(
      { client: h.client, taskQueue: h.taskQueue },
      { modelName, reason: 'Drift\u0000', trigger: 'manual', requestedBy: 'test' },
    );
    await expect(started).rejects.toBeInstanceOf(UnstorableInputError);
    await expect(started).rejects.toMatchObject({ status: 400, problems: [expect.objectContaining({ field: 'input.reason', code: 'unstorable_character' })] });
    const runs = await h.client.workflow.list({ query: `WorkflowId STARTS_WITH 'model-retraining-${modelName}'` });
    const found: string[] = [];
    for await (const r of runs) found.push(r.workflowId);
    expect(found).toEqual([]);
  });

  test('started straight through the Temporal client, it ends failed within seconds instead of sticking in registering', async () => {
    const modelName = `poison-model-${randomUUID().slice(0, 8)}`;
    const t0 = Date.now();
    const handle = await h.client.workflow.start(modelRetraining, {
      taskQueue: h.taskQueue,
      workflowId: `model-retraining-${modelName}`,
      args: [
        { modelName, reason: 'Drift\u0000alert', trigger: 'manual', requestedBy: 'test', historyDays: 200, holdoutDays: 28, storeIds: [], codeVersion: 'test' },
      ],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ModelRetrainingFailed');
    expect(cause.message).toMatch(/invalid byte sequence.*22021/);
    expect(ms).toBeLessThan(10_000);
    const st = await handle.query(modelRetrainingStateQuery);
    expect(st).toMatchObject({ stage: 'failed', version: null });
    expect(await h.db.modelVersion.count({ where: { modelName } })).toBe(0);
    // registerModelVersion ran once: InvalidData is not retried.
    const history = await handle.fetchHistory();
    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerModelVersion');
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
    expect(scheduled).toHaveLength(1);
    expect(started.every((e) => (e.activityTaskStartedEventAttributes!.attempt ?? 1) === 1)).toBe(true);
  });
});
