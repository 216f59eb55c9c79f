import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { createAppointmentScanActivities } from '../activities/appointment-scan';
import { createAppointmentActivities } from '../activities/appointments';
import { createApprovalActivities } from '../activities/approvals';
import { createMailSender } from '../activities/email';
import type { Db } from '../platform/db';

export interface ActivityDeps {
  db: Db;
  transport: Transporter;
  client: Client;
  taskQueue: string;
  mailFrom: string;
  publicBaseUrl: string;
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailSender(deps.db, deps.transport, deps.mailFrom);
  return {
    ...createApprovalActivities({ db: deps.db, mail, publicBaseUrl: deps.publicBaseUrl }),
    ...createAppointmentActivities({ db: deps.db, mail }),
    ...createAppointmentScanActivities({ db: deps.db, client: deps.client, taskQueue: deps.taskQueue }),
  };
}
