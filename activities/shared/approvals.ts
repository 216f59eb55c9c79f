import type { Prisma } from '../../generated/prisma/client';
import type { ApproverSpec, Principal, Role } from '../../domain/approval';
import { coversScope } from '../../domain/approval';
import type { Db } from '../../platform/db';
import { consoleApprovalPath, consoleRunPath, consoleUrl, processOfApiPath } from '../../domain/console-links';
import { formatLocalTime, localiseInstants } from '../../domain/local-time';
import type { MailSender } from './email';
import { renderEmail } from './email/render';
import { loadStoreContact } from './email/store-contact';
import { activityContext } from './activity-context';

export interface ApprovalRequestRecord {
  id: string;
  workflowId: string;
  processType: string;
  subjectType: string;
  subjectId: string;
  title: string;
  level: number;
  levelCount: number;
  approvers: ApproverSpec[];
  requestedBy?: string;
  dueAt: string;
  details: Record<string, unknown>;
}

export interface ApprovalDecisionRecord {
  id: string;
  requestId: string;
  workflowId: string;
  level: number;
  decision: string;
  actor: Pick<Principal, 'id' | 'role'>;
  comment?: string;
  payload?: Record<string, unknown>;
  decidedAt: string;
  /** The gate's outcome when this decision settles it: the inbox row is closed in the same transaction. */
  settles?: 'APPROVED' | 'REJECTED';
}

export interface ApproverNotice {
  requestId: string;
  workflowId: string;
  kind: 'requested' | 'reminder' | 'escalated' | 'expired';
  level: number;
  approvers: ApproverSpec[];
  title: string;
  lines: string[];
  dueAt: string;
  /** API path of the process instance; the activity prefixes the public base URL. */
  path: string;
}

function scopeColumns(approvers: ApproverSpec[]) {
  const first = approvers[0]?.scope ?? {};
  return { storeId: first.storeId ?? null, regionId: first.regionId ?? null, category: first.category ?? null };
}

function json(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue;
}

