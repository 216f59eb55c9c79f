import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { createAppointmentScanActivities } from '../activities/appointment-recovery/scan';
import { failDataErrorsNonRetryably } from '../activities/shared/data-errors';
import { createAppointmentActivities } from '../activities/appointment-recovery/appointments';
import { createApprovalActivities } from '../activities/shared/approvals';
import { createCampaignAudienceActivities } from '../activities/campaign/audience';
import { createCampaignSendActivities } from '../activities/campaign/sends';
import { createCampaignActivities } from '../activities/campaign/status';
import { createChannelPriceClient } from '../activities/price-change/channel-prices';
import { createSupplierErpClient } from '../activities/replenishment/supplier-erp';
import { createPricingActivities } from '../activities/price-change/pricing';
import { createPricingEngineActivities } from '../activities/price-change/pricing-engine';
import { createMailSender } from '../activities/shared/email';
import { createPurchaseOrderActivities } from '../activities/replenishment/purchase-orders';
import { createReplenishmentPlanningActivities } from '../activities/replenishment/planning';
import { createReplenishmentStartActivities } from '../activities/replenishment/start';
import { createModelDriftActivities } from '../activities/model-retraining/drift';
import { createModelRegistryActivities } from '../activities/model-retraining/registry';
import { createModelRetrainingStartActivities } from '../activities/model-retraining/start';
import { createModelTrainingActivities } from '../activities/model-retraining/training';
import { codeVersion } from '../platform/code-version';
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
}

/** Every activity the worker registers, built from injected dependencies; data errors fail them non-retryably (InvalidData). */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailSender(deps.db, deps.transport, deps.mailFrom);
  return failDataErrorsNonRetryably({
    ...createApprovalActivities({ db: deps.db, mail, publicBaseUrl: deps.publicBaseUrl }),
    ...createAppointmentActivities({ db: deps.db, mail, publicBaseUrl: deps.publicBaseUrl }),
    ...createAppointmentScanActivities({ db: deps.db, client: deps.client, taskQueue: deps.taskQueue }),
    ...createReplenishmentPlanningActivities({ db: deps.db }),
    ...createPurchaseOrderActivities({ db: deps.db, mail, supplierErp: createSupplierErpClient(deps.supplierErpUrl), publicBaseUrl: deps.publicBaseUrl }),
    ...createReplenishmentStartActivities({ db: deps.db, client: deps.client, taskQueue: deps.taskQueue }),
    ...createPricingEngineActivities({ db: deps.db }),
    ...createCampaignAudienceActivities({ db: deps.db }),
    ...createCampaignActivities({ db: deps.db }),
    ...createCampaignSendActivities({
      db: deps.db,
      transport: deps.transport,
      mailFrom: deps.mailFrom,
      publicBaseUrl: deps.publicBaseUrl,
      unsubscribeSecrets: deps.unsubscribeSecrets,
      postalAddress: deps.postalAddress,
    }),
    ...createModelRegistryActivities({ db: deps.db, codeVersion: codeVersion() }),
    ...createModelTrainingActivities({ db: deps.db }),
    ...createModelDriftActivities({ db: deps.db }),
    ...createModelRetrainingStartActivities({ client: deps.client, taskQueue: deps.taskQueue }),
    ...createPricingActivities({
      db: deps.db,
      mail,
      channels: createChannelPriceClient(deps.priceChannelsUrl ?? deps.supplierErpUrl),
      publicBaseUrl: deps.publicBaseUrl,
    }),
  });
}
