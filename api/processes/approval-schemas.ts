/** Schemas of the approval parts every process state shares (workflows/shared/approval-gate.ts). */
import type { ZodType } from 'zod';
import { z } from '../zod';

export const ApproverSpecSchema = z
  .object({
    role: z.string(),
    scope: z.object({ storeId: z.string().optional(), regionId: z.string().optional(), category: z.string().optional() }).strict(),
  })
  .strict()
  .openapi('ApproverSpec');

export const PendingApprovalSchema = z
  .object({
    requestId: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    title: z.string(),
    level: z.number().int(),
    levelCount: z.number().int(),
    levelLabel: z.string(),
    approvers: z.array(ApproverSpecSchema),
    dueAt: z.string(),
    expiresAt: z.string(),
    escalated: z.boolean(),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'What the workflow put on the request (per process)' }),
  })
  .passthrough()
  .openapi('PendingApproval');

export const GateDecisionSchema = z
  .object({
    level: z.number().int(),
    decision: z.enum(['approve', 'reject', 'expired', 'handed_over']),
    actorId: z.string(),
    actorRole: z.string(),
    comment: z.string().optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    decidedAt: z.string(),
    subjectId: z.string().optional(),
  })
  .passthrough()
  .openapi('GateDecision');

export const CancelRequestSchema = z.object({ reason: z.string(), actorId: z.string(), requestedAt: z.string() }).strict().openapi('CancelRequestRecord');

/** A process's pending approval with its own typed `details` (what the workflow put on the request). */
export function pendingApprovalWith(name: string, details: ZodType) {
  return z
    .object({
      requestId: z.string(),
      subjectType: z.string(),
      subjectId: z.string(),
      title: z.string(),
      level: z.number().int(),
      levelCount: z.number().int(),
      levelLabel: z.string(),
      approvers: z.array(ApproverSpecSchema),
      dueAt: z.string(),
      expiresAt: z.string(),
      escalated: z.boolean(),
      details,
    })
    .strict()
    .openapi(name);
}

/** A process's gate decision with its own typed `payload` (the process-specific decision fields). */
export function gateDecisionWith(name: string, payload: ZodType) {
  return z
    .object({
      level: z.number().int(),
      decision: z.enum(['approve', 'reject', 'expired', 'handed_over']),
      actorId: z.string(),
      actorRole: z.string(),
      comment: z.string().optional(),
      payload: payload.optional(),
      decidedAt: z.string(),
      subjectId: z.string().optional().openapi({ description: 'What the decision was about (the purchase order, the price change, the model version)' }),
    })
    .strict()
    .openapi(name);
}
