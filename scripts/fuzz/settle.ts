/**
 * After the requests: nothing the run started may be left running that cannot finish. Every
 * process it started is described; a running one whose pending activities keep failing is a
 * failure; the running ones are then cancelled through the API and must close.
 */
import type { Client } from '@temporalio/client';
import { send } from './send';

export interface SettledRun {
  workflowId: string;
  resource: string;
  statusAtEnd: string;
  /** Pending activities at the end of the run: type, attempt, last failure. */
  pendingActivities: { type: string; attempt: number; lastFailure?: string }[];
  cancelAnswer?: number;
  finalStatus?: string;
}

export interface SettleReport {
  runs: SettledRun[];
  /** Runs whose activities were failing over and over. */
  stuck: SettledRun[];
  /** Running runs that did not close after their cancel. */
  notClosed: SettledRun[];
}

/** An activity retried this often with a failure recorded is failing over and over, not recovering. */
export const STUCK_ATTEMPTS = 4;

export async function settle(o: {
  client: Client;
  baseUrl: string;
  systemKey: string;
  started: Map<string, string>;
  /** The namespace is the run's own: every workflow running in it is checked too (children, ones the processes started). */
  wholeNamespace?: boolean;
  closeTimeoutMs?: number;
  log?: (m: string) => void;
}): Promise<SettleReport> {
  const runs: SettledRun[] = [];
  for (const [workflowId, resource] of o.started) {
    const run: SettledRun = { workflowId, resource, statusAtEnd: 'unknown', pendingActivities: [] };
    try {
      const desc = await o.client.workflow.getHandle(workflowId).describe();
      run.statusAtEnd = desc.status.name;
      run.pendingActivities = (desc.raw.pendingActivities ?? []).map((a) => ({
        type: a.activityType?.name ?? '?',
        attempt: a.attempt ?? 0,
        lastFailure: a.lastFailure?.message ?? undefined,
      }));
    } catch (err) {
      run.statusAtEnd = `describe failed: ${(err as Error).message}`;
    }
    runs.push(run);
  }
  // Only a run still running can be stuck; a closed run's leftover pending activity never retries.
  const stuck = runs.filter((r) => r.statusAtEnd === 'RUNNING' && r.pendingActivities.some((a) => a.attempt >= STUCK_ATTEMPTS && a.lastFailure));

  const running = runs.filter((r) => r.statusAtEnd === 'RUNNING');
  o.log?.(`${runs.length} processes started by the run: ${running.length} running, cancelling them through the API`);
  for (const r of running) {
    const body = Buffer.from(JSON.stringify({ reason: 'Fuzz run finished: cancelling what it started' }));
    try {
      const res = await send(
        o.baseUrl,
        {
          method: 'POST',
          path: `/api/v1/${r.resource}/${encodeURIComponent(r.workflowId)}/cancel`,
          headers: { Authorization: `Bearer ${o.systemKey}`, 'Content-Type': 'application/json' },
          body,
        },
        15_000,
      );
      r.cancelAnswer = res.status;
    } catch {
      r.cancelAnswer = 0;
    }
  }
  const deadline = Date.now() + (o.closeTimeoutMs ?? 120_000);
  let open = running;
  if (o.wholeNamespace) {
    // Workflows the processes started themselves (children): they close with their parents.
    await new Promise((res) => setTimeout(res, 2_000));
    for await (const wf of o.client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
      if (o.started.has(wf.workflowId)) continue;
      const run: SettledRun = { workflowId: wf.workflowId, resource: `(${wf.type})`, statusAtEnd: 'RUNNING', pendingActivities: [] };
      runs.push(run);
      open.push(run);
    }
  }
  while (open.length && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 1_000));
    const still: SettledRun[] = [];
    for (const r of open) {
      const desc = await o.client.workflow
        .getHandle(r.workflowId)
        .describe()
        .catch(() => undefined);
      r.finalStatus = desc?.status.name ?? 'unknown';
      if (r.finalStatus === 'RUNNING') {
        r.pendingActivities = (desc?.raw.pendingActivities ?? []).map((a) => ({
          type: a.activityType?.name ?? '?',
          attempt: a.attempt ?? 0,
          lastFailure: a.lastFailure?.message ?? undefined,
        }));
        still.push(r);
      }
    }
    open = still;
  }
  for (const r of runs) r.finalStatus ??= r.statusAtEnd;
  return { runs, stuck, notClosed: open };
}
