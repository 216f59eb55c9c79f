/**
 * Demo seed: writes the deterministic data of prisma/seed-data.ts into Postgres.
 *
 * The demo principals (`demo-key-<id>`, published in the README, including the `system` key) are
 * written only in demo mode: `seed(db, { demo: true })`, or as a script with `--demo` or
 * RETAIL_OPS_DEMO=true (`npm start`, `npm run demo:reset` and the tests' setup do so). Without it
 * no principal is created, and demo keys an earlier demo seed left active are revoked; real
 * principals come from `npm run principal:create`.
 *
 * Idempotent: when the seed is already present (store S001 and the completion marker, an
 * AuditEvent written last) only the demo principals are checked. An interrupted seed is detected
 * as absent and simply re-run; every insert skips rows that already exist (ON CONFLICT DO NOTHING /
 * skipDuplicates).
 *
 * Big tables (sales history, inventory, orders, shifts, appointments) go in as
 * `INSERT ... SELECT FROM unnest($1::text[], ...)` in chunks.
 *
 * As a script (`npx tsx prisma/seed.ts [--demo]`): reads DATABASE_URL, creates the database and
 * applies migrations when needed, seeds with a progress bar; in demo mode it also puts the demo
 * scenario in place when none is open, and prints the scenario appointment id.
 */
import { createModelRegistryActivities } from '../activities/model-retraining/registry';
import { createModelTrainingActivities } from '../activities/model-retraining/training';
import { hashApiKey } from '../platform/api-keys';
import { createDb, type Db } from '../platform/db';
import { SERVICE_FEEDBACK } from '../domain/service-feedback';
import { ORDER_HISTORY_WORKFLOW_ID } from '../domain/purchase-orders';
import { applyMigrations, ensureDatabase } from '../platform/migrations';
import { ALIASES, DEMAND_MODEL, aliasTarget, lockModel, setAlias } from '../platform/model-registry';
import { findOpenScenario, putScenarioInPlace } from './demo-scenario';
import { DEMO_PRINCIPALS, centsToDecimal, demoChampion, generateSeedData, isoDay, type SalesHistory, type SeedData } from './seed-data';

