/**
 * `npm run bench:campaign [-- --recipients 20000 --batch-size 500 --rate 10000 --smtp-rate 10000 --connections 5 --baseline 3000]`
 *
 * Benchmark of campaign dispatch (issues 5 and 16): one campaign to --recipients generated
 * customers, all consenting and never mailed before (so the frequency cap does not bite), spread
 * over four time zones, with quiet hours switched off ({ startHour: 0, endHour: 0 }) so nobody is
 * held. The workflow runs as in production: audience snapshot, approval by a marketing manager (a
 * workflow Update), then sendCampaignBatch activities of --batch-size recipients, the campaign's own
 * rate --rate a second and the worker's SMTP budget --smtp-rate (defaults high enough not to bind:
 * what is measured is how fast the product can send), claim-then-send in chunks over a pooled
 * transport of --connections connections, continue-as-new after the workflow's batch count
 * (default 200) or when the server suggests it.
 *
 * Every message crosses SMTP to a server in this process that counts what it accepted per envelope
 * recipient and per Message-ID: duplicates are recipients that received more than one message of the
 * campaign (must be 0; exit status 1 otherwise). Cross-checked against the CampaignSend rows.
 *
 * Baseline, same run, same SMTP server: nodemailer alone, with the worker's pooled transport
 * (platform/mailer.ts, --connections connections) kept busy by a plain loop of as many messages in
 * flight as it has connections, --baseline copies of the campaign's email as one recipient gets it
 * (text and HTML parts, picks, unsubscribe link), once before the campaign and once after: the
 * faster of the two is the baseline (the load of a shared machine moves). Target: the workflow at 0.8x of it or more,
 * and 1,000 emails/s or more to the in-process server. For reference, a loop over a transport
 * without a pool (one connection per message, SMTP_POOL=false). Printed: emails/s through the
 * workflow and its ratio to the baseline, approval → first email, total seconds, the number of
 * workflow runs (continue-as-new chain, cross-checked in visibility) and the largest run's history
 * (events, bytes); with BENCH_RESULTS_FILE set (npm run bench), the figures are recorded too.
 *
 * Self-contained like bench:pricing: its own Temporal dev server on a free port and a scratch
 * database `retail_ops_bench_campaign` (dropped at the end), the worker in process (production
 * settings: platform/config.ts's defaults for the Prisma pool and the worker options).
 */
import { workerTuning } from '../platform/worker-options';
import { startTracing } from '../platform/tracing';
import { workflowWorkerOptions } from '../platform/worker-interceptors';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { startCpuProfile } from './kit/cpu-profile';
import { cpuComparison, CpuSampler } from './kit/cpu-sampler';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Presets, SingleBar } from 'cli-progress';
import type { Transporter } from 'nodemailer';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { Principal } from '../domain/approval';
import { codeVersion } from '../platform/code-version';
import { configSchema, DEFAULT_COMPANY_POSTAL_ADDRESS } from '../platform/config';
import { renderCampaignEmail, renderTemplate } from '../activities/campaign/sends';
import type { Db } from '../platform/db';
import type { TestInfra } from './kit/infra';
import type { Harness } from './kit/harness';
import type { CampaignDispatchInput, CampaignState } from '../workflows/campaign/messages';
import {
  bold,
  dim,
  ensurePrerequisites,
  green,
  mapLimit,
  note,
  now,
  parseBenchOptions,
  recordBenchResult,
  red,
  secs,
  UsageError,
  type BenchFigure,
} from './kit/bench';

const BENCH_DATABASE = 'retail_ops_bench_campaign';
const cpu = new CpuSampler({ database: BENCH_DATABASE });
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const RECIPIENT_DOMAIN = 'bench.retail-ops.test';
const BASELINE_DOMAIN = 'baseline.retail-ops.test';
const MAIL_FROM = 'Retail Ops <no-reply@retail-ops.test>';
const PUBLIC_BASE_URL = 'http://retail-ops.test';
/** The settings workers/main.ts runs with when nothing is configured. */
const PRODUCTION = configSchema.parse({});
/** Campaign emails per second to the in-process SMTP server the issue asks for (no baseline: an absolute figure). */
const TARGET_EMAILS_PER_SECOND = 1_000;
/** The workflow's emails/s against nodemailer alone with the same pooled transport. */
const TARGET_RATIO = 0.8;
const TIME_ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Tokyo'];
const POLL_MS = 1000;

const USAGE = `Usage: npm run bench:campaign -- [--recipients 20000] [--batch-size 500] [--rate 10000] [--smtp-rate 10000] [--connections 5] [--baseline 3000]
  --recipients  generated customers the campaign is sent to (default 20000)
  --batch-size  recipients per sendCampaignBatch activity (default 500, at most 5000)
  --rate        ratePerSecond of the campaign, its own cap (default 10000, i.e. not binding; 0 = none)
  --smtp-rate   the worker's SMTP budget, every campaign together (SMTP_SEND_RATE_PER_SECOND; default 10000,
                i.e. not binding; production's default is ${PRODUCTION.SMTP_SEND_RATE_PER_SECOND}; 0 = none)
  --connections SMTP connections of the worker's pool and of the baseline's (SMTP_MAX_CONNECTIONS, default ${PRODUCTION.SMTP_MAX_CONNECTIONS})
  --baseline    messages of each plain nodemailer loop (default 3000)
  --greeting-delay  ms the SMTP server waits before its 220 greeting on each connection (default 0;
                smtp-server and so MailDev wait 100 ms to catch early talkers: 100 reproduces that)`;

