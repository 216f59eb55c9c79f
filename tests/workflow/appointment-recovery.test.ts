import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Principal } from '../../domain/approval';
import { startAppointmentRecovery } from '../../api/processes/appointment-recoveries/starter';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { appointmentRecovery } from '../../workflows/appointment-recovery/workflow';
import { recoveryStateQuery, type AppointmentRecoveryState } from '../../workflows/appointment-recovery/messages';
import { scanUnassignedAppointments } from '../../workflows/appointment-recovery/scan';
import { createStoreScenario, occupyAllSuites, type Person, type StoreScenario } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { recordHistories } from '../support/histories';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

const finished: { name: string; workflowId: string }[] = [];

afterAll(async () => {
  // RECORD_HISTORIES=1 refreshes the histories the replay test guards determinism with.
  try {
    if (process.env.RECORD_HISTORIES) await recordHistories(finished);
  } finally {
    await h?.close();
  }
});

const manager = (p: Person, s: StoreScenario): Principal => ({
  id: p.id,
  role: 'store_manager',
  allScopes: false,
  storeIds: [s.storeId],
  regionIds: [],
  categories: [],
});
const regional = (p: Person, s: StoreScenario): Principal => ({
  id: p.id,
  role: 'regional_manager',
  allScopes: false,
  storeIds: [],
  regionIds: [s.regionId],
  categories: [],
});

async function start(s: StoreScenario, timing?: Record<string, number>) {
  const r = await startAppointmentRecovery(
    { client: h.client, db: h.db, taskQueue: h.taskQueue },
    { appointmentId: s.appointmentId, requestedBy: 'system:test', timing },
    { restartFailed: true },
  );
  return h.client.workflow.getHandle<typeof appointmentRecovery>(r.workflowId, r.runId);
}

async function awaitingApproval(handle: { query: (q: typeof recoveryStateQuery) => Promise<AppointmentRecoveryState> }) {
  return eventually(
    async () => {
      const st = await handle.query(recoveryStateQuery);
      return st.stage === 'awaiting_approval' && st.pendingApproval ? st : undefined;
    },
    20_000,
    'awaiting approval',
  );
}

function gateErrorType(err: unknown): string | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}

