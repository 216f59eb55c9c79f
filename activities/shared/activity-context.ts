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
export async function withKeepAliveHeartbeat<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
