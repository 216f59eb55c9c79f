import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Db } from '../../platform/db';
import { workerMetrics } from '../../platform/metrics';
import { activityContext } from './activity-context';

export interface OutgoingEmail {
  /** Workflow ID plus step (plus recipient where one step mails many): the exactly-once key. */
  key: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Where replies go (the store's address) when the text invites one; the sender itself is no-reply. */
  replyTo?: string;
  workflowId?: string;
  headers?: Record<string, string>;
}

export type SendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'already_sent'; messageId: string | null }
  /** An earlier attempt claimed the email and may have handed it to SMTP before dying: never send it twice. */
  | { status: 'unknown' }
  /** Withdrawn before it crossed SMTP (see withdrawUnsent): never sent. */
  | { status: 'withdrawn' };

export interface MailSender {
  sendOnce(email: OutgoingEmail): Promise<SendOutcome>;
  /**
   * Gives up the emails under a key prefix that are no longer wanted: those that never crossed
   * SMTP (FAILED) are WITHDRAWN, those an attempt died sending (CLAIMED) become UNKNOWN.
   */
  withdrawUnsent(keyPrefix: string): Promise<{ withdrawn: number; unknown: number }>;
}

function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@retail-ops.local>`;
}

/**
 * Claim-then-send: the OutboundEmail row is claimed before the SMTP call, so a retried activity
 * or a restarted worker never hands the same email to SMTP twice. A failure SMTP reports is
 * recorded and released for the retry; a permanent rejection (5xx) does not retry.
 */
export function createMailSender(db: Db, transport: Transporter, from: string): MailSender {
  async function claim(email: OutgoingEmail): Promise<SendOutcome | null> {
    // A first attempt claims in one statement; a key already there (a retry, a duplicate) is read below.
    const claimed = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO "OutboundEmail" (id, "idempotencyKey", kind, "toAddress", subject, "workflowId", attempts, status)
      VALUES (${randomUUID()}, ${email.key}, ${email.kind}, ${email.to}, ${email.subject}, ${email.workflowId ?? null}, 1, 'CLAIMED')
      ON CONFLICT ("idempotencyKey") DO NOTHING
      RETURNING id`;
    if (claimed.length === 1) return null;
    return claimExisting(email);
  }

  async function claimExisting(email: OutgoingEmail): Promise<SendOutcome | null> {
    const existing = await db.outboundEmail.findUnique({ where: { idempotencyKey: email.key } });
    if (existing) {
      if (existing.status === 'SENT') return { status: 'already_sent', messageId: existing.messageId };
      if (existing.status === 'WITHDRAWN') return { status: 'withdrawn' };
      if (existing.status === 'CLAIMED' || existing.status === 'UNKNOWN') {
        await db.outboundEmail.update({ where: { id: existing.id }, data: { status: 'UNKNOWN' } });
        if (existing.status === 'CLAIMED') workerMetrics.emails(email.kind, 'unknown');
        return { status: 'unknown' };
      }
      const reclaimed = await db.outboundEmail.updateMany({
        where: { id: existing.id, status: 'FAILED' },
        data: { status: 'CLAIMED', attempts: { increment: 1 } },
      });
      return reclaimed.count === 1 ? null : claim(email);
    }
    return claim(email);
  }

  return {
    async withdrawUnsent(keyPrefix) {
      const where = { idempotencyKey: { startsWith: keyPrefix } };
      const becomingUnknown = await db.outboundEmail.groupBy({ by: ['kind'], where: { ...where, status: 'CLAIMED' }, _count: { _all: true } });
      const [withdrawn, unknown] = await db.$transaction([
        db.outboundEmail.updateMany({ where: { ...where, status: 'FAILED' }, data: { status: 'WITHDRAWN' } }),
        db.outboundEmail.updateMany({ where: { ...where, status: 'CLAIMED' }, data: { status: 'UNKNOWN' } }),
      ]);
      if (unknown.count > 0) for (const g of becomingUnknown) workerMetrics.emails(g.kind, 'unknown', g._count._all);
      return { withdrawn: withdrawn.count, unknown: unknown.count };
    },

    async sendOnce(email) {
      const prior = await claim(email);
      if (prior) return prior;
      const messageId = messageIdFor(email.key);
      try {
        await transport.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          messageId,
          headers: { 'X-Retail-Ops-Key': email.key, ...email.headers },
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await db.outboundEmail.update({ where: { idempotencyKey: email.key }, data: { status: 'FAILED', error: message.slice(0, 1000) } });
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) {
          // Final: a transient failure is counted by the retry's outcome instead.
          workerMetrics.emails(email.kind, 'failed');
          throw ApplicationFailure.nonRetryable(`SMTP rejected ${email.kind} to ${email.to}: ${message}`, 'EmailRejected');
        }
        throw err;
      }
      await db.$executeRaw`
        UPDATE "OutboundEmail" SET status = 'SENT', "messageId" = ${messageId}, "sentAt" = ${new Date().toISOString()}::timestamptz AT TIME ZONE 'UTC', error = NULL
         WHERE "idempotencyKey" = ${email.key}`;
      workerMetrics.emails(email.kind, 'sent');
      activityContext()?.log.info('email sent', { emailKind: email.kind, emailKey: email.key, messageId });
      return { status: 'sent', messageId };
    },
  };
}
