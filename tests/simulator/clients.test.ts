import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { createChannelPriceClient } from '../../activities/price-change/channel-prices';
import { ExternalSystemError } from '../../activities/shared/http';
import { createSupplierErpClient } from '../../activities/replenishment/supplier-erp';
import { createSimulatorApp } from '../../simulator/app';

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const app = createSimulatorApp();
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  await request(server).post('/_reset').expect(204);
});

const fault = (body: object) => request(server).post('/_faults').send(body).expect(201);
const ORDER = { purchaseOrderId: 'PO-7', storeId: 'S001', lines: [{ sku: 'SKU-1', quantity: 24, unitCost: 3.25 }] };

async function failure(p: Promise<unknown>): Promise<ExternalSystemError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalSystemError);
  return err as ExternalSystemError;
}

describe('supplier ERP client', () => {
  test('submits once; a repeat with the same key returns the same reference', async () => {
    const erp = createSupplierErpClient(baseUrl);
    const first = await erp.submitPurchaseOrder('SUP/1', ORDER, 'po-PO-7');
    expect(first).toEqual({ supplierReference: expect.any(String), receivedAt: expect.any(String), duplicate: false });
    const again = await erp.submitPurchaseOrder('SUP/1', ORDER, 'po-PO-7');
    expect(again).toEqual({ ...first, duplicate: true });

    expect(await erp.getPurchaseOrder('SUP/1', first.supplierReference)).toEqual({
      supplierId: 'SUP/1',
      supplierReference: first.supplierReference,
      receivedAt: first.receivedAt,
      status: 'open',
      ...ORDER,
    });
    expect(await erp.getPurchaseOrder('SUP/1', 'NOPE')).toBeNull();
    expect((await request(server).get('/_stats')).body.suppliers).toEqual({ 'SUP/1': { ordersReceived: 1 } });
  });

  test('sends the replenishmentId, which is part of what the key stands for', async () => {
    const erp = createSupplierErpClient(baseUrl);
    const order = { ...ORDER, replenishmentId: 'replenishment-S001-7' };
    const { supplierReference } = await erp.submitPurchaseOrder('SUP-1', order, 'po-PO-7');
    expect(await erp.getPurchaseOrder('SUP-1', supplierReference)).toMatchObject({ replenishmentId: 'replenishment-S001-7' });
    expect(await failure(erp.submitPurchaseOrder('SUP-1', ORDER, 'po-PO-7'))).toMatchObject({ retryable: false, status: 409 });
  });

  test('cancels an order, idempotently; an unknown order is a non-retryable 404; faults are retryable', async () => {
    const erp = createSupplierErpClient(baseUrl);
    const { supplierReference } = await erp.submitPurchaseOrder('SUP/1', ORDER, 'po-PO-7');
    const cancelled = await erp.cancelPurchaseOrder('SUP/1', supplierReference, 'cancel-PO-7');
    expect(cancelled).toEqual({ supplierReference, cancelledAt: expect.any(String) });
    expect(await erp.cancelPurchaseOrder('SUP/1', supplierReference, 'cancel-PO-7')).toEqual(cancelled);
    expect(await erp.getPurchaseOrder('SUP/1', supplierReference)).toMatchObject({ status: 'cancelled', cancelledAt: cancelled.cancelledAt });

    expect(await failure(erp.cancelPurchaseOrder('SUP/1', 'NOPE', 'cancel-x'))).toMatchObject({ retryable: false, status: 404, system: 'supplier-erp' });
    await fault({ route: 'supplier-po', target: 'SUP/1', failTimes: 1 });
    expect(await failure(erp.cancelPurchaseOrder('SUP/1', supplierReference, 'cancel-PO-7'))).toMatchObject({ retryable: true, status: 503 });
  });

  test('503 is a retryable error; the next attempt succeeds', async () => {
    await fault({ route: 'supplier-po', target: 'SUP-1', failTimes: 1 });
    const erp = createSupplierErpClient(baseUrl);
    const err = await failure(erp.submitPurchaseOrder('SUP-1', ORDER, 'k'));
    expect(err).toMatchObject({ retryable: true, status: 503, kind: 'http', system: 'supplier-erp' });
    expect(err.message).toMatch(/503/);
    expect((await erp.submitPurchaseOrder('SUP-1', ORDER, 'k')).duplicate).toBe(false);
  });

  test('400 and 409 are not retryable; 429 is', async () => {
    const erp = createSupplierErpClient(baseUrl);
    const bad = await failure(erp.submitPurchaseOrder('SUP-1', { ...ORDER, lines: [{ sku: 'SKU-1', quantity: 0, unitCost: 1 }] }, 'k'));
    expect(bad).toMatchObject({ retryable: false, status: 400 });
    await erp.submitPurchaseOrder('SUP-1', ORDER, 'k2');
    const conflict = await failure(erp.submitPurchaseOrder('SUP-1', { ...ORDER, storeId: 'S002' }, 'k2'));
    expect(conflict).toMatchObject({ retryable: false, status: 409 });
    await fault({ route: 'supplier-po', failTimes: 1, status: 429 });
    expect(await failure(erp.submitPurchaseOrder('SUP-1', ORDER, 'k3'))).toMatchObject({ retryable: true, status: 429 });
  });

  test('no answer within the timeout is a retryable timeout error', async () => {
    await fault({ route: 'supplier-po', delayMs: 1_000 });
    const erp = createSupplierErpClient(baseUrl, { timeoutMs: 100 });
    const t = Date.now();
    const err = await failure(erp.submitPurchaseOrder('SUP-1', ORDER, 'k'));
    expect(Date.now() - t).toBeLessThan(900);
    expect(err).toMatchObject({ retryable: true, kind: 'timeout' });
    expect(err.status).toBeUndefined();
  });

  test('nothing listening is a retryable network error', async () => {
    const dead = createSupplierErpClient('http://127.0.0.1:9', { timeoutMs: 2_000 });
    const err = await failure(dead.submitPurchaseOrder('SUP-1', ORDER, 'k'));
    expect(err).toMatchObject({ retryable: true, kind: 'network' });
  });
});

