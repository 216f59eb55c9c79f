/**
 * `npm run bench:replenishment [-- --stores 20 --skus 2000 --batch 500 --concurrency 4]`
 *
 * Benchmark of replenishment planning (activities/replenishment-planning.ts): how many store × SKU
 * pairs a second are planned (history read, forecast, reorder maths) for 1 store × 2,000 SKUs and
 * for 20 stores × 2,000 SKUs, so the scaling is visible.
 *
 * Self-contained: a scratch database `retail_ops_bench_replenishment` on DATABASE_URL's server
 * (default postgresql://postgres@127.0.0.1:5432), dropped and re-created, migrated
 * (platform/migrations.ts), filled with synthetic data by set-based SQL (not measured):
 * --stores stores, --skus products over 40 suppliers, an inventory row per store × SKU and
 * --history days of daily sales (steady, weekly-seasonal, trending and intermittent SKUs; days
 * without a sale have no row). No Temporal server: the activity functions are called directly,
 * as a worker would, with batches of --batch SKUs in SKU order (keyset pagination).
 *
 * Phases: a warm-up (one store, not measured), then 1 store (its batches one after the other),
 * then all the stores, --concurrency stores at a time. The database is dropped at the end (also
 * on failure or Ctrl-C) unless --keep.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { createReplenishmentPlanningActivities } from '../activities/replenishment-planning';
import { seasonalExponentialSmoothing, type Forecaster } from '../domain/forecasting';
import { createDb, type Db } from '../platform/db';
import { applyMigrations, ensureDatabase } from '../platform/migrations';
import { withDatabase } from '../tests/support/global-setup';
import { REPO_ROOT } from './temporal-dev';
import { bold, dim, mapLimit, note, now, parseBenchOptions, red, secs, UsageError } from './bench-kit';

const BENCH_DATABASE = 'retail_ops_bench_replenishment';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const SUPPLIERS = 40;
const AS_OF = '2025-06-01';

interface Options {
  stores: number;
  skus: number;
  batch: number;
  concurrency: number;
  history: number;
  keep: boolean;
}

const USAGE = `Usage: npm run bench:replenishment -- [--stores 20] [--skus 2000] [--batch 500] [--concurrency 4] [--history 120] [--keep]
  --stores       stores in the parallel phase (default 20)
  --skus         SKUs per store (default 2000)
  --batch        SKUs per planning batch (default 500)
  --concurrency  stores planned at a time in the parallel phase (default 4)
  --history      days of sales history generated and read (default 120)
  --keep         keep the scratch database ${BENCH_DATABASE}`;

function parseOptions(argv: string[]): Options {
  const { values, int } = parseBenchOptions(
    argv,
    {
      stores: { type: 'string' },
      skus: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      history: { type: 'string' },
      keep: { type: 'boolean' },
    },
    USAGE,
  );
  return {
    stores: int('stores', 20, 1, 500),
    skus: int('skus', 2000, 1, 100_000),
    batch: int('batch', 500, 1, 5000),
    concurrency: int('concurrency', 4, 1, 64),
    history: int('history', 120, 14, 730),
    keep: values.keep === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Scratch database

async function admin<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: withDatabase(databaseUrl, 'postgres'), application_name: 'retail-ops-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const dropDatabase = (databaseUrl: string) => admin(databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`));

/** Synthetic data by set-based SQL: stores, suppliers, products, inventory, then sales store by store. */
async function generate(databaseUrl: string, opts: Options, storeIds: string[]): Promise<void> {
  const c = new Client({ connectionString: databaseUrl, application_name: 'retail-ops-bench-generate' });
  await c.connect();
  try {
    await c.query(`INSERT INTO "Region" (id, name) VALUES ('R-BENCH', 'Bench region')`);
    await c.query(
      `INSERT INTO "Store" (id, name, "regionId", city, timezone)
       SELECT id, 'Bench ' || id, 'R-BENCH', 'Benchville', 'Europe/London' FROM unnest($1::text[]) AS id`,
      [storeIds],
    );
    await c.query(
      `INSERT INTO "Supplier" (id, name, email, "leadTimeDays", "leadTimeStdDays")
       SELECT 'SUP-' || lpad(g::text, 3, '0'), 'Supplier ' || g, 'sup' || g || '@bench.test', 3 + g % 12, (g % 4) * 0.5
         FROM generate_series(1, $1::int) g`,
      [SUPPLIERS],
    );
    await c.query(
      `INSERT INTO "Product" (sku, name, category, brand, colour, size, "styleTags", cost, price, "supplierId",
                              "packSize", "minOrderQty", "serviceLevel")
       SELECT 'BENCH-' || lpad(g::text, 6, '0'), 'Bench product ' || g, 'cat' || g % 12, 'Brand', 'black', 'M', '{}',
              5 + (g % 50), 12 + (g % 50) * 2, 'SUP-' || lpad((1 + g % $2::int)::text, 3, '0'),
              (ARRAY[1, 1, 3, 6, 12])[1 + g % 5], (ARRAY[1, 1, 1, 6, 24])[1 + (g / 5) % 5], (ARRAY[0.9, 0.95, 0.95, 0.98, 0.99])[1 + g % 5]
         FROM generate_series(1, $1::int) g`,
      [opts.skus, SUPPLIERS],
    );
    await c.query(`SELECT setseed(0.42)`);
    await c.query(
      `INSERT INTO "InventoryLevel" ("storeId", sku, "onHand", reserved, "onOrder", "updatedAt")
       SELECT s, p.sku, floor(random() * 80)::int, floor(random() * 4)::int, CASE WHEN random() < 0.2 THEN floor(random() * 40)::int ELSE 0 END, now()
         FROM unnest($1::text[]) s CROSS JOIN "Product" p`,
      [storeIds],
    );

    const bar = progressBar(' sales history {bar} {value}/{total} stores {duration_formatted}', storeIds.length);
    // Per SKU: a base rate from 0.1 to 8 a day, a weekly shape, a gentle trend for some; rows only
    // for days with a sale. The SKU number picks the profile (about 1 in 4 is intermittent).
    for (const storeId of storeIds) {
      await c.query(
        `INSERT INTO "SalesDaily" ("storeId", sku, day, units, revenue)
         SELECT $1, sku, day, units, units * 20
           FROM (
             SELECT p.sku, d.day,
                    floor(random() * 2 * rate
                          * (1 + CASE WHEN extract(isodow FROM d.day) >= 6 THEN 0.5 ELSE 0 END)
                          * (1 + trend * d.i / $3::float))::int AS units
               FROM (SELECT sku, (substr(sku, 7)::int % 4 = 0) AS sparse,
                            CASE WHEN substr(sku, 7)::int % 4 = 0 THEN 0.15 ELSE 0.5 + (substr(sku, 7)::int % 16) * 0.5 END AS rate,
                            CASE WHEN substr(sku, 7)::int % 7 = 0 THEN 0.5 ELSE 0 END AS trend
                       FROM "Product") p
              CROSS JOIN (SELECT i, ($2::date - $3::int + i) AS day FROM generate_series(0, $3::int - 1) i) d
           ) x
          WHERE units > 0`,
        [storeId, AS_OF, opts.history],
      );
      bar.increment();
    }
    bar.stop();
    await c.query(`ANALYZE`);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Planning

function progressBar(format: string, total: number): { increment(n?: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { increment: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format, barsize: 30, hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return { increment: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}

interface PhaseResult {
  label: string;
  stores: number;
  concurrency: number;
  pairs: number;
  lines: number;
  ms: number;
  pairsPerSec: number;
  batchMs: number[];
  forecastMs: number;
}

async function runPhase(db: Db, label: string, storeIds: string[], opts: Options, concurrency: number, quiet = false): Promise<PhaseResult> {
  let forecastMs = 0;
  const timed: Forecaster = {
    name: seasonalExponentialSmoothing.name,
    forecast(history, horizon) {
      const t = now();
      try {
        return seasonalExponentialSmoothing.forecast(history, horizon);
      } finally {
        forecastMs += now() - t;
      }
    },
  };
  const acts = createReplenishmentPlanningActivities({ db, forecaster: timed });
  const total = storeIds.length * opts.skus;
  const bar = quiet ? { increment: () => undefined, stop: () => undefined } : progressBar(` ${label.padEnd(22)} {bar} {value}/{total} pairs {duration_formatted}`, total);
  const batchMs: number[] = [];
  let pairs = 0;
  let lines = 0;
  const t0 = now();
  await mapLimit(storeIds, concurrency, async (storeId) => {
    let afterSku: string | null = null;
    for (;;) {
      const t = now();
      const r = await acts.planStoreBatch({ storeId, asOf: AS_OF, afterSku, batchSize: opts.batch, historyDays: opts.history });
      batchMs.push(now() - t);
      pairs += r.examined;
      lines += r.lines.length;
      bar.increment(r.examined);
      if (r.examined < opts.batch || r.lastSku === null) break;
      afterSku = r.lastSku;
    }
  });
  const ms = now() - t0;
  bar.stop();
  if (pairs !== total) throw new Error(`${label}: planned ${pairs} store × SKU pairs, expected ${total}`);
  return { label, stores: storeIds.length, concurrency: Math.min(concurrency, storeIds.length), pairs, lines, ms, pairsPerSec: pairs / (ms / 1000), batchMs, forecastMs };
}

function report(opts: Options, one: PhaseResult, many: PhaseResult): string {
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
  };
  const rows: string[][] = [
    ['', `${one.stores} store × ${opts.skus}`, `${many.stores} stores × ${opts.skus}`],
    ['store concurrency', String(one.concurrency), String(many.concurrency)],
    ['store × SKU pairs', String(one.pairs), String(many.pairs)],
    ['order lines', String(one.lines), String(many.lines)],
    ['wall time', secs(one.ms), secs(many.ms)],
    ['pairs / second', one.pairsPerSec.toFixed(0), many.pairsPerSec.toFixed(0)],
    [`batch of ${opts.batch}, median`, `${median(one.batchMs).toFixed(0)} ms`, `${median(many.batchMs).toFixed(0)} ms`],
    ['forecasting (CPU), share of wall', `${((100 * one.forecastMs) / one.ms).toFixed(0)}%`, `${((100 * many.forecastMs) / many.ms).toFixed(0)}%`],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`;
  return [
    bold('Replenishment planning: store × SKU pairs per second'),
    dim(`  ${cpus().length} cores, Node ${process.version}; ${opts.history} days of history, batches of ${opts.batch}, activities called in-process (one Node thread, Prisma pool ${opts.concurrency + 2})`),
    '',
    bold(line(rows[0]!)),
    `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...rows.slice(1).map(line),
    '',
    `  throughput ratio (${many.stores} stores ÷ 1 store): ${bold(`${(many.pairsPerSec / one.pairsPerSec).toFixed(2)}x`)}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(join(REPO_ROOT, 'generated', 'prisma', 'client.ts'))) {
    throw new Error('The Prisma client is not generated: run `npm run prisma:generate` first.');
  }
  const databaseUrl = withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE);
  let db: Db | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await db?.$disconnect().catch(() => undefined);
      if (!opts.keep) await dropDatabase(databaseUrl).then(() => note(`dropped ${BENCH_DATABASE}`), (err: Error) => note(`could not drop ${BENCH_DATABASE}: ${err.message}`));
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: interrupted, cleaning up\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    let t = now();
    await dropDatabase(databaseUrl);
    await ensureDatabase(databaseUrl);
    await applyMigrations(databaseUrl);
    note(`database ${BENCH_DATABASE} created and migrated (${secs(now() - t)})`);

    const storeIds = Array.from({ length: opts.stores }, (_, i) => `S-BENCH-${String(i + 1).padStart(3, '0')}`);
    t = now();
    await generate(databaseUrl, opts, storeIds);
    const sc = new Client({ connectionString: databaseUrl });
    await sc.connect();
    const counts = Number((await sc.query<{ n: string }>(`SELECT count(*) AS n FROM "SalesDaily"`)).rows[0]!.n);
    await sc.end();
    note(`generated ${opts.stores} stores × ${opts.skus} SKUs, ${counts.toLocaleString('en-US')} sales rows (${secs(now() - t)})`);

    db = createDb(databaseUrl, { max: opts.concurrency + 2 });
    const acts = createReplenishmentPlanningActivities({ db });
    const perStore = await acts.countStoreSkus({ storeId: storeIds[0]! });
    if (perStore !== opts.skus) throw new Error(`store ${storeIds[0]} has ${perStore} SKUs, expected ${opts.skus}`);

    // Warm-up (JIT, pool connections, query plans): one store, not measured.
    t = now();
    await runPhase(db, 'warm-up', [storeIds[0]!], opts, 1, true);
    note(`warm-up: one store planned in ${secs(now() - t)} (not measured)`);

    const one = await runPhase(db, '1 store', [storeIds[storeIds.length - 1]!], opts, 1);
    note(`1 store: ${one.pairs} pairs in ${secs(one.ms)} (${one.pairsPerSec.toFixed(0)}/s)`);
    const many = await runPhase(db, `${opts.stores} stores, ${opts.concurrency} at a time`, storeIds, opts, opts.concurrency);
    note(`${opts.stores} stores: ${many.pairs} pairs in ${secs(many.ms)} (${many.pairsPerSec.toFixed(0)}/s)`);

    console.log(`\n${report(opts, one, many)}\n`);
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
