import { RunStateCache } from '../../api/run-state-cache';

describe('RunStateCache: an answer per run and history length, least recently used forgotten first', () => {
  test('an answer is found for the same run and history length only', () => {
    const c = new RunStateCache<string>(10);
    expect(c.seen('wf')).toBe(false);
    c.set('wf', 'run-1', 12, 'state at 12');
    expect(c.seen('wf')).toBe(true);
    expect(c.get('wf', 'run-1', 12)).toBe('state at 12');
    expect(c.get('wf', 'run-1', 13)).toBeUndefined(); // the run moved
    expect(c.get('wf', 'run-2', 12)).toBeUndefined(); // continued as new, or reset
    expect(c.get('other', 'run-1', 12)).toBeUndefined();
    c.set('wf', 'run-1', 15, 'state at 15');
    expect(c.get('wf', 'run-1', 12)).toBeUndefined();
    expect(c.get('wf', 'run-1', 15)).toBe('state at 15');
  });

  test('an ID marked seen has no answer, and marking does not drop a kept one', () => {
    const c = new RunStateCache<string>(10);
    c.markSeen('wf');
    expect(c.seen('wf')).toBe(true);
    expect(c.get('wf', 'run-1', 1)).toBeUndefined();
    c.set('wf', 'run-1', 3, 'kept');
    c.markSeen('wf');
    expect(c.get('wf', 'run-1', 3)).toBe('kept');
  });

  test('bounded: the least recently read or written ID goes first', () => {
    const c = new RunStateCache<number>(2);
    c.set('a', 'r', 1, 1);
    c.set('b', 'r', 1, 2);
    expect(c.get('a', 'r', 1)).toBe(1); // a is now the most recent
    c.set('c', 'r', 1, 3);
    expect(c.size).toBe(2);
    expect(c.seen('b')).toBe(false);
    expect(c.get('a', 'r', 1)).toBe(1);
    expect(c.get('c', 'r', 1)).toBe(3);
    c.markSeen('d');
    expect(c.seen('a')).toBe(false);
  });
});