export interface SeedOptions {
  /** Create (or restore) the demo principals and their published keys; false revokes those keys. */
  demo: boolean;
  now?: Date;
  onProgress?: (step: string, done: number, total: number) => void;
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/retail_ops';

const SALES_CHUNK_ROWS = 40_000;
const CHUNK_ROWS = 20_000;

/** Written last by the seed: its presence says the data is complete. */
const SEEDED_MARKER = 'seed:demo-data';

/** True when the demo data seed has completed before. */
export async function isSeeded(db: Db): Promise<boolean> {
  const [store, marker, gateway] = await Promise.all([
    db.store.findUnique({ where: { id: 'S001' }, select: { id: true } }),
    db.auditEvent.findUnique({ where: { idempotencyKey: SEEDED_MARKER }, select: { id: true } }),
    // Seeds from before the marker existed ended with the demo principals' keys.
    db.apiKey.findUnique({ where: { id: 'apikey-demo-pos-gateway' }, select: { id: true } }),
  ]);
  return store !== null && (marker !== null || gateway !== null);
}

/** RETAIL_OPS_DEMO=true|1|yes, or `--demo` among the arguments. */
export function demoRequested(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--demo') || ['true', '1', 'yes'].includes((env.RETAIL_OPS_DEMO ?? '').trim().toLowerCase());
}

const DEMO_KEY_HASHES = DEMO_PRINCIPALS.map((p) => hashApiKey(p.apiKey));

/** Revokes the published demo keys still active (an installation seeded in demo mode before); returns how many. */
export async function revokeDemoKeys(db: Db, at: Date = new Date()): Promise<number> {
  const { count } = await db.apiKey.updateMany({ where: { keyHash: { in: DEMO_KEY_HASHES }, revokedAt: null }, data: { revokedAt: at } });
  return count;
}

/** Creates or restores the demo principals of DESIGN.md and their `demo-key-<id>` API keys. */
export async function ensurePrincipals(db: Db): Promise<void> {
  for (const p of DEMO_PRINCIPALS) {
    const fields = {
      displayName: p.displayName,
      email: p.email,
      role: p.role,
      allScopes: p.allScopes,
      storeIds: p.storeIds,
      regionIds: p.regionIds,
      categories: p.categories,
      staffId: p.staffId,
      active: true,
    };
    await db.principal.upsert({ where: { id: p.id }, create: { id: p.id, ...fields }, update: fields });
    await db.apiKey.upsert({
      where: { keyHash: hashApiKey(p.apiKey) },
      create: { id: `apikey-demo-${p.id}`, principalId: p.id, keyHash: hashApiKey(p.apiKey), label: 'demo key (README)' },
      update: { revokedAt: null },
    });
  }
}

// ---------------------------------------------------------------------------
// Bulk insert through unnest
// ---------------------------------------------------------------------------

type ColumnType = 'text' | 'int' | 'float' | 'bool' | 'numeric' | 'timestamp' | 'jsonb' | `enum:${string}`;
interface Column {
  name: string;
  type: ColumnType;
  values: unknown[];
}

function columnSql(c: Column, i: number): { param: string; select: string } {
  const alias = `c${i}`;
  switch (c.type) {
    case 'text':
      return { param: `$${i + 1}::text[]`, select: alias };
    case 'int':
      return { param: `$${i + 1}::int[]`, select: alias };
    case 'float':
      return { param: `$${i + 1}::float8[]`, select: alias };
    case 'bool':
      return { param: `$${i + 1}::bool[]`, select: alias };
    case 'numeric':
      return { param: `$${i + 1}::numeric[]`, select: alias };
    case 'jsonb':
      return { param: `$${i + 1}::text[]`, select: `${alias}::jsonb` };
    // ISO strings with Z: read as an instant, stored as the UTC wall time (Prisma's TIMESTAMP(3)).
    case 'timestamp':
      return { param: `$${i + 1}::text[]`, select: `(${alias}::timestamptz AT TIME ZONE 'UTC')` };
    default:
      return { param: `$${i + 1}::text[]`, select: `${alias}::"${c.type.slice(5)}"` };
  }
}

async function insertUnnest(db: Db, table: string, columns: Column[]): Promise<void> {
  const parts = columns.map(columnSql);
  const sql =
    `INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) ` +
    `SELECT ${parts.map((p) => p.select).join(', ')} ` +
    `FROM unnest(${parts.map((p) => p.param).join(', ')}) AS t(${columns.map((_, i) => `c${i}`).join(', ')}) ` +
    `ON CONFLICT DO NOTHING`;
  await db.$executeRawUnsafe(sql, ...columns.map((c) => c.values));
}

/** Inserts `rows` in chunks, mapping each chunk to columns; reports rows done. */
async function bulkInsert<T>(
  db: Db,
  table: string,
  rows: readonly T[],
  toColumns: (chunk: readonly T[]) => Column[],
  progress: (rows: number) => void,
  chunkRows = CHUNK_ROWS,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunkRows) {
    const chunk = rows.slice(i, i + chunkRows);
    await insertUnnest(db, table, toColumns(chunk));
    progress(chunk.length);
  }
}

const iso = (d: Date) => d.toISOString();
const col = <T>(name: string, type: ColumnType, chunk: readonly T[], get: (row: T) => unknown): Column => ({
  name,
  type,
  values: chunk.map(get),
});

/**
 * Inserts daily sales, one row per series and day, stock-out days flagged; `progress` gets rows
 * done. Rows already there are skipped, unless `fresh` says the table holds none of them. Each statement carries a chunk of series: store and SKU once per series, units, prices and
 * stock-outs as flat arrays that SQL indexes by series and day, so no text is sent per row.
 */
