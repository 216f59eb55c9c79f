import type { Db } from '../../platform/db';
import type { MailSender } from '../shared/email';
import type { ProcessStarter } from '../shared/process-starter';
import { createAppointmentActivities } from './appointments';
import { createAppointmentScanActivities } from './scan';

/** Every activity of appointment recovery: the recovery's own steps and the scanner's. */
export function createAppointmentRecoveryActivities(deps: {
  db: Db;
  mail: MailSender;
  publicBaseUrl: string;
  startRecovery: ProcessStarter<{ appointmentId: string; requestedBy: string }>;
}) {
  return {
    ...createAppointmentActivities({ db: deps.db, mail: deps.mail, publicBaseUrl: deps.publicBaseUrl }),
    ...createAppointmentScanActivities({ db: deps.db, startRecovery: deps.startRecovery }),
  };
}
