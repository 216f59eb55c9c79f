import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import type { Logger } from '../platform/logger';

/**
 * Local simulator of the external systems the processes talk to: the supplier ERP (purchase
 * orders) and the channel price endpoints (POS per store, e-commerce). In-memory state, strict
 * idempotency (an `Idempotency-Key` is remembered with a fingerprint of its body), and fault
 * injection per route and target so reliability tests can make a system fail N times, answer
 * slowly, or (later) deliver supplier events more than once.
 */

export const FAULT_ROUTES = ['supplier-po', 'pos-price', 'ecommerce-price'] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];

export interface SimulatorOptions {
  /** Base URL of the Retail Ops API, for supplier-event callbacks (acknowledgments, receipts). */
  callbackBaseUrl?: string;
  now?: () => Date;
  /** Request logging; none when omitted (tests). */
  logger?: Logger;
}

export interface Fault {
  id: string;
  route: FaultRoute;
  target?: string;
  /** Failures still to inject; the next N matching calls fail. */
  failTimes: number;
  status: number;
  delayMs: number;
  /** Record the effect, then answer with the failure: the caller cannot tell it happened. */
  failAfterEffect: boolean;
  /** For supplier-event callbacks: how many extra copies of each event to deliver. */
  duplicateDeliveries: number;
  createdAt: string;
}

export interface PurchaseOrderLine {
  sku: string;
  quantity: number;
  unitCost: number;
}

export interface ReceivedPurchaseOrder {
  supplierId: string;
  supplierReference: string;
  purchaseOrderId: string;
  storeId: string;
  lines: PurchaseOrderLine[];
  idempotencyKey: string;
  receivedAt: string;
}

export type PriceChannel = 'pos' | 'ecommerce';

export interface PricePush {
  pushId: string;
  channel: PriceChannel;
  storeId?: string;
  sku: string;
  price: number;
  previousPrice: number | null;
  priceChangeId: string;
  idempotencyKey: string;
  appliedAt: string;
}

interface CurrentPrice {
  channel: PriceChannel;
  storeId?: string;
  sku: string;
  price: number;
  priceChangeId: string;
  updatedAt: string;
}

interface Counters {
  calls: number;
  failuresInjected: number;
  effects: number;
  duplicates: number;
}

const emptyCounters = (): Counters => ({ calls: 0, failuresInjected: 0, effects: 0, duplicates: 0 });

/** The simulator's whole state; `app.locals.simulator` exposes it to in-process callers. */
export class SimulatorState {
  faults: Fault[] = [];
  private faultSeq = 0;
  readonly orders = new Map<string, ReceivedPurchaseOrder>(); // `${supplierId}/${supplierReference}`
  readonly orderKeys = new Map<string, { fingerprint: string; ref: string }>(); // `${supplierId}/${key}`
  private readonly orderSeq = new Map<string, number>();
  readonly prices = new Map<string, CurrentPrice>(); // priceKey()
  readonly priceKeys = new Map<string, { fingerprint: string; push: PricePush }>(); // `${scope}/${key}`
  readonly pushes: PricePush[] = [];
  stats: Record<FaultRoute, Counters & { byTarget: Record<string, Counters> }> = SimulatorState.emptyStats();

  constructor(readonly now: () => Date) {}

  private static emptyStats() {
    return Object.fromEntries(FAULT_ROUTES.map((r) => [r, { ...emptyCounters(), byTarget: {} }])) as SimulatorState['stats'];
  }

  reset(): void {
    this.faults = [];
    this.orders.clear();
    this.orderKeys.clear();
    this.orderSeq.clear();
    this.prices.clear();
    this.priceKeys.clear();
    this.pushes.length = 0;
    this.stats = SimulatorState.emptyStats();
  }

  addFault(input: Omit<Fault, 'id' | 'createdAt'>): Fault {
    const fault: Fault = { id: `fault-${++this.faultSeq}`, createdAt: this.now().toISOString(), ...input };
    this.faults.push(fault);
    return fault;
  }

