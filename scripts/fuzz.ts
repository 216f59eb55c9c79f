/**
 * `npm run fuzz`: requests generated from the API's OpenAPI document (fast-check), valid ones and
 * mutations, sent to the real API; every response checked against the document; at the end every
 * process the run started is closed or cancelled through the API and must close.
 *
 *   npm run fuzz                              10,000 requests against a system of its own (Temporal
 *                                             dev server, database retail_ops_fuzz, worker, API)
 *   npm run fuzz -- --requests 2000 --seed 7  a shorter or repeated run
 *   npm run fuzz -- --base-url http://127.0.0.1:3000
 *                                             an API already running (`npm start`'s); processes are
 *                                             checked through TEMPORAL_ADDRESS, data read through
 *                                             DATABASE_URL when they answer
 *
 * A run of 10,000 requests or more rewrites the fuzz section of docs/reliability.md. Exit 1 on any failure.
 */
import 'dotenv/config';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Client, Connection } from '@temporalio/client';
import { bold, dim, ensurePrerequisites, green, parseBenchOptions, red, UsageError } from './kit/bench';
import { DEMO_CALLERS, type FuzzContext } from './fuzz/context';
import { publish, RELIABILITY_DOC, summary } from './fuzz/report';
import { runFuzz } from './fuzz/run';
import { closeAgent, send } from './fuzz/send';
import { settle, type SettleReport } from './fuzz/settle';
import { REPO_ROOT } from './temporal-dev';

const USAGE = `Usage: npm run fuzz -- [--requests 10000] [--seed S] [--base-url URL] [--concurrency 8]`;
const FULL_RUN = 10_000;

const note = (msg: string) => process.stderr.write(`${dim('[fuzz]')} ${msg}\n`);

