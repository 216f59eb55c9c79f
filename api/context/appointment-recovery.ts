/** The appointment-recovery state as the API answers it, typed: customer 360, ranked stylists with reasons and availability, items held, effects. */
import { ProcessStateSchema } from '../schemas';
import { z } from '../zod';
import { CancelRequestSchema, GateDecisionSchema, PendingApprovalSchema } from './approval-schemas';

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

export const AppointmentRecoveryStateSchema = z
  .object({
    ...ProcessStateSchema.shape,
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    pendingApproval: z.union([PendingApprovalSchema, z.null()]),
    decisions: z.array(GateDecisionSchema),
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
  .openapi('AppointmentRecoveryState');
