export { appointmentRecovery } from './workflow';
export { scanUnassignedAppointments } from './scan';
