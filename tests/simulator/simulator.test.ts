import type { Express } from 'express';
import request from 'supertest';
import { createSimulatorApp } from '../../simulator/app';

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
    expect(received.body).toEqual({ supplierId: 'SUP-A', supplierReference: 'SUP-A-SO-000001', ...PO, idempotencyKey: 'po-PO-1', receivedAt: FIXED.toISOString() });
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

    const malformed = await request(app).post('/suppliers/SUP-A/purchase-orders').set('Idempotency-Key', 'k4').set('Content-Type', 'application/json').send('{"purchaseOrderId":');
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
      pushId: 'push-1', channel: 'pos', storeId: 'S001', sku: 'SKU-1', price: 19.99, previousPrice: null, priceChangeId: 'pc-1', appliedAt: FIXED.toISOString(), duplicate: false,
    });
    expect((await request(app).get(POS)).body).toEqual({ channel: 'pos', storeId: 'S001', sku: 'SKU-1', price: 19.99, priceChangeId: 'pc-1', updatedAt: FIXED.toISOString() });

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
