import express, { Router, type Request, type Response } from 'express';
import type { Db } from '../../platform/db';
import { verifyUnsubscribeToken, type UnsubscribeTokenResult } from '../../platform/unsubscribe-token';
import { HttpProblem } from '../errors';

/**
 * One-click unsubscribe (RFC 8058), no API key: the link carries a signed token.
 *   POST /unsubscribe/{token}  suppresses the address at once and answers 200 (what mail clients
 *                              send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`)
 *   GET  /unsubscribe/{token}  a page with one button that POSTs (a GET never unsubscribes:
 *                              link scanners follow GETs)
 * A bad, forged or expired token is a 400 problem and changes nothing.
 */
export function unsubscribeRouter(deps: { db: Db; secrets: readonly string[] }): Router {
  const router = Router();
  // Mail clients post `List-Unsubscribe=One-Click` form-encoded; the body itself carries nothing we need.
  router.use(express.urlencoded({ extended: false, limit: '1kb' }));

  const verify = (req: Request<{ token: string }>): Extract<UnsubscribeTokenResult, { ok: true }> => {
    const result = verifyUnsubscribeToken(deps.secrets, req.params.token);
    if (!result.ok) {
      const detail = { malformed: 'This unsubscribe link is damaged.', bad_signature: 'This unsubscribe link is not valid.', expired: 'This unsubscribe link has expired.', unsupported_version: 'This unsubscribe link is not valid.' }[result.reason];
      throw new HttpProblem(400, 'invalid-unsubscribe-token', 'Invalid unsubscribe link', detail, { reason: result.reason });
    }
    return result;
  };

  router.post('/:token', async (req: Request<{ token: string }>, res: Response) => {
    const { payload } = verify(req);
    await deps.db.suppression.upsert({
      where: { email_reason: { email: payload.email.toLowerCase(), reason: 'unsubscribed' } },
      create: { id: `unsub:${payload.email.toLowerCase()}`, email: payload.email.toLowerCase(), reason: 'unsubscribed', source: `campaign:${payload.campaignId}` },
      update: {},
    });
    await deps.db.auditEvent.upsert({
      where: { idempotencyKey: `unsubscribe:${payload.campaignId}:${payload.customerId}` },
      create: {
        idempotencyKey: `unsubscribe:${payload.campaignId}:${payload.customerId}`,
        action: 'customer.unsubscribed',
        entityType: 'customer',
        entityId: payload.customerId,
        actorId: payload.customerId,
        details: { campaignId: payload.campaignId, channel: 'email', method: 'one-click' },
      },
      update: {},
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
