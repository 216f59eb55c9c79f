export { appointmentRecovery } from './appointment-recovery/workflow';
export { scanUnassignedAppointments } from './appointment-recovery/scan';
export { replenishment } from './replenishment/workflow';
export { startDailyReplenishment } from './replenishment/kickoff';
export { priceChange } from './price-change/workflow';
export { campaignDispatch } from './campaign/workflow';
export { modelRetraining } from './model-retraining/workflow';
export { modelRetrainingKickoff } from './model-retraining/kickoff';
