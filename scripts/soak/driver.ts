/**
 * The upstream systems and the managers, over the public API: starts the runs at a steady pace
 * (retrying what the chaos made fail, with the same Idempotency-Key or natural key so a retry never
 * starts a second run), cancels some, and decides approvals from each decider's inbox as the
 * demo principals (approve, reject with a comment, override with another stylist, or leave it to
 * the timeout). Every decision the API accepted with 200 is remembered for the final check.
 */
import { decisionFor, startBody, type ProcessResource, type RunSpec } from './plan';
import { transient, type SoakApi } from './http';
import { sleep } from './infra';

export interface RunRecord {
  spec: RunSpec;
  id?: string;
  /** The start's final answer: 201 created, 200 an existing run (a retried start), 4xx refused. */
  startStatus?: number;
  startAttempts: number;
  refusal?: string;
  /** The first start's refusal, when the upstream system then resubmitted (RunSpec.resubmit). */
  resubmittedAfter?: string;
  cancel?: { status: number; attempts: number };
}

export interface AcceptedDecision {
  processId: string;
  process: string;
  requestId: string;
  subjectId: string;
  level: number;
  actor: string;
  decision: 'approve' | 'reject';
  override: boolean;
}

const DECIDERS = ['alex', 'taylor', 'jordan', 'casey', 'morgan', 'devi'] as const;

export class Driver {
  readonly runs: RunRecord[];
  readonly byId = new Map<string, RunRecord>();
  readonly accepted: AcceptedDecision[] = [];
  /** Decisions answered 4xx (a race lost, an override no longer possible): by status. */
  readonly refusedDecisions: Record<string, number> = {};
  /** A few refused decisions in full, to tell a lost race from a defect. */
  readonly refusedExamples: string[] = [];
  decisionRetries = 0;
  startRetries = 0;
  cancelsRequested = 0;
  /** Runs never started because the time budget for starting ran out (--max-minutes). */
  notStartedForTime = 0;
  private settled = new Set<string>();
  private inFlight = new Set<string>();
  private stopped = false;
  private pending: Promise<unknown>[] = [];

  constructor(
    private readonly api: SoakApi,
    specs: RunSpec[],
  ) {
    this.runs = specs.map((spec) => ({ spec, startAttempts: 0 }));
  }

  get started(): number {
    return this.runs.filter((r) => r.id !== undefined).length;
  }

  get refused(): number {
    return this.runs.filter((r) => r.refusal !== undefined).length;
  }

  /**
   * Starts every run, evenly over `durationMs` at the most, at most `concurrency` starts in flight,
   * and never more than `maxOpen` runs open at once (`open()` says how many are): the soak measures
   * what faults do to correct runs, not a backlog of more work than the machine can carry.
   */
  async startAll(durationMs: number, limits: { concurrency: number; maxOpen: number; open: () => number; startBy: number }): Promise<void> {
    const gap = durationMs / Math.max(1, this.runs.length);
    let next = Date.now();
    let active = 0;
    const waiters: (() => void)[] = [];
    const all: Promise<void>[] = [];
    for (const run of this.runs) {
      if (this.stopped) break;
      if (Date.now() > limits.startBy) {
        this.notStartedForTime = this.runs.length - run.spec.n;
        break;
      }
      if (next > Date.now()) await sleep(next - Date.now());
      while (active >= limits.concurrency) await new Promise<void>((r) => waiters.push(r));
      while (limits.open() + active >= limits.maxOpen && !this.stopped && Date.now() <= limits.startBy) await sleep(500);
      if (Date.now() > limits.startBy) {
        this.notStartedForTime = this.runs.length - run.spec.n;
        break;
      }
      next = Math.max(next + gap, Date.now());
      active++;
      all.push(
        this.start(run).finally(() => {
          active--;
          waiters.shift()?.();
        }),
      );
    }
    await Promise.all(all);
  }

  private async start(run: RunRecord): Promise<void> {
    let body = startBody(run.spec);
    let headers = run.spec.headers;
    for (;;) {
      run.startAttempts++;
      const res = await this.api.call('POST', `/api/v1/${run.spec.process}`, 'pos-gateway', body, headers);
      if (res.status === 201 || res.status === 200) {
        run.startStatus = res.status;
        run.id = String(res.body.id);
        this.byId.set(run.id, run);
        if (run.spec.cancelAfterS !== null) this.pending.push(sleep(run.spec.cancelAfterS * 1000).then(() => this.cancel(run)));
        return;
      }
      if (transient(res.status) && run.startAttempts < 20 && !this.stopped) {
        this.startRetries++;
        await sleep(Math.min(5_000, 500 * run.startAttempts));
        continue;
      }
      const refusal = `${res.status} ${String(res.body?.type ?? res.error ?? '').replace(/^.*\//, '')}`.trim();
      if (res.status === 422 && run.spec.resubmit && run.resubmittedAfter === undefined && !this.stopped) {
        run.resubmittedAfter = refusal;
        body = startBody(run.spec, true);
        headers = run.spec.resubmit.headers;
        continue;
      }
      run.startStatus = res.status;
      run.refusal = refusal;
      return;
    }
  }