async function contextFromApi(baseUrl: string): Promise<FuzzContext> {
  const get = async (path: string) => {
    const res = await send(baseUrl, { method: 'GET', path, headers: { Authorization: 'Bearer demo-key-sam' } }, 15_000);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status} (are the demo principals there?)`);
    return JSON.parse(res.body.toString('utf8'));
  };
  const stores = (await get('/api/v1/stores')).items as { id: string; regionId: string }[];
  const products = (await get('/api/v1/products?limit=200')).items as { sku: string; price: number; category: string }[];
  return {
    callers: DEMO_CALLERS,
    refusedKeys: [],
    stores,
    readStoreIds: stores.map((s) => s.id),
    products: products.slice(0, 60),
    categories: [...new Set(products.map((p) => p.category))],
    appointmentIds: [],
    stylistIds: [],
    modelNames: ['demand-forecast'],
    unsubscribeTokens: [],
    segments: [{ tiers: ['PLATINUM'], storeIds: ['S001'] }],
    allow: { othersProcesses: true, modelRetrainingStarts: true, rollback: false, campaignApprovals: true },
  };
}

async function main(): Promise<number> {
  const { values, int } = parseBenchOptions(
    process.argv.slice(2),
    { requests: { type: 'string' }, seed: { type: 'string' }, 'base-url': { type: 'string' }, concurrency: { type: 'string' } },
    USAGE,
  );
  const requests = int('requests', FULL_RUN, 1, 10_000_000);
  const seed = int('seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31 - 1);
  const concurrency = int('concurrency', 8, 1, 256);
  const baseUrlFlag = values['base-url'] as string | undefined;

  let baseUrl: string;
  let ctx: FuzzContext;
  let client: Client | undefined;
  let closeInfra: (() => Promise<void>) | undefined;
  let closeConnection: (() => Promise<void>) | undefined;
  let mails: (() => number) | undefined;
  let apiLog: string | undefined;
  if (baseUrlFlag) {
    baseUrl = baseUrlFlag.replace(/\/$/, '');
    ctx = await contextFromApi(baseUrl);
    if (process.env.DATABASE_URL) {
      try {
        const { createDb } = await import('../platform/db');
        const { contextFromDb } = await import('./fuzz/seed-context');
        const db = createDb(process.env.DATABASE_URL, { max: 2 });
        ctx = { ...(await contextFromDb(db, { allow: { rollback: false } })) };
        await db.$disconnect();
      } catch (err) {
        note(`DATABASE_URL did not answer (${(err as Error).message}); context from the API only`);
      }
    }
    try {
      const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233', connectTimeout: 5_000 });
      client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
      closeConnection = () => connection.close();
    } catch (err) {
      note(`Temporal did not answer (${(err as Error).message}): started processes will not be checked`);
    }
  } else {
    ensurePrerequisites();
    const { startFuzzInfra } = await import('./fuzz/infra');
    const { contextFromDb } = await import('./fuzz/seed-context');
    const infra = await startFuzzInfra(note);
    closeInfra = infra.close;
    baseUrl = infra.baseUrl;
    client = infra.client;
    mails = infra.mailsAccepted;
    apiLog = infra.apiLog;
    note(`API errors are logged to ${infra.apiLog}`);
    ctx = await contextFromDb(infra.db, { refusedKeys: infra.refusedKeys, unsubscribeSecrets: infra.unsubscribeSecrets });
  }

  try {
    note(`${requests} requests, seed ${seed}, concurrency ${concurrency}, against ${baseUrl}`);
    const bar = new SingleBar(
      {
        format: ' {bar} {value}/{total} requests | {failures} failures | {eta_formatted} left',
        hideCursor: true,
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 15_000,
      },
      Presets.shades_classic,
    );
    bar.start(requests, 0, { failures: 0 });
    const result = await runFuzz({ baseUrl, ctx, requests, seed, concurrency, onResponse: (done, failures) => bar.update(done, { failures }) });
    bar.stop();

    let settled: SettleReport | undefined;
    if (client) {
      settled = await settle({
        client,
        baseUrl,
        systemKey: ctx.callers.find((c) => c.role === 'system')!.key,
        started: result.started,
        wholeNamespace: !baseUrlFlag,
        log: note,
      });
    }
    console.log(`\n${summary(result, settled)}`);
    if (result.failures.length) {
      const file = join(REPO_ROOT, '.data', 'logs', `fuzz-failures-${seed}.json`);
      writeFileSync(
        file,
        JSON.stringify(
          result.failures.map((f) => ({ ...f, request: { ...f.request, body: f.request.body?.toString('utf8').slice(0, 2000) } })),
          null,
          1,
        ),
      );
      note(`every failure: ${file}`);
    }
    if (mails) console.log(dim(`\nEmails the run's processes sent over SMTP: ${mails()}`));
    if (apiLog && existsSync(apiLog)) {
      const causes = new Map<string, number>();
      for (const line of readFileSync(apiLog, 'utf8').split('\n')) {
        if (!line.includes('unhandled error')) continue;
        const e = JSON.parse(line);
        const key = `${e.req?.method} ${String(e.req?.url).replace(/\/api\/v1\/([^/]+)\/[^/?]+/, '/api/v1/$1/{id}')}: ${e.err?.type}: ${e.err?.message}`;
        causes.set(key, (causes.get(key) ?? 0) + 1);
      }
      if (causes.size) console.log(`\nErrors behind the 500s (API log):\n${[...causes].map(([k, n]) => `  [${n}×] ${k}`).join('\n')}`);
    }

    const failed = result.failures.length > 0 || (settled ? settled.stuck.length + settled.notClosed.length > 0 : false);
    if (requests >= FULL_RUN) {
      const command = `npm run fuzz -- --requests ${requests} --seed ${seed} --concurrency ${concurrency}${baseUrlFlag ? ` --base-url ${baseUrlFlag}` : ''}`;
      publish(join(REPO_ROOT, RELIABILITY_DOC), result, settled, command);
      note(`${RELIABILITY_DOC}: fuzz section rewritten`);
    }
    console.log(failed ? red(bold('\nFuzz run FAILED.')) : green(bold('\nFuzz run passed: no failures.')));
    return failed ? 1 : 0;
  } finally {
    closeAgent();
    await closeConnection?.();
    if (closeInfra) {
      note('stopping the worker, API and Temporal dev server; dropping the database');
      await closeInfra();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`fuzz run failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
