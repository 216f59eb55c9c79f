import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CampaignVariantsSchema, HoldoutPercentSchema } from '../../../domain/campaign-schemas';
import { SegmentSchema } from '../../../domain/segments';
import type { Prisma } from '../../../generated/prisma/client';
import { campaignDispatch } from '../../../workflows/campaign/workflow';
import { campaignStateQuery, pauseSignal, PROCESS_TYPE, resumeSignal } from '../../../workflows/campaign/messages';
import { BusinessStatus, ProcessType } from '../../../workflows/shared/search-attributes';
import { campaignDetails, campaignSummary } from '../../../domain/run-summaries';
import { requireRole } from '../../auth';
import { problems } from '../../errors';
import { common, ok, problem } from '../../openapi-responses';
import { processStatus } from '../../routes/processes';
import { z } from '../../zod';
import type { ProcessDefinition } from '../definition';
import { campaignApprovalDetails, CampaignApprovalDetailsSchema, campaignContext, campaignDerived, CampaignStateSchema } from './approval-context';

const CONTROL_ROLES = ['marketing_manager', 'system'] as const;

export const CampaignStartSchema = z
  .object({
    name: z.string().trim().min(3).max(200),
    segment: SegmentSchema,
    variants: CampaignVariantsSchema,
    holdoutPercent: HoldoutPercentSchema.optional(),
    sendWindow: z
      .object({ startHour: z.number().int().min(0).max(23), endHour: z.number().int().min(1).max(24) })
      .strict()
      .refine((w) => w.startHour !== w.endHour, 'must leave some hours to send in (0 to 24 is the whole day)')
      .optional()
      .openapi({ description: 'Hours of the customer’s local day to send in (default 08:00–21:00); outside them sends are held.' }),
    ratePerSecond: z.number().min(0.1).max(1000).optional().openapi({ description: 'SMTP send rate (default 20/s).' }),
    batchSize: z.number().int().min(1).max(5000).optional(),
  })
  .strict()
  .openapi('CampaignStart');

type StartBody = z.infer<typeof CampaignStartSchema>;

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'campaign';

export const campaigns: ProcessDefinition<StartBody> = {
  resource: 'campaigns',
  processType: PROCESS_TYPE,
  title: 'Campaign',
  startRoles: CONTROL_ROLES,
  cancelRoles: CONTROL_ROLES,
  startSchema: CampaignStartSchema,
  decisionSchema: z.object({}).strict(),
  async start(deps, body, principal, idempotencyKey) {
    const suffix = idempotencyKey ? createHash('sha256').update(`${principal.id}:${idempotencyKey}`).digest('hex').slice(0, 12) : randomUUID().slice(0, 12);
    const campaignId = `campaign-${slug(body.name)}-${suffix}`;
    const existing = await deps.db.campaign.findUnique({ where: { id: campaignId } });
    if (!existing) {
      await deps.db.campaign.create({
        data: {
          id: campaignId,
          workflowId: campaignId,
          name: body.name,
          segment: body.segment as Prisma.InputJsonValue,
          variants: body.variants as unknown as Prisma.InputJsonValue,
          holdoutPercent: body.holdoutPercent ?? 0,
          status: 'draft',
          createdBy: principal.id,
        },
      });
    }
    const window = body.sendWindow ?? { startHour: 8, endHour: 21 };
    const facts = {
      name: body.name,
      variants: body.variants,
      holdoutPercent: body.holdoutPercent ?? 0,
      segment: body.segment,
      sendWindow: window,
      ratePerSecond: body.ratePerSecond,
      requestedBy: principal.id,
    };
    try {
      const handle = await deps.client.workflow.start(campaignDispatch, {
        taskQueue: deps.taskQueue,
        workflowId: campaignId,
        args: [
          {
            campaignId,
            name: body.name,
            segment: body.segment,
            variants: body.variants,
            holdoutPercent: body.holdoutPercent ?? 0,
            requestedBy: principal.id,
            ratePerSecond: body.ratePerSecond,
            batchSize: body.batchSize,
            quietHours: { startHour: window.endHour % 24, endHour: window.startHour },
          },
        ],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: ProcessType, value: PROCESS_TYPE },
          { key: BusinessStatus, value: 'snapshotting' },
        ],
        staticSummary: campaignSummary(facts),
        staticDetails: campaignDetails(facts),
      });
      return { workflowId: campaignId, runId: handle.firstExecutionRunId, created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const desc = await deps.client.workflow.getHandle(campaignId).describe();
      return { workflowId: campaignId, runId: desc.runId, created: false };
    }
  },
  stateQuery: campaignStateQuery,
  stateSchema: CampaignStateSchema,
  context: (deps, state) => campaignContext(deps.db, state),
  derived: campaignDerived,
  resultIsState: true,
  approvalDetails: campaignApprovalDetails,
  approvalDetailsSchema: CampaignApprovalDetailsSchema,
  decisionPayload: () => undefined,

  routes(deps, tools) {
    const router = Router();
    const control = (kind: 'pause' | 'resume') => async (req: Request<{ id: string }>, res: import('express').Response) => {
      const p = requireRole(req, CONTROL_ROLES, `${kind} campaigns`);
      const desc = await tools.describe(req.params.id, p);
      if (processStatus(desc.status.name) !== 'running') throw problems.conflict('not-running', `${req.params.id} has already finished.`);
      // The workflow ID alone: a send that continued as new since `describe` still gets the signal.
      const handle = deps.client.workflow.getHandle(req.params.id);
      await handle.signal(kind === 'pause' ? pauseSignal : resumeSignal, { actorId: p.id });
      res.status(202).json({ id: req.params.id, workflowId: req.params.id, runId: desc.runId, status: 'running', [kind]: 'requested' });
    };
    router.post('/:id/pause', control('pause'));
    router.post('/:id/resume', control('resume'));
    return router;
  },

  documentRoutes(registry, base) {
    for (const kind of ['pause', 'resume'] as const) {
      registry.registerPath({
        method: 'post',
        path: `${base}/{id}/${kind}`,
        tags: ['Campaign'],
        security: [{ bearer: [] }],
        summary: kind === 'pause' ? 'Pause sending (takes effect within one batch)' : 'Resume sending',
        request: { params: z.object({ id: z.string() }) },
        responses: {
          202: ok('Requested', z.object({ id: z.string(), status: z.string() }).passthrough()),
          404: problem('Unknown campaign'),
          409: problem('Already finished'),
          ...common,
        },
      });
    }
  },
};