  private async cancel(run: RunRecord): Promise<void> {
    this.cancelsRequested++;
    run.cancel = { status: 0, attempts: 0 };
    for (;;) {
      run.cancel.attempts++;
      const res = await this.api.call('POST', `/api/v1/${run.spec.process}/${encodeURIComponent(run.id!)}/cancel`, 'pos-gateway', {
        reason: 'Soak: cancelled by the upstream system',
      });
      run.cancel.status = res.status;
      if (transient(res.status) && run.cancel.attempts < 15) {
        await sleep(2_000);
        continue;
      }
      return;
    }
  }

  /**
   * Campaigns whose recipients the frequency cap holds until after `deadline` (the soak mails the
   * same few segments again and again) are cancelled as marketing would, rather than waited for a
   * day; returns how many were cancelled now.
   */
  async cancelHeldCampaigns(ids: string[], deadline: number): Promise<number> {
    let cancelled = 0;
    for (const id of ids) {
      const run = this.byId.get(id);
      if (!run || run.cancel) continue;
      const state = await this.api.call<{ stage?: string; nextAttemptAt?: string | null }>('GET', `/api/v1/campaigns/${encodeURIComponent(id)}`, 'morgan');
      const next = state.body?.nextAttemptAt ? Date.parse(state.body.nextAttemptAt) : NaN;
      if (state.status !== 200 || state.body.stage !== 'holding' || !(next > deadline)) continue;
      this.heldCampaignsCancelled++;
      cancelled++;
      await this.cancel(run);
    }
    return cancelled;
  }

  heldCampaignsCancelled = 0;

  /** Each decider polls their inbox and decides what the plan says, until stop(). */
  async decideLoop(): Promise<void> {
    await Promise.all(DECIDERS.map((p) => this.deciderLoop(p)));
  }

  stop(): void {
    this.stopped = true;
  }

  async settle(): Promise<void> {
    await Promise.allSettled(this.pending);
  }

  private async deciderLoop(principal: string): Promise<void> {
    while (!this.stopped) {
      const inbox = await this.api.call<{ items: InboxItem[] }>('GET', '/api/v1/approvals?status=pending', principal);
      if (inbox.status === 200) {
        const todo = inbox.body.items.filter((i) => i.canDecide && !this.settled.has(`${i.id}:${i.level}`) && !this.inFlight.has(`${i.id}:${i.level}`));
        // A few at a time per decider, as people with several tabs would.
        for (let k = 0; k < todo.length && !this.stopped; k += 4) {
          await Promise.all(todo.slice(k, k + 4).map((item) => this.decide(principal, item)));
        }
      }
      await sleep(3_000);
    }
  }

  private async decide(principal: string, item: InboxItem): Promise<void> {
    const key = `${item.id}:${item.level}`;
    const run = this.byId.get(item.processId);
    const plan = decisionFor(run?.spec, item.subjectId, item.level);
    if (plan === 'leave') {
      this.settled.add(key);
      return;
    }
    const body: Record<string, unknown> = { decision: plan === 'reject' ? 'reject' : 'approve' };
    if (plan === 'reject') body.comment = 'Soak: not this time.';
    let override = false;
    if (plan === 'override') {
      const alt = (item.details?.alternatives as { staffId: string }[] | undefined)?.[0];
      if (alt) {
        body.stylistId = alt.staffId;
        body.comment = 'Soak: the customer asked for this stylist.';
        override = true;
      }
    }
    if (item.process === 'replenishments') body.purchaseOrderId = item.subjectId;
    this.inFlight.add(key);
    try {
      const res = await this.api.call('POST', `/api/v1/${item.process}/${encodeURIComponent(item.processId)}/decisions`, principal, body, {
        'Idempotency-Key': `soak-${item.id}-${item.level}-${principal}`,
      });
      if (res.status === 200) {
        this.settled.add(key);
        this.accepted.push({
          processId: item.processId,
          process: item.process,
          requestId: item.id,
          subjectId: item.subjectId,
          level: item.level,
          actor: principal,
          decision: body.decision as 'approve' | 'reject',
          override,
        });
      } else if (transient(res.status)) {
        this.decisionRetries++; // still pending: the next poll tries again
      } else {
        this.settled.add(key);
        const label = `${res.status} ${String(res.body?.type ?? '').replace(/^.*\//, '')}`.trim();
        this.refusedDecisions[label] = (this.refusedDecisions[label] ?? 0) + 1;
        if (this.refusedExamples.filter((e) => e.startsWith(`${label}:`)).length < 3) {
          this.refusedExamples.push(
            `${label}: ${principal} ${body.decision} ${item.processId} ${item.subjectId} L${item.level}: ${String(res.body?.detail ?? '').slice(0, 200)}`,
          );
        }
      }
    } finally {
      this.inFlight.delete(key);
    }
  }
}

interface InboxItem {
  id: string;
  process: ProcessResource;
  processId: string;
  subjectId: string;
  level: number;
  canDecide: boolean;
  details: Record<string, unknown> | null;
}
