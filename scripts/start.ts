/**
 * `npm start` orchestration (scripts/start.sh installs node modules, the Prisma client and the
 * Temporal CLI, then runs this with `node --import tsx`):
 *
 *   Temporal dev server (SQLite in .data/, UI, search attributes) and MailDev: reused when already
 *   answering, else started; database created, migrated and seeded; worker and API started with
 *   their logs in .data/logs/ and pretty-printed here; once GET /healthz answers 200, a banner.
 *
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP: worker and API get SIGTERM and time to drain, then the
 * Temporal server and MailDev, if this process started them. Everything started runs under a
 * small watchdog that ends it if this process dies without cleaning up (kill -9).
 *
 * Settings: the usual env (platform/config.ts; a .env file is read), plus TEMPORAL_UI_PORT
 * (default gRPC port + 1000), TEMPORAL_DB_FILE (default .data/temporal.db), MAILDEV_WEB_PORT
 * (default 1080), START_SKIP_SEED=1.
 */
import 'dotenv/config';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig, type Config } from '../platform/config';
import {
  REPO_ROOT,
  devServerArgs,
  DEV_SERVER_DYNAMIC_CONFIG,
  ensureSearchAttributes,
  readSearchAttributes,
  requireTemporalBinary,
  runCli,
  spawnUnderWatchdog,
  stopProcess,
  temporalHealthy,
  waitForTemporal,
} from './temporal-dev';

const DATA_DIR = join(REPO_ROOT, '.data');
const LOG_DIR = join(DATA_DIR, 'logs');
const PID_FILE = join(DATA_DIR, 'start.pid');
const T0 = Date.now();

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const color = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = color('1');
const dim = color('2');
const red = color('31');
const green = color('32');
const yellow = color('33');
const cyan = color('36');
const magenta = color('35');

