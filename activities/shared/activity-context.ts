import { Context } from '@temporalio/activity';

/** The activity context, or undefined when called outside one (tests, scripts). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` while heartbeating every `everyMs`, so an activity made of a few long queries is
 * retried soon after its worker dies (by the heartbeat timeout) instead of at its start-to-close
 * timeout. Outside an activity it simply runs `work`.
 */
export async function withKeepAliveHeartbeat<T>(work: () => Promise<T>, everyMs?: number): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work();
  // A third of the heartbeat timeout, so one late beat on a loaded worker does not time it out.
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  everyMs ??= timeoutMs ? Math.max(200, Math.min(5_000, Math.floor(timeoutMs / 3))) : 5_000;
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
