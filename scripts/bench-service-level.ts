/**
 * `npm run bench:service-level [-- --store S001 --series 300 --seed 1 --targets 0.9,0.95,0.98,own]`
 *
 * What service level the replenishment policy really achieves: every series of one store
 * (default: the first, all its SKUs; --series takes the first N) simulated day by day for
 * --sim-days (365) under the planning rules of domain/reorder.ts planSku, and beside it, on the SAME
 * demand and lead times, the rules before issue 17 (`legacy` below), so the gain is a ratio from one run.
 *
 * Data: generateSeedData (prisma/seed-data.ts, pure and seeded; no database). Per series the last
 * --holdout-days (default half the data, at most 365) are held out: demand is replayed from them
 * in order when they cover the simulated days, otherwise drawn from them (bootstrap, same weekday).
 * A held-out stock-out day's demand is unknown (at least what sold), so it is drawn the same way.
 * The forecaster (the baseline, domain/forecasting.ts) sees the earlier part and then, review by
 * review, what the simulated shelf sold: with the new rules a stock-out day (its own or in the
 * data) is NaN and the series starts at its first sale; with the legacy rules every day of the
 * --history-days window is there (zeros before the first sale) and a stock-out day counts as what
 * sold, as planning read SalesDaily before.
 *
 * Policy: a review every --review-days days (default 1, as planning: the replenishment runs daily,
 * PLANNING_DEFAULTS.reviewPeriodDays); lead times drawn per order from the supplier's
 * mean and spread (normal, whole days, at least 1); lost sales on a stock-out; the product's pack
 * size and minimum order. Each policy starts with its own order-up-to level on hand. The new rules
 * read each series' service record as planning does (domain/service-feedback.ts): receipts and
 * stock-out days of the simulated shelf so far.
 *
 * Printed per target (0.90, 0.95, 0.98 and `own`: each series' configured service level): cycle
 * service level achieved (mean over series; a cycle runs from one receipt to the next), fill rate,
 * share of series meeting their target, days of supply (store stock / store daily demand), new
 * vs legacy, and the checks of issue 17 (within 1 point of target on average, ≥ 70% of series
 * meeting it). Then the stock at equal service, the issue's third check (≤ +10% days of supply over legacy): the legacy rules
 * run again at ever higher targets until they achieve the cycle service level the new rules
 * achieved for the last target, and the days of supply they need for it. Then, for the last target,
 * where service is lost: the figures by supplier lead time and by demand pattern (smooth, slow,
 * lumpy), the spread of the per-series gaps to target against the spread chance alone gives, and
 * the share of days out of stock on the data's promotion days (a chain-wide price below list)
 * against the other days. Progress on stderr.
 */
import { forecastOverLeadTime, seasonalExponentialSmoothing, type DemandForecast } from '../domain/forecasting';
import { planSku, roundToPack, SLOW_MOVER_DAILY, zForServiceLevel } from '../domain/reorder';
import { serviceRecord, type ServiceRecord } from '../domain/service-feedback';
import {
  expectedShareMeeting,
  marginForShare,
  median,
  simulateReplenishment,
  summariseSimulations,
  type ReviewView,
  type ServiceLevelSummary,
  type SimulationResult,
} from '../domain/service-level-simulation';
import { FORECAST_SETTINGS } from '../domain/forecasting';
import { PLANNING_DEFAULTS } from '../activities/replenishment/planning';
import { generateSeedData, mulberry32, type ProductRow, type SalesSeries, type SupplierRow } from '../prisma/seed-data';
import { bold, dim, green, note, now, parseBenchOptions, red, secs, UsageError } from './kit/bench';

const USAGE = `npm run bench:service-level [-- options]
  --store ID            store whose series are simulated (default: the first store)
  --series N            only the first N series of the store (default: all)
  --seed N              seed of demand draws and lead times (default 1)
  --targets LIST        service-level targets, comma-separated; "own" = each product's (default 0.9,0.95,0.98,own)
  --sim-days N          days simulated (default 365)
  --holdout-days N      days held out at the end of the data (default half the data, at most 365)
  --history-days N      days of history a forecast looks at (default 120, as planning)
  --review-days N       review period (default ${PLANNING_DEFAULTS.reviewPeriodDays}, as planning)`;

