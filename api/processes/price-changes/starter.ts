import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { checkGuardrails, type GuardrailResult } from '../../../domain/guardrails';
import { priceChange } from '../../../workflows/price-change/workflow';
import { PROCESS_TYPE, type PriceChangeInput } from '../../../workflows/price-change/messages';
import { BusinessStatus, ProcessType, StoreId, StoreIds } from '../../../workflows/shared/search-attributes';
import { priceChangeDetails, priceChangeSummary, sharedTimeZone, type PriceChangeFacts } from '../../../domain/run-summaries';
import type { StartedProcess } from '../definition';
import type { Db } from '../../../platform/db';
import { loadPricingContext } from '../../../platform/pricing-context';
import { assertStorableInput } from '../../../platform/storable-input';

/** Statuses in which a change holds its SKU and stores: a second change for them is refused. */
export const ACTIVE_PRICE_CHANGE_STATUSES = ['requested', 'pending_approval', 'approved', 'scheduled', 'effective'];

/** Statuses of a claim whose workflow never started: a repeat of the same request may start it. */
const NEVER_STARTED_STATUSES = ['requested', 'not_started'];
const STALE_CLAIM_MS = 2 * 60_000;

async function runExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export class PriceChangeRefused extends Error {
  constructor(
    readonly kind: 'unknown_product' | 'unknown_store' | 'guardrail' | 'conflict',
    message: string,
    readonly guardrails?: GuardrailResult,
    readonly conflictWith?: string,
  ) {
    super(message);
  }
}

export function priceChangeWorkflowId(sku: string, requestKey?: string): string {
  const suffix = requestKey ? createHash('sha256').update(requestKey).digest('hex').slice(0, 16) : randomUUID().slice(0, 13);
  return `price-change-${sku}-${suffix}`;
}

/**
 * Starts a price change: the SKU and stores must exist, the price must pass the hard guardrails,
 * and no other active change may hold the same SKU in any of the same stores (a chain-wide change
 * holds them all). The claim is a PriceChange row written under a per-SKU advisory lock, so two
 * requests arriving together cannot both pass. A repeated Idempotency-Key returns the first start.
 */
