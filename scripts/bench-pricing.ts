/**
 * `npm run bench:pricing [-- --n 1000 --concurrency 50 --baseline 20]`
 *
 * Benchmark of price changes end to end: N small (auto-approved, −3 %) store-scoped changes, each
 * for its own SKU in two stores, started through api/processes/price-changes/starter.ts (the code behind
 * POST /api/v1/price-changes: guardrails, conflict claim, workflow start) --concurrency at a time.
 * Each run checks guardrails, auto-approves, pushes the price to both stores' POS (the in-process
 * simulator) and records the price history. Printed: throughput (changes pushed a second) and
 * start-to-pushed latency p50/p95/p99 (from just before the start call to the last POS push the
 * run recorded), against a sequential baseline (--baseline changes, one at a time) in the same run.
 *
 * Self-contained like bench:appointments: its own Temporal dev server on a free port and a scratch
 * database `retail_ops_bench_pricing` (dropped at the end), a worker and the simulator in process.
 */
import { Presets, SingleBar } from 'cli-progress';
import { bold, dim, green, mapLimit, note, now, parseBenchOptions, red, secs, UsageError } from './kit/bench';

const BENCH_DATABASE = 'retail_ops_bench_pricing';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';
const USAGE = `Usage: npm run bench:pricing -- [--n 1000] [--concurrency 50] [--baseline 20]`;

interface Options {
  n: number;
  concurrency: number;
  baseline: number;
}