interface Options {
  recipients: number;
  batchSize: number;
  rate: number;
  smtpRate: number;
  connections: number;
  baseline: number;
  greetingDelay: number;
}

function parseOptions(argv: string[]): Options {
  const { int } = parseBenchOptions(
    argv,
    {
      recipients: { type: 'string', short: 'n' },
      'batch-size': { type: 'string' },
      rate: { type: 'string' },
      'smtp-rate': { type: 'string' },
      connections: { type: 'string' },
      baseline: { type: 'string' },
      'greeting-delay': { type: 'string' },
    },
    USAGE,
  );
  return {
    recipients: int('recipients', 20_000, 1, 2_000_000),
    batchSize: int('batch-size', 500, 1, 5_000),
    rate: int('rate', 10_000, 0, 1_000_000),
    smtpRate: int('smtp-rate', 10_000, 0, 100_000),
    connections: int('connections', PRODUCTION.SMTP_MAX_CONNECTIONS, 1, 50),
    baseline: int('baseline', 3_000, 1, 100_000),
    greetingDelay: int('greeting-delay', 0, 0, 10_000),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => n.toLocaleString('en-US');
const kb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024).toFixed(1)} KiB`);

// ---------------------------------------------------------------------------------------------
// The SMTP server: counts what it accepted, without keeping the messages

interface Accepted {
  recipients: string[];
  messageId: string | undefined;
  key: string | undefined;
  at: number;
}

/** Header value (unfolded, trimmed) of the first header named `name` in a raw header block. */
function header(head: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head.replace(/\r?\n[ \t]+/g, ' '));
  return m?.[1]?.trim();
}

/**
 * smtp-server holds every new connection 100 ms before its greeting (to catch clients that talk
 * too soon; not configurable). The worker's transport opens a connection per message, so that
 * delay alone would cap a sender at about 10 emails/s and hide everything else. The bench's server
 * greets after `ms` instead: SMTPConnection.init as in smtp-server 3.21, with the delay as a
 * parameter. Returns false (and changes nothing) when the library's internals are not the expected ones.
 */
function setGreetingDelay(ms: number): boolean {
  type Internals = {
    init(): void;
    connectionReady(): void;
    _setListeners(cb: () => void): void;
    send(code: number, message: string, final: boolean): void;
    name: string;
    _server: { options: { maxClients?: number }; connections: Set<unknown> };
  };
  const proto = SMTPConnection.prototype as unknown as Internals;
  if (typeof proto._setListeners !== 'function' || typeof proto.connectionReady !== 'function') return false;
  proto.init = function (this: Internals) {
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      setTimeout(() => this.connectionReady(), ms).unref();
    });
  };
  return true;
}

class SmtpCounter {
  port = 0;
  accepted = 0;
  /** Called for every accepted message (after the server answered 250). */
  onAccepted: (m: Accepted) => void = () => undefined;
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // The reference loop without a pool opens a connection per message.
      maxClients: Infinity,
      disableReverseLookup: true,
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        let head = '';
        let inHead = true;
        stream.on('data', (chunk: Buffer) => {
          if (!inHead) return;
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0) {
            head = head.slice(0, end);
            inHead = false;
          } else if (head.length > 256 * 1024) inHead = false;
        });
        stream.on('end', () => {
          this.accepted += 1;
          this.onAccepted({
            recipients: session.envelope.rcptTo.map((a) => a.address.toLowerCase()),
            messageId: header(head, 'Message-ID'),
            key: header(head, 'X-Retail-Ops-Key'),
            at: now(),
          });
          callback();
        });
        stream.on('error', (err: Error) => callback(err));
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What crossed SMTP for the campaign: messages per recipient and per Message-ID. */
class CampaignTally {
  messages = 0;
  readonly perRecipient = new Map<string, number>();
  readonly perMessageId = new Map<string, number>();
  firstAt: number | undefined;
  lastAt: number | undefined;
  /** Messages with the campaign's key to an address outside the generated audience. */
  strays = 0;
  constructor(private readonly keyPrefix: string) {}

  add(m: Accepted): boolean {
    if (!m.key?.startsWith(this.keyPrefix)) return false;
    this.messages += 1;
    this.firstAt ??= m.at;
    this.lastAt = m.at;
    for (const r of m.recipients) {
      if (!r.endsWith(`@${RECIPIENT_DOMAIN}`)) this.strays += 1;
      this.perRecipient.set(r, (this.perRecipient.get(r) ?? 0) + 1);
    }
    const id = m.messageId ?? '(none)';
    this.perMessageId.set(id, (this.perMessageId.get(id) ?? 0) + 1);
    return true;
  }

  duplicateRecipients(): [string, number][] {
    return [...this.perRecipient].filter(([, c]) => c > 1);
  }

  duplicateMessageIds(): [string, number][] {
    return [...this.perMessageId].filter(([, c]) => c > 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Everything started, torn down once (on success, failure or a signal)

interface Resources {
  infra?: Promise<TestInfra>;
  harness?: Harness;
  workerDb?: Db;
  worker?: { stop(): Promise<void> };
  transports: Transporter[];
  smtp?: SmtpCounter;
  bar?: SingleBar;
  keepLog: boolean;
}
const res: Resources = { transports: [], keepLog: true };
let interrupted = false;
let teardownPromise: Promise<void> | undefined;

class Interrupted extends Error {}

function teardown(): Promise<void> {
  teardownPromise ??= (async () => {
    res.bar?.stop();
    res.bar = undefined;
    const step = async (what: string, fn: () => Promise<unknown>, ms = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              note(`${what} did not finish within ${secs(ms)}; going on`);
              resolve();
            }, ms);
          }),
        ]);
      } catch (err) {
        note(`${what}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    const t = now();
    if (res.worker) await step('stopping the worker', () => res.worker!.stop(), 60_000);
    for (const tr of res.transports) tr.close();
    if (res.workerDb) await step('closing the worker database pool', () => res.workerDb!.$disconnect());
    if (res.smtp) await step('stopping the SMTP server', () => res.smtp!.stop(), 10_000);
    if (res.harness) await step('closing the harness', () => res.harness!.close());
    if (res.infra) {
      const infra = await res.infra.catch(() => undefined);
      if (infra) {
        if (res.keepLog && infra.logFile) note(`Temporal dev server log kept: ${infra.logFile}`);
        const { stopTestInfra } = await import('./kit/infra');
        await step(
          'stopping the Temporal dev server and dropping the database',
          () => stopTestInfra({ ...infra, removeLogAtTeardown: res.keepLog ? undefined : infra.logFile }),
          60_000,
        );
      }
    }
    note(`torn down (${secs(now() - t)})`);
  })();
  return teardownPromise;
}

