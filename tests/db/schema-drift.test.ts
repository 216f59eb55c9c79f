/**
 * Proves the hand-written SQL migrations and schema.prisma describe the same database.
 *
 * A scratch database (unique name, dropped at the end) on the DATABASE_URL server is migrated with
 * platform/migrations.ts, introspected from pg_catalog, and compared with the schema as Prisma's
 * own parser reads it (getDMMF). Also covers the runner: concurrent starts, re-runs, Prisma's
 * `_prisma_migrations` bookkeeping, edited and failed migrations.
 */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getDMMF } from '@prisma/internals';
import { Client } from 'pg';
import {
  applyMigrations,
  ensureDatabase,
  MigrationError,
  PRISMA_ADVISORY_LOCK_KEY,
  PRISMA_MIGRATIONS_TABLE_DDL,
  readLocalMigrations,
} from '../../platform/migrations';
import { compareSchemaToDatabase, introspectDatabase, type DbIntrospection, type Dmmf } from '../support/schema-compare';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
const SERVER_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/retail_ops';

function urlFor(database: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${database}`;
  u.search = '';
  return u.toString();
}

const scratchName = `retail_ops_drift_${process.pid}_${Date.now().toString(36)}`;
const scratchUrl = urlFor(scratchName);
const schemaText = readFileSync(SCHEMA_PATH, 'utf8');

let client: Client;
let dmmf: Dmmf;
let introspection: DbIntrospection;
let localNames: string[];

async function dropScratch(): Promise<void> {
  const admin = new Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** The schema with one textual edit, parsed by Prisma; fails the test if the edit did not apply. */
async function dmmfWith(edit: (schema: string) => string): Promise<Dmmf> {
  const edited = edit(schemaText);
  expect(edited).not.toBe(schemaText);
  return getDMMF({ datamodel: edited });
}

beforeAll(async () => {
  localNames = (await readLocalMigrations(MIGRATIONS_DIR)).map((m) => m.name);
  dmmf = await getDMMF({ datamodel: schemaText });
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await dropScratch();
});

describe('migrations', () => {
  test('ensureDatabase creates the scratch database once', async () => {
    expect(await ensureDatabase(scratchUrl)).toBe(true);
    expect(await ensureDatabase(scratchUrl)).toBe(false);
  });

  test('two runners starting at once apply each migration exactly once', async () => {
    const logs: string[] = [];
    const [a, b] = await Promise.all([
      applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, log: (m) => logs.push(`a: ${m}`) }),
      applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, log: (m) => logs.push(`b: ${m}`) }),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual(localNames);
    // Whoever ran second found everything applied.
    const second = a.applied.length === 0 ? a : b;
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(localNames);

    client = new Client({ connectionString: scratchUrl });
    await client.connect();
    introspection = await introspectDatabase(client);
  });

  test('applying again is a no-op', async () => {
    const before = await client.query('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    const again = await applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR });
    expect(again).toEqual({ applied: [], alreadyApplied: localNames });
    const after = await client.query('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(after.rows).toEqual(before.rows);
    expect(await introspectDatabase(client)).toEqual(introspection);
  });

  test('a runner waits for the migration lock held by another process (Prisma’s advisory lock key)', async () => {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    let released = false;
    try {
      await expect(applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, lockTimeoutMs: 300 })).rejects.toThrow(
        /timed out after 300ms waiting for the migration lock/,
      );
      const logs: string[] = [];
      const waiting = applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, log: (m) => logs.push(m) });
      for (let i = 0; i < 100 && !logs.some((l) => l.includes('waiting')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(logs.join('\n')).toMatch(/another process is migrating this database/);
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      released = true;
      expect(await waiting).toEqual({ applied: [], alreadyApplied: localNames });
    } finally {
      if (!released) await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    }
  });

  test('_prisma_migrations is Prisma’s table with one finished row per migration and the sha256 of migration.sql', async () => {
    // Same shape as the table Prisma's schema engine creates.
    const columns = await client.query<{ column_name: string; data_type: string; len: number | null; is_nullable: string; column_default: string | null }>(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '_prisma_migrations'
        ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);
    const pk = introspection.indexes.find((i) => i.table === '_prisma_migrations' && i.primary);
    expect(pk?.columns).toEqual(['id']);
    expect(PRISMA_MIGRATIONS_TABLE_DDL).toContain('CREATE TABLE _prisma_migrations');

    const rows = await client.query<{
      id: string;
      checksum: string;
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      started_at: Date;
      applied_steps_count: number;
      logs: string | null;
    }>('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.rows.map((r) => r.migration_name)).toEqual(localNames);
    for (const row of rows.rows) {
      const bytes = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }
  });
});

describe('schema.prisma and the migrated database agree', () => {
  test('no differences', () => {
    expect(compareSchemaToDatabase(dmmf, introspection)).toEqual([]);
  });

  test('the comparison covered every model, enum, index and relation', () => {
    const tables = introspection.tables
      .map((t) => t.name)
      .filter((n) => n !== '_prisma_migrations')
      .sort();
    expect(tables).toEqual(dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort());
    expect(introspection.enums.map((e) => e.name).sort()).toEqual(dmmf.datamodel.enums.map((e) => e.dbName ?? e.name).sort());
    const relationsWithFks = dmmf.datamodel.models.flatMap((m) => m.fields.filter((f) => f.relationFromFields?.length));
    expect(introspection.foreignKeys).toHaveLength(relationsWithFks.length);
    const schemaIndexes = dmmf.datamodel.indexes.length;
    const dbIndexes = introspection.indexes.filter((i) => i.table !== '_prisma_migrations').length;
    expect(dbIndexes).toBe(schemaIndexes);
  });
});

describe('the comparison reports drift', () => {
  test('a field added to the schema', async () => {
    const edited = await dmmfWith((s) => s.replace(/(model Region \{\n\s+id\s+String\s+@id\n)/, '$1  code      String?  @db.VarChar(8)\n'));
    expect(compareSchemaToDatabase(edited, introspection)).toEqual(['column "Region"."code" is missing from the database']);
  });

  test('an index removed from the schema', async () => {
    const edited = await dmmfWith((s) => s.replace(/(model Store \{[^}]*?)\n\s+@@index\(\[regionId\]\)/, '$1'));
    expect(compareSchemaToDatabase(edited, introspection)).toEqual([
      'index "Store_regionId_idx" on "Store"(regionId) exists in the database but not in the schema',
    ]);
  });

  test('type, nullability, default, unique, relation action and enum changes', async () => {
    const edited = await dmmfWith((s) =>
      s
        .replace(/(model Supplier \{[^}]*?leadTimeDays\s+)Int/, '$1Float')
        .replace(/(model Customer \{[^}]*?phone\s+)String\?/, '$1String')
        .replace(/(model Store \{[^}]*?openingHour\s+Int\s+)@default\(10\)/, '$1@default(9)')
        .replace(/(model Staff \{[^}]*?email\s+String\s+)@unique/, '$1')
        .replace(/(model StaffShift \{[^}]*?)onDelete: Cascade/, '$1onDelete: Restrict')
        .replace(/(enum RoomKind \{\n\s+SUITE\n)/, '$1  POP_UP\n'),
    );
    expect(compareSchemaToDatabase(edited, introspection).sort()).toEqual(
      [
        'column "Supplier"."leadTimeDays": type double precision in schema, integer in database',
        'column "Customer"."phone": NOT NULL in schema, nullable in database',
        'column "Store"."openingHour": default 9 in schema, 10 in database',
        'unique index "Staff_email_key" on "Staff"(email) exists in the database but not in the schema',
        'foreign key "StaffShift_staffId_fkey" "StaffShift"(staffId) -> "Staff"(id): ON DELETE RESTRICT in schema, ON DELETE CASCADE in database',
        'enum "RoomKind": values SUITE, POP_UP, FITTING_ROOM in schema, SUITE, FITTING_ROOM in database (missing POP_UP)',
      ].sort(),
    );
  });

  test('a model added to the schema', async () => {
    const edited = await dmmfWith((s) => `${s}\nmodel StoreNote {\n  id      String @id\n  storeId String\n  body    String\n\n  @@index([storeId])\n}\n`);
    expect(compareSchemaToDatabase(edited, introspection)).toEqual([
      'table "StoreNote" (model StoreNote) is missing from the database',
      'primary key "StoreNote_pkey" on "StoreNote"(id) is missing from the database',
      'index "StoreNote_storeId_idx" on "StoreNote"(storeId) is missing from the database',
    ]);
  });

  test('objects in the database the schema does not have', async () => {
    await client.query('BEGIN');
    try {
      await client.query('ALTER TABLE "Region" ADD COLUMN "legacyCode" TEXT');
      await client.query('CREATE INDEX "Region_name_idx" ON "Region"("name")');
      await client.query('ALTER TABLE "Room" ADD CONSTRAINT "Room_capacity_check" CHECK ("capacity" > 0)');
      await client.query('CREATE TABLE "Scratch" ("id" TEXT PRIMARY KEY)');
      await client.query(`CREATE TYPE "Mood" AS ENUM ('HAPPY')`);
      const changed = await introspectDatabase(client);
      expect(compareSchemaToDatabase(dmmf, changed).sort()).toEqual(
        [
          'column "Region"."legacyCode" exists in the database but not in the schema',
          'index "Region_name_idx" on "Region"(name) exists in the database but not in the schema',
          'constraint "Room_capacity_check" on "Room" (CHECK ((capacity > 0))) exists in the database but not in the schema',
          'table "Scratch" exists in the database but not in the schema',
          'primary key "Scratch_pkey" on "Scratch"(id) exists in the database but not in the schema',
          'enum "Mood" exists in the database but not in the schema',
        ].sort(),
      );
    } finally {
      await client.query('ROLLBACK');
    }
    expect(compareSchemaToDatabase(dmmf, await introspectDatabase(client))).toEqual([]);
  });
});

describe('the runner refuses an inconsistent history', () => {
  let tmpDir: string;

  beforeEach(async () => {
    tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'retail-ops-migrations-'));
    await fs.cp(MIGRATIONS_DIR, tmpDir, { recursive: true });
  });

  afterEach(async () => {
    await fs.rm(tmpDir, { recursive: true, force: true });
  });

  test('an applied migration that was edited', async () => {
    const file = path.join(tmpDir, localNames[0]!, 'migration.sql');
    await fs.appendFile(file, '\n-- edited after it was applied\n');
    await expect(applyMigrations(scratchUrl, { migrationsDir: tmpDir })).rejects.toThrow(new RegExp(`checksum mismatch[\\s\\S]*${localNames[0]}`));
  });

  test('a failed migration recorded by Prisma and never resolved', async () => {
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000001', $1, '20990101000000_half_done', 'boom', 0)`,
      ['0'.repeat(64)],
    );
    try {
      const err = await applyMigrations(scratchUrl, { migrationsDir: tmpDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(/failed migrations[\s\S]*20990101000000_half_done: boom/);
    } finally {
      await client.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20990101000000_half_done'`);
    }
  });

  test('a failing migration is rolled back, recorded as rolled back, and does not block the next run', async () => {
    const name = '20991231000000_broken';
    await fs.mkdir(path.join(tmpDir, name));
    await fs.writeFile(path.join(tmpDir, name, 'migration.sql'), 'CREATE TABLE "Broken" ("id" TEXT);\nSELECT 1 / 0;\n');
    await expect(applyMigrations(scratchUrl, { migrationsDir: tmpDir })).rejects.toThrow(/20991231000000_broken failed and was rolled back: division by zero/);

    const table = await client.query(`SELECT to_regclass('"Broken"') AS t`);
    expect(table.rows[0].t).toBeNull();
    const rows = await client.query('SELECT finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations WHERE migration_name = $1', [name]);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].finished_at).toBeNull();
    expect(rows.rows[0].rolled_back_at).toBeInstanceOf(Date);
    expect(rows.rows[0].logs).toMatch(/division by zero/);
    expect(rows.rows[0].applied_steps_count).toBe(0);

    await fs.rm(path.join(tmpDir, name), { recursive: true });
    expect(await applyMigrations(scratchUrl, { migrationsDir: tmpDir })).toEqual({ applied: [], alreadyApplied: localNames });
    await client.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [name]);
  });
});
