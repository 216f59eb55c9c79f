/**
 * What a price change's approver sees (issue 14 §1), on the demo data: a real price change on a
 * demo SKU in one demo store, brought to its pending approval through the real Express app and
 * worker; GET /price-changes/{id} carries every guardrail check with its limit and pass/fail, the
 * margin, competitors, an elasticity estimate (the demo history has promotions at several prices)
 * and the expected impact, and validates against the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createPerson } from '../../scripts/kit/fixtures';
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

const BASE = '/api/v1/price-changes';
const STORE = 'S005';

test('a pending price change on a demo SKU explains its guardrails, margin, competitors, elasticity and expected impact', async () => {
  // The demo SKU without a MAP that sells most in the store, and no change already running on it.
  const best = await h.db.$queryRaw<{ sku: string; category: string; price: number }[]>`
    SELECT p.sku, p.category, p.price::float8 AS price
      FROM "Product" p JOIN "SalesDaily" s ON s.sku = p.sku AND s."storeId" = ${STORE}
     WHERE p.map IS NULL AND p.active AND p.sku ~ '^[A-Z]{2}-[0-9]{4}$'
       AND NOT EXISTS (SELECT 1 FROM "PriceChange" c WHERE c.sku = p.sku AND c.status NOT IN ('completed', 'rejected', 'cancelled', 'refused', 'rolled_back', 'failed'))
     GROUP BY 1, 2, 3 ORDER BY SUM(s.units) DESC LIMIT 1`;
  expect(best).toHaveLength(1);
  const { sku, category, price } = best[0]!;
  const suffix = randomUUID().slice(0, 8);
  const system = await createPerson(h.db, suffix, 'system', 'system', { allScopes: true });
  const manager = await createPerson(h.db, suffix, 'category_manager', 'cm', { categories: [category] });

  const newPrice = Math.round(price * 0.9 * 100) / 100;
  const started = await request(app)
    .post(BASE)
    .set(auth(system.apiKey))
    .send({ sku, storeIds: [STORE], newPrice, reason: 'Approval context on the demo data' });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  try {
    const res = await eventually(
      async () => {
        const r = await request(app).get(`${BASE}/${id}`).set(auth(manager.apiKey));
        return r.status === 200 && r.body.stage === 'awaiting_approval' && r.body.pendingApproval ? r : undefined;
      },
      30_000,
      'the price change awaiting approval',
    );
    expect(responseErrors('get', `${BASE}/{id}`, 200, res.body)).toEqual([]);
    const c = res.body.decisionContext;
    expect(c).toMatchObject({ sku, category, currentPrice: price, requestedPrice: newPrice });
    const rules = (c.checks as { rule: string; ok: boolean; limit: number | null; label: string }[]).map((x) => x.rule);
    expect(rules).toEqual(expect.arrayContaining(['cost_floor', 'margin_floor', 'max_change', 'competitor_band']));
    for (const check of c.checks) expect(check.label.length).toBeGreaterThan(3);
    expect(c.checks.find((x: { rule: string }) => x.rule === 'cost_floor')).toMatchObject({ ok: true, limit: expect.any(Number) });
    expect(c.margin.proposedPct).toBeGreaterThan(0.15);
    expect(c.margin.currentPct).toBeGreaterThan(c.margin.proposedPct);
    expect(c.changePct).toBeCloseTo(c.finalPrice / price - 1, 3);
    if (c.competitors.median !== null) expect(c.competitors.band.low).toBeLessThan(c.competitors.band.high);
    // The demo history has promotions at three depths: an estimate, with its confidence.
    expect(c.elasticity.value).toEqual(expect.any(Number));
    expect(c.elasticity.points).toBeGreaterThan(100);
    expect(['high', 'medium', 'low']).toContain(c.elasticity.confidence);
    expect(c.expectedImpact).toMatchObject({
      baselineUnitsPerDay: expect.any(Number),
      unitsPerDay: expect.any(Number),
      revenuePerDay: expect.any(Number),
      grossProfitPerDay: expect.any(Number),
    });
    expect(c.expectedImpact.baselineUnitsPerDay).toBeGreaterThan(0);

    // The decision context is computed from the state alone, so it is in the default answer; include=context adds nothing.
    const withContext = await request(app).get(`${BASE}/${id}?include=context`).set(auth(manager.apiKey));
    expect(withContext.status).toBe(200);
    expect(responseErrors('get', `${BASE}/{id}`, 200, withContext.body)).toEqual([]);
    expect(withContext.body.decisionContext).toEqual(c);
    expect(Object.keys(withContext.body).sort()).toEqual(Object.keys(res.body).sort());

    // The inbox row carries the same context, from what the workflow stored with the request.
    const inbox = await request(app).get('/api/v1/approvals').set(auth(manager.apiKey));
    expect(responseErrors('get', '/api/v1/approvals', 200, inbox.body)).toEqual([]);
    const row = inbox.body.items.find((i: { processId: string }) => i.processId === id);
    expect(row.details.decisionContext).toEqual(c);
  } finally {
    await request(app).post(`${BASE}/${id}/cancel`).set(auth(system.apiKey)).send({ reason: 'test done' });
  }
});

test('the PriceChangeState schema types every part (no open objects or untyped values)', () => {
  expect(untypedParts('PriceChangeState')).toEqual([]);
});
