import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import type { Logger } from '../platform/logger';

/**
 * Local simulator of the external systems the processes talk to: the supplier ERP (purchase
 * orders) and the channel price endpoints (POS per store, e-commerce). In-memory state, strict
 * idempotency (an `Idempotency-Key` is remembered with a fingerprint of its body), and fault
 * injection per route and target so reliability tests can make a system fail N times, answer
 * slowly, or deliver supplier events more than once.
 *
 * Supplier events (acknowledged, rejected, received) go back to the Retail Ops API at
 * `{callbackBaseUrl}/api/v1/replenishments/{replenishmentId}/supplier-events`, triggered by hand
 * (`.../acknowledge`, `.../receive`, `.../reject`) or automatically after an order arrives.
 */

export const FAULT_ROUTES = ['supplier-po', 'supplier-events', 'pos-price', 'ecommerce-price'] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];

export interface CallbackRetry {
  /** Delivery attempts per event copy, the first included. Default 5. */
  attempts: number;
  /** Wait before the second attempt, doubling after each. Default 500 ms. */
  backoffMs: number;
  /** Per-attempt timeout. Default 5 s. */
  timeoutMs: number;
}

export interface SimulatorOptions {
  /** Base URL of the Retail Ops API, for supplier-event callbacks (acknowledgments, receipts). */
  callbackBaseUrl?: string;
  /** Sent as `Authorization: Bearer <key>` with every callback (a system principal's key); no header when omitted. */
  callbackApiKey?: string;
  callbackRetry?: Partial<CallbackRetry>;
  /** Acknowledge each new order (with a replenishmentId) this long after it arrives; off when undefined. */
  autoAcknowledgeAfterMs?: number;
  /**
   * Receive each new order in full this long after its automatic acknowledgment (after its
   * arrival when auto-acknowledge is off); off when undefined.
   */
  autoReceiveAfterMs?: number;
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

export type PurchaseOrderStatus = 'open' | 'cancelled';

export interface ReceivedPurchaseOrder {
  supplierId: string;
  supplierReference: string;
  purchaseOrderId: string;
  storeId: string;
  /** The replenishment (workflow ID) that supplier events for this order go back to. */
  replenishmentId?: string;
  lines: PurchaseOrderLine[];
  status: PurchaseOrderStatus;
  cancelledAt?: string;
  idempotencyKey: string;
  receivedAt: string;
}

export type SupplierEventType = 'acknowledged' | 'rejected' | 'received';

export interface SupplierEventLine {
  sku: string;
  quantityReceived?: number;
  quantityRejected?: number;
  reason?: string;
}

/** The body of a supplier-event callback. */
export interface SupplierEvent {
  eventId: string;
  purchaseOrderId: string;
  type: SupplierEventType;
  supplierReference: string;
  occurredAt: string;
  reason?: string;
  lines?: SupplierEventLine[];
}

export interface DeliveryOutcome {
  delivered: boolean;
  /** The last answer's status; none when no attempt got an answer. */
  status?: number;
  attempts: number;
  error?: string;
}

/** One delivered copy of an event, as `/_supplier-events` lists it. */
export interface SupplierEventDelivery extends DeliveryOutcome {
  supplierId: string;
  url: string;
  copy: number;
  event: SupplierEvent;
  finishedAt: string;
}

/** What has been settled for an order, so a default receipt covers only what is still due. */
interface OrderProgress {
  receipts: number;
  rejectedAtAck: Record<string, number>;
  settledByReceipts: Record<string, number>;
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
  readonly progress = new Map<string, OrderProgress>(); // `${supplierId}/${supplierReference}`
  readonly deliveries: SupplierEventDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  stats: Record<FaultRoute, Counters & { byTarget: Record<string, Counters> }> = SimulatorState.emptyStats();

  constructor(readonly now: () => Date) {}

  private static emptyStats() {
    return Object.fromEntries(FAULT_ROUTES.map((r) => [r, { ...emptyCounters(), byTarget: {} }])) as SimulatorState['stats'];
  }

