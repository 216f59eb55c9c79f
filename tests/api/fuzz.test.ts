/**
 * The fuzz run of `npm run fuzz`, seeded and short (1,000 requests): the same generator and checks
 * against the real API on a real port, with the harness's dev server, database and worker. The
 * dev server and database are shared with the other suites, so the run starts its processes in a
 * store of its own and addresses only processes it started itself (no deciding another suite's
 * approvals), and does not start retrainings, roll models back or approve campaigns.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiServer } from '../../api/server';
import pino from 'pino';
import { DEMO_CALLERS, type Caller } from '../../scripts/fuzz/context';
import { distinctFailures, summary } from '../../scripts/fuzz/report';
import { reproduction, runFuzz } from '../../scripts/fuzz/run';
import { closeAgent } from '../../scripts/fuzz/send';
import { settle } from '../../scripts/fuzz/settle';
import { contextFromDb, createRefusedKeys } from '../../scripts/fuzz/seed-context';
import { createStoreScenario } from '../../scripts/kit/fixtures';
import { createHarness, type Harness } from '../../scripts/kit/harness';

const REQUESTS = 1_000;
const SEED = 13_013;

let h: Harness;
let server: Server;
let baseUrl: string;
/** What the API logged at error level: the causes of any 500. */
const apiErrors: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
  const app = createApp({
    db: h.db,
    client: h.client,
    taskQueue: h.taskQueue,
    logger: pino({ level: 'error' }, { write: (line: string) => void apiErrors.push(line) }),
    unsubscribeSecrets: h.unsubscribeSecrets,
  });
  server = createApiServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  closeAgent();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

test(`${REQUESTS} generated requests: no 5xx, 4xx problem+json, every status and body as documented, nothing left running`, async () => {
  const s = await createStoreScenario(h.db);
  const fixtureCallers: Caller[] = [
    {
      id: s.managers.primary.id,
      key: s.managers.primary.apiKey,
      role: 'store_manager',
      allScopes: false,
      storeIds: [s.storeId],
      regionIds: [],
      categories: [],
    },
    {
      id: s.managers.secondary.id,
      key: s.managers.secondary.apiKey,
      role: 'store_manager',
      allScopes: false,
      storeIds: [s.storeId],
      regionIds: [],
      categories: [],
    },
    {
      id: s.managers.regional.id,
      key: s.managers.regional.apiKey,
      role: 'regional_manager',
      allScopes: false,
      storeIds: [],
      regionIds: [s.regionId],
      categories: [],
    },
  ];
  const skus = (await h.db.product.findMany({ where: { sku: { startsWith: `SKU-${s.suffix}-` } }, select: { sku: true } })).map((p) => p.sku);
  const ctx = await contextFromDb(h.db, {
    callers: [...DEMO_CALLERS, ...fixtureCallers],
    refusedKeys: await createRefusedKeys(h.db),
    startStoreIds: [s.storeId],
    appointmentIds: [s.appointmentId],
    skus,
    segments: [{ storeIds: [s.storeId] }],
    unsubscribeSecrets: h.unsubscribeSecrets,
    allow: { othersProcesses: false, modelRetrainingStarts: false, rollback: false, campaignApprovals: false },
  });

  const result = await runFuzz({ baseUrl, ctx, requests: REQUESTS, seed: SEED, concurrency: 12 });
  const settled = await settle({ client: h.client, baseUrl, systemKey: 'demo-key-pos-gateway', started: result.started, closeTimeoutMs: 60_000 });
  process.stdout.write(`\n${summary(result, settled)}\n`);
  const unhandled = apiErrors.map((l) => JSON.parse(l)).filter((e) => e.msg === 'unhandled error');
  if (unhandled.length)
    process.stdout.write(
      `\nAPI errors behind the 500s:\n${unhandled.map((e) => `  ${e.req?.method} ${e.req?.url}: ${e.err?.type}: ${e.err?.message}`).join('\n')}\n`,
    );

  expect(result.requests).toBe(REQUESTS);
  // Every operation of the document was exercised, and valid requests reached real processes.
  expect(result.operations.filter((op) => !result.byEndpoint.has(op.key)).map((op) => op.key)).toEqual([]);
  expect(result.started.size).toBeGreaterThan(0);
  expect(distinctFailures(result.failures).map((d) => `[${d.count}x] ${d.key}\n    ${reproduction(d.example.request)}`)).toEqual([]);
  expect(settled.stuck.map((r) => r.workflowId)).toEqual([]);
  expect(settled.notClosed.map((r) => r.workflowId)).toEqual([]);
}, 300_000);
