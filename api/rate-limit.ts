import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HttpProblem, sendProblem } from './errors';

/**
 * Requests per minute per API key (the authenticated principal), answered beyond the limit with a
 * 429 problem and `Retry-After`; `RateLimit` / `RateLimit-Policy` headers (IETF draft 8) tell a
 * client where it stands. Runs after authentication, so one integration cannot starve the others.
 * In memory per API instance: behind several instances the effective limit is per instance.
 */
export function perKeyRateLimit(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `principal:${req.principal?.id ?? 'anonymous'}`,
    handler: (req, res, _next, options) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      sendProblem(
        res,
        new HttpProblem(429, 'rate-limited', 'Too many requests', `More than ${perMinute} requests a minute for this API key; retry after ${seconds} s.`, {
          retryAfterSeconds: seconds,
        }),
        req.originalUrl,
      );
    },
  });
}