export async function insertSales(
  db: Db,
  sales: SalesHistory,
  progress: (rows: number) => void = () => undefined,
  opts: { fresh?: boolean } = {},
): Promise<void> {
  const days = sales.days;
  const perChunk = Math.max(1, Math.floor(SALES_CHUNK_ROWS / days));
  const chunks: Array<typeof sales.series> = [];
  for (let i = 0; i < sales.series.length; i += perChunk) chunks.push(sales.series.slice(i, i + perChunk));
  const sql =
    `INSERT INTO "SalesDaily" ("storeId", "sku", "day", "units", "revenue", "stockout") ` +
    `SELECT k.s, k.k, $6::date + o, u[i], (u[i]::numeric * pc[i]) / 100, so[i] ` +
    `FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(s, k, n) ` +
    `CROSS JOIN generate_series(0, $7::int - 1) AS o ` +
    `CROSS JOIN LATERAL (SELECT ((k.n - 1) * $7::int + o + 1)::int AS i) AS at, ` +
    `(SELECT $3::int[] AS u, $4::int[] AS pc, $5::bool[] AS so) AS a` +
    // Into an empty table (a first seed) the conflict check is a fifth of the time for nothing.
    (opts.fresh ? '' : ` ON CONFLICT DO NOTHING`);
  const run = async (chunk: typeof sales.series) => {
    const n = chunk.length * days;
    const units = new Array<number>(n);
    const prices = new Array<number>(n);
    const stockouts = new Array<boolean>(n);
    let j = 0;
    for (const s of chunk) {
      for (let d = 0; d < days; d++, j++) {
        units[j] = s.units[d];
        prices[j] = s.dailyPriceCents[d];
        stockouts[j] = s.stockout[d] === 1;
      }
    }
    await db.$executeRawUnsafe(
      sql,
      chunk.map((s) => s.storeId),
      chunk.map((s) => s.sku),
      units,
      prices,
      stockouts,
      sales.firstDay,
      days,
    );
    progress(n);
  };
  // Two statements in flight: one is being built / sent while Postgres inserts the other.
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await run(chunks[next++]);
  };
  await Promise.all([worker(), worker()]);
}

// ---------------------------------------------------------------------------
// The demand model's first champion
// ---------------------------------------------------------------------------

export interface SeededChampion {
  versionId: string;
  /** False when the model already had versions (or this one complete): nothing was written. */
  created: boolean;
}

/**
 * Registers the demo's first champion of the demand model, v1 (Croston-SBA for every series, see
 * DEMO_CHAMPION_SPEC), as a retraining would have left it: one ModelSeriesParams row per series
 * with its spec and holdout errors (computed from the sales by demoChampion), the version's
 * evaluation summed from those rows by the retraining's own evaluateModelVersion (its demand
 * profile is the drift check's baseline), its data fingerprint, and the `champion` alias. The first
 * retraining then compares its challenger with v1's forecasts on its own holdout.
 *
 * Idempotent: a model that has versions other than v1 is left alone; a v1 half written by an
 * interrupted seed is completed.
 */
