import { compileErrors, validate } from '@readme/openapi-parser';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { createStoreScenario, type StoreScenario } from '../../scripts/kit/fixtures';
import { auth, expectProblem } from '../support/api';
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

const BASE = '/api/v1/appointment-recoveries';

async function startAndAwaitApproval(s: StoreScenario, key = s.managers.system.apiKey) {
  const res = await request(app).post(BASE).set(auth(key)).send({ appointmentId: s.appointmentId });
  expect(res.status).toBe(201);
  await eventually(
    async () => {
      const st = await request(app).get(`${BASE}/${res.body.id}`).set(auth(s.managers.ops.apiKey));
      return st.body.pendingApproval ? st : undefined;
    },
    20_000,
    'pending approval',
  );
  return res.body as { id: string; workflowId: string; runId: string; status: string };
}

describe('API foundation', () => {
  test('healthz answers 200 when Postgres and Temporal answer', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  test('401 without or with an unknown API key; unknown routes 404; request IDs echoed', async () => {
    expectProblem(await request(app).get('/api/v1/stores'), 401, 'unauthenticated');
    expectProblem(await request(app).get('/api/v1/stores').set(auth('not-a-key')), 401, 'unauthenticated');
    expectProblem(await request(app).get('/nowhere'), 404, 'not-found');
    const res = await request(app).get('/api/v1/nowhere').set(auth('demo-key-sam')).set('X-Request-Id', 'req-123');
    expectProblem(res, 404, 'not-found');
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.body.requestId).toBe('req-123');
  });

  test('bad input: every invalid field named, malformed JSON and oversized bodies refused', async () => {
    const s = await createStoreScenario(h.db);
    const key = s.managers.system.apiKey;
    const missing = await request(app).post(BASE).set(auth(key)).send({});
    expectProblem(missing, 400, 'validation-error');
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.appointmentId']);

    const several = await request(app)
      .post(BASE)
      .set(auth(key))
      .send({ appointmentId: 42, colour: 'red', timing: { decisionTimeoutMs: -1 } });
    expectProblem(several, 400, 'validation-error');
    expect(several.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body', 'body.appointmentId', 'body.timing.decisionTimeoutMs']);

    const malformed = await request(app).post(BASE).set(auth(key)).set('Content-Type', 'application/json').send('{"appointmentId": ');
    expectProblem(malformed, 400, 'validation-error');

    const huge = await request(app)
      .post(BASE)
      .set(auth(key))
      .send({ appointmentId: 'x'.repeat(300_000) });
    expectProblem(huge, 413, 'payload-too-large');

    expectProblem(await request(app).post(BASE).set(auth(key)).send({ appointmentId: 'APT-DOES-NOT-EXIST' }), 404, 'not-found');
    expectProblem(await request(app).get(`${BASE}?status=sideways`).set(auth(key)), 400, 'validation-error');
  });

  test('the OpenAPI document is a valid OpenAPI 3.1 document covering the contract; Swagger UI is served', async () => {
    const res = await request(app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await validate(JSON.parse(JSON.stringify(res.body)));
    if (!result.valid) throw new Error(compileErrors(result));
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        BASE,
        `${BASE}/{id}`,
        `${BASE}/{id}/decisions`,
        `${BASE}/{id}/cancel`,
        '/api/v1/approvals',
        '/api/v1/stores',
        '/api/v1/products',
        '/api/v1/products/{sku}',
        '/api/v1/models/{modelName}',
      ]),
    );
    const docs = await request(app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });

  test('reference data within scope', async () => {
    const alex = await request(app).get('/api/v1/stores').set(auth('demo-key-alex'));
    expect(alex.status).toBe(200);
    expect(alex.body.items.map((st: { id: string }) => st.id)).toEqual(['S001']);
    const jordan = await request(app).get('/api/v1/stores').set(auth('demo-key-jordan'));
    expect(jordan.body.items.map((st: { id: string }) => st.id)).toEqual(['S001', 'S002', 'S003']);

    const products = await request(app).get('/api/v1/products?category=womens-apparel&limit=5').set(auth('demo-key-casey'));
    expect(products.status).toBe(200);
    expect(products.body.items).toHaveLength(5);
    expect(products.body.items.every((p: { category: string }) => p.category === 'womens-apparel')).toBe(true);
    const { sku } = await h.db.inventoryLevel.findFirstOrThrow({
      where: { storeId: 'S001', product: { category: 'womens-apparel' } },
      orderBy: { sku: 'asc' },
    });
    const one = await request(app).get(`/api/v1/products/${sku}`).set(auth('demo-key-alex'));
    expect(one.status).toBe(200);
    expect(one.body.stock.map((x: { storeId: string }) => x.storeId)).toEqual(['S001']);
    expect(one.body.cost).toBeLessThan(one.body.price);
    expectProblem(await request(app).get('/api/v1/products/NOPE').set(auth('demo-key-alex')), 404, 'not-found');
    expectProblem(await request(app).get('/api/v1/models/demand-forecast-unknown').set(auth('demo-key-devi')), 404, 'not-found');
    expectProblem(await request(app).get('/api/v1/products?limit=0').set(auth('demo-key-alex')), 400, 'validation-error');
  });
});

