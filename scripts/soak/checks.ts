/**
 * The end-of-soak checks, made from what the outside systems and Postgres recorded (the SMTP
 * server's messages, the simulator's orders and price pushes, Postgres' rows), not from what the
 * workflows say of themselves. The workflows' results are read only to know what a completed
 * recovery claims to hold, which Postgres must then match.
 */
import type { Client as TemporalClient } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import type { SimulatorState } from '../../simulator/app';
import type { Driver } from './driver';
import type { SoakSmtp } from './smtp';
import { ORDER_HISTORY_WORKFLOW_ID } from '../../domain/purchase-orders';

export interface Breach {
  check: string;
  process: string;
  ids: string[];
  detail: string;
}

export interface RunOutcome {
  id: string;
  process: string;
  status: string;
  stage: string;
}

export interface CheckReport {
  outcomes: RunOutcome[];
  breaches: Breach[];
  figures: {
    purchaseOrdersChecked: number;
    purchaseOrdersAtSupplier: number;
    supplierReplaysAbsorbed: number;
    emailsChecked: number;
    emailsCrossedSmtp: number;
    emailsUnknown: { key: string; crossed: number; status: string }[];
    /** Approver notices withdrawn unsent because their request was decided before SMTP took them. */
    emailsWithdrawn: number;
    emailsFailedNotSent: number;
    pricePushesChecked: number;
    channelReplaysAbsorbed: number;
    recoveriesChecked: number;
    decisionsChecked: number;
    duplicates: { emails: number; purchaseOrders: number; pricePushes: number };
  };
}

const STATUS: Record<string, string> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed out',
  CONTINUED_AS_NEW: 'running',
  RUNNING: 'running',
};

/** Each started run's status from the Temporal server (with its BusinessStatus stage), a few at a time. */
export async function describeRuns(client: TemporalClient, driver: Driver): Promise<RunOutcome[]> {
  const started = driver.runs.filter((r) => r.id !== undefined);
  const out: RunOutcome[] = [];
  for (let i = 0; i < started.length; i += 16) {
    out.push(
      ...(await Promise.all(
        started.slice(i, i + 16).map(async (r) => {
          for (let attempt = 1; ; attempt++) {
            try {
              const d = await client.workflow.getHandle(r.id!).describe();
              const stage = d.searchAttributes?.BusinessStatus?.[0];
              return {
                id: r.id!,
                process: r.spec.process,
                status: STATUS[d.status.name] ?? d.status.name.toLowerCase(),
                stage: typeof stage === 'string' ? stage : '?',
              };
            } catch (err) {
              if (attempt >= 5) return { id: r.id!, process: r.spec.process, status: `unknown (${(err as Error).message})`, stage: '?' };
              await new Promise((res) => setTimeout(res, 1_000));
            }
          }
        }),
      )),
    );
  }
  return out;
}

/** What an open run waits on: its pending activities (attempt, state, last failure) and workflow task. */
async function waitingOn(client: TemporalClient, workflowId: string): Promise<string> {
  try {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    const lines = (raw.pendingActivities ?? []).map((a) => {
      const failure = a.lastFailure?.message ? `, last failure: ${a.lastFailure.message.slice(0, 300)}` : '';
      const beat = a.lastHeartbeatTime?.seconds ? `, last heartbeat ${new Date(Number(a.lastHeartbeatTime.seconds) * 1000).toISOString()}` : '';
      return `activity ${a.activityType?.name ?? '?'} attempt ${a.attempt ?? '?'} state ${String(a.state ?? '?')}${beat}${failure}`;
    });
    const task = raw.pendingWorkflowTask;
    if (task) lines.push(`workflow task attempt ${task.attempt ?? '?'} state ${String(task.state ?? '?')}`);
    return lines.length
      ? `\n      waiting on: ${lines.join('\n      waiting on: ')}`
      : '\n      waiting on: nothing pending (a timer, a signal or an approval)';
  } catch (err) {
    return ` (not described: ${(err as Error).message})`;
  }
}

