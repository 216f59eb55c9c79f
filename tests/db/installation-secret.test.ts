/**
 * The unsubscribe-link secret without UNSUBSCRIBE_SECRETS: generated once per installation and
 * kept in Postgres, the same for every instance; production refuses to start without one.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { createDb, type Db } from '../../platform/db';
import { installationSecret, resolveUnsubscribeSecrets, UNSUBSCRIBE_SECRET_NAME } from '../../platform/installation-secret';
import { createUnsubscribeToken } from '../../platform/unsubscribe-token';
import { testEnv } from '../../scripts/kit/env';

const ROOT = path.resolve(__dirname, '..', '..');
const dbs: Db[] = [];
const db = (max = 2) => {
  const d = createDb(testEnv().databaseUrl, { max });
  dbs.push(d);
  return d;
};

afterAll(async () => {
  await Promise.all(dbs.map((d) => d.$disconnect()));
});

/** Runs an entry point with `node --import tsx`; resolves with its exit code and output. */
function run(entry: string, env: NodeJS.ProcessEnv, opts: { until?: RegExp; timeoutMs?: number } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += String(b)));
  child.stderr.on('data', (b) => (out += String(b)));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not get ready:\n${out}`)), opts.timeoutMs ?? 30_000);
    child.stdout.on('data', () => {
      if (opts.until?.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited:\n${out}`));
    });
  });
  ready.catch(() => undefined); // only a caller that waits for it cares
  return { child, exited, ready };
}

/** The environment of a production-like start: the test database and Temporal, nothing about secrets. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Set but empty, so a developer's .env cannot supply one (dotenv never overrides a set variable).
  env.UNSUBSCRIBE_SECRETS = '';
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("the installation's own unsubscribe secret", () => {
  test('generated once: eight instances starting at once on their own connections agree on one random secret', async () => {
    const name = `test-secret-${randomUUID()}`;
    const values = await Promise.all(Array.from({ length: 8 }, () => installationSecret(db(1), name)));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(await installationSecret(db(1), name)).toBe(values[0]);
    expect(await dbs[0]!.installationSecret.count({ where: { name } })).toBe(1);
    // Another name, another secret.
    expect(await installationSecret(dbs[0]!, `${name}-other`)).not.toBe(values[0]);
  });

  test("configured secrets win; without them the installation's own, the same on every call; production never falls back", async () => {
    const d = db();
    expect(await resolveUnsubscribeSecrets({ NODE_ENV: 'development', UNSUBSCRIBE_SECRETS: ['configured-secret-0123456789'] }, d)).toEqual({
      secrets: ['configured-secret-0123456789'],
      source: 'configured',
    });
    const own = await resolveUnsubscribeSecrets({ NODE_ENV: 'development', UNSUBSCRIBE_SECRETS: undefined }, d);
    expect(own.source).toBe('installation');
    expect(own.secrets).toEqual([await installationSecret(db(), UNSUBSCRIBE_SECRET_NAME)]);
    expect(await resolveUnsubscribeSecrets({ NODE_ENV: 'test', UNSUBSCRIBE_SECRETS: undefined }, db())).toEqual(own);
    await expect(resolveUnsubscribeSecrets({ NODE_ENV: 'production', UNSUBSCRIBE_SECRETS: undefined }, d)).rejects.toThrow(
      /UNSUBSCRIBE_SECRETS is required in production/,
    );
  });

  test("the API started without UNSUBSCRIBE_SECRETS verifies a link signed with the installation's secret (what the worker signs with), and refuses one signed with anything else", async () => {
    const port = await freePort();
    const api = run('api/main.ts', baseEnv({ NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }), { until: /api listening/ });
    try {
      await api.ready;
      expect(api.child.exitCode).toBeNull();
      // The worker's side, on its own connection: the same resolution it does at start.
      const { secrets } = await resolveUnsubscribeSecrets({ NODE_ENV: 'development', UNSUBSCRIBE_SECRETS: undefined }, db());
      const email = `installation.${randomUUID()}@example.com`;
      const good = createUnsubscribeToken(secrets, { customerId: 'CUST-I', campaignId: 'c-installation', email });
      const res = await fetch(`http://127.0.0.1:${port}/unsubscribe/${good}`, { method: 'POST', headers: { accept: 'application/json' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ unsubscribed: true, email });
      const forged = createUnsubscribeToken('a-guessed-secret-0123456789', { customerId: 'CUST-I', campaignId: 'c', email: `x.${email}` });
      const bad = await fetch(`http://127.0.0.1:${port}/unsubscribe/${forged}`, { method: 'POST' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ reason: 'bad_signature' });
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });

  test.each([['api/main.ts'], ['workers/main.ts']])(
    '%s with NODE_ENV=production and no UNSUBSCRIBE_SECRETS refuses to start, naming the setting',
    async (entry) => {
      const { exited } = run(entry, baseEnv({ NODE_ENV: 'production' }));
      const { code, out } = await exited;
      expect(code).toBe(1);
      expect(out).toContain('UNSUBSCRIBE_SECRETS: required in production');
      expect(out).not.toMatch(/listening|worker started/);
    },
  );
});
