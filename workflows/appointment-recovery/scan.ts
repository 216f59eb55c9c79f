/**
 * Run by a Temporal Schedule every minute: finds appointments starting soon without a stylist and
 * starts one recovery per appointment. Workflow IDs are business keys, so a second scan never
 * starts a second recovery for the same appointment.
 */
import * as wf from '@temporalio/workflow';
import type * as scanActivities from '../../activities/appointment-recovery/scan';

const acts = wf.proxyActivities<ReturnType<typeof scanActivities.createAppointmentScanActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export interface ScanInput {
  windowMinutes: number;
  /** Limit the scan to these stores (all stores when absent). */
  storeIds?: string[];
}

export async function scanUnassignedAppointments(input: ScanInput): Promise<{ found: number; started: number }> {
  const due = await acts.findUnassignedAppointments({ windowMinutes: input.windowMinutes, storeIds: input.storeIds });
  if (due.length === 0) return { found: 0, started: 0 };
  const { started } = await acts.startRecoveries({ appointmentIds: due.map((d) => d.appointmentId) });
  return { found: due.length, started: started.length };
}