export async function seedDemandChampion(
  db: Db,
  input: { sales: SalesHistory; products: readonly { sku: string; category: string }[]; modelName?: string; storeIds?: string[]; now?: Date },
): Promise<SeededChampion> {
  const modelName = input.modelName ?? DEMAND_MODEL;
  const versionId = `${modelName}-v1`;
  const others = await db.modelVersion.count({ where: { modelName, NOT: { id: versionId } } });
  const existing = await db.modelVersion.findUnique({ where: { id: versionId }, select: { status: true } });
  if (others > 0 || existing?.status === 'promoted') return { versionId, created: false };

  const champion = demoChampion(input.sales, new Map(input.products.map((p) => [p.sku, p.category])));
  const at = (day: string) => new Date(`${day}T00:00:00Z`);
  await db.modelVersion.createMany({
    data: [
      {
        id: versionId,
        modelName,
        version: 1,
        status: 'training',
        reason: 'The first model: Croston-SBA (alpha 0.5) for every series, registered with the demo data.',
        params: { settings: { seeded: true, spec: { ...champion.spec } }, storeIds: input.storeIds ?? null, comparedWith: null } as object,
        metrics: {},
        trainingWindowStart: at(champion.trainingStart),
        trainingWindowEnd: at(champion.holdoutStart),
        holdoutStart: at(champion.holdoutStart),
        holdoutEnd: at(champion.asOf),
        dataFingerprint: '',
        codeVersion: 'seed',
        seriesCount: champion.series.length,
        createdBy: 'system',
        ...(input.now ? { createdAt: input.now } : {}),
      },
    ],
    skipDuplicates: true,
  });
  for (let i = 0; i < champion.series.length; i += CHUNK_ROWS) {
    await db.modelSeriesParams.createMany({
      data: champion.series.slice(i, i + CHUNK_ROWS).map((r) => ({ ...r, params: { ...r.params }, modelVersionId: versionId })),
      skipDuplicates: true,
    });
  }
  const evaluation = await createModelTrainingActivities({ db }).evaluateModelVersion({ versionId, championVersionId: null, championVersion: null });
  await createModelRegistryActivities({ db, codeVersion: 'seed' }).recordDataFingerprint({ versionId });
  await db.$transaction(async (tx) => {
    await lockModel(tx, modelName);
    await tx.modelVersion.update({
      where: { id: versionId },
      data: { metrics: evaluation as unknown as object, status: 'promoted', outcomeNote: 'The first champion, registered with the demo data.' },
    });
    if (!(await aliasTarget(tx, modelName, ALIASES.champion))) await setAlias(tx, modelName, ALIASES.champion, versionId, 'system');
  });
  return { versionId, created: true };
}

// ---------------------------------------------------------------------------
// Seed
// ---------------------------------------------------------------------------

export interface SeedResult {
  created: boolean;
  /** Demo keys revoked because this seed ran without demo mode. */
  demoKeysRevoked: number;
}

export async function seed(db: Db, opts: SeedOptions): Promise<SeedResult> {
  if (await isSeeded(db)) {
    if (opts.demo) await ensurePrincipals(db);
    return { created: false, demoKeysRevoked: opts.demo ? 0 : await revokeDemoKeys(db) };
  }
  const now = opts.now ?? new Date();
  const data = generateSeedData(now);
  await writeSeedData(db, data, opts.demo, opts.onProgress);
  return { created: true, demoKeysRevoked: opts.demo ? 0 : await revokeDemoKeys(db) };
}

/** How far back the shelves' receipts are written as purchase orders: the year service feedback reads (domain/service-feedback.ts). */
const RECEIPT_HISTORY_DAYS = SERVICE_FEEDBACK.windowDays;

interface ReceiptHistory {
  orders: { id: string; storeId: string; supplierId: string; totalCents: number; orderedAt: Date; closedAt: Date }[];
  lines: { id: string; purchaseOrderId: string; sku: string; units: number; unitCostCents: number }[];
  events: { id: string; purchaseOrderId: string; receivedAt: Date; lines: { sku: string; quantityReceived: number }[] }[];
}

/**
 * The simulated shelves' orders received in the last RECEIPT_HISTORY_DAYS days as the system would
 * have recorded them: one received purchase order per store, supplier and order day (IDs PO-H-…,
 * apart from those replenishment runs give theirs), its lines, and a `received` supplier event per
 * day something on it arrived. Planning reads them as the cycles of each series' service record.
 */
