import { boundedCount, forEachBounded, rangesFromCuts, type KeyRange } from '../../domain/batching';

describe('rangesFromCuts', () => {
  test.each<[string, string[], KeyRange<string>[]]>([
    ['no cuts: one range, everything', [], [{ after: null, through: null }]],
    [
      'one cut',
      ['B'],
      [
        { after: null, through: 'B' },
        { after: 'B', through: null },
      ],
    ],
    [
      'three cuts',
      ['B', 'D', 'F'],
      [
        { after: null, through: 'B' },
        { after: 'B', through: 'D' },
        { after: 'D', through: 'F' },
        { after: 'F', through: null },
      ],
    ],
  ])('%s', (_name, cuts, expected) => {
    expect(rangesFromCuts(cuts)).toEqual(expected);
  });

  test('every key falls in exactly one range, keys added between the cuts and beyond them included', () => {
    const keys = ['A', 'AA', 'B', 'BA', 'C', 'D', 'E', 'F', 'FF', 'Z'];
    const ranges = rangesFromCuts(['B', 'D', 'F']);
    const inRange = (k: string, r: KeyRange<string>) => (r.after === null || k > r.after) && (r.through === null || k <= r.through);
    for (const k of keys) expect(ranges.filter((r) => inRange(k, r))).toHaveLength(1);
  });

  test('cuts of composite keys (store, SKU) are kept as given', () => {
    const cut = { storeId: 'S1', sku: 'K9' };
    expect(rangesFromCuts([cut])).toEqual([
      { after: null, through: cut },
      { after: cut, through: null },
    ]);
  });
});

describe('boundedCount', () => {
  test.each<[number | undefined, number]>([
    [undefined, 4],
    [Number.NaN, 4],
    [Number.POSITIVE_INFINITY, 4],
    [0, 1],
    [-3, 1],
    [2.7, 2],
    [3, 3],
    [64, 16],
  ])('%p → %p (fallback 4, at most 16)', (value, expected) => {
    expect(boundedCount(value, 4, 16)).toBe(expected);
  });
});

/** A batch that finishes after `ticks` turns of the microtask queue: deterministic, no timers. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

interface Trace {
  started: number[];
  finished: number[];
  maxInFlight: number;
}

async function trace(durations: number[], limit: number, failAt?: number): Promise<Trace & { error?: unknown }> {
  const t: Trace = { started: [], finished: [], maxInFlight: 0 };
  let inFlight = 0;
  try {
    await forEachBounded(durations, limit, async (d, i) => {
      t.started.push(i);
      inFlight += 1;
      t.maxInFlight = Math.max(t.maxInFlight, inFlight);
      try {
        await ticks(d);
        if (i === failAt) throw new Error(`batch ${i} failed`);
        t.finished.push(i);
      } finally {
        inFlight -= 1;
      }
    });
    return t;
  } catch (error) {
    return { ...t, error };
  }
}

describe('forEachBounded', () => {
  test.each<[string, number[], number, Trace]>([
    ['nothing to do', [], 3, { started: [], finished: [], maxInFlight: 0 }],
    ['one at a time: in order', [5, 1, 3], 1, { started: [0, 1, 2], finished: [0, 1, 2], maxInFlight: 1 }],
    ['two at a time: the next starts when one ends', [30, 1, 1, 1], 2, { started: [0, 1, 2, 3], finished: [1, 2, 3, 0], maxInFlight: 2 }],
    ['a limit above the items: all at once', [30, 15, 1], 10, { started: [0, 1, 2], finished: [2, 1, 0], maxInFlight: 3 }],
    ['a limit of 0 counts as 1', [1, 1], 0, { started: [0, 1], finished: [0, 1], maxInFlight: 1 }],
  ])('%s', async (_name, durations, limit, expected) => {
    expect(await trace(durations, limit)).toEqual(expected);
  });

  test('after a failure nothing new starts, the running batches finish, then the failure is thrown', async () => {
    // Batch 1 fails early while 0 is still running; 2 and 3 never start.
    const t = await trace([30, 1, 1, 1], 2, 1);
    expect(t.started).toEqual([0, 1]);
    expect(t.finished).toEqual([0]);
    expect((t.error as Error).message).toBe('batch 1 failed');
  });

  test('the first failure is the one thrown', async () => {
    let failures = 0;
    const run = forEachBounded([2, 1], 2, async (d, i) => {
      await ticks(d);
      failures += 1;
      throw new Error(`batch ${i}`);
    });
    await expect(run).rejects.toThrow('batch 1');
    expect(failures).toBe(2);
  });
});