const secs = (since = T0) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const step = (msg: string) => console.log(`${green('==>')} ${bold(msg)}`);
const info = (msg: string) => console.log(`    ${msg}`);
const warn = (msg: string) => console.log(`${yellow('warning:')} ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rel = (p: string) => relative(REPO_ROOT, p) || '.';

class StartError extends Error {}

// ---------------------------------------------------------------------------------------------
// Processes

interface Managed {
  name: string;
  proc: ChildProcess;
  logFile: string;
  /** Set once we asked it to stop, so its exit is not reported as a crash. */
  stopping: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const managed: Managed[] = [];

function spawnManaged(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; logFile: string; pipe: boolean }): Managed {
  if (shuttingDown) throw new StartError('shutting down');
  let stdio: ['ignore', number | 'pipe', number | 'pipe'];
  let fd: number | undefined;
  if (opts.pipe) {
    stdio = ['ignore', 'pipe', 'pipe'];
  } else {
    fd = openSync(opts.logFile, 'a');
    stdio = ['ignore', fd, fd];
  }
  const proc = spawnUnderWatchdog(cmd, args, { env: opts.env, stdio });
  if (fd !== undefined) closeSync(fd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', () => resolve({ code: 127, signal: null }));
  });
  const m: Managed = { name, proc, logFile: opts.logFile, stopping: false, exited };
  managed.push(m);
  return m;
}

function isRunning(m: Managed): boolean {
  return m.proc.exitCode === null && m.proc.signalCode === null;
}

async function stopManaged(m: Managed, graceMs: number): Promise<void> {
  m.stopping = true;
  if (!isRunning(m)) return;
  if ((await stopProcess(m.proc, graceMs)) === 'killed') warn(`${m.name} did not stop within ${graceMs / 1000}s; killed it`);
}

function tailFile(file: string, lines = 20): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a one-shot command with the terminal attached (progress bars work); resolves its exit code. */
function runForeground(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    current = child;
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
    child.once('error', (err) => {
      current = undefined;
      console.error(err);
      resolve(127);
    });
  });
}
let current: ChildProcess | undefined;

// ---------------------------------------------------------------------------------------------
// Log pretty-printing (pino JSON lines -> "12:00:01 INFO  [worker] message key=value")

const LEVELS: Record<number, [string, (s: string) => string]> = {
  10: ['TRACE', dim],
  20: ['DEBUG', dim],
  30: ['INFO ', green],
  40: ['WARN ', yellow],
  50: ['ERROR', red],
  60: ['FATAL', red],
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'service', 'v']);

function prettyLine(prefix: string, line: string): string {
  if (line.startsWith('{')) {
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      const level = typeof rec.level === 'number' ? rec.level : 30;
      const [label, paint] = LEVELS[level] ?? ['INFO ', green];
      const t = typeof rec.time === 'number' ? new Date(rec.time) : new Date();
      const time = t.toTimeString().slice(0, 8);
      let extra = '';
      let stack = '';
      // pino-http: "GET /api/v1/stores -> 200 (4ms)" rather than every header.
      const req = rec.req as { method?: string; url?: string } | undefined;
      const res = rec.res as { statusCode?: number } | undefined;
      const skip = new Set<string>();
      if (req && typeof req === 'object' && req.method) {
        extra += ` ${req.method} ${req.url ?? ''}${res?.statusCode ? ` -> ${res.statusCode}` : ''}${typeof rec.responseTime === 'number' ? ` (${rec.responseTime}ms)` : ''}`;
        skip.add('req').add('res').add('responseTime');
      }
      for (const [k, v] of Object.entries(rec)) {
        if (OMIT.has(k) || skip.has(k) || v === undefined) continue;
        if (k === 'err' && v && typeof v === 'object' && 'stack' in v) {
          stack = `\n${String((v as { stack: unknown }).stack)}`;
          continue;
        }
        const s = typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
        extra += ` ${dim(`${k}=`)}${s && s.length > 200 ? `${s.slice(0, 200)}…` : s}`;
      }
      return `${dim(time)} ${paint(label)} ${prefix} ${String(rec.msg ?? '')}${extra}${stack}`;
    } catch {
      /* not JSON after all */
    }
  }
  // The Temporal SDK's own logger: "2026-01-01T00:00:00.000Z [INFO] message { meta }".
  const sdk = SDK_LINE.exec(line);
  if (sdk) {
    const [label, paint] = SDK_LEVELS[sdk[2]!] ?? ['INFO ', green];
    return `${dim(new Date(sdk[1]!).toTimeString().slice(0, 8))} ${paint(label)} ${prefix} ${sdk[3]}`;
  }
  return `${dim(new Date().toTimeString().slice(0, 8))}       ${prefix} ${line}`;
}
const SDK_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) \[(TRACE|DEBUG|INFO|WARN|ERROR)\] (.*)$/;
const SDK_LEVELS: Record<string, [string, (s: string) => string]> = {
  TRACE: LEVELS[10]!,
  DEBUG: LEVELS[20]!,
  INFO: LEVELS[30]!,
  WARN: LEVELS[40]!,
  ERROR: LEVELS[50]!,
};

function pipeLogs(m: Managed, prefix: string): void {
  const file: WriteStream = createWriteStream(m.logFile, { flags: 'a' });
  file.write(`\n===== ${new Date().toISOString()} ${m.name} started =====\n`);
  for (const stream of [m.proc.stdout, m.proc.stderr]) {
    if (!stream) continue;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    // The SDK logs webpack's module-by-module stats when it bundles the workflows: one line here
    // (all of it stays in the log file).
    let inBundleStats = false;
    rl.on('line', (line) => {
      file.write(`${line}\n`);
      if (inBundleStats) {
        if (SDK_LINE.test(line)) inBundleStats = false;
        else {
          if (/compiled (successfully|with)/.test(line)) console.log(prettyLine(prefix, line.replace(/\s*\{.*\}\s*$/, '')));
          return;
        }
      }
      if (/\] asset workflow-bundle/.test(line)) {
        inBundleStats = true;
        return;
      }
      console.log(prettyLine(prefix, line));
    });
  }
  m.proc.once('exit', () => setTimeout(() => file.end(), 200));
}

// ---------------------------------------------------------------------------------------------
// Probes

function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function httpStatus(url: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return undefined;
  }
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::1', '[::1]']);

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

// ---------------------------------------------------------------------------------------------
// The pieces

interface Urls {
  api: string;
  temporalUi?: string;
  maildev?: string;
  simulator?: string;
}

async function ensureTemporal(cfg: Config, bin: string, urls: Urls): Promise<void> {
  const address = cfg.TEMPORAL_ADDRESS;
  const { host, port } = splitHostPort(address);
  const external = !LOCAL_HOSTS.has(host) || cfg.TEMPORAL_TLS || !!cfg.TEMPORAL_API_KEY;
  const searchAttributes = readSearchAttributes();
  if (external) {
    info(`Temporal: using ${address} (namespace ${cfg.TEMPORAL_NAMESPACE}), not managed here`);
    return;
  }
  const uiPort = Number(process.env.TEMPORAL_UI_PORT || port + 1000);
  const t = Date.now();
  if (await temporalHealthy(bin, address)) {
    info(`Temporal: reusing the server already answering on ${address}`);
  } else {
    if (await tcpOpen(host === '0.0.0.0' ? '127.0.0.1' : host, port)) {
      // Something listens there: maybe a server still starting. Give it a moment.
      await waitForTemporal(bin, address, { timeoutMs: 15_000 }).catch(() => {
        throw new StartError(`port ${port} is in use by something that does not answer as Temporal (TEMPORAL_ADDRESS=${address}).`);
      });
      info(`Temporal: reusing the server on ${address}`);
    } else {
      const dbFile = process.env.TEMPORAL_DB_FILE || join(DATA_DIR, port === 7233 ? 'temporal.db' : `temporal-${port}.db`);
      const logFile = join(LOG_DIR, 'temporal.log');
      const args = devServerArgs({
        ip: host === 'localhost' ? '127.0.0.1' : host,
        port,
        uiPort,
        dbFile,
        namespace: cfg.TEMPORAL_NAMESPACE,
        searchAttributes,
        logLevel: 'warn',
        dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
      });
      info(`Temporal: starting the dev server on ${address} (UI :${uiPort}, state in ${rel(dbFile)}, log ${rel(logFile)})`);
      const m = spawnManaged('temporal', bin, args, { logFile, pipe: false });
      await waitForTemporal(bin, address, {
        timeoutMs: 90_000,
        child: m.proc,
        describeFailure: () => `Last lines of ${rel(logFile)}:\n${tailFile(logFile)}`,
      });
    }
  }
  let created: string[];
  try {
    created = await ensureSearchAttributes(bin, address, cfg.TEMPORAL_NAMESPACE, searchAttributes);
  } catch (err) {
    throw new StartError(
      `${(err as Error).message}\nWith the local dev server: stop it, delete .data/temporal.db* (this loses past workflow runs) and run npm start again.`,
    );
  }
  if (created.length) info(`Temporal: registered search attributes ${created.join(', ')}`);
  info(`Temporal: ready in ${secs(t)} (${searchAttributes.length} search attributes)`);
  if (await tcpOpen('127.0.0.1', uiPort)) urls.temporalUi = `http://127.0.0.1:${uiPort}`;
  else {
    urls.temporalUi = `(not answering on :${uiPort}: the reused server has no UI there; set TEMPORAL_UI_PORT)`;
    warn(`the Temporal UI does not answer on :${uiPort} (the reused server may be headless or have it elsewhere)`);
  }
}

