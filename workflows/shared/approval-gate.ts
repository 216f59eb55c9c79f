/**
 * The one approval-gate mechanism every process uses: required role and scope per level, due
 * time with reminder and escalation, a final deadline, first decision wins, no self-approval,
 * comment required on reject or override, every decision audited.
 *
 * A workflow creates one ApprovalGates; it registers the shared `decide` Update (with a validator)
 * and runs any number of gates, one per subject (a purchase order, a price change, ...).
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, type RetryPolicy } from '@temporalio/workflow';
import type * as approvalActivities from '../../activities/shared/approvals';
import { checkDecision, type ApproverSpec, type DecisionKind, type Principal } from '../../domain/approval';
import { findTextProblems, type TextProblem } from '../../domain/storable-text';
import { activityApplicationFailure } from './activity-failure';
import { noAccessMessage, runStoreIds, runVisibleTo } from '../../domain/visibility';
import { ApprovalPending, ApproverRole, ProcessType, StoreId, StoreIds } from './search-attributes';
import { named, timer } from './summaries';
import { formatShortTime } from '../../domain/run-summaries';

export interface DecisionInput {
  decision: DecisionKind;
  comment?: string;
  /** Which gate, where a workflow has several open (e.g. the purchase order ID); optional when one is pending. */
  subjectId?: string;
  /** The authenticated caller, as the API resolved it from the API key. */
  actor: Principal;
  /** Process-specific content: another stylist, edited quantities, a counter-price. */
  payload?: Record<string, unknown>;
  /**
   * How the caller reached this run: the process it addressed and the stores it sees (null: every
   * store). The validator refuses a decision sent to another process's run (UnknownRun) or to a run
   * of none of those stores (NotVisible) before anything else, so the API needs no describe first.
   */
  addressedAs?: { processType: string; visibleStoreIds: string[] | null };
}

export interface DecisionReceipt {
  requestId: string;
  subjectId: string;
  decision: DecisionKind;
  level: number;
  gateStatus: GateStatus;
  /**
   * The process's state once the workflow has acted on the decision (moved to its next stage, or
   * opened the next level); absent from runs that started before decisions answered with it.
   */
  state?: unknown;
  /** The run that answered, with the state (absent where the state is, from workers before it). */
  run?: { runId: string; startedAt: string };
}

/** The single Update through which every process receives decisions. */
export const decideUpdate = wf.defineUpdate<DecisionReceipt, [DecisionInput]>('decide');

/** Failure types the API maps to HTTP statuses. */
export const GateErrors = {
  nothingPending: 'NothingPending', // 409
  alreadyDecided: 'AlreadyDecided', // 409
  notAuthorized: 'NotAuthorized', // 403
  selfApproval: 'SelfApproval', // 403
  invalidDecision: 'InvalidDecision', // 400; details[0], when present, lists { field, message }
  unknownSubject: 'UnknownSubject', // 404
  unknownRun: 'UnknownRun', // 404: the run is another process's
  notVisible: 'NotVisible', // 403: none of the run's stores is the caller's
} as const;

/** A field-level problem with a decision's process-specific content. */
export interface PayloadProblem {
  field: string;
  message: string;
}

export interface GateLevel {
  label: string;
  approvers: ApproverSpec[];
  /**
   * When this level passes its due time and a later level exists, hand the request up to that
   * level (its approvers then decide alone) instead of adding `escalateTo` approvers here. Keeps a
   * two-level request from needing the same regional manager twice.
   */
  handOverWhenDue?: boolean;
}

export interface GateTimeouts {
  /** From the opening of a level to escalation; also the due time shown to approvers. */
  escalateAfterMs: number;
  /** Reminder this long before escalation (0 = no reminder). */
  reminderBeforeMs: number;
  /** From the opening of a level to expiry (the process then applies its default). */
  expireAfterMs: number;
}

