import { z } from './zod';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() })).optional(),
  })
  .openapi('Problem');

export const StartedSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  })
  .openapi('StartedProcess');

export const ProcessStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled']);

export const DecisionBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(2000).optional(),
    subjectId: z.string().min(1).max(200).optional(),
  })
  .strict();

export const CancelBodySchema = z
  .object({ reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(1000) })
  .strict()
  .openapi('CancelRequest');

export const ListQuerySchema = z
  .object({
    status: ProcessStatusSchema.optional(),
    storeId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'a store ID such as S001')
      .optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
    pageToken: z.string().max(2000).optional(),
  })
  .strict();

/** The heavy parts GET /{process}/{id} (and a decision's 200) answer only when asked for by `?include=`. */
export const STATE_PARTS = ['context'] as const;
export type StatePart = (typeof STATE_PARTS)[number];

export const StateQuerySchema = z
  .object({
    include: z
      .string()
      .max(200)
      .superRefine((value, ctx) => {
        for (const part of value.split(',')) {
          if (!(STATE_PARTS as readonly string[]).includes(part.trim()))
            ctx.addIssue({ code: 'custom', message: `names no part “${part.trim()}”; the parts are: ${STATE_PARTS.join(', ')} (comma-separated)` });
        }
      })
      .transform((value) => new Set(value.split(',').map((p) => p.trim() as StatePart)))
      .optional()
      .openapi({
        type: 'string',
        pattern: `^(${STATE_PARTS.join('|')})(,(${STATE_PARTS.join('|')}))*$`,
        example: 'context',
        description:
          'Comma-separated heavy parts to add to the state. `context`: what the process reads from Postgres for a person deciding or following the run ' +
          '(each process lists these fields in its state schema as "only with include=context"). Absent: the state without them, which is one describe and one workflow query.',
      }),
  })
  .strict();

export const IdParamSchema = z.object({ id: z.string().min(1).max(400, 'is longer than any workflow ID (400 characters)') });

export const ProcessSummarySchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    status: ProcessStatusSchema,
    stage: z.string().nullable(),
    storeId: z.string().nullable(),
    storeIds: z.array(z.string()).openapi({ description: 'Every store the run concerns (several for a multi-store price change); empty for chain-wide runs.' }),
    approvalPending: z.boolean(),
    approverRoles: z.array(z.string()),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('ProcessSummary');

export const ProcessListSchema = z.object({ items: z.array(ProcessSummarySchema), nextPageToken: z.string().nullable() }).openapi('ProcessList');

/** What GET /{process}/{id} says of every run beside its own state (routes/processes.ts). */
export const processStateFields = {
  id: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  status: ProcessStatusSchema,
  stage: z.string(),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
};

export const ProcessStateSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    status: ProcessStatusSchema,
    stage: z.string(),
    pendingApproval: z.unknown().nullable(),
    decisions: z.array(z.unknown()),
    result: z.unknown().nullable(),
  })
  .passthrough()
  .openapi('ProcessState');

export const ApprovalsQuerySchema = z.object({ status: z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled']).default('pending') }).strict();

export const ApprovalItemSchema = z
  .object({
    id: z.string(),
    process: z.string(),
    processId: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    title: z.string(),
    status: z.string(),
    level: z.number().int(),
    levelCount: z.number().int(),
    approverRoles: z.array(z.string()),
    storeId: z.string().nullable(),
    dueAt: z.string(),
    overdue: z.boolean().openapi({ description: 'Pending past its due time' }),
    escalated: z.boolean().openapi({ description: 'Passed its due time and went to the escalation approvers too' }),
    canDecide: z.boolean(),
    decideUrl: z.string(),
    details: z.unknown(),
  })
  .openapi('ApprovalItem');

export const StoreSchema = z.object({ id: z.string(), name: z.string(), regionId: z.string(), city: z.string(), timezone: z.string() }).openapi('Store');

export const ProductQuerySchema = z
  .object({
    category: z.string().max(100).optional(),
    q: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const ProductSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    category: z.string(),
    brand: z.string(),
    colour: z.string(),
    size: z.string(),
    cost: z.number(),
    price: z.number(),
    map: z.number().nullable(),
    supplierId: z.string(),
  })
  .openapi('Product');

export const ProductDetailSchema = ProductSchema.extend({
  stock: z.array(
    z.object({ storeId: z.string(), onHand: z.number().int(), reserved: z.number().int(), onOrder: z.number().int(), available: z.number().int() }),
  ),
}).openapi('ProductDetail');

export const ModelSchema = z
  .object({
    modelName: z.string(),
    aliases: z.record(z.string(), z.number().int()),
    versions: z.array(
      z.object({ version: z.number().int(), metrics: z.unknown(), createdAt: z.string(), trainingWindowStart: z.string(), trainingWindowEnd: z.string() }),
    ),
  })
  .openapi('Model');
