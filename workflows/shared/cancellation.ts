import { defineSignal } from '@temporalio/workflow';
import { toStorableText } from '../../domain/storable-text';

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

const REASON_MAX_LENGTH = 2_000;
const ACTOR_MAX_LENGTH = 200;

/**
 * The cancel request as the workflow keeps it. A Signal cannot be refused, yet its reason ends up
 * in Postgres (status notes, audit) and in emails: text that cannot be stored there is replaced
 * (toStorableText), so a cancel always ends in its compensation rather than in an activity failing
 * on every retry. A well-formed request comes back unchanged.
 */
export function storableCancelRequest(req: CancelRequest): CancelRequest {
  const r = (req ?? {}) as Partial<CancelRequest>;
  return {
    ...r,
    reason: typeof r.reason === 'string' ? toStorableText(r.reason, REASON_MAX_LENGTH) : 'no reason given',
    actorId: toStorableText(typeof r.actorId === 'string' ? r.actorId : 'unknown', ACTOR_MAX_LENGTH),
    requestedAt: typeof r.requestedAt === 'string' ? toStorableText(r.requestedAt, 64) : '',
  };
}
