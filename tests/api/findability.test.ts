/**
 * Runs are found by every store they concern and say what they are: a price change for two stores
 * started through the real API is listed under each store (and not under a third), a run started
 * before StoreIds existed (StoreId only) is still listed under its store, and the run carries its
 * static summary and details, and summaries on its activities and its timer, in its history.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { priceChange } from '../../workflows/price-change/workflow';
import { BusinessStatus, ProcessType, StoreId, StoreIds } from '../../workflows/shared/search-attributes';
import { auth, expectProblem } from '../support/api';
import { createPerson } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createPricingScenario, type PricingScenario } from '../support/pricing-fixtures';

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
const HOUR_MS = 3_600_000;

type ListItem = { id: string; storeId: string | null; storeIds: string[] };

async function listedIds(s: PricingScenario, storeId: string): Promise<string[]> {
  const res = await request(app).get(`${BASE}?storeId=${storeId}`).set(auth(s.people.ops.apiKey));
  if (res.status !== 200) throw new Error(`list ${storeId}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.items as ListItem[]).map((i) => i.id);
}

/** "2026-12-03T14:00:00.000Z" as the summaries show it in UTC: "2026-12-03 14:00 UTC". */
const utcMinute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function summaryOf(e: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const payload = e.userMetadata?.summary;
  return payload ? defaultPayloadConverter.fromPayload<string>(payload as Payload) : undefined;
}

async function addThirdStore(s: PricingScenario): Promise<string> {
  const id = `T-PC-${s.suffix}-3`;
  await h.db.store.create({ data: { id, name: `Pricing store ${id}`, regionId: s.regionId, city: 'Testville', timezone: 'UTC' } });
  return id;
}

test('a price change for two stores is listed under each of them and not under a third; its run says what it is', async () => {
  const s = await createPricingScenario(h.db);
  const third = await addThirdStore(s);
  // A 4% cut is approved automatically: the run goes on to wait for its effective time.
  const effectiveAt = new Date(Math.ceil((Date.now() + 2 * HOUR_MS) / 60_000) * 60_000).toISOString();
  const res = await request(app)
    .post(BASE)
    .set(auth(s.people.system.apiKey))
    .send({ sku: s.sku, storeIds: s.storeIds, newPrice: 96, reason: 'Match the spring catalogue', effectiveAt });
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  const handle = h.client.workflow.getHandle(id);
  try {
    for (const store of s.storeIds) {
      await eventually(async () => (await listedIds(s, store)).includes(id), 20_000, `the change listed under ${store}`);
    }
    expect(await listedIds(s, third)).not.toContain(id);

    const listed = await request(app).get(`${BASE}?storeId=${s.storeIds[1]}`).set(auth(s.people.ops.apiKey));
    expect((listed.body.items as ListItem[]).find((i) => i.id === id)).toMatchObject({ storeId: null, storeIds: s.storeIds });
    // A store manager of one of the stores finds it in their own list (their stores only).
    const mine = await request(app).get(BASE).set(auth(s.people.storeManager.apiKey));
    expect((mine.body.items as ListItem[]).map((i) => i.id)).toContain(id);
    // Read by id the same way: a manager of one of its stores may, a manager of another store may not.
    expect((await request(app).get(`${BASE}/${id}`).set(auth(s.people.storeManager.apiKey))).status).toBe(200);
    const elsewhere = await createPerson(h.db, s.suffix, 'store_manager', 'sm3', { storeIds: [third] });
    const refused = await request(app).get(`${BASE}/${id}`).set(auth(elsewhere.apiKey));
    expectProblem(refused, 403, 'forbidden');

    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get(StoreIds)).toEqual(s.storeIds);
    expect(desc.typedSearchAttributes.get(StoreId)).toBeUndefined();
    const summary = await desc.staticSummary();
    expect(summary).toBe(`Price change: ${s.sku} Linen blazer ${s.suffix} at ${s.storeIds.join(', ')} — −4.0% from ${utcMinute(effectiveAt)}`);
    const details = await desc.staticDetails();
    expect(details).toContain(`- **Stores:** ${s.storeIds.join(', ')}`);
    // The guardrails' charm rounding sets the price actually asked for.
    expect(details).toContain('- **Price:** $100.00 → $95.99 (−4.0%), bound by charm rounding');
    expect(details).toContain('- **Reason:** Match the spring catalogue');

    // The timeline: the timer to the effective time and the activities before it carry summaries.
    const timerSummary = `Wait for the effective time ${utcMinute(effectiveAt)}`;
    const history = await eventually(
      async () => {
        const hist = await handle.fetchHistory();
        return hist.events?.some((e) => summaryOf(e) === timerSummary) ? hist : undefined;
      },
      20_000,
      'the timer to the effective time',
    );
    const events = history.events ?? [];
    const timers = events.filter((e) => e.timerStartedEventAttributes);
    expect(timers.map(summaryOf)).toEqual([timerSummary]);
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const e of scheduled) expect(summaryOf(e)).toMatch(/\S/);
    expect(scheduled.map(summaryOf)).toContain(`Estimate ${s.sku}'s demand and margin at $95.99`);
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});

test('a run started before StoreIds existed (StoreId only) is still listed under its store', async () => {
  const s = await createPricingScenario(h.db);
  const store = await addThirdStore(s);
  const workflowId = `price-change-${s.sku}-legacy`;
  const effectiveAt = new Date(Date.now() + 2 * HOUR_MS).toISOString();
  await h.db.priceChange.create({
    data: {
      id: workflowId,
      workflowId,
      sku: s.sku,
      storeIds: [store],
      oldPrice: 100,
      newPrice: 96,
      status: 'requested',
      reason: 'Legacy',
      effectiveAt,
      requestedBy: 'sys',
    },
  });
  // As the API started runs before this change: the one store in StoreId, no StoreIds.
  const handle = await h.client.workflow.start(priceChange, {
    taskQueue: h.taskQueue,
    workflowId,
    args: [{ priceChangeId: workflowId, sku: s.sku, storeIds: [store], newPrice: 96, reason: 'Legacy', effectiveAt, requestedBy: 'sys' }],
    typedSearchAttributes: [
      { key: ProcessType, value: 'price_change' },
      { key: BusinessStatus, value: 'checking' },
      { key: StoreId, value: store },
    ],
  });
  try {
    await eventually(async () => (await listedIds(s, store)).includes(workflowId), 20_000, 'the legacy run listed under its store');
    expect((await handle.describe()).typedSearchAttributes.get(StoreIds)).toBeUndefined();
    expect(await listedIds(s, s.storeIds[0])).not.toContain(workflowId);
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