describe('appointment recovery on the dev server', () => {
  test('happy path: manager approves the recommendation; stylist assigned, briefed, items held, suite reserved, customer confirmed', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s);
    const st = await awaitingApproval(handle);

    expect(st.recommendation?.staffId).toBe(s.stylists.best);
    expect(st.recommendation?.reasons.join(' ')).toMatch(/4\.9/);
    expect(st.candidates.find((c) => c.staffId === s.stylists.offShift)?.available).toBe(false);
    expect(st.customer?.tier).toBe('PLATINUM');
    expect(st.customer?.purchaseCount).toBe(3);
    expect(st.pendingApproval?.approvers).toEqual([{ role: 'store_manager', scope: { storeId: s.storeId, regionId: s.regionId } }]);
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Approval needed'));

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s) }] });
    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-happy-path', workflowId: handle.workflowId });

    expect(result.stage).toBe('completed');
    expect(result.assignedBy).toBe('manager');
    expect(result.effects).toMatchObject({
      stylistAssigned: s.stylists.best,
      stylistBriefed: true,
      notesUpdated: true,
      customerConfirmed: true,
      suiteReserved: 'Styling Suite 1',
    });
    expect(result.effects.itemsHeld).toHaveLength(12);

    const appt = await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } });
    expect(appt.stylistId).toBe(s.stylists.best);
    expect(appt.status).toBe('CONFIRMED');
    expect(appt.preparationNotes).toContain('Styling Suite 1');
    const holds = await h.db.inventoryHold.findMany({ where: { appointmentId: s.appointmentId, status: 'ACTIVE' } });
    expect(holds).toHaveLength(12);
    const reserved = await h.db.inventoryLevel.aggregate({ where: { storeId: s.storeId }, _sum: { reserved: true } });
    expect(reserved._sum.reserved).toBe(12);
    expect(await h.db.roomReservation.count({ where: { appointmentId: s.appointmentId, status: 'HELD' } })).toBe(1);

    const brief = await h.smtp.waitFor((m) => m.to.includes(s.stylistEmails[s.stylists.best]));
    expect(brief.text).toContain('PLATINUM member');
    expect(brief.text).toContain('Items on hold for her (12)');
    const confirmation = await h.smtp.waitFor((m) => m.to.includes(s.customerEmail));
    expect(confirmation.text).toContain('Maria');
    expect(h.smtp.to(s.customerEmail)).toHaveLength(1);
    expect(h.smtp.to(s.stylistEmails[s.stylists.best])).toHaveLength(1);

    const decisions = await h.db.approvalDecision.findMany({ where: { approvalRequest: { workflowId: handle.workflowId } } });
    expect(decisions.map((d) => [d.decision, d.actorId])).toEqual([['approve', s.managers.primary.id]]);
    const request = await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
    expect(request.status).toBe('APPROVED');
  });

  test('the decision answers once acted on: inbox row closed, state moved on, database steps local, only the picked items in the history', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s);
    await awaitingApproval(handle);

    const receipt = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s) }] });
    const request = await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
    expect(request.status).toBe('APPROVED');
    expect(request.decidedAt).not.toBeNull();
    expect(receipt.gateStatus).toBe('approved');
    expect((receipt.state as AppointmentRecoveryState).stage).not.toBe('awaiting_approval');

    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-local-steps', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.effects.itemsHeld).toHaveLength(12);
    expect(result.preselectedItems).toHaveLength(12);

    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
    );
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    for (const local of ['preselectStoreItems', 'placeHolds', 'reserveSuite', 'appendPreparationNotes']) {
      expect(scheduled).not.toContain(local);
    }
    expect(scheduled).not.toContain('loadStoreInventory');
    expect(scheduled).toEqual(expect.arrayContaining(['assignStylist', 'emailStylistBrief', 'emailCustomerConfirmation']));
    expect(markers).toBeGreaterThanOrEqual(4);
  });

  test('override: another available stylist needs a comment, then is assigned', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s);
    await awaitingApproval(handle);

    const noComment = await handle
      .executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s), payload: { stylistId: s.stylists.second } }] })
      .catch((e) => e);
    expect(gateErrorType(noComment)).toBe('InvalidDecision');

    const offShift = await handle
      .executeUpdate(decideUpdate, {
        args: [{ decision: 'approve', comment: 'she asked for Priya', actor: manager(s.managers.primary, s), payload: { stylistId: s.stylists.offShift } }],
      })
      .catch((e) => e);
    expect(gateErrorType(offShift)).toBe('InvalidDecision');

    await handle.executeUpdate(decideUpdate, {
      args: [
        { decision: 'approve', comment: 'Lena styled her sister last week', actor: manager(s.managers.primary, s), payload: { stylistId: s.stylists.second } },
      ],
    });
    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-override', workflowId: handle.workflowId });
    expect(result.assignedBy).toBe('override');
    expect((await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } })).stylistId).toBe(s.stylists.second);
    expect(result.decisions[0]).toMatchObject({ decision: 'approve', comment: 'Lena styled her sister last week', payload: { stylistId: s.stylists.second } });
  });

  test('authorization inside the workflow: wrong store, self-approval and a second decision are refused', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s);
    await awaitingApproval(handle);

    const otherStore: Principal = { id: s.managers.otherStore.id, role: 'store_manager', allScopes: false, storeIds: ['S002'], regionIds: [], categories: [] };
    expect(gateErrorType(await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: otherStore }] }).catch((e) => e))).toBe(
      'NotAuthorized',
    );
    // Before escalation the regional manager is not yet an approver.
    expect(
      gateErrorType(await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: regional(s.managers.regional, s) }] }).catch((e) => e)),
    ).toBe('NotAuthorized');
    const requester: Principal = { ...manager(s.managers.primary, s), id: 'system:test' };
    expect(gateErrorType(await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: requester }] }).catch((e) => e))).toBe('SelfApproval');
    expect(
      gateErrorType(await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', actor: manager(s.managers.primary, s) }] }).catch((e) => e)),
    ).toBe('InvalidDecision');

    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', comment: 'Victoria called to move it', actor: manager(s.managers.primary, s) }] });
    const second = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.secondary, s) }] }).catch((e) => e);
    expect(['AlreadyDecided', 'NothingPending']).toContain(gateErrorType(second) ?? (second instanceof Error ? 'closed' : undefined));

    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-rejected', workflowId: handle.workflowId });
    expect(result.stage).toBe('rejected');
    expect((await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } })).stylistId).toBeNull();
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.includes('manual handling'));
  });

  test('no decision: reminder, escalation email to the regional manager, then auto-assign of the top stylist', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s, { decisionTimeoutMs: 3000, reminderBeforeMs: 1500, autoAssignAfterMs: 3000 });
    await awaitingApproval(handle);

    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Reminder'), 15_000);
    await h.smtp.waitFor((m) => m.to.includes(s.managers.regional.email) && m.subject.startsWith('Escalated'), 15_000);
    const escalated = await handle.query(recoveryStateQuery);
    expect(escalated.pendingApproval?.escalated).toBe(true);
    expect(escalated.pendingApproval?.approvers.map((a) => a.role)).toEqual(['store_manager', 'regional_manager']);

    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-escalation-auto-assign', workflowId: handle.workflowId });
    expect(result.stage).toBe('completed');
    expect(result.assignedBy).toBe('auto');
    expect(result.decisions.map((d) => d.decision)).toEqual(['expired']);
    expect((await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } })).stylistId).toBe(s.stylists.best);
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: handle.workflowId } })).status).toBe('EXPIRED');
  });

  test('after escalation the regional manager may decide', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s, { decisionTimeoutMs: 1500, reminderBeforeMs: 0, autoAssignAfterMs: 60_000 });
    await awaitingApproval(handle);
    await h.smtp.waitFor((m) => m.to.includes(s.managers.regional.email) && m.subject.startsWith('Escalated'), 15_000);
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: regional(s.managers.regional, s) }] });
    const result = await handle.result();
    expect(result.assignedBy).toBe('manager');
    expect(result.decisions[0].actorId).toBe(s.managers.regional.id);
  });

  test('compensation: no suite free, so assignment and holds are undone and the manager is told', async () => {
    const s = await createStoreScenario(h.db);
    await occupyAllSuites(h.db, s);
    const handle = await start(s);
    await awaitingApproval(handle);
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s) }] });

    const err = await handle.result().catch((e) => e);
    finished.push({ name: 'appointment-recovery-compensation', workflowId: handle.workflowId });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('RecoveryRolledBack');

    const st = await handle.query(recoveryStateQuery);
    expect(st.stage).toBe('failed');
    expect(st.effects.undone).toEqual(['suite reservation', 'item holds', 'stylist assignment']);
    expect((await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } })).stylistId).toBeNull();
    expect(await h.db.inventoryHold.count({ where: { appointmentId: s.appointmentId, status: 'ACTIVE' } })).toBe(0);
    expect(await h.db.inventoryHold.count({ where: { appointmentId: s.appointmentId, status: 'RELEASED' } })).toBe(12);
    const reserved = await h.db.inventoryLevel.aggregate({ where: { storeId: s.storeId }, _sum: { reserved: true } });
    expect(reserved._sum.reserved).toBe(0);
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Failed'));
    expect(h.smtp.to(s.customerEmail)).toHaveLength(0);
  });

  test('the stylist taken meanwhile: assignment fails cleanly and a fresh recommendation is put to the manager', async () => {
    const s = await createStoreScenario(h.db);
    const handle = await start(s);
    await awaitingApproval(handle);
    const appt = await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } });
    await h.db.appointment.create({
      data: {
        id: `APT-CLASH-${s.suffix}`,
        storeId: s.storeId,
        customerId: s.customerId,
        serviceType: 'alterations',
        startsAt: appt.startsAt,
        endsAt: appt.endsAt,
        stylistId: s.stylists.best,
      },
    });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s) }] });
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.includes('booked meanwhile'));
    const again = await eventually(async () => {
      const st = await handle.query(recoveryStateQuery);
      return st.attempts === 2 && st.pendingApproval ? st : undefined;
    });
    expect(again.recommendation?.staffId).toBe(s.stylists.second);
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: manager(s.managers.primary, s) }] });
    const result = await handle.result();
    finished.push({ name: 'appointment-recovery-stylist-taken', workflowId: handle.workflowId });
    expect(result.effects.stylistAssigned).toBe(s.stylists.second);
  });

  test('duplicate start returns the existing run; the scanner never starts a second recovery', async () => {
    const s = await createStoreScenario(h.db, { startsInMinutes: 30 });
    const deps = { client: h.client, db: h.db, taskQueue: h.taskQueue };
    const first = await startAppointmentRecovery(deps, { appointmentId: s.appointmentId, requestedBy: 'system:test' }, { restartFailed: true });
    const second = await startAppointmentRecovery(deps, { appointmentId: s.appointmentId, requestedBy: 'system:test' }, { restartFailed: true });
    expect(first.created).toBe(true);
    expect(second).toEqual({ workflowId: first.workflowId, runId: first.runId, created: false });

    const scan = await h.client.workflow.execute(scanUnassignedAppointments, {
      taskQueue: h.taskQueue,
      workflowId: `scan-${s.suffix}`,
      args: [{ windowMinutes: 90, storeIds: [s.storeId] }],
    });
    expect(scan).toEqual({ found: 1, started: 0 });
    const runs = [];
    for await (const w of h.client.workflow.list({ query: `WorkflowId = '${first.workflowId}'` })) runs.push(w.runId);
    expect(runs).toEqual([first.runId]);
    await h.client.workflow.getHandle(first.workflowId).terminate('test done');
  });

  test('the scanner starts a recovery for an unassigned appointment starting soon', async () => {
    const s = await createStoreScenario(h.db, { startsInMinutes: 20 });
    await h.client.workflow.execute(scanUnassignedAppointments, {
      taskQueue: h.taskQueue,
      workflowId: `scan2-${s.suffix}`,
      args: [{ windowMinutes: 90, storeIds: [s.storeId] }],
    });
    const handle = h.client.workflow.getHandle(`appointment-recovery-${s.appointmentId}`);
    const desc = await handle.describe();
    expect(desc.type).toBe('appointmentRecovery');
    await handle.terminate('test done');
  });
});