function receiptHistory(data: SeedData): ReceiptHistory {
  const first = Date.parse(`${data.sales.firstDay}T00:00:00Z`);
  const from = data.sales.days - RECEIPT_HISTORY_DAYS;
  const products = new Map(data.products.map((p) => [p.sku, p]));
  const day = (i: number) => isoDay(first + i * 86_400_000).replace(/-/g, '');
  const orders = new Map<string, ReceiptHistory['orders'][number]>();
  const lines: ReceiptHistory['lines'] = [];
  const events = new Map<string, ReceiptHistory['events'][number]>();
  for (const series of data.sales.series) {
    const product = products.get(series.sku);
    if (!product) continue;
    for (const r of series.receipts) {
      if (r.receivedDay < from) continue;
      const id = `PO-H-${series.storeId}-${day(r.orderedDay)}-${product.supplierId}`;
      const receivedAt = new Date(first + r.receivedDay * 86_400_000 + 9 * 3_600_000);
      let order = orders.get(id);
      if (!order) {
        const orderedAt = new Date(first + r.orderedDay * 86_400_000 + 18 * 3_600_000);
        order = { id, storeId: series.storeId, supplierId: product.supplierId, totalCents: 0, orderedAt, closedAt: receivedAt };
        orders.set(id, order);
      }
      order.totalCents += r.units * product.costCents;
      if (receivedAt > order.closedAt) order.closedAt = receivedAt;
      lines.push({ id: `${id}-${series.sku}`, purchaseOrderId: id, sku: series.sku, units: r.units, unitCostCents: product.costCents });
      const eventId = `${id}-received-${day(r.receivedDay)}`;
      let event = events.get(eventId);
      if (!event) {
        event = { id: eventId, purchaseOrderId: id, receivedAt, lines: [] };
        events.set(eventId, event);
      }
      event.lines.push({ sku: series.sku, quantityReceived: r.units });
    }
  }
  return { orders: [...orders.values()], lines, events: [...events.values()] };
}

async function insertReceiptHistory(db: Db, { orders, lines, events }: ReceiptHistory, progress: (rows: number) => void): Promise<void> {
  const quiet = () => undefined;
  await bulkInsert(
    db,
    'PurchaseOrder',
    orders,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('workflowId', 'text', c, () => ORDER_HISTORY_WORKFLOW_ID),
      col('storeId', 'text', c, (r) => r.storeId),
      col('supplierId', 'text', c, (r) => r.supplierId),
      col('status', 'enum:PurchaseOrderStatus', c, () => 'RECEIVED'),
      col('totalValue', 'numeric', c, (r) => centsToDecimal(r.totalCents)),
      col('idempotencyKey', 'text', c, (r) => r.id),
      col('createdAt', 'timestamp', c, (r) => iso(r.orderedAt)),
      col('sentAt', 'timestamp', c, (r) => iso(r.orderedAt)),
      col('closedAt', 'timestamp', c, (r) => iso(r.closedAt)),
    ],
    quiet,
  );
  const rationale = JSON.stringify({ reasons: ['Ordered by the store before Retail Ops planned its replenishment (demo history)'] });
  await bulkInsert(
    db,
    'PurchaseOrderLine',
    lines,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('purchaseOrderId', 'text', c, (r) => r.purchaseOrderId),
      col('sku', 'text', c, (r) => r.sku),
      col('quantity', 'int', c, (r) => r.units),
      col('plannedQuantity', 'int', c, (r) => r.units),
      col('quantityReceived', 'int', c, (r) => r.units),
      col('unitCost', 'numeric', c, (r) => centsToDecimal(r.unitCostCents)),
      col('rationale', 'jsonb', c, () => rationale),
    ],
    progress,
  );
  await bulkInsert(
    db,
    'SupplierEvent',
    events,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('eventId', 'text', c, (r) => r.id),
      col('purchaseOrderId', 'text', c, (r) => r.purchaseOrderId),
      col('type', 'text', c, () => 'received'),
      col('payload', 'jsonb', c, (r) => JSON.stringify({ eventId: r.id, purchaseOrderId: r.purchaseOrderId, type: 'received', lines: r.lines })),
      col('receivedAt', 'timestamp', c, (r) => iso(r.receivedAt)),
    ],
    quiet,
  );
}

