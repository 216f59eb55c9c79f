/**
 * A price change for one SKU, chain-wide or for some stores: guardrails, approval by magnitude
 * (category manager; the regional manager too for large store-scoped changes), a durable timer to
 * the effective time, a push to every channel or none, then watch sales and roll back at the end
 * date, on cancel, or when unit sales fall too far below forecast.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import type * as pricingActivities from '../../activities/price-change/pricing';
import type * as pricingEngineActivities from '../../activities/price-change/pricing-engine';
import type { PriceResponse } from '../../activities/price-change/pricing-engine';
import type { ChannelTarget, PricingContext } from '../../activities/price-change/pricing';
import type { ApproverSpec } from '../../domain/approval';
import { checkGuardrails, type GuardrailResult } from '../../domain/guardrails';
import { priceApprovalTier } from '../../domain/price-tiers';
import { formatShortTime } from '../../domain/run-summaries';
import { formatMoney } from '../../domain/text';
import type { GateLevel, PayloadProblem } from '../shared/approval-gate';
import { failureMessage, runProcess, type ProcessRun } from '../shared/process-run';
import { StoreId } from '../shared/search-attributes';
import { named, timer } from '../shared/summaries';
import {
  DEFAULT_PRICE_CHANGE_TIMING,
  type PriceChangeInput,
  type PriceChangeStage,
  type PriceChangeState,
  priceChangeStateQuery,
  type PriceChangeTiming,
  PROCESS_TYPE,
  type RollbackReason,
} from './messages';

type PricingActivities = ReturnType<typeof pricingActivities.createPricingActivities>;
const stepOptions: wf.ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20, nonRetryableErrorTypes: ['ProductNotFound'] },
};
const acts = wf.proxyActivities<PricingActivities>(stepOptions);

/**
 * The short database steps (read the pricing context, write the status, record the price's effect)
 * run as local activities, inside the workflow task, without a task-queue round trip each. The
 * status written right after a decision stays an activity, so the workflow task answering the
 * decision completes at once.
 */
const LOCAL_STEPS_PATCH = 'price-change-local-steps';
const localActs = wf.proxyLocalActivities<PricingActivities>(stepOptions);

/**
 * The approving decision moves the change to scheduled at its price at once, so the approver's
 * answer (the Update waits for the stage to move) does not wait for the status writes that follow.
 */
const SCHEDULED_ON_DECISION_PATCH = 'price-change-scheduled-on-decision';

const engine = wf.proxyActivities<ReturnType<typeof pricingEngineActivities.createPricingEngineActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// A channel that keeps failing is given up on (and the others compensated) rather than waited for.
const push = wf.proxyActivities<ReturnType<typeof pricingActivities.createPricingActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['ChannelRefusedPrice'],
  },
});

// Restoring a price must happen: retried until it does.
const restore = wf.proxyActivities<ReturnType<typeof pricingActivities.createPricingActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function priceChange(input: PriceChangeInput): Promise<PriceChangeState> {
  return runProcess(
    initialState(input),
    {
      processType: PROCESS_TYPE,
      stateQuery: priceChangeStateQuery,
      searchAttributes: input.storeIds?.length === 1 ? [{ key: StoreId, value: input.storeIds[0]! }] : [],
    },
    (run) =>
      changePrice({
        input,
        id: input.priceChangeId,
        timing: { ...DEFAULT_PRICE_CHANGE_TIMING, ...input.timing },
        run,
        targets: [],
        steps: wf.patched(LOCAL_STEPS_PATCH) ? localActs : acts,
      }),
  );
}

function initialState(input: PriceChangeInput): PriceChangeState {
  return {
    stage: 'checking',
    priceChangeId: input.priceChangeId,
    sku: input.sku,
    storeIds: input.storeIds,
    reason: input.reason,
    context: null,
    guardrails: null,
    priceResponse: null,
    tier: null,
    approvedPrice: null,
    effectiveAt: input.effectiveAt ?? null,
    endsAt: input.endsAt ?? null,
    pushed: [],
    restored: [],
    restoreFailed: [],
    unconfirmed: [],
    readings: [],
    rollback: null,
    pendingApproval: null,
    decisions: [],
    failure: null,
    cancellation: null,
  };
}

type Run = ProcessRun<PriceChangeState>;

