/**
 * What a model promotion's approver needs: champion vs challenger WAPE, bias and MASE overall and
 * per category (from the workflow's evaluation), how many series the challenger improved or made
 * worse on the holdout (per-series errors in Postgres, ModelSeriesParams) and the promotion rule's
 * verdict in words (domain/model-promotion.ts, as the workflow computed it).
 */
import type { Db } from '../../../platform/db';
import { processStateFields } from '../../schemas';
import { z } from '../../zod';
import { CancelRequestSchema, gateDecisionWith, pendingApprovalWith } from '../approval-schemas';

const MetricsSchema = z
  .object({ wape: z.number().nullable(), bias: z.number().nullable(), mase: z.number().nullable(), series: z.number().int() })
  .strict()
  .openapi('ForecastMetrics');

const SeriesChangeSchema = z
  .object({ improved: z.number().int(), worse: z.number().int(), unchanged: z.number().int() })
  .strict()
  .openapi('SeriesChangeCounts');

export const PromotionContextSchema = z
  .object({
    championLabel: z.string(),
    championVersion: z.number().int().nullable(),
    challengerVersion: z.number().int().nullable(),
    overall: z.object({ champion: MetricsSchema, challenger: MetricsSchema, series: SeriesChangeSchema }).strict(),
    byCategory: z.array(
      z.object({ category: z.string(), champion: MetricsSchema.nullable(), challenger: MetricsSchema.nullable(), series: SeriesChangeSchema }).strict(),
    ),
    verdict: z
      .object({
        propose: z.boolean(),
        reason: z.string(),
        wapeImprovement: z.number().nullable(),
        checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() }).strict()),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .openapi('PromotionContext');

const MetricsSummarySchema = z
  .object({
    wape: z.number().nullable(),
    bias: z.number().nullable(),
    mase: z.number().nullable(),
    series: z.number().int(),
    maseSeries: z.number().int(),
    days: z.number().int(),
    actualUnits: z.number(),
    forecastUnits: z.number(),
  })
  .strict()
  .openapi('MetricsSummary');

const RegisteredModelVersionSchema = z
  .object({
    versionId: z.string(),
    version: z.number().int(),
    trainingStart: z.string(),
    holdoutStart: z.string(),
    asOf: z.string(),
    seriesCount: z.number().int(),
    dataFingerprint: z.string(),
    champion: z.object({ id: z.string(), version: z.number().int() }).strict().nullable(),
  })
  .strict()
  .openapi('RegisteredModelVersion');

const ModelEvaluationSchema = z
  .object({
    demandProfile: z
      .object({ edges: z.array(z.number()), counts: z.array(z.number()), from: z.string(), to: z.string() })
      .strict()
      .openapi('DemandProfile'),
    challenger: z.object({ overall: MetricsSummarySchema, byCategory: z.record(z.string(), MetricsSummarySchema) }).strict(),
    champion: z
      .object({
        label: z.string(),
        versionId: z.string().nullable(),
        version: z.number().int().nullable(),
        overall: MetricsSummarySchema,
        byCategory: z.record(z.string(), MetricsSummarySchema),
      })
      .strict(),
    families: z.record(z.string(), z.number().int()),
    seriesCount: z.number().int(),
  })
  .strict()
  .openapi('ModelEvaluation');

const PromotionProposalSchema = z
  .object({
    propose: z.boolean(),
    reason: z.string(),
    checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() }).strict()),
    wapeImprovement: z.number().nullable(),
  })
  .strict()
  .openapi('PromotionProposal');

/** The state the retraining workflow keeps (its query and its result). */
export const ModelRetrainingWorkflowStateSchema = z
  .object({
    stage: z.enum([
      'registering',
      'training',
      'evaluating',
      'awaiting_approval',
      'promoting',
      'promoted',
      'not_promoted',
      'rejected',
      'expired',
      'cancelled',
      'failed',
    ]),
    modelName: z.string(),
    trigger: z.enum(['manual', 'schedule', 'drift']),
    reason: z.string(),
    version: z.union([RegisteredModelVersionSchema, z.null()]),
    training: z
      .object({
        seriesTotal: z.number().int(),
        seriesTrained: z.number().int(),
        resumed: z.number().int(),
        batches: z.number().int(),
        percent: z.number(),
        families: z.record(z.string(), z.number().int()),
      })
      .strict(),
    evaluation: z.union([ModelEvaluationSchema, z.null()]),
    proposal: z.union([PromotionProposalSchema, z.null()]),
    promotedBy: z.string().nullable(),
    outcome: z.string().nullable(),
    pendingApproval: z.union([
      pendingApprovalWith(
        'ModelPromotionPendingApproval',
        z.object({ version: RegisteredModelVersionSchema, evaluation: ModelEvaluationSchema, proposal: PromotionProposalSchema }).strict(),
      ),
      z.null(),
    ]),
    decisions: z.array(gateDecisionWith('ModelPromotionDecision', z.object({}).strict())),
    cancellation: z.union([CancelRequestSchema, z.null()]),
  })
  .strict()
  .openapi('ModelRetrainingWorkflowState');

