/**
 * The emails people receive, as they receive them: multipart (text + HTML), crossing a real SMTP
 * server, with store-local times named by zone, the store's address, a Reply-To that reaches the
 * store where the text invites a reply, and console links where a decision or a look is wanted.
 */
import { randomUUID } from 'node:crypto';
import { createApprovalActivities } from '../../activities/shared/approvals';
import { createChannelPriceClient } from '../../activities/price-change/channel-prices';
import { createSupplierErpClient } from '../../activities/replenishment/supplier-erp';
import { createMailSender } from '../../activities/shared/email';
import { createPricingActivities } from '../../activities/price-change/pricing';
import { createPurchaseOrderActivities } from '../../activities/replenishment/purchase-orders';
import { startAppointmentRecovery } from '../../api/processes/appointment-recoveries/starter';
import { decideUpdate } from '../../workflows/shared/approval-gate';
import { appointmentRecovery } from '../../workflows/appointment-recovery/workflow';
import { recoveryStateQuery } from '../../workflows/appointment-recovery/messages';
import { createPerson, createStoreScenario, type StoreScenario } from '../../scripts/kit/fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import type { CapturedMail } from '../../scripts/kit/smtp';

const BASE_URL = 'http://retail-ops.test'; // the harness worker's publicBaseUrl
const LA = 'America/Los_Angeles';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

/** "11:00 AM" in the zone, computed apart from the code under test (ICU's narrow spaces made plain). */
function clockIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(at).replace(/\s/g, ' ');
}

/** The zone's short name at that moment ("PST" or "PDT"). */
function zoneNameIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')!.value;
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function html(m: CapturedMail): string {
  if (m.html === false) throw new Error(`"${m.subject}" has no HTML part`);
  return m.html;
}

async function giveStoreAnAddress(s: StoreScenario) {
  const email = `store-${s.suffix.toLowerCase()}@stores.retail-ops.test`;
  await h.db.store.update({ where: { id: s.storeId }, data: { street: '12 Market Street', state: 'CA', postalCode: '94105', email } });
  return { email, address: '12 Market Street, Testville, CA 94105' };
}

