import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { scanUnassignedAppointments } from '../workflows/appointment-recovery/scan';
import { modelRetrainingKickoff } from '../workflows/model-retraining/kickoff';
import { startDailyReplenishment } from '../workflows/replenishment/kickoff';
import { ProcessType, StoreId, StoreIds } from '../workflows/shared/search-attributes';
import { detailsList } from '../domain/run-summaries';

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
    staticDetails: detailsList({
      Schedule: `${APPOINTMENT_SCAN_SCHEDULE_ID}, every minute`,
      Does: `finds appointments starting within ${opts.windowMinutes} minutes with no stylist and starts one appointment recovery for each (never a second for the same appointment)`,
    }),
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

export const replenishmentScheduleId = (storeId: string) => `replenishment-daily-${storeId}`;

/**
 * One Schedule per store, every day at `hour` store-local time (the Schedule's time zone is the
 * store's), starting that store's replenishment for its local day. Created or updated in place.
 */
export async function ensureReplenishmentSchedules(
  client: Client,
  opts: { taskQueue: string; stores: { id: string; name: string; timezone: string }[]; hour: number; paused?: boolean },
) {
  for (const store of opts.stores) {
    const scheduleId = replenishmentScheduleId(store.id);
    const spec = { calendars: [{ hour: opts.hour, minute: 0 }], timezone: store.timezone };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: startDailyReplenishment,
      args: [{ storeId: store.id }] as [{ storeId: string }],
      taskQueue: opts.taskQueue,
      workflowId: `replenishment-kickoff-${store.id}`,
      typedSearchAttributes: [
        { key: ProcessType, value: 'replenishment_kickoff' },
        { key: StoreId, value: store.id },
        { key: StoreIds, value: [store.id] },
      ],
      staticSummary: `Start today's replenishment of ${store.name} (${store.id})`,
      staticDetails: detailsList({
        Schedule: `${scheduleId}, daily at ${String(opts.hour).padStart(2, '0')}:00 ${store.timezone}`,
        Does: `starts the replenishment of ${store.name} (${store.id}) for its local day, unless one already ran that day`,
      }),
    };
    try {
      await client.schedule.create({
        scheduleId,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
        state: { paused: opts.paused ?? false, note: `Replenishment of ${store.id}, daily at ${String(opts.hour).padStart(2, '0')}:00 ${store.timezone}` },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, state: { ...prev.state, paused: opts.paused ?? false } }));
    }
  }
}

export const modelRetrainingScheduleId = (modelName: string) => `model-retraining-weekly-${modelName}`;
export const modelDriftScheduleId = (modelName: string) => `model-drift-check-${modelName}`;

/**
 * Per model: the weekly retraining (weekday and hour UTC) and the daily drift check of its champion,
 * which starts a retraining only when it finds drift. Created or updated in place.
 */
export async function ensureModelRetrainingSchedules(
  client: Client,
  opts: { taskQueue: string; modelName: string; weekday: number; hour: number; driftHour: number; paused?: boolean },
) {
  const schedules = [
    {
      scheduleId: modelRetrainingScheduleId(opts.modelName),
      spec: {
        calendars: [
          { dayOfWeek: (['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const)[opts.weekday]!, hour: opts.hour, minute: 0 },
        ],
      },
      trigger: 'schedule' as const,
      summary: `Start this week's retraining of ${opts.modelName}`,
      note: `Retraining of ${opts.modelName}, weekly`,
    },
    {
      scheduleId: modelDriftScheduleId(opts.modelName),
      spec: { calendars: [{ hour: opts.driftHour, minute: 0 }] },
      trigger: 'drift' as const,
      summary: `Check ${opts.modelName}'s champion for drift; retrain if it drifted`,
      note: `Drift check of ${opts.modelName}, daily`,
    },
  ];
  for (const sc of schedules) {
    const action = {
      type: 'startWorkflow' as const,
      workflowType: modelRetrainingKickoff,
      args: [{ modelName: opts.modelName, trigger: sc.trigger }] as [{ modelName: string; trigger: 'schedule' | 'drift' }],
      taskQueue: opts.taskQueue,
      workflowId: `${sc.scheduleId}-kickoff`,
      typedSearchAttributes: [{ key: ProcessType, value: 'model_retraining_kickoff' }],
      staticSummary: sc.summary,
      staticDetails: detailsList({ Schedule: `${sc.scheduleId}, ${sc.note.replace(/^.*, /, '')}`, Model: opts.modelName, Trigger: sc.trigger }),
    };
    try {
      await client.schedule.create({
        scheduleId: sc.scheduleId,
        spec: sc.spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
        state: { paused: opts.paused ?? false, note: sc.note },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule
        .getHandle(sc.scheduleId)
        .update((prev) => ({ ...prev, spec: sc.spec, action, state: { ...prev.state, paused: opts.paused ?? false } }));
    }
  }
}
