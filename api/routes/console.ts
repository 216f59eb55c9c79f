import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { hashApiKey } from '../../platform/api-keys';
import type { Db } from '../../platform/db';
import { principalOf } from '../auth';
import { problems, sendProblem } from '../errors';
import { z } from '../zod';

/** Where `npm start` / `npm test` build the console (scripts/build-console.ts). */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../console/dist');

const ScopeSchema = z
  .object({
    all: z.boolean(),
    storeIds: z.array(z.string()),
    regionIds: z.array(z.string()),
    categories: z.array(z.string()),
  })
  .strict()
  .openapi('PrincipalScope', { description: 'What the principal may see and decide: everything (`all`), or these stores, regions and categories' });

export const MeSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    role: z.string(),
    email: z.string().nullable(),
    staffId: z.string().nullable(),
    scope: ScopeSchema,
  })
  .strict()
  .openapi('Me', { description: 'The principal behind the API key of the request' });

export const ConsoleSettingsSchema = z
  .object({
    demoPrincipals: z
      .array(
        z
          .object({
            id: z.string(),
            displayName: z.string(),
            role: z.string(),
            scope: ScopeSchema,
            apiKey: z.string().openapi({ description: 'The published demo key (`demo-key-<id>`)' }),
          })
          .strict(),
      )
      .openapi({ description: 'In demo mode (the published demo keys are active), the demo principals a person may sign in as; empty otherwise' }),
    temporalUi: z.object({ url: z.string(), namespace: z.string() }).strict().nullable().openapi({
      description: 'The Temporal UI runs are linked to (`<url>/namespaces/<namespace>/workflows/<workflowId>`), when configured (TEMPORAL_UI_URL)',
    }),
  })
  .strict()
  .openapi('ConsoleSettings');

type Scope = z.infer<typeof ScopeSchema>;
const scopeOf = (p: { allScopes: boolean; storeIds: string[]; regionIds: string[]; categories: string[] }): Scope => ({
  all: p.allScopes,
  storeIds: p.storeIds,
  regionIds: p.regionIds,
  categories: p.categories,
});

/** `GET /api/v1/me`: who the API key is, with role and scope (the console's header). */
export function meHandler(): RequestHandler {
  return (req, res) => {
    const p = principalOf(req);
    res.json({ id: p.id, displayName: p.displayName, role: p.role, email: p.email, staffId: p.staffId, scope: scopeOf(p) } satisfies z.infer<typeof MeSchema>);
  };
}

const DEMO_ROLE_ORDER = ['store_manager', 'regional_manager', 'category_manager', 'marketing_manager', 'data_scientist', 'ops', 'associate', 'system'];

/**
 * `GET /api/v1/console-settings` (no API key): what the console needs before anyone signs in.
 * Demo mode is read from the database, not a flag: a principal is offered only while its active
 * key is exactly the published `demo-key-<id>` (the seed revokes those keys outside demo mode).
 */
export function consoleSettingsHandler(db: Db, opts: { temporalUiUrl?: string; temporalNamespace?: string }): RequestHandler {
  return async (_req, res) => {
    const keys = await db.apiKey.findMany({
      where: { id: { startsWith: 'apikey-demo-' }, revokedAt: null, principal: { active: true } },
      include: { principal: true },
    });
    const demoPrincipals = keys
      .filter((k) => k.keyHash === hashApiKey(`demo-key-${k.principalId}`))
      .map((k) => ({
        id: k.principal.id,
        displayName: k.principal.displayName,
        role: k.principal.role,
        scope: scopeOf(k.principal),
        apiKey: `demo-key-${k.principal.id}`,
      }))
      .sort((a, b) => DEMO_ROLE_ORDER.indexOf(a.role) - DEMO_ROLE_ORDER.indexOf(b.role) || a.id.localeCompare(b.id));
    const temporalUi = opts.temporalUiUrl ? { url: opts.temporalUiUrl.replace(/\/+$/, ''), namespace: opts.temporalNamespace ?? 'default' } : null;
    res.json({ demoPrincipals, temporalUi } satisfies z.infer<typeof ConsoleSettingsSchema>);
  };
}

/**
 * The built console at /console: its assets as files, every other /console/* path its index.html
 * (client-side routes, e.g. the deep links in emails). Without a build, a 503 problem saying how
 * to build it.
 */
export function consoleRouter(dir: string = DEFAULT_CONSOLE_DIR): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  router.use((req, res, next) => {
    if (existsSync(index)) return next();
    sendProblem(
      res,
      problems.unavailable(`The console is not built (${index} is missing): npm start and npm test build it, or run npm run console:build.`),
      req.originalUrl,
    );
  });
  // Hashed asset names: cached for long; index.html never, so a new build is picked up at once.
  router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  router.use(express.static(dir, { index: false, redirect: false, maxAge: 0 }));
  router.get(/.*/, (req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
