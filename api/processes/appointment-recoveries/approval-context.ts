/**
 * The appointment-recovery state as the API answers it, typed: customer 360, ranked stylists with
 * reasons and availability, the items to hold and the suite (before approval a preview from the
 * store's stock now, by the same pure pre-selection the workflow runs; after, what it held), and
 * once the run has ended what was done. The inbox row gets the same at a glance.
 */
import { firstFreeSuite, loadCustomer360, readStoreInventory } from '../../../activities/appointment-recovery/appointments';
import type { Customer360 } from '../../../domain/customer-360';
import { preselectItems, PRESELECTION_DEFAULTS, type PreselectedItem } from '../../../domain/item-preselection';
import { formatLocalTime, minutesUntil } from '../../../domain/local-time';
import { normaliseKey } from '../../../domain/text';
import type { Db } from '../../../platform/db';
import type { ApprovalRow } from '../definition';
import { processStateFields } from '../../schemas';
import { z } from '../../zod';
import { CancelRequestSchema, gateDecisionWith, pendingApprovalWith } from '../approval-schemas';

export const Customer360Schema = z
  .object({
    customerId: z.string(),
    name: z.string(),
    firstName: z.string(),
    email: z.string(),
    tier: z.string(),
    yearsAsMember: z.number(),
    purchaseCount: z.number().int(),
    lastPurchaseAt: z.string().nullable(),
    daysSinceLastPurchase: z.number().nullable(),
    averageSpend: z.number(),
    totalSpend: z.number(),
    topCategories: z.array(z.string()),
    styleTags: z.array(z.string()),
    preferredColours: z.array(z.string()),
    sizes: z.object({ top: z.string().nullable(), bottom: z.string().nullable(), shoe: z.string().nullable() }).strict(),
    styleNotes: z.string().nullable(),
  })
  .strict()
  .openapi('Customer360');