describe('appointment recovery emails', () => {
  test('approval notice, stylist brief and customer confirmation: local time with zone, address, Reply-To, console links', async () => {
    const s = await createStoreScenario(h.db);
    const store = await giveStoreAnAddress(s);
    const r = await startAppointmentRecovery(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { appointmentId: s.appointmentId, requestedBy: 'system:test' },
      { restartFailed: true },
    );
    const handle = h.client.workflow.getHandle<typeof appointmentRecovery>(r.workflowId, r.runId);
    const st = await eventually(
      async () => {
        const q = await handle.query(recoveryStateQuery);
        return q.stage === 'awaiting_approval' && q.pendingApproval ? q : undefined;
      },
      20_000,
      'awaiting approval',
    );

    // The manager's approval notice links to the console decision page, with the due time local.
    const notice = await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Approval needed'));
    const due = new Date(st.pendingApproval!.dueAt);
    const decisionLink = `${BASE_URL}/console/approvals/appointment-recoveries/${encodeURIComponent(r.workflowId)}`;
    for (const part of [notice.text, html(notice)]) {
      expect(part).toContain(decisionLink);
      expect(part).toContain(`${clockIn(due, LA)} ${zoneNameIn(due, LA)}`);
      expect(part).toContain(`starts ${s.startsAt.toLocaleDateString('en-US', { timeZone: LA, weekday: 'short' })}`);
      expect(part).toContain(`${clockIn(s.startsAt, LA)} ${zoneNameIn(s.startsAt, LA)}`);
      expect(part).not.toContain(s.startsAt.toISOString()); // the process's UTC instant, made local
      expect(part).not.toContain('/api/v1/');
    }
    expect(html(notice)).toContain(`<a href="${decisionLink}"`);
    expect(notice.replyTo).toBeUndefined(); // it invites a decision, not a reply

    // The summary the workflow writes already reads in the store's time (not only once the email localises it).
    const history = await handle.fetchHistory();
    const noticeInputs = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyApprovers')
      .map((e) => JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString('utf8')) as { lines: string[] });
    expect(noticeInputs.length).toBeGreaterThan(0);
    expect(noticeInputs[0]!.lines[0]).toMatch(new RegExp(`starts \\w{3}, \\w{3} \\d{1,2}, ${clockIn(s.startsAt, LA)} ${zoneNameIn(s.startsAt, LA)}\\.$`));

    await handle.executeUpdate(decideUpdate, {
      args: [
        {
          decision: 'approve',
          actor: { id: s.managers.primary.id, role: 'store_manager', allScopes: false, storeIds: [s.storeId], regionIds: [], categories: [] },
        },
      ],
    });
    expect((await handle.result()).stage).toBe('completed');

    const when = `${clockIn(s.startsAt, LA)} ${zoneNameIn(s.startsAt, LA)}`;
    const runLink = `${BASE_URL}/console/runs/appointment-recoveries/${encodeURIComponent(r.workflowId)}`;

    const brief = await h.smtp.waitFor((m) => m.to.includes(s.stylistEmails[s.stylists.best]!));
    expect(brief.subject).toContain(when);
    for (const part of [brief.text, html(brief)]) {
      expect(part).toContain(when);
      expect(part).toContain(store.address);
      expect(part).toContain(runLink);
      expect(part).toContain('Styling Suite 1');
      // The customer once: no second copy from the preparation notes.
      expect(occurrences(part, 'average spend')).toBe(1);
      expect(occurrences(part.toLowerCase(), 'sizes')).toBe(1);
    }
    expect(occurrences(brief.text, 'member for')).toBe(1);
    expect(brief.text).toContain('PLATINUM member');
    expect(brief.text).toContain('Items on hold for her (12)');
    expect(brief.replyTo).toBe(store.email);

    const confirmation = await h.smtp.waitFor((m) => m.to.includes(s.customerEmail));
    for (const part of [confirmation.text, html(confirmation)]) {
      expect(part).toContain(when);
      expect(part).toContain(store.address);
      expect(part).toContain('Maria');
      expect(part).toContain('reply to this email');
    }
    expect(confirmation.replyTo).toBe(store.email);
    expect(confirmation.from).toContain('no-reply@');
    expect(h.smtp.to(s.customerEmail)).toHaveLength(1);
  });

  test('a store without an email: the confirmation does not invite a reply and has no Reply-To', async () => {
    const s = await createStoreScenario(h.db);
    const r = await startAppointmentRecovery(
      { client: h.client, db: h.db, taskQueue: h.taskQueue },
      { appointmentId: s.appointmentId, requestedBy: 'system:test' },
      { restartFailed: true },
    );
    const handle = h.client.workflow.getHandle<typeof appointmentRecovery>(r.workflowId, r.runId);
    await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Approval needed'));
    await handle.executeUpdate(decideUpdate, {
      args: [
        {
          decision: 'approve',
          actor: { id: s.managers.primary.id, role: 'store_manager', allScopes: false, storeIds: [s.storeId], regionIds: [], categories: [] },
        },
      ],
    });
    await handle.result();
    const confirmation = await h.smtp.waitFor((m) => m.to.includes(s.customerEmail));
    expect(confirmation.replyTo).toBeUndefined();
    expect(confirmation.text.toLowerCase()).not.toContain('reply');
    expect(html(confirmation).toLowerCase()).not.toContain('reply');
  });
});

