/**
 * What a model promotion's approver sees (issue 14 §1): a real retraining brought to its pending
 * approval through the real Express app and worker; GET /model-retrainings/{id} carries champion vs
 * challenger WAPE, bias and MASE overall and per category, series improved / worse (from Postgres)
 * and the promotion rule's verdict in words, and validates against the OpenAPI document.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { startModelRetraining } from '../../api/processes/model-retrainings/starter';
import { auth } from '../support/api';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createModelScenario, PATH_TEST_PROMOTION } from '../support/model-fixtures';
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

const BASE = '/api/v1/model-retrainings';

test('a pending promotion compares champion and challenger overall and per category, counts series improved and worse, and says the verdict', async () => {
  const s = await createModelScenario(h.db, { series: 8 });
  const started = await startModelRetraining(
    { client: h.client, taskQueue: h.taskQueue },
    {
      modelName: s.modelName,
      reason: 'approval context',
      trigger: 'manual',
      requestedBy: s.people.requester.id,
      storeIds: [s.storeId],
      historyDays: 200,
      promotion: PATH_TEST_PROMOTION,
    },
  );
  const id = started.workflowId;
  const res = await eventually(
    async () => {
      const r = await request(app).get(`${BASE}/${id}?include=context`).set(auth(s.people.lead.apiKey));
      return r.body.stage === 'awaiting_approval' && r.body.pendingApproval ? r : undefined;
    },
    60_000,
    'awaiting approval',
  );
  expect(responseErrors('get', `${BASE}/{id}`, 200, res.body)).toEqual([]);
  const c = res.body.promotionContext;
  expect(c.challengerVersion).toEqual(expect.any(Number));
  for (const side of ['champion', 'challenger']) {
    expect(c.overall[side].wape).toEqual(expect.any(Number));
    expect(c.overall[side].bias).toEqual(expect.any(Number));
    expect(c.overall[side].series).toBeGreaterThan(0);
  }
  const { improved, worse, unchanged } = c.overall.series;
  expect(improved + worse + unchanged).toBe(8);
  expect(improved).toBeGreaterThan(0);
  expect(c.byCategory.length).toBeGreaterThan(0);
  expect(
    c.byCategory.reduce(
      (n: number, r: { series: { improved: number; worse: number; unchanged: number } }) => n + r.series.improved + r.series.worse + r.series.unchanged,
      0,
    ),
  ).toBe(8);
  expect(c.verdict).toMatchObject({ propose: true, reason: expect.stringMatching(/WAPE/) });
  expect(c.verdict.checks.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['wape', 'bias']));

  // The inbox row carries the same comparison, from the evaluation stored with the request.
  const inbox = await request(app).get('/api/v1/approvals').set(auth(s.people.lead.apiKey));
  expect(responseErrors('get', '/api/v1/approvals', 200, inbox.body)).toEqual([]);
  const row = inbox.body.items.find((i: { processId: string }) => i.processId === id);
  expect(row.details.promotionContext).toEqual(c);

  // Without include=context: the evaluation as the workflow keeps it, not the per-series counts read from Postgres.
  const plainRead = await request(app).get(`${BASE}/${id}`).set(auth(s.people.lead.apiKey));
  expect(plainRead.status).toBe(200);
  expect(responseErrors('get', `${BASE}/{id}`, 200, plainRead.body)).toEqual([]);
  expect(plainRead.body).not.toHaveProperty('promotionContext');
  expect(plainRead.body.evaluation).toEqual(res.body.evaluation);

  // Approved and promoted: the final state, its result included, keeps the schema.
  const decided = await request(app).post(`${BASE}/${id}/decisions?include=context`).set(auth(s.people.lead.apiKey)).send({ decision: 'approve' });
  expect(decided.status).toBe(200);
  expect(responseErrors('post', `${BASE}/{id}/decisions`, 200, decided.body)).toEqual([]);
  expect(decided.body.promotionContext).toEqual(c);
  const done = await eventually(
    async () => {
      const r = await request(app).get(`${BASE}/${id}`).set(auth(s.people.lead.apiKey));
      return r.body.status === 'completed' ? r : undefined;
    },
    60_000,
    'promoted',
  );
  expect(done.body.result).toMatchObject({ stage: 'promoted', promotedBy: s.people.lead.id });
  // The result is the final state the query answers.
  expect(done.body.result.outcome).toBe(done.body.outcome);
  expect(done.body.result.decisions).toEqual(done.body.decisions);
  expect(responseErrors('get', `${BASE}/{id}`, 200, done.body)).toEqual([]);
});

test('the ModelRetrainingState schema types every part (no open objects or untyped values)', () => {
  expect(untypedParts('ModelRetrainingState')).toEqual([]);
});