async function ensureMaildev(cfg: Config, urls: Urls): Promise<void> {
  const webPort = Number(process.env.MAILDEV_WEB_PORT || 1080);
  if (!LOCAL_HOSTS.has(cfg.SMTP_HOST)) {
    info(`SMTP: using ${cfg.SMTP_HOST}:${cfg.SMTP_PORT}, not managed here`);
    return;
  }
  const host = '127.0.0.1';
  const webUrl = `http://${host}:${webPort}`;
  const smtpOpen = await tcpOpen(host, cfg.SMTP_PORT);
  if (smtpOpen) {
    if ((await httpStatus(`${webUrl}/api/email`)) === 200) {
      info(`MailDev: reusing the one on SMTP :${cfg.SMTP_PORT}, web ${webUrl}`);
      urls.maildev = webUrl;
    } else {
      warn(`something already listens on SMTP :${cfg.SMTP_PORT} (not a MailDev with its web UI on :${webPort}); mail goes there`);
    }
    return;
  }
  if (await tcpOpen(host, webPort)) {
    throw new StartError(`port ${webPort} (MailDev web) is in use by something else; set MAILDEV_WEB_PORT to another port.`);
  }
  const bin = join(REPO_ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');
  if (!existsSync(bin)) throw new StartError(`MailDev is not installed (${rel(bin)} missing); run npm install.`);
  const logFile = join(LOG_DIR, 'maildev.log');
  const mailDir = join(DATA_DIR, 'maildev');
  mkdirSync(mailDir, { recursive: true });
  info(`MailDev: starting (SMTP ${host}:${cfg.SMTP_PORT}, web ${webUrl}, mail kept in ${rel(mailDir)})`);
  const m = spawnManaged(
    'maildev',
    process.execPath,
    [bin, '--smtp', String(cfg.SMTP_PORT), '--web', String(webPort), '--ip', host, '--web-ip', host, '--mail-directory', mailDir],
    { logFile, pipe: false },
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isRunning(m)) throw new StartError(`MailDev exited while starting. Last lines of ${rel(logFile)}:\n${tailFile(logFile)}`);
    if ((await httpStatus(`${webUrl}/api/email`)) === 200 && (await tcpOpen(host, cfg.SMTP_PORT))) {
      urls.maildev = webUrl;
      return;
    }
    await sleep(250);
  }
  throw new StartError(`MailDev did not answer within 30s. Last lines of ${rel(logFile)}:\n${tailFile(logFile)}`);
}

