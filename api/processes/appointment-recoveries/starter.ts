import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../../platform/db';
import { appointmentRecovery } from '../../../workflows/appointment-recovery/workflow';
import { appointmentRecoveryWorkflowId, PROCESS_TYPE, type AppointmentRecoveryInput } from '../../../workflows/appointment-recovery/messages';
import { BusinessStatus, CustomerTier, ProcessType, StoreId, StoreIds } from '../../../workflows/shared/search-attributes';
import { appointmentRecoveryDetails, appointmentRecoverySummary, type AppointmentRecoveryFacts } from '../../../domain/run-summaries';
import { assertStorableInput } from '../../../platform/storable-input';
import type { StartedProcess } from '../definition';

export class AppointmentNotFoundError extends Error {}

/**
 * Starts the recovery of one appointment, or returns the one already started for it. The upstream
 * API may start a fresh run after a failed or cancelled one; the scanner never restarts anything.
 */
export async function startAppointmentRecovery(
  deps: { client: Client; db: Db; taskQueue: string },
  input: AppointmentRecoveryInput,
  opts: { restartFailed: boolean },
): Promise<StartedProcess> {
  assertStorableInput(input, 'input');
  const appt = await deps.db.appointment.findUnique({ where: { id: input.appointmentId }, include: { customer: true, store: true } });
  if (!appt) throw new AppointmentNotFoundError(`Appointment ${input.appointmentId} does not exist.`);
  const workflowId = appointmentRecoveryWorkflowId(input.appointmentId);
  const facts: AppointmentRecoveryFacts = {
    appointmentId: appt.id,
    customerName: `${appt.customer.firstName} ${appt.customer.lastName}`,
    tier: appt.customer.tier,
    storeId: appt.storeId,
    storeName: appt.store.name,
    startsAt: appt.startsAt,
    timeZone: appt.store.timezone,
    serviceType: appt.serviceType,
    requestedBy: input.requestedBy,
  };
  try {
    const handle = await deps.client.workflow.start(appointmentRecovery, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: opts.restartFailed ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: ProcessType, value: PROCESS_TYPE },
        { key: StoreId, value: appt.storeId },
        { key: StoreIds, value: [appt.storeId] },
        { key: CustomerTier, value: appt.customer.tier },
        { key: BusinessStatus, value: 'gathering_context' },
      ],
      staticSummary: appointmentRecoverySummary(facts),
      staticDetails: appointmentRecoveryDetails(facts),
    });
    return { workflowId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const desc = await deps.client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: desc.runId, created: false };
  }
}