export const RankedStylistSchema = z
  .object({
    staffId: z.string(),
    name: z.string(),
    email: z.string(),
    skills: z.array(z.string()),
    rating: z.number(),
    onShiftForSlot: z.boolean(),
    conflictingAppointments: z.number().int(),
    appointmentsThatDay: z.number().int(),
    maxDailyAppointments: z.number().int(),
    pastSessionsWithCustomer: z.number().int(),
    available: z.boolean(),
    score: z.number(),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('RankedStylist');

export const PreselectedItemSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    category: z.string(),
    brand: z.string(),
    colour: z.string(),
    size: z.string(),
    price: z.number(),
    score: z.number(),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('PreselectedItem');

export const PreparationItemSchema = z
  .object({
    ...PreselectedItemSchema.shape,
    inPreferredColour: z.boolean(),
    held: z.boolean().openapi({ description: 'Held for her now (false in a preview, or when the hold found no stock left)' }),
  })
  .strict()
  .openapi('RecoveryPreparationItem');

export const RecoveryPreparationSchema = z
  .object({
    phase: z.enum(['preview', 'held', 'none']).openapi({
      description:
        'preview: what approving would hold and reserve, from the stock and suites now; held: what the run held and reserved; none: nothing was or will be prepared',
    }),
    items: z.array(PreparationItemSchema),
    inPreferredColours: z.number().int().openapi({ description: 'How many of the items are in her preferred colours' }),
    suite: z
      .object({ roomId: z.string().nullable(), name: z.string() })
      .strict()
      .nullable()
      .openapi({ description: 'Null when no suite is free (preview) or none was reserved' }),
    note: z.string().nullable(),
  })
  .strict()
  .openapi('RecoveryPreparation');

export const RecoveryOutcomeSchema = z
  .object({
    done: z.array(z.string()).openapi({ description: 'What the run did and still stands, one sentence each' }),
    undone: z.array(z.string()).openapi({ description: 'What it did and took back' }),
  })
  .strict()
  .openapi('RecoveryOutcome');

const StoredStylistSchema = z
  .object({ staffId: z.string(), name: z.string(), score: z.number(), reasons: z.array(z.string()) })
  .strict()
  .openapi('RecommendedStylistSummary');

const RecoveryRequestDetailsSchema = z
  .object({
    recommendation: StoredStylistSchema,
    alternatives: z.array(StoredStylistSchema),
    customer: z.object({ name: z.string(), tier: z.string() }).strict(),
    appointment: z.object({ id: z.string(), startsAt: z.string(), storeId: z.string() }).strict(),
  })
  .strict()
  .openapi('RecoveryRequestDetails');

/** The state the recovery workflow keeps (its query and its result). */
export const AppointmentRecoveryWorkflowStateSchema = z
  .object({
    stage: z.enum(['gathering_context', 'awaiting_approval', 'assigning', 'completed', 'rejected', 'not_needed', 'compensating', 'failed', 'cancelled']),
    pendingApproval: z.union([pendingApprovalWith('RecoveryPendingApproval', RecoveryRequestDetailsSchema), z.null()]),
    decisions: z.array(
      gateDecisionWith(
        'RecoveryDecision',
        z.object({ stylistId: z.string().optional().openapi({ description: 'The stylist assigned instead of the recommendation' }) }).strict(),
      ),
    ),
    appointment: z.union([
      z
        .object({
          id: z.string(),
          storeId: z.string(),
          storeName: z.string(),
          regionId: z.string(),
          timezone: z.string(),
          serviceType: z.string(),
          startsAt: z.string(),
          endsAt: z.string(),
          status: z.string(),
          stylistId: z.string().nullable(),
        })
        .strict()
        .openapi('AppointmentSnapshot'),
      z.null(),
    ]),
    customer: z.union([Customer360Schema, z.null()]),
    candidates: z.array(RankedStylistSchema),
    recommendation: z.union([RankedStylistSchema, z.null()]),
    assignedBy: z.enum(['manager', 'override', 'auto']).nullable(),
    preselectedItems: z.array(PreselectedItemSchema).openapi({ description: 'Items picked for her and held (after approval)' }),
    effects: z
      .object({
        stylistAssigned: z.string().nullable(),
        stylistBriefed: z.boolean(),
        itemsHeld: z.array(z.string()),
        suiteReserved: z.string().nullable(),
        notesUpdated: z.boolean(),
        customerConfirmed: z.boolean(),
        undone: z.array(z.string()),
      })
      .strict()
      .openapi('RecoveryEffects'),
    attempts: z.number().int(),
    failure: z.string().nullable(),
    cancellation: z.union([CancelRequestSchema, z.null()]),
  })
  .strict()
  .openapi('AppointmentRecoveryWorkflowState');

export const AppointmentRecoveryStateSchema = z
  .object({
    ...processStateFields,
    ...AppointmentRecoveryWorkflowStateSchema.shape,
    stage: z.string(),
    result: z.union([AppointmentRecoveryWorkflowStateSchema, z.null()]).openapi({ description: "The run's final state, once it completed" }),
    startsAtLocal: z.string().nullable().openapi({ description: 'The start in the store’s time zone, with the zone’s name' }),
    minutesUntilStart: z.number().int().nullable(),
    // Optional: only with include=context (the component's description says so; a description beside a $ref would retitle RecoveryPreparation itself).
    preparation: RecoveryPreparationSchema.optional(),
    outcome: z.union([RecoveryOutcomeSchema, z.null()]).openapi({ description: 'Null while the run is open' }),
  })
  .strict()
  .openapi('AppointmentRecoveryState', {
    description:
      '`preparation` (what approving would hold and reserve, or what the run held) only with `include=context`: its preview reads the store’s stock and suites from Postgres.',
  });

export const AppointmentRecoveryApprovalDetailsSchema = z
  .object({
    appointment: z
      .object({
        id: z.string(),
        storeId: z.string(),
        storeName: z.string(),
        timezone: z.string(),
        serviceType: z.string(),
        startsAt: z.string(),
        startsAtLocal: z.string(),
        minutesUntilStart: z.number().int(),
        status: z.string(),
        stylistId: z.string().nullable(),
      })
      .strict()
      .nullable(),
    customer: z.union([Customer360Schema, z.null()]),
    recommendation: z.union([StoredStylistSchema, z.null()]),
    alternatives: z.array(StoredStylistSchema),
    preparation: RecoveryPreparationSchema,
  })
  .passthrough()
  .openapi('AppointmentRecoveryApprovalDetails');

type Preparation = z.infer<typeof RecoveryPreparationSchema>;
type Obj = Record<string, any>;

const inColours = (item: { colour: string }, customer: Customer360 | null) =>
  !!customer && customer.preferredColours.some((c) => normaliseKey(c) === normaliseKey(item.colour));

const OPEN_STAGES = ['gathering_context', 'awaiting_approval', 'assigning'];

/**
 * What approving would hold and reserve: the workflow's own pre-selection over the store's stock
 * now (its default count), and the suite it would take now.
 */
async function previewPreparation(db: Db, appointment: { storeId: string; startsAt: string; endsAt: string }, customer: Customer360): Promise<Preparation> {
  const [inventory, suite] = await Promise.all([
    readStoreInventory(db, appointment.storeId),
    firstFreeSuite(db, appointment.storeId, new Date(appointment.startsAt), new Date(appointment.endsAt)),
  ]);
  const items = preselectItems(customer, inventory, { count: PRESELECTION_DEFAULTS.count }).map((i) => ({
    ...i,
    inPreferredColour: inColours(i, customer),
    held: false,
  }));
  return {
    phase: 'preview',
    items,
    inPreferredColours: items.filter((i) => i.inPreferredColour).length,
    suite: suite ? { roomId: suite.roomId, name: suite.roomName } : null,
    note: `Picked now from the store's stock as the run will pick them once a stylist is assigned${suite ? '' : '; no suite is free for the slot now'}.`,
  };
}

function heldPreparation(state: Obj, customer: Customer360 | null): Preparation {
  const heldSkus = (state.effects?.itemsHeld ?? []) as string[];
  const released = ((state.effects?.undone ?? []) as string[]).includes('item holds');
  const items = ((state.preselectedItems ?? []) as PreselectedItem[]).map((i) => ({
    ...i,
    inPreferredColour: inColours(i, customer),
    held: !released && heldSkus.includes(i.sku),
  }));
  const suiteName = state.effects?.suiteReserved as string | null;
  const missing = items.filter((i) => !heldSkus.includes(i.sku)).length;
  return {
    phase: 'held',
    items,
    inPreferredColours: items.filter((i) => i.inPreferredColour).length,
    suite: suiteName ? { roomId: null, name: suiteName } : null,
    note: released ? 'The holds were released when the run was undone.' : missing > 0 ? `${missing} picked item(s) had no stock left to hold.` : null,
  };
}

const NO_PREPARATION: Preparation = { phase: 'none', items: [], inPreferredColours: 0, suite: null, note: null };

/** What the run did, once it has ended. */
function outcomeOf(state: Obj): z.infer<typeof RecoveryOutcomeSchema> | null {
  const stage = String(state.stage ?? '');
  if (OPEN_STAGES.includes(stage) || stage === 'compensating') return null;
  const e = (state.effects ?? {}) as Obj;
  const customer = state.customer as Customer360 | null;
  const a = state.appointment as Obj | null;
  const stylist = ((state.candidates ?? []) as Obj[]).find((c) => c.staffId === e.stylistAssigned);
  const undone = (e.undone ?? []) as string[];
  const stands = (label: string) => !undone.includes(label);
  const decisions = (state.decisions ?? []) as Obj[];
  const decider = [...decisions].reverse().find((d) => d.decision === 'approve')?.actorId as string | undefined;
  const done: string[] = [];
  if (stage === 'not_needed') done.push('Nothing: the appointment already had a stylist or was no longer open.');
  if (stage === 'rejected') {
    const last = decisions[decisions.length - 1];
    done.push(
      `Rejected by ${String(last?.actorId ?? 'the approver')}${last?.comment ? `: “${String(last.comment)}”` : ''}. No stylist was assigned; the store managers were told.`,
    );
  }
  if (e.stylistAssigned && stands('stylist assignment')) {
    const how =
      state.assignedBy === 'auto'
        ? 'assigned automatically (nobody decided in time)'
        : state.assignedBy === 'override'
          ? `assigned by ${decider ?? 'the approver'} instead of the recommendation`
          : `approved by ${decider ?? 'the approver'}`;
    done.push(`${stylist?.name ?? e.stylistAssigned} ${how}.`);
  }
  if (e.stylistBriefed && stands('stylist brief')) done.push(`${stylist?.name ?? 'The stylist'} was briefed by email.`);
  if ((e.itemsHeld ?? []).length > 0 && stands('item holds')) {
    const names = ((state.preselectedItems ?? []) as PreselectedItem[])
      .filter((i) => e.itemsHeld.includes(i.sku))
      .map((i) => `${i.name} (${i.colour}, ${i.size})`);
    done.push(`${e.itemsHeld.length} items held: ${names.join('; ')}.`);
  }
  if (e.suiteReserved && stands('suite reservation')) {
    done.push(`${e.suiteReserved} reserved${a ? ` from ${formatLocalTime(a.startsAt, a.timezone)}` : ''}.`);
  }
  if (e.notesUpdated && stands('preparation notes')) done.push('Preparation notes added to the appointment.');
  if (e.customerConfirmed) done.push(`Confirmation emailed to ${customer?.name ?? 'the customer'}.`);
  if ((stage === 'failed' || stage === 'cancelled') && state.failure) done.push(`${stage === 'failed' ? 'Failed' : 'Cancelled'}: ${String(state.failure)}`);
  return { done, undone };
}

/** Start times as the store reads them, by start and zone: an Intl formatter takes about a millisecond to build, more than the rest of a read. */
const localStarts = new Map<string, string>();

function startsAtLocal(startsAt: string, timeZone: string): string {
  const key = `${startsAt} ${timeZone}`;
  let local = localStarts.get(key);
  if (local === undefined) {
    if (localStarts.size >= 10_000) localStarts.clear();
    local = formatLocalTime(startsAt, timeZone);
    localStarts.set(key, local);
  }
  return local;
}

/** Merged over every state GET /appointment-recoveries/{id} answers: from the state alone. */
export function appointmentRecoveryDerived(state: Obj, now = new Date()): Obj {
  const a = state.appointment as Obj | null;
  return {
    startsAtLocal: a ? startsAtLocal(String(a.startsAt), String(a.timezone)) : null,
    minutesUntilStart: a ? minutesUntil(a.startsAt, now) : null,
    outcome: outcomeOf(state),
  };
}

/** Merged over the state by GET /appointment-recoveries/{id}?include=context: a preview reads the store's stock and suites. */
export async function appointmentRecoveryContext(db: Db, state: Obj): Promise<Obj> {
  const a = state.appointment as Obj | null;
  const customer = state.customer as Customer360 | null;
  const stage = String(state.stage ?? '');
  let preparation = NO_PREPARATION;
  if (((state.preselectedItems ?? []) as unknown[]).length > 0) preparation = heldPreparation(state, customer);
  else if (a && customer && OPEN_STAGES.includes(stage))
    preparation = await previewPreparation(db, a as { storeId: string; startsAt: string; endsAt: string }, customer);
  return { preparation };
}

/** An inbox row at a glance: when and where, who she is, whom the run recommends and why, what approving would hold and reserve. */
export async function appointmentRecoveryApprovalDetails(db: Db, row: ApprovalRow, now = new Date()): Promise<Obj> {
  const stored = (row.details && typeof row.details === 'object' ? row.details : {}) as Obj;
  const appt = await db.appointment.findUnique({ where: { id: row.subjectId }, include: { store: { select: { name: true, timezone: true } } } });
  const customer = appt ? await loadCustomer360(db, appt.customerId, now) : null;
  const appointment = appt
    ? {
        id: appt.id,
        storeId: appt.storeId,
        storeName: appt.store.name,
        timezone: appt.store.timezone,
        serviceType: appt.serviceType,
        startsAt: appt.startsAt.toISOString(),
        startsAtLocal: formatLocalTime(appt.startsAt, appt.store.timezone),
        minutesUntilStart: minutesUntil(appt.startsAt, now),
        status: appt.status,
        stylistId: appt.stylistId,
      }
    : null;
  const stylist = (s: Obj | undefined) =>
    s && typeof s.staffId === 'string'
      ? { staffId: s.staffId, name: String(s.name ?? ''), score: Number(s.score ?? 0), reasons: ((s.reasons ?? []) as unknown[]).map(String) }
      : null;
  const preparation =
    appt && customer
      ? await previewPreparation(db, { storeId: appt.storeId, startsAt: appt.startsAt.toISOString(), endsAt: appt.endsAt.toISOString() }, customer)
      : NO_PREPARATION;
  return {
    appointment,
    customer,
    recommendation: stylist(stored.recommendation),
    alternatives: ((stored.alternatives ?? []) as Obj[]).flatMap((s) => stylist(s) ?? []),
    preparation,
  };
}
