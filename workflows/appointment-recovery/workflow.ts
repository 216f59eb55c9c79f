/**
 * Appointment recovery: an appointment starting soon has no stylist. Gather the customer's
 * context, rank the store's stylists, let the store manager approve the recommendation or pick
 * another (escalating to the regional manager, then assigning on its own when nobody decides),
 * then assign, brief, hold items, reserve a suite and confirm, undoing it all if a step fails.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import type * as appointmentActivities from '../../activities/appointment-recovery/appointments';
import { DEFAULT_RECOVERY_TIMING, recoveryDeadlines, type RecoveryTiming } from '../../domain/appointment-deadlines';
import type { Customer360 } from '../../domain/customer-360';
import { formatLocalTime } from '../../domain/local-time';
import { formatShortTime } from '../../domain/run-summaries';
import { preselectItems, type PreselectedItem } from '../../domain/item-preselection';
import { rankStylists, type RankedStylist } from '../../domain/stylist-ranking';
import type { ApprovalGates, DecisionInput } from '../shared/approval-gate';
import { activityApplicationFailure } from '../shared/activity-failure';
import { runProcess, type ProcessRun } from '../shared/process-run';
import { CustomerTier, StoreId } from '../shared/search-attributes';
import { named } from '../shared/summaries';
import { type AppointmentRecoveryInput, type AppointmentRecoveryState, PROCESS_TYPE, recoveryStateQuery } from './messages';

const MAX_ATTEMPTS = 3;

const activityOptions: wf.ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['AppointmentNotFound', 'StylistUnavailable', 'AppointmentAlreadyAssigned', 'NoSuiteAvailable'],
  },
};
type AppointmentActivities = ReturnType<typeof appointmentActivities.createAppointmentActivities>;
const acts = wf.proxyActivities<AppointmentActivities>(activityOptions);

/**
 * After the stylist is assigned, the short database steps (pick items, hold, reserve, write notes) run
 * as local activities inside the workflow task, without a task-queue round trip each; emails stay
 * activities (SMTP may be slow or down for long). Items are picked where the inventory is read, so
 * only the chosen ones enter the history.
 */
const LOCAL_STEPS_PATCH = 'appointment-recovery-local-steps';
const localActs = wf.proxyLocalActivities<AppointmentActivities>(activityOptions);

export async function appointmentRecovery(input: AppointmentRecoveryInput): Promise<AppointmentRecoveryState> {
  return runProcess(initialState(), { processType: PROCESS_TYPE, stateQuery: recoveryStateQuery }, (run) => recoverAppointment(input, run));
}

function initialState(): AppointmentRecoveryState {
  return {
    stage: 'gathering_context',
    appointment: null,
    customer: null,
    candidates: [],
    recommendation: null,
    pendingApproval: null,
    decisions: [],
    assignedBy: null,
    preselectedItems: [],
    effects: { stylistAssigned: null, stylistBriefed: false, itemsHeld: [], suiteReserved: null, notesUpdated: false, customerConfirmed: false, undone: [] },
    attempts: 0,
    failure: null,
    cancellation: null,
  };
}

type Run = ProcessRun<AppointmentRecoveryState>;
/** What approving has done so far, in the order it is undone. */
type Undo = { label: string; run: () => Promise<void> }[];

/** Gather context, rank stylists, approve; then prepare the appointment (a fresh recommendation when the stylist was taken meanwhile). */
async function recoverAppointment(input: AppointmentRecoveryInput, run: Run): Promise<AppointmentRecoveryState> {
  const { state } = run;
  const timing: RecoveryTiming = { ...DEFAULT_RECOVERY_TIMING, ...input.timing };
  const undo: Undo = [];
  try {
    for (;;) {
      const ctx = await gatherContext(input, run);
      const a = ctx.appointment;
      if (a.stylistId !== null || (a.status !== 'SCHEDULED' && a.status !== 'CONFIRMED')) {
        run.setStage('not_needed');
        return await run.close();
      }
      state.candidates = rankStylists({ serviceType: a.serviceType, customer: ctx.customer, candidates: ctx.candidates });
      state.recommendation = state.candidates.find((c) => c.available) ?? null;
      run.setStage('awaiting_approval');
      const choice = await decideStylist(run.gates, input, state, timing);
      if (choice.kind === 'rejected') return await leaveToManager(run, choice.comment);
      if (choice.kind === 'none_available') {
        throw ApplicationFailure.nonRetryable('No stylist is available for this slot.', 'NoStylistAvailable');
      }
      const stylist = state.candidates.find((c) => c.staffId === choice.stylistId)!;
      state.assignedBy = choice.kind;
      run.setStage('assigning');
      const steps = wf.patched(LOCAL_STEPS_PATCH) ? localActs : acts;
      // An activity, not a local one: the workflow task that answers the decision completes at once
      // instead of waiting for local activities after it.
      if (!(await assignStylist(run, acts, stylist, choice.decidedBy, undo))) continue;
      await prepareAppointment(input, run, steps, stylist, undo);
      run.setStage('completed');
      return await run.close();
    }
  } catch (err) {
    return await run.end(
      err,
      { type: 'RecoveryRolledBack', message: (reason) => `Appointment recovery failed and was rolled back: ${reason}` },
      async ({ cancelled, reason }) => {
        state.failure = reason;
        await compensate(run, undo, cancelled);
      },
    );
  }
}

