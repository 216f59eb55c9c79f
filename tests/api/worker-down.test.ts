/**
 * A state read while no worker can answer the run's query (every worker killed, say): the API
 * answers 503 with Retry-After after a bounded wait, and 200 again once a worker is back. A run
 * whose history has not moved since the API last read it is answered from that read (no worker
 * needed); once it moves, it needs a worker again.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { auth } from '../support/api';
import { createHarness, eventually, type Harness, type RunningWorker } from '../../scripts/kit/harness';
import { createPricingScenario } from '../support/pricing-fixtures';
import { priceChangeStateQuery } from '../../workflows/price-change/messages';

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
  // Waited for through the client: the API has not read this run yet.
  const handle = h.client.workflow.getHandle(id);
  await eventually(async () => ((await handle.query(priceChangeStateQuery)).stage === 'awaiting_approval' ? true : undefined), 30_000, 'awaiting approval');

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

test('a run read before and not moved since is answered without a worker; once it moves it needs one again', async () => {
  const s = await createPricingScenario(h.db);
  const started = await request(app)
    .post(BASE)
    .set(auth(s.people.system.apiKey))
    .send({ sku: s.sku, storeIds: s.storeIds, newPrice: 91, reason: 'Read while the worker is down' });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  const read = () => request(app).get(`${BASE}/${id}`).set(auth(s.people.ops.apiKey));
  await eventually(async () => ((await read()).body.stage === 'awaiting_approval' ? true : undefined), 30_000, 'awaiting approval');
  // Settled: the steps around the gate (inbox row, notices) have all landed in the history.
  const handle = h.client.workflow.getHandle(id);
  let length = (await handle.describe()).historyLength;
  await eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = (await handle.describe()).historyLength;
      const settled = now === length;
      length = now;
      return settled ? true : undefined;
    },
    30_000,
    'a settled history',
  );
  await read();
  const before = await read(); // the answer kept is for the settled history
  expect(before.status).toBe(200);

  await worker.stop();
  try {
    const t0 = Date.now();
    const cached = await read();
    expect(cached.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(cached.body).toEqual(before.body);
    // The store check still applies to each reader: the store's manager sees the same state, a
    // regional manager of another region is refused.
    const manager = await request(app).get(`${BASE}/${id}`).set(auth(s.people.storeManager.apiKey));
    expect(manager.status).toBe(200);
    expect(manager.body.stage).toBe('awaiting_approval');
    const outsider = await request(app).get(`${BASE}/${id}`).set(auth(s.people.otherRegion.apiKey));
    expect(outsider.status).toBe(403);

    // A cancel request is an event in the run's history: the kept answer is for a shorter one.
    await h.client.workflow.getHandle(id).cancel();
    const moved = await read();
    expect(moved.status).toBe(503);
  } finally {
    worker = await h.startWorker();
  }
  const after = await eventually(
    async () => {
      const res = await read();
      return res.status === 200 && res.body.status !== 'running' ? res : undefined;
    },
    30_000,
    'the cancelled run read with a worker back',
  );
  expect(after.body.status).toBe('cancelled');
}, 90_000);
