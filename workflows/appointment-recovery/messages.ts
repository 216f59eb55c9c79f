/** The appointment recovery process's messages: its input, state and stages, the queries, signals and updates the API uses, its workflow ID. */
import * as wf from '@temporalio/workflow';
import type { AppointmentSnapshot } from '../../activities/appointment-recovery/appointments';
import { type RecoveryTiming } from '../../domain/appointment-deadlines';
import type { Customer360 } from '../../domain/customer-360';
import { type PreselectedItem } from '../../domain/item-preselection';
import { type RankedStylist } from '../../domain/stylist-ranking';
import type { GateDecision, PendingApproval } from '../shared/approval-gate';
import type { CancelRequest } from '../shared/cancellation';

export const PROCESS_TYPE = 'appointment_recovery';

export function appointmentRecoveryWorkflowId(appointmentId: string): string {
  return `appointment-recovery-${appointmentId}`;
}

export interface AppointmentRecoveryInput {
  appointmentId: string;
  /** Principal who started the recovery (upstream system, scanner or a manager). */
  requestedBy: string;
  /** Overrides for tests and unusual stores; production defaults otherwise. */
  timing?: Partial<RecoveryTiming>;
  itemCount?: number;
}

export type RecoveryStage =
  'gathering_context' | 'awaiting_approval' | 'assigning' | 'completed' | 'rejected' | 'not_needed' | 'compensating' | 'failed' | 'cancelled';

export interface RecoveryEffects {
  stylistAssigned: string | null;
  stylistBriefed: boolean;
  itemsHeld: string[];
  suiteReserved: string | null;
  notesUpdated: boolean;
  customerConfirmed: boolean;
  undone: string[];
}

export interface AppointmentRecoveryState {
  stage: RecoveryStage;
  appointment: AppointmentSnapshot | null;
  customer: Customer360 | null;
  candidates: RankedStylist[];
  recommendation: RankedStylist | null;
  pendingApproval: PendingApproval | null;
  decisions: GateDecision[];
  assignedBy: 'manager' | 'override' | 'auto' | null;
  preselectedItems: PreselectedItem[];
  effects: RecoveryEffects;
  attempts: number;
  failure: string | null;
  cancellation: CancelRequest | null;
}

export const recoveryStateQuery = wf.defineQuery<AppointmentRecoveryState>('state');
