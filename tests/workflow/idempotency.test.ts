import { randomUUID } from 'node:crypto';
import type { Principal } from '../../domain/approval';
import { startAppointmentRecovery } from '../../api/processes/appointment-recoveries/starter';
import { createMailSender } from '../../activities/shared/email';
import { createActivities } from '../../workers/activities';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { appointmentRecovery } from '../../workflows/appointment-recovery/workflow';
import { recoveryStateQuery } from '../../workflows/appointment-recovery/messages';
import { createStoreScenario } from '../../scripts/kit/fixtures';
import { createPricingScenario } from '../support/pricing-fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

function activities() {
  return createActivities({
    db: h.db,
    transport: h.transport,
    client: h.client,
    taskQueue: h.taskQueue,
    mailFrom: 'test@retail-ops.test',
    publicBaseUrl: 'http://x',
    supplierErpUrl: h.simulator.url,
    unsubscribeSecrets: h.unsubscribeSecrets,
  });
}

describe('retried activities do each side effect once', () => {
  test('placing holds twice with the same key holds each item once', async () => {
    const s = await createStoreScenario(h.db);
    const acts = activities();
    const skus = (await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, take: 5, orderBy: { sku: 'asc' } })).map((i) => i.sku);
    const input = { holdKey: `wf-${s.suffix}:holds`, storeId: s.storeId, appointmentId: s.appointmentId, skus };
    const first = await acts.placeHolds(input);
    const retry = await acts.placeHolds(input);
    expect(retry).toEqual(first);
    expect(first.held).toEqual(skus);
    expect(await h.db.inventoryHold.count({ where: { holdKey: input.holdKey } })).toBe(5);
    const reserved = await h.db.inventoryLevel.aggregate({ where: { storeId: s.storeId }, _sum: { reserved: true } });
    expect(reserved._sum.reserved).toBe(5);

    await acts.releaseHolds({ holdKey: input.holdKey });
    await acts.releaseHolds({ holdKey: input.holdKey });
    const after = await h.db.inventoryLevel.aggregate({ where: { storeId: s.storeId }, _sum: { reserved: true } });
    expect(after._sum.reserved).toBe(0);
  });

  test('holds: an item out of stock or unknown is unavailable, in the order asked; two recoveries racing for the last unit get it once', async () => {
    const s = await createStoreScenario(h.db);
    const acts = activities();
    const [a, b, c] = (await h.db.inventoryLevel.findMany({ where: { storeId: s.storeId }, take: 3, orderBy: { sku: 'asc' } })).map((i) => i.sku);
    await h.db.inventoryLevel.update({ where: { storeId_sku: { storeId: s.storeId, sku: b! } }, data: { onHand: 0, reserved: 0 } });
    await h.db.inventoryLevel.update({ where: { storeId_sku: { storeId: s.storeId, sku: c! } }, data: { onHand: 1, reserved: 0 } });
    const asked = [b!, 'NO-SUCH-SKU', a!];
    const first = await acts.placeHolds({ holdKey: `wf-${s.suffix}:holds`, storeId: s.storeId, appointmentId: s.appointmentId, skus: asked });
    expect(first).toEqual({ held: [a], unavailable: [b, 'NO-SUCH-SKU'] });

    const race = await Promise.all(
      [1, 2, 3, 4].map((n) => acts.placeHolds({ holdKey: `wf-${s.suffix}-${n}:holds`, storeId: s.storeId, appointmentId: s.appointmentId, skus: [a!, c!] })),
    );
    expect(race.filter((r) => r.held.includes(c!))).toHaveLength(1);
    const last = await h.db.inventoryLevel.findUniqueOrThrow({ where: { storeId_sku: { storeId: s.storeId, sku: c! } } });
    expect(last.reserved).toBe(1);
    expect(await h.db.inventoryHold.count({ where: { storeId: s.storeId, sku: c! } })).toBe(1);
  });

  test('preparation notes appended twice by one run appear once; a missing appointment fails for good', async () => {
    const s = await createStoreScenario(h.db);
    const acts = activities();
    const input = { workflowId: `wf-${s.suffix}`, appointmentId: s.appointmentId, notes: 'Suite 1; three looks held.' };
    await acts.appendPreparationNotes(input);
    await acts.appendPreparationNotes(input);
    await acts.appendPreparationNotes({ ...input, workflowId: `wf-${s.suffix}-later`, notes: 'Second run.' });
    const appt = await h.db.appointment.findUniqueOrThrow({ where: { id: s.appointmentId } });
    expect(appt.status).toBe('CONFIRMED');
    expect(appt.preparationNotes).toBe(`[wf-${s.suffix}]\nSuite 1; three looks held.\n\n[wf-${s.suffix}-later]\nSecond run.`);
    await expect(acts.appendPreparationNotes({ ...input, appointmentId: 'APT-NOPE' })).rejects.toMatchObject({
      type: 'AppointmentNotFound',
      nonRetryable: true,
    });
  });

  test('a chain-wide price effect recorded twice writes its history and the catalogue price once; a status for no change fails', async () => {
    const s = await createPricingScenario(h.db);
    const acts = activities();
    const id = `price-change-idem-${s.suffix}`;
    const targets = [{ channel: 'pos' as const, storeId: s.storeIds[0] }, { channel: 'ecommerce' as const }];
    const input = { priceChangeId: id, step: 'apply', sku: s.sku, price: 87.5, targets, chainWide: true, effectiveAt: '2026-12-03T06:00:00Z' };
    await acts.recordPriceEffect(input);
    await acts.recordPriceEffect({ ...input, price: 1 });
    const rows = await h.db.priceHistory.findMany({ where: { priceChangeId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.channel, r.storeId, Number(r.price), r.effectiveAt.toISOString()])).toEqual([
      ['ecommerce', null, 87.5, '2026-12-03T06:00:00.000Z'],
      ['pos', s.storeIds[0], 87.5, '2026-12-03T06:00:00.000Z'],
    ]);
    expect(Number((await h.db.product.findUniqueOrThrow({ where: { sku: s.sku } })).price)).toBe(87.5);
    expect(await h.db.auditEvent.count({ where: { idempotencyKey: `${id}:history:apply` } })).toBe(1);
    await expect(acts.setPriceChangeStatus({ priceChangeId: id, status: 'approved' })).rejects.toThrow(/does not exist/);
    expect(await h.db.auditEvent.count({ where: { idempotencyKey: `${id}:status:approved` } })).toBe(0);
  });

  test('reserving the suite twice with the same key reserves one suite', async () => {
    const s = await createStoreScenario(h.db);
    const acts = activities();
    const input = {
      key: `wf-${s.suffix}:suite`,
      storeId: s.storeId,
      appointmentId: s.appointmentId,
      startsAt: s.startsAt.toISOString(),
      endsAt: new Date(s.startsAt.getTime() + 5_400_000).toISOString(),
    };
    const a = await acts.reserveSuite(input);
    const b = await acts.reserveSuite(input);
    expect(b).toEqual(a);
    expect(await h.db.roomReservation.count({ where: { room: { storeId: s.storeId }, status: 'HELD' } })).toBe(1);
  });

  test('an email sent, then retried, crosses SMTP once; one claimed by a crashed attempt is never sent again', async () => {
    const to = `idem-${randomUUID()}@example.com`;
    const key = `wf-${randomUUID()}:step`;
    const sender = createMailSender(h.db, h.transport, 'test@retail-ops.test');
    expect((await sender.sendOnce({ key, kind: 'test', to, subject: 'once', text: 'hello' })).status).toBe('sent');
    expect((await sender.sendOnce({ key, kind: 'test', to, subject: 'once', text: 'hello' })).status).toBe('already_sent');
    await h.smtp.waitFor((m) => m.to.includes(to));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.smtp.to(to)).toHaveLength(1);

    // A worker died between claiming and recording the SMTP outcome: the retry must not send.
    const crashedKey = `wf-${randomUUID()}:crashed`;
    await h.db.outboundEmail.create({
      data: { id: randomUUID(), idempotencyKey: crashedKey, kind: 'test', toAddress: to, subject: 'maybe', status: 'CLAIMED' },
    });
    expect((await sender.sendOnce({ key: crashedKey, kind: 'test', to, subject: 'maybe', text: 'x' })).status).toBe('unknown');
    expect(h.smtp.to(to)).toHaveLength(1);
    expect((await h.db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: crashedKey } })).status).toBe('UNKNOWN');
  });
});

