/**
 * What the API serves for the manager console: the built app at /console with every deep link
 * answered by its index.html, a 503 problem when it is not built, GET /api/v1/me and the public
 * GET /api/v1/console-settings (demo principals only while their published keys are active), both
 * as the OpenAPI document says.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth, expectProblem } from '../support/api';
import { createHarness, type Harness } from '../../scripts/kit/harness';
import { responseErrors } from '../support/openapi-validate';

let h: Harness;
let built: string;

beforeAll(async () => {
  h = await createHarness();
  built = mkdtempSync(join(tmpdir(), 'console-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
});

afterAll(async () => {
  rmSync(built, { recursive: true, force: true });
  await h?.close();
});

const appWith = (consoleDir: string) =>
  createApp({
    db: h.db,
    client: h.client,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    unsubscribeSecrets: h.unsubscribeSecrets,
    consoleDir,
    temporalUiUrl: 'http://127.0.0.1:8233/',
    temporalNamespace: 'default',
  });

test('the built console: assets as files, every other /console path its index.html (deep links from emails)', async () => {
  const app = appWith(built);
  for (const path of [
    '/console',
    '/console/',
    '/console/inbox',
    '/console/approvals/appointment-recoveries/appointment-recovery-APT-1',
    '/console/runs/replenishments/replenishment-S001-2026-12-02',
  ]) {
    const res = await request(app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<div id="root">');
  }
  const asset = await request(app).get('/console/assets/index-abc.js');
  expect(asset.status).toBe(200);
  expect(asset.headers['cache-control']).toContain('immutable');
  expect((await request(app).get('/console/assets/missing.js')).status).toBe(404);
});

test('without a build, /console answers a 503 problem saying how to build it', async () => {
  const res = await request(appWith(join(built, 'nowhere'))).get('/console/inbox');
  expectProblem(res, 503, 'unavailable');
  expect(res.body.detail).toMatch(/not built/);
});

test('GET /api/v1/me: the caller with role and scope; 401 without a key', async () => {
  const app = appWith(built);
  const res = await request(app).get('/api/v1/me').set(auth('demo-key-alex'));
  expect(res.status).toBe(200);
  expect(responseErrors('get', '/api/v1/me', 200, res.body)).toEqual([]);
  expect(res.body).toMatchObject({ id: 'alex', role: 'store_manager', scope: { all: false, storeIds: ['S001'] } });
  expectProblem(await request(app).get('/api/v1/me'), 401, 'unauthenticated');
});

test('GET /api/v1/console-settings: the demo principals whose published keys are active, and the Temporal UI', async () => {
  const app = appWith(built);
  const res = await request(app).get('/api/v1/console-settings');
  expect(res.status).toBe(200);
  expect(responseErrors('get', '/api/v1/console-settings', 200, res.body)).toEqual([]);
  expect(res.body.temporalUi).toEqual({ url: 'http://127.0.0.1:8233', namespace: 'default' });
  const ids = (res.body.demoPrincipals as { id: string; apiKey: string }[]).map((p) => p.id);
  expect(ids).toEqual(expect.arrayContaining(['alex', 'taylor', 'jordan', 'casey', 'morgan', 'devi', 'sam', 'maria', 'pos-gateway']));
  expect(ids[0]).toBe('alex');
  for (const p of res.body.demoPrincipals as { id: string; apiKey: string }[]) expect(p.apiKey).toBe(`demo-key-${p.id}`);

  // A principal whose key is not the published one is never offered.
  const apiKey = await h.db.apiKey.findUniqueOrThrow({ where: { id: 'apikey-demo-taylor' } });
  await h.db.apiKey.update({ where: { id: apiKey.id }, data: { revokedAt: new Date() } });
  try {
    const after = await request(app).get('/api/v1/console-settings');
    expect((after.body.demoPrincipals as { id: string }[]).map((p) => p.id)).not.toContain('taylor');
  } finally {
    await h.db.apiKey.update({ where: { id: apiKey.id }, data: { revokedAt: null } });
  }
});
