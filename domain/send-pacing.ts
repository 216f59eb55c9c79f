/**
 * Send pacing (issue 16): when each email of a campaign may cross SMTP, given every rate it must
 * keep at once: the worker's SMTP budget, shared by every campaign the worker runs, and the
 * campaign's own ratePerSecond.
 *
 * Each rate is a pace: a fixed interval between two sends and the first instant the next send may
 * go (virtual scheduling, as in GCRA with no burst). A send takes the earliest instant all its paces
 * allow; that moves each pace on by its interval. A pace left idle does not bank the slots it
 * missed, so no window of one interval ever holds two sends of the same pace, and slots are handed
 * out first come, first served: two campaigns taking slots turn about.
 *
 * Pure: the caller passes the clock and keeps the state; waiting for a slot is the caller's.
 * Written here rather than taken from a library: p-limit only bounds concurrency (the SMTP pool's
 * connections do that already), and a queueing limiter such as bottleneck would hold claimed
 * emails in a queue of its own, out of reach when a batch stops and must release what never went;
 * what is needed is slots computed ahead for a chunk and one slot at a time for the shared budget,
 * with an injected clock for a table of unit tests (tests/unit/send-pacing.test.ts).
 */

export interface Pace {
  /** Milliseconds between two sends. */
  readonly intervalMs: number;
  /** The earliest instant (epoch ms) the next send may go. */
  readonly nextAt: number;
}

/** A pace of `ratePerSecond` sends a second; null when there is no limit (0, Infinity or not a positive number). */
export function paceFor(ratePerSecond: number | undefined): Pace | null {
  if (ratePerSecond === undefined || !Number.isFinite(ratePerSecond) || !(ratePerSecond > 0)) return null;
  return { intervalMs: 1000 / ratePerSecond, nextAt: Number.NEGATIVE_INFINITY };
}

/**
 * Slots (epoch ms, non-decreasing) for `n` sends that must keep every pace given (null: no limit),
 * and the paces after them, in the same order. With no pace at all every slot is `now`.
 */
export function takeSlots(paces: readonly (Pace | null)[], now: number, n: number): { slots: number[]; paces: (Pace | null)[] } {
  const next = paces.map((p) => (p ? p.nextAt : Number.NEGATIVE_INFINITY));
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = Math.max(now, ...next);
    slots.push(at);
    paces.forEach((p, k) => {
      if (p) next[k] = at + p.intervalMs;
    });
  }
  return { slots, paces: paces.map((p, k) => (p ? { intervalMs: p.intervalMs, nextAt: next[k]! } : null)) };
}

/**
 * How many recipients to judge, claim and send together: as many as the slowest pace lets go in
 * `spanMs` (at least one, at most `max`), so that facts read for a chunk are at most about that old
 * when its last email goes, and a worker that dies mid-chunk leaves at most that many claims whose
 * fate is unknown.
 */
export function chunkSize(ratesPerSecond: readonly (number | undefined)[], spanMs: number, max: number): number {
  const limits = ratesPerSecond.filter((r): r is number => r !== undefined && Number.isFinite(r) && r > 0);
  if (limits.length === 0) return max;
  return Math.max(1, Math.min(max, Math.floor((Math.min(...limits) * spanMs) / 1000)));
}
