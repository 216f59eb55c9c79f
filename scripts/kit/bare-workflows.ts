/**
 * The bare baselines' workflows (bundled on their own by scripts/kit/bare-baseline.ts): nothing but
 * what Temporal itself costs, to compare each process with on the same server and worker settings.
 */
import * as wf from '@temporalio/workflow';
import type { BareActivities } from './bare-baseline';

const acts = wf.proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

export interface BareRunInput {
  /** No-op activities run one after the other (the process's activity count on its measured path). */
  steps: number;
  /** Wait for the `approve` Update before the steps, as a process waits for its approval. */
  awaitApproval: boolean;
}

export interface BareRunState {
  approved: boolean;
  stepsDone: number;
}

export type BareWrite = 'noop' | 'insert';

export interface BareDecision {
  decisionId: string;
  decision: 'approve' | 'reject';
  actorId: string;
  write: BareWrite;
}

/** Answers at once: the bare counterpart of an approval, timed from its answer like the process's. */
export const approveUpdate = wf.defineUpdate<BareRunState>('approve');
/** Answers once its one write (a no-op activity, or one INSERT: the recording write) is done. */
export const decideUpdate = wf.defineUpdate<string, [BareDecision]>('decide');
export const bareStateQuery = wf.defineQuery<BareRunState>('state');

export async function bareRun(input: BareRunInput): Promise<BareRunState> {
  const state: BareRunState = { approved: !input.awaitApproval, stepsDone: 0 };
  wf.setHandler(bareStateQuery, () => state);
  wf.setHandler(approveUpdate, () => {
    state.approved = true;
    return state;
  });
  await wf.condition(() => state.approved);
  for (let i = 0; i < input.steps; i++) {
    await acts.noopStep(i);
    state.stepsDone += 1;
  }
  return state;
}

/** Waits for one decision, records it with one write inside the Update, and ends. */
export async function bareDecisionRun(): Promise<string> {
  let decided: string | undefined;
  const state: BareRunState = { approved: false, stepsDone: 0 };
  wf.setHandler(bareStateQuery, () => state);
  wf.setHandler(decideUpdate, async (d) => {
    if (d.write === 'insert') await acts.recordDecision({ ...d, workflowId: wf.workflowInfo().workflowId });
    else await acts.noopStep(0);
    decided = d.decision;
    state.approved = d.decision === 'approve';
    return d.decision;
  });
  await wf.condition(() => decided !== undefined && wf.allHandlersFinished());
  return decided!;
}