/** One price change as it runs: its input, timing, skeleton, and the channels it prices (known once checked). */
interface Change {
  input: PriceChangeInput;
  id: string;
  timing: PriceChangeTiming;
  run: Run;
  targets: ChannelTarget[];
  /** Where the short database steps run: local activities, or activities in runs started before they did. */
  steps: typeof acts;
}

/** The guardrails checked, with the context they were checked in and how high the approval goes. */
interface Checked {
  ctx: PricingContext;
  guard: (requestedPrice: number) => GuardrailResult;
  result: GuardrailResult;
  tier: string;
}

/** Guard, approve, schedule, push, watch: each stage ends the run early when the change goes no further. */
async function changePrice(c: Change): Promise<PriceChangeState> {
  const { run } = c;
  const { state } = run;
  try {
    const checked = await check(c);
    if (!checked) return run.snapshot();
    const approved = await approve(c, checked);
    if (approved === 'ended') return await run.close();
    state.approvedPrice = approved.price;
    if (!(await waitUntilEffective(c))) return await run.close();
    if (!(await pushPrice(c, approved))) return await run.close();
    const rolledBack = await watchSales(c, approved.price);
    if (rolledBack) return run.snapshot();
    run.setStage('completed');
    await recordStatus(c.steps, { priceChangeId: c.id, status: 'completed', newPrice: approved.price });
    return await run.close();
  } catch (err) {
    return await run.end(err, { type: 'PriceChangeFailed', message: () => `Price change failed: ${state.failure}` }, async ({ cancelled, reason }) => {
      state.failure = reason;
      if (state.pushed.some((p) => !state.restored.includes(p.target))) {
        await rollBack(c, cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : 'failed');
      } else {
        run.setStage(cancelled ? 'cancelled' : 'failed');
        await recordStatus(c.steps, {
          priceChangeId: c.id,
          status: cancelled ? 'cancelled' : 'failed',
          actorId: state.cancellation?.actorId,
          note: state.failure ?? undefined,
        });
      }
      await wf.condition(wf.allHandlersFinished);
    });
  }
}

/** Guardrails on today's prices, the pricing engine's estimate, the approval tier and the channels; null when a hard guardrail refuses it. */
async function check(c: Change): Promise<Checked | null> {
  const { input, run } = c;
  const { state } = run;
  const ctx = await named(
    c.steps.loadPricingContext,
    `Read ${input.sku}'s price, cost, MAP and competitor prices`,
  )({ sku: input.sku, storeIds: input.storeIds });
  state.context = ctx;
  const guard = (requestedPrice: number) =>
    checkGuardrails({
      requestedPrice,
      currentPrice: ctx.currentPrice,
      cost: ctx.cost,
      map: ctx.map,
      competitorPrices: ctx.competitorPrices,
      policy: input.policy,
    });
  const result = guard(input.newPrice);
  state.guardrails = result;
  if (result.hard) {
    // The API refuses these at start; a change that got here anyway (prices moved meanwhile) stops.
    run.setStage('refused');
    await recordStatus(c.steps, { priceChangeId: c.id, status: 'refused', note: result.violations.map((v) => v.message).join('; ') });
    return null;
  }
  state.priceResponse = await named(
    engine.estimatePriceResponse,
    `Estimate ${ctx.sku}'s demand and margin at ${formatMoney(result.finalPrice)}`,
  )({
    sku: ctx.sku,
    storeIds: ctx.stores.map((s) => s.storeId),
    currentPrice: ctx.currentPrice,
    cost: ctx.cost,
    newPrice: result.finalPrice,
  });
  const storeScoped = input.storeIds !== null;
  const soft = result.violations.filter((v) => v.severity === 'soft').length;
  const tier = priceApprovalTier({ changePct: result.changePct, softViolations: soft, storeScoped });
  state.tier = tier;
  c.targets = storeScoped
    ? ctx.stores.map((s) => ({ channel: 'pos' as const, storeId: s.storeId }))
    : [...ctx.stores.map((s) => ({ channel: 'pos' as const, storeId: s.storeId })), { channel: 'ecommerce' as const }];
  return { ctx, guard, result, tier };
}

