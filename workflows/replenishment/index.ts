export { replenishment } from './workflow';
export { startDailyReplenishment } from './kickoff';