async function writeSeedData(db: Db, data: SeedData, demo: boolean, onProgress?: SeedOptions['onProgress']): Promise<void> {
  const receipts = receiptHistory(data);
  const salesRows = data.sales.series.length * data.sales.days;
  const small = data.regions.length + data.stores.length + data.suppliers.length + data.products.length + data.staff.length + data.rooms.length;
  const total =
    small +
    data.customers.length +
    data.shifts.length +
    data.inventory.length +
    data.orders.length +
    data.orderLines.length +
    data.appointments.length +
    data.competitorPrices.length +
    salesRows +
    receipts.lines.length +
    data.sales.series.length +
    (demo ? data.principals.length : 0);
  let done = 0;
  let step = 'starting';
  const report = (n: number) => {
    done += n;
    onProgress?.(step, done, total);
  };
  const begin = (name: string) => {
    step = name;
    onProgress?.(step, done, total);
  };
  const updatedAt = data.now.toISOString();

  begin('organisation');
  await db.region.createMany({ data: data.regions, skipDuplicates: true });
  await db.store.createMany({ data: data.stores, skipDuplicates: true });
  await db.supplier.createMany({
    data: data.suppliers.map(({ minOrderValueCents, ...s }) => ({ ...s, minOrderValue: centsToDecimal(minOrderValueCents) })),
    skipDuplicates: true,
  });
  await db.staff.createMany({ data: data.staff, skipDuplicates: true });
  await db.room.createMany({ data: data.rooms, skipDuplicates: true });
  report(data.regions.length + data.stores.length + data.suppliers.length + data.staff.length + data.rooms.length);

  begin('products');
  await db.product.createMany({
    data: data.products.map(({ costCents, priceCents, mapCents, ...p }) => ({
      ...p,
      cost: centsToDecimal(costCents),
      price: centsToDecimal(priceCents),
      map: mapCents === null ? null : centsToDecimal(mapCents),
    })),
    skipDuplicates: true,
  });
  report(data.products.length);

  begin('customers');
  for (let i = 0; i < data.customers.length; i += 1000) {
    const chunk = data.customers.slice(i, i + 1000);
    await db.customer.createMany({ data: chunk, skipDuplicates: true });
    report(chunk.length);
  }

  begin('shifts');
  await bulkInsert(
    db,
    'StaffShift',
    data.shifts,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('staffId', 'text', c, (r) => r.staffId),
      col('storeId', 'text', c, (r) => r.storeId),
      col('startsAt', 'timestamp', c, (r) => iso(r.startsAt)),
      col('endsAt', 'timestamp', c, (r) => iso(r.endsAt)),
    ],
    report,
  );

  begin('inventory');
  await bulkInsert(
    db,
    'InventoryLevel',
    data.inventory,
    (c) => [
      col('storeId', 'text', c, (r) => r.storeId),
      col('sku', 'text', c, (r) => r.sku),
      col('onHand', 'int', c, (r) => r.onHand),
      col('reserved', 'int', c, (r) => r.reserved),
      col('onOrder', 'int', c, (r) => r.onOrder),
      col('updatedAt', 'timestamp', c, () => updatedAt),
    ],
    report,
  );

  begin('orders');
  await bulkInsert(
    db,
    'Order',
    data.orders,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('customerId', 'text', c, (r) => r.customerId),
      col('storeId', 'text', c, (r) => r.storeId),
      col('channel', 'text', c, (r) => r.channel),
      col('purchasedAt', 'timestamp', c, (r) => iso(r.purchasedAt)),
      col('total', 'numeric', c, (r) => centsToDecimal(r.totalCents)),
    ],
    report,
  );
  begin('order lines');
  await bulkInsert(
    db,
    'OrderLine',
    data.orderLines,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('orderId', 'text', c, (r) => r.orderId),
      col('sku', 'text', c, (r) => r.sku),
      col('quantity', 'int', c, (r) => r.quantity),
      col('unitPrice', 'numeric', c, (r) => centsToDecimal(r.unitPriceCents)),
    ],
    report,
  );

  begin('appointments');
  await bulkInsert(
    db,
    'Appointment',
    data.appointments,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('storeId', 'text', c, (r) => r.storeId),
      col('customerId', 'text', c, (r) => r.customerId),
      col('serviceType', 'text', c, (r) => r.serviceType),
      col('startsAt', 'timestamp', c, (r) => iso(r.startsAt)),
      col('endsAt', 'timestamp', c, (r) => iso(r.endsAt)),
      col('status', 'enum:AppointmentStatus', c, (r) => r.status),
      col('stylistId', 'text', c, (r) => r.stylistId),
      col('notes', 'text', c, (r) => r.notes),
      col('updatedAt', 'timestamp', c, () => updatedAt),
    ],
    report,
  );

  begin('competitor prices');
  await bulkInsert(
    db,
    'CompetitorPrice',
    data.competitorPrices,
    (c) => [
      col('id', 'text', c, (r) => r.id),
      col('sku', 'text', c, (r) => r.sku),
      col('competitor', 'text', c, (r) => r.competitor),
      col('price', 'numeric', c, (r) => centsToDecimal(r.priceCents)),
      col('observedAt', 'timestamp', c, (r) => iso(r.observedAt)),
    ],
    report,
  );

  begin('sales history');
  const fresh = (await db.$queryRaw<unknown[]>`SELECT 1 FROM "SalesDaily" LIMIT 1`).length === 0;
  await insertSales(db, data.sales, report, { fresh });

  begin('receipts of the last year');
  await insertReceiptHistory(db, receipts, report);

  begin('demand model');
  await seedDemandChampion(db, { sales: data.sales, products: data.products });
  report(data.sales.series.length);

  if (demo) {
    begin('demo principals');
    await ensurePrincipals(db);
    report(data.principals.length);
  }
  // Last: the marker isSeeded() looks for.
  await db.auditEvent.upsert({
    where: { idempotencyKey: SEEDED_MARKER },
    create: {
      idempotencyKey: SEEDED_MARKER,
      action: 'seed.completed',
      entityType: 'installation',
      entityId: 'demo-data',
      details: { seedNow: data.now.toISOString(), demoPrincipals: demo },
    },
    update: {},
  });
  begin('done');
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