export interface GateSpec {
  processType: string;
  /** API path of the process instance, for links in emails. */
  path: string;
  subjectType: string;
  subjectId: string;
  title: string;
  summaryLines: string[];
  levels: GateLevel[];
  /** Who is added as approver when a level passes its due time; they are emailed. */
  escalateTo?: ApproverSpec[];
  timeouts: GateTimeouts;
  requestedBy?: string;
  /** Principals who are the subject of the request and so may not decide it. */
  excludedPrincipalIds?: string[];
  details: Record<string, unknown>;
  /** Whether a decision departs from the recommendation (comment then required). */
  isOverride?: (input: DecisionInput) => boolean;
  /** Process-specific payload check; return a message, or the fields at fault, to reject the decision as invalid. */
  validatePayload?: (input: DecisionInput) => string | PayloadProblem[] | undefined;
}

export type GateStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface GateDecision {
  level: number;
  /** 'handed_over': the level passed its due time and went up to the next one (actor `system`). */
  decision: DecisionKind | 'expired' | 'handed_over';
  actorId: string;
  actorRole: string;
  comment?: string;
  payload?: Record<string, unknown>;
  decidedAt: string;
}

export interface PendingApproval {
  requestId: string;
  subjectType: string;
  subjectId: string;
  title: string;
  level: number;
  levelCount: number;
  levelLabel: string;
  approvers: ApproverSpec[];
  dueAt: string;
  expiresAt: string;
  escalated: boolean;
  details: Record<string, unknown>;
}

export interface GateOutcome {
  requestId: string;
  status: Exclude<GateStatus, 'pending'>;
  decisions: GateDecision[];
  /** The approving decision of the last level (its payload carries overrides and edits). */
  finalDecision?: GateDecision;
}

interface OpenGate {
  requestId: string;
  spec: GateSpec;
  level: number;
  approvers: ApproverSpec[];
  openedAt: number;
  escalated: boolean;
  status: GateStatus;
  decisions: GateDecision[];
  levelDecision?: GateDecision;
  /** A decision being recorded: the level stays open, and other decisions wait, until it is. */
  recording?: GateDecision;
  /** The request row exists (a decision recorded before it would break its foreign key). */
  opened?: boolean;
  /** run() has handed its outcome back to the workflow, which acts on it in this same activation. */
  handedBack?: boolean;
  /** The decision's own record closed the inbox row (approved or rejected): nothing left to sync. */
  closedByDecision?: boolean;
}

/**
 * Records a decision before the gate acts on it, so a decision the database refuses (InvalidData)
 * is undone and refused instead of acted on unrecorded. Runs recorded before acted at once.
 */
const RECORD_DECISION_FIRST_PATCH = 'approval-gate-record-decision-first';

/**
 * Writes the request row even when the run is cancelled meanwhile, so the gate's closing sync
 * always finds it: a cancel that arrived while the row was being written left it PENDING in the
 * approvals inbox of a process that no longer waits for it.
 */
const OPEN_REQUEST_WHATEVER_CANCELS_PATCH = 'approval-gate-open-request-whatever-cancels';

/**
 * Approver emails outlive the gate that sent them: a workflow cancel no longer cancels them, and the
 * run ends only once each has crossed SMTP or been withdrawn (its request decided meanwhile). Before,
 * a notice still retrying through an SMTP outage was dropped when the run closed, and never sent.
 */
const NOTICES_SETTLE_PATCH = 'approval-notices-settle-before-close';

/**
 * A decision answers once the workflow has acted on it, with the state after it (the API makes one
 * Update and no polling). The wait is bounded: a decision whose bookkeeping is slow (the database
 * retrying) answers with the state as it stands by then.
 */
const DECIDE_ANSWERS_WITH_STATE_PATCH = 'approval-decide-answers-with-state';
const ACTED_ON_WAIT_MS = 10_000;

/** The activity failure type of a decision the database refuses (activities/shared/data-errors.ts). */
const INVALID_DATA = 'InvalidData';

/**
 * A decision's record closes the inbox row when it settles the gate (one short transaction); the gate hands its outcome back at once and brings the row's level and approvers up to
 * date in the background (awaited before the run ends). So the Update answers as soon as the
 * workflow has acted on the decision, in the same workflow task.
 */
const FAST_DECISION_PATCH = 'approval-decision-fast-path';

const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 };
const acts = wf.proxyActivities<ReturnType<typeof approvalActivities.createApprovalActivities>>({ startToCloseTimeout: '30 seconds', retry });
type ApprovalActivities = ReturnType<typeof approvalActivities.createApprovalActivities>;

