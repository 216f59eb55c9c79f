/**
 * Jest global teardown: stops the Temporal dev server global-setup started (nothing when it reused
 * TEST_TEMPORAL_ADDRESS) and drops a per-run database. `retail_ops_test` itself is kept so a
 * failed run can be inspected; the next run re-creates it.
 */
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { stopProcess } from '../../scripts/temporal-dev';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__RETAIL_OPS_TEST_INFRA__;
  if (!state) return;
  globalThis.__RETAIL_OPS_TEST_INFRA__ = undefined;
  if (state.server) {
    const how = await stopProcess(state.server, 10_000);
    if (how === 'killed') process.stderr.write(`[test teardown] the Temporal dev server on ${state.temporalAddress} had to be killed\n`);
  }
  if (state.removeLogAtTeardown) rmSync(state.removeLogAtTeardown, { force: true });
  if (state.dropDatabaseAtTeardown) {
    const u = new URL(state.databaseUrl);
    const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
    u.pathname = '/postgres';
    const admin = new Client({ connectionString: u.toString() });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    } catch (err) {
      process.stderr.write(`[test teardown] could not drop ${name}: ${(err as Error).message}\n`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}
