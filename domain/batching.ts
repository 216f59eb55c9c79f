/**
 * Work split into batches that run side by side: key ranges that cover a sorted key space exactly
 * once, and a bounded number of batches in flight. Plain promises and no I/O, so workflows use it
 * too (the order batches start in follows the order earlier ones finish, which replay reproduces).
 */

/** The keys after `after` (exclusive; null: from the first) through `through` (inclusive; null: to the last). */
export interface KeyRange<K> {
  after: K | null;
  through: K | null;
}

/**
 * The ranges a sorted key space is cut into at `cuts` (each the last key of a batch, ascending):
 * every key falls in exactly one range, including keys added after the cuts were read (the first
 * range is open below, the last above). No cuts: one range, everything.
 */
export function rangesFromCuts<K>(cuts: readonly K[]): KeyRange<K>[] {
  const ranges: KeyRange<K>[] = [];
  let after: K | null = null;
  for (const cut of cuts) {
    ranges.push({ after, through: cut });
    after = cut;
  }
  ranges.push({ after, through: null });
  return ranges;
}

/** A count taken from an input (batches in flight): a whole number from 1 to max, the fallback when absent or not a number. */
export function boundedCount(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(value)));
}

/**
 * Runs `work` over `items`, at most `limit` at a time, starting them in order. After a failure no
 * further item starts; the ones running are waited for (so nothing is still writing when the caller
 * reacts), then the first failure is thrown.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== undefined) throw failure.error;
}