function openRequest(request: Parameters<ApprovalActivities['openApprovalRequest']>[0]) {
  return named(acts.openApprovalRequest, `Open the approval request: ${request.title}`)(request);
}

function recordDecision(record: Parameters<ApprovalActivities['recordApprovalDecision']>[0]) {
  return named(acts.recordApprovalDecision, `Record ${record.actor.id}'s ${record.decision.replace(/_/g, ' ')} at level ${record.level}`)(record);
}

/**
 * Runs a process with its approval gates: the run ends (returns, fails, is cancelled or continues
 * as new) only after every approver email its gates started has crossed SMTP or been withdrawn.
 */
export async function withApprovalGates<T>(process: (gates: ApprovalGates) => Promise<T>): Promise<T> {
  const gates = new ApprovalGates();
  try {
    return await process(gates);
  } finally {
    await gates.settleNotices();
  }
}

export class ApprovalGates {
  private readonly gates: OpenGate[] = [];
  /** Approver notices still being sent (retrying through an SMTP outage, say). */
  private outstandingNotices = 0;
  /** Inbox rows being brought up to date after their gate handed back (fast decisions). */
  private readonly backgroundSyncs: Promise<void>[] = [];
  private backgroundSyncError: unknown;
  /** The process's state and stage, for a decision's answer (its skeleton registers them). */
  private process?: { state: () => unknown; stage: () => string };

  constructor() {
    wf.setHandler(decideUpdate, (input) => this.decide(input), { validator: (input) => this.validate(input) });
  }

  /** A decision answers with the process's state once the workflow has acted on it (left the stage it was decided in). */
  answerDecisionsWith(process: { state: () => unknown; stage: () => string }): void {
    this.process = process;
  }

  /** Open approvals, for the process's state query. */
  pending(): PendingApproval[] {
    return this.gates.filter((g) => g.status === 'pending').map((g) => this.view(g));
  }

  decisions(): (GateDecision & { subjectId: string })[] {
    return this.gates.flatMap((g) => g.decisions.map((d) => ({ ...d, subjectId: g.spec.subjectId })));
  }

  /** Waits, even in a cancelled run, until every approver notice has gone out or been withdrawn. */
  async settleNotices(): Promise<void> {
    if (this.backgroundSyncs.length > 0) {
      await wf.CancellationScope.nonCancellable(() => Promise.all(this.backgroundSyncs));
      if (this.backgroundSyncError !== undefined) throw this.backgroundSyncError;
    }
    if (this.outstandingNotices === 0 || !wf.patched(NOTICES_SETTLE_PATCH)) return;
    await wf.CancellationScope.nonCancellable(() => wf.condition(() => this.outstandingNotices === 0));
  }

  /** Ends every open gate; the running `run` calls return status 'cancelled'. */
  cancelAll(): void {
    for (const g of this.gates) if (g.status === 'pending') g.status = 'cancelled';
  }

