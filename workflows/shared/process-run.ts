/**
 * The skeleton every process runs in, beside its approval gates: the process's state with its
 * stage (mirrored in the BusinessStatus search attribute), the `state` query, the cancel signal,
 * the answer a decision gets (the state after the workflow acted on it), and the way out of a
 * failed or cancelled run (end every open approval, compensate where no cancel can cut it short,
 * then rethrow the cancel or fail the run). A workflow keeps only what is its own: its stages and
 * its state's own fields.
 */
import * as wf from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { ApprovalGates, withApprovalGates, type GateDecision, type PendingApproval } from './approval-gate';
import { cancelRequestSignal, storableCancelRequest, type CancelRequest } from './cancellation';
import { BusinessStatus, ProcessType } from './search-attributes';

/** What every process's state holds besides its own fields. */
export interface ProcessState<Stage extends string = string> {
  stage: Stage;
  pendingApproval: PendingApproval | null;
  decisions: GateDecision[];
  cancellation: CancelRequest | null;
}

export interface ProcessRunOptions<S extends ProcessState> {
  processType: string;
  stateQuery: wf.QueryDefinition<S>;
  /** Search attributes known from the start besides the process type and stage (a store, ...). */
  searchAttributes?: SearchAttributeUpdatePair[];
  /**
   * The state a query (and a decision) answers with, from the workflow's own state with the gates'
   * first pending approval and their decisions; by default just that.
   */
  view?: (state: S, gates: ApprovalGates) => S;
  /**
   * Upsert the stage search attribute only when the stage changes. Processes recorded with one
   * upsert per stage change keep it; the others keep one per call (a different command sequence).
   */
  upsertStageOnlyWhenChanged?: boolean;
}

/** How a failed or cancelled run ends, once `compensate` has run. */
export interface RunEnding {
  cancelled: boolean;
  /** "Cancelled: <reason>", or what failed (an activity's own message rather than "Activity task failed"). */
  reason: string;
}

export class ProcessRun<S extends ProcessState> {
  constructor(
    readonly gates: ApprovalGates,
    readonly state: S,
    private readonly opts: ProcessRunOptions<S>,
  ) {
    wf.setHandler(opts.stateQuery, () => this.snapshot());
    wf.setHandler(cancelRequestSignal, (req) => {
      state.cancellation ??= storableCancelRequest(req);
    });
    gates.answerDecisionsWith({ state: () => this.snapshot(), stage: () => this.state.stage });
    wf.upsertSearchAttributes([{ key: ProcessType, value: opts.processType }, { key: BusinessStatus, value: state.stage }, ...(opts.searchAttributes ?? [])]);
  }

  /** The state as the query shows it. */
  snapshot(): S {
    const base: S = { ...this.state, pendingApproval: this.gates.pending()[0] ?? null, decisions: this.gates.decisions() };
    return this.opts.view ? this.opts.view(base, this.gates) : base;
  }

  setStage(stage: S['stage']): void {
    if (this.opts.upsertStageOnlyWhenChanged && this.state.stage === stage) return;
    // Replay-aware and not a command: logged once, when the run first reaches the stage.
    if (this.state.stage !== stage) wf.log.info('stage changed', { from: this.state.stage, stage });
    this.state.stage = stage;
    wf.upsertSearchAttributes([{ key: BusinessStatus, value: stage }]);
  }

  /** Ends the run with its final state, once decisions and events still being written down are. */
  async close(): Promise<S> {
    await wf.condition(wf.allHandlersFinished);
    return this.snapshot();
  }

  /**
   * The way out of a failed or cancelled run: ends every open approval, runs `compensate` where no
   * cancel can cut it short, then rethrows the cancellation or fails the run, not to be retried,
   * with `failure` (given the reason) as its message. Continuing as new passes straight through.
   */
  async end(err: unknown, failure: { type: string; message: (reason: string) => string }, compensate: (ending: RunEnding) => Promise<void>): Promise<never> {
    if (err instanceof wf.ContinueAsNew) throw err;
    const cancelled = isCancellation(err);
    const reason = cancelled ? `Cancelled: ${this.state.cancellation?.reason ?? 'no reason given'}` : failureMessage(err);
    this.gates.cancelAll();
    await wf.CancellationScope.nonCancellable(() => compensate({ cancelled, reason }));
    if (cancelled) throw err;
    throw ApplicationFailure.nonRetryable(failure.message(reason), failure.type);
  }
}

/** Runs a process in its skeleton: `body` gets the run (state, stage, gates) and returns the final state. */
export async function runProcess<S extends ProcessState>(initial: S, opts: ProcessRunOptions<S>, body: (run: ProcessRun<S>) => Promise<S>): Promise<S> {
  return withApprovalGates((gates) => body(new ProcessRun(gates, initial, opts)));
}

/** What failed, in words: an activity's own message rather than "Activity task failed". */
export function failureMessage(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
