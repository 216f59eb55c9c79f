export { appointmentRecovery } from './appointment-recovery';
export { scanUnassignedAppointments } from './appointment-scan';
