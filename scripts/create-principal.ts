/**
 * `npm run principal:create -- --id <id> --role <role> [scope] [--name "..."] [--email ...] [--rotate]`
 *
 * Creates a principal (a person or an upstream system) with a new random API key and prints the
 * key once: only its SHA-256 hash is stored, so it cannot be shown again. An existing id is refused
 * unless `--rotate`, which revokes that principal's active keys and issues a new one (role and scope
 * flags given with it are applied too). Reads DATABASE_URL (a .env file too).
 *
 * Scope, as in DESIGN.md: `--stores S001,S002` (store_manager, associate), `--regions WEST`
 * (regional_manager), `--categories womens-apparel` (category_manager), `--all-scopes` (system,
 * marketing_manager, data_scientist, ops; these may also be limited by lists). Stores, regions and
 * categories must exist.
 *
 * Exit status: 0 done; 2 refused (bad or missing flags, unknown scope, existing id without
 * --rotate, unknown id with --rotate); 1 anything else (database unreachable, ...).
 */
import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROLES, type Role } from '../domain/approval';
import { hashApiKey } from '../platform/api-keys';
import { createDb, type Db } from '../platform/db';

export const API_KEY_PREFIX = 'rok_';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

/** Roles whose scope is a list by their nature (DESIGN.md), never everything. */
const SCOPE_OF_ROLE: Partial<Record<Role, 'stores' | 'regions' | 'categories'>> = {
  store_manager: 'stores',
  associate: 'stores',
  regional_manager: 'regions',
  category_manager: 'categories',
};

export class Refusal extends Error {}

const list = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ])
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", up to 64 each')).min(1, 'give at least one'));

const flagsSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" or "-", up to 63 characters, starting with a letter or digit'),
    role: z.enum(ROLES).optional(),
    stores: list.optional(),
    regions: list.optional(),
    categories: list.optional(),
    'all-scopes': z.boolean().default(false),
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
    rotate: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    const lists = (['stores', 'regions', 'categories'] as const).filter((k) => f[k] !== undefined);
    const scopeGiven = f['all-scopes'] || lists.length > 0;
    if (!f.rotate && !f.role) ctx.addIssue({ code: 'custom', path: ['role'], message: `required: one of ${ROLES.join(', ')}` });
    if (f.rotate && !f.role && scopeGiven) ctx.addIssue({ code: 'custom', path: ['role'], message: 'give the role too when changing the scope' });
    if (f['all-scopes'] && lists.length) ctx.addIssue({ code: 'custom', path: ['all-scopes'], message: `not with --${lists.join(', --')}` });
    if (!f.role) return;
    const needed = SCOPE_OF_ROLE[f.role];
    if (needed && f['all-scopes']) ctx.addIssue({ code: 'custom', path: ['all-scopes'], message: `a ${f.role} is scoped: give --${needed} instead` });
    if (needed && f[needed] === undefined && !f['all-scopes']) ctx.addIssue({ code: 'custom', path: [needed], message: `required for a ${f.role}` });
    for (const k of lists) {
      if (needed && k !== needed) ctx.addIssue({ code: 'custom', path: [k], message: `a ${f.role} is scoped by --${needed} only` });
    }
    if (!needed && !scopeGiven)
      ctx.addIssue({ code: 'custom', path: ['all-scopes'], message: `a ${f.role} needs --all-scopes or --stores / --regions / --categories` });
  });

export type PrincipalFlags = z.infer<typeof flagsSchema>;

