/**
 * The workflow bench:temporal-settings measures: K no-op steps one after the other, as activities or
 * as local activities. Nothing else, so what changes between variants is Temporal's own cost.
 */
import * as wf from '@temporalio/workflow';

interface StepActivities {
  step(i: number): Promise<void>;
}

const acts = wf.proxyActivities<StepActivities>({ startToCloseTimeout: '30 seconds' });
const localActs = wf.proxyLocalActivities<StepActivities>({ startToCloseTimeout: '30 seconds' });

export async function sequentialSteps(steps: number, local: boolean): Promise<number> {
  for (let i = 0; i < steps; i++) await (local ? localActs : acts).step(i);
  return steps;
}
