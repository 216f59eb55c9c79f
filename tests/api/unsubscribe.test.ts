import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { createUnsubscribeToken } from '../../platform/unsubscribe-token';
import { createHarness, type Harness } from '../../scripts/kit/harness';

const SECRETS = ['test-unsubscribe-secret-0001', 'older-unsubscribe-secret-0000'];
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

const app = (logger = createLogger('silent')) => createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, logger, unsubscribeSecrets: SECRETS });
const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

describe('one-click unsubscribe (RFC 8058)', () => {
  test('POST with a valid token suppresses the address at once, answers 200, and is idempotent; no API key needed', async () => {
    const email = `Someone.${unique()}@Example.com`;
    const token = createUnsubscribeToken(SECRETS, { customerId: `CUST-${unique()}`, campaignId: 'campaign-spring', email });
    const first = await request(app()).post(`/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ unsubscribed: true, email });
    const again = await request(app()).post(`/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(again.status).toBe(200);
    const rows = await h.db.suppression.findMany({ where: { email: email.toLowerCase() } });
    expect(rows).toEqual([expect.objectContaining({ reason: 'unsubscribed', source: 'campaign:campaign-spring' })]);
  });

  test('the same link clicked many times at once (a mail client and its user): every POST answers 200, one suppression, one audit event', async () => {
    const email = `burst.${unique()}@example.com`;
    const customerId = `CUST-${unique()}`;
    const token = createUnsubscribeToken(SECRETS, { customerId, campaignId: 'campaign-burst', email });
    const server = app();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => request(server).post(`/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click')),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(await h.db.suppression.count({ where: { email } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { idempotencyKey: `unsubscribe:campaign-burst:${customerId}` } })).toBe(1);
  });

  test('a token signed with an older (rotated) secret still works; a browser gets a page', async () => {
    const email = `rotated.${unique()}@example.com`;
    const token = createUnsubscribeToken(SECRETS[1]!, { customerId: 'CUST-R', campaignId: 'c-old', email });
    const res = await request(app()).post(`/unsubscribe/${token}`).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('You are unsubscribed');
    expect(await h.db.suppression.count({ where: { email } })).toBe(1);
  });

  test('GET shows a confirmation form and changes nothing (link scanners follow GETs)', async () => {
    const email = `scanner.${unique()}@example.com`;
    const token = createUnsubscribeToken(SECRETS, { customerId: 'CUST-S', campaignId: 'c1', email });
    const res = await request(app()).get(`/unsubscribe/${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<form method="post">');
    expect(res.text).toContain(email);
    expect(await h.db.suppression.count({ where: { email } })).toBe(0);
  });

  test.each([
    [
      'forged payload',
      (t: string) => {
        const [v, p, s] = t.split('.');
        return `${v}.${p!.slice(0, -2)}AA.${s}`;
      },
      'bad_signature',
    ],
    ['forged signature', (t: string) => `${t.slice(0, -4)}AAAA`, 'bad_signature'],
    ['not a token', () => 'hello', 'malformed'],
    ['another secret', () => createUnsubscribeToken('someone-elses-secret-000', { customerId: 'X', campaignId: 'c', email: 'x@example.com' }), 'bad_signature'],
    [
      'expired',
      () =>
        createUnsubscribeToken(SECRETS, { customerId: 'X', campaignId: 'c', email: 'x@example.com' }, { issuedAt: new Date(Date.now() - 400 * 86_400_000) }),
      'expired',
    ],
    [
      'dated ten minutes ahead',
      () => createUnsubscribeToken(SECRETS, { customerId: 'X', campaignId: 'c', email: 'x@example.com' }, { issuedAt: new Date(Date.now() + 10 * 60_000) }),
      'issued_in_future',
    ],
    [
      'dated years ahead',
      () => createUnsubscribeToken(SECRETS, { customerId: 'X', campaignId: 'c', email: 'x@example.com' }, { issuedAt: new Date('2099-01-01T00:00:00Z') }),
      'issued_in_future',
    ],
  ])('%s: 400 problem, nothing suppressed', async (_name, make, reason) => {
    const email = `victim.${unique()}@example.com`;
    const token = make(createUnsubscribeToken(SECRETS, { customerId: 'CUST-V', campaignId: 'c1', email }));
    for (const method of ['post', 'get'] as const) {
      const res = await request(app())[method](`/unsubscribe/${token}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: 'https://retail-ops.dev/problems/invalid-unsubscribe-token', reason });
    }
    expect(await h.db.suppression.count({ where: { email } })).toBe(0);
  });

  test('the token never reaches the request log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    const token = createUnsubscribeToken(SECRETS, { customerId: 'CUST-L', campaignId: 'c1', email: `log.${unique()}@example.com` });
    await request(app(pino({ level: 'info' }, sink))).post(`/unsubscribe/${token}`);
    const log = lines.join('');
    expect(log).toContain('/unsubscribe/[redacted]');
    expect(log).not.toContain(token.split('.')[1]!);
  });

  test('the lifetime is the configured one, and the problem says why the link was refused', async () => {
    const thirtyDays = () =>
      createApp({
        db: h.db,
        client: h.client,
        taskQueue: h.taskQueue,
        logger: createLogger('silent'),
        unsubscribeSecrets: SECRETS,
        unsubscribeTokenMaxAgeDays: 30,
      });
    const email = `lifetime.${unique()}@example.com`;
    const issued = (daysAgo: number) =>
      createUnsubscribeToken(SECRETS, { customerId: 'CUST-T', campaignId: 'c1', email }, { issuedAt: new Date(Date.now() - daysAgo * 86_400_000) });
    expect((await request(thirtyDays()).get(`/unsubscribe/${issued(29)}`)).status).toBe(200);
    const old = await request(thirtyDays()).post(`/unsubscribe/${issued(31)}`);
    expect(old.status).toBe(400);
    expect(old.body).toMatchObject({ reason: 'expired', detail: expect.stringContaining('30 days after the email was sent') });
    // The default lifetime (365 days) still takes the same link.
    expect((await request(app()).get(`/unsubscribe/${issued(31)}`)).status).toBe(200);
    const ahead = await request(thirtyDays()).post(
      `/unsubscribe/${createUnsubscribeToken(SECRETS, { customerId: 'CUST-T', campaignId: 'c1', email }, { issuedAt: new Date(Date.now() + 3_600_000) })}`,
    );
    expect(ahead.body).toMatchObject({ status: 400, reason: 'issued_in_future', detail: expect.stringContaining('dated in the future') });
    expect(await h.db.suppression.count({ where: { email } })).toBe(0);
  });

  test('an app cannot be built without secrets (no fallback to a default)', () => {
    expect(() => createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, logger: createLogger('silent'), unsubscribeSecrets: [] })).toThrow(
      /unsubscribe secrets/,
    );
    expect(() => createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, logger: createLogger('silent') } as never)).toThrow(/unsubscribe secrets/);
  });
});