describe('channel price client', () => {
  test('pushes to POS and e-commerce, idempotently; reads the current price', async () => {
    const prices = createChannelPriceClient(baseUrl);
    const pos = { channel: 'pos', storeId: 'S001' } as const;
    expect(await prices.getPrice(pos, 'SKU-1')).toBeNull();
    const pushed = await prices.pushPrice(pos, 'SKU-1', { price: 12.5, priceChangeId: 'pc-1' }, 'pc-1:pos:S001');
    expect(pushed).toMatchObject({ channel: 'pos', storeId: 'S001', sku: 'SKU-1', price: 12.5, previousPrice: null, duplicate: false });
    expect(await prices.pushPrice(pos, 'SKU-1', { price: 12.5, priceChangeId: 'pc-1' }, 'pc-1:pos:S001')).toEqual({ ...pushed, duplicate: true });
    expect(await prices.getPrice(pos, 'SKU-1')).toMatchObject({ price: 12.5, priceChangeId: 'pc-1' });

    const web = await prices.pushPrice({ channel: 'ecommerce' }, 'SKU-1', { price: 12.0, priceChangeId: 'pc-1' }, 'pc-1:web');
    expect(web).toMatchObject({ channel: 'ecommerce', price: 12, duplicate: false });
    expect((await request(server).get('/_stats')).body.pricePushes).toBe(2);
  });

  test('failures carry retryability', async () => {
    const prices = createChannelPriceClient(baseUrl, { timeoutMs: 100 });
    await fault({ route: 'pos-price', target: 'S002', failTimes: 1 });
    expect(await failure(prices.pushPrice({ channel: 'pos', storeId: 'S002' }, 'SKU-1', { price: 5, priceChangeId: 'pc-1' }, 'k'))).toMatchObject({
      retryable: true,
      status: 503,
      system: 'channel-prices',
    });
    expect(await failure(prices.pushPrice({ channel: 'ecommerce' }, 'SKU-1', { price: -5, priceChangeId: 'pc-1' }, 'k'))).toMatchObject({
      retryable: false,
      status: 400,
    });
    await fault({ route: 'ecommerce-price', delayMs: 1_000 });
    expect(await failure(prices.pushPrice({ channel: 'ecommerce' }, 'SKU-1', { price: 5, priceChangeId: 'pc-1' }, 'k'))).toMatchObject({
      retryable: true,
      kind: 'timeout',
    });
  });
});
