/**
 * The answers of runs' state queries, kept per run and history length, so a state read of a run
 * that has not moved since it was last read needs no worker: describe (answered by the server
 * alone) says the history's length, and a query's answer is a function of the history (workflow
 * code is deterministic and changes its state only by processing history events). Every event
 * the run records, a workflow task's own included, makes the history longer, so a cached answer
 * never outlives the history it came from.
 *
 * Only answers to queries sent after describe are stored under describe's length: such an answer
 * reflects at least that history (more, if the run moved in between; then the next describe says a
 * longer history and misses). A query sent alongside describe may have been answered before the
 * history describe saw, so its answer is never stored.
 *
 * Bounded: the least recently used run is forgotten first.
 */

/** A run's kept answer; an ID read only with a query sent alongside describe has none (runId null). */
interface Entry<T> {
  runId: string | null;
  historyLength: number;
  value?: T;
}

export class RunStateCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly capacity = 500) {}

  /** Whether the workflow ID was read before (then a read describes first and queries only on a miss). */
  seen(workflowId: string): boolean {
    return this.entries.has(workflowId);
  }

  /** Marks the ID read (its answer came from a query sent alongside describe, not stored). */
  markSeen(workflowId: string): void {
    if (!this.entries.has(workflowId)) this.put(workflowId, { runId: null, historyLength: -1 });
  }

  /** The answer for this run at this history length, if one is kept. */
  get(workflowId: string, runId: string, historyLength: number): T | undefined {
    const e = this.entries.get(workflowId);
    if (!e || e.runId !== runId || e.historyLength !== historyLength) return undefined;
    this.put(workflowId, e);
    return e.value;
  }

  /** Keeps the answer of a query sent after describe said this run and history length. */
  set(workflowId: string, runId: string, historyLength: number, value: T): void {
    this.put(workflowId, { runId, historyLength, value });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Writes the entry as the most recently used one, forgetting the least recently used beyond capacity. */
  private put(workflowId: string, entry: Entry<T>): void {
    this.entries.delete(workflowId);
    this.entries.set(workflowId, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
