import type { RetrainingTrigger } from '../../domain/model-promotion';
import type { Db } from '../../platform/db';
import type { ProcessStarter } from '../shared/process-starter';
import { createModelDriftActivities } from './drift';
import { createModelRegistryActivities } from './registry';
import { createModelRetrainingStartActivities } from './start';
import { createModelTrainingActivities } from './training';

/** Every activity of model retraining: the registry, training and evaluation, the drift check, the scheduled kickoff. */
export function createModelRetrainingActivities(deps: {
  db: Db;
  codeVersion: string;
  startModelRetraining: ProcessStarter<{ modelName: string; trigger: RetrainingTrigger; reason: string; requestedBy: string }>;
}) {
  return {
    ...createModelRegistryActivities({ db: deps.db, codeVersion: deps.codeVersion }),
    ...createModelTrainingActivities({ db: deps.db }),
    ...createModelDriftActivities({ db: deps.db }),
    ...createModelRetrainingStartActivities({ startModelRetraining: deps.startModelRetraining }),
  };
}
