import type { Db } from '../../platform/db';
import type { ProcessStarter } from '../shared/process-starter';

/** The scanner's side: find unassigned appointments starting soon and start their recoveries. */
export function createAppointmentScanActivities(deps: {
  db: Db;
  /** Starts a recovery unless one exists for the appointment (never restarting a failed one). */
  startRecovery: ProcessStarter<{ appointmentId: string; requestedBy: string }>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async findUnassignedAppointments(input: { windowMinutes: number; storeIds?: string[] }): Promise<{ appointmentId: string; storeId: string }[]> {
      const from = now();
      const to = new Date(from.getTime() + input.windowMinutes * 60_000);
      const rows = await deps.db.appointment.findMany({
        where: { stylistId: null, status: 'SCHEDULED', startsAt: { gt: from, lte: to }, ...(input.storeIds ? { storeId: { in: input.storeIds } } : {}) },
        select: { id: true, storeId: true },
        orderBy: { startsAt: 'asc' },
        take: 500,
      });
      return rows.map((r) => ({ appointmentId: r.id, storeId: r.storeId }));
    },

    async startRecoveries(input: { appointmentIds: string[] }): Promise<{ started: string[]; existing: string[] }> {
      const started: string[] = [];
      const existing: string[] = [];
      for (const appointmentId of input.appointmentIds) {
        const r = await deps.startRecovery({ appointmentId, requestedBy: 'system:appointment-scan' }, now());
        (r.created ? started : existing).push(r.workflowId);
      }
      return { started, existing };
    },
  };
}
