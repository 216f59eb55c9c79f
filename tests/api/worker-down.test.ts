/**
 * A state read while no worker can answer the run's query (every worker killed, say): the API
 * answers 503 with Retry-After after a bounded wait, and 200 again once a worker is back.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createHarness, eventually, type Harness, type RunningWorker } from '../../scripts/kit/harness';
import { createPricingScenario } from '../support/pricing-fixtures';

let h: Harness;
let app: Express;
let worker: RunningWorker;

beforeAll(async () => {
  h = await createHarness();
  worker = await h.startWorker();
  app = createApp({ db: h.db, client: h.client, taskQueue: h.taskQueue, unsubscribeSecrets: h.unsubscribeSecrets, logger: createLogger('silent') });
});

afterAll(async () => {
  await h?.close();
});

const BASE = '/api/v1/price-changes';

test('no worker to answer the state query: 503 with Retry-After within seconds, then 200 once a worker is back', async () => {
  const s = await createPricingScenario(h.db);
  const started = await request(app)
    .post(BASE)
    .set(auth(s.people.system.apiKey))
    .send({
      sku: s.sku,
      storeIds: s.storeIds,
      newPrice: 90,
      reason: 'Worker down',
      timing: { monitorWindowMs: 2000, monitorEveryMs: 1000, monitorAfterMs: 0 },
    });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  const read = () => request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
  await eventually(async () => ((await read()).body.stage === 'awaiting_approval' ? true : undefined), 30_000, 'awaiting approval');

  await worker.stop();
  const t0 = Date.now();
  const down = await read();
  const waited = Date.now() - t0;
  expect(down.status).toBe(503);
  expect(down.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
  expect(waited).toBeLessThan(14_000);

  worker = await h.startWorker();
  const back = await eventually(
    async () => {
      const res = await read();
      return res.status === 200 ? res : undefined;
    },
    30_000,
    'state readable again',
  );
  expect(back.body.stage).toBe('awaiting_approval');
  await h.client.workflow.getHandle(id).cancel();
}, 90_000);
