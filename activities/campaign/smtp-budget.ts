import { paceFor, takeSlots } from '../../domain/send-pacing';

/**
 * The worker's SMTP budget (SMTP_SEND_RATE_PER_SECOND): one per worker process, made by
 * workers/activities.ts and shared by every campaign batch the worker runs, so the configured rate
 * is what the worker as a whole sends however many campaigns run at once; a campaign's own
 * ratePerSecond caps it further. Each email takes its slot when it is ready to go (after its
 * campaign's own pace), so campaigns share the budget first come, first served, and a campaign
 * holds at most as many slots ahead as it has emails in flight.
 *
 * It is per process: workers do not coordinate, so N workers on one SMTP relay send up to N times
 * the rate. Set it to the relay's limit divided by the number of workers (README, Configuration).
 */
export interface SmtpSendBudget {
  /** Sends per second for the whole worker; 0 when there is no budget. */
  readonly ratePerSecond: number;
  /** The instant (epoch ms) one more email may go: the next free slot, taken now. */
  takeSlot(now?: number): number;
}

export function createSmtpSendBudget(ratePerSecond: number): SmtpSendBudget {
  let pace = paceFor(ratePerSecond);
  return {
    ratePerSecond: pace ? ratePerSecond : 0,
    takeSlot(now = Date.now()) {
      if (!pace) return now;
      const r = takeSlots([pace], now, 1);
      pace = r.paces[0] ?? null;
      return r.slots[0]!;
    },
  };
}
