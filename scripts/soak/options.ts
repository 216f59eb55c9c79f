/** `npm run soak` flags. */
import { parseArgs } from 'node:util';

export interface SoakOptions {
  runs: number;
  /** Minutes over which the runs are started (the chaos lasts as long); the drain comes after. */
  minutes: number;
  short: boolean;
  postgresRestart: boolean;
  /** Minutes the drain may take before unfinished runs count as a breach. */
  drainMinutes: number;
  keep: boolean;
  /** Runs open at once at most: starts wait for room. */
  maxOpen: number;
  /** Minutes after which no new run is started (the rest are reported as not started); none by default. */
  maxMinutes: number | null;
  /** Whether a full run rewrites its section of docs/reliability.md. */
  publish: boolean;
}

export const USAGE = `Usage: npm run soak -- [--runs 1000] [--minutes 12] [--short] [--no-postgres-restart] [--drain-minutes 15] [--max-open 60] [--max-minutes M] [--keep] [--no-publish]
  --runs                 runs started, mixed across the five processes (default 1000; --short: 100)
  --minutes              the least time over which they are started (default 12; --short: 1.5); the one-off faults happen within it
  --short                the CI version: about 100 runs in about 2 minutes, worker kills, no Postgres restart, nothing published
  --no-postgres-restart  skip the Postgres restart (CI's Postgres is shared)
  --drain-minutes        how long unfinished runs are waited for at the end (default 15; --short: 4)
  --max-open             runs open at once at most; starts wait for room (default 60; --short: 40)
  --max-minutes          stop starting new runs after this many minutes of load (a machine too slow for --runs); then drain and check
  --keep                 keep the soak database and the dev server's SQLite file afterwards
  --no-publish           do not rewrite the soak section of docs/reliability.md`;

export class UsageError extends Error {}

export function parseSoakOptions(argv: string[]): SoakOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        minutes: { type: 'string' },
        short: { type: 'boolean' },
        'no-postgres-restart': { type: 'boolean' },
        'drain-minutes': { type: 'string' },
        keep: { type: 'boolean' },
        'max-open': { type: 'string' },
        'max-minutes': { type: 'string' },
        'no-publish': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const short = values.short === true;
  const num = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${String(raw)})`);
    }
    return v;
  };
  const runs = num('runs', short ? 100 : 1000, 10, 100_000, true);
  return {
    runs,
    minutes: num('minutes', short ? 1.5 : 12, 0.5, 24 * 60, false),
    short,
    postgresRestart: !short && values['no-postgres-restart'] !== true,
    drainMinutes: num('drain-minutes', short ? 4 : 15, 1, 24 * 60, false),
    keep: values.keep === true,
    maxOpen: num('max-open', short ? 40 : 60, 1, 10_000, true),
    maxMinutes: values['max-minutes'] === undefined ? null : num('max-minutes', 0, 1, 24 * 60, false),
    publish: !short && values['no-publish'] !== true,
  };
}