export async function runChecks(deps: {
  client: TemporalClient;
  pg: PgClient;
  driver: Driver;
  smtp: SoakSmtp;
  simulator: SimulatorState;
  outcomes: RunOutcome[];
}): Promise<CheckReport> {
  const { pg, driver, smtp, simulator, outcomes } = deps;
  const breaches: Breach[] = [];
  const breach = (check: string, process: string, ids: string[], detail: string) => {
    if (ids.length > 0) breaches.push({ check, process, ids, detail });
  };

  // 1. Every run reached a final state; an open one is shown with what it waits on.
  const open = outcomes.filter((o) => o.status === 'running' || o.status.startsWith('unknown'));
  for (const proc of new Set(open.map((o) => o.process))) {
    const mine = open.filter((o) => o.process === proc);
    breach(
      'final state',
      proc,
      await Promise.all(mine.map(async (o) => `${o.id} (${o.status}, ${o.stage})${await waitingOn(deps.client, o.id)}`)),
      `${mine.length} run(s) not finished by the drain deadline`,
    );
  }

  // 2. Each purchase order reached the supplier exactly once (the seeded order history was never sent by a run).
  const pos = (
    await pg.query<{ id: string; workflowId: string; status: string; supplierId: string; supplierReference: string | null; sentAt: Date | null }>(
      `SELECT id, "workflowId", status::text AS status, "supplierId", "supplierReference", "sentAt" FROM "PurchaseOrder" WHERE "workflowId" <> $1`,
      [ORDER_HISTORY_WORKFLOW_ID],
    )
  ).rows;
  const ordersByPo = new Map<string, { supplierId: string; supplierReference: string; status: string }[]>();
  for (const o of simulator.orders.values()) {
    (ordersByPo.get(o.purchaseOrderId) ?? ordersByPo.set(o.purchaseOrderId, []).get(o.purchaseOrderId)!).push(o);
  }
  const poIds = new Set(pos.map((p) => p.id));
  const twice = [...ordersByPo]
    .filter(([, list]) => list.length > 1)
    .map(([id, list]) => `${id} x${list.length} (${list.map((o) => o.supplierReference).join(', ')})`);
  breach('PO exactly once', 'replenishments', twice, 'purchase orders received more than once by the supplier');
  breach(
    'PO exactly once',
    'replenishments',
    [...ordersByPo.keys()].filter((id) => !poIds.has(id)),
    'orders at the supplier that Postgres does not know',
  );
  const sentStatuses = ['SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED', 'RECEIVED'];
  const notArrived = pos.filter((p) => (sentStatuses.includes(p.status) || p.supplierReference !== null) && (ordersByPo.get(p.id)?.length ?? 0) !== 1);
  breach(
    'PO exactly once',
    'replenishments',
    notArrived.map((p) => `${p.id} (${p.status})`),
    'purchase orders Postgres records as sent that the supplier does not have exactly once',
  );
  const refMismatch = pos.filter(
    (p) => p.supplierReference !== null && ordersByPo.get(p.id)?.length === 1 && ordersByPo.get(p.id)![0]!.supplierReference !== p.supplierReference,
  );
  breach(
    'PO exactly once',
    'replenishments',
    refMismatch.map((p) => p.id),
    "Postgres' supplier reference differs from the supplier's",
  );
  const unsentButArrived = pos.filter((p) => p.supplierReference === null && !sentStatuses.includes(p.status) && (ordersByPo.get(p.id)?.length ?? 0) > 0);
  breach(
    'PO exactly once',
    'replenishments',
    unsentButArrived.map((p) => `${p.id} (${p.status})`),
    'purchase orders at the supplier that Postgres records as never sent',
  );

  // 3. Each intended email crossed SMTP exactly once, or is UNKNOWN.
  const emails = (
    await pg.query<{ key: string; status: string; kind: string; workflowId: string | null }>(
      `SELECT "idempotencyKey" AS key, status::text AS status, kind, "workflowId" FROM "OutboundEmail"
       UNION ALL
       SELECT 'campaign:' || id, status::text, 'campaign', "campaignId" FROM "CampaignSend"`,
    )
  ).rows;
  const intended = new Map(emails.map((e) => [e.key, e]));
  const dupEmails = [...smtp.byKey].filter(([, n]) => n > 1);
  breach(
    'email exactly once',
    'all',
    dupEmails.map(([k, n]) => `${k} x${n}`),
    'emails that crossed SMTP more than once',
  );
  breach(
    'email exactly once',
    'all',
    [...smtp.byKey.keys()].filter((k) => !intended.has(k)),
    'emails that crossed SMTP without a row in Postgres',
  );
  if (smtp.unkeyed > 0) breach('email exactly once', 'all', [`${smtp.unkeyed} message(s)`], 'emails without an X-Retail-Ops-Key header');
  const unknown: CheckReport['figures']['emailsUnknown'] = [];
  let withdrawn = 0;
  let failedNotSent = 0;
  const sentMissing: string[] = [];
  const lost: string[] = [];
  // Emails of a run still open may be mid-send: judged only once their run is final (an open run is a breach of its own).
  const openIds = new Set(open.map((o) => o.id));
  for (const e of emails) {
    const crossed = smtp.byKey.get(e.key) ?? 0;
    if (e.workflowId && openIds.has(e.workflowId) && (e.status === 'CLAIMED' || e.status === 'FAILED')) continue;
    if (e.status === 'SENT' && crossed !== 1) sentMissing.push(`${e.key} (crossed ${crossed})`);
    else if (e.status === 'UNKNOWN') unknown.push({ key: e.key, crossed, status: e.status });
    else if (e.status === 'WITHDRAWN') {
      if (crossed > 0) sentMissing.push(`${e.key} (WITHDRAWN, crossed ${crossed})`);
      else withdrawn++;
    } else if (e.status === 'CLAIMED') {
      // A claim whose sender died and that nothing resolved since: fine if it crossed once, lost if not.
      if (crossed === 1) unknown.push({ key: e.key, crossed, status: e.status });
      else lost.push(`${e.key} (CLAIMED, crossed ${crossed})`);
    } else if (e.status === 'FAILED') {
      if (crossed > 0) sentMissing.push(`${e.key} (FAILED, crossed ${crossed})`);
      else {
        failedNotSent++;
        lost.push(`${e.key} (FAILED, crossed 0)`);
      }
    }
  }
  breach('email exactly once', 'all', sentMissing, 'emails whose Postgres status disagrees with what crossed SMTP');
  breach('email exactly once', 'all', lost, 'intended emails that never crossed SMTP and are not recorded UNKNOWN');

  // 4. Each price push reached each channel exactly once.
  // A push is on record before the channel is called; an unconfirmed one (its answer lost) may have applied once or not at all.
  const pushes = (
    await pg.query<{ key: string; priceChangeId: string; confirmed: boolean }>(
      `SELECT "idempotencyKey" AS key, "priceChangeId", "confirmedAt" IS NOT NULL AS confirmed FROM "ChannelPricePush"`,
    )
  ).rows;
  const simByKey = new Map<string, number>();
  for (const p of simulator.pushes) simByKey.set(p.idempotencyKey, (simByKey.get(p.idempotencyKey) ?? 0) + 1);
  const recorded = new Set(pushes.map((p) => p.key));
  breach(
    'price push exactly once',
    'price-changes',
    [...simByKey].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`),
    'pushes applied more than once by a channel',
  );
  breach(
    'price push exactly once',
    'price-changes',
    pushes.filter((p) => p.confirmed && simByKey.get(p.key) !== 1).map((p) => p.key),
    'pushes Postgres records as confirmed that the channel did not apply exactly once',
  );
  breach(
    'price push exactly once',
    'price-changes',
    [...simByKey.keys()].filter((k) => !recorded.has(k)),
    'pushes a channel applied that Postgres does not record',
  );
  // One push per change, step and target: a second key for the same would be a second push.
  const perTarget = new Map<string, number>();
  for (const p of simulator.pushes) {
    const t = `${p.priceChangeId}/${p.idempotencyKey.slice(p.priceChangeId.length + 1)}`;
    perTarget.set(t, (perTarget.get(t) ?? 0) + 1);
  }

  // 5. Item holds and suite reservations match the final states.
  const recoveries = outcomes.filter((o) => o.process === 'appointment-recoveries' && o.status !== 'running');
  const holds = (await pg.query<{ holdKey: string; sku: string }>(`SELECT "holdKey", sku FROM "InventoryHold" WHERE status = 'ACTIVE'`)).rows;
  const suites = (await pg.query<{ key: string }>(`SELECT "idempotencyKey" AS key FROM "RoomReservation" WHERE status = 'HELD'`)).rows;
  const appts = (await pg.query<{ id: string; stylistId: string | null }>(`SELECT id, "stylistId" FROM "Appointment" WHERE id LIKE 'APT-SOAK-%'`)).rows;
  const heldBy = new Map<string, Set<string>>();
  for (const h of holds) (heldBy.get(h.holdKey) ?? heldBy.set(h.holdKey, new Set()).get(h.holdKey)!).add(h.sku);
  const suiteHeld = new Set(suites.map((s) => s.key));
  const stylistOf = new Map(appts.map((a) => [a.id, a.stylistId]));
  const holdWrong: string[] = [];
  const suiteWrong: string[] = [];
  const stylistWrong: string[] = [];
  for (const o of recoveries) {
    const run = driver.byId.get(o.id)!;
    const appointmentId = String(run.spec.body.appointmentId);
    const held = heldBy.get(`${o.id}:holds`) ?? new Set<string>();
    const suite = suiteHeld.has(`${o.id}:suite`);
    const stylist = stylistOf.get(appointmentId) ?? null;
    if (o.status === 'completed' && o.stage === 'completed') {
      let claims: { itemsHeld: string[]; suiteReserved: string | null; stylistAssigned: string | null } | undefined;
      try {
        const result = (await deps.client.workflow.getHandle(o.id).result()) as {
          effects: { itemsHeld: string[]; suiteReserved: string | null; stylistAssigned: string | null };
        };
        claims = result.effects;
      } catch {
        claims = undefined;
      }
      if (!claims) continue;
      const same = claims.itemsHeld.length === held.size && claims.itemsHeld.every((s) => held.has(s));
      if (!same) holdWrong.push(`${o.id} (says ${claims.itemsHeld.length} held, Postgres ${held.size} active)`);
      if (claims.suiteReserved !== null && !suite) suiteWrong.push(`${o.id} (says ${claims.suiteReserved}, Postgres none held)`);
      if (stylist !== claims.stylistAssigned) stylistWrong.push(`${o.id} (says ${claims.stylistAssigned}, Postgres ${stylist})`);
    } else {
      if (held.size > 0) holdWrong.push(`${o.id} (${o.status}/${o.stage}, ${held.size} still held)`);
      if (suite) suiteWrong.push(`${o.id} (${o.status}/${o.stage}, suite still held)`);
      if (o.stage !== 'not_needed' && stylist !== null) stylistWrong.push(`${o.id} (${o.status}/${o.stage}, stylist ${stylist} still assigned)`);
    }
  }
  breach('holds match final state', 'appointment-recoveries', holdWrong, 'item holds that do not match the run’s final state');
  breach('suite reservations match final state', 'appointment-recoveries', suiteWrong, 'suite reservations that do not match the run’s final state');
  breach('stylist assignment matches final state', 'appointment-recoveries', stylistWrong, 'assignments that do not match the run’s final state');
  const runIds = new Set(outcomes.map((o) => o.id));
  const orphanHolds = [...heldBy.keys()].filter((k) => !runIds.has(k.replace(/:holds$/, '')));
  breach('holds match final state', 'appointment-recoveries', orphanHolds, 'active holds of no soak run');

  // 6. No decision was lost.
  const decided = (
    await pg.query<{ requestId: string; level: number; actorId: string; decision: string; audited: boolean }>(
      `SELECT d."approvalRequestId" AS "requestId", d.level, d."actorId", d.decision,
              EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a."idempotencyKey" = 'decision:' || d.id) AS audited
         FROM "ApprovalDecision" d`,
    )
  ).rows;
  const have = new Map(decided.map((d) => [`${d.requestId}/${d.level}/${d.actorId}/${d.decision}`, d.audited]));
  const lostDecisions = driver.accepted.filter((a) => !have.has(`${a.requestId}/${a.level}/${a.actor}/${a.decision}`));
  for (const proc of new Set(lostDecisions.map((d) => d.process))) {
    const mine = lostDecisions.filter((d) => d.process === proc);
    breach(
      'no decision lost',
      proc,
      mine.map((d) => `${d.processId} request ${d.requestId} L${d.level} ${d.actor} ${d.decision}`),
      'decisions answered 200 that Postgres does not record',
    );
  }
  const unaudited = driver.accepted.filter((a) => have.get(`${a.requestId}/${a.level}/${a.actor}/${a.decision}`) === false);
  breach(
    'no decision lost',
    'all',
    unaudited.map((d) => `${d.processId} request ${d.requestId}`),
    'decisions recorded without their audit event',
  );

  const stats = simulator.stats;
  return {
    outcomes,
    breaches,
    figures: {
      purchaseOrdersChecked: pos.length,
      purchaseOrdersAtSupplier: simulator.orders.size,
      supplierReplaysAbsorbed: stats['supplier-po'].duplicates,
      emailsChecked: emails.length,
      emailsCrossedSmtp: smtp.received,
      emailsUnknown: unknown,
      emailsWithdrawn: withdrawn,
      emailsFailedNotSent: failedNotSent,
      pricePushesChecked: pushes.length,
      channelReplaysAbsorbed: stats['pos-price'].duplicates + stats['ecommerce-price'].duplicates,
      recoveriesChecked: recoveries.length,
      decisionsChecked: driver.accepted.length,
      duplicates: {
        emails: dupEmails.length,
        purchaseOrders: twice.length,
        pricePushes: [...perTarget.values()].filter((n) => n > 1).length,
      },
    },
  };
}
