/**
 * What a price change's approver needs, from the workflow's own state (guardrails, pricing context
 * and the pricing engine's reading were computed once by its activities; nothing is recomputed):
 * every guardrail check with its limit and pass/fail, the binding rule, margin, competitor band and
 * median, the elasticity with a confidence or the reason there is none, and the expected impact.
 */
import { DEFAULT_PRICE_POLICY } from '../../../domain/guardrails';
import { roundTo } from '../../../domain/text';
import { processStateFields } from '../../schemas';
import { z } from '../../zod';
import { CancelRequestSchema, gateDecisionWith, pendingApprovalWith } from '../approval-schemas';

const RULE_LABELS: Record<string, string> = {
  invalid: 'Valid price',
  cost_floor: 'Not below cost',
  map_floor: 'Not below the minimum advertised price (MAP)',
  hard_floor: 'Not below the hard floor',
  hard_ceiling: 'Not above the hard ceiling',
  margin_floor: 'Gross margin at least the policy minimum',
  max_change: 'Change within the one-step limit',
  competitor_band: 'Within the band around the competitor median',
  charm_rounding: 'Charm price (.99)',
};

export const GuardrailCheckSchema = z
  .object({
    rule: z.string(),
    label: z.string(),
    limit: z.number().nullable().openapi({ description: 'The floor or ceiling price the rule allows; null when it does not apply' }),
    ok: z.boolean(),
    severity: z.enum(['hard', 'soft']).nullable().openapi({ description: 'Of the violation, when the check failed' }),
    message: z.string().nullable(),
  })
  .strict()
  .openapi('GuardrailCheck');

export const PriceDecisionContextSchema = z
  .object({
    sku: z.string(),
    productName: z.string().nullable(),
    category: z.string().nullable(),
    cost: z.number().nullable(),
    currentPrice: z.number().nullable(),
    requestedPrice: z.number().nullable(),
    finalPrice: z.number().nullable(),
    changePct: z.number().nullable(),
    checks: z.array(GuardrailCheckSchema),
    bindingRule: z.string().nullable().openapi({ description: 'The rule that set the final price when it differs from the request' }),
    bindingReason: z.string().nullable(),
    margin: z.object({ currentPct: z.number().nullable(), proposedPct: z.number().nullable(), minimumPct: z.number() }).strict(),
    competitors: z
      .object({
        prices: z.array(z.number()),
        median: z.number().nullable(),
        band: z.object({ low: z.number(), high: z.number(), halfWidthPct: z.number() }).strict().nullable(),
      })
      .strict(),
    elasticity: z
      .object({
        value: z.number().nullable(),
        r2: z.number().nullable(),
        points: z.number().int(),
        confidence: z.enum(['high', 'medium', 'low']).nullable(),
        reason: z.string().nullable().openapi({ description: 'Why there is no estimate, or what limits its confidence' }),
      })
      .strict(),
    expectedImpact: z
      .object({
        baselineUnitsPerDay: z.number(),
        unitsPerDay: z.number(),
        unitsChangePct: z.number().nullable(),
        revenuePerDay: z.number(),
        revenueChangePct: z.number().nullable(),
        grossProfitPerDay: z.number(),
        grossProfitChangePct: z.number().nullable(),
      })
      .strict()
      .nullable(),
    enginePrice: z.number().nullable().openapi({ description: 'The profit-maximising price the pricing engine proposes (advisory)' }),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('PriceDecisionContext');

export type PriceDecisionContext = z.infer<typeof PriceDecisionContextSchema>;

type Obj = Record<string, any>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Confidence of a log-log fit from how much it explains and how many points it rests on. */
export function elasticityConfidence(r2: number | null, points: number): 'high' | 'medium' | 'low' | null {
  if (r2 === null) return null;
  if (r2 >= 0.5 && points >= 60) return 'high';
  if (r2 >= 0.2 && points >= 30) return 'medium';
  return 'low';
}

/** The decision context of a price change state; null before its guardrails were checked. */
export function priceDecisionContext(state: Obj): PriceDecisionContext | null {
  const g = state.guardrails as Obj | null;
  if (!g) return null;
  const ctx = (state.context ?? {}) as Obj;
  const response = state.priceResponse as Obj | null;
  const violations = (Array.isArray(g.violations) ? g.violations : []) as Obj[];
  const checks = ((Array.isArray(g.checks) ? g.checks : []) as Obj[]).map((c) => {
    const v = violations.find((x) => x.rule === c.rule);
    return {
      rule: String(c.rule),
      label: RULE_LABELS[String(c.rule)] ?? String(c.rule),
      limit: num(c.limit),
      ok: c.ok === true,
      severity: v ? (v.severity === 'hard' ? ('hard' as const) : ('soft' as const)) : null,
      message: v ? String(v.message) : null,
    };
  });
  const cost = num(ctx.cost);
  const current = num(ctx.currentPrice);
  const competitorPrices = (Array.isArray(ctx.competitorPrices) ? ctx.competitorPrices : []).filter((p: unknown): p is number => num(p) !== null);
  const median = num(g.competitorMedian);
  const bandPct = DEFAULT_PRICE_POLICY.competitorBandPct;
  const estimate = (response?.estimate ?? null) as Obj | null;
  const e = num(estimate?.elasticity);
  const r2 = num(estimate?.r2);
  const points = num(estimate?.n) ?? 0;
  const confidence = e === null ? null : elasticityConfidence(r2, points);
  const impact = (response?.impact ?? null) as Obj | null;
  const baseline = num(response?.baselineUnitsPerDay) ?? 0;
  const boundBy = typeof g.boundBy === 'string' ? g.boundBy : null;
  const reasons = (Array.isArray(g.reasons) ? g.reasons : []).map(String);
  return {
    sku: String(state.sku ?? ctx.sku ?? ''),
    productName: typeof ctx.name === 'string' ? ctx.name : null,
    category: typeof ctx.category === 'string' ? ctx.category : null,
    cost,
    currentPrice: current,
    requestedPrice: num(g.requestedPrice),
    finalPrice: num(g.finalPrice),
    changePct: num(g.changePct),
    checks,
    bindingRule: boundBy,
    bindingReason: boundBy ? (violations.find((v) => v.rule === boundBy)?.message ?? reasons.find((r) => r.length > 0) ?? null) : null,
    margin: {
      currentPct: cost !== null && current !== null && current > 0 ? roundTo((current - cost) / current, 4) : null,
      proposedPct: num(g.marginPct),
      minimumPct: DEFAULT_PRICE_POLICY.minMarginPct,
    },
    competitors: {
      prices: competitorPrices,
      median,
      band: median !== null ? { low: roundTo(median * (1 - bandPct), 2), high: roundTo(median * (1 + bandPct), 2), halfWidthPct: bandPct } : null,
    },
    elasticity: {
      value: e,
      r2,
      points,
      confidence,
      reason:
        e === null
          ? typeof estimate?.reason === 'string'
            ? estimate.reason
            : 'The pricing engine has not estimated it yet'
          : confidence === 'low'
            ? `The fit explains ${String(roundTo((r2 ?? 0) * 100, 1))}% of the variation in daily units over ${String(points)} days`
            : null,
    },
    expectedImpact:
      impact && num(impact.unitsPerDay) !== null
        ? {
            baselineUnitsPerDay: baseline,
            unitsPerDay: num(impact.unitsPerDay)!,
            unitsChangePct: baseline > 0 ? roundTo(num(impact.unitsPerDay)! / baseline - 1, 4) : null,
            revenuePerDay: num(impact.revenuePerDay) ?? 0,
            revenueChangePct: num(impact.revenueChangePct),
            grossProfitPerDay: num(impact.grossProfitPerDay) ?? 0,
            grossProfitChangePct: num(impact.profitChangePct),
          }
        : null,
    enginePrice: num(response?.proposal?.price),
    reasons,
  };
}

export const PricingContextSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    category: z.string(),
    cost: z.number(),
    currentPrice: z.number(),
    map: z.number().nullable(),
    competitorPrices: z.array(z.number()).openapi({ description: 'The latest observation per competitor over the last 30 days' }),
    stores: z.array(z.object({ storeId: z.string(), regionId: z.string() }).strict()),
  })
  .strict()
  .openapi('PricingContext');

