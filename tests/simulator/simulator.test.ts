import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import request from 'supertest';
import { createSimulatorApp, type SimulatorOptions, type SupplierEvent } from '../../simulator/app';

const FIXED = new Date('2030-03-04T05:06:07.000Z');
let app: Express;

beforeEach(() => {
  app = createSimulatorApp({ now: () => FIXED, callbackBaseUrl: 'http://127.0.0.1:3999' });
});

const PO = { purchaseOrderId: 'PO-1', storeId: 'S001', lines: [{ sku: 'SKU-1', quantity: 12, unitCost: 4.5 }] };
const postPo = (supplierId: string, key: string | undefined, body: object = PO) => {
  const req = request(app).post(`/suppliers/${supplierId}/purchase-orders`);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send(body);
};
const addFault = (fault: object) => request(app).post('/_faults').send(fault).expect(201);

function expectProblem(res: request.Response, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: `https://simulator.retail-ops.dev/problems/${slug}` });
}

describe('simulator basics', () => {
  test('healthz, config, unknown route 404', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/_config')).body).toEqual({ callbackBaseUrl: 'http://127.0.0.1:3999' });
    expectProblem(await request(app).get('/nowhere'), 404, 'not-found');
  });
});

describe('supplier ERP', () => {
  test('a PO is received once: a repeat of the key answers 200 with the same reference, never a second order', async () => {
    const first = await postPo('SUP-A', 'po-PO-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ supplierReference: 'SUP-A-SO-000001', receivedAt: FIXED.toISOString(), duplicate: false });

    const again = await postPo('SUP-A', 'po-PO-1', { lines: PO.lines, storeId: 'S001', purchaseOrderId: 'PO-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });

    const received = await request(app).get(`/suppliers/SUP-A/purchase-orders/${first.body.supplierReference}`);
    expect(received.status).toBe(200);
    expect(received.body).toEqual({
      supplierId: 'SUP-A',
      supplierReference: 'SUP-A-SO-000001',
      ...PO,
      status: 'open',
      idempotencyKey: 'po-PO-1',
      receivedAt: FIXED.toISOString(),
    });
    expectProblem(await request(app).get('/suppliers/SUP-A/purchase-orders/NOPE'), 404, 'not-found');
    expectProblem(await request(app).get(`/suppliers/SUP-B/purchase-orders/${first.body.supplierReference}`), 404, 'not-found');

    // Keys are per supplier: the same key at another supplier is another order.
    expect((await postPo('SUP-B', 'po-PO-1')).status).toBe(201);
    expect((await postPo('SUP-A', 'po-PO-2', { ...PO, purchaseOrderId: 'PO-2' })).body.supplierReference).toBe('SUP-A-SO-000002');

    const stats = (await request(app).get('/_stats')).body;
    expect(stats.suppliers).toEqual({ 'SUP-A': { ordersReceived: 2 }, 'SUP-B': { ordersReceived: 1 } });
    expect(stats.routes['supplier-po']).toMatchObject({ calls: 4, failuresInjected: 0, effects: 3, duplicates: 1 });
    expect((await request(app).get('/suppliers/SUP-A/purchase-orders')).body.items).toHaveLength(2);
  });

  test('the same key with a different body is 409; a missing key is 400; a bad body is 400 naming the fields', async () => {
    await postPo('SUP-A', 'k1').expect(201);
    const conflict = await postPo('SUP-A', 'k1', { ...PO, lines: [{ sku: 'SKU-1', quantity: 13, unitCost: 4.5 }] });
    expectProblem(conflict, 409, 'idempotency-key-reused');
    expect(conflict.body.supplierReference).toBe('SUP-A-SO-000001');

    expectProblem(await postPo('SUP-A', undefined), 400, 'idempotency-key-required');
    expectProblem(await postPo('SUP-A', '   '), 400, 'idempotency-key-required');

    const bad = await postPo('SUP-A', 'k2', { purchaseOrderId: 'PO-9', lines: [{ sku: 'SKU-1', quantity: -1, unitCost: 'x' }] });
    expectProblem(bad, 400, 'validation-error');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.lines.0.quantity', 'body.lines.0.unitCost', 'body.storeId']);
    expectProblem(await postPo('SUP-A', 'k3', { ...PO, lines: [] }), 400, 'validation-error');

    const malformed = await request(app)
      .post('/suppliers/SUP-A/purchase-orders')
      .set('Idempotency-Key', 'k4')
      .set('Content-Type', 'application/json')
      .send('{"purchaseOrderId":');
    expectProblem(malformed, 400, 'validation-error');

    expect((await request(app).get('/_stats')).body.suppliers).toEqual({ 'SUP-A': { ordersReceived: 1 } });
  });

  test('failTimes: the next N matching calls fail with the status, then the call succeeds once', async () => {
    const fault = await addFault({ route: 'supplier-po', target: 'SUP-A', failTimes: 2 });
    expect(fault.body).toMatchObject({ id: expect.any(String), route: 'supplier-po', target: 'SUP-A', failTimes: 2, status: 503, delayMs: 0 });

    expectProblem(await postPo('SUP-A', 'k1'), 503, 'injected-fault');
    expect((await postPo('SUP-B', 'k1')).status).toBe(201); // another target is unaffected
    expectProblem(await postPo('SUP-A', 'k1'), 503, 'injected-fault');
    expect((await postPo('SUP-A', 'k1')).status).toBe(201);
    expect((await postPo('SUP-A', 'k1')).status).toBe(200);

    await addFault({ route: 'supplier-po', failTimes: 1, status: 429 });
    const throttled = await postPo('SUP-C', 'k1');
    expectProblem(throttled, 429, 'injected-fault');
    expect(throttled.headers['retry-after']).toBe('1');

    const stats = (await request(app).get('/_stats')).body;
    expect(stats.routes['supplier-po']).toMatchObject({ calls: 6, failuresInjected: 3, effects: 2, duplicates: 1 });
    expect(stats.routes['supplier-po'].byTarget['SUP-A']).toEqual({ calls: 4, failuresInjected: 2, effects: 1, duplicates: 1 });
    expect(stats.suppliers).toEqual({ 'SUP-A': { ordersReceived: 1 }, 'SUP-B': { ordersReceived: 1 }, 'SUP-C': { ordersReceived: 0 } });

    await request(app).delete('/_faults').expect(204);
    expect((await request(app).get('/_faults')).body.items).toEqual([]);
    expect((await postPo('SUP-C', 'k1')).status).toBe(201);
  });

  test('failAfterEffect: the order is recorded but the caller sees a failure; its retry is a duplicate', async () => {
    await addFault({ route: 'supplier-po', failTimes: 1, status: 502, failAfterEffect: true });
    expectProblem(await postPo('SUP-A', 'k1'), 502, 'injected-fault');
    const retry = await postPo('SUP-A', 'k1');
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ supplierReference: 'SUP-A-SO-000001', duplicate: true });
    expect((await request(app).get('/_stats')).body.suppliers).toEqual({ 'SUP-A': { ordersReceived: 1 } });
  });

  test('delayMs delays every matching response until cleared; duplicateDeliveries is stored', async () => {
    await addFault({ route: 'supplier-po', target: 'SUP-A', delayMs: 200, duplicateDeliveries: 2 });
    let t = Date.now();
    expect((await postPo('SUP-A', 'k1')).status).toBe(201);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);

    t = Date.now();
    expect((await postPo('SUP-B', 'k1')).status).toBe(201);
    expect(Date.now() - t).toBeLessThan(150);

    const faults = (await request(app).get('/_faults')).body.items;
    expect(faults).toEqual([expect.objectContaining({ route: 'supplier-po', target: 'SUP-A', delayMs: 200, duplicateDeliveries: 2 })]);
    expect(app.locals.simulator.duplicateDeliveriesFor('supplier-po', 'SUP-A')).toBe(2);
    expect(app.locals.simulator.duplicateDeliveriesFor('supplier-po', 'SUP-B')).toBe(0);

    await request(app).delete('/_faults').expect(204);
    t = Date.now();
    expect((await postPo('SUP-A', 'k2', { ...PO, purchaseOrderId: 'PO-2' })).status).toBe(201);
    expect(Date.now() - t).toBeLessThan(150);
  });

  test('bad faults are refused', async () => {
    const res = await request(app).post('/_faults').send({ route: 'smtp', failTimes: -1, status: 200 });
    expectProblem(res, 400, 'validation-error');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.failTimes', 'body.route', 'body.status']);
  });
});