/** Approved automatically within limits, else by the category manager (and the regional manager for large store-scoped changes); 'ended' when rejected or expired. */
async function approve(c: Change, checked: Checked): Promise<{ price: number; boundBy: GuardrailResult['boundBy'] } | 'ended'> {
  const { input, run, id } = c;
  const { state } = run;
  const { ctx, guard, result: g, tier } = checked;
  let price = g.finalPrice;
  let boundBy = g.boundBy;
  if (tier === 'auto') {
    await recordStatus(c.steps, {
      priceChangeId: id,
      status: 'approved',
      newPrice: price,
      boundBy,
      actorId: 'system',
      note: 'Within the automatic approval limits.',
    });
    return { price, boundBy };
  }
  await recordStatus(c.steps, { priceChangeId: id, status: 'pending_approval', newPrice: price, boundBy });
  // Shown as awaiting approval only once the gate is open (gates.run opens it in this same activation).
  run.setStage('awaiting_approval');
  const storeScoped = input.storeIds !== null;
  const category: ApproverSpec = { role: 'category_manager', scope: { category: ctx.category } };
  const regions = [...new Set(ctx.stores.map((s) => s.regionId))];
  const levels: GateLevel[] = [{ label: 'category manager', approvers: [category] }];
  if (tier === 'category_and_regional') {
    levels[0]!.handOverWhenDue = true;
    levels.push({ label: 'regional manager', approvers: regions.map((regionId) => ({ role: 'regional_manager' as const, scope: { regionId } })) });
  }
  const priceResponse = state.priceResponse!;
  const outcome = await run.gates.run({
    processType: PROCESS_TYPE,
    path: `/api/v1/price-changes/${id}`,
    subjectType: 'price_change',
    subjectId: id,
    title: `${ctx.sku} ${ctx.name}: ${formatMoney(ctx.currentPrice)} → ${formatMoney(price)} (${pct(g.changePct)})${storeScoped ? ` in ${input.storeIds!.join(', ')}` : ', chain-wide'}`,
    summaryLines: [
      `Reason: ${input.reason}`,
      ...g.reasons,
      ...(priceResponse.impact
        ? [
            `Expected at this price (elasticity ${priceResponse.estimate.elasticity?.toFixed(2)}): revenue ${pct(priceResponse.impact.revenueChangePct ?? 0)}, gross profit ${pct(priceResponse.impact.profitChangePct ?? 0)}.`,
          ]
        : []),
      ...g.violations.map((v) => `${v.severity === 'hard' ? 'Blocked' : 'Needs approval'}: ${v.message}`),
    ],
    levels,
    escalateTo: [],
    timeouts: { escalateAfterMs: c.timing.escalateAfterMs, reminderBeforeMs: c.timing.reminderBeforeMs, expireAfterMs: c.timing.expireAfterMs },
    requestedBy: input.requestedBy,
    details: {
      sku: ctx.sku,
      category: ctx.category,
      currentPrice: ctx.currentPrice,
      proposedPrice: price,
      changePct: g.changePct,
      boundBy,
      violations: g.violations,
      storeIds: input.storeIds,
      effectiveAt: input.effectiveAt ?? null,
      endsAt: input.endsAt ?? null,
      elasticity: priceResponse.estimate.elasticity,
      expectedImpact: priceResponse.impact,
      enginePrice: priceResponse.proposal?.price ?? null,
      // What the approver's decision context is built from (the inbox reads it from the request).
      decisionInputs: { sku: ctx.sku, context: ctx, guardrails: g, priceResponse },
    },
    isOverride: (d) => counterOf(d) !== undefined,
    validatePayload: (d): PayloadProblem[] | undefined => {
      const counter = counterOf(d);
      if (counter === undefined) return undefined;
      const hard = guard(counter).violations.filter((v) => v.severity === 'hard');
      return hard.length ? hard.map((v) => ({ field: 'body.counterPrice', message: `${v.rule}: ${v.message}` })) : undefined;
    },
  });
  if (outcome.status === 'cancelled') throw new wf.CancelledFailure('Price change cancelled while awaiting approval.');
  if (outcome.status === 'rejected' || outcome.status === 'expired') {
    run.setStage(outcome.status);
    const last = outcome.decisions[outcome.decisions.length - 1];
    await recordStatus(acts, { priceChangeId: id, status: outcome.status, actorId: last?.actorId, note: last?.comment });
    await notifyPricingTeam({
      priceChangeId: id,
      step: outcome.status,
      category: ctx.category,
      storeIds: input.storeIds ?? [],
      subject: `Price change ${outcome.status}: ${ctx.sku} ${ctx.name}`,
      lines: [outcome.status === 'rejected' ? `Rejected by ${last?.actorId}: ${last?.comment ?? ''}` : 'Nobody decided it in time; it will not take effect.'],
    });
    return 'ended';
  }
  // A counter-price may come at any level and the latest one stands: a first-level counter
  // survives a second-level approval that carries none.
  const counter = [...outcome.decisions]
    .reverse()
    .filter((d) => d.decision === 'approve')
    .map(counterOf)
    .find((x) => x !== undefined);
  if (counter !== undefined) {
    const countered = guard(counter);
    state.guardrails = countered;
    price = countered.finalPrice;
    boundBy = countered.boundBy;
  }
  if (wf.patched(SCHEDULED_ON_DECISION_PATCH)) {
    state.approvedPrice = price;
    run.setStage('scheduled');
  }
  await recordStatus(acts, { priceChangeId: id, status: 'approved', newPrice: price, boundBy, actorId: outcome.finalDecision?.actorId });
  return { price, boundBy };
}

