import { Router, type Request } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowExecutionDescription } from '@temporalio/client';
import { ApplicationFailure, type TypedSearchAttributes } from '@temporalio/common';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { NON_DECIDING_ROLES, type Principal } from '../../domain/approval';
import { RunStateCache } from '../run-state-cache';
import { runStoreIds } from '../../domain/visibility';
import { decideUpdate, GateErrors, type DecisionReceipt } from '../../workflows/shared/approval-gate';
import { cancelRequestSignal } from '../../workflows/shared/cancellation';
import { ApprovalPending, ApproverRole, BusinessStatus, ProcessType, StoreId, StoreIds } from '../../workflows/shared/search-attributes';
import { principalOf, requireRole } from '../auth';
import { HttpProblem, problems } from '../errors';
import { CancelBodySchema, DecisionBodySchema, IdParamSchema, ListQuerySchema, StateQuerySchema, type StatePart } from '../schemas';
import { assertRunVisible, visibleStoreIds } from '../scope';
import { parse } from '../validate';
import type { ProcessDefinition, ProcessDeps } from '../processes/definition';

type ProcessStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export function processStatus(name: string | undefined): ProcessStatus {
  switch (name) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return 'failed';
  }
}

const STATUS_QUERY: Record<ProcessStatus, string> = {
  running: "ExecutionStatus = 'Running'",
  completed: "ExecutionStatus = 'Completed'",
  failed: "ExecutionStatus IN ('Failed', 'TimedOut', 'Terminated')",
  cancelled: "ExecutionStatus = 'Canceled'",
};

const STATE_QUERY_DEADLINE_MS = 10_000;
/** Runs whose last state read is kept per process (a state is up to some 30 KB). */
const RUN_STATE_CACHE_RUNS = 500;

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/**
 * Runs concerning any of these stores: StoreIds holds every store of a run (a price change for
 * S001 and S002 has both); StoreId alone finds the runs started before StoreIds existed.
 */
export function storeClause(storeIds: readonly string[]): string {
  const list = storeIds.map(quote).join(', ');
  return storeIds.length === 1 ? `(StoreIds = ${list} OR StoreId = ${list})` : `(StoreIds IN (${list}) OR StoreId IN (${list}))`;
}