describe('channel prices', () => {
  const put = (path: string, key: string | undefined, body: object) => {
    const req = request(app).put(path);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const POS = '/channels/pos/stores/S001/prices/SKU-1';
  const WEB = '/channels/ecommerce/prices/SKU-1';

  test('a push sets the current price; a repeat of the key is a no-op answering the same result', async () => {
    expectProblem(await request(app).get(POS), 404, 'not-found');
    const first = await put(POS, 'pc-1-S001', { price: 19.99, priceChangeId: 'pc-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      pushId: 'push-1',
      channel: 'pos',
      storeId: 'S001',
      sku: 'SKU-1',
      price: 19.99,
      previousPrice: null,
      priceChangeId: 'pc-1',
      appliedAt: FIXED.toISOString(),
      duplicate: false,
    });
    expect((await request(app).get(POS)).body).toEqual({
      channel: 'pos',
      storeId: 'S001',
      sku: 'SKU-1',
      price: 19.99,
      priceChangeId: 'pc-1',
      updatedAt: FIXED.toISOString(),
    });

    const second = await put(POS, 'pc-2-S001', { price: 17.99, priceChangeId: 'pc-2' });
    expect(second.body).toMatchObject({ pushId: 'push-2', price: 17.99, previousPrice: 19.99 });

    // A late replay of the first push changes nothing.
    const replay = await put(POS, 'pc-1-S001', { price: 19.99, priceChangeId: 'pc-1' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, duplicate: true });
    expect((await request(app).get(POS)).body.price).toBe(17.99);

    expectProblem(await put(POS, 'pc-1-S001', { price: 18.99, priceChangeId: 'pc-1' }), 409, 'idempotency-key-reused');
    expectProblem(await put(POS, undefined, { price: 18.99, priceChangeId: 'pc-1' }), 400, 'idempotency-key-required');
    expectProblem(await put(POS, 'k', { price: 0, priceChangeId: '' }), 400, 'validation-error');

    // Channels and stores are separate.
    expectProblem(await request(app).get(WEB), 404, 'not-found');
    expectProblem(await request(app).get('/channels/pos/stores/S002/prices/SKU-1'), 404, 'not-found');
    const web = await put(WEB, 'pc-1-web', { price: 19.49, priceChangeId: 'pc-1' });
    expect(web.body).toMatchObject({ channel: 'ecommerce', sku: 'SKU-1', price: 19.49, previousPrice: null, duplicate: false });
    expect(web.body.storeId).toBeUndefined();
    expect((await request(app).get(WEB)).body).toMatchObject({ channel: 'ecommerce', price: 19.49 });

    const log = (await request(app).get('/_price-pushes?channel=pos&storeId=S001&sku=SKU-1')).body.items;
    expect(log.map((p: { price: number }) => p.price)).toEqual([19.99, 17.99]);
    const stats = (await request(app).get('/_stats')).body;
    expect(stats.routes['pos-price']).toMatchObject({ calls: 4, effects: 2, duplicates: 1 });
    expect(stats.routes['ecommerce-price']).toMatchObject({ calls: 1, effects: 1, duplicates: 0 });
    expect(stats.pricePushes).toBe(3);
  });

  test('faults per route and store: the failing store is not changed, others are', async () => {
    await addFault({ route: 'pos-price', target: 'S002', failTimes: 1, status: 500 });
    await addFault({ route: 'ecommerce-price', failTimes: 1 });
    expect((await put(POS, 'a', { price: 10, priceChangeId: 'pc-1' })).status).toBe(200);
    expectProblem(await put('/channels/pos/stores/S002/prices/SKU-1', 'b', { price: 10, priceChangeId: 'pc-1' }), 500, 'injected-fault');
    expectProblem(await request(app).get('/channels/pos/stores/S002/prices/SKU-1'), 404, 'not-found');
    expectProblem(await put(WEB, 'c', { price: 10, priceChangeId: 'pc-1' }), 503, 'injected-fault');
    expect((await put(WEB, 'c', { price: 10, priceChangeId: 'pc-1' })).status).toBe(200);

    const stats = (await request(app).get('/_stats')).body.routes;
    expect(stats['pos-price']).toMatchObject({ calls: 2, failuresInjected: 1, effects: 1 });
    expect(stats['pos-price'].byTarget.S002).toEqual({ calls: 1, failuresInjected: 1, effects: 0, duplicates: 0 });
    expect(stats['ecommerce-price']).toMatchObject({ calls: 2, failuresInjected: 1, effects: 1 });
  });

  test('reset clears state, faults and stats', async () => {
    await put(POS, 'a', { price: 10, priceChangeId: 'pc-1' }).expect(200);
    await addFault({ route: 'pos-price', failTimes: 5 });
    await request(app).post('/_reset').expect(204);
    expectProblem(await request(app).get(POS), 404, 'not-found');
    expect((await request(app).get('/_faults')).body.items).toEqual([]);
    expect((await request(app).get('/_stats')).body.routes['pos-price']).toEqual({ calls: 0, failuresInjected: 0, effects: 0, duplicates: 0, byTarget: {} });
  });
});

describe('purchase order replenishmentId and cancellation', () => {
  const cancel = (supplierId: string, ref: string, key: string | null = `cancel-${ref}`) => {
    const req = request(app).post(`/suppliers/${supplierId}/purchase-orders/${ref}/cancel`);
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send();
  };

  test('replenishmentId is stored and part of the fingerprint', async () => {
    const ref = (await postPo('SUP-A', 'k1', { ...PO, replenishmentId: 'replenishment-1' }).expect(201)).body.supplierReference;
    expect((await request(app).get(`/suppliers/SUP-A/purchase-orders/${ref}`)).body).toMatchObject({ replenishmentId: 'replenishment-1', status: 'open' });
    expect((await postPo('SUP-A', 'k1', { ...PO, replenishmentId: 'replenishment-1' })).status).toBe(200);
    expectProblem(await postPo('SUP-A', 'k1', { ...PO, replenishmentId: 'replenishment-2' }), 409, 'idempotency-key-reused');
    expectProblem(await postPo('SUP-A', 'k1'), 409, 'idempotency-key-reused');
    expectProblem(await postPo('SUP-A', 'k2', { ...PO, replenishmentId: '' }), 400, 'validation-error');
  });

  test('cancel marks the order cancelled, idempotently; unknown orders are 404; the key is required', async () => {
    const ref = (await postPo('SUP-A', 'k1').expect(201)).body.supplierReference;
    const first = await cancel('SUP-A', ref);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ supplierReference: ref, status: 'cancelled', cancelledAt: FIXED.toISOString() });
    const again = await cancel('SUP-A', ref, 'another-key');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await request(app).get(`/suppliers/SUP-A/purchase-orders/${ref}`)).body).toMatchObject({ status: 'cancelled', cancelledAt: FIXED.toISOString() });

    expectProblem(await cancel('SUP-A', 'NOPE'), 404, 'not-found');
    expectProblem(await cancel('SUP-B', ref), 404, 'not-found');
    expectProblem(await cancel('SUP-A', ref, null), 400, 'idempotency-key-required');
    // Cancels are not orders: they do not count as received or duplicate orders.
    expect((await request(app).get('/_stats')).body.routes['supplier-po']).toMatchObject({ calls: 5, effects: 1, duplicates: 0 });
  });

  test('cancel is subject to supplier-po faults, before or after the effect', async () => {
    const ref = (await postPo('SUP-A', 'k1').expect(201)).body.supplierReference;
    await addFault({ route: 'supplier-po', target: 'SUP-A', failTimes: 1 });
    expectProblem(await cancel('SUP-A', ref), 503, 'injected-fault');
    expect((await request(app).get(`/suppliers/SUP-A/purchase-orders/${ref}`)).body.status).toBe('open');
    await request(app).delete('/_faults').expect(204);

    await addFault({ route: 'supplier-po', target: 'SUP-A', failTimes: 1, status: 502, failAfterEffect: true });
    expectProblem(await cancel('SUP-A', ref), 502, 'injected-fault');
    expect((await request(app).get(`/suppliers/SUP-A/purchase-orders/${ref}`)).body.status).toBe('cancelled');
    expect((await cancel('SUP-A', ref)).body).toEqual({ supplierReference: ref, status: 'cancelled', cancelledAt: FIXED.toISOString() });
    expect((await request(app).get('/_stats')).body.routes['supplier-po'].byTarget['SUP-A']).toMatchObject({ calls: 4, failuresInjected: 2 });
  });
});

