/**
 * The seed as docker-compose runs it (`prisma/seed.ts`, no flag): the data, no principal, no key.
 * Demo principals only with `--demo` or RETAIL_OPS_DEMO=true; a later seed without demo mode
 * revokes the published demo keys. Runs the real script against a scratch database.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Connection, Client as TemporalClient } from '@temporalio/client';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../api/app';
import { hashApiKey } from '../../platform/api-keys';
import { createDb, type Db } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { demoRequested } from '../../prisma/seed';
import { DEMO_PRINCIPALS } from '../../prisma/seed-data';
import { testEnv } from '../../scripts/kit/env';
import { TEST_UNSUBSCRIBE_SECRETS } from '../../scripts/kit/unsubscribe-secrets';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const scratchName = `retail_ops_seed_${process.pid}_${Date.now().toString(36)}`;
const urlFor = (database: string) => {
  const u = new URL(testEnv().databaseUrl);
  u.pathname = `/${database}`;
  return u.toString();
};
const scratchUrl = urlFor(scratchName);
let db: Db;
let temporal: TemporalClient;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: urlFor('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `node --import tsx prisma/seed.ts [args]` on the scratch database, as docker-compose runs it. */
function seedScript(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: scratchUrl, RETAIL_OPS_DEMO: '', ...env };
    const child = spawn(process.execPath, ['--import', 'tsx', 'prisma/seed.ts', ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += String(b)));
    child.stderr.on('data', (b) => (out += String(b)));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** A fresh app each time: the auth cache of an earlier one would remember a key. */
const status = async (key: string) =>
  (
    await request(createApp({ db, client: temporal, taskQueue: 'unused', logger: createLogger('silent'), unsubscribeSecrets: TEST_UNSUBSCRIBE_SECRETS }))
      .get('/api/v1/stores')
      .set('Authorization', `Bearer ${key}`)
  ).status;

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE "${scratchName}"`));
  db = createDb(scratchUrl, { max: 2 });
  temporal = new TemporalClient({ connection: Connection.lazy({ address: testEnv().temporalAddress }) });
});

afterAll(async () => {
  await db?.$disconnect();
  await temporal?.connection.close().catch(() => undefined);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`));
});

test('demo mode is RETAIL_OPS_DEMO=true|1|yes or --demo, nothing else', () => {
  expect(demoRequested({}, [])).toBe(false);
  expect(demoRequested({ RETAIL_OPS_DEMO: 'false' }, [])).toBe(false);
  expect(demoRequested({ RETAIL_OPS_DEMO: '0' }, ['--demo-ish'])).toBe(false);
  expect(demoRequested({ RETAIL_OPS_DEMO: 'TRUE' }, [])).toBe(true);
  expect(demoRequested({ RETAIL_OPS_DEMO: ' yes ' }, [])).toBe(true);
  expect(demoRequested({}, ['--demo'])).toBe(true);
});

test('seed without the demo flag: data, no principal; --demo adds the demo principals; a seed without it again revokes their keys', async () => {
  const plain = await seedScript([]);
  expect(plain).toMatchObject({ code: 0 });
  expect(plain.out).toContain('Demo data seeded');
  expect(plain.out).toContain('No demo principals');
  expect(await db.store.count()).toBeGreaterThan(0);
  expect(await db.principal.count()).toBe(0);
  expect(await db.apiKey.count()).toBe(0);
  expect(await status('demo-key-pos-gateway')).toBe(401);

  // Seeded once: the next run only checks, and still creates no principal.
  const again = await seedScript([], { RETAIL_OPS_DEMO: 'false' });
  expect(again).toMatchObject({ code: 0 });
  expect(again.out).toContain('Demo data already present');
  expect(await db.principal.count()).toBe(0);

  const demo = await seedScript(['--demo']);
  expect(demo).toMatchObject({ code: 0 });
  expect(demo.out).toContain('Demo principals and their API keys');
  expect(await db.principal.count()).toBe(DEMO_PRINCIPALS.length);
  expect(await status('demo-key-pos-gateway')).toBe(200);
  expect(await status('demo-key-alex')).toBe(200);

  // The installation goes to production: the published keys stop working, the principals stay.
  const production = await seedScript([]);
  expect(production).toMatchObject({ code: 0 });
  expect(production.out).toContain(`Revoked ${DEMO_PRINCIPALS.length} demo API key(s)`);
  expect(await db.apiKey.count({ where: { keyHash: { in: DEMO_PRINCIPALS.map((p) => hashApiKey(p.apiKey)) }, revokedAt: null } })).toBe(0);
  expect(await status('demo-key-pos-gateway')).toBe(401);
  expect(await status('demo-key-alex')).toBe(401);

  // RETAIL_OPS_DEMO=true brings the demo back.
  expect(await seedScript([], { RETAIL_OPS_DEMO: 'true' })).toMatchObject({ code: 0 });
  expect(await status('demo-key-pos-gateway')).toBe(200);
});