/** A durable timer to the effective time (it survives worker restarts and deploys); false when the end date passed first. */
async function waitUntilEffective(c: Change): Promise<boolean> {
  const { input, run, id } = c;
  const ctx = run.state.context!;
  run.setStage('scheduled');
  await recordStatus(c.steps, { priceChangeId: id, status: 'scheduled', newPrice: run.state.approvedPrice! });
  const effectiveAt = input.effectiveAt ? Date.parse(input.effectiveAt) : Date.now();
  if (effectiveAt > Date.now()) await wf.sleep(effectiveAt - Date.now(), timer(`Wait for the effective time ${formatShortTime(effectiveAt, input.timeZone)}`));
  if (!input.endsAt || Date.parse(input.endsAt) > Date.now()) return true;
  // Approved (or due) only after its end date: pushing now would show the price for a moment and take it back.
  run.setStage('expired');
  await recordStatus(c.steps, { priceChangeId: id, status: 'expired', note: 'The end date passed before the change could take effect.' });
  await notifyPricingTeam({
    priceChangeId: id,
    step: 'expired',
    category: ctx.category,
    storeIds: input.storeIds ?? [],
    subject: `Price change expired: ${ctx.sku} ${ctx.name}`,
    lines: [`Its end date (${input.endsAt}) passed before it could take effect; no price was changed.`],
  });
  return false;
}

/** Every channel or none; false (the team told, what was pushed restored) when a channel refused or stayed down. */
async function pushPrice(c: Change, approved: { price: number }): Promise<boolean> {
  const { input, run, id } = c;
  const { state } = run;
  const ctx = state.context!;
  const price = approved.price;
  run.setStage('pushing');
  // Not cancellable: a push in flight when a cancel arrives still lands on the channel, so the
  // pushes finish (or are compensated) first; a cancel then rolls back everything pushed.
  const pushedOk = await CancellationScope.nonCancellable(() => pushEverywhere(c, price, 'apply'));
  if (!pushedOk) {
    run.setStage('failed');
    await recordStatus(c.steps, { priceChangeId: id, status: 'failed', note: state.failure ?? undefined });
    await notifyPricingTeam({
      priceChangeId: id,
      step: 'failed',
      category: ctx.category,
      storeIds: input.storeIds ?? [],
      subject: `Price change not applied: ${ctx.sku} ${ctx.name}`,
      lines: [
        state.failure ?? 'A channel refused the price.',
        `Restored the previous price on: ${state.restored.join(', ') || 'nothing had changed'}.`,
        ...(state.unconfirmed.length
          ? [`Please check ${state.unconfirmed.join(', ')}: it did not answer, so it may show ${formatMoney(state.approvedPrice ?? 0)}.`]
          : []),
      ],
    });
    return false;
  }
  const appliedAt = new Date(Date.now()).toISOString();
  state.effectiveAt = appliedAt;
  await named(
    c.steps.recordPriceEffect,
    `Record ${ctx.sku} at ${formatMoney(price)} on ${pluralChannels(c.targets.length)}`,
  )({
    priceChangeId: id,
    step: 'apply',
    sku: ctx.sku,
    price,
    targets: c.targets,
    chainWide: input.storeIds === null,
    effectiveAt: appliedAt,
  });
  run.setStage('effective');
  await recordStatus(c.steps, { priceChangeId: id, status: 'effective', newPrice: price });
  return true;
}