  reset(): void {
    this.clearTimers();
    this.faults = [];
    this.orders.clear();
    this.orderKeys.clear();
    this.orderSeq.clear();
    this.prices.clear();
    this.priceKeys.clear();
    this.pushes.length = 0;
    this.progress.clear();
    this.deliveries.length = 0;
    this.stats = SimulatorState.emptyStats();
  }

  /** Runs `fn` after `ms` unless reset first; the timer does not keep the process alive. */
  schedule(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  progressOf(orderKey: string): OrderProgress {
    let progress = this.progress.get(orderKey);
    if (!progress) {
      progress = { receipts: 0, rejectedAtAck: {}, settledByReceipts: {} };
      this.progress.set(orderKey, progress);
    }
    return progress;
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
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(value));
}

const id = z.string().trim().min(1).max(100);
const quantity = z.number().int().min(0).max(1_000_000);
const reason = z.string().trim().min(1).max(500);
const purchaseOrderBody = z.object({
  purchaseOrderId: id,
  storeId: id,
  replenishmentId: id.optional(),
  lines: z
    .array(z.object({ sku: id, quantity: z.number().int().positive().max(1_000_000), unitCost: z.number().nonnegative().max(1_000_000) }))
    .min(1)
    .max(10_000),
});
const acknowledgeBody = z.object({
  rejectLines: z
    .array(z.object({ sku: id, quantity: quantity.positive().optional(), reason: reason.optional() }))
    .max(10_000)
    .optional(),
});
const receiveBody = z.object({
  lines: z
    .array(z.object({ sku: id, quantity, rejected: quantity.optional() }))
    .min(1)
    .max(10_000)
    .optional(),
});
const rejectBody = z.object({ reason });
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

// ---- Supplier events -----------------------------------------------------------------------

const DEFAULT_CALLBACK_RETRY: CallbackRetry = { attempts: 5, backoffMs: 500, timeoutMs: 5_000 };

export function supplierEventsUrl(callbackBaseUrl: string, replenishmentId: string): string {
  return `${callbackBaseUrl.replace(/\/+$/, '')}/api/v1/replenishments/${encodeURIComponent(replenishmentId)}/supplier-events`;
}

/** Statuses that may pass on a later attempt; any other 4xx would fail the same way again. */
const retryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;

async function postOnce(url: string, event: SupplierEvent, apiKey: string | undefined, timeoutMs: number): Promise<{ status?: number; error?: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;
  try {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(event), signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer(); // drain the body so the connection can be reused
    return { status: res.status };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** POSTs one event, retrying network errors and retryable statuses with a doubling backoff. */
export async function deliverSupplierEvent(url: string, event: SupplierEvent, apiKey: string | undefined, retry: CallbackRetry): Promise<DeliveryOutcome> {
  let outcome: DeliveryOutcome = { delivered: false, attempts: 0 };
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await sleep(retry.backoffMs * 2 ** (attempt - 2));
    const { status, error } = await postOnce(url, event, apiKey, retry.timeoutMs);
    const delivered = status !== undefined && status >= 200 && status < 300;
    outcome = { delivered, attempts: attempt, ...(status !== undefined ? { status } : {}), ...(error !== undefined ? { error } : {}) };
    if (delivered || (status !== undefined && !retryableStatus(status))) break;
  }
  return outcome;
}

const orderedQuantity = (order: ReceivedPurchaseOrder, sku: string) => order.lines.find((l) => l.sku === sku)?.quantity ?? 0;

/** Units of each line neither rejected at acknowledgment nor settled by an earlier receipt. */
function outstandingLines(order: ReceivedPurchaseOrder, progress: OrderProgress): { sku: string; quantity: number }[] {
  return order.lines
    .map((l) => ({ sku: l.sku, quantity: l.quantity - (progress.rejectedAtAck[l.sku] ?? 0) - (progress.settledByReceipts[l.sku] ?? 0) }))
    .filter((l) => l.quantity > 0);
}

const eventBase = (order: ReceivedPurchaseOrder, occurredAt: string) => ({
  purchaseOrderId: order.purchaseOrderId,
  supplierReference: order.supplierReference,
  occurredAt,
});

function acknowledgedEvent(
  order: ReceivedPurchaseOrder,
  progress: OrderProgress,
  rejectLines: z.infer<typeof acknowledgeBody>['rejectLines'],
  occurredAt: string,
): SupplierEvent {
  const lines = (rejectLines ?? []).map((r) => ({
    sku: r.sku,
    quantityRejected: r.quantity ?? orderedQuantity(order, r.sku),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  }));
  progress.rejectedAtAck = Object.fromEntries(lines.map((l) => [l.sku, l.quantityRejected]));
  return {
    eventId: `${order.supplierReference}:ack`,
    type: 'acknowledged',
    ...eventBase(order, occurredAt),
    ...(lines.length > 0 ? { lines } : {}),
  };
}

function receivedEvent(
  order: ReceivedPurchaseOrder,
  progress: OrderProgress,
  lines: { sku: string; quantity: number; rejected?: number }[],
  occurredAt: string,
): SupplierEvent {
  for (const l of lines) progress.settledByReceipts[l.sku] = (progress.settledByReceipts[l.sku] ?? 0) + l.quantity + (l.rejected ?? 0);
  progress.receipts++;
  return {
    eventId: `${order.supplierReference}:receipt:${progress.receipts}`,
    type: 'received',
    ...eventBase(order, occurredAt),
    lines: lines.map((l) => ({ sku: l.sku, quantityReceived: l.quantity, ...(l.rejected ? { quantityRejected: l.rejected } : {}) })),
  };
}

function rejectedEvent(order: ReceivedPurchaseOrder, reason: string, occurredAt: string): SupplierEvent {
  return { eventId: `${order.supplierReference}:reject`, type: 'rejected', ...eventBase(order, occurredAt), reason };
}

/** Field errors for lines naming a SKU the order lacks, or naming one twice. */
function lineErrors(order: ReceivedPurchaseOrder, lines: { sku: string }[], field: string): { field: string; message: string }[] {
  const seen = new Set<string>();
  return lines.flatMap((l, i) => {
    const error = !order.lines.some((o) => o.sku === l.sku) ? `SKU ${l.sku} is not on the order` : seen.has(l.sku) ? `SKU ${l.sku} is listed twice` : undefined;
    seen.add(l.sku);
    return error ? [{ field: `body.${field}.${i}.sku`, message: error }] : [];
  });
}

function invalidLines(res: Response, errors: { field: string; message: string }[]): void {
  problem(res, 400, 'validation-error', `Invalid body: ${errors.map((e) => e.field).join(', ')}.`, { errors });
}

export function createSimulatorApp(opts: SimulatorOptions = {}): Express {
  const state = new SimulatorState(opts.now ?? (() => new Date()));
  const app = express();
  app.disable('x-powered-by');
  app.locals.simulator = state;
  if (opts.logger) app.use(pinoHttp({ logger: opts.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(express.json({ limit: '2mb' }));

  const retry: CallbackRetry = {
    attempts: opts.callbackRetry?.attempts ?? DEFAULT_CALLBACK_RETRY.attempts,
    backoffMs: opts.callbackRetry?.backoffMs ?? DEFAULT_CALLBACK_RETRY.backoffMs,
    timeoutMs: opts.callbackRetry?.timeoutMs ?? DEFAULT_CALLBACK_RETRY.timeoutMs,
  };
  const orderKey = (order: ReceivedPurchaseOrder) => `${order.supplierId}/${order.supplierReference}`;

  function findOrder(req: Request, res: Response): ReceivedPurchaseOrder | undefined {
    const order = state.orders.get(`${req.params.supplierId}/${req.params.supplierReference}`);
    if (!order) problem(res, 404, 'not-found', `No purchase order ${req.params.supplierReference} at supplier ${req.params.supplierId}.`);
    return order;
  }

  const eventsUrl = (order: ReceivedPurchaseOrder) =>
    opts.callbackBaseUrl && order.replenishmentId ? supplierEventsUrl(opts.callbackBaseUrl, order.replenishmentId) : undefined;

  function requireEventsUrl(order: ReceivedPurchaseOrder, res: Response): string | undefined {
    if (!opts.callbackBaseUrl) problem(res, 400, 'no-callback-url', 'The simulator has no callbackBaseUrl to send supplier events to.');
    else if (!order.replenishmentId)
      problem(res, 400, 'no-replenishment-id', `Purchase order ${order.supplierReference} has no replenishmentId to send events for.`);
    return eventsUrl(order);
  }

  /** Delivers the event, 1 + duplicateDeliveries times when a 'supplier-events' fault says so. */
  async function sendEvent(order: ReceivedPurchaseOrder, url: string, event: SupplierEvent): Promise<{ copies: number; first: DeliveryOutcome }> {
    const copies = 1 + state.duplicateDeliveriesFor('supplier-events', order.supplierId);
    const outcomes: DeliveryOutcome[] = [];
    for (let copy = 1; copy <= copies; copy++) {
      state.count('supplier-events', order.supplierId, 'calls');
      if (copy > 1) state.count('supplier-events', order.supplierId, 'duplicates');
      const outcome = await deliverSupplierEvent(url, event, opts.callbackApiKey, retry);
      if (outcome.delivered) state.count('supplier-events', order.supplierId, 'effects');
      else opts.logger?.warn({ url, eventId: event.eventId, ...outcome }, 'supplier event not delivered; giving up');
      state.deliveries.push({ supplierId: order.supplierId, url, copy, event, ...outcome, finishedAt: state.now().toISOString() });
      outcomes.push(outcome);
    }
    return { copies, first: outcomes[0]! };
  }

  /** The acknowledgment, then a full receipt, of a new order; each skipped once the order is cancelled. */
  function scheduleAutomaticEvents(order: ReceivedPurchaseOrder): void {
    const { autoAcknowledgeAfterMs: ackMs, autoReceiveAfterMs: receiveMs } = opts;
    if (eventsUrl(order) === undefined) return;
    const receiveLater = () => {
      if (receiveMs !== undefined) state.schedule(receiveMs, () => void sendAutomatically(order, 'receive'));
    };
    if (ackMs !== undefined) state.schedule(ackMs, () => void sendAutomatically(order, 'acknowledge').then(receiveLater));
    else receiveLater();
  }

  async function sendAutomatically(order: ReceivedPurchaseOrder, kind: 'acknowledge' | 'receive'): Promise<void> {
    const url = eventsUrl(order);
    // After a reset another order may hold the same reference: only the scheduled one counts.
    if (!url || state.orders.get(orderKey(order)) !== order || order.status === 'cancelled') return;
    const progress = state.progressOf(orderKey(order));
    const now = state.now().toISOString();
    const due = outstandingLines(order, progress);
    if (kind === 'receive' && due.length === 0) return;
    const event = kind === 'acknowledge' ? acknowledgedEvent(order, progress, [], now) : receivedEvent(order, progress, due, now);
    await sendEvent(order, url, event).catch((err: unknown) => opts.logger?.error({ err }, 'automatic supplier event failed'));
  }

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
      order = { supplierId, supplierReference, ...body.data, status: 'open', idempotencyKey: key, receivedAt: state.now().toISOString() };
      state.orders.set(`${supplierId}/${supplierReference}`, order);
      state.orderKeys.set(`${supplierId}/${key}`, { fingerprint: print, ref: supplierReference });
      state.count('supplier-po', supplierId, 'effects');
      scheduleAutomaticEvents(order);
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
    const order = findOrder(req, res);
    if (order) res.json(order);
  });

  /** Cancelling is idempotent: a repeat answers the first cancellation. */
  app.post('/suppliers/:supplierId/purchase-orders/:supplierReference/cancel', async (req, res) => {
    const supplierId = String(req.params.supplierId);
    if (!idempotencyKey(req, res)) return;

    const fault = await applyFaults(state, 'supplier-po', supplierId);
    if (fault && !fault.afterEffect) return injectedFailure(res, 'supplier-po', fault.status);
    const order = findOrder(req, res);
    if (!order) return;
    if (order.status !== 'cancelled') {
      order.status = 'cancelled';
      order.cancelledAt = state.now().toISOString();
    }
    if (fault) return injectedFailure(res, 'supplier-po', fault.status);
    res.json({ supplierReference: order.supplierReference, status: order.status, cancelledAt: order.cancelledAt });
  });

  // Supplier events by hand. Each answers 202 with the event and the first copy's delivery outcome.
  // Cancelled orders are not refused: a supplier's event racing a cancellation is worth testing.
  type EventBuilder = (order: ReceivedPurchaseOrder, req: Request, res: Response) => SupplierEvent | undefined;
  function eventTrigger(action: string, build: EventBuilder): void {
    app.post(`/suppliers/:supplierId/purchase-orders/:supplierReference/${action}`, async (req, res) => {
      const order = findOrder(req, res);
      if (!order) return;
      const url = requireEventsUrl(order, res);
      if (!url) return;
      const event = build(order, req, res);
      if (!event) return;
      const { copies, first } = await sendEvent(order, url, event);
      res.status(202).json({ event, copies, ...first });
    });
  }

  eventTrigger('acknowledge', (order, req, res) => {
    const body = validate(acknowledgeBody, req.body, res);
    if (!body.ok) return undefined;
    const rejectLines = body.data.rejectLines ?? [];
    const errors = lineErrors(order, rejectLines, 'rejectLines');
    rejectLines.forEach((l, i) => {
      const ordered = orderedQuantity(order, l.sku);
      if (l.quantity !== undefined && ordered > 0 && l.quantity > ordered) {
        errors.push({ field: `body.rejectLines.${i}.quantity`, message: `More than the ${ordered} ordered` });
      }
    });
    if (errors.length > 0) return void invalidLines(res, errors);
    return acknowledgedEvent(order, state.progressOf(orderKey(order)), rejectLines, state.now().toISOString());
  });

  eventTrigger('receive', (order, req, res) => {
    const body = validate(receiveBody, req.body, res);
    if (!body.ok) return undefined;
    const progress = state.progressOf(orderKey(order));
    const lines = body.data.lines ?? outstandingLines(order, progress);
    const errors = lineErrors(order, lines, 'lines');
    if (errors.length > 0) return void invalidLines(res, errors);
    if (lines.length === 0) return void problem(res, 409, 'nothing-outstanding', `Every line of ${order.supplierReference} is already received or rejected.`);
    return receivedEvent(order, progress, lines, state.now().toISOString());
  });

  eventTrigger('reject', (order, req, res) => {
    const body = validate(rejectBody, req.body, res);
    return body.ok ? rejectedEvent(order, body.data.reason, state.now().toISOString()) : undefined;
  });

  app.get('/_supplier-events', (req, res) => {
    const { supplierId, supplierReference } = req.query;
    const items = state.deliveries.filter(
      (d) => (supplierId === undefined || d.supplierId === supplierId) && (supplierReference === undefined || d.event.supplierReference === supplierReference),
    );
    res.json({ items });
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
      .filter(
        (p) => (channel === undefined || p.channel === channel) && (storeId === undefined || p.storeId === storeId) && (sku === undefined || p.sku === sku),
      )
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

  /** Clears orders, prices, pushes, faults, stats, supplier-event deliveries and pending automatic events. */
  app.post('/_reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });

  app.use((req, res) => problem(res, 404, 'not-found', `No route ${req.method} ${req.path}.`));
  const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.logger?.error({ err }, 'simulator error');
    problem(
      res,
      status,
      status === 400 ? 'validation-error' : status === 413 ? 'payload-too-large' : status === 500 ? 'internal' : 'bad-request',
      String(err?.message ?? err),
    );
  };
  app.use(errorHandler);
  return app;
}