  /** Faults for a call, the target-specific ones first. */
  matchingFaults(route: FaultRoute, target?: string): Fault[] {
    const specific = this.faults.filter((f) => f.route === route && f.target !== undefined && f.target === target);
    const general = this.faults.filter((f) => f.route === route && f.target === undefined);
    return [...specific, ...general];
  }

  /** How many extra copies of each supplier event to deliver (for supplier-event callbacks). */
  duplicateDeliveriesFor(route: FaultRoute, target?: string): number {
    return this.matchingFaults(route, target).find((f) => f.duplicateDeliveries > 0)?.duplicateDeliveries ?? 0;
  }

  count(route: FaultRoute, target: string | undefined, field: keyof Counters): void {
    this.stats[route][field]++;
    if (target !== undefined) (this.stats[route].byTarget[target] ??= emptyCounters())[field]++;
  }

  nextSupplierReference(supplierId: string): string {
    const n = (this.orderSeq.get(supplierId) ?? 0) + 1;
    this.orderSeq.set(supplierId, n);
    return `${supplierId}-SO-${String(n).padStart(6, '0')}`;
  }
}

const PROBLEM_BASE = 'https://simulator.retail-ops.dev/problems/';

function problem(res: Response, status: number, slug: string, detail: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `${PROBLEM_BASE}${slug}`, title: slug.replace(/-/g, ' '), status, detail, ...extra }));
}

/** Canonical JSON (sorted keys) so the same body always has the same fingerprint. */
function fingerprint(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(canon(value));
}

const id = z.string().trim().min(1).max(100);
const purchaseOrderBody = z.object({
  purchaseOrderId: id,
  storeId: id,
  lines: z
    .array(z.object({ sku: id, quantity: z.number().int().positive().max(1_000_000), unitCost: z.number().nonnegative().max(1_000_000) }))
    .min(1)
    .max(10_000),
});
const priceBody = z.object({ price: z.number().positive().max(1_000_000), priceChangeId: id });
const faultBody = z.object({
  route: z.enum(FAULT_ROUTES),
  target: id.optional(),
  failTimes: z.number().int().min(0).max(1_000_000).default(0),
  status: z.number().int().min(400).max(599).default(503),
  delayMs: z.number().int().min(0).max(120_000).default(0),
  failAfterEffect: z.boolean().default(false),
  duplicateDeliveries: z.number().int().min(0).max(100).default(0),
});

type Validated<T> = { ok: true; data: T } | { ok: false };