/** The data's reference day: fixed, so every run simulates the same series. */
const DATA_NOW = new Date('2026-12-01T00:00:00.000Z');
const DAY_MS = 86_400_000;
/** Targets the legacy rules are tried at to find the stock they need for the new rules' service. */
const EQUAL_SERVICE_LEVELS = [0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999];

type Policy = 'new' | 'legacy';

interface SeriesCase {
  series: SalesSeries;
  product: ProductRow;
  supplier: SupplierRow;
  /** Days of data before the simulation (what the forecaster sees first). */
  trainDays: number;
  demand: number[];
  leadTimes: number[];
  firstSale: number;
  /** Mean daily demand of the simulated days under SLOW_MOVER_DAILY. */
  slow: boolean;
}

/** The data's stock-out days (1 = the shelf ran empty), when the generator records them. */
function stockoutsOf(series: SalesSeries): ArrayLike<number> | undefined {
  return (series as SalesSeries & { stockout?: ArrayLike<number> }).stockout;
}

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The rules before issue 17, copied from domain/reorder.ts as it was: safety stock over the lead
 * time only, z · sqrt(L·σd² + d²·σL²), reorder point = demand over L + SS, order-up-to = demand over
 * L + R + SS, no forecast level error, the normal approximation for every series.
 */
function legacyQuantity(
  f: DemandForecast,
  position: number,
  p: { lead: number; leadStd: number; review: number; serviceLevel: number; pack: number; minOrder: number },
): number {
  const d = Math.max(0, f.meanDaily);
  const sd = Math.max(0, Number.isFinite(f.stdDaily) ? f.stdDaily : 0);
  const ss = zForServiceLevel(p.serviceLevel) * Math.sqrt(p.lead * sd * sd + d * d * p.leadStd * p.leadStd);
  const reorderPoint = forecastOverLeadTime(f, p.lead).mean + ss;
  const orderUpTo = forecastOverLeadTime(f, p.lead + p.review).mean + ss;
  if (position > reorderPoint) return 0;
  const need = Math.max(0, orderUpTo - position);
  return roundToPack(Math.max(need, need > 0 ? p.minOrder : 0), p.pack, p.minOrder);
}

/** The forecast's level error, or, from a forecaster that does not give it, that of a level smoothed with the baseline's alpha. */
function withLevelStd(f: DemandForecast): DemandForecast {
  if (f.levelStdDaily !== undefined) return f;
  const a = FORECAST_SETTINGS.alpha;
  return { ...f, levelStdDaily: Math.sqrt(a / (2 - a)) * Math.max(0, f.stdDaily) };
}

