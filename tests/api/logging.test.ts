import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createHarness, type Harness } from '../../scripts/kit/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

test('request logs carry the request but never the API key', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = createApp({
    db: h.db,
    client: h.client,
    taskQueue: h.taskQueue,
    unsubscribeSecrets: h.unsubscribeSecrets,
    logger: pino({ level: 'info' }, sink),
  });
  await request(app).get('/api/v1/stores').set('Authorization', 'Bearer demo-key-sam').set('X-Api-Key', 'demo-key-sam').set('X-Request-Id', 'log-test-1');
  await request(app).get('/api/v1/stores').set('Authorization', 'Bearer not-a-real-key');
  const log = lines.join('');
  expect(log).toContain('log-test-1');
  expect(log).toContain('/api/v1/stores');
  expect(log).toContain('[redacted]');
  expect(log).not.toContain('demo-key-sam');
  expect(log).not.toContain('not-a-real-key');
});