describe('worker restart mid-saga with SMTP down', () => {
  test('the recovery completes on a new worker with no second email and no second hold', async () => {
    const s = await createStoreScenario(h.db);
    const first = await h.startWorker();
    const started = await startAppointmentRecovery(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { appointmentId: s.appointmentId, requestedBy: 'system:test' },
      { restartFailed: true },
    );
    const handle = h.client.workflow.getHandle<typeof appointmentRecovery>(started.workflowId);
    await eventually(async () => (await handle.query(recoveryStateQuery)).pendingApproval, 20_000, 'approval');
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email));
    await h.smtp.waitFor((m) => m.to.includes(s.managers.secondary.email));

    // SMTP goes down: the stylist brief (after assignment, holds and suite) keeps failing.
    h.smtp.failNext = 1_000;
    const mgr: Principal = { id: s.managers.primary.id, role: 'store_manager', allScopes: false, storeIds: [s.storeId], regionIds: [], categories: [] };
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', actor: mgr }] });
    await eventually(
      async () =>
        (await h.db.outboundEmail.findFirst({ where: { workflowId: started.workflowId, kind: 'appointment.stylist_brief', status: 'FAILED' } })) ?? undefined,
      20_000,
      'a failed SMTP attempt',
    );
    expect(await h.db.inventoryHold.count({ where: { appointmentId: s.appointmentId, status: 'ACTIVE' } })).toBe(12);

    await first.stop();
    h.smtp.failNext = 0;
    await h.startWorker();
    const result = await handle.result();

    expect(result.stage).toBe('completed');
    expect(h.smtp.to(s.stylistEmails[s.stylists.best])).toHaveLength(1);
    expect(h.smtp.to(s.customerEmail)).toHaveLength(1);
    expect(await h.db.inventoryHold.count({ where: { appointmentId: s.appointmentId } })).toBe(12);
    const reserved = await h.db.inventoryLevel.aggregate({ where: { storeId: s.storeId }, _sum: { reserved: true } });
    expect(reserved._sum.reserved).toBe(12);
    expect(await h.db.roomReservation.count({ where: { appointmentId: s.appointmentId } })).toBe(1);
    const brief = await h.db.outboundEmail.findFirstOrThrow({ where: { workflowId: started.workflowId, kind: 'appointment.stylist_brief' } });
    expect(brief.status).toBe('SENT');
    expect(brief.attempts).toBeGreaterThan(1);
  });
});
