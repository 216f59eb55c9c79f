/**
 * `npm run principal:create`, run as the operator runs it (a child process on the test database),
 * then the printed key used against the real Express app: it authenticates, with the role and
 * scope asked for; only its hash is stored; rotation revokes the old key.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../api/app';
import { hashApiKey } from '../../platform/api-keys';
import { createLogger } from '../../platform/logger';
import { generateApiKey, parsePrincipalFlags, Refusal } from '../../scripts/create-principal';
import { createHarness, type Harness } from '../../scripts/kit/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const KEY_LINE = /^rok_[A-Za-z0-9_-]{43}$/m;
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

function createPrincipal(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/create-principal.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += String(b)));
    child.stderr.on('data', (b) => (stderr += String(b)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const keyOf = (stdout: string) => KEY_LINE.exec(stdout)?.[0];
/** A fresh app per call: an earlier app's auth cache would remember a key for 30 s. */
const api = () =>
  request(createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, logger: createLogger('silent'), unsubscribeSecrets: h.unsubscribeSecrets }));
const id = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

describe('npm run principal:create', () => {
  test('a store manager of S001: the key is printed once, only its hash is stored, and it authenticates with that role and scope', async () => {
    const principalId = id('store-mgr');
    const run = await createPrincipal([
      '--id',
      principalId,
      '--role',
      'store_manager',
      '--stores',
      'S001',
      '--name',
      'Robin Hale',
      '--email',
      'robin@example.com',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Created principal ${principalId} (store_manager; stores S001)`);
    expect(run.stdout).toMatch(/it will not be shown again/);
    const key = keyOf(run.stdout)!;
    expect(key).toBeDefined();
    expect(run.stdout.split(key).length).toBe(2); // printed exactly once

    const stored = await h.db.apiKey.findMany({ where: { principalId } });
    expect(stored).toEqual([expect.objectContaining({ keyHash: hashApiKey(key), revokedAt: null })]);
    expect(JSON.stringify(stored)).not.toContain(key.slice(4));
    expect(await h.db.principal.findUnique({ where: { id: principalId } })).toMatchObject({
      displayName: 'Robin Hale',
      email: 'robin@example.com',
      role: 'store_manager',
      allScopes: false,
      storeIds: ['S001'],
      active: true,
    });

    const stores = await api().get('/api/v1/stores').set('Authorization', `Bearer ${key}`);
    expect(stores.status).toBe(200);
    expect(stores.body.items.map((s: { id: string }) => s.id)).toEqual(['S001']);
    // Its role: a store manager may not retrain the demand model.
    const retrain = await api().post('/api/v1/model-retrainings').set('Authorization', `Bearer ${key}`).send({ modelName: 'demand-forecast' });
    expect(retrain.status).toBe(403);
    expect((await api().get('/api/v1/stores').set('Authorization', `Bearer ${key}x`)).status).toBe(401);
  });

  test('an ops principal with --all-scopes reads every store and may start nothing', async () => {
    const run = await createPrincipal(['--id', id('ops'), '--role', 'ops', '--all-scopes']);
    expect(run.code).toBe(0);
    const key = keyOf(run.stdout)!;
    const stores = await api().get('/api/v1/stores').set('Authorization', `Bearer ${key}`);
    expect(stores.status).toBe(200);
    expect(stores.body.items.length).toBe(await h.db.store.count());
    expect((await api().post('/api/v1/appointment-recoveries').set('Authorization', `Bearer ${key}`).send({ appointmentId: 'none' })).status).toBe(403);
  });

  test('an existing id is refused (exit 2, the key unchanged); --rotate revokes the old key and prints a new one', async () => {
    const principalId = id('erp');
    const first = await createPrincipal(['--id', principalId, '--role', 'system', '--all-scopes']);
    expect(first.code).toBe(0);
    const oldKey = keyOf(first.stdout)!;

    const again = await createPrincipal(['--id', principalId, '--role', 'system', '--all-scopes']);
    expect(again.code).toBe(2);
    expect(again.stdout).not.toMatch(KEY_LINE);
    expect(again.stderr).toContain(`principal ${principalId} exists: --rotate`);
    expect(await h.db.apiKey.count({ where: { principalId } })).toBe(1);
    expect((await api().get('/api/v1/stores').set('Authorization', `Bearer ${oldKey}`)).status).toBe(200);

    const rotated = await createPrincipal(['--id', principalId, '--rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('1 old key(s) revoked');
    const newKey = keyOf(rotated.stdout)!;
    expect(newKey).not.toBe(oldKey);
    expect((await api().get('/api/v1/stores').set('Authorization', `Bearer ${oldKey}`)).status).toBe(401);
    expect((await api().get('/api/v1/stores').set('Authorization', `Bearer ${newKey}`)).status).toBe(200);
    expect(await h.db.principal.findUnique({ where: { id: principalId } })).toMatchObject({ role: 'system', allScopes: true });

    const unknown = await createPrincipal(['--id', id('nobody'), '--rotate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--rotate: there is no principal');
  });

  test.each<[string, string[], RegExp]>([
    // (every other flag rule is checked in process below)
    ['a regional manager without a region', ['--id', 'x2', '--role', 'regional_manager'], /--regions: required for a regional_manager/],
    ['an unknown store', ['--id', 'x3', '--role', 'store_manager', '--stores', 'S001,S999'], /--stores: unknown store S999/],
  ])('%s: exit 2, the flag named, nothing created', async (_name, args, message) => {
    const run = await createPrincipal(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toMatch(KEY_LINE);
    expect(await h.db.principal.findUnique({ where: { id: args[1]! } })).toBeNull();
  });
});

describe('principal:create flags', () => {
  const refusal = (argv: string[]) => {
    try {
      parsePrincipalFlags(argv);
    } catch (err) {
      expect(err).toBeInstanceOf(Refusal);
      return (err as Error).message;
    }
    throw new Error(`accepted: ${argv.join(' ')}`);
  };

  test.each<[string[], RegExp]>([
    [['--role', 'ops', '--all-scopes'], /--id: /],
    [['--id', 'Upper', '--role', 'ops', '--all-scopes'], /--id: lower-case/],
    [['--id', 'a'], /--role: required/],
    [['--id', 'a', '--role', 'ops'], /--all-scopes: a ops needs --all-scopes or --stores/],
    [['--id', 'a', '--role', 'store_manager', '--all-scopes'], /a store_manager is scoped: give --stores instead/],
    [['--id', 'a', '--role', 'store_manager', '--stores', 'S001', '--regions', 'WEST'], /--regions: a store_manager is scoped by --stores only/],
    [['--id', 'a', '--role', 'category_manager', '--categories', ' , '], /--categories: give at least one/],
    [['--id', 'a', '--role', 'ops', '--all-scopes', '--stores', 'S001'], /--all-scopes: not with --stores/],
    [['--id', 'a', '--role', 'ops', '--all-scopes', '--email', 'not-an-email'], /--email: /],
    [['--id', 'a', '--rotate', '--stores', 'S001'], /--role: give the role too/],
    [['--id', 'a', '--role', 'ops', '--all-scopes', 'extra'], /Unexpected argument 'extra'/],
    [['--id', 'a', '--role', 'boss', '--all-scopes'], /--role: /],
    [['--id', 'a', '--role', 'ops', '--all-scopes', '--admin'], /Unknown option '--admin'/],
  ])('%j is refused', (argv, message) => {
    expect(refusal(argv)).toMatch(message);
  });

  test('lists are split on commas, trimmed and de-duplicated', () => {
    expect(parsePrincipalFlags(['--id', 'a', '--role', 'store_manager', '--stores', 'S001, S002,S001'])).toMatchObject({
      stores: ['S001', 'S002'],
      'all-scopes': false,
      rotate: false,
    });
  });

  test('keys are rok_ and 32 random bytes, never the same twice', () => {
    const keys = Array.from({ length: 100 }, generateApiKey);
    for (const k of keys) expect(k).toMatch(/^rok_[A-Za-z0-9_-]{43}$/);
    expect(new Set(keys).size).toBe(100);
  });
});
