import { Router, type Request } from 'express';
import type { Db } from '../../../platform/db';
import { PriceChangeRefused, startPriceChange } from './starter';
import { PROCESS_TYPE, priceChangeStateQuery } from '../../../workflows/price-change/messages';
import { principalOf, requireRole, type AuthedPrincipal } from '../../auth';
import { HttpProblem, problems } from '../../errors';
import { assertStoreVisible, visibleStoreIds } from '../../scope';
import { z } from '../../zod';
import type { ProcessDefinition } from '../definition';
import { priceChangeApprovalDetails, PriceChangeApprovalDetailsSchema, priceDecisionContext, PriceChangeStateSchema } from './approval-context';

const DAY_MS = 86_400_000;
const timingMs = z
  .number()
  .int()
  .min(1000)
  .max(90 * DAY_MS);
const money = z
  .number()
  .positive('must be more than 0')
  .max(1_000_000)
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'at most two decimals');

export const PriceChangeStartSchema = z
  .object({
    sku: z.string().min(1).max(64),
    storeIds: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a store ID such as S001'))
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'names a store twice')
      .optional()
      .openapi({ description: 'The stores the price applies to (their POS); absent: chain-wide, every store and e-commerce.' }),
    newPrice: money,
    reason: z.string().trim().min(3).max(1000),
    effectiveAt: z.string().datetime({ offset: true }).optional().openapi({ description: 'When the price takes effect (default: as soon as approved).' }),
    endsAt: z.string().datetime({ offset: true }).optional().openapi({ description: 'When the prior price is restored (default: the change stays).' }),
    kpiFloorRatio: z.number().min(0).max(1).optional().openapi({ description: 'Roll back when unit sales fall below this share of forecast (default 0.7).' }),
    timing: z
      .object({
        escalateAfterMs: timingMs.optional(),
        reminderBeforeMs: z
          .number()
          .int()
          .min(0)
          .max(90 * DAY_MS)
          .optional(),
        expireAfterMs: timingMs.optional(),
        monitorWindowMs: timingMs.optional(),
        monitorEveryMs: timingMs.optional(),
        monitorAfterMs: z
          .number()
          .int()
          .min(0)
          .max(90 * DAY_MS)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const start = b.effectiveAt ? Date.parse(b.effectiveAt) : Date.now();
    if (b.endsAt && Date.parse(b.endsAt) <= start) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after effectiveAt (or now)' });
    if (b.effectiveAt && Date.parse(b.effectiveAt) > Date.now() + 365 * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['effectiveAt'], message: 'is more than a year ahead' });
  })
  .openapi('PriceChangeStart');

type StartBody = z.infer<typeof PriceChangeStartSchema>;

const CANCEL_ROLES = ['system', 'category_manager', 'regional_manager'] as const;

/**
 * The generic routes check a caller's stores only through the StoreId search attribute, which a
 * change for several stores (or chain-wide) does not have. These checks read the change's claim row:
 * a store-scoped reader needs one of its stores (a chain-wide change touches every store); a
 * canceller needs the same scope as a starter (the category; every named store, for a regional manager).
 * An ID without a row is left to the generic routes (404).
 */
async function assertMayRead(db: Db, p: AuthedPrincipal, id: string): Promise<void> {
  // A caller who sees every store (no database read to know it) needs no row.
  const visible = await visibleStoreIds(db, p);
  if (!visible) return;
  const row = await db.priceChange.findUnique({ where: { id }, select: { storeIds: true } });
  if (!row || row.storeIds.length === 0) return;
  if (!row.storeIds.some((s) => visible.includes(s))) throw problems.forbidden(`${p.id} has no access to the stores of ${id}.`);
}