  async run(spec: GateSpec): Promise<GateOutcome> {
    const info = wf.workflowInfo();
    const gate: OpenGate = {
      requestId: `${info.workflowId}:${spec.subjectType}:${spec.subjectId}:${this.gates.filter((g) => g.spec.subjectId === spec.subjectId).length + 1}`,
      spec,
      level: 1,
      approvers: spec.levels[0].approvers,
      openedAt: Date.now(),
      escalated: false,
      status: 'pending',
      decisions: [],
    };
    this.gates.push(gate);
    this.publishSearchAttributes();
    const request = {
      id: gate.requestId,
      workflowId: info.workflowId,
      processType: spec.processType,
      subjectType: spec.subjectType,
      subjectId: spec.subjectId,
      title: spec.title,
      level: 1,
      levelCount: spec.levels.length,
      approvers: gate.approvers,
      requestedBy: spec.requestedBy,
      dueAt: this.dueAt(gate),
      details: spec.details,
    };
    if (wf.patched(OPEN_REQUEST_WHATEVER_CANCELS_PATCH)) {
      await wf.CancellationScope.nonCancellable(() => openRequest(request));
    } else {
      await openRequest(request);
    }
    gate.opened = true;

    try {
      while (gate.status === 'pending') {
        this.notify(gate, 'requested');
        const settled = await this.awaitLevelDecision(gate);
        if (!settled) break;
        const d = gate.levelDecision!;
        if (d.decision === 'reject') {
          gate.status = 'rejected';
        } else if (gate.level >= spec.levels.length) {
          gate.status = 'approved';
        } else {
          gate.level += 1;
          gate.approvers = spec.levels[gate.level - 1].approvers;
          gate.openedAt = Date.now();
          gate.escalated = false;
          gate.levelDecision = undefined;
          await this.syncRequest(gate);
        }
      }
    } catch (err) {
      if (gate.status === 'pending') gate.status = 'cancelled';
      throw err;
    } finally {
      this.publishSearchAttributes();
      if (wf.patched(FAST_DECISION_PATCH)) {
        if (!(gate.closedByDecision && (gate.status === 'approved' || gate.status === 'rejected'))) {
          const sync = wf.CancellationScope.nonCancellable(() => this.syncRequest(gate));
          this.backgroundSyncs.push(
            sync.catch((err: unknown) => {
              this.backgroundSyncError ??= err;
            }),
          );
        }
      } else {
        await wf.CancellationScope.nonCancellable(() => this.syncRequest(gate));
      }
      gate.handedBack = true;
    }
    const status = gate.status as GateOutcome['status'];
    return {
      requestId: gate.requestId,
      status,
      decisions: gate.decisions,
      finalDecision: status === 'approved' ? gate.decisions[gate.decisions.length - 1] : undefined,
    };
  }

  /** Waits for this level's decision through reminder, escalation and expiry. False when the gate ended without one. */
  private async awaitLevelDecision(gate: OpenGate): Promise<boolean> {
    const t = gate.spec.timeouts;
    let reminded = t.reminderBeforeMs <= 0 || t.escalateAfterMs - t.reminderBeforeMs <= 0;
    for (;;) {
      const escalateAt = gate.openedAt + t.escalateAfterMs;
      const expireAt = gate.openedAt + t.expireAfterMs;
      const remindAt = escalateAt - t.reminderBeforeMs;
      const next = Math.min(...[!reminded ? remindAt : Infinity, !gate.escalated ? escalateAt : Infinity, expireAt]);
      const deadline = next === expireAt ? 'expiry' : next === escalateAt ? 'escalation' : 'reminder';
      const done = await wf.condition(
        () => gate.levelDecision !== undefined || gate.status !== 'pending',
        Math.max(next - Date.now(), 1),
        timer(`Wait for the ${gate.spec.levels[gate.level - 1]!.label}'s decision until the ${deadline} at ${formatShortTime(next)}: ${gate.spec.title}`),
      );
      if (gate.levelDecision) return true;
      if (gate.status !== 'pending') return false;
      if (done) continue;
      if (gate.recording) {
        // A decision arrived before the deadline: it wins unless the database refuses it.
        await wf.condition(() => gate.recording === undefined || gate.status !== 'pending');
        continue;
      }
      const now = Date.now();
      if (now >= expireAt) {
        gate.status = 'expired';
        gate.decisions.push({ level: gate.level, decision: 'expired', actorId: 'system', actorRole: 'system', decidedAt: new Date(now).toISOString() });
        this.notify(gate, 'expired');
        return false;
      }
      const level = gate.spec.levels[gate.level - 1];
      if (!gate.escalated && now >= escalateAt && level.handOverWhenDue && gate.level < gate.spec.levels.length) {
        const handOver: GateDecision = {
          level: gate.level,
          decision: 'handed_over',
          actorId: 'system',
          actorRole: 'system',
          decidedAt: new Date(now).toISOString(),
        };
        gate.levelDecision = handOver;
        gate.decisions.push(handOver);
        await recordDecision({
          id: `${gate.requestId}:L${gate.level}`,
          requestId: gate.requestId,
          workflowId: wf.workflowInfo().workflowId,
          level: handOver.level,
          decision: handOver.decision,
          actor: { id: 'system', role: 'system' },
          comment: `Not decided by ${this.dueAt(gate)}; handed over to ${gate.spec.levels[gate.level].label}.`,
          decidedAt: handOver.decidedAt,
        });
        return true;
      }
      if (!gate.escalated && now >= escalateAt) {
        gate.escalated = true;
        const extra = (gate.spec.escalateTo ?? []).filter((a) => !gate.approvers.some((b) => b.role === a.role));
        gate.approvers = [...gate.approvers, ...extra];
        this.publishSearchAttributes();
        await this.syncRequest(gate);
        this.notify(gate, 'escalated', extra.length ? extra : gate.approvers);
        reminded = true;
      } else if (!reminded && now >= remindAt) {
        reminded = true;
        this.notify(gate, 'reminder');
      }
    }
  }