/** Activities of the shared approval gate: the inbox rows, the audit trail and the approvers' emails. */
export function createApprovalActivities(deps: { db: Db; mail: MailSender; publicBaseUrl: string }) {
  const { db, mail } = deps;

  async function principalsFor(approvers: ApproverSpec[]) {
    const roles = [...new Set(approvers.map((a) => a.role))] as Role[];
    const rows = await db.principal.findMany({ where: { role: { in: roles }, active: true, email: { not: null } }, orderBy: { id: 'asc' } });
    return rows.filter((r) => approvers.some((a) => a.role === r.role && coversScope({ ...r, role: r.role as Role }, a.scope)));
  }

  return {
    async openApprovalRequest(req: ApprovalRequestRecord): Promise<void> {
      const data = {
        workflowId: req.workflowId,
        processType: req.processType,
        subjectType: req.subjectType,
        subjectId: req.subjectId,
        title: req.title,
        level: req.level,
        levelCount: req.levelCount,
        approverRoles: [...new Set(req.approvers.map((a) => a.role))],
        ...scopeColumns(req.approvers),
        requestedBy: req.requestedBy ?? null,
        dueAt: new Date(req.dueAt),
        details: json({ ...req.details, approvers: req.approvers }),
      };
      await db.approvalRequest.upsert({ where: { id: req.id }, create: { id: req.id, ...data }, update: {} });
      await db.auditEvent.upsert({
        where: { idempotencyKey: `${req.id}:opened` },
        create: {
          idempotencyKey: `${req.id}:opened`,
          action: 'approval.requested',
          entityType: req.subjectType,
          entityId: req.subjectId,
          workflowId: req.workflowId,
          actorId: req.requestedBy ?? null,
          details: json({ requestId: req.id, title: req.title, approvers: req.approvers, dueAt: req.dueAt }),
        },
        update: {},
      });
    },

    /** Moves the inbox row to a new level, adds escalation approvers, or closes it. Idempotent: it sets, never increments. */
    async updateApprovalRequest(update: {
      id: string;
      level: number;
      approvers: ApproverSpec[];
      dueAt: string;
      status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED';
      detailsPatch?: Record<string, unknown>;
    }): Promise<void> {
      const current = await db.approvalRequest.findUniqueOrThrow({ where: { id: update.id } });
      const details = { ...(current.details as Record<string, unknown>), ...update.detailsPatch, approvers: update.approvers };
      await db.approvalRequest.update({
        where: { id: update.id },
        data: {
          level: update.level,
          approverRoles: [...new Set(update.approvers.map((a) => a.role))],
          dueAt: new Date(update.dueAt),
          status: update.status,
          decidedAt: update.status === 'PENDING' ? null : (current.decidedAt ?? new Date()),
          details: json(details),
        },
      });
    },

    /**
     * The decision, its audit event and (when it settles the gate) the inbox row, in one statement:
     * one round trip on the path an approver waits on. Idempotent: a retry inserts nothing twice.
     */
    async recordApprovalDecision(d: ApprovalDecisionRecord): Promise<void> {
      const decidedAt = new Date(d.decidedAt).toISOString();
      const key = `decision:${d.id}`;
      const payload = d.payload ? JSON.stringify(d.payload) : null;
      const details = JSON.stringify({ level: d.level, role: d.actor.role, comment: d.comment, payload: d.payload });
      await db.$executeRaw`
        WITH decision AS (
          INSERT INTO "ApprovalDecision" (id, "approvalRequestId", level, decision, "actorId", "actorRole", comment, payload, "decidedAt")
          VALUES (${d.id}, ${d.requestId}, ${d.level}, ${d.decision}, ${d.actor.id}, ${d.actor.role}, ${d.comment ?? null},
                  ${payload}::jsonb, ${decidedAt}::timestamptz AT TIME ZONE 'UTC')
          ON CONFLICT (id) DO NOTHING
        ), audit AS (
          INSERT INTO "AuditEvent" ("idempotencyKey", action, "entityType", "entityId", "workflowId", "actorId", details)
          VALUES (${key}, ${`approval.${d.decision}`}, 'approval_request', ${d.requestId}, ${d.workflowId}, ${d.actor.id}, ${details}::jsonb)
          ON CONFLICT ("idempotencyKey") DO NOTHING
        )
        UPDATE "ApprovalRequest"
           SET status = ${d.settles ?? null}::"ApprovalStatus", "decidedAt" = ${decidedAt}::timestamptz AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC'
         WHERE id = ${d.requestId} AND ${d.settles ?? null}::text IS NOT NULL`;
      activityContext()?.log.info('approval decision recorded', {
        approvalRequestId: d.requestId,
        level: d.level,
        decision: d.decision,
        actorId: d.actor.id,
        settles: d.settles ?? null,
      });
    },

    /**
     * Emails everyone who may decide; one email per person per notice, whatever the retries. The
     * link opens the approval in the console (the run, once expired); a store's approval shows its
     * due time in the store's zone, any other in UTC, always named.
     */
    async notifyApprovers(n: ApproverNotice): Promise<{ notified: string[]; withdrawn?: number }> {
      if (n.kind !== 'expired') {
        // Asking for a decision already made (or handed to the next level) helps nobody: what has not
        // crossed SMTP yet is withdrawn, on whichever attempt finds the request moved on.
        const request = await db.approvalRequest.findUnique({ where: { id: n.requestId }, select: { status: true, level: true } });
        if (request && (request.status !== 'PENDING' || request.level !== n.level)) {
          const { withdrawn } = await mail.withdrawUnsent(`${n.requestId}:${n.kind}:${n.level}:`);
          return { notified: [], withdrawn };
        }
      }
      const people = await principalsFor(n.approvers);
      const verb = { requested: 'Approval needed', reminder: 'Reminder: approval due', escalated: 'Escalated: approval overdue', expired: 'Approval expired' }[
        n.kind
      ];
      const store = await loadStoreContact(db, n.approvers.find((a) => a.scope?.storeId)?.scope?.storeId);
      const target = processOfApiPath(n.path);
      const link = target
        ? consoleUrl(deps.publicBaseUrl, (n.kind === 'expired' ? consoleRunPath : consoleApprovalPath)(target.process, target.id))
        : consoleUrl(deps.publicBaseUrl, n.path);
      const subject = `${verb}: ${n.title}`;
      for (const p of people) {
        const body = renderEmail('approval-notice', {
          subject,
          store,
          recipientName: p.displayName,
          verb,
          title: n.title,
          lines: n.lines.map((l) => localiseInstants(l, store?.timezone ?? 'UTC')),
          expired: n.kind === 'expired',
          dueLocal: formatLocalTime(n.dueAt, store?.timezone ?? 'UTC'),
          link,
        });
        await mail.sendOnce({
          key: `${n.requestId}:${n.kind}:${n.level}:${p.id}`,
          kind: `approval.${n.kind}`,
          to: p.email!,
          subject,
          ...body,
          workflowId: n.workflowId,
        });
      }
      return { notified: people.map((p) => p.id) };
    },
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
