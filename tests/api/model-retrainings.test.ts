import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { DEMAND_MODEL } from '../../platform/model-registry';
import { auth, expectProblem, fields } from '../support/api';
import { createPerson, type Person } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createModelScenario, PATH_TEST_PROMOTION } from '../support/model-fixtures';
import { startModelRetraining } from '../../api/processes/model-retrainings/starter';

let h: Harness;
let app: Express;
let people: { ds: Person; lead: Person; ops: Person; storeManager: Person; system: Person };

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
  app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') });
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  people = {
    ds: await createPerson(h.db, suffix, 'data_scientist', 'ds', { allScopes: true }),
    lead: await createPerson(h.db, suffix, 'data_scientist', 'lead', { allScopes: true }),
    ops: await createPerson(h.db, suffix, 'ops', 'ops', { allScopes: true }),
    storeManager: await createPerson(h.db, suffix, 'store_manager', 'sm', { storeIds: ['S001'] }),
    system: await createPerson(h.db, suffix, 'system', 'sys', { allScopes: true }),
  };
});

afterAll(async () => {
  await h?.close();
});

const BASE = '/api/v1/model-retrainings';

describe('model retrainings API', () => {
  test('start: roles, validation naming the fields, one run per model and day, Idempotency-Key for another; state with training progress and the evaluation', async () => {
    expectProblem(await request(app).post(BASE).set(auth(people.storeManager.apiKey)).send({ modelName: DEMAND_MODEL }), 403, 'forbidden');
    expectProblem(await request(app).post(BASE).set(auth(people.ops.apiKey)).send({ modelName: DEMAND_MODEL }), 403, 'forbidden');
    const bad = await request(app).post(BASE).set(auth(people.ds.apiKey)).send({ modelName: 'churn', reason: '', holdoutDays: 3, extra: 1 });
    expectProblem(bad, 400, 'validation-error');
    expect(fields(bad)).toEqual(['body', 'body.holdoutDays', 'body.modelName', 'body.reason']);
    const short = await request(app).post(BASE).set(auth(people.ds.apiKey)).send({ modelName: DEMAND_MODEL, historyDays: 60, holdoutDays: 28 });
    expect(fields(short)).toEqual(['body.historyDays']);

    const key = `fix-${randomUUID()}`;
    const res = await request(app)
      .post(BASE)
      .set(auth(people.ds.apiKey))
      .set('Idempotency-Key', key)
      .send({ modelName: DEMAND_MODEL, reason: 'Promotions data fixed', historyDays: 400 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'running' });
    const again = await request(app)
      .post(BASE)
      .set(auth(people.ds.apiKey))
      .set('Idempotency-Key', key)
      .send({ modelName: DEMAND_MODEL, reason: 'Promotions data fixed', historyDays: 400 });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    const id = res.body.id as string;
    expect(id).toMatch(new RegExp(`^model-retraining-${DEMAND_MODEL}-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{16}$`));

    const st = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(people.ops.apiKey));
        return ['awaiting_approval', 'not_promoted'].includes(r.body.stage) ? r : undefined;
      },
      90_000,
      'trained and evaluated',
    );
    expect(st.body.training.percent).toBe(100);
    expect(st.body.training.seriesTrained).toBeGreaterThanOrEqual(1800);
    expect(st.body.evaluation.challenger.overall.wape).toEqual(expect.any(Number));
    expect(st.body.evaluation.champion.overall.wape).toEqual(expect.any(Number));
    expect(Object.keys(st.body.evaluation.challenger.byCategory).length).toBeGreaterThan(1);
    expect(st.body.version).toMatchObject({ seriesCount: expect.any(Number), dataFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const listed = await request(app).get(BASE).set(auth(people.ops.apiKey));
    expect(listed.status).toBe(200);
    const model = await request(app).get(`/api/v1/models/${DEMAND_MODEL}`).set(auth(people.storeManager.apiKey));
    expect(model.status).toBe(200);
    const mine = model.body.versions.find((v: { workflowId: string }) => v.workflowId === id);
    expect(mine).toMatchObject({ reason: 'Promotions data fixed', createdBy: people.ds.id, codeVersion: expect.stringMatching(/^retail-ops@/) });
    expect(mine.holdoutWindow).toEqual({ from: expect.any(String), to: expect.any(String) });

    // On the seed's mostly intermittent series a fitted model beats the baseline by about the
    // margin; either outcome is a finished evaluation, and a run without a proposal says why.
    if (st.body.stage === 'not_promoted') expect(st.body.outcome).toMatch(/^No promotion proposed: /);
    else expect(st.body.pendingApproval.approvers).toEqual([{ role: 'data_scientist', scope: {} }]);
    await request(app).post(`${BASE}/${id}/cancel`).set(auth(people.ds.apiKey)).send({ reason: 'test done' });
  });

  test('decisions: the lead (not the requester, not another role) approves the promotion through the API', async () => {
    const s = await createModelScenario(h.db, { series: 8 });
    const started = await startModelRetraining(
      { client: h.client, taskQueue: h.taskQueue },
      {
        modelName: s.modelName,
        reason: 'pilot',
        trigger: 'manual',
        requestedBy: s.people.requester.id,
        storeIds: [s.storeId],
        historyDays: 200,
        promotion: PATH_TEST_PROMOTION,
      },
    );
    const id = started.workflowId;
    await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
        return r.body.stage === 'awaiting_approval' && r.body.pendingApproval ? r : undefined;
      },
      30_000,
      'awaiting approval',
    );
    // The inbox row is written just after the gate opens: it follows the state within moments.
    const inbox = await eventually(
      async () => {
        const r = await request(app).get('/api/v1/approvals?status=pending').set(auth(s.people.lead.apiKey));
        return r.body.items.some((i: { processId: string }) => i.processId === id) ? r : undefined;
      },
      10_000,
      'the inbox row',
    );
    expect(inbox.body.items.find((i: { processId: string }) => i.processId === id)).toMatchObject({
      process: 'model-retrainings',
      canDecide: true,
      subjectType: 'model_version',
    });
    const decide = (p: Person, b: object) => request(app).post(`${BASE}/${id}/decisions`).set(auth(p.apiKey)).send(b);
    expectProblem(await decide(s.people.storeManager, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(s.people.ops, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(s.people.requester, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await decide(s.people.lead, { decision: 'reject' }), 400, 'validation-error');
    expect(fields(await decide(s.people.lead, { decision: 'approve', quantity: 3 }))).toEqual(['body']);
    const approved = await decide(s.people.lead, { decision: 'approve', comment: 'Beats the baseline on every category.' });
    expect(approved.status).toBe(200);
    // The answer shows the state after the decision, not the request just decided as still pending.
    expect(approved.body.pendingApproval).toBeNull();
    expect(approved.body.stage).not.toBe('awaiting_approval');
    expectProblem(await decide(s.people.lead, { decision: 'approve' }), 409, 'nothing-pending');
    const done = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
        return r.body.status === 'completed' ? r : undefined;
      },
      20_000,
      'completed',
    );
    expect(done.body).toMatchObject({ stage: 'promoted', promotedBy: s.people.lead.id });
    expect(done.body.decisions).toEqual([expect.objectContaining({ decision: 'approve', actorId: s.people.lead.id })]);
    const model = await request(app).get(`/api/v1/models/${s.modelName}`).set(auth(s.people.ops.apiKey));
    expect(model.body.aliases).toEqual({ champion: 1 });
  });

  test('rollback: data scientists only; 404 unknown model, 409 nothing to roll back to; champion back to previous, audited', async () => {
    const rollback = (p: Person, b: object) => request(app).post(`${BASE}/rollback`).set(auth(p.apiKey)).send(b);
    expectProblem(await rollback(people.ops, { modelName: DEMAND_MODEL }), 403, 'forbidden');
    expectProblem(await rollback(people.system, { modelName: DEMAND_MODEL }), 403, 'forbidden');
    expect(fields(await rollback(people.ds, { modelName: 'churn' }))).toEqual(['body.modelName']);
    expect(fields(await rollback(people.ds, {}))).toEqual(['body.modelName']);

    // Two promoted versions of the demand model without per-series parameters (replenishment then
    // keeps forecasting with the baseline, so other suites sharing the database are unaffected).
    const base = (await h.db.modelVersion.findFirst({ where: { modelName: DEMAND_MODEL }, orderBy: { version: 'desc' } }))?.version ?? 0;
    const now = new Date();
    const ids = [base + 1, base + 2].map((v) => `${DEMAND_MODEL}-v${v}`);
    for (const [i, id] of ids.entries()) {
      await h.db.modelVersion.create({
        data: {
          id,
          modelName: DEMAND_MODEL,
          version: base + 1 + i,
          params: {},
          metrics: {},
          trainingWindowStart: now,
          trainingWindowEnd: now,
          dataFingerprint: 'x',
          codeVersion: 'test',
          status: 'promoted',
        },
      });
    }
    await h.db.modelAlias.deleteMany({ where: { modelName: DEMAND_MODEL, alias: { in: ['champion', 'previous'] } } });
    expectProblem(await rollback(people.ds, { modelName: DEMAND_MODEL }), 409, 'no-previous-champion');
    await h.db.modelAlias.create({ data: { modelName: DEMAND_MODEL, alias: 'champion', modelVersionId: ids[1]! } });
    expectProblem(await rollback(people.ds, { modelName: DEMAND_MODEL }), 409, 'no-previous-champion');
    await h.db.modelAlias.create({ data: { modelName: DEMAND_MODEL, alias: 'previous', modelVersionId: ids[0]! } });

    const res = await rollback(people.lead, { modelName: DEMAND_MODEL, reason: 'Over-forecasts knitwear' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ modelName: DEMAND_MODEL, champion: { version: base + 1 }, rolledBack: { version: base + 2 } });
    const model = await request(app).get(`/api/v1/models/${DEMAND_MODEL}`).set(auth(people.ops.apiKey));
    expect(model.body.aliases.champion).toBe(base + 1);
    expect(model.body.versions.find((v: { version: number }) => v.version === base + 2)).toMatchObject({ status: 'rolled_back', aliases: [] });
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'model.rolled_back', entityId: DEMAND_MODEL }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ actorId: people.lead.id, details: expect.objectContaining({ reason: 'Over-forecasts knitwear' }) });
    expectProblem(await request(app).get('/api/v1/models/no-such-model').set(auth(people.ops.apiKey)), 404, 'not-found');
  });

  test('the OpenAPI document describes the start body and rollback', async () => {
    const doc = (await request(app).get('/api/v1/openapi.json')).body;
    expect(doc.paths[BASE].post).toBeDefined();
    expect(doc.paths[`${BASE}/rollback`].post.responses).toHaveProperty('409');
    expect(doc.components.schemas.ModelRetrainingStart.properties).toHaveProperty('modelName');
  });
});