async function assertMayCancel(db: Db, p: AuthedPrincipal, id: string): Promise<void> {
  if (p.allScopes) return;
  const row = await db.priceChange.findUnique({ where: { id }, select: { sku: true, storeIds: true } });
  if (!row) return;
  if (p.role === 'category_manager') {
    const product = await db.product.findUnique({ where: { sku: row.sku }, select: { category: true } });
    if (product && !p.categories.includes(product.category)) throw problems.forbidden(`${p.id} does not manage category ${product.category}.`);
    return;
  }
  if (row.storeIds.length === 0) throw problems.forbidden(`${id} is chain-wide; ${p.id} may only cancel price changes for stores of their region.`);
  const visible = await visibleStoreIds(db, p);
  const outside = visible ? row.storeIds.filter((s) => !visible.includes(s)) : [];
  if (outside.length) throw problems.forbidden(`${p.id} has no access to store ${outside.join(', ')}.`);
}

export const priceChanges: ProcessDefinition<StartBody> = {
  resource: 'price-changes',
  processType: PROCESS_TYPE,
  title: 'Price change',
  startRoles: ['system', 'category_manager', 'regional_manager'],
  cancelRoles: CANCEL_ROLES,
  startSchema: PriceChangeStartSchema,
  decisionSchema: z
    .object({
      counterPrice: money.optional().openapi({ description: 'Approve this price instead (guardrails re-checked; comment required).' }),
    })
    .strict(),
  async start(deps, body, principal, idempotencyKey) {
    const product = await deps.db.product.findUnique({ where: { sku: body.sku }, select: { category: true } });
    if (!product) throw problems.notFound(`Product ${body.sku} does not exist.`);
    if (principal.role === 'category_manager' && !principal.allScopes && !principal.categories.includes(product.category)) {
      throw problems.forbidden(`${principal.id} does not manage category ${product.category}.`);
    }
    if (principal.role === 'regional_manager' && !principal.allScopes) {
      if (!body.storeIds) throw problems.forbidden(`${principal.id} may only change prices in stores of their region; name the storeIds.`);
      for (const s of body.storeIds) await assertStoreVisible(deps.db, principal, s);
    }
    try {
      return await startPriceChange(deps, {
        sku: body.sku,
        storeIds: body.storeIds ?? null,
        newPrice: body.newPrice,
        reason: body.reason,
        effectiveAt: body.effectiveAt,
        endsAt: body.endsAt,
        kpiFloorRatio: body.kpiFloorRatio,
        timing: body.timing,
        requestedBy: principal.id,
        idempotencyKey,
      });
    } catch (err) {
      if (!(err instanceof PriceChangeRefused)) throw err;
      switch (err.kind) {
        case 'unknown_product':
        case 'unknown_store':
          throw problems.notFound(err.message);
        case 'conflict':
          throw new HttpProblem(409, 'price-conflict', 'Conflict', err.message, { conflictWith: err.conflictWith });
        case 'guardrail': {
          const hard = err.guardrails!.violations.filter((v) => v.severity === 'hard');
          throw new HttpProblem(422, 'guardrail-violation', 'Guardrail violation', err.message, {
            errors: hard.map((v) => ({ field: 'body.newPrice', message: v.message, code: v.rule })),
            guardrails: err.guardrails,
          });
        }
      }
    }
  },
  routes(deps) {
    const router = Router();
    router.get('/:id', async (req: Request<{ id: string }>, _res, next) => {
      await assertMayRead(deps.db, principalOf(req), req.params.id);
      next();
    });
    router.post('/:id/cancel', async (req: Request<{ id: string }>, _res, next) => {
      const p = requireRole(req, CANCEL_ROLES, 'cancel price-changes');
      await assertMayCancel(deps.db, p, req.params.id);
      next();
    });
    return router;
  },
  stateQuery: priceChangeStateQuery,
  stateSchema: PriceChangeStateSchema,
  // Computed from the state alone in microseconds: answered always, without `include=context`.
  derived: (state) => ({ decisionContext: priceDecisionContext(state) }),
  resultIsState: true,
  approvalDetails: priceChangeApprovalDetails,
  approvalDetailsSchema: PriceChangeApprovalDetailsSchema,
  decisionPayload: (b) => (typeof b.counterPrice === 'number' ? { counterPrice: b.counterPrice } : undefined),
};
