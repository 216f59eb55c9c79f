/**
 * What the soak starts: a mix of the five processes with start bodies as upstream systems send them,
 * business keys varied as far as each process allows (a replenishment is one per store and day, a
 * retraining one per model and day unless an Idempotency-Key makes its own), and for each run what
 * its deciders will do (approve, reject, override, leave it to the timeout) and whether it is cancelled.
 */
import { createHash } from 'node:crypto';
import type { Client as PgClient } from 'pg';

export const PROCESSES = ['appointment-recoveries', 'replenishments', 'price-changes', 'campaigns', 'model-retrainings'] as const;
export type ProcessResource = (typeof PROCESSES)[number];

export type DecisionPlan = 'approve' | 'reject' | 'override' | 'leave';

export interface RunSpec {
  n: number;
  process: ProcessResource;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** Seconds after its start at which it is cancelled; none for most. */
  cancelAfterS: number | null;
  /** What deciders do with this run's approvals (per purchase order for replenishments: see decisionFor). */
  decision: DecisionPlan;
  /**
   * What the upstream system sends instead when the start is refused (a price cut the guardrails
   * refuse is resubmitted as a small rise, as a pricing system would), so refusals do not thin the run count.
   */
  resubmit?: { body: Record<string, unknown>; headers: Record<string, string> };
}