export async function startPriceChange(
  deps: { client: Client; db: Db; taskQueue: string },
  input: Omit<PriceChangeInput, 'priceChangeId'> & { idempotencyKey?: string },
): Promise<StartedProcess & { guardrails: GuardrailResult }> {
  assertStorableInput(input, 'input');
  const { db } = deps;
  const workflowId = priceChangeWorkflowId(input.sku, input.idempotencyKey ? `${input.requestedBy}:${input.idempotencyKey}` : undefined);
  const ctx = await loadPricingContext(db, input.sku, input.storeIds);
  if (!ctx) throw new PriceChangeRefused('unknown_product', `Product ${input.sku} does not exist.`);
  const guardrails = checkGuardrails({
    requestedPrice: input.newPrice,
    currentPrice: ctx.currentPrice,
    cost: ctx.cost,
    map: ctx.map,
    competitorPrices: ctx.competitorPrices,
    policy: input.policy,
  });

  const existing = await db.priceChange.findUnique({ where: { id: workflowId } });
  if (existing) {
    try {
      const desc = await deps.client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: desc.runId, created: false, guardrails };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Claimed but never started (the start failed, a concurrent repeat has not started it yet,
      // or the API stopped in between): carry on and start it. A change that did run and has since
      // left Temporal's retention is not run a second time.
      if (!NEVER_STARTED_STATUSES.includes(existing.status)) {
        throw new PriceChangeRefused(
          'conflict',
          `${workflowId} was already requested and is ${existing.status}; it is not started again.`,
          undefined,
          workflowId,
        );
      }
    }
  }
  if (input.storeIds) {
    const missing = input.storeIds.filter((s) => !ctx.stores.some((c) => c.storeId === s));
    if (missing.length) throw new PriceChangeRefused('unknown_store', `Unknown store ${missing.join(', ')}.`);
  }
  if (guardrails.hard) {
    const hard = guardrails.violations.filter((v) => v.severity === 'hard');
    throw new PriceChangeRefused('guardrail', hard.map((v) => v.message).join(' '), guardrails);
  }

  const claimed = await db.$transaction(async (tx): Promise<'claimed' | 'started_by_repeat'> => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`price-change:${input.sku}`}))`;
    // This request's own claim (an earlier attempt with the same Idempotency-Key) is no clash.
    const active = await tx.priceChange.findMany({ where: { sku: input.sku, status: { in: ACTIVE_PRICE_CHANGE_STATUSES }, id: { not: workflowId } } });
    const overlapping = active.filter((a) => a.storeIds.length === 0 || input.storeIds === null || a.storeIds.some((s) => input.storeIds!.includes(s)));
    let clash: (typeof overlapping)[number] | undefined;
    for (const a of overlapping) {
      // A claim whose run never started (the API stopped in between) stops holding the SKU after a while.
      if (a.status === 'requested' && a.createdAt.getTime() < Date.now() - STALE_CLAIM_MS && !(await runExists(deps.client, a.id))) {
        await tx.priceChange.update({ where: { id: a.id }, data: { status: 'not_started' } });
        continue;
      }
      clash = a;
      break;
    }
    if (clash) {
      throw new PriceChangeRefused(
        'conflict',
        `${input.sku} already has an active price change (${clash.id}, ${clash.status}) for ${clash.storeIds.length ? clash.storeIds.join(', ') : 'every store'}.`,
        undefined,
        clash.id,
      );
    }
    const own = await tx.priceChange.findUnique({ where: { id: workflowId } });
    // A concurrent repeat of this request has started it meanwhile (its run has moved the status on).
    if (own && !NEVER_STARTED_STATUSES.includes(own.status)) return 'started_by_repeat';
    // Claimed by a concurrent repeat of this request: its claim stands, and whichever start comes second answers 200.
    if (own?.status === 'requested') return 'claimed';
    const claim = {
      sku: input.sku,
      storeIds: input.storeIds ?? [],
      oldPrice: ctx.currentPrice,
      newPrice: guardrails.finalPrice,
      status: 'requested',
      reason: input.reason,
      boundBy: guardrails.boundBy,
      effectiveAt: input.effectiveAt ? new Date(input.effectiveAt) : new Date(),
      endsAt: input.endsAt ? new Date(input.endsAt) : null,
      requestedBy: input.requestedBy,
    };
    if (own) await tx.priceChange.update({ where: { id: workflowId }, data: claim });
    else await tx.priceChange.create({ data: { id: workflowId, workflowId, ...claim } });
    return 'claimed';
  });
  if (claimed === 'started_by_repeat') {
    const desc = await deps.client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: desc.runId, created: false, guardrails };
  }

  const { idempotencyKey: _key, ...rest } = input;
  // Times in the run's summaries read in the stores' zone when they share one.
  const zones = await db.store.findMany({ where: input.storeIds ? { id: { in: input.storeIds } } : {}, select: { timezone: true } });
  const timeZone = sharedTimeZone(zones.map((z) => z.timezone)) ?? undefined;
  const facts: PriceChangeFacts = {
    sku: ctx.sku,
    productName: ctx.name,
    category: ctx.category,
    storeIds: input.storeIds,
    currentPrice: ctx.currentPrice,
    newPrice: guardrails.finalPrice,
    boundBy: guardrails.boundBy,
    effectiveAt: input.effectiveAt,
    endsAt: input.endsAt,
    timeZone,
    reason: input.reason,
    requestedBy: input.requestedBy,
  };
  try {
    const handle = await deps.client.workflow.start(priceChange, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ ...rest, priceChangeId: workflowId, ...(timeZone ? { timeZone } : {}) }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: ProcessType, value: PROCESS_TYPE },
        { key: BusinessStatus, value: 'checking' },
        ...(input.storeIds?.length === 1 ? [{ key: StoreId, value: input.storeIds[0]! }] : []),
        ...(input.storeIds?.length ? [{ key: StoreIds, value: input.storeIds }] : []),
      ],
      staticSummary: priceChangeSummary(facts),
      staticDetails: priceChangeDetails(facts),
    });
    return { workflowId, runId: handle.firstExecutionRunId, created: true, guardrails };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const desc = await deps.client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: desc.runId, created: false, guardrails };
    }
    // Not started: give the SKU back.
    await db.priceChange.update({ where: { id: workflowId }, data: { status: 'not_started' } });
    throw err;
  }
}