/** The generic resource calls of the contract, implemented once for every process. */
export function processRouter(def: ProcessDefinition<any>, deps: ProcessDeps): Router {
  const router = Router();
  const stateCache = new RunStateCache<RunState>(RUN_STATE_CACHE_RUNS);
  const decisionSchema = DecisionBodySchema.extend(def.decisionSchema.shape).strict();

  /** The run behind an ID; 404 when there is none or it is another process's. */
  async function describeRun(id: string): Promise<WorkflowExecutionDescription> {
    let desc: WorkflowExecutionDescription;
    try {
      desc = await deps.client.workflow.getHandle(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`No ${def.title.toLowerCase()} ${id}.`);
      throw err;
    }
    if (desc.typedSearchAttributes.get(ProcessType) !== def.processType) throw problems.notFound(`No ${def.title.toLowerCase()} ${id}.`);
    return desc;
  }

  /** The stores whose people may read a run: StoreIds, or StoreId for a run started before StoreIds existed; none for chain-wide work. */
  function storesOf(desc: WorkflowExecutionDescription): string[] {
    if (def.storeScoped === false) return [];
    return runStoreIds(desc.typedSearchAttributes.get(StoreIds), desc.typedSearchAttributes.get(StoreId));
  }

  /** The same, 403 when none of the run's stores is the caller's. */
  async function describe(id: string, p: Principal): Promise<WorkflowExecutionDescription> {
    const desc = await describeRun(id);
    await assertRunVisible(deps.db, p, storesOf(desc));
    return desc;
  }

  /**
   * A query needs a worker to answer it: while none can (all killed or overloaded), answer 503 with
   * Retry-After after a bounded wait instead of holding the request open for the server's default.
   */
  function queryState(handle: ReturnType<typeof deps.client.workflow.getHandle>) {
    return deps.client.withDeadline(Date.now() + STATE_QUERY_DEADLINE_MS, () => handle.query(def.stateQuery));
  }

  interface RunState {
    state: Record<string, unknown>;
    /** The workflow's result once it completed, else null. */
    result: unknown;
  }

  /**
   * The run's state from the workflow query (or the answer of one already sent), and its result once
   * it completed (the query's answer itself where that is the result).
   */
  async function readState(id: string, desc: WorkflowExecutionDescription, queried?: Promise<unknown>): Promise<RunState> {
    const handle = deps.client.workflow.getHandle(id, desc.runId);
    const state = (await (queried ?? queryState(handle))) as Record<string, unknown>;
    if (processStatus(desc.status.name) !== 'completed') return { state, result: null };
    if (def.resultIsState) return { state, result: state };
    return { state, result: await handle.result().catch(() => null) };
  }

  /** What an answer says of the run itself: from describe, or from the run answering a decision. */
  interface RunFacts {
    runId: string;
    status: ProcessStatus;
    startedAt: string;
    closedAt: string | null;
    /** The stage search attribute, for a state that has no stage. */
    businessStatus?: string;
  }

  function factsOf(desc: WorkflowExecutionDescription): RunFacts {
    return {
      runId: desc.runId,
      status: processStatus(desc.status.name),
      startedAt: desc.startTime.toISOString(),
      closedAt: desc.closeTime?.toISOString() ?? null,
      businessStatus: desc.typedSearchAttributes.get(BusinessStatus),
    };
  }

  /** GET's answer (and a decision's): the run with its state, the parts computed from it, and the parts `include` asks for. */
  async function stateOf(id: string, run: RunFacts, { state, result }: RunState, include: ReadonlySet<StatePart> | undefined) {
    const derived = def.derived ? def.derived(state) : {};
    const context = include?.has('context') && def.context ? await def.context(deps, state) : {};
    return {
      id,
      workflowId: id,
      runId: run.runId,
      status: run.status,
      stage: String(state.stage ?? run.businessStatus ?? 'unknown'),
      startedAt: run.startedAt,
      closedAt: run.closedAt,
      ...state,
      ...derived,
      ...context,
      pendingApproval: state.pendingApproval ?? null,
      decisions: state.decisions ?? [],
      result,
    };
  }

  // A workflow ID longer than any business key (Temporal refuses IDs over 1,000 bytes) is a 400 here.
  router.param('id', (_req, _res, next, id: string) => {
    try {
      parse(IdParamSchema, { id }, 'params');
      next();
    } catch (err) {
      next(err);
    }
  });

  if (def.routes) router.use('/', def.routes(deps, { describe }));

  router.post('/', async (req, res) => {
    const principal = requireRole(req, def.startRoles, `start ${def.resource}`);
    const body = parse(def.startSchema, req.body, 'body');
    const idempotencyKey = req.header('idempotency-key') ?? undefined;
    const started = await def.start(deps, body, principal, idempotencyKey);
    const desc = await deps.client.workflow.getHandle(started.workflowId, started.runId).describe();
    res
      .status(started.created ? 201 : 200)
      .location(`${req.baseUrl}/${encodeURIComponent(started.workflowId)}`)
      .json({ id: started.workflowId, workflowId: started.workflowId, runId: started.runId, status: processStatus(desc.status.name) });
  });

  router.get('/', async (req, res) => {
    const p = principalOf(req);
    const q = parse(ListQuerySchema, req.query, 'query');
    const clauses = [`ProcessType = ${quote(def.processType)}`];
    if (q.status) clauses.push(STATUS_QUERY[q.status]);
    const visible = await visibleStoreIds(deps.db, p);
    if (q.storeId) {
      if (visible && !visible.includes(q.storeId)) throw problems.forbidden(`${p.id} has no access to store ${q.storeId}.`);
      clauses.push(storeClause([q.storeId]));
    } else if (visible) {
      if (visible.length === 0) return void res.json({ items: [], nextPageToken: null });
      clauses.push(storeClause(visible));
    }
    const query = clauses.join(' AND ');
    const nextPageToken = q.pageToken ? deps.pageTokens.decode(q.pageToken, query) : undefined;
    if (q.pageToken && !nextPageToken) {
      throw problems.validation([{ field: 'query.pageToken', message: 'is not a page token this API issued for this list; start again without it' }]);
    }
    const resp = await deps.client.workflowService.listWorkflowExecutions({
      namespace: deps.client.options.namespace,
      query,
      pageSize: q.pageSize,
      nextPageToken,
    });
    const items = await Promise.all(
      (resp.executions ?? []).map(async (raw) => {
        const info = await executionInfoFromRaw(raw, deps.client.options.loadedDataConverter, raw, deps.client.options.namespace);
        const sa: TypedSearchAttributes = info.typedSearchAttributes;
        return {
          id: info.workflowId,
          workflowId: info.workflowId,
          runId: info.runId,
          status: processStatus(info.status.name),
          stage: sa.get(BusinessStatus) ?? null,
          storeId: sa.get(StoreId) ?? null,
          storeIds: runStoreIds(sa.get(StoreIds), sa.get(StoreId)),
          approvalPending: sa.get(ApprovalPending) ?? false,
          approverRoles: sa.get(ApproverRole) ?? [],
          startedAt: info.startTime.toISOString(),
          closedAt: info.closeTime?.toISOString() ?? null,
        };
      }),
    );
    const token = resp.nextPageToken && resp.nextPageToken.length ? deps.pageTokens.encode(resp.nextPageToken, query) : null;
    res.json({ items, nextPageToken: token });
  });

  router.get('/:id', async (req: Request<{ id: string }>, res) => {
    const p = principalOf(req);
    const { include } = parse(StateQuerySchema, req.query, 'query');
    // A run read before is described first: when its history has not moved since, its state is the
    // answer kept then (api/run-state-cache.ts), no worker asked; otherwise the query goes out after
    // describe, and its answer is kept for the next read. A run's first read sends the query with
    // describe, not after it (the read takes the longer of the two rather than their sum); it asks
    // the ID's current run, the one describe answers for (a run continuing as new in between answers
    // with its successor's state). A query has no effect, and its answer is used only once describe
    // has found this process's run and the caller's stores are checked.
    const id = req.params.id;
    const seen = stateCache.seen(id);
    const queried = seen ? undefined : queryState(deps.client.workflow.getHandle(id));
    queried?.catch(() => undefined); // describe's 404 or the store check's 403 is the answer then
    const desc = await describeRun(id);
    const cached = seen ? stateCache.get(id, desc.runId, desc.historyLength) : undefined;
    const reading = cached
      ? Promise.resolve(cached)
      : readState(id, desc, queried).then((value) => {
          if (queried) stateCache.markSeen(id);
          else stateCache.set(id, desc.runId, desc.historyLength, value);
          return value;
        });
    const [visible, read] = await Promise.allSettled([assertRunVisible(deps.db, p, storesOf(desc)), reading]);
    if (visible.status === 'rejected') throw visible.reason;
    if (read.status === 'rejected') throw read.reason;
    res.json(await stateOf(id, factsOf(desc), read.value, include));
  });

  router.post('/:id/decisions', async (req: Request<{ id: string }>, res) => {
    const p = principalOf(req);
    if (NON_DECIDING_ROLES.includes(p.role)) throw problems.forbidden(`Role ${p.role} may not decide approvals.`);
    const { include } = parse(StateQuerySchema, req.query, 'query');
    const body = parse(decisionSchema, req.body, 'body') as Record<string, unknown> & { decision: 'approve' | 'reject'; comment?: string; subjectId?: string };
    // One Update, no describe first: the gate's validator refuses another process's run (404) and a
    // run of none of the caller's stores (403) before anything else, as describe did here before.
    // The ID alone: a run that continued as new since the caller read it gets the decision.
    const visible = def.storeScoped === false ? null : await visibleStoreIds(deps.db, p);
    const handle = deps.client.workflow.getHandle(req.params.id);
    let receipt: DecisionReceipt;
    try {
      receipt = await handle.executeUpdate(decideUpdate, {
        args: [
          {
            decision: body.decision,
            comment: body.comment,
            subjectId: def.decisionSubject?.(body) ?? body.subjectId,
            actor: { id: p.id, role: p.role, allScopes: p.allScopes, storeIds: p.storeIds, regionIds: p.regionIds, categories: p.categories },
            payload: def.decisionPayload(body),
            addressedAs: { processType: def.processType, visibleStoreIds: visible },
          },
        ],
        updateId: req.header('idempotency-key') ?? undefined,
      });
    } catch (err) {
      throw await decisionRefusal(err, req.params.id, p);
    }
    // The Update answers once the workflow has acted on the decision, with the state after it and
    // the run that answered. Runs started before it did so answer with a receipt only (and workers
    // before it without the run): their state is read once.
    if (receipt.state && receipt.run) {
      const run: RunFacts = { runId: receipt.run.runId, status: 'running', startedAt: receipt.run.startedAt, closedAt: null };
      return void res.json(await stateOf(req.params.id, run, { state: receipt.state as Record<string, unknown>, result: null }, include));
    }
    const after = await describe(req.params.id, p);
    res.json(await stateOf(req.params.id, factsOf(after), await readState(req.params.id, after), include));
  });

  /**
   * Why an Update was refused: the gate's own refusals map directly. A run that is finished, gone or
   * never was (or answered no decision Update) is described once to tell 404 (none, or another
   * process's), 403 (none of the caller's stores) and 409 (finished: nothing pending).
   */
  async function decisionRefusal(err: unknown, id: string, p: Principal): Promise<unknown> {
    const gate = gateProblem(err, id, def.title);
    if (gate) return gate;
    try {
      const desc = await describe(id, p);
      if (processStatus(desc.status.name) !== 'running' || isRunGone(err)) return nothingPending(id);
    } catch (described) {
      return described;
    }
    return err;
  }

  router.post('/:id/cancel', async (req: Request<{ id: string }>, res) => {
    const p = requireRole(req, def.cancelRoles, `cancel ${def.resource}`);
    const body = parse(CancelBodySchema, req.body ?? {}, 'body');
    const desc = await describe(req.params.id, p);
    if (processStatus(desc.status.name) !== 'running') throw problems.conflict('not-running', `${req.params.id} has already finished.`);
    // The workflow ID alone: a run that continued as new since `describe` still gets the cancel.
    const handle = deps.client.workflow.getHandle(req.params.id);
    await handle.signal(cancelRequestSignal, { reason: body.reason, actorId: p.id, requestedAt: new Date().toISOString() });
    await handle.cancel();
    res.status(202).json({ id: req.params.id, workflowId: req.params.id, runId: desc.runId, status: 'running', cancellation: 'requested' });
  });

  return router;
}

