import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth, expectProblem, fields } from '../support/api';
import { createPerson } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';

let h: Harness;
let app: Express;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
  app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') });
});

afterAll(async () => {
  await h?.close();
});

const BASE = '/api/v1/campaigns';

async function scenario(customers: number) {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const storeId = `T-CA-${suffix}`;
  await h.db.region.create({ data: { id: `R-CAPI-${suffix}`, name: 'Campaign region' } });
  await h.db.store.create({ data: { id: storeId, name: 'Campaign store', regionId: `R-CAPI-${suffix}`, city: 'Testville', timezone: 'UTC' } });
  const emails: string[] = [];
  for (let i = 0; i < customers; i++) {
    const email = `api${i}-${suffix.toLowerCase()}@example.com`;
    emails.push(email);
    await h.db.customer.create({
      data: {
        id: `CUST-CAPI-${suffix}-${i}`,
        firstName: `Bo${i}`,
        lastName: 'Test',
        email,
        tier: 'SILVER',
        memberSince: new Date('2020-01-01'),
        homeStoreId: storeId,
        emailConsent: true,
        timezone: 'UTC',
      },
    });
  }
  return {
    storeId,
    emails,
    marketer: await createPerson(h.db, suffix, 'marketing_manager', 'mkt', { allScopes: true }),
    approver: await createPerson(h.db, suffix, 'marketing_manager', 'mkt2', { allScopes: true }),
    storeManager: await createPerson(h.db, suffix, 'store_manager', 'sm', { storeIds: [storeId] }),
  };
}

const body = (storeId: string, extra: object = {}) => ({
  name: 'Winter edit',
  segment: { storeIds: [storeId] },
  variants: [
    { key: 'a', subject: 'Hi {{firstName}}', body: 'Our winter edit.' },
    { key: 'b', subject: '{{firstName}}, new in', body: 'Fresh picks.' },
  ],
  sendWindow: { startHour: 0, endHour: 24 },
  ...extra,
});

describe('campaigns API', () => {
  test('draft, approve by another marketing manager, sent once per recipient; roles and bad input refused', async () => {
    const s = await scenario(3);
    expectProblem(await request(app).post(BASE).set(auth(s.storeManager.apiKey)).send(body(s.storeId)), 403, 'forbidden');
    const empty = await request(app)
      .post(BASE)
      .set(auth(s.marketer.apiKey))
      .send(body(s.storeId, { segment: {} }));
    expectProblem(empty, 400, 'validation-error');
    expect(fields(empty)).toEqual(['body.segment']);
    const dupes = await request(app)
      .post(BASE)
      .set(auth(s.marketer.apiKey))
      .send(
        body(s.storeId, {
          variants: [
            { key: 'a', subject: 'x', body: 'y' },
            { key: 'a', subject: 'x', body: 'y' },
          ],
          holdoutPercent: 80,
        }),
      );
    expectProblem(dupes, 400, 'validation-error');
    expect(fields(dupes)).toEqual(['body.holdoutPercent', 'body.variants.1.key']);

    const res = await request(app).post(BASE).set(auth(s.marketer.apiKey)).set('Idempotency-Key', `winter-${s.storeId}`).send(body(s.storeId));
    expect(res.status).toBe(201);
    const again = await request(app).post(BASE).set(auth(s.marketer.apiKey)).set('Idempotency-Key', `winter-${s.storeId}`).send(body(s.storeId));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    const id = res.body.id as string;

    const st = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(s.approver.apiKey));
        return r.body.stage === 'awaiting_approval' && r.body.pendingApproval ? r : undefined;
      },
      20_000,
      'awaiting approval',
    );
    expect(st.body.audience).toMatchObject({ matched: 3, eligible: 3 });
    expectProblem(await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.marketer.apiKey)).send({ decision: 'approve' }), 403, 'forbidden');
    expectProblem(await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.storeManager.apiKey)).send({ decision: 'approve' }), 403, 'forbidden');
    expectProblem(await request(app).post(`${BASE}/${id}/pause`).set(auth(s.storeManager.apiKey)), 403, 'forbidden');
    expect((await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.approver.apiKey)).send({ decision: 'approve' })).status).toBe(200);

    await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(s.approver.apiKey));
        return r.body.status === 'completed' ? r : undefined;
      },
      30_000,
      'completed',
    );
    expect(s.emails.map((e) => h.smtp.to(e).length)).toEqual([1, 1, 1]);
    expectProblem(await request(app).post(`${BASE}/${id}/pause`).set(auth(s.marketer.apiKey)), 409, 'not-running');
  });

  test('pause and resume through the API', async () => {
    const s = await scenario(4);
    const res = await request(app)
      .post(BASE)
      .set(auth(s.marketer.apiKey))
      .send(body(s.storeId, { batchSize: 1, ratePerSecond: 4 }));
    const id = res.body.id as string;
    await eventually(
      async () => ((await request(app).get(`${BASE}/${id}`).set(auth(s.approver.apiKey))).body.pendingApproval ? true : undefined),
      20_000,
      'awaiting approval',
    );
    await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.approver.apiKey)).send({ decision: 'approve' });
    await eventually(async () => (s.emails.some((e) => h.smtp.to(e).length > 0) ? true : undefined), 20_000, 'first email');
    expect((await request(app).post(`${BASE}/${id}/pause`).set(auth(s.marketer.apiKey))).status).toBe(202);
    await eventually(
      async () => ((await request(app).get(`${BASE}/${id}`).set(auth(s.marketer.apiKey))).body.stage === 'paused' ? true : undefined),
      20_000,
      'paused',
    );
    expect((await request(app).post(`${BASE}/${id}/resume`).set(auth(s.marketer.apiKey))).status).toBe(202);
    await eventually(
      async () => ((await request(app).get(`${BASE}/${id}`).set(auth(s.marketer.apiKey))).body.status === 'completed' ? true : undefined),
      30_000,
      'completed',
    );
    expect(s.emails.map((e) => h.smtp.to(e).length)).toEqual([1, 1, 1, 1]);
  });

  test('OpenAPI documents the campaign calls', async () => {
    const doc = (await request(app).get('/api/v1/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/campaigns', '/api/v1/campaigns/{id}/pause', '/api/v1/campaigns/{id}/resume']));
  });
});
