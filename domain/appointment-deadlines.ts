/**
 * When an unassigned appointment's approval escalates and when the system assigns on its own.
 * Production defaults: 15 minutes to decide, then the regional manager is told; 10 more minutes
 * and the top available stylist is assigned. Both come sooner when the customer is close, so a
 * stylist is always in place well before she arrives.
 */
export interface RecoveryTiming {
  /** Time the store manager has before escalation. */
  decisionTimeoutMs: number;
  /** Time after escalation before the top stylist is assigned automatically. */
  autoAssignAfterMs: number;
  /** Reminder to the pending approvers this long before escalation (0 = none). */
  reminderBeforeMs: number;
  /** The assignment must be settled at least this long before the appointment starts. */
  settleBeforeStartMs: number;
}

export const DEFAULT_RECOVERY_TIMING: RecoveryTiming = {
  decisionTimeoutMs: 15 * 60_000,
  autoAssignAfterMs: 10 * 60_000,
  reminderBeforeMs: 5 * 60_000,
  settleBeforeStartMs: 20 * 60_000,
};

const MIN_WINDOW_MS = 1_000;

export interface RecoveryDeadlines {
  escalateAt: number;
  autoAssignAt: number;
  remindAt: number | null;
}

/** All times in epoch milliseconds. */
export function recoveryDeadlines(nowMs: number, startsAtMs: number, timing: RecoveryTiming): RecoveryDeadlines {
  const settleBy = startsAtMs - timing.settleBeforeStartMs;
  let autoAssignAt = Math.min(nowMs + timing.decisionTimeoutMs + timing.autoAssignAfterMs, settleBy);
  autoAssignAt = Math.max(autoAssignAt, nowMs + 2 * MIN_WINDOW_MS);
  // Keep the same proportion between the manager's window and the escalation window when squeezed.
  const full = timing.decisionTimeoutMs + timing.autoAssignAfterMs;
  const share = full > 0 ? timing.decisionTimeoutMs / full : 0.5;
  let escalateAt = Math.min(nowMs + timing.decisionTimeoutMs, nowMs + Math.floor((autoAssignAt - nowMs) * share));
  escalateAt = Math.max(escalateAt, nowMs + MIN_WINDOW_MS);
  const remindAt = timing.reminderBeforeMs > 0 && escalateAt - timing.reminderBeforeMs > nowMs ? escalateAt - timing.reminderBeforeMs : null;
  return { escalateAt, autoAssignAt, remindAt };
}
