import { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import { coversScope, NON_DECIDING_ROLES, type ApproverSpec } from '../../domain/approval';
import type { Db } from '../../platform/db';
import { principalOf } from '../auth';
import type { ProcessDefinition } from '../processes/definition';
import { ApprovalItemSchema, ApprovalsQuerySchema } from '../schemas';
import { parse } from '../validate';
import { z } from '../zod';
import { PROCESSES } from '../processes';

/** An inbox row with its process's typed `details` (what its decider needs, read from Postgres). */
export function approvalItemSchema(processes: ProcessDefinition<any>[]) {
  const typed = processes.flatMap((d) => (d.approvalDetailsSchema ? [d.approvalDetailsSchema] : []));
  const generic = z.record(z.string(), z.unknown()).openapi({ description: 'What the workflow put on the request' });
  const details = typed.length > 0 ? z.union([typed[0]!, ...typed.slice(1), generic]) : generic;
  return z
    .object({ ...ApprovalItemSchema.shape, details })
    .strict()
    .openapi('ApprovalInboxItem');
}

/** The caller's approval inbox across all processes: what they may decide now (ops see everything, deciding nothing). */
export function approvalsRouter(db: Db, processes: ProcessDefinition<any>[] = PROCESSES): Router {
  const router = Router();
  const byType = new Map(processes.map((d) => [d.processType, d]));
  router.get('/', async (req, res) => {
    const p = principalOf(req);
    const q = parse(ApprovalsQuerySchema, req.query, 'query');
    const readsAll = p.role === 'ops';
    if (!readsAll && NON_DECIDING_ROLES.includes(p.role)) return void res.json({ items: [] });
    const where: Prisma.ApprovalRequestWhereInput = { status: q.status.toUpperCase() as 'PENDING' };
    if (!readsAll) where.approverRoles = { has: p.role };
    const rows = await db.approvalRequest.findMany({ where, orderBy: { dueAt: 'asc' }, take: 500 });
    const visible = rows
      .map((r) => {
        const approvers = ((r.details as { approvers?: ApproverSpec[] }).approvers ?? []) as ApproverSpec[];
        const mine = approvers.some((a) => a.role === p.role && coversScope(p, a.scope));
        return { r, mine };
      })
      .filter(({ mine }) => readsAll || mine);
    // A decision is recorded before its run moves the row on: until then the row still shows the
    // level just decided. Nobody decides a level twice, nor a later level of what they decided.
    const decided = await db.approvalDecision.findMany({
      where: { approvalRequestId: { in: visible.map(({ r }) => r.id) } },
      select: { approvalRequestId: true, level: true, actorId: true },
    });
    const open = (r: { id: string; level: number }) => !decided.some((d) => d.approvalRequestId === r.id && (d.level === r.level || d.actorId === p.id));
    const items = await Promise.all(
      visible.map(async ({ r, mine }) => {
        const resource = PROCESSES.find((d) => d.processType === r.processType)?.resource ?? r.processType;
        return {
          id: r.id,
          process: resource,
          processId: r.workflowId,
          subjectType: r.subjectType,
          subjectId: r.subjectId,
          title: r.title,
          status: r.status.toLowerCase(),
          level: r.level,
          levelCount: r.levelCount,
          approverRoles: r.approverRoles,
          storeId: r.storeId,
          dueAt: r.dueAt.toISOString(),
          overdue: r.status === 'PENDING' && r.dueAt.getTime() < Date.now(),
          escalated: (r.details as { escalated?: unknown } | null)?.escalated === true,
          canDecide: mine && r.status === 'PENDING' && r.requestedBy !== p.id && open(r),
          decideUrl: `/api/v1/${resource}/${encodeURIComponent(r.workflowId)}/decisions`,
          details: await detailsOf(r),
        };
      }),
    );
    res.json({ items });
  });
  return router;

  async function detailsOf(r: {
    id: string;
    workflowId: string;
    processType: string;
    subjectType: string;
    subjectId: string;
    storeId: string | null;
    details: unknown;
  }) {
    const stored = (r.details && typeof r.details === 'object' ? r.details : {}) as Record<string, unknown>;
    const def = byType.get(r.processType);
    if (!def?.approvalDetails) return stored;
    return { ...stored, ...(await def.approvalDetails(db, r)) };
  }
}
