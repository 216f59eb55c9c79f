import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { createAppointmentRecoveryActivities } from '../activities/appointment-recovery';
import { createCampaignDispatchActivities } from '../activities/campaign';
import { createSmtpSendBudget } from '../activities/campaign/smtp-budget';
import { createModelRetrainingActivities } from '../activities/model-retraining';
import { createPriceChangeActivities } from '../activities/price-change';
import { createChannelPriceClient } from '../activities/price-change/channel-prices';
import { createReplenishmentActivities } from '../activities/replenishment';
import { createSupplierErpClient } from '../activities/replenishment/supplier-erp';
import { createApprovalActivities } from '../activities/shared/approvals';
import { failDataErrorsNonRetryably } from '../activities/shared/data-errors';
import { createMailSender } from '../activities/shared/email';
import { startAppointmentRecovery } from '../api/processes/appointment-recoveries/starter';
import { startModelRetraining } from '../api/processes/model-retrainings/starter';
import { startReplenishment } from '../api/processes/replenishments/starter';
import { codeVersion } from '../platform/code-version';
import { DEFAULT_SMTP_SEND_RATE_PER_SECOND } from '../platform/config';
import type { Db } from '../platform/db';

export interface ActivityDeps {
  db: Db;
  transport: Transporter;
  client: Client;
  taskQueue: string;
  mailFrom: string;
  publicBaseUrl: string;
  supplierErpUrl: string;
  /** POS and e-commerce price endpoints (default: the same simulator as the supplier ERP). */
  priceChannelsUrl?: string;
  /** Sign one-click unsubscribe links (resolveUnsubscribeSecrets: configured, else the installation's own; the first signs). */
  unsubscribeSecrets: readonly string[];
  /** Printed in campaign emails (COMPANY_POSTAL_ADDRESS; a default when absent). */
  postalAddress?: string;
  /** Campaign emails per second for this worker, all campaigns together (SMTP_SEND_RATE_PER_SECOND; the default when absent, 0: none). */
  smtpSendRatePerSecond?: number;
  /** Campaign emails in flight at once per batch (SMTP_MAX_CONNECTIONS; default: the transport's pool connections). */
  smtpMaxConnections?: number;
}

/** Every activity the worker registers, built from injected dependencies; data errors fail them non-retryably (InvalidData). */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailSender(deps.db, deps.transport, deps.mailFrom);
  const { db, publicBaseUrl } = deps;
  const starting = { db, client: deps.client, taskQueue: deps.taskQueue };
  return failDataErrorsNonRetryably({
    ...createApprovalActivities({ db, mail, publicBaseUrl }),
    ...createAppointmentRecoveryActivities({
      db,
      mail,
      publicBaseUrl,
      startRecovery: (input) => startAppointmentRecovery(starting, input, { restartFailed: false }),
    }),
    ...createReplenishmentActivities({
      db,
      mail,
      publicBaseUrl,
      supplierErp: createSupplierErpClient(deps.supplierErpUrl),
      startReplenishment: (input, at) => startReplenishment(starting, input, at),
    }),
    ...createPriceChangeActivities({ db, mail, publicBaseUrl, channels: createChannelPriceClient(deps.priceChannelsUrl ?? deps.supplierErpUrl) }),
    ...createCampaignDispatchActivities({
      db,
      transport: deps.transport,
      mailFrom: deps.mailFrom,
      publicBaseUrl,
      unsubscribeSecrets: deps.unsubscribeSecrets,
      postalAddress: deps.postalAddress,
      // One budget for the worker: every campaign it runs takes its send slots from it.
      smtpBudget: createSmtpSendBudget(deps.smtpSendRatePerSecond ?? DEFAULT_SMTP_SEND_RATE_PER_SECOND),
      sendConcurrency: deps.smtpMaxConnections,
    }),
    ...createModelRetrainingActivities({ db, codeVersion: codeVersion(), startModelRetraining: (input, at) => startModelRetraining(starting, input, at) }),
  });
}