function buildCases(opts: { storeId: string | undefined; series: number; seed: number; simDays: number; holdoutDays: number | undefined }) {
  const data = generateSeedData(DATA_NOW);
  const storeId = opts.storeId ?? data.stores[0]!.id;
  if (!data.stores.some((s) => s.id === storeId)) throw new UsageError(`no store ${storeId} in the demo data (${data.stores.map((s) => s.id).join(', ')})`);
  const products = new Map(data.products.map((p) => [p.sku, p]));
  const suppliers = new Map(data.suppliers.map((s) => [s.id, s]));
  const days = data.sales.days;
  const holdout = Math.min(days - 28, opts.holdoutDays ?? Math.min(365, Math.floor(days / 2)));
  if (holdout < 28) throw new UsageError(`the data has ${days} days: too few to hold out 28 and fit on the rest`);
  const trainDays = days - holdout;
  const cases: SeriesCase[] = [];
  const all = data.sales.series.filter((s) => s.storeId === storeId).slice(0, opts.series);
  for (const [i, series] of all.entries()) {
    const product = products.get(series.sku);
    const supplier = product && suppliers.get(product.supplierId);
    if (!product || !supplier || !product.active) continue;
    const stockouts = stockoutsOf(series);
    const censored = (d: number): boolean => stockouts?.[d] === 1;
    // Held-out days with a known demand, by weekday, for draws.
    const byWeekday: number[][] = [[], [], [], [], [], [], []];
    for (let d = trainDays; d < days; d++) if (!censored(d)) byWeekday[d % 7]!.push(series.units[d]!);
    const known = byWeekday.flat();
    if (known.length === 0) continue;
    const rng = mulberry32((opts.seed * 1_000_003 + i * 7_919) >>> 0);
    const draw = (day: number): number => {
      const pool = byWeekday[day % 7]!.length > 0 ? byWeekday[day % 7]! : known;
      return pool[Math.floor(rng() * pool.length)]!;
    };
    const replay = holdout >= opts.simDays;
    const demand: number[] = [];
    for (let t = 0; t < opts.simDays; t++) {
      const day = trainDays + t;
      demand.push(replay && !censored(day) ? series.units[day]! : draw(day));
    }
    if (demand.every((u) => u === 0)) continue;
    const leadTimes = Array.from({ length: 400 }, () => Math.max(1, Math.round(supplier.leadTimeDays + supplier.leadTimeStdDays * normal(rng))));
    let firstSale = 0;
    while (firstSale < trainDays && series.units[firstSale] === 0) firstSale++;
    if (firstSale >= trainDays) continue; // never sold before the simulation: nothing to forecast from
    const slow = demand.reduce((a, b) => a + b, 0) / demand.length < SLOW_MOVER_DAILY;
    cases.push({ series, product, supplier, trainDays, demand, leadTimes, firstSale, slow });
  }
  return { cases, storeId, days, holdout, trainDays, firstDay: data.sales.firstDay, replay: holdout >= opts.simDays };
}

function simulate(c: SeriesCase, policy: Policy, target: number, opts: { historyDays: number; reviewDays: number; firstDay: string }): SimulationResult {
  const { series, product, supplier, trainDays } = c;
  const lead = supplier.leadTimeDays;
  const horizon = Math.ceil(lead + opts.reviewDays) + 1;
  // The recorded history as the policy's planning reads it: data days, then the simulated shelf's.
  const recorded: number[] = [];
  const stockouts = stockoutsOf(series);
  for (let d = 0; d < trainDays; d++) recorded.push(policy === 'new' && stockouts?.[d] === 1 ? Number.NaN : series.units[d]!);
  const first = policy === 'new' ? c.firstSale : 0;
  const forecastAt = (view: ReviewView): DemandForecast => {
    while (recorded.length < trainDays + view.sales.length) {
      const t = recorded.length - trainDays;
      recorded.push(policy === 'new' && view.stockouts[t] ? Number.NaN : view.sales[t]!);
    }
    const end = recorded.length;
    let start = end - opts.historyDays;
    let units: number[];
    if (policy === 'legacy' && start < 0) units = [...new Array<number>(-start).fill(0), ...recorded.slice(0, end)];
    else {
      start = Math.max(start, first);
      units = recorded.slice(start, end);
    }
    return seasonalExponentialSmoothing.forecast({ startDay: addDays(opts.firstDay, Math.max(0, start)), units }, horizon);
  };
  // The record planning reads from receipts and SalesDaily's stock-out flags, here from the simulated shelf.
  const stockoutDays: number[] = [];
  let scanned = 0;
  const serviceRecordAt = (view: ReviewView): ServiceRecord => {
    for (; scanned < view.stockouts.length; scanned++) if (view.stockouts[scanned]) stockoutDays.push(scanned);
    return serviceRecord(view.receipts ?? [], stockoutDays, view.day);
  };
  const quantity = (view: ReviewView): number => {
    const f = forecastAt(view);
    const position = view.onHand + view.onOrder;
    if (policy === 'legacy') {
      return legacyQuantity(f, position, {
        lead,
        leadStd: supplier.leadTimeStdDays,
        review: opts.reviewDays,
        serviceLevel: target,
        pack: product.packSize,
        minOrder: product.minOrderQty,
      });
    }
    const line = planSku({
      sku: product.sku,
      supplierId: supplier.id,
      unitCost: product.costCents / 100,
      onHand: view.onHand,
      reserved: 0,
      onOrder: view.onOrder,
      forecast: withLevelStd(f),
      leadTimeDays: lead,
      leadTimeStdDays: supplier.leadTimeStdDays,
      serviceLevel: target,
      reviewPeriodDays: opts.reviewDays,
      packSize: product.packSize,
      minOrderQty: product.minOrderQty,
      serviceRecord: serviceRecordAt(view),
    });
    return line?.quantity ?? 0;
  };
  const initialOnHand = quantity({ day: 0, onHand: 0, onOrder: 0, sales: [], stockouts: [] });
  return simulateReplenishment({ demand: c.demand, initialOnHand, reviewPeriodDays: opts.reviewDays, leadTimes: c.leadTimes, order: quantity });
}

