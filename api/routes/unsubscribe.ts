import express, { Router, type Request, type Response } from 'express';
import type { Db } from '../../platform/db';
import {
  DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS,
  verifyUnsubscribeToken,
  type UnsubscribeTokenFailure,
  type UnsubscribeTokenResult,
} from '../../platform/unsubscribe-token';
import { HttpProblem } from '../errors';

/**
 * One-click unsubscribe (RFC 8058), no API key: the link carries a signed token.
 *   POST /unsubscribe/{token}  suppresses the address at once and answers 200 (what mail clients
 *                              send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`)
 *   GET  /unsubscribe/{token}  a page with one button that POSTs (a GET never unsubscribes:
 *                              link scanners follow GETs)
 * A bad, forged, expired or future-dated token is a 400 problem (its `reason` says which) and
 * changes nothing. Links work `maxAgeDays` (default 365) after they were sent.
 */
export function unsubscribeRouter(deps: { db: Db; secrets: readonly string[]; maxAgeDays?: number }): Router {
  // Checked here, not per request: an app built without secrets must not answer 500 to every link.
  if (!Array.isArray(deps.secrets) || deps.secrets.length === 0)
    throw new TypeError('unsubscribeRouter needs the unsubscribe secrets (resolveUnsubscribeSecrets)');
  const maxAgeDays = deps.maxAgeDays ?? DEFAULT_UNSUBSCRIBE_MAX_AGE_DAYS;
  const details: Record<UnsubscribeTokenFailure, string> = {
    malformed: 'This unsubscribe link is damaged.',
    bad_signature: 'This unsubscribe link is not valid.',
    expired: `This unsubscribe link has expired: links work for ${maxAgeDays} days after the email was sent.`,
    issued_in_future: 'This unsubscribe link is dated in the future, so it was not issued by this service.',
    unsupported_version: 'This unsubscribe link is not valid.',
  };
  const router = Router();
  // Mail clients post `List-Unsubscribe=One-Click` form-encoded; the body itself carries nothing we need.
  router.use(express.urlencoded({ extended: false, limit: '1kb' }));

  const verify = (req: Request<{ token: string }>): Extract<UnsubscribeTokenResult, { ok: true }> => {
    const result = verifyUnsubscribeToken(deps.secrets, req.params.token, { maxAgeDays });
    if (!result.ok) {
      throw new HttpProblem(400, 'invalid-unsubscribe-token', 'Invalid unsubscribe link', details[result.reason], { reason: result.reason });
    }
    return result;
  };

  router.post('/:token', async (req: Request<{ token: string }>, res: Response) => {
    const { payload } = verify(req);
    // INSERT … ON CONFLICT DO NOTHING: the same link clicked several times at once (a mail client's
    // one-click POST and its user) all answer 200; an upsert raced itself into a unique violation.
    const email = payload.email.toLowerCase();
    await deps.db.suppression.createMany({
      data: [{ id: `unsub:${email}`, email, reason: 'unsubscribed', source: `campaign:${payload.campaignId}` }],
      skipDuplicates: true,
    });
    await deps.db.auditEvent.createMany({
      data: [
        {
          idempotencyKey: `unsubscribe:${payload.campaignId}:${payload.customerId}`,
          action: 'customer.unsubscribed',
          entityType: 'customer',
          entityId: payload.customerId,
          actorId: payload.customerId,
          details: { campaignId: payload.campaignId, channel: 'email', method: 'one-click' },
        },
      ],
      skipDuplicates: true,
    });
    if (req.accepts(['json', 'html']) === 'html') {
      res.type('html').send(page('You are unsubscribed', `<p>${escapeHtml(payload.email)} will receive no more marketing email from us.</p>`));
    } else {
      res.json({ unsubscribed: true, email: payload.email });
    }
  });

  router.get('/:token', (req: Request<{ token: string }>, res: Response) => {
    const { payload } = verify(req);
    res
      .type('html')
      .send(
        page(
          'Unsubscribe',
          `<p>Stop marketing email to ${escapeHtml(payload.email)}?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
  });
  return router;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