/** A number in [0, 1) from a string: the same run always gets the same plan. */
export function unit(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

/** The decision for one approval request of a run (each PO of a replenishment decided on its own). */
export function decisionFor(run: RunSpec | undefined, subjectId: string, level: number): DecisionPlan {
  if (!run) return 'approve';
  if (run.process !== 'replenishments') return run.decision;
  const u = unit(`${subjectId}:${level}`);
  return u < 0.82 ? 'approve' : u < 0.95 ? 'reject' : 'leave';
}

const SHARES: Record<ProcessResource, number> = {
  'appointment-recoveries': 0.37,
  replenishments: 0.12,
  'price-changes': 0.37,
  campaigns: 0.13,
  // Each retrains every store x SKU series: a few are enough.
  'model-retrainings': 0.01,
};

export interface ScenarioData {
  appointmentIds: string[];
  /** (sku, store, current price) pairs a price change may target, in the category with a demo category manager. */
  priceTargets: { sku: string; storeId: string; price: number }[];
  replenishmentKeys: { storeId: string; asOf: string }[];
}

function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Splits `total` runs over the processes by their shares (at least one of each). */
export function processCounts(total: number): Record<ProcessResource, number> {
  const counts = Object.fromEntries(PROCESSES.map((p) => [p, Math.max(1, Math.floor(total * SHARES[p]))])) as Record<ProcessResource, number>;
  let sum = PROCESSES.reduce((s, p) => s + counts[p], 0);
  for (let i = 0; sum < total; i++, sum++) counts[PROCESSES[i % 4]!]++;
  return counts;
}

/**
 * Puts in place what the runs need: unassigned appointments on stylists' future shifts in the stores
 * with a demo store manager (S001, S002) and a few in S003 (no store manager: escalation to the
 * regional manager), price targets in womens-apparel (the demo category manager's) in WEST stores,
 * and replenishment keys (S001 and S002, one a day back from yesterday).
 */
export async function prepareScenario(pg: PgClient, counts: Record<ProcessResource, number>): Promise<ScenarioData> {
  const want = counts['appointment-recoveries'];
  const shifts = await pg.query<{ storeId: string; startsAt: Date }>(
    `SELECT DISTINCT ON (sh."storeId", sh."startsAt") sh."storeId", sh."startsAt"
       FROM "StaffShift" sh JOIN "Staff" s ON s.id = sh."staffId"
      WHERE s.role = 'STYLIST' AND sh."storeId" IN ('S001', 'S002', 'S003') AND sh."startsAt" > now() + interval '3 hours'
        AND sh."endsAt" - sh."startsAt" >= interval '6 hours'
      ORDER BY sh."storeId", sh."startsAt"`,
  );
  const customers = await pg.query<{ id: string; homeStoreId: string }>(
    `SELECT id, "homeStoreId" FROM "Customer" WHERE "homeStoreId" IN ('S001', 'S002', 'S003') ORDER BY id`,
  );
  const byStore = new Map<string, { storeId: string; startsAt: Date }[]>();
  for (const s of shifts.rows) (byStore.get(s.storeId) ?? byStore.set(s.storeId, []).get(s.storeId)!).push(s);
  const custByStore = new Map<string, string[]>();
  for (const c of customers.rows) (custByStore.get(c.homeStoreId) ?? custByStore.set(c.homeStoreId, []).get(c.homeStoreId)!).push(c.id);
  const rows: { id: string; storeId: string; customerId: string; startsAt: Date }[] = [];
  const stores = ['S001', 'S002', 'S001', 'S002', 'S001', 'S002', 'S001', 'S002', 'S001', 'S003'];
  const cursor = new Map<string, number>();
  for (let i = 0; i < want; i++) {
    const storeId = stores[i % stores.length]!;
    const list = byStore.get(storeId) ?? [];
    const k = cursor.get(storeId) ?? 0;
    cursor.set(storeId, k + 1);
    const shift = list[k % Math.max(1, list.length)];
    if (!shift) continue;
    // Slots at +1 h, +3 h and +5 h into the shift, an hour each; later rounds reuse shifts.
    const slot = Math.floor(k / Math.max(1, list.length)) % 3;
    const startsAt = new Date(shift.startsAt.getTime() + (1 + 2 * slot) * 3600_000);
    const custs = custByStore.get(storeId)!;
    rows.push({ id: `APT-SOAK-${String(i + 1).padStart(5, '0')}`, storeId, customerId: custs[(i * 7) % custs.length]!, startsAt });
  }
  await pg.query(
    `INSERT INTO "Appointment" (id, "storeId", "customerId", "serviceType", "startsAt", "endsAt", status, "updatedAt")
     SELECT id, s, c, 'personal_styling', t, t + interval '1 hour', 'SCHEDULED', now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS x(id, s, c, t)`,
    [rows.map((r) => r.id), rows.map((r) => r.storeId), rows.map((r) => r.customerId), rows.map((r) => r.startsAt)],
  );

  const products = await pg.query<{ sku: string; price: string }>(
    `SELECT sku, price::text FROM "Product" WHERE category = 'womens-apparel' AND active ORDER BY sku`,
  );
  const priceTargets: ScenarioData['priceTargets'] = [];
  for (const storeId of ['S001', 'S002', 'S003']) for (const p of products.rows) priceTargets.push({ sku: p.sku, storeId, price: Number(p.price) });
  priceTargets.sort((a, b) => unit(`${a.sku}/${a.storeId}`) - unit(`${b.sku}/${b.storeId}`));

  const tz = await pg.query<{ id: string; timezone: string }>(`SELECT id, timezone FROM "Store" WHERE id IN ('S001', 'S002')`);
  const replenishmentKeys: ScenarioData['replenishmentKeys'] = [];
  for (let back = 1; replenishmentKeys.length < counts.replenishments && back <= 365; back++) {
    for (const s of tz.rows) {
      replenishmentKeys.push({ storeId: s.id, asOf: localDay(new Date(Date.now() - back * 86_400_000), s.timezone) });
    }
  }
  return { appointmentIds: rows.map((r) => r.id), priceTargets, replenishmentKeys };
}

const pick = <T>(u: number, options: readonly (readonly [number, T])[]): T => {
  let acc = 0;
  for (const [w, v] of options) {
    acc += w;
    if (u < acc) return v;
  }
  return options[options.length - 1]![1];
};

/** The runs, interleaved across processes in a fixed pseudo-random order. */
export function buildRuns(counts: Record<ProcessResource, number>, data: ScenarioData, soakId: string): RunSpec[] {
  const runs: RunSpec[] = [];
  const cancelAfter = (key: string): number | null => (unit(`cancel:${key}`) < 0.06 ? 2 + Math.floor(unit(`cancel-at:${key}`) * 25) : null);
  let n = 0;
  for (let i = 0; i < counts['appointment-recoveries'] && i < data.appointmentIds.length; i++) {
    const id = data.appointmentIds[i]!;
    runs.push({
      n: n++,
      process: 'appointment-recoveries',
      body: {
        appointmentId: id,
        itemCount: 4,
        timing: { decisionTimeoutMs: 40_000, autoAssignAfterMs: 20_000, reminderBeforeMs: 0, settleBeforeStartMs: 0 },
      },
      headers: {},
      cancelAfterS: cancelAfter(id),
      decision: pick(unit(`decide:${id}`), [
        [0.62, 'approve'],
        [0.12, 'override'],
        [0.12, 'reject'],
        [0.14, 'leave'],
      ] as const),
    });
  }
  for (let i = 0; i < counts.replenishments && i < data.replenishmentKeys.length; i++) {
    const k = data.replenishmentKeys[i]!;
    runs.push({
      n: n++,
      process: 'replenishments',
      body: {
        storeId: k.storeId,
        asOf: k.asOf,
        timing: {
          escalateAfterMs: 30_000,
          reminderBeforeMs: 0,
          expireAfterMs: 120_000,
          acknowledgmentTimeoutMs: 60_000,
          receiptTimeoutMs: 60_000,
          sendGiveUpAfterMs: 180_000,
        },
      },
      headers: {},
      cancelAfterS: cancelAfter(`${k.storeId}-${k.asOf}`),
      decision: 'approve',
    });
  }
  for (let i = 0; i < counts['price-changes']; i++) {
    const t = data.priceTargets[i % data.priceTargets.length]!;
    const key = `${soakId}-price-${i}`;
    const u = unit(key);
    const factor = pick(u, [
      [0.3, 0.98],
      [0.2, 1.02],
      [0.25, 0.9],
      [0.15, 0.85],
      [0.1, 1.08],
    ] as const);
    const newPrice = Math.max(0.5, Math.round(t.price * factor * 100) / 100);
    const timed = unit(`timed:${key}`);
    const body: Record<string, unknown> = {
      sku: t.sku,
      storeIds: [t.storeId],
      newPrice,
      reason: `Soak ${soakId}: price test ${i}`,
      timing: { escalateAfterMs: 30_000, reminderBeforeMs: 0, expireAfterMs: 90_000, monitorWindowMs: 4_000, monitorEveryMs: 2_000, monitorAfterMs: 0 },
    };
    if (timed < 0.25) body.effectiveAt = new Date(Date.now() + 3_600_000).toISOString(); // replaced at start: see startBody
    if (timed > 0.8) body.endsAt = 'soon';
    runs.push({
      n: n++,
      process: 'price-changes',
      body,
      headers: { 'Idempotency-Key': key },
      cancelAfterS: cancelAfter(key),
      decision: pick(unit(`decide:${key}`), [
        [0.8, 'approve'],
        [0.2, 'reject'],
      ] as const),
      resubmit: {
        body: { ...body, newPrice: Math.round(t.price * 1.02 * 100) / 100, reason: `${String(body.reason)} (resubmitted within the guardrails)` },
        headers: { 'Idempotency-Key': `${key}-resubmitted` },
      },
    });
  }
  for (let i = 0; i < counts.campaigns; i++) {
    const key = `${soakId}-campaign-${i}`;
    const storeId = ['S001', 'S002', 'S003', 'S004', 'S005', 'S006'][i % 6]!;
    const tiers = unit(`tiers:${key}`) < 0.5 ? ['PLATINUM'] : ['GOLD'];
    runs.push({
      n: n++,
      process: 'campaigns',
      body: {
        name: `Soak ${i} ${storeId} ${tiers[0]!.toLowerCase()}`,
        segment: { storeIds: [storeId], tiers },
        variants: [
          { key: 'a', subject: 'Hi {{firstName}}, new in', body: 'Our new season edit, picked for {{tier}} members.' },
          { key: 'b', subject: '{{firstName}}, a preview for you', body: 'A first look at the new season.' },
        ],
        holdoutPercent: 10,
        sendWindow: { startHour: 0, endHour: 24 },
        ratePerSecond: 50,
      },
      headers: { 'Idempotency-Key': key },
      cancelAfterS: cancelAfter(key),
      decision: pick(unit(`decide:${key}`), [
        [0.85, 'approve'],
        [0.15, 'reject'],
      ] as const),
    });
  }
  for (let i = 0; i < counts['model-retrainings']; i++) {
    const key = `${soakId}-retrain-${i}`;
    runs.push({
      n: n++,
      process: 'model-retrainings',
      body: {
        modelName: 'demand-forecast',
        reason: `Soak ${soakId}: retraining ${i}`,
        historyDays: 56,
        holdoutDays: 14,
        timing: { escalateAfterMs: 30_000, reminderBeforeMs: 0, expireAfterMs: 120_000 },
      },
      headers: { 'Idempotency-Key': key },
      cancelAfterS: cancelAfter(key),
      decision: pick(unit(`decide:${key}`), [
        [0.75, 'approve'],
        [0.25, 'reject'],
      ] as const),
    });
  }
  // Interleave: a stable shuffle by a hash of the run's position.
  return runs
    .map((r) => ({ r, k: unit(`order:${soakId}:${r.process}:${r.n}`) }))
    .sort((a, b) => a.k - b.k)
    .map(({ r }, i) => ({ ...r, n: i }));
}

/** The body as sent at the moment of starting (times relative to now). */
export function startBody(run: RunSpec, resubmitted = false): Record<string, unknown> {
  const body = { ...(resubmitted && run.resubmit ? run.resubmit.body : run.body) };
  if (run.process === 'price-changes') {
    const u = unit(`when:${run.n}`);
    if (body.effectiveAt) body.effectiveAt = new Date(Date.now() + 2_000 + Math.floor(u * 8_000)).toISOString();
    if (body.endsAt) body.endsAt = new Date(Date.now() + 15_000 + Math.floor(u * 10_000)).toISOString();
  }
  return body;
}