const nothingPending = (id: string) => problems.conflict('nothing-pending', `${id} has finished; nothing is pending a decision.`);

/** The run had closed (or never existed) when the Update reached it. */
function isRunGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return /workflow execution already completed|not found/i.test(err instanceof Error ? err.message : '');
}

/** Maps the approval gate's failure types to HTTP problems; undefined for any other failure. */
export function gateProblem(err: unknown, id: string, title: string): HttpProblem | undefined {
  if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)) return undefined;
  const msg = err.cause.message;
  switch (err.cause.type) {
    case GateErrors.notAuthorized:
    case GateErrors.selfApproval:
    case GateErrors.notVisible:
      return problems.forbidden(msg);
    case GateErrors.unknownRun:
      return problems.notFound(`No ${title.toLowerCase()} ${id}.`);
    case GateErrors.nothingPending:
      return problems.conflict('nothing-pending', msg);
    case GateErrors.alreadyDecided:
      return problems.conflict('already-decided', msg);
    case GateErrors.unknownSubject:
      return problems.notFound(msg);
    case GateErrors.invalidDecision: {
      const fields = err.cause.details?.[0];
      const errors = Array.isArray(fields) && fields.length > 0 ? (fields as { field: string; message: string }[]) : [{ field: 'body', message: msg }];
      return problems.validation(errors, msg);
    }
  }
  return undefined;
}