async function prepareDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  const tsx = ['--import', 'tsx'];
  let t = Date.now();
  step('Database: create if missing, apply migrations');
  if ((await runForeground(process.execPath, [...tsx, 'scripts/migrate.ts'], env)) !== 0) {
    throw new StartError('migrations failed (see above). Is Postgres running at DATABASE_URL?');
  }
  info(`done in ${secs(t)}`);
  if (process.env.START_SKIP_SEED === '1') {
    info('seed skipped (START_SKIP_SEED=1)');
    return;
  }
  if (!existsSync(join(REPO_ROOT, 'prisma', 'seed.ts'))) {
    warn('prisma/seed.ts does not exist yet; skipping the seed');
    return;
  }
  t = Date.now();
  step('Database: seed demo data and the demo scenario');
  // `--demo`: npm start is the demo, with the demo principals and their published keys.
  if ((await runForeground(process.execPath, [...tsx, 'prisma/seed.ts', '--demo'], env)) !== 0) {
    throw new StartError('the seed failed (see above)');
  }
  info(`done in ${secs(t)}`);
}

/**
 * The external-systems simulator (supplier ERP, price channels) when SUPPLIER_ERP_URL points at
 * this machine: reused when it answers, else started. It acknowledges purchase orders and delivers
 * them back to the API on its own (SIMULATOR_AUTO_ACK_MS / SIMULATOR_AUTO_RECEIVE_MS), so a
 * replenishment runs to its receipts in the demo.
 */
