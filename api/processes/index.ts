import { appointmentRecoveries } from './appointment-recoveries/definition';
import { campaigns } from './campaigns/definition';
import type { ProcessDefinition } from './definition';
import { modelRetrainings } from './model-retrainings/definition';
import { priceChanges } from './price-changes/definition';
import { replenishments } from './replenishments/definition';

/** Every process the API serves under /api/v1/{resource}: one line per process. */
export const PROCESSES: ProcessDefinition<any>[] = [appointmentRecoveries, replenishments, priceChanges, campaigns, modelRetrainings];
