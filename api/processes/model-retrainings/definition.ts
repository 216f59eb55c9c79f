import { Router } from 'express';
import { codeVersion } from '../../../platform/code-version';
import { KNOWN_MODELS, rollbackChampion, RollbackRefused } from '../../../platform/model-registry';
import { startModelRetraining } from './starter';
import { modelRetrainingStateQuery, PROCESS_TYPE } from '../../../workflows/model-retraining/messages';
import { requireRole } from '../../auth';
import { problems } from '../../errors';
import { body, common, ok, problem } from '../../openapi-responses';
import { parse } from '../../validate';
import { z } from '../../zod';
import type { ProcessDefinition } from '../definition';
import { modelRetrainingApprovalDetails, ModelRetrainingApprovalDetailsSchema, modelRetrainingContext, ModelRetrainingStateSchema } from './approval-context';

const DAY_MS = 86_400_000;
const timingMs = z
  .number()
  .int()
  .min(1000)
  .max(30 * DAY_MS);
const RETRAIN_ROLES = ['data_scientist', 'system'] as const;

const modelName = z
  .string()
  .min(1)
  .max(100)
  .refine((m) => KNOWN_MODELS.includes(m), `must be a model this deployment trains: ${KNOWN_MODELS.join(', ')}`)
  .openapi({ example: 'demand-forecast' });

export const ModelRetrainingStartSchema = z
  .object({
    modelName,
    reason: z.string().trim().min(1).max(500).optional().openapi({ description: 'Why retrain now (shown to the approver and in the registry).' }),
    historyDays: z.number().int().min(56).max(1095).optional().openapi({ description: 'Days of sales history read, holdout included (default 730).' }),
    holdoutDays: z.number().int().min(7).max(91).optional().openapi({ description: 'Evaluation window at the end of the history (default 28).' }),
    timing: z
      .object({
        escalateAfterMs: timingMs.optional(),
        reminderBeforeMs: z
          .number()
          .int()
          .min(0)
          .max(30 * DAY_MS)
          .optional(),
        expireAfterMs: timingMs.optional(),
      })
      .strict()
      .optional()
      .openapi({ description: 'Overrides of the approval timing (2 days to decide, reminder 8 h before, 7 days final deadline).' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.historyDays !== undefined && b.holdoutDays !== undefined && b.historyDays < b.holdoutDays + 42) {
      ctx.addIssue({ code: 'custom', path: ['historyDays'], message: 'must leave at least six weeks of history before the holdout window' });
    }
  })
  .openapi('ModelRetrainingStart');

type StartBody = z.infer<typeof ModelRetrainingStartSchema>;

export const ModelRollbackSchema = z
  .object({
    modelName,
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .openapi('ModelRollback');

const RollbackResultSchema = z
  .object({
    modelName: z.string(),
    champion: z.object({ id: z.string(), version: z.number() }),
    rolledBack: z.object({ id: z.string(), version: z.number() }),
    previous: z.object({ id: z.string(), version: z.number() }).nullable(),
  })
  .openapi('ModelRollbackResult');

export const modelRetrainings: ProcessDefinition<StartBody> = {
  resource: 'model-retrainings',
  processType: PROCESS_TYPE,
  title: 'Model retraining',
  startRoles: RETRAIN_ROLES,
  cancelRoles: RETRAIN_ROLES,
  startSchema: ModelRetrainingStartSchema,
  decisionSchema: z.object({}).strict(),
  async start(deps, b, principal, idempotencyKey) {
    return startModelRetraining(deps, {
      modelName: b.modelName,
      reason: b.reason ?? `Requested by ${principal.id}`,
      trigger: 'manual',
      requestedBy: principal.id,
      historyDays: b.historyDays,
      holdoutDays: b.holdoutDays,
      timing: b.timing,
      codeVersion: codeVersion(),
      idempotencyKey,
    });
  },
  stateQuery: modelRetrainingStateQuery,
  stateSchema: ModelRetrainingStateSchema,
  context: (deps, state) => modelRetrainingContext(deps.db, state),
  resultIsState: true,
  storeScoped: false,
  approvalDetails: modelRetrainingApprovalDetails,
  approvalDetailsSchema: ModelRetrainingApprovalDetailsSchema,
  decisionPayload: () => undefined,

  routes(deps) {
    const router = Router();
    // Points `champion` back at `previous` (audited); not a workflow: one transaction in the registry.
    router.post('/rollback', async (req, res) => {
      const p = requireRole(req, ['data_scientist'], 'roll back models');
      const b = parse(ModelRollbackSchema, req.body, 'body');
      try {
        res.json(await rollbackChampion(deps.db, { modelName: b.modelName, actorId: p.id, reason: b.reason }));
      } catch (err) {
        if (err instanceof RollbackRefused) {
          if (err.kind === 'unknown_model') throw problems.notFound(err.message);
          throw problems.conflict('no-previous-champion', err.message);
        }
        throw err;
      }
    });
    return router;
  },

  documentRoutes(registry, base) {
    registry.registerPath({
      method: 'post',
      path: `${base}/rollback`,
      tags: ['Model retraining'],
      security: [{ bearer: [] }],
      summary: 'Point the champion alias back at the previous champion (data scientists; audited)',
      request: body(ModelRollbackSchema),
      responses: {
        200: ok('Rolled back', RollbackResultSchema),
        400: problem('Invalid body'),
        404: problem('No such model registered'),
        409: problem('No previous champion to roll back to'),
        ...common,
      },
    });
  },
};
