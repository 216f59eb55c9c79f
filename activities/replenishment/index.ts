import type { Db } from '../../platform/db';
import type { MailSender } from '../shared/email';
import type { ProcessStarter } from '../shared/process-starter';
import { createReplenishmentPlanningActivities } from './planning';
import { createPurchaseOrderActivities } from './purchase-orders';
import { createReplenishmentStartActivities } from './start';
import type { SupplierErpClient } from './supplier-erp';

/** Every activity of replenishment: planning, purchase orders with the supplier's ERP, the daily kickoff. */
export function createReplenishmentActivities(deps: {
  db: Db;
  mail: MailSender;
  supplierErp: SupplierErpClient;
  publicBaseUrl: string;
  startReplenishment: ProcessStarter<{ storeId: string; requestedBy: string }>;
}) {
  return {
    ...createReplenishmentPlanningActivities({ db: deps.db }),
    ...createPurchaseOrderActivities({ db: deps.db, mail: deps.mail, supplierErp: deps.supplierErp, publicBaseUrl: deps.publicBaseUrl }),
    ...createReplenishmentStartActivities({ startReplenishment: deps.startReplenishment }),
  };
}
