import { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import { coversScope, NON_DECIDING_ROLES, type ApproverSpec } from '../../domain/approval';
import type { Db } from '../../platform/db';
import { principalOf } from '../auth';
import { ApprovalsQuerySchema } from '../schemas';
import { parse } from '../validate';

const RESOURCE_BY_PROCESS: Record<string, string> = {
  appointment_recovery: 'appointment-recoveries',
  replenishment: 'replenishments',
  price_change: 'price-changes',
  campaign: 'campaigns',
  model_retraining: 'model-retrainings',
};

/** The caller's approval inbox across all processes: what they may decide now (ops see everything, deciding nothing). */
export function approvalsRouter(db: Db): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const p = principalOf(req);
    const q = parse(ApprovalsQuerySchema, req.query, 'query');
    const readsAll = p.role === 'ops';
    if (!readsAll && NON_DECIDING_ROLES.includes(p.role)) return void res.json({ items: [] });
    const where: Prisma.ApprovalRequestWhereInput = { status: q.status.toUpperCase() as 'PENDING' };
    if (!readsAll) where.approverRoles = { has: p.role };
    const rows = await db.approvalRequest.findMany({ where, orderBy: { dueAt: 'asc' }, take: 500 });
    const items = rows
      .map((r) => {
        const approvers = ((r.details as { approvers?: ApproverSpec[] }).approvers ?? []) as ApproverSpec[];
        const mine = approvers.some((a) => a.role === p.role && coversScope(p, a.scope));
        return { r, mine };
      })
      .filter(({ mine }) => readsAll || mine)
      .map(({ r, mine }) => {
        const resource = RESOURCE_BY_PROCESS[r.processType] ?? r.processType;
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
          canDecide: mine && r.status === 'PENDING' && r.requestedBy !== p.id,
          decideUrl: `/api/v1/${resource}/${encodeURIComponent(r.workflowId)}/decisions`,
          details: r.details,
        };
      });
    res.json({ items });
  });
  return router;
}