export const ModelRetrainingStateSchema = z
  .object({
    ...processStateFields,
    ...ModelRetrainingWorkflowStateSchema.shape,
    stage: z.string(),
    promotionContext: z
      .union([PromotionContextSchema, z.null()])
      .optional()
      .openapi({ description: 'Only with `include=context` (series counts from Postgres). Champion vs challenger; null before the evaluation' }),
    result: z.union([ModelRetrainingWorkflowStateSchema, z.null()]).openapi({ description: "The run's final state, once it completed" }),
  })
  .strict()
  .openapi('ModelRetrainingState');

type Obj = Record<string, any>;
const metrics = (m: Obj | undefined | null) => (m ? { wape: m.wape ?? null, bias: m.bias ?? null, mase: m.mase ?? null, series: Number(m.series ?? 0) } : null);

/** Merged over the state by GET /model-retrainings/{id}?include=context. */
export async function modelRetrainingContext(db: Db, state: Obj): Promise<Obj> {
  const ev = state.evaluation as Obj | null;
  if (!ev) return { promotionContext: null };
  const versionId = (state.version as Obj | null)?.versionId as string | undefined;
  const rows = versionId
    ? await db.$queryRaw<{ category: string; improved: number; worse: number; unchanged: number }[]>`
        SELECT category,
               COUNT(*) FILTER (WHERE "challengerAbsError" < "championAbsError")::int AS improved,
               COUNT(*) FILTER (WHERE "challengerAbsError" > "championAbsError")::int AS worse,
               COUNT(*) FILTER (WHERE "challengerAbsError" = "championAbsError")::int AS unchanged
          FROM "ModelSeriesParams" WHERE "modelVersionId" = ${versionId}
         GROUP BY category ORDER BY category`
    : [];
  const counts = new Map(rows.map((r) => [r.category, { improved: r.improved, worse: r.worse, unchanged: r.unchanged }]));
  const total = rows.reduce((t, r) => ({ improved: t.improved + r.improved, worse: t.worse + r.worse, unchanged: t.unchanged + r.unchanged }), {
    improved: 0,
    worse: 0,
    unchanged: 0,
  });
  const categories = [...new Set([...Object.keys(ev.challenger?.byCategory ?? {}), ...Object.keys(ev.champion?.byCategory ?? {}), ...counts.keys()])].sort();
  const proposal = state.proposal as Obj | null;
  return {
    promotionContext: {
      championLabel: String(ev.champion?.label ?? ''),
      championVersion: typeof ev.champion?.version === 'number' ? ev.champion.version : null,
      challengerVersion: typeof state.version?.version === 'number' ? state.version.version : null,
      overall: { champion: metrics(ev.champion?.overall)!, challenger: metrics(ev.challenger?.overall)!, series: total },
      byCategory: categories.map((category) => ({
        category,
        champion: metrics(ev.champion?.byCategory?.[category]),
        challenger: metrics(ev.challenger?.byCategory?.[category]),
        series: counts.get(category) ?? { improved: 0, worse: 0, unchanged: 0 },
      })),
      verdict: proposal
        ? {
            propose: proposal.propose === true,
            reason: String(proposal.reason ?? ''),
            wapeImprovement: typeof proposal.wapeImprovement === 'number' ? proposal.wapeImprovement : null,
            checks: (Array.isArray(proposal.checks) ? proposal.checks : []).map((c: Obj) => ({
              name: String(c.name),
              passed: c.passed === true,
              detail: String(c.detail ?? ''),
            })),
          }
        : null,
    },
  };
}

export const ModelRetrainingApprovalDetailsSchema = z
  .object({
    modelVersionId: z.string(),
    promotionContext: z.union([PromotionContextSchema, z.null()]),
  })
  .passthrough()
  .openapi('ModelRetrainingApprovalDetails');

/** An inbox row's champion-vs-challenger comparison, from the evaluation the workflow stored with the request. */
export async function modelRetrainingApprovalDetails(db: Db, row: { subjectId: string; details: unknown }): Promise<Obj> {
  const stored = (row.details ?? {}) as Obj;
  const { promotionContext } = await modelRetrainingContext(db, {
    evaluation: stored.evaluation ?? null,
    version: stored.version ?? null,
    proposal: stored.proposal ?? null,
  });
  return { modelVersionId: row.subjectId, promotionContext };
}
