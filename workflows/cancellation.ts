import { defineSignal } from '@temporalio/workflow';

export interface CancelRequest {
  reason: string;
  actorId: string;
  requestedAt: string;
}

/**
 * Sent by the API just before it asks Temporal to cancel the run, so the workflow knows who
 * cancelled and why when it compensates.
 */
export const cancelRequestSignal = defineSignal<[CancelRequest]>('cancelRequested');