function onSignal(signal: NodeJS.Signals) {
  if (interrupted) {
    process.stderr.write(`\n${signal} again: exiting without finishing the teardown (the Temporal server's watchdog ends it)\n`);
    process.exit(130);
  }
  interrupted = true;
  res.keepLog = false;
  res.bar?.stop();
  res.bar = undefined;
  process.stderr.write(`\n${signal}: interrupted, tearing down (${signal} again to exit at once)\n`);
  void teardown().finally(() => process.exit(130));
}

function checkInterrupted(): void {
  if (interrupted) throw new Interrupted('interrupted');
}

// ---------------------------------------------------------------------------------------------
// Baseline: plain nodemailer over the same SMTP server

interface Rate {
  n: number;
  ms: number;
  perSecond: number;
  /** Epoch ms, for the CPU sampler. */
  window: { from: number; to: number };
  /** How busy this process's main thread (SMTP client and server, activities) was, 0..1. */
  mainThreadBusy: number;
}

/** Starts timing a phase: its window in epoch ms and its main thread's event-loop utilisation. */
function phaseClock(): () => { window: { from: number; to: number }; mainThreadBusy: number } {
  // Samples at both ends: a baseline loop lasts about a second, a few of the sampler's intervals.
  const from = Date.now();
  cpu.take();
  const elu = performance.eventLoopUtilization();
  return () => {
    const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
    const to = Date.now();
    cpu.take();
    return { window: { from, to }, mainThreadBusy };
  };
}

/** `n` messages through `transport`, `inFlight` at a time (as many as a pool has connections keeps it busy). */
/** The campaign's email as one recipient gets it (text and HTML parts, three picks, an unsubscribe link): what the baselines send. */
function sampleEmail(variant: { subject: string; body: string }): { subject: string; text: string; html: string; link: string } {
  const link = `${PUBLIC_BASE_URL}/unsubscribe/${'x'.repeat(180)}`;
  const picks = [
    { name: 'Odette & Co Essential Pleated Midi Skirt', priceCents: 5895 },
    { name: 'Odette & Co Structured Cotton Shirt', priceCents: 6895 },
    { name: 'Odette & Co Cropped Pebbled Leather Tote', priceCents: 12795 },
  ];
  const values = {
    firstName: 'Bench',
    tier: 'Gold',
    unsubscribeUrl: link,
    productPicks: picks.map((p) => `- ${p.name}, $${(p.priceCents / 100).toFixed(2)}`).join('\n'),
  };
  const subject = renderTemplate(variant.subject, values);
  return { subject, link, ...renderCampaignEmail(variant.body, values, picks, { subject, postalAddress: DEFAULT_COMPANY_POSTAL_ADDRESS }) };
}

/**
 * CPU per email by process, and how busy the bench's main thread was (it carries the SMTP client,
 * the SMTP server and the activities), through the workflow against the baseline loop.
 */
function cpuNotes(wf: { n: number; window: { from: number; to: number }; mainThreadBusy: number }, base: Rate): string[] {
  return cpuComparison(cpu, [
    { label: 'email through the workflow', units: wf.n, window: wf.window, mainThreadBusy: wf.mainThreadBusy },
    { label: 'email in the baseline loop', units: base.n, window: base.window, mainThreadBusy: base.mainThreadBusy },
  ]);
}