const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
const pad = (s: string, n: number) => s.padStart(n);

function main(): void {
  const { values, int } = parseBenchOptions(
    process.argv.slice(2),
    {
      store: { type: 'string' },
      series: { type: 'string' },
      seed: { type: 'string' },
      targets: { type: 'string' },
      'sim-days': { type: 'string' },
      'holdout-days': { type: 'string' },
      'history-days': { type: 'string' },
      'review-days': { type: 'string' },
    },
    USAGE,
  );
  const opts = {
    storeId: typeof values.store === 'string' ? values.store : undefined,
    series: int('series', Number.MAX_SAFE_INTEGER, 1),
    seed: int('seed', 1, 0),
    simDays: int('sim-days', 365, 28, 5_000),
    holdoutDays: values['holdout-days'] === undefined ? undefined : int('holdout-days', 0, 28),
    historyDays: int('history-days', 120, 14, 3 * 365),
    reviewDays: int('review-days', PLANNING_DEFAULTS.reviewPeriodDays, 1, 90),
  };
  const targets = (typeof values.targets === 'string' ? values.targets : '0.9,0.95,0.98,own').split(',').map((t) => {
    const v = t.trim();
    if (v === 'own') return 'own' as const;
    const n = Number(v);
    if (!(n >= 0.5 && n < 1)) throw new UsageError(`--targets: ${v} is not a service level from 0.5 to below 1, nor "own"`);
    return n;
  });

  const t0 = now();
  note('generating the demo data (prisma/seed-data.ts)…');
  const built = buildCases(opts);
  const { cases } = built;
  note(
    `store ${built.storeId}: ${cases.length} series with demand; data ${built.days} days, fitted on the first ${built.trainDays}, ` +
      `${built.holdout} held out (${built.replay ? 'replayed in order' : `bootstrapped to ${opts.simDays} days`}) (${secs(now() - t0)})`,
  );

  type Row = { target: string; summaries: Record<Policy, ServiceLevelSummary> };
  const rows: Row[] = [];
  const breakdown: Row[] = [];
  const chanceLines: string[] = [];
  const lastRuns = {} as Record<Policy, { target: number; result: SimulationResult }[]>;
  const total = targets.length * 2 * cases.length;
  let done = 0;
  let lastNote = now();
  for (const target of targets) {
    const summaries = {} as Record<Policy, ServiceLevelSummary>;
    const slowSummaries = {} as Record<Policy, ServiceLevelSummary>;
    const fastSummaries = {} as Record<Policy, ServiceLevelSummary>;
    for (const policy of ['new', 'legacy'] as const) {
      const runs = cases.map((c) => {
        const level = target === 'own' ? c.product.serviceLevel : target;
        const result = simulate(c, policy, level, { historyDays: opts.historyDays, reviewDays: opts.reviewDays, firstDay: built.firstDay });
        done += 1;
        if (now() - lastNote > 2_000) {
          lastNote = now();
          note(`${done}/${total} simulations (${pct(done / total, 0)}, ${secs(now() - t0)})`);
        }
        return { target: level, result };
      });
      lastRuns[policy] = runs;
      summaries[policy] = summariseSimulations(runs);
      slowSummaries[policy] = summariseSimulations(runs.filter((_, k) => cases[k]!.slow));
      fastSummaries[policy] = summariseSimulations(runs.filter((_, k) => !cases[k]!.slow));
    }
    const label = target === 'own' ? 'own' : target.toFixed(2);
    {
      // What chance allows: each series' own cycles, every cycle good with probability target + margin.
      const cycles = lastRuns.new.map(({ target: t, result }) => ({ cycles: result.cycles, target: t }));
      const margin = summaries.new.cycleServiceLevel - summaries.new.target;
      const needed = marginForShare(cycles, 0.7);
      chanceLines.push(
        `${label}: a policy exactly on every series' target would see ${pct(expectedShareMeeting(cycles, 0), 0)} of them meet it, ` +
          `${pct(expectedShareMeeting(cycles, margin), 0)} at the achieved ${margin >= 0 ? '+' : ''}${(margin * 100).toFixed(1)} points, ` +
          `${pct(expectedShareMeeting(cycles, 0.01), 0)} at +1 point; 70% takes ${needed === null ? 'more than any margin' : `+${(needed * 100).toFixed(1)} points on every series`}`,
      );
    }
    rows.push({ target: label, summaries });
    breakdown.push({ target: `${label} slow`, summaries: slowSummaries }, { target: `${label} other`, summaries: fastSummaries });
  }
  // Stock at equal service: the legacy rules with ever higher targets, until they achieve what the
  // new rules achieve for the last target; days of supply interpolated between the two bracketing runs.
  const reference = rows[rows.length - 1]!;
  const wanted = reference.summaries.new.cycleServiceLevel;
  const climb: { level: number; summary: ServiceLevelSummary }[] = [];
  for (const level of EQUAL_SERVICE_LEVELS) {
    const summary = summariseSimulations(
      cases.map((c) => ({
        target: level,
        result: simulate(c, 'legacy', level, { historyDays: opts.historyDays, reviewDays: opts.reviewDays, firstDay: built.firstDay }),
      })),
    );
    climb.push({ level, summary });
    note(`legacy at ${pct(level, 2)}: cycle SL ${pct(summary.cycleServiceLevel)}, ${summary.daysOfSupply.toFixed(1)} days of supply (${secs(now() - t0)})`);
    if (summary.cycleServiceLevel >= wanted) break;
  }
  const elapsed = now() - t0;

  console.log(
    bold(
      `\nbench:service-level — store ${built.storeId}, ${cases.length} series, ${opts.simDays} days, review every ${opts.reviewDays} days, seed ${opts.seed}`,
    ),
  );
  console.log(
    dim(
      `demand: ${built.replay ? 'held-out days replayed' : 'bootstrap of held-out days'} (data ${built.days} days, fit on ${built.trainDays}); ` +
        `new = domain/reorder.ts planSku with each series' service record (domain/service-feedback.ts), legacy = the rules before issue 17 (lead-time-only safety stock, zero-filled history, stock-outs as sales)`,
    ),
  );
  console.log(
    `\n${pad('target', 11)} ${pad('n', 4)} ${pad('mean', 6)} │ ${pad('cycle SL new', 12)} ${pad('legacy', 7)} │ ${pad('fill new', 8)} ${pad('legacy', 7)} │ ` +
      `${pad('meeting new', 11)} ${pad('legacy', 7)} │ ${pad('days of supply new', 18)} ${pad('legacy', 7)} ${pad('ratio', 6)} │ checks`,
  );
  let allPass = true;
  /** The checks on the products' own targets (the policy as configured), when `own` is among the targets. */
  let ownPass: boolean | null = null;
  const failing: string[] = [];
  const printRow = ({ target, summaries }: Row, checked: boolean): void => {
    const n = summaries.new;
    const l = summaries.legacy;
    const ratio = l.daysOfSupply > 0 ? n.daysOfSupply / l.daysOfSupply : Infinity;
    const within = Math.abs(n.cycleServiceLevel - n.target) <= 0.01;
    const meeting = n.meetingTarget >= 0.7;
    const mark = (ok: boolean, label: string) => (ok ? green(label) : red(label));
    if (checked && !(within && meeting)) {
      allPass = false;
      failing.push(
        `${target}: ${!within ? `mean ${((n.cycleServiceLevel - n.target) * 100).toFixed(1)} points from target` : ''}${!within && !meeting ? ', ' : ''}${!meeting ? `${pct(n.meetingTarget, 0)} meeting` : ''}`,
      );
    }
    if (checked && target === 'own') ownPass = within && meeting;
    console.log(
      `${pad(target, 11)} ${pad(String(n.series), 4)} ${pad(pct(n.target), 6)} │ ${pad(pct(n.cycleServiceLevel), 12)} ${pad(pct(l.cycleServiceLevel), 7)} │ ` +
        `${pad(pct(n.fillRate), 8)} ${pad(pct(l.fillRate), 7)} │ ${pad(pct(n.meetingTarget, 0), 11)} ${pad(pct(l.meetingTarget, 0), 7)} │ ` +
        `${pad(n.daysOfSupply.toFixed(1), 18)} ${pad(l.daysOfSupply.toFixed(1), 7)} ${pad(`${ratio.toFixed(2)}x`, 6)} │ ` +
        (checked ? `${mark(within, 'SL±1pt')} ${mark(meeting, '≥70%')}` : ''),
    );
  };
  for (const row of rows) printRow(row, true);
  console.log(dim(`by kind of series (slow: under ${SLOW_MOVER_DAILY} unit a day over the simulated days):`));
  for (const row of breakdown) printRow(row, false);
  console.log(
    dim(
      `\ncycle SL: mean over series of the share of replenishment cycles (receipt to receipt) without a lost sale; pooled over all cycles: ` +
        rows.map((r) => `${r.target} ${pct(r.summaries.new.pooledCycleServiceLevel)} vs ${pct(r.summaries.legacy.pooledCycleServiceLevel)}`).join(', '),
    ),
  );
  console.log(
    dim(
      `days of supply: store stock / store daily demand; median per series: ` +
        rows.map((r) => `${r.target} ${r.summaries.new.medianDaysOfSupply.toFixed(1)} vs ${r.summaries.legacy.medianDaysOfSupply.toFixed(1)}`).join(', '),
    ),
  );
  console.log(
    dim(
      `share meeting target by chance alone for rules that hold each series at one level (median ${median(lastRuns.new.map((r) => r.result.cycles))} cycles a series; each cycle good or not independently; ` +
        `service feedback moves a series' level with its record, so the new rules can beat it):\n  ` +
        chanceLines.join('\n  '),
    ),
  );
  // Where service is lost, for the last target: by supplier lead time, and on promotion days.
  console.log(dim(`by supplier lead time (target ${reference.target}):`));
  for (const lead of [...new Set(cases.map((c) => c.supplier.leadTimeDays))].sort((a, b) => a - b)) {
    const picked = (policy: Policy) => summariseSimulations(lastRuns[policy].filter((_, k) => cases[k]!.supplier.leadTimeDays === lead));
    printRow({ target: `lead ${lead}d`, summaries: { new: picked('new'), legacy: picked('legacy') } }, false);
  }
  // By how demand arrives (the generator's pattern: smooth, slow, lumpy baskets): lumpy series lose most.
  console.log(dim(`by demand pattern (target ${reference.target}):`));
  for (const pattern of [...new Set(cases.map((c) => c.series.pattern))].sort()) {
    const picked = (policy: Policy) => summariseSimulations(lastRuns[policy].filter((_, k) => cases[k]!.series.pattern === pattern));
    printRow({ target: pattern, summaries: { new: picked('new'), legacy: picked('legacy') } }, false);
  }
  {
    // Spread of the per-series gaps (achieved − target) against what chance alone gives each series
    // (binomial over its own cycles at its own target): the excess is what systematic losses add.
    const gaps = lastRuns.new.filter((r) => r.result.cycleServiceLevel !== null && r.result.cycles > 0);
    const mean = gaps.reduce((a, r) => a + r.result.cycleServiceLevel! - r.target, 0) / Math.max(1, gaps.length);
    const sd = Math.sqrt(gaps.reduce((a, r) => a + (r.result.cycleServiceLevel! - r.target - mean) ** 2, 0) / Math.max(1, gaps.length));
    const chance = Math.sqrt(gaps.reduce((a, r) => a + (r.target * (1 - r.target)) / r.result.cycles, 0) / Math.max(1, gaps.length));
    console.log(
      dim(
        `per-series gap to target (target ${reference.target}, ${gaps.length} series with a cycle): mean ${(mean * 100).toFixed(2)} points, ` +
          `spread ${(sd * 100).toFixed(1)} points against ${(chance * 100).toFixed(1)} from chance alone (binomial over each series' cycles)`,
      ),
    );
  }
  if (built.replay) {
    const outOfStock = (policy: Policy) => {
      const days = { promotion: [0, 0], other: [0, 0] };
      lastRuns[policy].forEach(({ result }, k) => {
        const c = cases[k]!;
        result.stockouts.forEach((out, t) => {
          const price = c.series.dailyPriceCents[c.trainDays + t];
          const bucket = price !== undefined && price < c.series.priceCents ? days.promotion : days.other;
          bucket[0] += 1;
          if (out) bucket[1] += 1;
        });
      });
      return days;
    };
    const share = ([n, out]: number[]) => pct(n! > 0 ? out! / n! : 0);
    const n = outOfStock('new');
    const l = outOfStock('legacy');
    const promotionShare = n.promotion[0]! / Math.max(1, n.promotion[0]! + n.other[0]!);
    console.log(
      dim(
        `days out of stock (target ${reference.target}): on promotion days (${pct(promotionShare)} of the simulated days) ${share(n.promotion)} new, ` +
          `${share(l.promotion)} legacy; on the other days ${share(n.other)} new, ${share(l.other)} legacy`,
      ),
    );
  }
  // The stock check is at equal service: the legacy rules' stock at the same target buys less service.
  const reached = climb.findIndex((c) => c.summary.cycleServiceLevel >= wanted);
  let stockRatio: number | null = null;
  if (reached < 0) {
    const last = climb[climb.length - 1]!;
    console.log(
      `\nat equal service: the legacy rules do not reach the ${pct(wanted)} cycle SL of the new rules (target ${reference.target}) with any target up to ` +
        `${pct(last.level, 2)} (${pct(last.summary.cycleServiceLevel)} there, at ${last.summary.daysOfSupply.toFixed(1)} days of supply)`,
    );
  } else {
    const hi = climb[reached]!;
    const lo = reached > 0 ? climb[reached - 1]! : null;
    const dos =
      lo && hi.summary.cycleServiceLevel > lo.summary.cycleServiceLevel
        ? lo.summary.daysOfSupply +
          ((wanted - lo.summary.cycleServiceLevel) / (hi.summary.cycleServiceLevel - lo.summary.cycleServiceLevel)) *
            (hi.summary.daysOfSupply - lo.summary.daysOfSupply)
        : hi.summary.daysOfSupply;
    stockRatio = reference.summaries.new.daysOfSupply / dos;
    console.log(
      `\nat equal service: the legacy rules reach the ${pct(wanted)} cycle SL of the new rules (target ${reference.target}) at a target of about ` +
        `${pct(hi.level, 2)}, with ${dos.toFixed(1)} days of supply: the new rules need ${(reference.summaries.new.daysOfSupply / dos).toFixed(2)}x that`,
    );
  }
  const stockOk = stockRatio === null || stockRatio <= 1.1;
  if (!stockOk) allPass = false;
  if (ownPass !== null && reference.target === 'own') ownPass = ownPass && stockOk;
  console.log(
    `days of supply at equal service ≤ +10% over the legacy rules: ${stockOk ? green('yes') : red('no')}` +
      (stockRatio === null ? ' (the legacy rules never reach the same service)' : ` (${stockRatio.toFixed(2)}x)`),
  );
  if (ownPass !== null) {
    console.log(`\nthe products' own targets (the policy as configured): ${ownPass ? green('all three checks met') : red('not all three checks met')}`);
  }
  console.log(
    `${ownPass === null ? '\n' : ''}${allPass ? green('all checks pass') : red('some checks fail')}${failing.length ? ` (${failing.join('; ')})` : ''} — ${total} simulations in ${secs(elapsed)}`,
  );
}

try {
  main();
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw err;
}
