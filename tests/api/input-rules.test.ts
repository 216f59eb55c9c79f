import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';
import { PROCESSES } from '../../api/app';
import { createApiServer } from '../../api/server';
import { createLogger } from '../../platform/logger';
import { createHarness, type Harness } from '../../scripts/kit/harness';
import { auth, expectProblem, fields } from '../support/api';
import { BusinessStatus, ProcessType } from '../../workflows/shared/search-attributes';

let h: Harness;
let server: Server;
let baseUrl: string;

const app = (extra: { rateLimitPerMinute?: number } = {}, pageTokenKey?: string) =>
  createApp({
    db: h.db,
    client: h.client,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    unsubscribeSecrets: h.unsubscribeSecrets,
    pageTokenKey,
    ...extra,
  });

beforeAll(async () => {
  h = await createHarness();
  server = createApiServer(app());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

const NUL = '\u0000';

describe('text that cannot be stored or mailed is refused at the door, naming the field', () => {
  test.each([
    ['a decision comment', 'post', '/api/v1/price-changes/price-change-x/decisions', { decision: 'reject', comment: `no${NUL}` }, 'body.comment'],
    ['a cancel reason', 'post', '/api/v1/campaigns/campaign-x/cancel', { reason: `stop${NUL}now` }, 'body.reason'],
    ['a retraining reason', 'post', '/api/v1/model-retrainings', { modelName: 'demand-forecast', reason: `x${NUL}` }, 'body.reason'],
    [
      'a campaign variant body (nested)',
      'post',
      '/api/v1/campaigns',
      { name: 'Spring', segment: { tiers: ['GOLD'] }, variants: [{ key: 'a', subject: 'Hi', body: `B\u0007` }] },
      'body.variants.0.body',
    ],
    ['a start body id', 'post', '/api/v1/appointment-recoveries', { appointmentId: `APT${NUL}1` }, 'body.appointmentId'],
    ['an unpaired surrogate', 'post', '/api/v1/price-changes', { sku: 'WA-0001', newPrice: 10, reason: 'x\uD800y' }, 'body.reason'],
    ['an object key', 'post', '/api/v1/price-changes', { sku: 'WA-0001', newPrice: 10, reason: 'ok', [`k${NUL}`]: 1 }, 'body.k?'],
  ])('%s', async (_label, _method, path, body, field) => {
    const res = await request(app()).post(path).set(auth('demo-key-morgan')).send(body);
    expectProblem(res, 400, 'validation-error');
    expect(fields(res)).toContain(field);
  });

  test.each([
    ['/api/v1/products/%00', 'path'],
    ['/api/v1/products/%C3%28', 'path'],
    ['/api/v1/products?q=%00', 'query.q'],
    ['/api/v1/products?q=%E0%A4%A', 'query.q'],
    ['/api/v1/price-changes?storeId=%01', 'query.storeId'],
    ['/api/v1/price-changes/%00', 'path'],
  ])('GET %s', async (url, field) => {
    const res = await request(app()).get(url).set(auth('demo-key-sam'));
    expectProblem(res, 400, 'validation-error');
    expect(fields(res)).toContain(field);
  });

  test('a string longer than any field allows and nesting deeper than any body needs are refused', async () => {
    const long = await request(app())
      .post('/api/v1/price-changes')
      .set(auth('demo-key-casey'))
      .send({ sku: 'WA-0001', newPrice: 10, reason: 'x'.repeat(30_000) });
    expectProblem(long, 400, 'validation-error');
    expect(fields(long)).toEqual(['body.reason']);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const nested = await request(app())
      .post('/api/v1/price-changes')
      .set(auth('demo-key-casey'))
      .send({ sku: 'WA-0001', newPrice: 10, reason: 'ok', extra: deep });
    expectProblem(nested, 400, 'validation-error');
    expect(nested.body.errors[0].code).toBe('too_deep');
  });

  test('an Idempotency-Key that is empty, too long or not visible ASCII is a 400', async () => {
    const res = await request(app())
      .post('/api/v1/model-retrainings')
      .set(auth('demo-key-devi'))
      .set('Idempotency-Key', 'k'.repeat(300))
      .send({ modelName: 'demand-forecast' });
    expectProblem(res, 400, 'validation-error');
    expect(fields(res)).toEqual(['header.Idempotency-Key']);
  });

  test('ordinary text passes: accents, emoji, tabs and line breaks', async () => {
    const res = await request(app())
      .get(`/api/v1/products?q=${encodeURIComponent('Blazer été 👗\tx\n')}`)
      .set(auth('demo-key-sam'));
    expect(res.status).toBe(200);
  });
});

describe('forged page tokens and ids', () => {
  test.each(['AAAA', 'not-base64!', '%00', 'A'.repeat(1500).slice(0, 40) + '...'])('pageToken=%s answers 400 at once', async (token) => {
    const started = Date.now();
    const res = await request(app())
      .get(`/api/v1/price-changes?pageToken=${encodeURIComponent(token)}`)
      .set(auth('demo-key-sam'));
    expectProblem(res, 400, 'validation-error');
    expect(fields(res)).toContain('query.pageToken');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a page token the API issued pages on; used with another filter it is refused', async () => {
    const tag = `paging-${Date.now().toString(36)}`;
    const ids = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
    for (const workflowId of ids) {
      await h.client.workflow.start('paging-probe', {
        taskQueue: `${tag}-nobody-polls`,
        workflowId,
        typedSearchAttributes: [
          { key: ProcessType, value: 'model_retraining' },
          { key: BusinessStatus, value: tag },
        ],
      });
    }
    const api = app({}, 'one installation key');
    try {
      const seen: string[] = [];
      let token: string | null = null;
      for (let page = 0; page < 50; page++) {
        const url: string = `/api/v1/model-retrainings?status=running&pageSize=1${token ? `&pageToken=${token}` : ''}`;
        const res = await request(api).get(url).set(auth('demo-key-sam'));
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        token = res.body.nextPageToken;
        if (!token || ids.every((id) => seen.includes(id))) break;
      }
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
      const first = await request(api).get('/api/v1/model-retrainings?status=running&pageSize=1').set(auth('demo-key-sam'));
      expect(first.body.nextPageToken).toEqual(expect.any(String));
      const otherInstance = await request(app({}, 'one installation key'))
        .get(`/api/v1/model-retrainings?status=running&pageSize=1&pageToken=${first.body.nextPageToken}`)
        .set(auth('demo-key-sam'));
      expect(otherInstance.status).toBe(200);
      const otherFilter = await request(api)
        .get(`/api/v1/model-retrainings?status=completed&pageSize=1&pageToken=${first.body.nextPageToken}`)
        .set(auth('demo-key-sam'));
      expectProblem(otherFilter, 400, 'validation-error');
    } finally {
      for (const id of ids)
        await h.client.workflow
          .getHandle(id)
          .terminate('paging test done')
          .catch(() => undefined);
    }
  });

  test('an ID no workflow could have is a 400 or 404 problem, never a 500', async () => {
    const res = await request(app())
      .get(`/api/v1/price-changes/${'x'.repeat(1200)}`)
      .set(auth('demo-key-sam'));
    expect([400, 404]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('HTTP-level refusals are problems too', () => {
  test('401 names the Bearer scheme; a wrong key says invalid_token', async () => {
    const none = await request(app()).get('/api/v1/stores');
    expectProblem(none, 401, 'unauthenticated');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="retail-ops"');
    const wrong = await request(app()).get('/api/v1/stores').set(auth('not-a-key'));
    expectProblem(wrong, 401, 'unauthenticated');
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="retail-ops", error="invalid_token"');
  });

  test('headers over 16 KB: 431 problem+json from the real server', async () => {
    const res = await fetch(`${baseUrl}/api/v1/stores`, { headers: { Authorization: 'Bearer demo-key-sam', 'X-Padding': 'p'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 431, type: 'https://retail-ops.dev/problems/headers-too-large' });
  });

  test('per-key rate limit: 429 problem with Retry-After, other keys unaffected', async () => {
    const limited = app({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await request(limited).get('/api/v1/stores').set(auth('demo-key-alex'))).status).toBe(200);
    const res = await request(limited).get('/api/v1/stores').set(auth('demo-key-alex'));
    expectProblem(res, 429, 'rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['ratelimit-policy']).toBeDefined();
    expect((await request(limited).get('/api/v1/stores').set(auth('demo-key-taylor'))).status).toBe(200);
  });
});

describe('the OpenAPI document lists what the API answers', () => {
  const doc = buildOpenApiDocument(PROCESSES) as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  };

  test('/unsubscribe/{token} and the document itself are documented', () => {
    expect(Object.keys(doc.paths['/unsubscribe/{token}'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/openapi.json']?.get).toBeDefined();
  });

  test('every operation documents 400, 413, 415 and 431; secured ones 401 and 429', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        for (const s of ['400', '413', '415', '431', '503']) expect([path, method, s, statuses.includes(s)]).toEqual([path, method, s, true]);
        if (op.security?.length) for (const s of ['401', '429']) expect([path, method, s, statuses.includes(s)]).toEqual([path, method, s, true]);
      }
    }
    expect(Object.keys(doc.paths['/api/v1/campaigns/{id}/cancel']!.post!.responses)).toContain('400');
  });
});