/** Creates the database if missing and applies pending migrations (both no-ops when done). */
export async function prepareDatabase(url: string, log: (msg: string) => void = console.log): Promise<void> {
  if (await ensureDatabase(url)) log('Created the database.');
  const { applied } = await applyMigrations(url);
  if (applied.length) log(`Applied migrations: ${applied.join(', ')}.`);
}

async function main(): Promise<void> {
  // Loaded lazily so importing seed() never pulls a terminal UI into the API or tests.
  const { SingleBar, Presets } = await import('cli-progress');
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const demo = demoRequested();
  await prepareDatabase(url);
  const db = createDb(url);
  const started = Date.now();
  const bar = new SingleBar(
    { format: 'seeding [{bar}] {percentage}% | {value}/{total} rows | {step}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let barStarted = false;
  try {
    const { created, demoKeysRevoked } = await seed(db, {
      demo,
      onProgress: (step, done, total) => {
        if (!barStarted) {
          bar.start(total, 0, { step });
          barStarted = true;
        }
        bar.update(done, { step });
      },
    });
    if (barStarted) bar.stop();
    console.log(created ? `Demo data seeded in ${((Date.now() - started) / 1000).toFixed(1)} s.` : 'Demo data already present.');
    if (!demo) {
      console.log('No demo principals (demo mode is off: RETAIL_OPS_DEMO=true or --demo turns it on). Create principals with `npm run principal:create`.');
      if (demoKeysRevoked) console.log(`Revoked ${demoKeysRevoked} demo API key(s) an earlier demo seed had created.`);
      return;
    }
    console.log('Demo principals and their API keys (demo-key-<id>, see the README) are in place.');

    const now = new Date();
    const open = await findOpenScenario(db, now);
    if (open) {
      console.log(`Demo scenario already open: appointment ${open.id} starts ${open.startsAt.toISOString()}.`);
    } else {
      const scenario = await putScenarioInPlace(db, now);
      console.log(`Demo scenario in place: appointment ${scenario.appointmentId} starts ${scenario.startsAt.toISOString()}.`);
    }
  } finally {
    if (barStarted) bar.stop();
    await db.$disconnect();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
