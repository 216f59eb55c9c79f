import { AppointmentNotFoundError, startAppointmentRecovery } from './starter';
import { PROCESS_TYPE, recoveryStateQuery } from '../../../workflows/appointment-recovery/messages';
import { problems } from '../../errors';
import { assertStoreVisible } from '../../scope';
import { z } from '../../zod';
import type { ProcessDefinition } from '../definition';
import {
  appointmentRecoveryApprovalDetails,
  AppointmentRecoveryApprovalDetailsSchema,
  appointmentRecoveryContext,
  appointmentRecoveryDerived,
  AppointmentRecoveryStateSchema,
} from './approval-context';

const timingMs = z
  .number()
  .int()
  .min(1000)
  .max(24 * 3600_000);

export const AppointmentRecoveryStartSchema = z
  .object({
    appointmentId: z.string().min(1).max(100),
    itemCount: z.number().int().min(1).max(30).optional(),
    timing: z
      .object({
        decisionTimeoutMs: timingMs.optional(),
        autoAssignAfterMs: timingMs.optional(),
        reminderBeforeMs: z
          .number()
          .int()
          .min(0)
          .max(24 * 3600_000)
          .optional(),
        settleBeforeStartMs: z
          .number()
          .int()
          .min(0)
          .max(24 * 3600_000)
          .optional(),
      })
      .strict()
      .optional()
      .openapi({ description: 'Overrides of the approval timing (production defaults: 15 min to decide, 10 more to auto-assign).' }),
  })
  .strict()
  .openapi('AppointmentRecoveryStart');

type StartBody = z.infer<typeof AppointmentRecoveryStartSchema>;

export const appointmentRecoveries: ProcessDefinition<StartBody> = {
  resource: 'appointment-recoveries',
  processType: PROCESS_TYPE,
  title: 'Appointment recovery',
  startRoles: ['system', 'store_manager', 'regional_manager'],
  cancelRoles: ['system', 'store_manager', 'regional_manager'],
  startSchema: AppointmentRecoveryStartSchema,
  decisionSchema: z
    .object({
      stylistId: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .openapi({ description: 'Override: assign this stylist instead of the recommendation (comment required).' }),
    })
    .strict(),
  async start(deps, body, principal) {
    const appt = await deps.db.appointment.findUnique({ where: { id: body.appointmentId }, select: { storeId: true } });
    if (!appt) throw problems.notFound(`Appointment ${body.appointmentId} does not exist.`);
    await assertStoreVisible(deps.db, principal, appt.storeId);
    try {
      return await startAppointmentRecovery(
        deps,
        { appointmentId: body.appointmentId, requestedBy: principal.id, timing: body.timing, itemCount: body.itemCount },
        { restartFailed: true },
      );
    } catch (err) {
      if (err instanceof AppointmentNotFoundError) throw problems.notFound(err.message);
      throw err;
    }
  },
  stateQuery: recoveryStateQuery,
  stateSchema: AppointmentRecoveryStateSchema,
  context: (deps, state) => appointmentRecoveryContext(deps.db, state),
  derived: (state) => appointmentRecoveryDerived(state),
  resultIsState: true,
  approvalDetails: (db, row) => appointmentRecoveryApprovalDetails(db, row),
  approvalDetailsSchema: AppointmentRecoveryApprovalDetailsSchema,
  decisionPayload: (body) => (typeof body.stylistId === 'string' ? { stylistId: body.stylistId } : undefined),
};
