/**
 * The Temporal CLI dev server, shared by `npm start` (scripts/start.ts) and the jest global setup:
 * finding the binary, starting the server with the project's search attributes, waiting for it to
 * answer, and registering search attributes missing from an already-running server (the
 * `--search-attribute` flags only take effect when the server creates a fresh database).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');

export const SEARCH_ATTRIBUTE_TYPES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;
export type SearchAttributeType = (typeof SEARCH_ATTRIBUTE_TYPES)[number];
export interface SearchAttributeDef {
  name: string;
  type: SearchAttributeType;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `TEMPORAL_BIN` if set, else `temporal` on PATH, else `<repo>/.tools/temporal`; undefined if none. */
export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_BIN) return isExecutable(env.TEMPORAL_BIN) ? env.TEMPORAL_BIN : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const local = join(REPO_ROOT, '.tools', 'temporal');
  return isExecutable(local) ? local : undefined;
}

export function requireTemporalBinary(env: NodeJS.ProcessEnv = process.env): string {
  const bin = findTemporalBinary(env);
  if (!bin && env.TEMPORAL_BIN) throw new Error(`TEMPORAL_BIN=${env.TEMPORAL_BIN} is not an executable file.`);
  if (!bin) {
    throw new Error(
      'The Temporal CLI was not found (neither `temporal` on PATH nor .tools/temporal). ' +
        'Run `bash scripts/install-temporal.sh` (npm test and npm start do this for you).',
    );
  }
  return bin;
}

/** Reads scripts/search-attributes.txt (`Name=Type` per line; blank lines and # comments ignored). */
export function readSearchAttributes(file = join(REPO_ROOT, 'scripts', 'search-attributes.txt')): SearchAttributeDef[] {
  if (!existsSync(file)) return [];
  const defs: SearchAttributeDef[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z]+)$/.exec(line);
    const type = m?.[2] as SearchAttributeType | undefined;
    if (!m || !type || !SEARCH_ATTRIBUTE_TYPES.includes(type)) {
      throw new Error(`${file}: bad line ${JSON.stringify(raw)} (expected Name=Type, Type one of ${SEARCH_ATTRIBUTE_TYPES.join(', ')})`);
    }
    defs.push({ name: m[1]!, type });
  }
  return defs;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the temporal CLI; never throws for a non-zero exit (look at `code`). */
export function runCli(bin: string, args: string[], timeoutMs = 15_000): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** True when a Temporal frontend answers `operator cluster health` at the address. */
export async function temporalHealthy(bin: string, address: string): Promise<boolean> {
  const r = await runCli(bin, ['operator', 'cluster', 'health', '--address', address, '--command-timeout', '3s', '-o', 'json'], 5_000);
  return r.code === 0 && r.stdout.includes('SERVING');
}

export interface DevServerOptions {
  bin: string;
  ip: string;
  port: number;
  /** Web UI port; omit (or pass headless) for no UI. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file; omit for an in-memory server. WAL journaling is turned on for files. */
  dbFile?: string;
  namespace?: string;
  searchAttributes: SearchAttributeDef[];
  dynamicConfig?: Record<string, string | number | boolean>;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /** Where the server's output goes: a file descriptor, 'ignore' or 'pipe'. */
  output?: number | 'ignore' | 'pipe';
}

/** Dynamic config every dev server of this project runs with (tests, benchmarks). */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  // Search attributes registered at runtime are visible at once (no cache delay).
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
  // An activity scheduled by a workflow task goes straight back to the worker that completed the
  // task when it has a free slot, without a trip through matching (about halves a sequential
  // activity's dispatch here; docs/performance.md). Self-hosted clusters need the same setting.
  'system.enableActivityEagerExecution': true,
  // One partition per task queue: a single-node server gains nothing from four, and a task landing
  // in a partition without a waiting poller is forwarded first.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // The dev server caps visibility (list) calls at 100/s per namespace; the API's lists and the console use them.
  'frontend.namespaceRPS.visibility': 1000,
  'frontend.namespaceBurstRatio.visibility': 2,
} as const;

export function devServerArgs(o: Omit<DevServerOptions, 'bin'>): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--log-level', o.logLevel ?? 'warn'];
  if (o.headless || o.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort));
  if (o.dbFile) args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const sa of o.searchAttributes) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  for (const [k, v] of Object.entries(o.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  return args;
}

/**
 * A bash watchdog around a command: it forwards SIGTERM/SIGINT/SIGHUP to the command and waits for
 * it (so the caller's SIGTERM to the watchdog pid is a graceful stop, and the exit status passes
 * through), and it ends the command when `parent` is gone (killed with -9, crashed), so nothing is
 * left running. Run it detached: SIGKILL to its process group (-pid) is the hard stop.
 */
export const WATCHDOG_SCRIPT = `
parent=$1; shift
"$@" &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; wait "$child"; exit $?; }
trap stop TERM INT HUP
while kill -0 "$parent" 2>/dev/null; do
  if ! kill -0 "$child" 2>/dev/null; then wait "$child"; exit $?; fi
  sleep 1 & wait $!
done
stop
`;

export function spawnUnderWatchdog(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdio: ['ignore', number | 'pipe' | 'ignore', number | 'pipe' | 'ignore']; parentPid?: number },
): ChildProcess {
  return spawn('bash', ['-c', WATCHDOG_SCRIPT, 'watchdog', String(opts.parentPid ?? process.pid), cmd, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: opts.stdio,
    detached: true,
  });
}

