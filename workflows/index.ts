export { appointmentRecovery } from './appointment-recovery';
export { scanUnassignedAppointments } from './appointment-scan';
export { replenishment } from './replenishment';
export { startDailyReplenishment } from './replenishment-kickoff';
export { priceChange } from './price-change';
export { campaignDispatch } from './campaign-dispatch';
export { modelRetraining } from './model-retraining';
export { modelRetrainingKickoff } from './model-retraining-kickoff';
