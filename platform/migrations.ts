/**
 * Database creation and migration runner.
 *
 * `prisma migrate` needs Prisma's native schema engine, which cannot be installed everywhere this
 * project runs, so migrations are plain SQL files in Prisma's layout
 * (prisma/migrations/<timestamp>_<name>/migration.sql) applied by this runner. It keeps the
 * `_prisma_migrations` table exactly as Prisma's schema engine does (same DDL, sha256 checksum of
 * migration.sql, same advisory lock key), so `prisma migrate deploy` / `migrate status` on a
 * machine that has the engine sees these migrations as applied, and the two never run at once.
 *
 * Differences from Prisma, on purpose:
 * - each migration runs in a transaction (Prisma runs the script as is), so a failing migration
 *   leaves nothing half-applied; its attempt is recorded with the error in `logs` and
 *   `rolled_back_at` set, the state `prisma migrate resolve --rolled-back` would leave, so fixing
 *   the file and running again just works;
 * - a checksum mismatch on an applied migration is an error, not a warning.
 * Because of the transaction, a migration cannot contain statements Postgres refuses inside one
 * (CREATE INDEX CONCURRENTLY, CREATE DATABASE, VACUUM), and an enum value added with
 * ALTER TYPE ... ADD VALUE can only be used (in a default, an UPDATE) from a later migration.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';

/** The key Prisma's schema engine locks with (`SELECT pg_advisory_lock(72707369)`). */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', 'prisma', 'migrations');

/** The `_prisma_migrations` DDL of Prisma's PostgreSQL connector, verbatim. */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface LocalMigration {
  name: string;
  sql: string;
  /** sha256 hex of the migration.sql bytes, what Prisma stores in `checksum`. */
  checksum: string;
}

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  log?: (msg: string) => void;
  /** How long to wait for another process holding the migration lock (default 5 minutes). */
  lockTimeoutMs?: number;
}

export interface ApplyMigrationsResult {
  applied: string[];
  alreadyApplied: string[];
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/** Like Prisma, a checksum taken on a checkout with the other line-ending style still matches. */
function checksumMatches(stored: string, local: LocalMigration): boolean {
  if (stored === local.checksum) return true;
  const lf = local.sql.replace(/\r\n/g, '\n');
  return stored === migrationChecksum(lf) || stored === migrationChecksum(lf.replace(/\n/g, '\r\n'));
}

/** Splits a Postgres URL into pg client settings, its database name, and Prisma's `schema` parameter. */
function parseDatabaseUrl(databaseUrl: string): { url: URL; database: string; schema: string | undefined } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new MigrationError('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new MigrationError(`DATABASE_URL must be a postgres:// or postgresql:// URL (got ${url.protocol})`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new MigrationError('DATABASE_URL names no database');
  const schema = url.searchParams.get('schema') ?? undefined;
  return { url, database, schema };
}

function clientConfig(url: URL): ClientConfig {
  const u = new URL(url.toString());
  // Prisma's `schema` parameter means nothing to pg; it is applied through search_path below.
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), application_name: 'retail-ops-migrate' };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function redact(url: URL): string {
  const u = new URL(url.toString());
  if (u.password) u.password = '***';
  return `${u.host}${u.pathname}`;
}

/**
 * Creates the database DATABASE_URL names when it does not exist, connecting to the `postgres`
 * maintenance database of the same server with the same credentials. Returns true when created.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { url, database } = parseDatabaseUrl(databaseUrl);
  const maintenance = new URL(url.toString());
  maintenance.pathname = '/postgres';
  const client = new Client(clientConfig(maintenance));
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (err) {
      // Another process created it between the check and the CREATE.
      if (pgCode(err) === '42P04' || pgCode(err) === '23505') return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}

/** Reads prisma/migrations: every directory holding a migration.sql, in lexical (= timestamp) order. */
export async function readLocalMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<LocalMigration[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    if (pgCode(err) === 'ENOENT') throw new MigrationError(`migrations directory ${migrationsDir} does not exist`);
    throw err;
  }
  const lock = await fs.readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  if (lock !== null) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
    if (provider !== undefined && provider !== 'postgresql') {
      throw new MigrationError(`${migrationsDir}/migration_lock.toml is for provider "${provider}", not "postgresql"`);
    }
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (err) {
      if (pgCode(err) === 'ENOENT') throw new MigrationError(`migration ${name} has no migration.sql (${file})`);
      throw err;
    }
    if (name.length > 255) throw new MigrationError(`migration name ${name} is longer than 255 characters`);
    migrations.push({ name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) });
  }
  return migrations;
}

