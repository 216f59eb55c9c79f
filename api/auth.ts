import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ROLES, type Principal, type Role } from '../domain/approval';
import { hashApiKey } from '../platform/api-keys';
import type { Db } from '../platform/db';
import { problems } from './errors';

export interface AuthedPrincipal extends Principal {
  displayName: string;
  email: string | null;
  staffId: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: AuthedPrincipal;
  }
}

const CACHE_MS = 30_000;

/** Resolves `Authorization: Bearer <key>` to a principal; keys are looked up by their SHA-256 hash. */
export function authenticate(db: Db): RequestHandler {
  const cache = new Map<string, { principal: AuthedPrincipal | null; at: number }>();
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(problems.unauthenticated());
    const hash = hashApiKey(match[1]);
    let hit = cache.get(hash);
    if (!hit || Date.now() - hit.at > CACHE_MS) {
      const key = await db.apiKey.findUnique({ where: { keyHash: hash }, include: { principal: true } });
      const p = key && !key.revokedAt && key.principal.active ? key.principal : null;
      hit = {
        principal: p && {
          id: p.id,
          role: p.role as Role,
          allScopes: p.allScopes,
          storeIds: p.storeIds,
          regionIds: p.regionIds,
          categories: p.categories,
          displayName: p.displayName,
          email: p.email,
          staffId: p.staffId,
        },
        at: Date.now(),
      };
      cache.set(hash, hit);
    }
    if (!hit.principal) return next(problems.unauthenticated('The API key is unknown or revoked.', true));
    req.principal = hit.principal;
    next();
  };
}

export function principalOf(req: Request): AuthedPrincipal {
  if (!req.principal) throw problems.unauthenticated();
  return req.principal;
}

export function requireRole(req: Request, roles: readonly Role[], action: string): AuthedPrincipal {
  const p = principalOf(req);
  if (!roles.includes(p.role)) {
    throw problems.forbidden(`Role ${p.role} may not ${action}; allowed: ${roles.join(', ')}.`);
  }
  return p;
}

export { ROLES };