const GuardrailViolationSchema = z
  .object({ rule: z.string(), severity: z.enum(['hard', 'soft']), message: z.string(), limit: z.number() })
  .strict()
  .openapi('GuardrailViolation');

export const GuardrailResultSchema = z
  .object({
    requestedPrice: z.number(),
    finalPrice: z.number(),
    boundBy: z.string().nullable(),
    violations: z.array(GuardrailViolationSchema),
    hard: z.boolean(),
    competitorMedian: z.number().nullable(),
    marginPct: z.number(),
    changePct: z.number(),
    checks: z.array(z.object({ rule: z.string(), limit: z.number().nullable(), ok: z.boolean() }).strict()),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('GuardrailResult');

const ExpectedImpactSchema = z
  .object({
    unitsPerDay: z.number(),
    revenuePerDay: z.number(),
    grossProfitPerDay: z.number(),
    revenueChangePct: z.number().nullable(),
    profitChangePct: z.number().nullable(),
  })
  .strict()
  .openapi('PriceExpectedImpact');

const PriceProposalSchema = z
  .object({
    price: z.number(),
    optimalPrice: z.number().nullable(),
    expectedUnitsRatio: z.number(),
    expectedRevenueChangePct: z.number(),
    expectedMarginChangePct: z.number().nullable(),
    clampedBy: z.enum(['min', 'max']).nullable(),
    reasons: z.array(z.string()),
  })
  .strict()
  .openapi('PriceProposal');

export const PriceResponseSchema = z
  .object({
    estimate: z
      .object({
        elasticity: z.number().nullable(),
        intercept: z.number().nullable(),
        r2: z.number().nullable(),
        n: z.number().int(),
        dropped: z.number().int(),
        reason: z.string().optional(),
      })
      .strict()
      .openapi('ElasticityEstimate'),
    proposal: z.union([PriceProposalSchema, z.null()]),
    impact: z.union([ExpectedImpactSchema, z.null()]),
    baselineUnitsPerDay: z.number(),
  })
  .strict()
  .openapi('PriceResponse');

const PriceApprovalRequestDetailsSchema = z
  .object({
    sku: z.string(),
    category: z.string(),
    currentPrice: z.number(),
    proposedPrice: z.number(),
    changePct: z.number(),
    boundBy: z.string().nullable(),
    violations: z.array(GuardrailViolationSchema),
    storeIds: z.array(z.string()).nullable(),
    effectiveAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    elasticity: z.number().nullable(),
    expectedImpact: z.union([ExpectedImpactSchema, z.null()]),
    enginePrice: z.number().nullable(),
    decisionInputs: z
      .object({ sku: z.string(), context: PricingContextSchema, guardrails: GuardrailResultSchema, priceResponse: PriceResponseSchema })
      .strict()
      .optional()
      .openapi({ description: 'What the decision context is built from (absent on requests opened before it was stored)' }),
  })
  .strict()
  .openapi('PriceApprovalRequestDetails');

const PriceGateDecisionSchema = gateDecisionWith('PriceChangeDecision', z.object({ counterPrice: z.number().optional() }).strict());

/** The state the price-change workflow keeps (its query and its result). */
export const PriceChangeWorkflowStateSchema = z
  .object({
    stage: z.enum([
      'checking',
      'awaiting_approval',
      'scheduled',
      'pushing',
      'effective',
      'rolling_back',
      'completed',
      'rolled_back',
      'rejected',
      'expired',
      'refused',
      'failed',
      'cancelled',
    ]),
    priceChangeId: z.string(),
    sku: z.string(),
    storeIds: z.array(z.string()).nullable().openapi({ description: 'Null: chain-wide' }),
    reason: z.string(),
    context: z.union([PricingContextSchema, z.null()]),
    guardrails: z.union([GuardrailResultSchema, z.null()]),
    priceResponse: z.union([PriceResponseSchema, z.null()]),
    tier: z.string().nullable(),
    approvedPrice: z.number().nullable(),
    effectiveAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    pushed: z.array(z.object({ target: z.string(), price: z.number(), previousPrice: z.number().nullable() }).strict()),
    restored: z.array(z.string()),
    restoreFailed: z.array(z.string()),
    unconfirmed: z.array(z.string()),
    readings: z.array(
      z.object({ actualPerDay: z.number(), expectedPerDay: z.number(), ratio: z.number().nullable(), daysObserved: z.number(), at: z.string() }).strict(),
    ),
    rollback: z
      .object({ reason: z.enum(['scheduled_end', 'kpi', 'cancelled', 'failed']), at: z.string() })
      .strict()
      .nullable(),
    pendingApproval: z.union([pendingApprovalWith('PriceChangePendingApproval', PriceApprovalRequestDetailsSchema), z.null()]),
    decisions: z.array(PriceGateDecisionSchema),
    failure: z.string().nullable(),
    cancellation: z.union([CancelRequestSchema, z.null()]),
  })
  .strict()
  .openapi('PriceChangeWorkflowState');

/** The price-change state as the API answers it: the workflow's state and the decision context (typed). */
export const PriceChangeStateSchema = z
  .object({
    ...processStateFields,
    ...PriceChangeWorkflowStateSchema.shape,
    stage: z.string(),
    decisionContext: z.union([PriceDecisionContextSchema, z.null()]).openapi({
      description:
        'Guardrails, margin, competitors, elasticity and expected impact; null before the guardrails were checked. Always answered, without `include=context`: ' +
        'it is computed from the workflow’s own state (no Postgres read), in microseconds, and is what a category manager decides on; ' +
        'price changes have no Postgres-read context, so `include=context` adds nothing here.',
    }),
    result: z.union([PriceChangeWorkflowStateSchema, z.null()]).openapi({ description: "The run's final state, once it completed" }),
  })
  .strict()
  .openapi('PriceChangeState');

export const PriceChangeApprovalDetailsSchema = z
  .object({
    priceChangeId: z.string(),
    decisionContext: z
      .union([PriceDecisionContextSchema, z.null()])
      .openapi({ description: 'As on GET /price-changes/{id}; null for a request opened before it was stored with the request' }),
  })
  .passthrough()
  .openapi('PriceChangeApprovalDetails');

/** An inbox row's decision context, from what the workflow stored with the request. */
export async function priceChangeApprovalDetails(_db: unknown, row: { subjectId: string; details: unknown }): Promise<Record<string, unknown>> {
  const inputs = ((row.details ?? {}) as Obj).decisionInputs as Obj | undefined;
  return { priceChangeId: row.subjectId, decisionContext: inputs ? priceDecisionContext(inputs) : null };
}