async function baselineLoop(
  transport: Transporter,
  email: ReturnType<typeof sampleEmail>,
  n: number,
  label: string,
  tag: string,
  inFlight: number,
): Promise<Rate> {
  const { link } = email;
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: `  ${label.padEnd(28)} {bar} {value}/{total} | {duration}s`, hideCursor: true, stream: process.stderr }, Presets.shades_classic)
    : undefined;
  res.bar = bar;
  bar?.start(n, 0);
  const clock = phaseClock();
  const t0 = now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    inFlight,
    async (i) => {
      const to = `${tag}-${i}@${BASELINE_DOMAIN}`;
      await transport.sendMail({
        from: MAIL_FROM,
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${tag}-${i}@retail-ops.local>`,
        headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Retail-Ops-Key': `baseline:${tag}:${i}` },
      });
      bar?.increment();
    },
    () => interrupted,
  );
  checkInterrupted();
  const ms = now() - t0;
  bar?.stop();
  res.bar = undefined;
  return { n, ms, perSecond: n / (ms / 1000), ...clock() };
}

// ---------------------------------------------------------------------------------------------

interface RunInfo {
  runId: string;
  status: string;
  events: number;
  bytes: number | undefined;
  batches: number;
  /** Largest activity result or workflow input payload in the run, bytes. */
  largestPayload: number;
  /** The first workflow task the server started with a continue-as-new suggestion: event, history size then, why. */
  suggested?: { eventId: number; historySizeBytes: number; reasons: string[] };
}

const SUGGEST_REASONS: Record<number, string> = { 1: 'history size', 2: 'event count', 3: 'updates' };

/** One run's history: length and size as the server reports them, its batches, the run it continued as. */
async function describeRun(client: Client, workflowId: string, runId: string): Promise<RunInfo & { next: string | undefined }> {
  const rh = client.workflow.getHandle(workflowId, runId);
  const [d, hist] = await Promise.all([rh.describe(), rh.fetchHistory()]);
  const events = hist.events ?? [];
  let largestPayload = 0;
  let batches = 0;
  let suggested: RunInfo['suggested'];
  for (const e of events) {
    const wts = e.workflowTaskStartedEventAttributes;
    if (!suggested && wts?.suggestContinueAsNew) {
      suggested = {
        eventId: Number(e.eventId ?? 0),
        historySizeBytes: Number(wts.historySizeBytes ?? 0),
        reasons: (wts.suggestContinueAsNewReasons ?? []).map((r) => SUGGEST_REASONS[Number(r)] ?? String(r)),
      };
    }
    const payloads =
      e.activityTaskCompletedEventAttributes?.result?.payloads ??
      e.workflowExecutionStartedEventAttributes?.input?.payloads ??
      e.activityTaskScheduledEventAttributes?.input?.payloads ??
      [];
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCampaignBatch') batches += 1;
    largestPayload = Math.max(
      largestPayload,
      payloads.reduce((a, p) => a + (p.data?.length ?? 0), 0),
    );
  }
  const next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  return { runId, status: d.status.name, events: d.historyLength, bytes: d.historySize, batches, largestPayload, suggested, next };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const t0 = now();

  ensurePrerequisites();
  const { startTestInfra, withDatabase } = await import('./kit/infra');
  res.infra = startTestInfra({
    label: 'bench setup',
    databaseUrl: withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE),
    scratchDatabase: new RegExp(`^${BENCH_DATABASE}$`),
    dropDatabaseAtTeardown: true,
  });
  const infra = await res.infra;
  checkInterrupted();
  Object.assign(process.env, infra.env);
  cpu.temporalRootPid = infra.server?.pid;
  cpu.start();

  const [
    { createHarness, workflowBundle },
    { createPerson },
    { createActivities },
    { createDb },
    { createSmtpTransport },
    { testEnv },
    { decideUpdate },
    { campaignDispatch },
    { campaignStateQuery },
  ] = await Promise.all([
    import('./kit/harness'),
    import('./kit/fixtures'),
    import('../workers/activities'),
    import('../platform/db'),
    import('../platform/mailer'),
    import('./kit/env'),
    import('../workflows/shared/approval-gate'),
    import('../workflows/campaign/workflow'),
    import('../workflows/campaign/messages'),
  ]);
  const h = (res.harness = await createHarness());
  const env = testEnv();

  // The SMTP server every message of this run crosses, and the worker's transport to it.
  if (opts.greetingDelay !== 100 && !setGreetingDelay(opts.greetingDelay)) note("could not change smtp-server's greeting delay: it stays 100 ms");
  const smtp = (res.smtp = await new SmtpCounter().start());
  const smtpCfg = { SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false, SMTP_MAX_CONNECTIONS: opts.connections };
  // The worker's transport as workers/main.ts builds it (pooled), and the same again for the baseline (a pool of its own).
  const workerTransport = createSmtpTransport(smtpCfg);
  const pooledTransport = createSmtpTransport(smtpCfg);
  // For reference: without a pool (SMTP_POOL=false), one connection per message.
  const unpooledTransport = createSmtpTransport({ ...smtpCfg, SMTP_POOL: false });
  res.transports.push(workerTransport, pooledTransport, unpooledTransport);

  // A worker like workers/main.ts, but sending to the counting server (the harness's worker mails its SmtpCapture).
  let t = now();
  const workerDb = (res.workerDb = createDb(infra.databaseUrl, { max: PRODUCTION.DATABASE_POOL_SIZE }));
  const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: env.namespace,
    taskQueue: h.taskQueue,
    ...workerTuning(),
    ...workflowWorkerOptions(startTracing('retail-ops-worker', { env: {} }), await workflowBundle()),
    activities: createActivities({
      db: workerDb,
      transport: workerTransport,
      client: h.client,
      taskQueue: h.taskQueue,
      mailFrom: MAIL_FROM,
      publicBaseUrl: PUBLIC_BASE_URL,
      supplierErpUrl: h.simulator.url,
      unsubscribeSecrets: h.unsubscribeSecrets,
      smtpSendRatePerSecond: opts.smtpRate,
      smtpMaxConnections: opts.connections,
    }),
  });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  res.worker = {
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await nativeConnection.close();
      })();
      return stopped;
    },
  };
  note(`worker polling ${h.taskQueue} (${secs(now() - t)}, includes bundling); SMTP on 127.0.0.1:${smtp.port}; infrastructure up in ${secs(now() - t0)}`);

  // ---- Data: a store, N consenting customers, a draft campaign, two marketing managers.
  t = now();
  const suffix = 'BENCH';
  const storeId = 'T-BENCH-CAMPAIGN';
  const campaignId = `campaign-bench-${Date.now().toString(36)}`;
  await h.db.region.create({ data: { id: 'R-BENCH-CAMPAIGN', name: 'Bench region' } });
  await h.db.store.create({ data: { id: storeId, name: 'Bench campaign store', regionId: 'R-BENCH-CAMPAIGN', city: 'Bench', timezone: 'UTC' } });
  const width = String(opts.recipients).length;
  await h.db.$executeRawUnsafe(
    `INSERT INTO "Customer" (id, "firstName", "lastName", email, tier, "memberSince", "homeStoreId", timezone, "emailConsent", "consentUpdatedAt", "styleTags", "preferredColours", "preferredCategories")
     SELECT 'CUST-BENCH-' || lpad(g::text, $2::int, '0'), 'Bench' || g, 'Recipient', 'r' || lpad(g::text, $2::int, '0') || '@${RECIPIENT_DOMAIN}',
            (ARRAY['STANDARD','SILVER','GOLD','PLATINUM'])[1 + g % 4]::"CustomerTier", timestamp '2020-01-01', $3::text,
            ($4::text[])[1 + g % ${TIME_ZONES.length}], true, now(), '{}', '{}', '{}'
       FROM generate_series(1, $1::int) AS g`,
    opts.recipients,
    width,
    storeId,
    TIME_ZONES,
  );
  const variants: CampaignDispatchInput['variants'] = [
    { key: 'a', subject: 'Hello {{firstName}}, your {{tier}} winter edit', body: 'New arrivals picked for you.\nUnsubscribe: {{unsubscribeUrl}}' },
    { key: 'b', subject: '{{firstName}}: the winter edit is here', body: 'Fresh picks.' },
  ];
  // As POST /api/v1/campaigns records it.
  await h.db.campaign.create({
    data: {
      id: campaignId,
      workflowId: campaignId,
      name: 'Bench winter edit',
      segment: { storeIds: [storeId] },
      variants: variants.map((v) => ({ ...v })),
      status: 'draft',
      createdBy: 'system:bench',
    },
  });
  const marketer = await createPerson(h.db, suffix, 'marketing_manager', 'mkt', { allScopes: true });
  const approver = await createPerson(h.db, suffix, 'marketing_manager', 'mkt2', { allScopes: true });
  const approverPrincipal: Principal = { id: approver.id, role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] };
  const generatedMs = now() - t;
  note(`${fmt(opts.recipients)} customers generated in ${secs(generatedMs)} (${TIME_ZONES.join(', ')}; all consenting, no prior sends)`);

  // ---- What crossed SMTP.
  const tally = new CampaignTally(`campaign:${campaignId}:`);
  let otherMessages = 0;
  smtp.onAccepted = (m) => {
    if (!tally.add(m)) otherMessages += 1;
  };

  // ---- Baselines: plain nodemailer loops.
  checkInterrupted();
  const sample = sampleEmail(variants[0]!);
  const baseBefore = await baselineLoop(pooledTransport, sample, opts.baseline, 'baseline (pooled transport)', 'pooled', opts.connections);
  note(
    `baseline, pooled transport (${opts.connections} connections, as many in flight): ${fmt(baseBefore.n)} in ${secs(baseBefore.ms)}, ${baseBefore.perSecond.toFixed(1)} emails/s`,
  );
  const unpooled = await baselineLoop(unpooledTransport, sample, opts.baseline, 'reference (no pool)', 'unpooled', 1);
  note(`reference, no pool (one connection per message, one at a time): ${fmt(unpooled.n)} in ${secs(unpooled.ms)}, ${unpooled.perSecond.toFixed(1)} emails/s`);

  // ---- The campaign: start -> awaiting approval -> approve -> completed.
  checkInterrupted();
  const input: CampaignDispatchInput = {
    campaignId,
    name: 'Bench winter edit',
    segment: { storeIds: [storeId] },
    variants,
    holdoutPercent: 0,
    requestedBy: marketer.id,
    batchSize: opts.batchSize,
    ratePerSecond: opts.rate,
    // Equal hours: no quiet hours, whatever the recipient's zone.
    quietHours: { startHour: 0, endHour: 0 },
  };
  const tStart = now();
  const handle = await h.client.workflow.start(campaignDispatch, { taskQueue: h.taskQueue, workflowId: campaignId, args: [input] });
  const firstRunId = handle.firstExecutionRunId;
  let st: CampaignState | undefined;
  for (;;) {
    checkInterrupted();
    st = await handle.query(campaignStateQuery).catch(() => undefined);
    if (st?.stage === 'awaiting_approval' && st.pendingApproval) break;
    if (st && !['snapshotting', 'awaiting_approval'].includes(st.stage)) throw new Error(`campaign reached ${st.stage} before approval: ${st.failure ?? ''}`);
    await sleep(250);
  }
  const snapshotMs = now() - tStart;
  note(`audience frozen in ${secs(snapshotMs)}: ${fmt(st.audience?.matched ?? 0)} matched, ${fmt(st.audience?.eligible ?? 0)} eligible; approving`);

  const stopProfile = await startCpuProfile('campaign-send');
  const sendClock = phaseClock();
  const tApprove = now();
  await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: approverPrincipal }] });
  const approveMs = now() - tApprove;

  // Progress: campaignStateQuery polled; a bar on a terminal, a line every 10 s elsewhere.
  const runIds = new Set<string>([firstRunId]);
  const bar = process.stderr.isTTY
    ? new SingleBar(
        {
          format: `  sending {bar} {percentage}% | {value}/{total} (smtp {smtp}) | {eps} emails/s | run {runs} | {stage} | {duration_formatted}`,
          hideCursor: true,
          stream: process.stderr,
          etaBuffer: 30,
        },
        Presets.shades_classic,
      )
    : undefined;
  res.bar = bar;
  bar?.start(opts.recipients, 0, { eps: '-', runs: 1, stage: 'sending', smtp: '0' });
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  let lastLine = now();
  let eps = 0;
  while (!done) {
    checkInterrupted();
    await Promise.race([sleep(POLL_MS), result.catch(() => undefined)]);
    if (done) break;
    const [q, d] = await Promise.all([handle.query(campaignStateQuery).catch(() => undefined), handle.describe().catch(() => undefined)]);
    if (d) runIds.add(d.runId);
    if (!q) continue;
    const p = q.progress;
    const processed = p.sent + p.failed + p.unknown + p.skipped;
    const tNow = now();
    // The query counts whole batches; the rate is what crossed SMTP since the approval.
    eps = tally.messages / ((tNow - tApprove) / 1000);
    bar?.setTotal(p.queued || opts.recipients);
    bar?.update(processed, { eps: eps.toFixed(0), runs: runIds.size, stage: q.stage, smtp: fmt(tally.messages) });
    if (!bar && tNow - lastLine >= 10_000) {
      lastLine = tNow;
      note(
        `sending: ${fmt(processed)}/${fmt(p.queued)} (${p.percent}%) by the query: ${fmt(p.sent)} sent, ${fmt(p.skipped)} skipped, ${p.held} held; ` +
          `${fmt(tally.messages)} through SMTP, ${eps.toFixed(0)} emails/s; run ${runIds.size}, ${q.stage}, ${secs(tNow - tApprove)}`,
      );
    }
  }
  const final = await result;
  const tDone = now();
  const sendPhase = sendClock();
  await stopProfile();
  bar?.update(final.progress.sent + final.progress.failed + final.progress.unknown + final.progress.skipped, {
    eps: eps.toFixed(0),
    runs: runIds.size,
    stage: final.stage,
    smtp: fmt(tally.messages),
  });
  bar?.stop();
  res.bar = undefined;
  note(`workflow ${final.stage} ${secs(tDone - tApprove)} after the approval`);

  // The baseline again after the campaign: on a shared machine the load moves; the faster of the two is the baseline.
  const baseAfter = await baselineLoop(pooledTransport, sample, opts.baseline, 'baseline again (pooled)', 'pooled-after', opts.connections);
  note(
    `baseline again after the campaign: ${fmt(baseAfter.n)} in ${secs(baseAfter.ms)}, ${baseAfter.perSecond.toFixed(1)} emails/s; collecting histories and checking`,
  );
  const base = baseAfter.perSecond > baseBefore.perSecond ? baseAfter : baseBefore;

  // ---- Runs: the continue-as-new chain from the first run, each run's history.
  const runs: RunInfo[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const info = await describeRun(h.client, campaignId, runId);
    runs.push(info);
    runId = info.next;
  }
  const visibilityRuns = await h.client.workflow
    .count(`WorkflowId = '${campaignId}'`)
    .then((c) => c.count)
    .catch(() => undefined);
  const largest = runs.reduce((a, b) => ((b.bytes ?? 0) > (a.bytes ?? 0) ? b : a));
  const longest = runs.reduce((a, b) => (b.events > a.events ? b : a));

  // ---- The database's view: CampaignSend rows.
  const byStatus = await h.db.campaignSend.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } });
  const count = (s: string) => byStatus.find((b) => b.status === s)?._count._all ?? 0;
  const dbSent = count('SENT');
  const dbOther = byStatus.filter((b) => b.status !== 'SENT').map((b) => `${b._count._all} ${b.status}`);
  const [{ twice }] = await h.db.$queryRaw<{ twice: number }[]>`
    SELECT COUNT(*)::int AS twice FROM (SELECT "customerId" FROM "CampaignSend" WHERE "campaignId" = ${campaignId} GROUP BY "customerId" HAVING COUNT(*) > 1) x`;
  const sentIds = new Set(
    (await h.db.campaignSend.findMany({ where: { campaignId, status: 'SENT' }, select: { messageId: true } })).map((s) => s.messageId ?? ''),
  );
  const smtpIds = new Set(tally.perMessageId.keys());
  const smtpNotInDb = [...smtpIds].filter((id) => !sentIds.has(id)).length;
  const dbNotInSmtp = [...sentIds].filter((id) => !smtpIds.has(id)).length;

  // ---- Figures.
  const dupRecipients = tally.duplicateRecipients();
  const dupIds = tally.duplicateMessageIds();
  const missing = opts.recipients - tally.perRecipient.size;
  const wfSeconds = (tDone - tApprove) / 1000;
  const wfRate = final.progress.sent / wfSeconds;
  const steadyMs = tally.firstAt !== undefined && tally.lastAt !== undefined ? tally.lastAt - tally.firstAt : NaN;
  const steadyRate = tally.messages > 1 ? (tally.messages - 1) / (steadyMs / 1000) : NaN;
  const firstEmailMs = tally.firstAt !== undefined ? tally.firstAt - tApprove : NaN;
  const perSecond = (r: number) => (r === 0 ? 'none' : `${fmt(r)}/s`);
  const ratio = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

  // Both baseline runs are shown; the ratios are to the faster.
  const rateRow = (label: string, r: Pick<Rate, 'n' | 'ms' | 'perSecond'>): [string, string, string, string, string] => [
    label,
    fmt(r.n),
    (r.ms / 1000).toFixed(1),
    r.perSecond.toFixed(1),
    ratio(r.perSecond, base.perSecond),
  ];
  const rows: [string, string, string, string, string][] = [
    ['', 'emails', 'seconds', 'emails/s', '÷ baseline'],
    rateRow(`baseline: nodemailer loop, pooled transport (${opts.connections} in flight), before`, baseBefore),
    rateRow(`baseline: the same, after the campaign`, baseAfter),
    rateRow('reference: nodemailer loop, no pool (one at a time)', unpooled),
    rateRow('workflow: approval → completed', { n: final.progress.sent, ms: wfSeconds * 1000, perSecond: wfRate }),
    rateRow('workflow: first → last email (steady state)', { n: tally.messages, ms: steadyMs, perSecond: steadyRate }),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `  ${r[0]!.padEnd(widths[0]!)}  ${r
      .slice(1)
      .map((c, i) => c.padStart(widths[i + 1]!))
      .join('  ')}`;
  console.log(`\n${bold(`Campaign dispatch: ${fmt(opts.recipients)} recipients through SMTP`)}`);
  console.log(
    dim(
      `  ${cpus().length} cores, Node ${process.version}; batch ${opts.batchSize}, campaign rate ${perSecond(opts.rate)}, worker SMTP budget ${perSecond(opts.smtpRate)}, ` +
        `quiet hours off, one in-process worker (Prisma pool ${PRODUCTION.DATABASE_POOL_SIZE}, pooled transport of ${opts.connections} connections), ` +
        `SMTP server in process (greeting after ${opts.greetingDelay} ms); baseline ${fmt(opts.baseline)} messages; ${codeVersion()}`,
    ),
  );
  console.log(
    dim(
      `  setup: customers generated in ${secs(generatedMs)}; audience snapshot (start → awaiting approval) ${secs(snapshotMs)}; approval Update ${Math.round(approveMs)} ms`,
    ),
  );
  console.log('');
  console.log(bold(line(rows[0]!)));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  const meets = (ok: boolean) => (ok ? green('met') : red('not met'));
  console.log(
    `  emails/s through the workflow ÷ baseline: ${bold(ratio(wfRate, base.perSecond))} (target >= ${TARGET_RATIO}x: ${meets(wfRate / base.perSecond >= TARGET_RATIO)})`,
  );
  console.log(
    `  emails/s to the in-process SMTP server:   ${bold(wfRate.toFixed(1))} (target >= ${fmt(TARGET_EMAILS_PER_SECOND)}: ${meets(wfRate >= TARGET_EMAILS_PER_SECOND)})`,
  );
  console.log(`  approval → first email:                  ${Math.round(firstEmailMs)} ms`);
  console.log(`  total (approval → completed):            ${wfSeconds.toFixed(1)} s (start → completed ${((tDone - tStart) / 1000).toFixed(1)} s)`);
  console.log(
    `  workflow runs:                           ${runs.length} (${runs.length - 1} continue-as-new; visibility counts ${visibilityRuns ?? '?'}); ` +
      `${runs.reduce((a, r) => a + r.batches, 0)} sendCampaignBatch activities`,
  );
  console.log(
    `  largest run history:                     ${fmt(longest.events)} events (run ${runs.indexOf(longest) + 1}); ${kb(largest.bytes)} (run ${runs.indexOf(largest) + 1}); largest payload ${kb(Math.max(...runs.map((r) => r.largestPayload)))}`,
  );
  if (runs.length > 1)
    console.log(dim(`  runs: ${runs.map((r, i) => `#${i + 1} ${r.status} ${r.events} events ${kb(r.bytes)} ${r.batches} batches`).join('; ')}`));
  for (const [i, r] of runs.entries()) {
    if (r.suggested) {
      console.log(
        dim(
          `  run #${i + 1}: the server suggested continue-as-new from event ${r.suggested.eventId} (history ${kb(r.suggested.historySizeBytes)}; reason: ${r.suggested.reasons.join(', ') || 'none given'})`,
        ),
      );
    }
  }
  console.log(`  progress at the end:                     ${JSON.stringify(final.progress)}`);
  console.log(`  duplicates (SMTP, recipients mailed twice or more): ${bold(String(dupRecipients.length))}; Message-IDs seen twice: ${dupIds.length}`);
  console.log(
    `  SMTP: ${fmt(tally.messages)} campaign messages to ${fmt(tally.perRecipient.size)} recipients (${fmt(otherMessages)} other messages: baselines, approval emails)`,
  );
  console.log(`  CampaignSend: ${fmt(dbSent)} SENT${dbOther.length ? `, ${dbOther.join(', ')}` : ''}; customers with two rows: ${twice}`);

  const checks: { name: string; ok: boolean; detail: string }[] = [
    {
      name: 'no recipient mailed twice (SMTP)',
      ok: dupRecipients.length === 0 && dupIds.length === 0,
      detail: `${dupRecipients.length} recipients, ${dupIds.length} Message-IDs${
        dupRecipients.length
          ? `: ${dupRecipients
              .slice(0, 5)
              .map(([r, c]) => `${r} x${c}`)
              .join(', ')}`
          : ''
      }`,
    },
    {
      name: 'every recipient mailed (SMTP)',
      ok: missing === 0 && tally.strays === 0,
      detail: `${fmt(tally.perRecipient.size)}/${fmt(opts.recipients)}${tally.strays ? `, ${tally.strays} outside the audience` : ''}`,
    },
    {
      name: 'workflow completed, every recipient counted sent',
      ok: final.stage === 'completed' && final.progress.sent === opts.recipients,
      detail: `${final.stage}, ${fmt(final.progress.sent)} sent`,
    },
    {
      name: 'CampaignSend: one SENT row per recipient, nothing else',
      ok: dbSent === opts.recipients && dbOther.length === 0 && twice === 0,
      detail: `${fmt(dbSent)} SENT${dbOther.length ? `, ${dbOther.join(', ')}` : ''}, ${twice} twice`,
    },
    {
      name: 'SMTP and CampaignSend agree (Message-IDs)',
      ok: smtpNotInDb === 0 && dbNotInSmtp === 0,
      detail: `${smtpNotInDb} accepted by SMTP but not SENT, ${dbNotInSmtp} SENT but not accepted`,
    },
  ];
  console.log('');
  for (const c of checks) console.log(`  ${c.ok ? green('PASS') : red('FAIL')}  ${c.name}: ${c.detail}`);
  const ok = checks.every((c) => c.ok);

  const figures: BenchFigure[] = [
    {
      metric: 'emails/s through the workflow (approval → completed)',
      value: wfRate,
      unit: 'emails/s',
      baseline: {
        value: base.perSecond,
        label: `nodemailer alone: the same pooled transport (${opts.connections} connections) kept busy by a plain loop, same SMTP server (the faster of a run before and one after the campaign)`,
      },
      better: 'higher',
      target: { ratio: TARGET_RATIO, op: '>=' },
    },
    { metric: 'emails/s to an in-process SMTP server', value: wfRate, unit: 'emails/s', better: 'higher' },
  ];
  recordBenchResult({
    bench: 'campaign',
    title: `Campaign dispatch: ${fmt(opts.recipients)} recipients through SMTP`,
    settings: {
      recipients: opts.recipients,
      batchSize: opts.batchSize,
      campaignRatePerSecond: opts.rate,
      smtpSendRatePerSecond: opts.smtpRate,
      smtpConnections: opts.connections,
      baselineMessages: opts.baseline,
      greetingDelayMs: opts.greetingDelay,
      cores: cpus().length,
      codeVersion: codeVersion(),
    },
    figures,
    notes: [
      `Target for emails/s to an in-process SMTP server: >= ${fmt(TARGET_EMAILS_PER_SECOND)} (${wfRate >= TARGET_EMAILS_PER_SECOND ? 'met' : 'not met'}).`,
      `Baseline runs: ${baseBefore.perSecond.toFixed(1)} emails/s before the campaign, ${baseAfter.perSecond.toFixed(1)} after (the faster is the baseline).`,
      `Reference without a pool (one connection per message, one at a time): ${unpooled.perSecond.toFixed(1)} emails/s.`,
      `Steady state (first → last email): ${steadyRate.toFixed(1)} emails/s; approval → first email ${Math.round(firstEmailMs)} ms; ${runs.length} workflow runs, largest history ${fmt(longest.events)} events.`,
      ...cpuNotes({ n: tally.messages, ...sendPhase }, base),
      ...checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
    ],
  });
  res.keepLog = !ok;
  return ok ? 0 : 1;
}

main()
  .then(
    async (code) => {
      await teardown();
      return code;
    },
    async (err) => {
      res.bar?.stop();
      res.bar = undefined;
      if (err instanceof UsageError) {
        console.error(`${err.message}\n${USAGE}`);
        return 2;
      }
      if (!interrupted) console.error(red(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
      await teardown();
      return interrupted ? 130 : 1;
    },
  )
  .then((code) => {
    if (!interrupted) process.exit(code);
  });