/** Starts the dev server under the watchdog (own process group); stop it with stopProcess(child). */
export function startDevServer(o: DevServerOptions): ChildProcess {
  const out = o.output ?? 'ignore';
  return spawnUnderWatchdog(o.bin, devServerArgs(o), { stdio: ['ignore', out, out] });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls health until it answers; fails early when `child` exits, or after the timeout. */
export async function waitForTemporal(
  bin: string,
  address: string,
  opts: { timeoutMs?: number; child?: ChildProcess; describeFailure?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let exited: string | undefined;
  const onExit = (code: number | null, signal: string | null) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  };
  opts.child?.once('exit', onExit);
  try {
    while (Date.now() < deadline) {
      if (exited)
        throw new Error(`The Temporal dev server ${exited} before answering on ${address}.${opts.describeFailure ? `\n${opts.describeFailure()}` : ''}`);
      if (await temporalHealthy(bin, address)) return;
      await sleep(250);
    }
    throw new Error(
      `The Temporal server at ${address} did not answer within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)}s.${opts.describeFailure ? `\n${opts.describeFailure()}` : ''}`,
    );
  } finally {
    opts.child?.off('exit', onExit);
  }
}

const TYPE_BY_INDEXED: Record<string, SearchAttributeType> = {
  INDEXED_VALUE_TYPE_TEXT: 'Text',
  INDEXED_VALUE_TYPE_KEYWORD: 'Keyword',
  INDEXED_VALUE_TYPE_INT: 'Int',
  INDEXED_VALUE_TYPE_DOUBLE: 'Double',
  INDEXED_VALUE_TYPE_BOOL: 'Bool',
  INDEXED_VALUE_TYPE_DATETIME: 'Datetime',
  INDEXED_VALUE_TYPE_KEYWORD_LIST: 'KeywordList',
};

export async function listCustomSearchAttributes(bin: string, address: string, namespace: string): Promise<Map<string, SearchAttributeType | string>> {
  const r = await runCli(bin, [
    'operator',
    'search-attribute',
    'list',
    '--address',
    address,
    '--namespace',
    namespace,
    '-o',
    'json',
    '--command-timeout',
    '10s',
  ]);
  if (r.code !== 0) throw new Error(`temporal operator search-attribute list failed: ${r.stderr.trim() || r.stdout.trim()}`);
  const parsed = JSON.parse(r.stdout) as { customAttributes?: Record<string, string> | null };
  return new Map(Object.entries(parsed.customAttributes ?? {}).map(([k, v]) => [k, TYPE_BY_INDEXED[v] ?? v]));
}

/**
 * Registers each search attribute the server does not have yet (one `create` per attribute: the
 * v1.5.1 CLI registers only the first of several `--name`s). Returns the names it created; throws
 * when one exists with a different type, since workflows setting it would fail.
 */
export async function ensureSearchAttributes(bin: string, address: string, namespace: string, wanted: SearchAttributeDef[]): Promise<string[]> {
  const existing = await listCustomSearchAttributes(bin, address, namespace);
  const created: string[] = [];
  for (const sa of wanted) {
    const have = existing.get(sa.name);
    if (have === sa.type) continue;
    if (have !== undefined) {
      throw new Error(`Search attribute ${sa.name} is registered on ${address} as ${have}, but the project needs ${sa.type}. Use a fresh Temporal database.`);
    }
    const r = await runCli(bin, [
      'operator',
      'search-attribute',
      'create',
      '--address',
      address,
      '--namespace',
      namespace,
      '--name',
      sa.name,
      '--type',
      sa.type,
      '--command-timeout',
      '10s',
    ]);
    if (r.code !== 0) throw new Error(`Could not register search attribute ${sa.name}: ${r.stderr.trim() || r.stdout.trim()}`);
    created.push(sa.name);
  }
  if (created.length) {
    const after = await listCustomSearchAttributes(bin, address, namespace);
    const missing = created.filter((n) => !after.has(n));
    if (missing.length) throw new Error(`Search attributes still missing after create: ${missing.join(', ')}`);
  }
  return created;
}

/**
 * Stops a process started with spawnUnderWatchdog: SIGTERM to the watchdog (which forwards it and
 * waits for the command), then SIGKILL to the whole process group after the grace period.
 */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<'stopped' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return 'stopped';
  const pid = child.pid;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'stopped';
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), graceMs);
  });
  const first = await Promise.race([exited.then(() => 'exited' as const), timeout]);
  clearTimeout(timer);
  if (first === 'exited') return 'stopped';
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await Promise.race([exited, sleep(2_000)]);
  return 'killed';
}
