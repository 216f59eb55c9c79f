import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { scanUnassignedAppointments } from '../workflows/appointment-scan';
import { ProcessType } from '../workflows/search-attributes';

export const APPOINTMENT_SCAN_SCHEDULE_ID = 'appointment-recovery-scan';

/** Creates (or updates) the every-minute scan for unassigned appointments. */
export async function ensureAppointmentScanSchedule(client: Client, opts: { taskQueue: string; windowMinutes: number; paused?: boolean }) {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: scanUnassignedAppointments,
    args: [{ windowMinutes: opts.windowMinutes }] as [{ windowMinutes: number }],
    taskQueue: opts.taskQueue,
    workflowId: 'appointment-recovery-scan',
    typedSearchAttributes: [{ key: ProcessType, value: 'appointment_scan' }],
    staticSummary: `Scan for appointments starting within ${opts.windowMinutes} min that have no stylist`,
  };
  try {
    await client.schedule.create({
      scheduleId: APPOINTMENT_SCAN_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 minute' }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      state: { paused: opts.paused ?? false, note: 'Appointment recovery: detection' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(APPOINTMENT_SCAN_SCHEDULE_ID).update((prev) => ({
      ...prev,
      spec: { intervals: [{ every: '1 minute' }] },
      action,
      state: { ...prev.state, paused: opts.paused ?? false },
    }));
  }
}