/** Watches sales until the end date (or the monitoring window); true when it rolled the change back (a slump, or the end date). */
async function watchSales(c: Change, price: number): Promise<boolean> {
  const { input, run, timing } = c;
  const { state } = run;
  const ctx = state.context!;
  const appliedAt = state.effectiveAt!;
  const endAt = input.endsAt ? Date.parse(input.endsAt) : Date.parse(appliedAt) + timing.monitorWindowMs;
  const judgeFrom = Date.parse(appliedAt) + timing.monitorAfterMs;
  const floor = input.kpiFloorRatio ?? 0.7;
  for (;;) {
    const now = Date.now();
    if (now >= endAt) break;
    const nextCheck = Math.max(judgeFrom, now + timing.monitorEveryMs);
    const wakeAt = Math.min(endAt, nextCheck);
    const wakeFor = wakeAt === endAt && input.endsAt ? 'the end date' : 'the next sales check';
    await wf.sleep(Math.max(1, wakeAt - now), timer(`Wait for ${wakeFor} ${formatShortTime(wakeAt, input.timeZone)}`));
    if (Date.now() >= endAt) break;
    const reading = await named(
      acts.measureSalesVsForecast,
      `Compare ${ctx.sku}'s unit sales at ${formatMoney(price)} with the forecast`,
    )({
      sku: ctx.sku,
      storeIds: ctx.stores.map((s) => s.storeId),
      effectiveAt: appliedAt,
      oldPrice: ctx.currentPrice,
      newPrice: price,
      elasticity: input.elasticity ?? forecastElasticity(state.priceResponse),
      includePartialDays: input.kpiIncludePartialDays,
    });
    state.readings.push({ ...reading, at: new Date(Date.now()).toISOString() });
    if (reading.ratio !== null && reading.ratio < floor) {
      await rollBack(c, 'kpi');
      return true;
    }
  }
  if (!input.endsAt) return false;
  await rollBack(c, 'scheduled_end');
  return true;
}

/** All channels or none: on a refusal or a channel that stays down, restores what was pushed. */
async function pushEverywhere(c: Change, price: number, step: string): Promise<boolean> {
  const { state } = c.run;
  for (const target of c.targets) {
    try {
      const r = await named(
        push.pushChannelPrice,
        `Set ${c.input.sku} to ${formatMoney(price)} on ${targetName(target)}`,
      )({ priceChangeId: c.id, step, sku: c.input.sku, target, price });
      state.pushed.push({ target: targetName(target), price, previousPrice: r.previousPrice });
    } catch (err) {
      if (isCancellation(err)) throw err;
      state.failure = `${targetName(target)}: ${failureMessage(err)}`;
      // A refusal (4xx) did not apply. A channel that stayed down may have taken the price on an
      // attempt whose answer was lost; its previous price is unknown, so a person checks it.
      if (!isRefusal(err)) state.unconfirmed.push(targetName(target));
      await restorePushed(c, 'compensate');
      return false;
    }
  }
  return true;
}

/**
 * Puts every pushed channel back to the price it had before (the catalogue price when it had
 * none). A channel that refuses the restore (4xx) is reported, not retried forever, and the
 * others are still restored.
 */
async function restorePushed(c: Change, step: string): Promise<void> {
  const { state } = c.run;
  for (const p of [...state.pushed].reverse()) {
    if (state.restored.includes(p.target) || state.restoreFailed.includes(p.target)) continue;
    const target = c.targets.find((t) => targetName(t) === p.target)!;
    try {
      const price = restoredPrice(state, p);
      await named(
        restore.pushChannelPrice,
        `Restore ${c.input.sku} to ${formatMoney(price)} on ${p.target}`,
      )({ priceChangeId: c.id, step, sku: c.input.sku, target, price });
      state.restored.push(p.target);
    } catch (err) {
      if (isCancellation(err)) throw err;
      state.restoreFailed.push(p.target);
      state.failure = [state.failure, `restoring ${p.target}: ${failureMessage(err)}`].filter(Boolean).join('; ');
    }
  }
  if (state.restoreFailed.length > 0) {
    await notifyPricingTeam({
      priceChangeId: c.id,
      step: `restore-failed-${step}`,
      category: state.context!.category,
      storeIds: c.input.storeIds ?? [],
      subject: `Action needed: the previous price of ${c.input.sku} could not be restored on ${state.restoreFailed.join(', ')}`,
      lines: [state.failure ?? '', 'Please set the price on those channels by hand.'],
    });
  }
}

