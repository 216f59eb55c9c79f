export { modelRetraining } from './workflow';
export { modelRetrainingKickoff } from './kickoff';