async function ensureSimulator(cfg: Config, urls: Urls, apiUrl: string): Promise<void> {
  const url = new URL(cfg.SUPPLIER_ERP_URL);
  if (!LOCAL_HOSTS.has(url.hostname)) {
    info(`Supplier ERP: using ${cfg.SUPPLIER_ERP_URL}, not managed here`);
    return;
  }
  const base = cfg.SUPPLIER_ERP_URL.replace(/\/+$/, '');
  if ((await httpStatus(`${base}/healthz`)) === 200) {
    info(`Simulator: reusing the one on ${base}`);
    urls.simulator = base;
    return;
  }
  const port = url.port || '80';
  if (await tcpOpen('127.0.0.1', Number(port))) throw new StartError(`port ${port} (SUPPLIER_ERP_URL) is in use by something that is not the simulator.`);
  const logFile = join(LOG_DIR, 'simulator.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SIMULATOR_PORT: port,
    SIMULATOR_CALLBACK_BASE_URL: process.env.SIMULATOR_CALLBACK_BASE_URL || apiUrl,
    SIMULATOR_AUTO_ACK_MS: process.env.SIMULATOR_AUTO_ACK_MS ?? '20000',
    SIMULATOR_AUTO_RECEIVE_MS: process.env.SIMULATOR_AUTO_RECEIVE_MS ?? '120000',
  };
  info(
    `Simulator: starting on ${base} (acknowledges POs after ${Number(env.SIMULATOR_AUTO_ACK_MS) / 1000}s, delivers ${Number(env.SIMULATOR_AUTO_RECEIVE_MS) / 1000}s later)`,
  );
  const m = spawnManaged('simulator', process.execPath, ['--enable-source-maps', '--import', 'tsx', 'simulator/main.ts'], { env, logFile, pipe: false });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isRunning(m)) throw new StartError(`The simulator exited while starting. Last lines of ${rel(logFile)}:\n${tailFile(logFile)}`);
    if ((await httpStatus(`${base}/healthz`)) === 200) {
      urls.simulator = base;
      return;
    }
    await sleep(250);
  }
  throw new StartError(`The simulator did not answer within 30s. Last lines of ${rel(logFile)}:\n${tailFile(logFile)}`);
}

async function waitForWorkerPolling(bin: string, cfg: Config, worker: Managed, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isRunning(worker)) {
    const r = await runCli(bin, [
      'task-queue',
      'describe',
      '--task-queue',
      cfg.TEMPORAL_TASK_QUEUE,
      '--address',
      cfg.TEMPORAL_ADDRESS,
      '--namespace',
      cfg.TEMPORAL_NAMESPACE,
      '-o',
      'json',
      '--command-timeout',
      '5s',
    ]);
    if (r.code === 0) {
      try {
        const pollers = (JSON.parse(r.stdout) as { pollers?: unknown[] | null }).pollers;
        if (Array.isArray(pollers) && pollers.length > 0) return true;
      } catch {
        /* try again */
      }
    }
    await sleep(1_000);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Main

let shuttingDown: Promise<void> | undefined;
let firstSignalAt = 0;

async function shutdown(reason: string, exitCode: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = (async () => {
      if (managed.length === 0 && !current) {
        removePidFile();
        return; // failed before starting anything
      }
      console.log(`\n${yellow('==>')} ${bold(`Shutting down (${reason})`)}`);
      if (current && current.exitCode === null) current.kill('SIGTERM');
      const apps = managed.filter((m) => m.name === 'worker' || m.name === 'api');
      const infra = managed.filter((m) => !apps.includes(m));
      const stopAll = async (list: Managed[], grace: number) =>
        Promise.all(
          list.map(async (m) => {
            if (!isRunning(m)) return;
            info(`stopping ${m.name}…`);
            const t = Date.now();
            await stopManaged(m, grace);
            info(`${m.name} stopped (${secs(t)})`);
          }),
        );
      await stopAll(apps, 30_000); // worker drains in-flight activities; API closes its connections
      await stopAll(infra, 15_000);
      removePidFile();
      console.log(`${green('==>')} stopped everything this run started${managed.length === 0 ? ' (nothing)' : ''}`);
    })();
  }
  await shuttingDown;
  process.exit(exitCode);
}