function parseOptions(argv: string[]): Options {
  const { int } = parseBenchOptions(argv, { n: { type: 'string' }, concurrency: { type: 'string' }, baseline: { type: 'string' } }, USAGE);
  return { n: int('n', 1000, 1, 100_000), concurrency: int('concurrency', 50, 1, 1000), baseline: int('baseline', 20, 1, 1000) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const { startTestInfra, stopTestInfra, withDatabase } = await import('./kit/infra');
  const t0 = now();
  const infra = await startTestInfra({
    label: 'bench setup',
    databaseUrl: withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, BENCH_DATABASE),
    scratchDatabase: new RegExp(`^${BENCH_DATABASE}$`),
    dropDatabaseAtTeardown: true,
  });
  Object.assign(process.env, infra.env);
  const [{ createHarness }, { startPriceChange }] = await Promise.all([import('./kit/harness'), import('../api/processes/price-changes/starter')]);
  const h = await createHarness();
  try {
    await h.startWorker();
    note(`infrastructure, worker and simulator up in ${secs(now() - t0)}`);

    // One region, two stores, a SKU per change (a SKU has at most one active change).
    const total = opts.n + opts.baseline + 1;
    await h.db.region.create({ data: { id: 'R-BENCH', name: 'Bench region' } });
    await h.db.store.createMany({ data: ['T-BENCH-1', 'T-BENCH-2'].map((id) => ({ id, name: id, regionId: 'R-BENCH', city: 'Bench', timezone: 'UTC' })) });
    await h.db.supplier.create({ data: { id: 'SUP-BENCH', name: 'Bench supplier', email: 'bench@example.com', leadTimeDays: 5 } });
    const skus = Array.from({ length: total }, (_, i) => `BENCH-${String(i).padStart(6, '0')}`);
    await h.db.product.createMany({
      data: skus.map((sku) => ({
        sku,
        name: `Bench item ${sku}`,
        category: 'bench',
        brand: 'Bench',
        colour: 'grey',
        size: 'M',
        styleTags: [],
        cost: 40,
        price: 100,
        supplierId: 'SUP-BENCH',
      })),
    });
    const storeIds = ['T-BENCH-1', 'T-BENCH-2'];
    const deps = { client: h.client, db: h.db, taskQueue: h.taskQueue };
    const timing = { monitorWindowMs: 1000, monitorEveryMs: 1000, monitorAfterMs: 0 };

    const startOne = async (sku: string) => {
      const startedAt = Date.now();
      const r = await startPriceChange(deps, { sku, storeIds, newPrice: 97, reason: 'bench', requestedBy: 'system:bench', timing });
      return { id: r.workflowId, startedAt };
    };
    const pushedAt = async (ids: string[]) => {
      const rows = await h.db.channelPricePush.groupBy({
        by: ['priceChangeId'],
        where: { priceChangeId: { in: ids }, status: 'apply' },
        _max: { pushedAt: true },
        _count: true,
      });
      return new Map(rows.filter((r) => r._count === storeIds.length).map((r) => [r.priceChangeId, r._max.pushedAt!.getTime()]));
    };
    const phase = async (label: string, list: string[], concurrency: number) => {
      const bar = new SingleBar({ format: `  ${label.padEnd(11)} {bar} {value}/{total} pushed | {duration}s`, hideCursor: true }, Presets.shades_classic);
      bar.start(list.length, 0);
      const started: { id: string; startedAt: number }[] = [];
      const waitPushed = async (ids: string[]) => {
        for (;;) {
          const done = await pushedAt(ids);
          if (done.size === ids.length) return done;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      if (concurrency === 1) {
        for (const sku of list) {
          const s = await startOne(sku);
          started.push(s);
          await waitPushed([s.id]);
          bar.increment();
        }
      } else {
        const poll = setInterval(() => void pushedAt(started.map((s) => s.id)).then((d) => bar.update(d.size)), 500);
        await mapLimit(list, concurrency, async (sku) => void started.push(await startOne(sku)));
        await waitPushed(started.map((s) => s.id));
        clearInterval(poll);
        bar.update(list.length);
      }
      bar.stop();
      const done = await pushedAt(started.map((s) => s.id));
      const latencies = started.map((s) => done.get(s.id)! - s.startedAt).sort((a, b) => a - b);
      const first = Math.min(...started.map((s) => s.startedAt));
      const last = Math.max(...done.values());
      return {
        n: list.length,
        perSecond: list.length / ((last - first) / 1000),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        ids: started.map((s) => s.id),
      };
    };

    await phase('warm-up', skus.slice(0, 1), 1);
    const seq = await phase('sequential', skus.slice(1, 1 + opts.baseline), 1);
    const con = await phase('concurrent', skus.slice(1 + opts.baseline), opts.concurrency);

    // Every change pushed exactly once per store, and the simulator saw exactly those pushes.
    const pushes = (await (await fetch(`${h.simulator.url}/_price-pushes`)).json()) as { items: { priceChangeId: string }[] };
    const perChange = new Map<string, number>();
    for (const p of pushes.items) perChange.set(p.priceChangeId, (perChange.get(p.priceChangeId) ?? 0) + 1);
    const all = [...seq.ids, ...con.ids];
    const wrong = all.filter((id) => perChange.get(id) !== storeIds.length);

    const row = (k: string, a: string, b: string) => `  ${k.padEnd(34)}${a.padStart(14)}${b.padStart(16)}`;
    const ms = (v: number) => `${Math.round(v)} ms`;
    console.log(`\n${bold('Price changes: small auto-approved changes, start → pushed to both stores’ POS')}`);
    console.log(dim(`  startPriceChange (guardrails, conflict claim, start) → workflow → 2 POS pushes (in-process simulator) → price history`));
    console.log(row('', 'sequential', `${opts.concurrency} at a time`));
    console.log(row('changes', String(seq.n), String(con.n)));
    console.log(row('throughput (changes/s)', seq.perSecond.toFixed(1), con.perSecond.toFixed(1)));
    console.log(row('start → pushed p50', ms(seq.p50), ms(con.p50)));
    console.log(row('start → pushed p95', ms(seq.p95), ms(con.p95)));
    console.log(row('start → pushed p99', ms(seq.p99), ms(con.p99)));
    console.log(`\n  throughput ratio (concurrent ÷ sequential): ${(con.perSecond / seq.perSecond).toFixed(2)}×`);
    const ok = wrong.length === 0;
    console.log(
      `  ${ok ? green('PASS') : red('FAIL')}  every change pushed exactly once to each of its ${storeIds.length} stores (${all.length} changes, ${pushes.items.length} pushes)${ok ? '' : `: ${wrong.slice(0, 5).join(', ')}`}`,
    );
    return ok ? 0 : 1;
  } finally {
    await h.close();
    await stopTestInfra(infra);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(red(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exit(1);
  },
);