/** The appointment, the customer's context and the store's stylists. */
async function gatherContext(input: AppointmentRecoveryInput, run: Run) {
  const { state } = run;
  state.attempts += 1;
  const ctx = await named(
    acts.loadRecoveryContext,
    `Read appointment ${input.appointmentId}, the customer's 360 and the store's stylists`,
  )(input.appointmentId);
  state.appointment = ctx.appointment;
  state.customer = ctx.customer;
  wf.upsertSearchAttributes([
    { key: StoreId, value: ctx.appointment.storeId },
    { key: CustomerTier, value: ctx.customer.tier },
  ]);
  return ctx;
}

/** Rejected: the store managers arrange a stylist themselves. */
async function leaveToManager(run: Run, comment: string | undefined): Promise<AppointmentRecoveryState> {
  const a = run.state.appointment!;
  const customer = run.state.customer!;
  run.setStage('rejected');
  await emailStoreManagers({
    workflowId: wf.workflowInfo().workflowId,
    storeId: a.storeId,
    step: `rejected-${run.state.attempts}`,
    subject: `Appointment ${a.id} left for manual handling`,
    lines: [`The recommended assignment for ${customer.name} was rejected: ${comment ?? ''}`, 'No stylist was assigned; please arrange one directly.'],
  });
  return await run.close();
}

/** Assigns the chosen stylist; false when they were booked meanwhile (the managers are told, and a fresh recommendation follows). */
async function assignStylist(run: Run, steps: typeof acts, stylist: RankedStylist, decidedBy: string, undo: Undo): Promise<boolean> {
  const { workflowId } = wf.workflowInfo();
  const { state } = run;
  const a = state.appointment!;
  try {
    await named(
      steps.assignStylist,
      `Assign ${stylist.name} to ${state.customer?.name ?? 'the customer'}'s appointment`,
    )({ workflowId, appointmentId: a.id, stylistId: stylist.staffId, decidedBy });
  } catch (err) {
    const type = activityApplicationFailure(err)?.type;
    if (type === 'StylistUnavailable' && state.attempts < MAX_ATTEMPTS) {
      await emailStoreManagers({
        workflowId,
        storeId: a.storeId,
        step: `stylist-taken-${state.attempts}`,
        subject: `${stylist.name} was booked meanwhile: new recommendation for ${state.customer!.name}`,
        lines: [`${stylist.name} is no longer free for this slot. A fresh recommendation is waiting for your approval.`],
      });
      return false;
    }
    throw err;
  }
  state.effects.stylistAssigned = stylist.staffId;
  undo.push({
    label: 'stylist assignment',
    run: () => named(acts.unassignStylist, `Undo: unassign ${stylist.name}`)({ workflowId, appointmentId: a.id, stylistId: stylist.staffId }),
  });
  return true;
}

