/**
 * What an appointment recovery's approver sees (issue 14 §1): a real recovery brought to its pending
 * approval through the real Express app and worker carries the customer 360 and the stylists ranked
 * with reasons and availability, the items approving would hold and the suite it would reserve
 * (previewed by the workflow's own pre-selection), the start in the store's time; the inbox row
 * the same at a glance; after approval, what was held and done. All validate against the OpenAPI
 * document.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth, expectProblem, fields } from '../support/api';
import { createStoreScenario } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { responseErrors, untypedParts } from '../support/openapi-validate';

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
  const pending = await eventually(
    async () => {
      const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(s.managers.primary.apiKey));
      return r.body.pendingApproval ? r : undefined;
    },
    20_000,
    'pending approval',
  );
  expect(responseErrors('get', `${BASE}/{id}`, 200, pending.body)).toEqual([]);
  const st = pending.body;
  expect(st.customer).toMatchObject({
    customerId: expect.any(String),
    tier: expect.any(String),
    purchaseCount: expect.any(Number),
    topCategories: expect.any(Array),
  });
  expect(st.candidates.length).toBeGreaterThan(0);
  expect(st.candidates[0]).toMatchObject({ staffId: s.stylists.best, available: true, reasons: expect.arrayContaining([expect.any(String)]) });
  const scores = (st.candidates as { available: boolean; score: number }[]).filter((c) => c.available).map((c) => c.score);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  expect(st.startsAtLocal).toMatch(/^\w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2} [AP]M P[SD]T$/);
  expect(st.minutesUntilStart).toBeGreaterThan(50);
  expect(st.outcome).toBeNull();
  // Before approval: what approving would hold and reserve, nothing held yet.
  expect(st.preparation.phase).toBe('preview');
  expect(st.preparation.items.length).toBeGreaterThan(0);
  expect(st.preparation.items.every((i: { held: boolean }) => !i.held)).toBe(true);
  expect(st.preparation.inPreferredColours).toBe(st.preparation.items.filter((i: { inPreferredColour: boolean }) => i.inPreferredColour).length);
  expect(st.preparation.suite).toMatchObject({ name: expect.stringMatching(/^Styling Suite/) });
  expect(await h.db.inventoryHold.count({ where: { appointmentId: s.appointmentId } })).toBe(0);

  // Without include=context: the state and what is computed from it, not the preview read from Postgres.
  const plainRead = await request(app).get(`${BASE}/${id}`).set(auth(s.managers.primary.apiKey));
  expect(plainRead.status).toBe(200);
  expect(responseErrors('get', `${BASE}/{id}`, 200, plainRead.body)).toEqual([]);
  expect(plainRead.body).not.toHaveProperty('preparation');
  expect(plainRead.body).toMatchObject({ startsAtLocal: st.startsAtLocal, outcome: null, customer: st.customer, candidates: st.candidates });
  expect(plainRead.body.pendingApproval).toEqual(st.pendingApproval);

  // A part that does not exist is a 400 naming query.include, on GET and on a decision (which then decides nothing).
  for (const include of ['bogus', 'context,bogus', '']) {
    const bad = await request(app).get(`${BASE}/${id}`).query({ include }).set(auth(s.managers.primary.apiKey));
    expectProblem(bad, 400, 'validation-error');
    expect(fields(bad)).toEqual(['query.include']);
  }
  const refused = await request(app).post(`${BASE}/${id}/decisions?include=bogus`).set(auth(s.managers.primary.apiKey)).send({ decision: 'approve' });
  expectProblem(refused, 400, 'validation-error');
  expect(fields(refused)).toEqual(['query.include']);
  expect((await request(app).get(`${BASE}/${id}`).set(auth(s.managers.primary.apiKey))).body.pendingApproval).toEqual(st.pendingApproval);

  // The inbox row: the same at a glance.
  const inbox = await request(app).get('/api/v1/approvals').set(auth(s.managers.primary.apiKey));
  expect(inbox.status).toBe(200);
  expect(responseErrors('get', '/api/v1/approvals', 200, inbox.body)).toEqual([]);
  const row = inbox.body.items.find((i: { processId: string }) => i.processId === id);
  expect(row.details.appointment).toMatchObject({ id: s.appointmentId, startsAtLocal: st.startsAtLocal, minutesUntilStart: expect.any(Number) });
  expect(row.details.customer).toMatchObject({ customerId: st.customer.customerId, tier: st.customer.tier });
  expect(row.details.recommendation).toMatchObject({ staffId: s.stylists.best, reasons: expect.arrayContaining([expect.any(String)]) });
  expect(row.details.preparation.items.map((i: { sku: string }) => i.sku)).toEqual(st.preparation.items.map((i: { sku: string }) => i.sku));

  const decided = await request(app).post(`${BASE}/${id}/decisions?include=context`).set(auth(s.managers.primary.apiKey)).send({ decision: 'approve' });
  expect(decided.status).toBe(200);
  expect(responseErrors('post', `${BASE}/{id}/decisions`, 200, decided.body)).toEqual([]);
  expect(decided.body.preparation).toMatchObject({ phase: expect.stringMatching(/^(preview|held)$/) });
  const done = await eventually(
    async () => {
      const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(s.managers.primary.apiKey));
      return r.body.status === 'completed' ? r : undefined;
    },
    30_000,
    'recovery completed',
  );
  expect(responseErrors('get', `${BASE}/{id}`, 200, done.body)).toEqual([]);
  expect(done.body.effects).toMatchObject({
    stylistAssigned: s.stylists.best,
    stylistBriefed: true,
    customerConfirmed: true,
    suiteReserved: expect.any(String),
  });
  expect(done.body.effects.itemsHeld.length).toBe(done.body.preselectedItems.length);
  // The result is the final state the query answers.
  expect(done.body.result).toMatchObject({ stage: 'completed', effects: done.body.effects, decisions: done.body.decisions });
  // The preview was what the run held: the same pure pre-selection over the same stock.
  expect(done.body.preparation.phase).toBe('held');
  expect(done.body.preparation.items.map((i: { sku: string }) => i.sku)).toEqual(st.preparation.items.map((i: { sku: string }) => i.sku));
  expect(done.body.preparation.items.every((i: { held: boolean }) => i.held)).toBe(true);
  expect(done.body.preparation.suite.name).toBe(done.body.effects.suiteReserved);
  const stylistName = (st.candidates as { staffId: string; name: string }[]).find((c) => c.staffId === s.stylists.best)!.name;
  expect(done.body.outcome.undone).toEqual([]);
  expect(done.body.outcome.done).toEqual([
    `${stylistName} approved by ${s.managers.primary.id}.`,
    `${stylistName} was briefed by email.`,
    expect.stringMatching(new RegExp(`^${done.body.effects.itemsHeld.length} items held: `)),
    expect.stringMatching(/^Styling Suite \d+ reserved from \w{3}, \w{3} \d{1,2}, .* P[SD]T\.$/),
    'Preparation notes added to the appointment.',
    `Confirmation emailed to ${st.customer.name}.`,
  ]);
});

test('the AppointmentRecoveryState schema types every part (no open objects or untyped values)', () => {
  expect(untypedParts('AppointmentRecoveryState')).toEqual([]);
});