async function acquireLock(client: Client, log: (msg: string) => void, timeoutMs: number): Promise<void> {
  const got = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_ADVISORY_LOCK_KEY]);
  if (got.rows[0]?.locked) return;
  log(`another process is migrating this database; waiting up to ${Math.round(timeoutMs / 1000)}s for its lock`);
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  } catch (err) {
    if (pgCode(err) === '55P03') {
      throw new MigrationError(`timed out after ${timeoutMs}ms waiting for the migration lock (pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY}))`);
    }
    throw err;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

/**
 * Applies every migration in `migrationsDir` not yet recorded in `_prisma_migrations`, oldest
 * first, each in its own transaction, while holding Prisma's migration advisory lock.
 *
 * Throws a MigrationError, applying nothing, when a migration that was applied has since been
 * edited (checksum mismatch) or when the database records a failed migration that nobody resolved.
 */
export async function applyMigrations(databaseUrl: string, opts: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const log = opts.log ?? (() => undefined);
  const lockTimeoutMs = opts.lockTimeoutMs ?? 5 * 60_000;
  const { url, schema } = parseDatabaseUrl(databaseUrl);
  const local = await readLocalMigrations(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);

  const client = new Client(clientConfig(url));
  await client.connect();
  try {
    await acquireLock(client, log, lockTimeoutMs);
    try {
      if (schema) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      }
      const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
      if (!exists.rows[0]?.t) {
        await client.query(PRISMA_MIGRATIONS_TABLE_DDL);
        log('created _prisma_migrations');
      }
      const { rows } = await client.query<MigrationRow>(
        `SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs
           FROM _prisma_migrations ORDER BY started_at ASC`,
      );

      const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed.length > 0) {
        const list = failed.map((r) => `  ${r.migration_name}${r.logs ? `: ${r.logs.split('\n')[0]}` : ''}`).join('\n');
        throw new MigrationError(
          `the database records failed migrations that were never resolved:\n${list}\n` +
            'Fix the database by hand, then mark each one rolled back (UPDATE _prisma_migrations SET rolled_back_at = now() ' +
            'WHERE migration_name = ... AND finished_at IS NULL, which is what `prisma migrate resolve --rolled-back` does) ' +
            'or applied (`prisma migrate resolve --applied`).',
        );
      }

      const applied = new Map<string, MigrationRow>();
      for (const r of rows) if (r.finished_at !== null && r.rolled_back_at === null) applied.set(r.migration_name, r);

      const localNames = new Set(local.map((m) => m.name));
      const edited = local.filter((m) => applied.has(m.name) && !checksumMatches(applied.get(m.name)!.checksum, m));
      if (edited.length > 0) {
        const list = edited.map((m) => `  ${m.name}: recorded ${applied.get(m.name)!.checksum}, file ${m.checksum}`).join('\n');
        throw new MigrationError(
          `applied migrations were modified after they were applied (checksum mismatch):\n${list}\n` +
            'Never edit an applied migration; add a new one instead.',
        );
      }
      for (const name of applied.keys()) {
        if (!localNames.has(name)) log(`warning: migration ${name} is recorded in the database but missing from the migrations directory`);
      }

      const result: ApplyMigrationsResult = { applied: [], alreadyApplied: [] };
      for (const m of local) {
        if (applied.has(m.name)) {
          result.alreadyApplied.push(m.name);
          continue;
        }
        log(`applying ${m.name}`);
        const id = randomUUID();
        const startedAt = new Date();
        try {
          await client.query('BEGIN');
          await client.query(m.sql);
          await client.query(
            `INSERT INTO _prisma_migrations (id, checksum, started_at, finished_at, migration_name, applied_steps_count)
             VALUES ($1, $2, $3, now(), $4, 1)`,
            [id, m.checksum, startedAt, m.name],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          const message = err instanceof Error ? err.message : String(err);
          const where = pgCode(err) ? ` (SQLSTATE ${pgCode(err)})` : '';
          // Recorded as rolled back: the transaction undid everything, so the next run retries it.
          await client
            .query(
              `INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs, rolled_back_at, applied_steps_count)
               VALUES ($1, $2, $3, $4, $5, now(), 0)`,
              [id, m.checksum, startedAt, m.name, `${message}${where}`],
            )
            .catch(() => undefined);
          throw new MigrationError(`migration ${m.name} failed and was rolled back: ${message}${where}`, { cause: err });
        }
        result.applied.push(m.name);
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

/** For logs: where a URL points, without its password. */
export function describeDatabaseUrl(databaseUrl: string): string {
  return redact(parseDatabaseUrl(databaseUrl).url);
}