/** Hold items, reserve a suite, brief the stylist, write the notes, and last (it cannot be taken back) confirm with the customer. */
async function prepareAppointment(input: AppointmentRecoveryInput, run: Run, steps: typeof acts, stylist: RankedStylist, undo: Undo): Promise<void> {
  const { workflowId } = wf.workflowInfo();
  const { state } = run;
  const a = state.appointment!;
  const customer = state.customer!;
  const count = input.itemCount ?? 12;
  if (steps === localActs) {
    state.preselectedItems = await named(
      steps.preselectStoreItems,
      `Pick ${count} items for ${customer.name} from ${a.storeId}'s stock`,
    )({ storeId: a.storeId, customer, count });
  } else {
    const inventory = await named(acts.loadStoreInventory, `Read ${a.storeId}'s stock`)({ storeId: a.storeId });
    state.preselectedItems = preselectItems(customer, inventory, { count });
  }
  const notes = preparationNotes(customer, stylist, state.preselectedItems);

  const holdKey = `${workflowId}:holds`;
  undo.push({ label: 'item holds', run: async () => void (await named(acts.releaseHolds, `Undo: release ${customer.name}'s item holds`)({ holdKey })) });
  const holds = await named(
    steps.placeHolds,
    `Hold ${state.preselectedItems.length} items for ${customer.name}`,
  )({ holdKey, storeId: a.storeId, appointmentId: a.id, skus: state.preselectedItems.map((i) => i.sku) });
  state.effects.itemsHeld = holds.held;
  const heldItems = state.preselectedItems.filter((i) => holds.held.includes(i.sku));

  const suiteKey = `${workflowId}:suite`;
  undo.push({ label: 'suite reservation', run: () => named(acts.releaseSuite, 'Undo: release the styling suite')({ key: suiteKey }) });
  const suite = await named(
    steps.reserveSuite,
    `Reserve a styling suite at ${a.storeId} for ${formatShortTime(a.startsAt, a.timezone)}`,
  )({ key: suiteKey, storeId: a.storeId, appointmentId: a.id, startsAt: a.startsAt, endsAt: a.endsAt });
  state.effects.suiteReserved = suite.roomName;

  const stylistRef = { staffId: stylist.staffId, name: stylist.name, email: stylist.email };
  await named(
    acts.emailStylistBrief,
    `Email ${stylist.name} the brief for ${customer.name}`,
  )({
    workflowId,
    brief: { appointment: a, customer, stylist: stylistRef, items: heldItems, suiteName: suite.roomName, preparationNotes: notes },
  });
  state.effects.stylistBriefed = true;
  undo.push({
    label: 'stylist brief',
    run: () =>
      named(
        acts.emailStylistStandDown,
        `Undo: email ${stylist.name} to stand down`,
      )({ workflowId, appointment: a, stylist: stylistRef, customerName: customer.name }),
  });

  undo.push({
    label: 'preparation notes',
    run: () => named(acts.removePreparationNotes, 'Undo: remove the preparation notes')({ workflowId, appointmentId: a.id }),
  });
  await named(
    steps.appendPreparationNotes,
    `Write the preparation notes on appointment ${a.id}`,
  )({ workflowId, appointmentId: a.id, notes: `${notes}\nSuite: ${suite.roomName}` });
  state.effects.notesUpdated = true;

  await named(
    acts.emailCustomerConfirmation,
    `Email ${customer.name} their confirmation`,
  )({ workflowId, appointment: a, customer, stylistName: stylist.name, suiteName: suite.roomName });
  state.effects.customerConfirmed = true;
}

/** Undoes what was done, newest first, and tells the store managers. */
async function compensate(run: Run, undo: Undo, cancelled: boolean): Promise<void> {
  const { state } = run;
  run.setStage('compensating');
  for (const step of undo.reverse()) {
    await step.run();
    state.effects.undone.push(step.label);
  }
  if (state.appointment) {
    await emailStoreManagers({
      workflowId: wf.workflowInfo().workflowId,
      storeId: state.appointment.storeId,
      step: cancelled ? 'cancelled' : 'failed',
      subject: `${cancelled ? 'Cancelled' : 'Failed'}: stylist recovery for appointment ${state.appointment.id}`,
      lines: [
        state.failure ?? '',
        state.effects.undone.length ? `Undone: ${state.effects.undone.join(', ')}.` : 'Nothing had been changed yet.',
        'The appointment still needs a stylist.',
      ],
    });
  }
  run.setStage(cancelled ? 'cancelled' : 'failed');
}

function emailStoreManagers(args: Parameters<AppointmentActivities['emailStoreManagers']>[0]) {
  return named(acts.emailStoreManagers, `Email ${args.storeId}'s managers: ${args.subject}`)(args);
}

type StylistChoice =
  { kind: 'manager' | 'override' | 'auto'; stylistId: string; decidedBy: string } | { kind: 'rejected'; comment?: string } | { kind: 'none_available' };

