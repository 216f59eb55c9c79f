/**
 * What an appointment recovery's approver sees (issue 14 §1): a real recovery brought to its pending
 * approval through the real Express app and worker carries the customer 360 and the stylists ranked
 * with reasons and availability; after approval, what was done. Both validate against the
 * AppointmentRecoveryState schema of the OpenAPI document.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createStoreScenario } from '../support/fixtures';
import { createHarness, eventually, type Harness } from '../support/harness';
import { responseErrors } from '../support/openapi-validate';

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

test('pending: customer 360 and ranked stylists with reasons and availability; completed: the effects; typed by the OpenAPI document', async () => {
  const s = await createStoreScenario(h.db);
  const started = await request(app).post(BASE).set(auth(s.managers.system.apiKey)).send({ appointmentId: s.appointmentId });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  const pending = await eventually(async () => {
    const r = await request(app).get(`${BASE}/${id}`).set(auth(s.managers.primary.apiKey));
    return r.body.pendingApproval ? r : undefined;
  }, 20_000, 'pending approval');
  expect(responseErrors('get', `${BASE}/{id}`, 200, pending.body)).toEqual([]);
  const st = pending.body;
  expect(st.customer).toMatchObject({ customerId: expect.any(String), tier: expect.any(String), purchaseCount: expect.any(Number), topCategories: expect.any(Array) });
  expect(st.candidates.length).toBeGreaterThan(0);
  expect(st.candidates[0]).toMatchObject({ staffId: s.stylists.best, available: true, reasons: expect.arrayContaining([expect.any(String)]) });
  const scores = (st.candidates as { available: boolean; score: number }[]).filter((c) => c.available).map((c) => c.score);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);

  const decided = await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.managers.primary.apiKey)).send({ decision: 'approve' });
  expect(decided.status).toBe(200);
  expect(responseErrors('post', `${BASE}/{id}/decisions`, 200, decided.body)).toEqual([]);
  const done = await eventually(async () => {
    const r = await request(app).get(`${BASE}/${id}`).set(auth(s.managers.primary.apiKey));
    return r.body.status === 'completed' ? r : undefined;
  }, 30_000, 'recovery completed');
  expect(responseErrors('get', `${BASE}/{id}`, 200, done.body)).toEqual([]);
  expect(done.body.effects).toMatchObject({ stylistAssigned: s.stylists.best, stylistBriefed: true, customerConfirmed: true, suiteReserved: expect.any(String) });
  expect(done.body.effects.itemsHeld.length).toBe(done.body.preselectedItems.length);
});