/** The command line as flags, or a Refusal naming every bad one. */
export function parsePrincipalFlags(argv: readonly string[]): PrincipalFlags {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        id: { type: 'string' },
        role: { type: 'string' },
        stores: { type: 'string' },
        regions: { type: 'string' },
        categories: { type: 'string' },
        'all-scopes': { type: 'boolean' },
        name: { type: 'string' },
        email: { type: 'string' },
        rotate: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new Refusal((err as Error).message);
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Refusal(parsed.error.issues.map((i) => `--${i.path.join('.') || '?'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

/** A new API key: the prefix makes it recognisable (secret scanners, logs), 32 random bytes make it unguessable. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

async function checkScopeExists(db: Db, f: PrincipalFlags): Promise<void> {
  const problems: string[] = [];
  if (f.stores) {
    const found = new Set((await db.store.findMany({ where: { id: { in: f.stores } }, select: { id: true } })).map((s) => s.id));
    const missing = f.stores.filter((s) => !found.has(s));
    if (missing.length) problems.push(`--stores: unknown store ${missing.join(', ')}`);
  }
  if (f.regions) {
    const found = new Set((await db.region.findMany({ where: { id: { in: f.regions } }, select: { id: true } })).map((r) => r.id));
    const missing = f.regions.filter((r) => !found.has(r));
    if (missing.length) problems.push(`--regions: unknown region ${missing.join(', ')}`);
  }
  if (f.categories) {
    const found = new Set(
      (await db.product.findMany({ where: { category: { in: f.categories } }, select: { category: true }, distinct: ['category'] })).map((p) => p.category),
    );
    const missing = f.categories.filter((c) => !found.has(c));
    if (missing.length) problems.push(`--categories: no product has category ${missing.join(', ')}`);
  }
  if (problems.length) throw new Refusal(problems.join('\n'));
}

export interface IssuedKey {
  principalId: string;
  role: Role;
  apiKey: string;
  keysRevoked: number;
  rotated: boolean;
  active: boolean;
}

/** Creates the principal with a new key, or with `rotate` revokes its keys and issues a new one. */
export async function createPrincipal(db: Db, f: PrincipalFlags, now: Date = new Date()): Promise<IssuedKey> {
  await checkScopeExists(db, f);
  const apiKey = generateApiKey();
  const scope =
    f.role === undefined
      ? {}
      : {
          role: f.role,
          allScopes: f['all-scopes'],
          storeIds: f.stores ?? [],
          regionIds: f.regions ?? [],
          categories: f.categories ?? [],
        };
  const key = {
    id: `apikey-${f.id}-${randomBytes(6).toString('hex')}`,
    keyHash: hashApiKey(apiKey),
    label: f.rotate ? `rotated by principal:create ${now.toISOString()}` : `created by principal:create ${now.toISOString()}`,
    createdAt: now,
  };
  return db.$transaction(async (tx) => {
    // Locks the row: two rotations at once end with one active key.
    const existing = (await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Principal" WHERE id = ${f.id} FOR UPDATE`)[0];
    if (existing && !f.rotate) throw new Refusal(`principal ${f.id} exists: --rotate revokes its keys and issues a new one`);
    if (!existing && f.rotate) throw new Refusal(`--rotate: there is no principal ${f.id} (leave --rotate out to create it)`);
    let keysRevoked = 0;
    if (existing) {
      keysRevoked = (await tx.apiKey.updateMany({ where: { principalId: f.id, revokedAt: null }, data: { revokedAt: now } })).count;
      await tx.principal.update({
        where: { id: f.id },
        data: { ...scope, ...(f.name ? { displayName: f.name } : {}), ...(f.email ? { email: f.email } : {}) },
      });
    } else {
      await tx.principal.create({ data: { id: f.id, displayName: f.name ?? f.id, email: f.email ?? null, ...(scope as Required<typeof scope>) } });
    }
    await tx.apiKey.create({ data: { ...key, principalId: f.id } });
    const p = await tx.principal.findUniqueOrThrow({ where: { id: f.id }, select: { role: true, active: true } });
    return { principalId: f.id, role: p.role as Role, apiKey, keysRevoked, rotated: !!existing, active: p.active };
  });
}

function describeScope(f: PrincipalFlags): string {
  if (f['all-scopes']) return 'all scopes';
  return (['stores', 'regions', 'categories'] as const)
    .filter((k) => f[k])
    .map((k) => `${k} ${f[k]!.join(', ')}`)
    .join('; ');
}

async function main(argv: readonly string[]): Promise<number> {
  let flags: PrincipalFlags;
  try {
    flags = parsePrincipalFlags(argv);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    console.error(`principal:create: ${err.message}`);
    console.error(
      'usage: npm run principal:create -- --id <id> --role <role> [--stores S001,S002] [--regions WEST] [--categories womens-apparel] [--all-scopes] [--name "..."] [--email ...] [--rotate]',
    );
    return 2;
  }
  const db = createDb(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, { max: 2 });
  try {
    const issued = await createPrincipal(db, flags);
    const what = issued.rotated
      ? `Rotated the key of principal ${issued.principalId} (${issued.role}): ${issued.keysRevoked} old key(s) revoked (a running API may accept them for up to 30 s more).`
      : `Created principal ${issued.principalId} (${issued.role}; ${describeScope(flags)}).`;
    console.log(what);
    if (!issued.active) console.error(`warning: principal ${issued.principalId} is deactivated; its key will not authenticate until it is active again.`);
    console.log('Its API key follows. Keep it now: it will not be shown again (only its SHA-256 hash is stored).');
    console.log(issued.apiKey);
    return 0;
  } catch (err) {
    if (err instanceof Refusal) {
      console.error(`principal:create: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`principal:create failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