describe('supplier events', () => {
  interface Delivery {
    path: string;
    apiKey: string | undefined;
    body: SupplierEvent;
  }
  let receiver: Server;
  let receiverUrl: string;
  let deliveries: Delivery[];
  /** Statuses the receiver answers with, in order; 202 once they run out. */
  let answers: number[];
  const apps: Express[] = [];

  beforeAll(async () => {
    const target = express();
    target.use(express.json());
    target.post('/api/v1/replenishments/:replenishmentId/supplier-events', (req, res) => {
      deliveries.push({ path: req.originalUrl, apiKey: req.get('Authorization')?.replace(/^Bearer /, ''), body: req.body as SupplierEvent });
      res.status(answers.shift() ?? 202).json({});
    });
    receiver = await new Promise<Server>((resolve) => {
      const s = target.listen(0, '127.0.0.1', () => resolve(s));
    });
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeEach(() => {
    deliveries = [];
    answers = [];
    app = eventsApp();
  });

  afterEach(() => {
    for (const a of apps.splice(0)) a.locals.simulator.clearTimers();
  });

  function eventsApp(opts: SimulatorOptions = {}): Express {
    const created = createSimulatorApp({ now: () => FIXED, callbackBaseUrl: receiverUrl, callbackApiKey: 'demo-key-pos-gateway', ...opts });
    apps.push(created);
    return created;
  }

  const ORDER = {
    purchaseOrderId: 'PO-1',
    storeId: 'S001',
    replenishmentId: 'replenishment-S001-1',
    lines: [
      { sku: 'SKU-1', quantity: 12, unitCost: 4.5 },
      { sku: 'SKU-2', quantity: 5, unitCost: 2 },
    ],
  };
  const REF = 'SUP-A-SO-000001';
  const PATH = '/api/v1/replenishments/replenishment-S001-1/supplier-events';
  const trigger = (action: string, body: object = {}, ref = REF) => request(app).post(`/suppliers/SUP-A/purchase-orders/${ref}/${action}`).send(body);
  const event = (extra: object) => ({ purchaseOrderId: 'PO-1', supplierReference: REF, occurredAt: FIXED.toISOString(), ...extra });

  async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test('acknowledge, receive and reject send the right bodies to the replenishment with the API key', async () => {
    await postPo('SUP-A', 'k1', ORDER).expect(201);

    const ack = await trigger('acknowledge', { rejectLines: [{ sku: 'SKU-2', reason: 'discontinued' }] });
    expect(ack.status).toBe(202);
    const ackEvent = event({ eventId: `${REF}:ack`, type: 'acknowledged', lines: [{ sku: 'SKU-2', quantityRejected: 5, reason: 'discontinued' }] });
    expect(ack.body).toEqual({ event: ackEvent, copies: 1, delivered: true, status: 202, attempts: 1 });
    expect(deliveries).toEqual([{ path: PATH, apiKey: 'demo-key-pos-gateway', body: ackEvent }]);

    const partial = await trigger('receive', { lines: [{ sku: 'SKU-1', quantity: 10, rejected: 1 }] });
    expect(partial.status).toBe(202);
    expect(deliveries[1]!.body).toEqual(
      event({ eventId: `${REF}:receipt:1`, type: 'received', lines: [{ sku: 'SKU-1', quantityReceived: 10, quantityRejected: 1 }] }),
    );

    // Without lines, a receipt covers what is still due: not SKU-2 (rejected), 1 unit of SKU-1.
    expect((await trigger('receive')).status).toBe(202);
    expect(deliveries[2]!.body).toEqual(event({ eventId: `${REF}:receipt:2`, type: 'received', lines: [{ sku: 'SKU-1', quantityReceived: 1 }] }));
    expectProblem(await trigger('receive'), 409, 'nothing-outstanding');

    expect((await trigger('reject', { reason: 'supplier out of stock' })).status).toBe(202);
    expect(deliveries[3]!.body).toEqual(event({ eventId: `${REF}:reject`, type: 'rejected', reason: 'supplier out of stock' }));
    expect(deliveries).toHaveLength(4);

    const log = (await request(app).get(`/_supplier-events?supplierReference=${REF}`)).body.items;
    expect(log.map((d: { event: SupplierEvent }) => d.event.eventId)).toEqual([`${REF}:ack`, `${REF}:receipt:1`, `${REF}:receipt:2`, `${REF}:reject`]);
    expect(log[0]).toMatchObject({ supplierId: 'SUP-A', url: `${receiverUrl.replace(/\/$/, '')}${PATH}`, copy: 1, delivered: true, status: 202, attempts: 1 });
    expect((await request(app).get('/_stats')).body.routes['supplier-events']).toEqual({
      calls: 4,
      failuresInjected: 0,
      effects: 4,
      duplicates: 0,
      byTarget: { 'SUP-A': { calls: 4, failuresInjected: 0, effects: 4, duplicates: 0 } },
    });
  });

  test('bad triggers are refused before anything is sent', async () => {
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    const { replenishmentId: _r, ...withoutReplenishment } = ORDER;
    await postPo('SUP-A', 'k2', { ...withoutReplenishment, purchaseOrderId: 'PO-2' }).expect(201);

    expectProblem(await trigger('acknowledge', {}, 'NOPE'), 404, 'not-found');
    expectProblem(await trigger('acknowledge', {}, 'SUP-A-SO-000002'), 400, 'no-replenishment-id');
    const unknownSku = await trigger('receive', { lines: [{ sku: 'SKU-9', quantity: 1 }] });
    expectProblem(unknownSku, 400, 'validation-error');
    expect(unknownSku.body.errors).toEqual([{ field: 'body.lines.0.sku', message: 'SKU SKU-9 is not on the order' }]);
    const tooMany = await trigger('acknowledge', { rejectLines: [{ sku: 'SKU-2', quantity: 6 }] });
    expectProblem(tooMany, 400, 'validation-error');
    expect(tooMany.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.rejectLines.0.quantity']);
    expectProblem(await trigger('receive', { lines: [{ sku: 'SKU-1', quantity: -1 }] }), 400, 'validation-error');
    expectProblem(await trigger('reject', {}), 400, 'validation-error');

    app = createSimulatorApp({ now: () => FIXED });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    expectProblem(await trigger('acknowledge'), 400, 'no-callback-url');
    expect(deliveries).toEqual([]);
  });

  test('a duplicateDeliveries fault delivers the same event twice', async () => {
    await addFault({ route: 'supplier-events', target: 'SUP-A', duplicateDeliveries: 1 });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    const res = await trigger('acknowledge');
    expect(res.body).toMatchObject({ copies: 2, delivered: true, status: 202 });
    expect(deliveries.map((d) => d.body)).toEqual([res.body.event, res.body.event]);
    expect(deliveries[0]!.body.eventId).toBe(`${REF}:ack`);
    expect((await request(app).get('/_stats')).body.routes['supplier-events']).toMatchObject({ calls: 2, effects: 2, duplicates: 1 });

    // Another supplier is unaffected.
    await postPo('SUP-B', 'k1', ORDER).expect(201);
    expect((await request(app).post('/suppliers/SUP-B/purchase-orders/SUP-B-SO-000001/acknowledge').send({})).body.copies).toBe(1);
  });

  test('a failed delivery is retried with backoff (default 500 ms); a 4xx is not; it gives up after the attempts', async () => {
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    answers = [503];
    const t = Date.now();
    const res = await trigger('acknowledge');
    expect(Date.now() - t).toBeGreaterThanOrEqual(450);
    expect(res.body).toMatchObject({ delivered: true, status: 202, attempts: 2 });
    expect(deliveries.map((d) => d.body.eventId)).toEqual([`${REF}:ack`, `${REF}:ack`]);

    answers = [400];
    expect((await trigger('reject', { reason: 'x' })).body).toMatchObject({ delivered: false, status: 400, attempts: 1 });

    app = eventsApp({ callbackRetry: { attempts: 3, backoffMs: 10 } });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    answers = [500, 503, 502];
    expect((await trigger('acknowledge')).body).toMatchObject({ delivered: false, status: 502, attempts: 3 });
    expect((await request(app).get('/_stats')).body.routes['supplier-events']).toMatchObject({ calls: 1, effects: 0 });

    app = eventsApp({ callbackBaseUrl: 'http://127.0.0.1:9', callbackRetry: { attempts: 2, backoffMs: 10 } });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    const unreachable = await trigger('acknowledge');
    expect(unreachable.body).toMatchObject({ delivered: false, attempts: 2, error: expect.any(String) });
    expect(unreachable.body.status).toBeUndefined();
  });

  test('auto mode acknowledges, then receives in full, each new order with a replenishment', async () => {
    app = eventsApp({ autoAcknowledgeAfterMs: 20, autoReceiveAfterMs: 30 });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    await postPo('SUP-A', 'k1', ORDER).expect(200); // a duplicate schedules nothing more
    const { replenishmentId: _r, ...withoutReplenishment } = ORDER;
    await postPo('SUP-A', 'k2', { ...withoutReplenishment, purchaseOrderId: 'PO-2' }).expect(201);

    await until(() => deliveries.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(deliveries.map((d) => d.body)).toEqual([
      event({ eventId: `${REF}:ack`, type: 'acknowledged' }),
      event({
        eventId: `${REF}:receipt:1`,
        type: 'received',
        lines: [
          { sku: 'SKU-1', quantityReceived: 12 },
          { sku: 'SKU-2', quantityReceived: 5 },
        ],
      }),
    ]);
    expect(deliveries.every((d) => d.path === PATH && d.apiKey === 'demo-key-pos-gateway')).toBe(true);
  });

  test('auto mode skips cancelled orders, and a reset drops what is scheduled', async () => {
    app = eventsApp({ autoAcknowledgeAfterMs: 50, autoReceiveAfterMs: 10 });
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    await request(app).post(`/suppliers/SUP-A/purchase-orders/${REF}/cancel`).set('Idempotency-Key', 'c1').expect(200);
    await postPo('SUP-A', 'k2', { ...ORDER, purchaseOrderId: 'PO-2' }).expect(201);
    await request(app).post('/_reset').expect(204);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(deliveries).toEqual([]);

    app = eventsApp({ autoReceiveAfterMs: 10 }); // receipt only
    await postPo('SUP-A', 'k1', ORDER).expect(201);
    await until(() => deliveries.length >= 1);
    expect(deliveries.map((d) => d.body.eventId)).toEqual([`${REF}:receipt:1`]);
  });
});