async function decideStylist(
  gates: ApprovalGates,
  input: AppointmentRecoveryInput,
  state: AppointmentRecoveryState,
  timing: RecoveryTiming,
): Promise<StylistChoice> {
  const a = state.appointment!;
  const customer = state.customer!;
  const recommended = state.recommendation;
  if (!recommended) return { kind: 'none_available' };
  const now = Date.now();
  const deadlines = recoveryDeadlines(now, Date.parse(a.startsAt), timing);
  const availableIds = state.candidates.filter((c) => c.available).map((c) => c.staffId);
  const overrideOf = (d: DecisionInput) => typeof d.payload?.stylistId === 'string' && d.payload.stylistId !== recommended.staffId;

  const outcome = await gates.run({
    processType: PROCESS_TYPE,
    path: `/api/v1/appointment-recoveries/${wf.workflowInfo().workflowId}`,
    subjectType: 'appointment',
    subjectId: a.id,
    title: `Assign ${recommended.name} to ${customer.name} (${customer.tier}) at ${a.storeName}`,
    summaryLines: [
      `Appointment ${a.id}: ${a.serviceType.replace(/_/g, ' ')}, starts ${formatLocalTime(a.startsAt, a.timezone)}.`,
      `Recommended: ${recommended.name} (score ${recommended.score}). ${recommended.reasons.join('; ')}.`,
      `Other available stylists: ${
        state.candidates
          .filter((c) => c.available && c.staffId !== recommended.staffId)
          .map((c) => c.name)
          .join(', ') || 'none'
      }.`,
    ],
    levels: [{ label: 'store manager', approvers: [{ role: 'store_manager', scope: { storeId: a.storeId, regionId: a.regionId } }] }],
    escalateTo: [{ role: 'regional_manager', scope: { storeId: a.storeId, regionId: a.regionId } }],
    timeouts: {
      escalateAfterMs: deadlines.escalateAt - now,
      reminderBeforeMs: deadlines.remindAt === null ? 0 : deadlines.escalateAt - deadlines.remindAt,
      expireAfterMs: deadlines.autoAssignAt - now,
    },
    requestedBy: input.requestedBy,
    details: {
      recommendation: { staffId: recommended.staffId, name: recommended.name, score: recommended.score, reasons: recommended.reasons },
      alternatives: state.candidates
        .filter((c) => c.available && c.staffId !== recommended.staffId)
        .map((c) => ({ staffId: c.staffId, name: c.name, score: c.score, reasons: c.reasons })),
      customer: { name: customer.name, tier: customer.tier },
      appointment: { id: a.id, startsAt: a.startsAt, storeId: a.storeId },
    },
    isOverride: overrideOf,
    validatePayload: (d) => {
      const id = d.payload?.stylistId;
      if (id === undefined) return undefined;
      if (typeof id !== 'string') return 'stylistId must be a string.';
      if (!state.candidates.some((c) => c.staffId === id)) return `stylistId ${id} is not a stylist of store ${a.storeId}.`;
      if (!availableIds.includes(id)) return `Stylist ${id} is not available for this slot.`;
      return undefined;
    },
  });

  switch (outcome.status) {
    case 'approved': {
      const d = outcome.finalDecision!;
      const chosen = typeof d.payload?.stylistId === 'string' ? d.payload.stylistId : recommended.staffId;
      return { kind: chosen === recommended.staffId ? 'manager' : 'override', stylistId: chosen, decidedBy: d.actorId };
    }
    case 'expired':
      return { kind: 'auto', stylistId: recommended.staffId, decidedBy: 'system:auto-assign' };
    case 'rejected':
      return { kind: 'rejected', comment: outcome.decisions[outcome.decisions.length - 1]?.comment };
    case 'cancelled':
      throw new wf.CancelledFailure('Recovery cancelled while awaiting approval.');
  }
}

function preparationNotes(c: Customer360, stylist: RankedStylist, items: PreselectedItem[]): string {
  const categories = [...new Set(items.map((i) => i.category))];
  return [
    `Stylist: ${stylist.name}. Customer: ${c.name}, ${c.tier} member for ${c.yearsAsMember} years (${c.purchaseCount} purchases, avg $${c.averageSpend.toFixed(2)}).`,
    `Style ${c.styleTags.join(', ') || 'n/a'}; colours ${c.preferredColours.join(', ') || 'n/a'}; sizes ${c.sizes.top ?? '?'}/${c.sizes.bottom ?? '?'}/${c.sizes.shoe ?? '?'}.`,
    `${items.length} items held across ${categories.join(', ') || 'no categories'}.`,
    c.styleNotes ? `Notes: ${c.styleNotes}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
