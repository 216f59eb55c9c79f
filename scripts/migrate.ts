/**
 * Creates the database if missing and applies pending migrations from prisma/migrations.
 *
 *   npx tsx scripts/migrate.ts            # DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/retail_ops
 *
 * Exit code 0 when the database is up to date, 1 on any failure.
 */
import 'dotenv/config';
import { applyMigrations, describeDatabaseUrl, ensureDatabase, MigrationError } from '../platform/migrations';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const where = describeDatabaseUrl(databaseUrl);

  const created = await ensureDatabase(databaseUrl);
  console.log(created ? `created database ${where}` : `database ${where} exists`);

  const { applied, alreadyApplied } = await applyMigrations(databaseUrl, { log: (msg) => console.log(`  ${msg}`) });
  if (applied.length === 0) {
    console.log(`no pending migrations (${alreadyApplied.length} already applied)`);
  } else {
    console.log(`applied ${applied.length} migration(s): ${applied.join(', ')} (${alreadyApplied.length} were already applied)`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof MigrationError) {
    console.error(`migration failed: ${err.message}`);
  } else {
    console.error('migration failed:', err);
  }
  process.exitCode = 1;
});