  private findGate(input: DecisionInput): OpenGate | undefined {
    const open = this.gates.filter((g) => g.status === 'pending');
    if (input.subjectId !== undefined) return open.find((g) => g.spec.subjectId === input.subjectId);
    return open.length === 1 ? open[0] : undefined;
  }

  private validate(input: DecisionInput): void {
    if (input.addressedAs) checkAddressedAs(input.addressedAs, input.actor.id);
    const gate = this.findGate(input);
    if (!gate) {
      const decided = input.subjectId !== undefined && this.gates.some((g) => g.spec.subjectId === input.subjectId);
      if (decided) throw ApplicationFailure.nonRetryable(`${input.subjectId} is already decided.`, GateErrors.alreadyDecided);
      const open = this.gates.filter((g) => g.status === 'pending');
      if (input.subjectId !== undefined && open.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `Nothing named ${input.subjectId} awaits a decision here; pending: ${open.map((g) => g.spec.subjectId).join(', ')}.`,
          GateErrors.unknownSubject,
        );
      }
      throw ApplicationFailure.nonRetryable(
        open.length > 1
          ? `Several approvals are pending; name the one you decide (${open.map((g) => g.spec.subjectId).join(', ')}).`
          : 'Nothing is pending a decision.',
        open.length > 1 ? GateErrors.invalidDecision : GateErrors.nothingPending,
      );
    }
    if (gate.levelDecision) throw ApplicationFailure.nonRetryable('This level was already decided.', GateErrors.alreadyDecided);
    if (gate.recording) throw ApplicationFailure.nonRetryable('Another decision on this level is being recorded.', GateErrors.alreadyDecided);
    const unstorable = unstorableDecisionFields(input);
    if (unstorable.length > 0) {
      throw ApplicationFailure.create({
        message: unstorable.map((p) => `${p.field} ${p.message}`).join('; '),
        type: GateErrors.invalidDecision,
        nonRetryable: true,
        details: [unstorable.map(({ field, message }) => ({ field, message }))],
      });
    }
    const earlier = gate.decisions.filter((d) => d.level < gate.level).map((d) => d.actorId);
    const check = checkDecision(
      input.actor,
      gate.approvers,
      { decision: input.decision, comment: input.comment, isOverride: gate.spec.isOverride?.(input) ?? false },
      { requestedBy: gate.spec.requestedBy, excludedPrincipalIds: gate.spec.excludedPrincipalIds, earlierDeciders: earlier },
    );
    if (!check.ok) {
      const type = { not_authorized: GateErrors.notAuthorized, self_approval: GateErrors.selfApproval, invalid_decision: GateErrors.invalidDecision }[
        check.code
      ];
      throw ApplicationFailure.nonRetryable(check.message, type);
    }
    if (input.decision === 'approve') {
      const problem = gate.spec.validatePayload?.(input);
      if (typeof problem === 'string') throw ApplicationFailure.nonRetryable(problem, GateErrors.invalidDecision);
      if (problem && problem.length > 0) {
        throw ApplicationFailure.create({
          message: problem.map((p) => `${p.field}: ${p.message}`).join(' '),
          type: GateErrors.invalidDecision,
          nonRetryable: true,
          details: [problem],
        });
      }
    }
  }

  private async decide(input: DecisionInput): Promise<DecisionReceipt> {
    // Validators of concurrent updates can all pass before any handler runs: first handler wins.
    const gate = this.findGate(input);
    if (!gate || gate.levelDecision || gate.recording) throw ApplicationFailure.nonRetryable('Already decided.', GateErrors.alreadyDecided);
    const decision: GateDecision = {
      level: gate.level,
      decision: input.decision,
      actorId: input.actor.id,
      actorRole: input.actor.role,
      comment: input.comment?.trim() || undefined,
      payload: input.payload,
      decidedAt: new Date(Date.now()).toISOString(),
    };
    const record = {
      id: `${gate.requestId}:L${gate.level}`,
      requestId: gate.requestId,
      workflowId: wf.workflowInfo().workflowId,
      level: decision.level,
      decision: decision.decision,
      actor: { id: input.actor.id, role: input.actor.role },
      comment: decision.comment,
      payload: decision.payload,
      decidedAt: decision.decidedAt,
    };
    if (!wf.patched(RECORD_DECISION_FIRST_PATCH)) {
      gate.levelDecision = decision;
      gate.decisions.push(decision);
      await recordDecision(record);
      return { requestId: gate.requestId, subjectId: gate.spec.subjectId, decision: input.decision, level: decision.level, gateStatus: gate.status };
    }
    // The gate shows as pending while its request row is still being written: record after it.
    await wf.condition(() => gate.opened === true || gate.status !== 'pending');
    if (gate.status !== 'pending' || gate.levelDecision || gate.recording) throw ApplicationFailure.nonRetryable('Already decided.', GateErrors.alreadyDecided);
    gate.recording = decision;
    const fastPath = wf.patched(FAST_DECISION_PATCH);
    try {
      if (fastPath) {
        const settles = decision.decision === 'reject' ? 'REJECTED' : gate.level >= gate.spec.levels.length ? 'APPROVED' : undefined;
        // An activity, not a local one: decisions arriving together record side by side, and local
        // activities resolved together may replay in another order (nondeterminism the soak found).
        await recordDecision({ ...record, settles });
        gate.closedByDecision = settles !== undefined;
      } else {
        await recordDecision(record);
      }
    } catch (err) {
      const failure = activityApplicationFailure(err);
      const refused = failure?.type === INVALID_DATA ? failure : undefined;
      if (!refused) throw err;
      // Nothing was recorded: the level stays open for a decision that can be.
      throw ApplicationFailure.create({
        message: `The decision could not be recorded, so it was not taken: ${refused.message}`,
        type: GateErrors.invalidDecision,
        nonRetryable: true,
        details: [[{ field: 'decision', message: `could not be recorded: ${refused.message}` }]],
      });
    } finally {
      gate.recording = undefined;
    }
    gate.levelDecision = decision;
    gate.decisions.push(decision);
    const process = this.process;
    if (process && fastPath) {
      // Acted on: the next level opened, or the outcome handed back and the process moved on from the
      // stage it was decided in (or other approvals wait). No timeout: a timer started and cancelled
      // within one workflow task is never sent, and replay may resolve the record in another one.
      const decidedIn = process.stage();
      await wf.condition(
        () => gate.level > decision.level || (gate.handedBack === true && (process.stage() !== decidedIn || this.gates.some((g) => g.status === 'pending'))),
      );
      const receipt = { requestId: gate.requestId, subjectId: gate.spec.subjectId, decision: input.decision, level: decision.level, gateStatus: gate.status };
      return { ...receipt, state: process.state(), run: answeringRun() };
    }
    if (process && wf.patched(DECIDE_ANSWERS_WITH_STATE_PATCH)) {
      // Acted on: the next level is open; or run() has handed the outcome back and the workflow has
      // left the stage it was decided in, or other approvals still wait.
      const decidedIn = process.stage();
      const actedOn = () =>
        (gate.status === 'pending' && gate.level > decision.level) ||
        (gate.handedBack === true && (process.stage() !== decidedIn || this.gates.some((g) => g.status === 'pending')));
      await wf.condition(actedOn, ACTED_ON_WAIT_MS);
      const receipt = { requestId: gate.requestId, subjectId: gate.spec.subjectId, decision: input.decision, level: decision.level, gateStatus: gate.status };
      return { ...receipt, state: process.state(), run: answeringRun() };
    }
    return { requestId: gate.requestId, subjectId: gate.spec.subjectId, decision: input.decision, level: decision.level, gateStatus: gate.status };
  }

  private dueAt(g: OpenGate): string {
    return new Date(g.openedAt + g.spec.timeouts.escalateAfterMs).toISOString();
  }

  private view(g: OpenGate): PendingApproval {
    return {
      requestId: g.requestId,
      subjectType: g.spec.subjectType,
      subjectId: g.spec.subjectId,
      title: g.spec.title,
      level: g.level,
      levelCount: g.spec.levels.length,
      levelLabel: g.spec.levels[g.level - 1].label,
      approvers: g.approvers,
      dueAt: this.dueAt(g),
      expiresAt: new Date(g.openedAt + g.spec.timeouts.expireAfterMs).toISOString(),
      escalated: g.escalated,
      details: g.spec.details,
    };
  }

  private async syncRequest(g: OpenGate): Promise<void> {
    await named(
      acts.updateApprovalRequest,
      `Update the approval request: ${g.status}, level ${g.level}`,
    )({
      id: g.requestId,
      level: g.level,
      approvers: g.approvers,
      dueAt: this.dueAt(g),
      status: g.status.toUpperCase() as 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED',
      detailsPatch: { escalated: g.escalated },
    });
  }

  /**
   * Emails approvers without holding up the gate: a decision made while SMTP is slow or down is
   * acted on at once, and the emails follow (each at most once) when SMTP is back, or are withdrawn
   * if the request was decided meanwhile. settleNotices() waits for them before the run ends.
   */
  private notify(g: OpenGate, kind: 'requested' | 'reminder' | 'escalated' | 'expired', to: ApproverSpec[] = g.approvers): void {
    const notice = {
      requestId: g.requestId,
      workflowId: wf.workflowInfo().workflowId,
      kind,
      level: g.level,
      approvers: to,
      title: g.spec.title,
      lines: g.spec.summaryLines,
      dueAt: this.dueAt(g),
      path: g.spec.path,
    };
    const send = () => named(acts.notifyApprovers, `Email the approvers (${kind}): ${g.spec.title}`)(notice);
    const sending = wf.patched(NOTICES_SETTLE_PATCH) ? wf.CancellationScope.nonCancellable(send) : send();
    this.outstandingNotices += 1;
    void sending
      .catch(() => undefined)
      .then(() => {
        this.outstandingNotices -= 1;
      });
  }

  private publishSearchAttributes(): void {
    const open = this.gates.filter((g) => g.status === 'pending');
    const roles = [...new Set(open.flatMap((g) => g.approvers.map((a) => a.role)))];
    wf.upsertSearchAttributes([
      { key: ApprovalPending, value: open.length > 0 },
      { key: ApproverRole, value: roles },
    ]);
  }
}

