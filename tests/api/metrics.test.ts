/**
 * GET /metrics through the real Express app with a real worker: a price change waiting on its
 * category manager shows in retail_ops_approvals_pending; deciding it through the API moves the
 * decision counter and the wait histogram by exactly one, and the HTTP counter under the decisions
 * route's template (never the raw path). A token, when configured, guards /metrics.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { auth, expectProblem } from '../support/api';
import { createPricingScenario } from '../support/pricing-fixtures';
import { parsePrometheus, total, type Sample } from '../support/prometheus';

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

const BASE = '/api/v1/price-changes';
const DECISIONS_ROUTE = '/api/v1/price-changes/:id/decisions';

async function scrape(target: Express = app): Promise<Sample[]> {
  const res = await request(target).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.text);
}

const pending = (s: Sample[]) => total(s, 'retail_ops_approvals_pending', { process: 'price_change', role: 'category_manager' });
const decisions = (s: Sample[]) => total(s, 'retail_ops_decisions_total', { process: 'price_change', outcome: 'approve' });
const waits = (s: Sample[]) => total(s, 'retail_ops_decision_latency_seconds_count', { process: 'price_change' });
const waitSum = (s: Sample[]) => total(s, 'retail_ops_decision_latency_seconds_sum', { process: 'price_change' });
const decisionCalls = (s: Sample[], status: string) => total(s, 'retail_ops_http_requests_total', { method: 'POST', route: DECISIONS_ROUTE, status });

test('a decision through the API: approvals pending, the decision counter and wait histogram move by one, HTTP counted by route template', async () => {
  const s = await createPricingScenario(h.db);
  const before = await scrape();
  const started = await request(app)
    .post(BASE)
    .set(auth(s.people.system.apiKey))
    .send({
      sku: s.sku,
      storeIds: s.storeIds,
      newPrice: 90,
      reason: 'Clear the summer linen',
      timing: { monitorWindowMs: 2000, monitorEveryMs: 1000, monitorAfterMs: 0 },
    });
  expect(started.status).toBe(201);
  const id = started.body.id as string;

  // The inbox row is open: pending by process and role, read from Postgres at scrape time.
  const open = await eventually(
    async () => {
      const now = await scrape();
      return pending(now) === pending(before) + 1 ? now : undefined;
    },
    30_000,
    'the approval request counted as pending',
  );
  const openedAt = Date.now();
  expect(total(open, 'retail_ops_http_requests_total', { method: 'POST', route: BASE, status: '201' })).toBe(
    total(before, 'retail_ops_http_requests_total', { method: 'POST', route: BASE, status: '201' }) + 1,
  );

  // Refused (not the caller's to decide): counted as HTTP, not as a decision.
  expectProblem(await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.people.ops.apiKey)).send({ decision: 'approve' }), 403, 'forbidden');
  await new Promise((r) => setTimeout(r, 300));
  const approved = await request(app).post(`${BASE}/${id}/decisions`).set(auth(s.people.category.apiKey)).send({ decision: 'approve', comment: 'Fine' });
  expect(approved.status).toBe(200);
  const decidedWithin = (Date.now() - openedAt) / 1000;

  // The decision is counted once the response is out (its wait is read from the recorded decision).
  const after = await eventually(
    async () => {
      const now = await scrape();
      return decisions(now) > decisions(before) ? now : undefined;
    },
    10_000,
    'the decision counted',
  );
  expect(decisions(after)).toBe(decisions(before) + 1);
  expect(waits(after)).toBe(waits(before) + 1);
  const wait = waitSum(after) - waitSum(before);
  expect(wait).toBeGreaterThanOrEqual(0.3);
  expect(wait).toBeLessThan(decidedWithin + 30);
  expect(decisionCalls(after, '200')).toBe(decisionCalls(before, '200') + 1);
  expect(decisionCalls(after, '403')).toBe(decisionCalls(before, '403') + 1);
  expect(total(after, 'retail_ops_decisions_total', { process: 'price_change', outcome: 'reject' })).toBe(
    total(before, 'retail_ops_decisions_total', { process: 'price_change', outcome: 'reject' }),
  );
  // No raw path (with the run's ID) ever becomes a label.
  expect(after.some((x) => Object.values(x.labels).some((v) => v.includes(id)))).toBe(false);
  expect(total(after, 'retail_ops_http_request_duration_seconds_count', { method: 'POST', route: DECISIONS_ROUTE, status: '200' })).toBe(
    total(before, 'retail_ops_http_request_duration_seconds_count', { method: 'POST', route: DECISIONS_ROUTE, status: '200' }) + 1,
  );

  // Decided: the inbox row is closed, the gauge back where it was (0 kept, not dropped).
  const closed = await eventually(
    async () => {
      const now = await scrape();
      return pending(now) === pending(before) ? now : undefined;
    },
    10_000,
    'the approval no longer pending',
  );
  expect(closed.some((x) => x.name === 'retail_ops_approvals_pending' && x.labels.process === 'price_change' && x.labels.role === 'category_manager')).toBe(
    true,
  );
  await eventually(
    async () => ((await request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey))).body.status === 'completed' ? true : undefined),
    30_000,
    'completed',
  );
});

test('a path no route matches is `unmatched`; /metrics itself is not counted; in-flight is back to 0', async () => {
  const s = await createPricingScenario(h.db);
  const before = await scrape();
  expectProblem(await request(app).get('/api/v1/no-such-thing/123').set(auth(s.people.ops.apiKey)), 404, 'not-found');
  expectProblem(await request(app).get('/nowhere/at/all'), 404, 'not-found');
  const after = await scrape();
  expect(total(after, 'retail_ops_http_requests_total', { route: 'unmatched', status: '404' })).toBe(
    total(before, 'retail_ops_http_requests_total', { route: 'unmatched', status: '404' }) + 2,
  );
  expect(after.some((x) => x.name === 'retail_ops_http_requests_total' && x.labels.route === '/metrics')).toBe(false);
  expect(total(after, 'retail_ops_http_requests_in_flight')).toBe(0);
});

test('METRICS_TOKEN: /metrics answers the bearer token only; disabled, it is a 404', async () => {
  const deps = { db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') };
  const guarded = createApp({ ...deps, metrics: { token: 'scrape-token-0123456789' } });
  expectProblem(await request(guarded).get('/metrics'), 401, 'unauthenticated');
  expectProblem(await request(guarded).get('/metrics').set(auth('scrape-token-wrong-12345')), 401, 'unauthenticated');
  const ok = await request(guarded).get('/metrics').set(auth('scrape-token-0123456789'));
  expect(ok.status).toBe(200);
  expect(ok.text).toContain('# TYPE retail_ops_http_requests_total counter');
  expectProblem(await request(createApp({ ...deps, metrics: { enabled: false } })).get('/metrics'), 404, 'not-found');
});