describe('appointment recoveries through the API', () => {
  test('start, duplicate start, state, list, inbox, authz on decisions, approve, second decision 409', async () => {
    const s = await createStoreScenario(h.db);
    const { managers: m } = s;

    expectProblem(await request(app).post(BASE).set(auth('demo-key-maria')).send({ appointmentId: s.appointmentId }), 403, 'forbidden');
    expectProblem(await request(app).post(BASE).set(auth(m.otherStore.apiKey)).send({ appointmentId: s.appointmentId }), 403, 'forbidden');

    const started = await startAndAwaitApproval(s);
    expect(started).toMatchObject({ id: `appointment-recovery-${s.appointmentId}`, status: 'running' });
    const again = await request(app).post(BASE).set(auth(m.system.apiKey)).send({ appointmentId: s.appointmentId });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(started);

    const state = await request(app).get(`${BASE}/${started.id}`).set(auth(m.primary.apiKey));
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'running', stage: 'awaiting_approval', recommendation: { staffId: s.stylists.best } });
    expect(state.body.pendingApproval.approvers).toEqual([{ role: 'store_manager', scope: { storeId: s.storeId, regionId: s.regionId } }]);
    expect(Date.parse(state.body.pendingApproval.dueAt)).toBeGreaterThan(Date.now());
    expectProblem(await request(app).get(`${BASE}/${started.id}`).set(auth(m.otherStore.apiKey)), 403, 'forbidden');
    expectProblem(await request(app).get(`${BASE}/appointment-recovery-NOPE`).set(auth(m.ops.apiKey)), 404, 'not-found');

    const listed = await eventually(
      async () => {
        const res = await request(app).get(`${BASE}?status=running&storeId=${s.storeId}`).set(auth(m.primary.apiKey));
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        return res.body.items?.find((i: { id: string }) => i.id === started.id) ? res : undefined;
      },
      20_000,
      'visibility',
    );
    expect(listed.body.items[0]).toMatchObject({
      id: started.id,
      status: 'running',
      storeId: s.storeId,
      approvalPending: true,
      approverRoles: ['store_manager'],
    });
    expectProblem(await request(app).get(`${BASE}?storeId=${s.storeId}`).set(auth(m.otherStore.apiKey)), 403, 'forbidden');

    const inbox = await request(app).get('/api/v1/approvals?status=pending').set(auth(m.primary.apiKey));
    expect(inbox.body.items.filter((i: { processId: string }) => i.processId === started.id)).toEqual([
      expect.objectContaining({ process: 'appointment-recoveries', subjectId: s.appointmentId, canDecide: true, decideUrl: `${BASE}/${started.id}/decisions` }),
    ]);
    const otherInbox = await request(app).get('/api/v1/approvals').set(auth(m.otherStore.apiKey));
    expect(otherInbox.body.items.some((i: { processId: string }) => i.processId === started.id)).toBe(false);
    const opsInbox = await request(app).get('/api/v1/approvals').set(auth(m.ops.apiKey));
    expect(opsInbox.body.items.find((i: { processId: string }) => i.processId === started.id)?.canDecide).toBe(false);

    const decide = (key: string, body: object) => request(app).post(`${BASE}/${started.id}/decisions`).set(auth(key)).send(body);
    expectProblem(await decide(m.ops.apiKey, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(m.system.apiKey, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(m.otherStore.apiKey, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(m.regional.apiKey, { decision: 'approve' }), 403, 'forbidden');
    // The run's stores are checked before the gate says anything of what is pending.
    const unseen = await decide(m.otherStore.apiKey, { decision: 'approve', subjectId: 'PO-NOPE' });
    expectProblem(unseen, 403, 'forbidden');
    expect(unseen.body.detail).toBe(`${m.otherStore.id} has no access to store ${s.storeId}.`);
    // Sent through another process's resource, or to no run at all: 404, and nothing is decided.
    const viaPricing = await request(app).post(`/api/v1/price-changes/${started.id}/decisions`).set(auth(m.primary.apiKey)).send({ decision: 'approve' });
    expectProblem(viaPricing, 404, 'not-found');
    expect(viaPricing.body.detail).toBe(`No price change ${started.id}.`);
    expectProblem(
      await request(app).post(`${BASE}/appointment-recovery-NOPE/decisions`).set(auth(m.primary.apiKey)).send({ decision: 'approve' }),
      404,
      'not-found',
    );
    const stillPending = await request(app).get(`${BASE}/${started.id}`).set(auth(m.primary.apiKey));
    expect(stillPending.body).toMatchObject({ stage: 'awaiting_approval', decisions: [] });
    const bad = await decide(m.primary.apiKey, { decision: 'maybe', stylistId: 7 });
    expectProblem(bad, 400, 'validation-error');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.decision', 'body.stylistId']);
    expectProblem(await decide(m.primary.apiKey, { decision: 'approve', stylistId: s.stylists.second }), 400, 'validation-error');
    expectProblem(await decide(m.primary.apiKey, { decision: 'approve', stylistId: 'ST-NOBODY', comment: 'x' }), 400, 'validation-error');

    const approved = await decide(m.primary.apiKey, { decision: 'approve', comment: 'Go ahead' });
    expect(approved.status).toBe(200);
    expect(approved.body.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: m.primary.id, comment: 'Go ahead' })]);
    // The answer is the state the decision caused: the workflow has moved on to assigning (one Update, no polling).
    expect(approved.body).toMatchObject({ status: 'running', stage: 'assigning', pendingApproval: null, runId: started.runId });
    expect(approved.body.startedAt).toBe(state.body.startedAt);

    const second = await decide(m.secondary.apiKey, { decision: 'reject', comment: 'too late' });
    expect(second.status).toBe(409);

    const done = await eventually(
      async () => {
        const res = await request(app).get(`${BASE}/${started.id}`).set(auth(m.primary.apiKey));
        return res.body.status === 'completed' ? res : undefined;
      },
      30_000,
      'completion',
    );
    expect(done.body).toMatchObject({ stage: 'completed', effects: { stylistAssigned: s.stylists.best, customerConfirmed: true } });
    expect(done.body.result.stage).toBe('completed');
    expectProblem(await decide(m.primary.apiKey, { decision: 'approve' }), 409, 'nothing-pending');
  });

  test('a manager who started the recovery may not approve it (separation of duties)', async () => {
    const s = await createStoreScenario(h.db);
    const started = await startAndAwaitApproval(s, s.managers.primary.apiKey);
    const self = await request(app).post(`${BASE}/${started.id}/decisions`).set(auth(s.managers.primary.apiKey)).send({ decision: 'approve' });
    expectProblem(self, 403, 'forbidden');
    expect(self.body.detail).toMatch(/requested/);
    const other = await request(app).post(`${BASE}/${started.id}/decisions`).set(auth(s.managers.secondary.apiKey)).send({ decision: 'approve' });
    expect(other.status).toBe(200);
  });

  test('cancel with a reason: the run ends cancelled, the approval is withdrawn, a second cancel is 409', async () => {
    const s = await createStoreScenario(h.db);
    const started = await startAndAwaitApproval(s);
    expectProblem(await request(app).post(`${BASE}/${started.id}/cancel`).set(auth(s.managers.primary.apiKey)).send({}), 400, 'validation-error');
    expectProblem(
      await request(app).post(`${BASE}/${started.id}/cancel`).set(auth(s.managers.ops.apiKey)).send({ reason: 'customer cancelled' }),
      403,
      'forbidden',
    );
    const res = await request(app).post(`${BASE}/${started.id}/cancel`).set(auth(s.managers.primary.apiKey)).send({ reason: 'Customer cancelled by phone' });
    expect(res.status).toBe(202);
    const after = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${started.id}`).set(auth(s.managers.primary.apiKey));
        return r.body.status === 'cancelled' ? r : undefined;
      },
      20_000,
      'cancellation',
    );
    expect(after.body).toMatchObject({ stage: 'cancelled', cancellation: { reason: 'Customer cancelled by phone', actorId: s.managers.primary.id } });
    expect((await h.db.approvalRequest.findFirstOrThrow({ where: { workflowId: started.id } })).status).toBe('CANCELLED');
    expectProblem(
      await request(app).post(`${BASE}/${started.id}/cancel`).set(auth(s.managers.primary.apiKey)).send({ reason: 'again please' }),
      409,
      'not-running',
    );
  });
});