function removePidFile(): void {
  try {
    if (readFileSync(PID_FILE, 'utf8').trim() === String(process.pid)) unlinkSync(PID_FILE);
  } catch {
    /* not ours, or gone */
  }
}

function onSignal(sig: NodeJS.Signals): void {
  const now = Date.now();
  if (!firstSignalAt) {
    firstSignalAt = now;
    void shutdown(sig, 0);
    return;
  }
  // npm forwards the terminal's Ctrl-C too, so one press can arrive twice: ignore quick repeats.
  if (now - firstSignalAt < 3_000) return;
  console.log(red('\nForced exit: killing everything now'));
  for (const m of managed) {
    try {
      if (m.proc.pid) process.kill(-m.proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  process.exit(1);
}

function claimPidFile(): void {
  mkdirSync(LOG_DIR, { recursive: true });
  if (existsSync(PID_FILE)) {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
    let alive = false;
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        alive = cmdline.includes('scripts/start.ts');
      } catch {
        alive = false;
      }
    }
    if (alive) throw new StartError(`npm start is already running in this checkout (pid ${pid}). Stop it (Ctrl-C there, or kill ${pid}) first.`);
  }
  writeFileSync(PID_FILE, `${process.pid}\n`);
}

function printBanner(cfg: Config, urls: Urls): void {
  const api = urls.api;
  const line = '─'.repeat(72);
  const row = (k: string, v: string) => `  ${bold(k.padEnd(13))}${cyan(v)}`;
  const out = [
    '',
    green(line),
    `  ${bold(green('Retail Ops is up'))} ${dim(`(ready in ${secs()})`)}`,
    green(line),
    row('Console', `${api}/console`),
    row('API', `${api}/api/v1`),
    row('Health', `${api}/healthz`),
    row('Swagger UI', `${api}/docs`),
    row('OpenAPI', `${api}/api/v1/openapi.json`),
    row('Temporal UI', urls.temporalUi ?? `(external: ${cfg.TEMPORAL_ADDRESS})`),
    row('MailDev', urls.maildev ?? `(external SMTP ${cfg.SMTP_HOST}:${cfg.SMTP_PORT})`),
    row('Supplier ERP', urls.simulator ? `${urls.simulator} (simulator; /_stats, /_faults)` : `(external: ${cfg.SUPPLIER_ERP_URL})`),
    row('Logs', `${rel(LOG_DIR)}/{worker,api,temporal,maildev,simulator}.log`),
    '',
    `  ${bold('The console')} ${cyan(`${api}/console`)}: pick a demo principal (their API keys are demo-key-<id>, see the README).`,
    '',
    `  ${bold('The demo scenario')}: Victoria Chen's styling appointment in S001 has no stylist. The recovery starts`,
    `  on its own (the appointment scan Schedule). Sign in as ${magenta('Alex Morgan')} (store manager S001): Alerts shows it;`,
    `  Details shows her context and Maria Santos recommended with reasons; Assign, then Follow the run.`,
    `  Read the customer's confirmation in MailDev and the run in the Temporal UI. ${dim('npm run demo:reset replays it.')}`,
    '',
    `  ${bold('Other processes')}: sign in as ${magenta('POS Gateway')} (the upstream systems) and use Start: a replenishment for S001,`,
    `  a price change, a campaign, a model retraining (nobody approves what they started themselves). Then decide them in`,
    `  the Inbox as alex (purchase orders; jordan the second level), casey (prices), morgan (campaigns), devi (models).`,
    '',
    `  ${dim('Ctrl-C stops everything this started.')}`,
    green(line),
    '',
  ];
  console.log(out.join('\n'));
}

async function main(): Promise<void> {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => onSignal(sig));

  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new StartError(err.message);
    throw err;
  }
  claimPidFile();

  for (const f of ['workers/main.ts', 'api/main.ts']) {
    if (!existsSync(join(REPO_ROOT, f))) throw new StartError(`${f} does not exist yet, so there is nothing to start.`);
  }

  const bin = requireTemporalBinary();
  const apiHost = cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? '127.0.0.1' : cfg.HOST;
  const urls: Urls = { api: `http://${apiHost}:${cfg.PORT}` };

  if (await tcpOpen(apiHost, cfg.PORT)) {
    throw new StartError(`port ${cfg.PORT} is already in use (an API started by hand?). Stop it or set PORT.`);
  }

  step('Temporal, MailDev and the external-systems simulator');
  await Promise.all([ensureTemporal(cfg, bin, urls), ensureMaildev(cfg, urls), ensureSimulator(cfg, urls, urls.api)]);
  if (shuttingDown) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: cfg.DATABASE_URL,
    TEMPORAL_ADDRESS: cfg.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: cfg.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: cfg.TEMPORAL_TASK_QUEUE,
    SMTP_HOST: cfg.SMTP_HOST,
    SMTP_PORT: String(cfg.SMTP_PORT),
    PORT: String(cfg.PORT),
  };
  // The console links each run to the Temporal UI of the dev server started (or reused) here.
  const temporalUiUrl = cfg.TEMPORAL_UI_URL ?? (urls.temporalUi?.startsWith('http') ? urls.temporalUi : undefined);
  if (temporalUiUrl) env.TEMPORAL_UI_URL = temporalUiUrl;
  await prepareDatabase(env);
  if (shuttingDown) return;

  step('Worker and API');
  const nodeArgs = ['--enable-source-maps', '--import', 'tsx'];
  // The worker's Prometheus endpoint (Temporal SDK and business metrics); the API serves its own at /metrics.
  const workerEnv = { ...env, WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT || '9464' };
  const worker = spawnManaged('worker', process.execPath, [...nodeArgs, 'workers/main.ts'], {
    env: workerEnv,
    logFile: join(LOG_DIR, 'worker.log'),
    pipe: true,
  });
  pipeLogs(worker, magenta('[worker]'));
  const api = spawnManaged('api', process.execPath, [...nodeArgs, 'api/main.ts'], { env, logFile: join(LOG_DIR, 'api.log'), pipe: true });
  pipeLogs(api, cyan('[api]   '));
  info(`logs: ${rel(worker.logFile)}, ${rel(api.logFile)}`);

  // Anything we started dying on its own ends the run.
  for (const m of managed) {
    void m.exited.then(({ code, signal }) => {
      if (m.stopping || shuttingDown) return;
      console.error(red(`\n${m.name} exited unexpectedly (${signal ?? `code ${code}`}). Last lines of ${rel(m.logFile)}:`));
      console.error(tailFile(m.logFile, 30));
      void shutdown(`${m.name} exited`, 1);
    });
  }

  const healthUrl = `${urls.api}/healthz`;
  const deadline = Date.now() + 120_000;
  let status: number | undefined;
  while (Date.now() < deadline && !shuttingDown) {
    status = await httpStatus(healthUrl);
    if (status === 200) break;
    await sleep(300);
  }
  if (shuttingDown) return;
  if (status !== 200) throw new StartError(`${healthUrl} did not answer 200 within 120s (last: ${status ?? 'no answer'}); see ${rel(api.logFile)}`);

  if (cfg.TEMPORAL_TLS || cfg.TEMPORAL_API_KEY) {
    // The CLI probe below speaks plain gRPC; trust the worker's own logs for remote clusters.
  } else if (!(await waitForWorkerPolling(bin, cfg, worker, 90_000))) {
    if (shuttingDown) return;
    warn(`the worker is not polling task queue ${cfg.TEMPORAL_TASK_QUEUE} yet; see ${rel(worker.logFile)}`);
  }
  if (shuttingDown) return;
  printBanner(cfg, urls);
}

main().catch((err: unknown) => {
  if (shuttingDown) return; // a signal arrived mid-start; its shutdown reports and exits
  if (err instanceof StartError) console.error(`${red('error:')} ${err.message}`);
  else console.error(err);
  void shutdown('startup failed', 1);
});