function validate<T>(schema: z.ZodType<T>, value: unknown, res: Response): Validated<T> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors = parsed.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), message: i.message }));
  problem(res, 400, 'validation-error', `Invalid body: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  return { ok: false };
}

function idempotencyKey(req: Request, res: Response): string | undefined {
  const key = req.get('Idempotency-Key')?.trim();
  if (!key || key.length > 255) {
    problem(res, 400, 'idempotency-key-required', 'An Idempotency-Key header (1 to 255 characters) is required.');
    return undefined;
  }
  return key;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Counts the call and applies the faults matching it. Failures are decided on arrival (so "the
 * next N calls" follows arrival order), then the delay runs. Returns the failure to answer with,
 * if any, and whether it comes before or after the effect.
 */
async function applyFaults(state: SimulatorState, route: FaultRoute, target?: string): Promise<{ status: number; afterEffect: boolean } | undefined> {
  state.count(route, target, 'calls');
  const faults = state.matchingFaults(route, target);
  const failing = faults.find((f) => f.failTimes > 0);
  if (failing) failing.failTimes--;
  const delayMs = Math.max(0, ...faults.map((f) => f.delayMs));
  if (delayMs > 0) await sleep(delayMs);
  if (!failing) return undefined;
  state.count(route, target, 'failuresInjected');
  return { status: failing.status, afterEffect: failing.failAfterEffect };
}

function injectedFailure(res: Response, route: FaultRoute, status: number): void {
  if (status === 429) res.setHeader('Retry-After', '1');
  problem(res, status, 'injected-fault', `Fault injected on ${route}.`);
}

export function createSimulatorApp(opts: SimulatorOptions = {}): Express {
  const state = new SimulatorState(opts.now ?? (() => new Date()));
  const app = express();
  app.disable('x-powered-by');
  app.locals.simulator = state;
  if (opts.logger) app.use(pinoHttp({ logger: opts.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(express.json({ limit: '2mb' }));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/_config', (_req, res) => void res.json({ callbackBaseUrl: opts.callbackBaseUrl ?? null }));

  // ---- Supplier ERP ------------------------------------------------------------------------
  app.post('/suppliers/:supplierId/purchase-orders', async (req, res) => {
    const supplierId = String(req.params.supplierId);
    const key = idempotencyKey(req, res);
    if (!key) return;
    const body = validate(purchaseOrderBody, req.body, res);
    if (!body.ok) return;

    const fault = await applyFaults(state, 'supplier-po', supplierId);
    if (fault && !fault.afterEffect) return injectedFailure(res, 'supplier-po', fault.status);

    const print = fingerprint(body.data);
    const seen = state.orderKeys.get(`${supplierId}/${key}`);
    if (seen && seen.fingerprint !== print) {
      return problem(res, 409, 'idempotency-key-reused', `Idempotency-Key ${key} was used for a different purchase order.`, {
        supplierReference: seen.ref,
      });
    }
    let status = 200;
    let order: ReceivedPurchaseOrder;
    if (seen) {
      order = state.orders.get(`${supplierId}/${seen.ref}`)!;
      state.count('supplier-po', supplierId, 'duplicates');
    } else {
      const supplierReference = state.nextSupplierReference(supplierId);
      order = { supplierId, supplierReference, ...body.data, idempotencyKey: key, receivedAt: state.now().toISOString() };
      state.orders.set(`${supplierId}/${supplierReference}`, order);
      state.orderKeys.set(`${supplierId}/${key}`, { fingerprint: print, ref: supplierReference });
      state.count('supplier-po', supplierId, 'effects');
      status = 201;
    }
    if (fault) return injectedFailure(res, 'supplier-po', fault.status);
    res.status(status).json({ supplierReference: order.supplierReference, receivedAt: order.receivedAt, duplicate: status === 200 });
  });

  app.get('/suppliers/:supplierId/purchase-orders', (req, res) => {
    const supplierId = String(req.params.supplierId);
    res.json({ items: [...state.orders.values()].filter((o) => o.supplierId === supplierId) });
  });

  app.get('/suppliers/:supplierId/purchase-orders/:supplierReference', (req, res) => {
    const order = state.orders.get(`${req.params.supplierId}/${req.params.supplierReference}`);
    if (!order) return problem(res, 404, 'not-found', `No purchase order ${req.params.supplierReference} at supplier ${req.params.supplierId}.`);
    res.json(order);
  });

  // ---- Channel prices ----------------------------------------------------------------------
  const priceKey = (channel: PriceChannel, storeId: string | undefined, sku: string) => `${channel}/${storeId ?? '*'}/${sku}`;

  async function pushPrice(req: Request, res: Response, channel: PriceChannel, storeId: string | undefined): Promise<void> {
    const route: FaultRoute = channel === 'pos' ? 'pos-price' : 'ecommerce-price';
    const sku = String(req.params.sku);
    const key = idempotencyKey(req, res);
    if (!key) return;
    const body = validate(priceBody, req.body, res);
    if (!body.ok) return;

    const fault = await applyFaults(state, route, storeId);
    if (fault && !fault.afterEffect) return injectedFailure(res, route, fault.status);

    // Keys are scoped to the endpoint (channel and store); the fingerprint covers the SKU too.
    const scoped = `${channel}/${storeId ?? '*'}/${key}`;
    const print = fingerprint({ sku, ...body.data });
    const seen = state.priceKeys.get(scoped);
    if (seen && seen.fingerprint !== print) {
      return problem(res, 409, 'idempotency-key-reused', `Idempotency-Key ${key} was used for a different price push.`, { pushId: seen.push.pushId });
    }
    let push: PricePush;
    if (seen) {
      push = seen.push;
      state.count(route, storeId, 'duplicates');
    } else {
      const current = state.prices.get(priceKey(channel, storeId, sku));
      const appliedAt = state.now().toISOString();
      push = {
        pushId: `push-${state.pushes.length + 1}`,
        channel,
        ...(storeId !== undefined ? { storeId } : {}),
        sku,
        price: body.data.price,
        previousPrice: current?.price ?? null,
        priceChangeId: body.data.priceChangeId,
        idempotencyKey: key,
        appliedAt,
      };
      state.pushes.push(push);
      state.priceKeys.set(scoped, { fingerprint: print, push });
      state.prices.set(priceKey(channel, storeId, sku), {
        channel,
        ...(storeId !== undefined ? { storeId } : {}),
        sku,
        price: push.price,
        priceChangeId: push.priceChangeId,
        updatedAt: appliedAt,
      });
      state.count(route, storeId, 'effects');
    }
    if (fault) return injectedFailure(res, route, fault.status);
    const { idempotencyKey: _key, ...result } = push;
    res.json({ ...result, duplicate: Boolean(seen) });
  }

  function getPrice(res: Response, channel: PriceChannel, storeId: string | undefined, sku: string): void {
    const current = state.prices.get(priceKey(channel, storeId, sku));
    if (!current) return problem(res, 404, 'not-found', `No ${channel} price for ${sku}${storeId ? ` at store ${storeId}` : ''}.`);
    res.json(current);
  }

  app.put('/channels/pos/stores/:storeId/prices/:sku', (req, res) => pushPrice(req, res, 'pos', String(req.params.storeId)));
  app.put('/channels/ecommerce/prices/:sku', (req, res) => pushPrice(req, res, 'ecommerce', undefined));
  app.get('/channels/pos/stores/:storeId/prices/:sku', (req, res) => getPrice(res, 'pos', String(req.params.storeId), String(req.params.sku)));
  app.get('/channels/ecommerce/prices/:sku', (req, res) => getPrice(res, 'ecommerce', undefined, String(req.params.sku)));

  app.get('/_price-pushes', (req, res) => {
    const { channel, storeId, sku } = req.query;
    const items = state.pushes
      .filter((p) => (channel === undefined || p.channel === channel) && (storeId === undefined || p.storeId === storeId) && (sku === undefined || p.sku === sku))
      .map(({ idempotencyKey: _key, ...p }) => p);
    res.json({ items });
  });

  // ---- Faults, stats, reset ----------------------------------------------------------------
  app.post('/_faults', (req, res) => {
    const body = validate(faultBody, req.body, res);
    if (!body.ok) return;
    const { target, ...rest } = body.data;
    res.status(201).json(state.addFault({ ...rest, ...(target !== undefined ? { target } : {}) }));
  });
  app.get('/_faults', (_req, res) => void res.json({ items: state.faults }));
  app.delete('/_faults', (_req, res) => {
    state.faults = [];
    res.status(204).end();
  });

  app.get('/_stats', (_req, res) => {
    const suppliers = Object.fromEntries(
      Object.entries(state.stats['supplier-po'].byTarget).map(([supplierId, c]) => [supplierId, { ordersReceived: c.effects }]),
    );
    res.json({ routes: state.stats, suppliers, pricePushes: state.pushes.length });
  });

  /** Clears orders, prices, pushes, faults and stats. */
  app.post('/_reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });

  app.use((req, res) => problem(res, 404, 'not-found', `No route ${req.method} ${req.path}.`));
  const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.logger?.error({ err }, 'simulator error');
    problem(res, status, status === 400 ? 'validation-error' : status === 413 ? 'payload-too-large' : status === 500 ? 'internal' : 'bad-request', String(err?.message ?? err));
  };
  app.use(errorHandler);
  return app;
}