/** Refuses a decision the caller addressed to another process's run, or to a run of none of its stores. */
function checkAddressedAs(addressed: NonNullable<DecisionInput['addressedAs']>, actorId: string): void {
  const sa = wf.workflowInfo().typedSearchAttributes;
  if (sa.get(ProcessType) !== addressed.processType) {
    throw ApplicationFailure.nonRetryable(`This run is not a ${addressed.processType}.`, GateErrors.unknownRun);
  }
  const stores = runStoreIds(sa.get(StoreIds), sa.get(StoreId));
  if (!runVisibleTo(stores, addressed.visibleStoreIds)) throw ApplicationFailure.nonRetryable(noAccessMessage(actorId, stores), GateErrors.notVisible);
}

function answeringRun(): NonNullable<DecisionReceipt['run']> {
  const info = wf.workflowInfo();
  return { runId: info.runId, startedAt: info.startTime.toISOString() };
}

/** The decision's free text (comment, payload, who and what it names) that Postgres could not store. */
function unstorableDecisionFields(input: DecisionInput): TextProblem[] {
  return [
    ...findTextProblems(input.comment, 'comment'),
    ...findTextProblems(input.payload, 'payload'),
    ...findTextProblems(input.subjectId, 'subjectId'),
    ...findTextProblems(input.actor?.id, 'actor.id'),
  ];
}
