/**
 * `npm run soak [-- --runs 1000 --minutes 12 | --short | --no-postgres-restart]`: the chaos soak.
 *
 * On infrastructure of its own (never `npm start`'s nor the tests'): a Temporal dev server on a free
 * port with its own SQLite file, a scratch database (retail_ops_soak, or retail_ops_soak_short_<pid>
 * for --short) migrated and seeded with the demo data, an SMTP server and the supplier / channel
 * simulator in this process, the real API (api/main.ts) and two workers (workers/main.ts) on one
 * task queue as child processes. It starts the runs over the API as upstream systems do, decides
 * their approvals as the demo principals, cancels some, and meanwhile SIGKILLs a worker every 10 s,
 * restarts the dev server once and Postgres once (not with --short or --no-postgres-restart), and
 * makes SMTP, the supplier ERP and the price channels fail for 30 s each. Then it drains and checks,
 * from SMTP, the simulator and Postgres, that nothing was lost or done twice; exit 1 on any breach.
 * A full run rewrites the soak section of docs/reliability.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { createSimulatorApp, type SimulatorState } from '../simulator/app';
import { ensurePrerequisites } from './kit/bench';
import { Chaos } from './soak/chaos';
import { describeRuns, runChecks } from './soak/checks';
import { Driver } from './soak/driver';
import { SoakApi } from './soak/http';
import { ApiProcess, DevServer, dropDatabase, findLocalCluster, freePort, prepareSoakDatabase, sleep, WorkerProcess } from './soak/infra';
import { buildWorkflowBundle } from './build-workflow-bundle';
import { parseSoakOptions, UsageError } from './soak/options';
import { buildRuns, prepareScenario, processCounts, PROCESSES } from './soak/plan';
import { printSummary, publishSection, soakSection } from './soak/report';
import { SoakSmtp } from './soak/smtp';
import { requireTemporalBinary, REPO_ROOT } from './temporal-dev';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const TASK_QUEUE = 'retail-ops-soak';
const say = (msg: string) => process.stdout.write(`[soak] ${msg}\n`);

function machine(pg: string): string {
  const cpu = cpus();
  let temporal = '?';
  try {
    temporal = execFileSync(requireTemporalBinary(), ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^temporal version /, '');
  } catch {
    /* unknown */
  }
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${pg}, Temporal CLI ${temporal}`;
}

async function main(): Promise<number> {
  const opts = parseSoakOptions(process.argv.slice(2));
  ensurePrerequisites();
  const startedAt = new Date();
  const t0 = Date.now();
  const soakId = `s${t0.toString(36)}`;
  const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const dbName = opts.short ? `retail_ops_soak_short_${process.pid}` : 'retail_ops_soak';
  const cleanups: (() => Promise<unknown>)[] = [];
  let failed = false;
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
    cleanups.length = 0;
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));

  try {
    say(`${opts.runs} runs over ${opts.minutes} min${opts.short ? ' (short)' : ''}; Postgres restart: ${opts.postgresRestart ? 'yes' : 'no'}`);
    const bin = requireTemporalBinary();
    const [temporalPort, apiPort] = [await freePort(), await freePort()];

    // The workflow bundle (built once, meanwhile), the database (fresh), then what the runs need in it.
    const bundleDir = mkdtempSync(join(tmpdir(), 'retail-ops-soak-bundle-'));
    cleanups.push(async () => rmSync(bundleDir, { recursive: true, force: true }));
    const bundleFile = join(bundleDir, 'workflow-bundle.js');
    const bundling = buildWorkflowBundle(bundleFile);
    bundling.catch(() => undefined);
    const databaseUrl = await prepareSoakDatabase(serverUrl, dbName, say);
    if (!opts.keep) cleanups.push(() => dropDatabase(serverUrl, dbName));
    const pg = new PgClient({ connectionString: databaseUrl, application_name: 'retail-ops-soak' });
    await pg.connect();
    const pgVersion = (await pg.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
    const counts = processCounts(opts.runs);
    const scenario = await prepareScenario(pg, counts);
    await pg.end();
    const specs = buildRuns(counts, scenario, soakId);
    say(`planned ${specs.length} runs: ${PROCESSES.map((p) => `${p} ${specs.filter((s) => s.process === p).length}`).join(', ')}`);

    // Temporal dev server with its own SQLite file.
    const devServer = new DevServer(bin, temporalPort);
    // Logs and the SQLite file stay after a failure, for a look.
    cleanups.push(() => devServer.stop(opts.keep || failed));
    await devServer.start();
    say(`Temporal dev server on ${devServer.address} (${devServer.dir})`);

    // SMTP and the simulator, in this process.
    const smtp = await new SoakSmtp().start();
    cleanups.push(() => smtp.stop());
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const simApp = createSimulatorApp({
      callbackBaseUrl: apiBase,
      callbackApiKey: 'demo-key-pos-gateway',
      autoAcknowledgeAfterMs: 300,
      autoReceiveAfterMs: 1_000,
      callbackRetry: { attempts: 10, backoffMs: 1_000, timeoutMs: 15_000 },
    });
    const simulator = simApp.locals.simulator as SimulatorState;
    // Some suppliers deliver each event twice: the API must book it once.
    simulator.addFault({ route: 'supplier-events', failTimes: 0, status: 503, delayMs: 0, failAfterEffect: false, duplicateDeliveries: 1, target: 'SUP-01' });
    const simServer: Server = await new Promise((r) => {
      const s = simApp.listen(0, '127.0.0.1', () => r(s));
    });
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          simServer.closeAllConnections();
          simServer.close(() => r());
        }),
    );
    const simUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;

    const logDir = devServer.dir;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_POOL: 'false',
      SUPPLIER_ERP_URL: simUrl,
      PRICE_CHANNELS_URL: simUrl,
      PUBLIC_BASE_URL: apiBase,
      APPOINTMENT_SCAN_ENABLED: 'false',
      REPLENISHMENT_SCHEDULES_ENABLED: 'false',
      MODEL_RETRAINING_SCHEDULES_ENABLED: 'false',
      UNSUBSCRIBE_SECRETS: randomBytes(24).toString('hex'),
      API_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    };
    const api = new ApiProcess(apiPort, env, join(logDir, 'api.log'));
    cleanups.push(() => api.stop());
    await api.start();
    say(`API on ${apiBase}; simulator on ${simUrl}; SMTP on 127.0.0.1:${smtp.port}; logs in ${logDir}`);

    // Workers log "worker started" at info: that line is how readiness is seen.
    await bundling;
    const workers = [1, 2].map(
      (i) => new WorkerProcess(`worker-${i}`, { ...env, LOG_LEVEL: 'info', WORKFLOW_BUNDLE_PATH: bundleFile }, join(logDir, `worker-${i}.log`)),
    );
    cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
    for (const w of workers) w.start();
    const readyBy = Date.now() + 180_000;
    while (!workers.every((w) => w.ready)) {
      if (Date.now() > readyBy) throw new Error(`workers not ready within 180 s (see ${logDir}/worker-*.log)`);
      await sleep(500);
    }
    say(`two workers polling ${TASK_QUEUE} (started in ${workers.map((w) => `${((w.readyAt! - w.startedAt) / 1000).toFixed(1)} s`).join(', ')})`);

    const connection = await Connection.connect({ address: devServer.address });
    const client = new TemporalClient({ connection, namespace: 'default' });
    cleanups.push(() => connection.close());

    const cluster = opts.postgresRestart ? await findLocalCluster(serverUrl) : undefined;
    if (opts.postgresRestart && !cluster) say('no local Postgres cluster serves DATABASE_URL: the Postgres restart is skipped');

    const http = new SoakApi(apiBase);
    const driver = new Driver(http, specs);
    const chaos = new Chaos({ workers, devServer, smtp, simulator, postgres: cluster ? { cluster, url: serverUrl } : undefined });
    const loadMs = opts.minutes * 60_000;
    const processQuery = `ProcessType IN (${['appointment_recovery', 'replenishment', 'price_change', 'campaign', 'model_retraining'].map((p) => `'${p}'`).join(', ')})`;
    let running = '?' as number | string;
    const countRunning = async () => {
      try {
        running = (await client.workflow.count(`${processQuery} AND ExecutionStatus = 'Running'`)).count;
      } catch {
        running = '?';
      }
    };
    const progressLine = (phase: string) =>
      say(
        `${phase} ${Math.round((Date.now() - t0) / 1000)}s | started ${driver.started}/${specs.length}${driver.refused ? ` (refused ${driver.refused})` : ''} | running ${running} | decisions ${driver.accepted.length} | kills ${chaos.workerKills} | emails ${smtp.received} | POs ${simulator.orders.size} | pushes ${simulator.pushes.length}${chaos.active.size ? ` | now: ${[...chaos.active].join(', ')}` : ''}`,
      );
    let phase = 'load';
    const ticker = setInterval(() => void countRunning().then(() => progressLine(phase)), 5_000);
    cleanups.push(async () => clearInterval(ticker));

    // How many runs are open: the last visibility count plus those started since it was taken.
    let openAtCount = 0;
    let startedAtCount = 0;
    const openPoll = setInterval(() => {
      const started = driver.started;
      void client.workflow
        .count(`${processQuery} AND ExecutionStatus = 'Running'`)
        .then((c) => {
          openAtCount = c.count;
          startedAtCount = started;
        })
        .catch(() => undefined);
    }, 3_000);
    cleanups.push(async () => clearInterval(openPoll));
    const deciding = driver.decideLoop();
    const chaosDone = chaos.run(loadMs);
    const startBy = opts.maxMinutes === null ? Number.POSITIVE_INFINITY : Date.now() + opts.maxMinutes * 60_000;
    await driver.startAll(loadMs, { concurrency: 8, maxOpen: opts.maxOpen, open: () => openAtCount + (driver.started - startedAtCount), startBy });
    if (driver.notStartedForTime > 0)
      say(`time budget for starting (--max-minutes ${opts.maxMinutes}) spent: ${driver.notStartedForTime} planned run(s) not started`);
    clearInterval(openPoll);
    // Worker kills go on until every run is started and the one-off faults are over.
    await sleep(100);
    await chaos.oneOffsDone;
    chaos.stop();
    await chaosDone;
    say(`load done: ${driver.started} runs started, ${driver.refused} refused; draining (up to ${opts.drainMinutes} min)`);

    // Drain: wait until every started run is closed (the deciders keep deciding meanwhile).
    phase = 'drain';
    const drainBy = Date.now() + opts.drainMinutes * 60_000;
    await driver.settle();
    // The visibility count while it is not zero (cheap), then each run described once.
    let outcomes = await describeRuns(client, driver);
    while (outcomes.some((o) => o.status === 'running') && Date.now() < drainBy) {
      // Described at least every minute, so campaigns held past the deadline are seen (and cancelled) early.
      for (const lookAt = Date.now() + 60_000; ;) {
        await sleep(10_000);
        await countRunning();
        if (running === 0 || Date.now() >= Math.min(drainBy, lookAt)) break;
      }
      outcomes = await describeRuns(client, driver);
      const held = outcomes.filter((o) => o.status === 'running' && o.process === 'campaigns' && o.stage === 'holding').map((o) => o.id);
      if (held.length && (await driver.cancelHeldCampaigns(held, drainBy)) > 0) continue;
      const open = outcomes.filter((o) => o.status === 'running');
      if (open.length)
        say(`drain: ${open.length} run(s) still open (${PROCESSES.map((p) => `${p} ${open.filter((o) => o.process === p).length}`).join(', ')})`);
    }
    clearInterval(ticker);
    driver.stop();
    chaos.stop();
    await deciding;

    const checkPg = await connectPg(databaseUrl);
    cleanups.push(() => checkPg.end());
    const report = await runChecks({ client, pg: checkPg, driver, smtp, simulator, outcomes });
    // A soak whose faults did not all happen proves less than it claims: that is a breach too.
    const missing = [
      chaos.workerKills < 1 && 'no worker was killed',
      chaos.devServerRestarts < 1 && 'the dev server was not restarted',
      opts.postgresRestart && cluster && chaos.postgresRestarts < 1 && 'Postgres was not restarted',
      chaos.smtpOutages < 1 && 'SMTP did not fail',
      chaos.supplierOutages < 1 && 'the supplier ERP did not fail',
      chaos.channelOutages < 1 && 'the price channels did not fail',
      ...chaos.failures,
    ].filter((m): m is string => typeof m === 'string');
    if (missing.length) report.breaches.push({ check: 'faults applied', process: 'all', ids: missing, detail: 'faults that did not happen' });
    if (driver.notStartedForTime === 0 && driver.started < Math.ceil(specs.length * 0.8)) {
      report.breaches.push({
        check: 'runs started',
        process: 'all',
        ids: [`${driver.started} of ${specs.length}`],
        detail: 'fewer than 80% of the planned runs started',
      });
    }
    const durationMs = Date.now() - t0;
    const summary = {
      command: `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      startedAt,
      durationMs,
      machine: machine(`PostgreSQL ${pgVersion}`),
      report,
      chaos,
      driver,
      workerStarts: workers.reduce((s, w) => s + w.starts, 0),
      workerCrashes: workers.flatMap((w) => w.unexpectedExits),
      apiRequests: http.requests,
      apiByStatusClass: http.byStatusClass,
    };
    printSummary(summary, (l) => process.stdout.write(`${l}\n`));
    say(`done in ${(durationMs / 60_000).toFixed(1)} min`);
    if (opts.publish) {
      publishSection(join(REPO_ROOT, 'docs', 'reliability.md'), soakSection(summary));
      say('docs/reliability.md: soak section rewritten');
    }
    failed = report.breaches.length > 0;
    return failed ? 1 : 0;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await cleanup();
  }
}

async function connectPg(url: string): Promise<PgClient> {
  const pg = new PgClient({ connectionString: url, application_name: 'retail-ops-soak-checks' });
  await pg.connect();
  return pg;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error('[soak] failed:', err);
    process.exit(1);
  },
);