describe('approval, replenishment and pricing notices', () => {
  const mail = () => createMailSender(h.db, h.transport, 'Retail Ops <no-reply@retail-ops.test>');

  test('a store approval shows the due time in the store zone; an expired one links to the run', async () => {
    const s = await createStoreScenario(h.db);
    const approvals = createApprovalActivities({ db: h.db, mail: mail(), publicBaseUrl: BASE_URL });
    const workflowId = `replenishment-${s.storeId}-${randomUUID().slice(0, 8)}`;
    const dueAt = '2026-12-02T19:00:00.000Z';
    const approvers = [{ role: 'store_manager' as const, scope: { storeId: s.storeId, regionId: s.regionId } }];
    const base = {
      requestId: `req-${workflowId}`,
      workflowId,
      level: 1,
      approvers,
      title: 'Purchase order PO-1 ($46,620.00)',
      lines: ['212 x WA-0012 at $34.83'],
      dueAt,
      path: `/api/v1/replenishments/${workflowId}`,
    };

    await approvals.notifyApprovers({ ...base, kind: 'requested' });
    const requested = await h.smtp.waitFor(
      (m) => m.to.includes(s.managers.primary.email) && m.subject.includes('PO-1') && m.subject.startsWith('Approval needed'),
    );
    expect(html(requested)).toContain('Wed, Dec 2, 11:00 AM PST');
    expect(requested.text).toContain('Wed, Dec 2, 11:00 AM PST');
    expect(html(requested)).toContain(`${BASE_URL}/console/approvals/replenishments/${workflowId}`);
    expect(html(requested)).toContain('212 x WA-0012 at $34.83');

    await approvals.notifyApprovers({ ...base, kind: 'expired' });
    const expired = await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject.startsWith('Approval expired'));
    expect(html(expired)).toContain(`${BASE_URL}/console/runs/replenishments/${workflowId}`);

    // Retries and repeats send nothing twice.
    await approvals.notifyApprovers({ ...base, kind: 'requested' });
    expect(h.smtp.to(s.managers.primary.email).filter((m) => m.subject.startsWith('Approval needed') && m.subject.includes('PO-1'))).toHaveLength(1);
  });

  test('an approval of no store (a category) names UTC rather than guessing a zone', async () => {
    const suffix = randomUUID().slice(0, 8);
    const category = `cat-${suffix}`;
    const person = await createPerson(h.db, suffix, 'category_manager', 'cm', { categories: [category] });
    const approvals = createApprovalActivities({ db: h.db, mail: mail(), publicBaseUrl: BASE_URL });
    const workflowId = `price-change-${suffix}`;
    await approvals.notifyApprovers({
      requestId: `req-${workflowId}`,
      workflowId,
      kind: 'requested',
      level: 1,
      approvers: [{ role: 'category_manager', scope: { category } }],
      title: 'Price change',
      lines: [],
      dueAt: '2026-12-02T19:00:00.000Z',
      path: `/api/v1/price-changes/${workflowId}`,
    });
    const m = await h.smtp.waitFor((x) => x.to.includes(person.email));
    expect(html(m)).toContain('Wed, Dec 2, 7:00 PM UTC');
    expect(html(m)).toContain(`${BASE_URL}/console/approvals/price-changes/${workflowId}`);
  });

  test('replenishment and pricing notices link to the run in the console, with the store named', async () => {
    const s = await createStoreScenario(h.db);
    const store = await giveStoreAnAddress(s);
    const orders = createPurchaseOrderActivities({ db: h.db, mail: mail(), supplierErp: createSupplierErpClient(h.simulator.url), publicBaseUrl: BASE_URL });
    const workflowId = `replenishment-${s.storeId}-${randomUUID().slice(0, 8)}`;
    await orders.notifyStoreManagers({
      workflowId,
      storeId: s.storeId,
      step: 'not-sent:PO-9',
      subject: 'Not sent: PO-9',
      lines: ['The supplier refused the order.'],
    });
    const po = await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject === 'Not sent: PO-9');
    for (const part of [po.text, html(po)]) {
      expect(part).toContain(`${BASE_URL}/console/runs/replenishments/${workflowId}`);
      expect(part).toContain('The supplier refused the order.');
      expect(part).toContain(store.address);
    }

    const pricing = createPricingActivities({ db: h.db, mail: mail(), channels: createChannelPriceClient(h.simulator.url), publicBaseUrl: BASE_URL });
    const priceChangeId = `price-change-${s.suffix}`;
    await pricing.notifyPricingTeam({
      priceChangeId,
      step: 'rejected',
      category: `none-${s.suffix}`,
      storeIds: [s.storeId],
      subject: 'Price change rejected',
      lines: ['Margin <matters> & more'],
    });
    const pc = await h.smtp.waitFor((m) => m.to.includes(s.managers.primary.email) && m.subject === 'Price change rejected');
    expect(html(pc)).toContain(`${BASE_URL}/console/runs/price-changes/${priceChangeId}`);
    expect(html(pc)).toContain('Margin &lt;matters&gt; &amp; more');
    expect(pc.text).toContain('Margin <matters> & more');
  });
});