function restoredPrice(state: PriceChangeState, p: { previousPrice: number | null }): number {
  return p.previousPrice ?? state.context!.currentPrice;
}

async function rollBack(c: Change, reason: RollbackReason, status: PriceChangeStage = 'rolled_back'): Promise<void> {
  const { run, input, id } = c;
  const { state } = run;
  state.rollback = { reason, at: new Date(Date.now()).toISOString() };
  run.setStage('rolling_back');
  await restorePushed(c, 'rollback');
  const ctx = state.context!;
  const restoredTargets = state.pushed.filter((p) => state.restored.includes(p.target));
  await named(
    restore.recordPriceEffect,
    `Record ${ctx.sku} back at ${formatMoney(ctx.currentPrice)} on ${pluralChannels(restoredTargets.length)}`,
  )({
    priceChangeId: id,
    step: 'rollback',
    sku: ctx.sku,
    price: ctx.currentPrice,
    targets: restoredTargets.map((p) => c.targets.find((t) => targetName(t) === p.target)!),
    prices: Object.fromEntries(restoredTargets.map((p) => [p.target, restoredPrice(state, p)])),
    chainWide: input.storeIds === null,
    effectiveAt: new Date(Date.now()).toISOString(),
  });
  run.setStage(status);
  await recordStatus(c.steps, {
    priceChangeId: id,
    status: status === 'rolled_back' ? 'rolled_back' : status,
    actorId: state.cancellation?.actorId,
    note: `Rolled back (${reason}).`,
  });
  await notifyPricingTeam({
    priceChangeId: id,
    step: 'rolled-back',
    category: ctx.category,
    storeIds: input.storeIds ?? [],
    subject: `Price change rolled back: ${ctx.sku} ${ctx.name} is ${formatMoney(ctx.currentPrice)} again`,
    lines: [
      {
        scheduled_end: 'The change reached its end date.',
        kpi: 'Unit sales fell below the forecast floor.',
        cancelled: `Cancelled: ${state.cancellation?.reason ?? ''}`,
        failed: `Failed: ${state.failure ?? ''}`,
      }[reason],
      ...state.readings.slice(-1).map((r) => `Last reading: ${r.actualPerDay} units a day against ${r.expectedPerDay} expected.`),
    ],
  });
}

/** The change's status in Postgres, through the same proxy (activity or local activity) as before summaries. */
function recordStatus(via: typeof acts, args: Parameters<PricingActivities['setPriceChangeStatus']>[0]) {
  return named(via.setPriceChangeStatus, `Record the change as ${args.status.replace(/_/g, ' ')}`)(args);
}

function notifyPricingTeam(args: Parameters<PricingActivities['notifyPricingTeam']>[0]) {
  return named(acts.notifyPricingTeam, `Email the pricing team: ${args.subject}`)(args);
}

const pluralChannels = (n: number) => (n === 1 ? '1 channel' : `${n} channels`);

const counterOf = (d: { payload?: Record<string, unknown> }) => (typeof d.payload?.counterPrice === 'number' ? d.payload.counterPrice : undefined);

/** The estimated elasticity when it is a plausible one (demand falls as price rises), else a typical apparel -1.5. */
function forecastElasticity(r: PriceResponse | null): number {
  const e = r?.estimate.elasticity;
  return e !== null && e !== undefined && e < 0 ? e : -1.5;
}

function isRefusal(err: unknown): boolean {
  return err instanceof wf.ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'ChannelRefusedPrice';
}

function targetName(t: ChannelTarget): string {
  return t.channel === 'pos' ? `pos:${t.storeId}` : 'ecommerce';
}

function pct(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
}
