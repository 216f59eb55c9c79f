/**
 * The manager console in Chromium (issue 14 §2): playwright-core drives Debian's chromium against
 * the real API (the Express app on a free port, serving the built console at /console), a real
 * worker, the tests' Temporal dev server and the seeded demo data.
 *
 *  - alex signs in from the demo picker, sees Victoria Chen's recovery in Alerts and in the Inbox,
 *    opens it, sees Maria Santos ranked first with her reasons, assigns her, and follows the run to
 *    completed; the same approval, still open in a second tab, is decided again and the API's 409
 *    detail is shown in place;
 *  - taylor (store manager S002) sees none of S001's approvals;
 *  - alex edits a purchase-order line by whole packs and approves it;
 *  - casey rejects a price change with a comment;
 *  - devi opens her model-retraining approval;
 *  - morgan opens the campaign approval, sees the audience funnel with its exclusions by reason and
 *    each variant's preview (the HTML only inside a sandboxed frame), approves, and follows the run
 *    to the sends by outcome.
 *
 * Every page is screenshotted into .data/screenshots/ (reviewed by hand; the README shows them).
 * The console must be built (npm test builds it: scripts/lib.sh ensure_console_built).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { DEFAULT_CONSOLE_DIR } from '../../api/routes/console';
import { createLogger } from '../../platform/logger';
import { startModelRetraining } from '../../api/processes/model-retrainings/starter';
import { putScenarioInPlace } from '../../prisma/demo-scenario';
import { DEMO_PLANNING_DAYS, demoStoreReplenishment, unplannedDemoDay } from '../support/demo-store-fixtures';
import { createHarness, eventually, type Harness } from '../../scripts/kit/harness';
import { createModelScenario, PATH_TEST_PROMOTION } from '../support/model-fixtures';

jest.setTimeout(300_000);

const SHOTS = join(__dirname, '../../.data/screenshots');
const TEMPORAL_UI = 'http://127.0.0.1:8233';

let h: Harness;
let server: Server;
let base: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No chromium on PATH: npm test installs it (scripts/install-chromium.sh), or set CHROMIUM_PATH.');
  }
}

beforeAll(async () => {
  if (!existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html'))) {
    throw new Error(`The console is not built (${DEFAULT_CONSOLE_DIR}): npm test builds it, or run bash scripts/build-console.sh.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  h = await createHarness();
  await h.startWorker();
  const app = createApp({
    db: h.db,
    client: h.client,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    unsubscribeSecrets: h.unsubscribeSecrets,
    rateLimitPerMinute: 0,
    temporalUiUrl: TEMPORAL_UI,
    temporalNamespace: 'default',
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await h?.close();
});

/** Calls the API as a demo principal (setting up what the people in the browser decide). */
async function apiCall<T = any>(method: string, path: string, principal: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer demo-key-${principal}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function startedAndPending(resource: string, body: unknown, principal = 'pos-gateway'): Promise<string> {
  const started = await apiCall('POST', `/api/v1/${resource}`, principal, body);
  expect([200, 201]).toContain(started.status);
  const id = started.body.id as string;
  await eventually(
    async () => (await apiCall('GET', `/api/v1/${resource}/${encodeURIComponent(id)}`, principal)).body.pendingApproval,
    90_000,
    `${resource} ${id} pending`,
  );
  return id;
}

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'America/Los_Angeles' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Signs in from the demo picker (the page is on the sign-in form, or any console URL). */
async function signIn(page: Page, principal: string, url = `${base}/console/`) {
  await page.goto(url);
  await page.locator(`button[data-principal="${principal}"]`).click();
  await page.getByTestId('principal-role').waitFor();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/**
 * A page with sandboxed frames: Chromium renders those in a process of their own, and a full-page
 * capture (which resizes the view while it captures) leaves them blank; the viewport is made as tall
 * as the page first, so the frames are painted in a plain capture.
 */
async function shotWithFrames(page: Page, name: string) {
  const viewport = page.viewportSize()!;
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: viewport.width, height });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.setViewportSize(viewport);
}

test('managers decide in the console: alerts, inbox, decision pages, runs, scope, and the API refusing a second decision', async () => {
  // --- what the people decide: Victoria's recovery, a purchase order, a price change, a retraining, a campaign
  const scenario = await putScenarioInPlace(h.db);
  const asOf = await unplannedDemoDay(h.client, 'S001', DEMO_PLANNING_DAYS.console);
  const pos = await demoStoreReplenishment(h.db, 'S001', asOf, ['store']);
  // A demo womens-apparel SKU with sales in S001 (so elasticity and impact are estimated), no MAP, no change running on it.
  const candidates = await h.db.$queryRaw<{ sku: string; price: number }[]>`
    SELECT p.sku, p.price::float8 AS price
      FROM "Product" p JOIN "SalesDaily" s ON s.sku = p.sku AND s."storeId" = 'S001'
     WHERE p.category = 'womens-apparel' AND p.map IS NULL AND p.active AND p.sku ~ '^[A-Z]{2}-[0-9]{4}$'
       AND NOT EXISTS (SELECT 1 FROM "PriceChange" c WHERE c.sku = p.sku AND c.status NOT IN ('completed', 'rejected', 'cancelled', 'refused', 'rolled_back', 'failed'))
     GROUP BY 1, 2 ORDER BY SUM(s.units) DESC LIMIT 20`;
  expect(candidates.length).toBeGreaterThan(0);
  const { sku, price: shelfPrice } = candidates[Math.floor(Math.random() * candidates.length)]!;
  const model = await createModelScenario(h.db, { series: 4 });
  const [recoveryId, replenishmentId, priceChangeId, campaignId] = await Promise.all([
    startedAndPending('appointment-recoveries', { appointmentId: scenario.appointmentId }),
    startedAndPending('replenishments', { storeId: 'S001', asOf }),
    startedAndPending('price-changes', { sku, storeIds: ['S001'], newPrice: Math.round(shelfPrice * 90) / 100, reason: 'Clearance of last season’s knitwear' }),
    startedAndPending('campaigns', {
      name: 'Holiday preview for S001 members',
      segment: { storeIds: ['S001'], tiers: ['GOLD', 'PLATINUM'] },
      variants: [{ key: 'a', subject: 'Your holiday preview, {{firstName}}', body: 'New arrivals are in store.' }],
      holdoutPercent: 10,
    }),
  ]);
  const retraining = await startModelRetraining(
    { client: h.client, taskQueue: h.taskQueue },
    {
      modelName: model.modelName,
      reason: 'console test',
      trigger: 'manual',
      requestedBy: 'pos-gateway',
      storeIds: [model.storeId],
      historyDays: 200,
      promotion: PATH_TEST_PROMOTION,
    },
  );
  await eventually(
    async () => (await apiCall('GET', `/api/v1/model-retrainings/${retraining.workflowId}`, 'devi')).body.pendingApproval,
    120_000,
    'retraining pending',
  );

  // --- alex: sign in, Alerts, Inbox --------------------------------------------------------
  const alex = await newPage();
  await alex.goto(`${base}/console/`);
  await alex.getByRole('heading', { name: 'Demo mode: sign in as' }).waitFor();
  await shot(alex, 'sign-in');
  await alex.locator('button[data-principal="alex"]').click();
  await expect(alex.getByTestId('principal-role').textContent()).resolves.toContain('Store manager · store S001');

  await alex.getByRole('link', { name: 'Alerts' }).click();
  const alert = alex.locator(`li[data-process-id="${recoveryId}"]`);
  await alert.waitFor();
  const alertText = await alert.innerText();
  expect(alertText).toContain('Victoria Chen');
  expect(alertText).toMatch(/Platinum member/i);
  expect(alertText).toMatch(/starts in \d+ min/);
  await shot(alex, 'alerts');

  await alex.getByRole('link', { name: 'Inbox' }).click();
  const recoveryRow = alex.locator(`tr[data-process-id="${recoveryId}"]`);
  await recoveryRow.waitFor();
  await alex.locator(`tr[data-subject-id="${pos.store}"]`).waitFor();
  await shot(alex, 'inbox');

  // --- taylor (S002) sees none of S001's approvals -------------------------------------------
  const taylor = await newPage();
  await signIn(taylor, 'taylor');
  await taylor.getByRole('heading', { name: 'Inbox' }).waitFor();
  await taylor.getByText(/Updated/).waitFor();
  for (const id of [recoveryId, replenishmentId, priceChangeId]) expect(await taylor.locator(`tr[data-process-id="${id}"]`).count()).toBe(0);
  await taylor.getByRole('link', { name: 'Alerts' }).click();
  await taylor.getByText(/Updated/).waitFor();
  expect(await taylor.locator(`li[data-process-id="${recoveryId}"]`).count()).toBe(0);
  const taylorDirect = await apiCall('GET', `/api/v1/appointment-recoveries/${recoveryId}`, 'taylor');
  expect(taylorDirect.status).toBe(403);

  // --- a second tab on the same approval, from the email's deep link (signs in first) --------
  const stale = await newPage();
  const deepLink = `${base}/console/approvals/appointment-recoveries/${encodeURIComponent(recoveryId)}`;
  await signIn(stale, 'alex', deepLink);
  await stale.getByRole('button', { name: /^Assign / }).waitFor();
  expect(stale.url()).toBe(deepLink);
  // The tab does not refresh again (as if opened just before the other decision landed).
  const staleState = (await apiCall('GET', `/api/v1/appointment-recoveries/${recoveryId}?include=context`, 'alex')).body;
  await stale.route('**/api/v1/appointment-recoveries/*', (route) =>
    route.request().method() === 'GET' ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(staleState) }) : route.fallback(),
  );

  // --- alex decides the recovery: Maria Santos first, with reasons ---------------------------
  await recoveryRow.getByRole('link').click();
  const first = alex.locator('ol.stylists > li').first();
  await first.waitFor();
  expect(await first.locator('.stylist-name').innerText()).toBe('Maria Santos');
  expect(await first.locator('.reasons li').count()).toBeGreaterThan(0);
  expect(await first.innerText()).toContain('recommended');
  await alex.getByRole('heading', { name: 'Customer 360' }).waitFor();
  // Before approval the page shows what approving would hold, as the API previews it.
  const recoveryPreview = await apiCall<{ preparation: { phase: string; items: { sku: string }[] } }>(
    'GET',
    `/api/v1/appointment-recoveries/${recoveryId}?include=context`,
    'alex',
  );
  expect(recoveryPreview.body.preparation.phase).toBe('preview');
  expect(recoveryPreview.body.preparation.items.length).toBeGreaterThan(0);
  const toHold = alex.getByRole('table', { name: 'Items to hold' });
  await toHold.waitFor();
  expect(await toHold.locator('tbody tr').count()).toBe(recoveryPreview.body.preparation.items.length);
  await shot(alex, 'approval-appointment-recovery');
  await alex.getByRole('button', { name: 'Assign Maria Santos' }).click();
  await alex.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
  await alex.getByRole('link', { name: 'Follow the run' }).click();
  await alex.locator('[data-testid="run-status"] .badge', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
  const effects = await alex.getByRole('list', { name: 'Effects done' }).innerText();
  expect(effects).toContain('Stylist assigned: Maria Santos');
  expect(effects).toContain('Customer confirmation sent');
  const temporalHref = await alex.getByRole('link', { name: 'Open this run in the Temporal UI' }).getAttribute('href');
  expect(temporalHref).toBe(
    `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(recoveryId)}/${(await apiCall('GET', `/api/v1/appointment-recoveries/${recoveryId}`, 'alex')).body.runId}`,
  );
  await shot(alex, 'run-appointment-recovery');

  // --- the stale tab decides again: the API's refusal is shown in place ----------------------
  await stale.getByRole('button', { name: /^Assign / }).click();
  const refusal = stale.getByRole('alert');
  await refusal.waitFor();
  const second = await apiCall('POST', `/api/v1/appointment-recoveries/${recoveryId}/decisions`, 'alex', { decision: 'approve' });
  expect(second.status).toBe(409);
  expect(await refusal.innerText()).toContain(second.body.detail);
  await shot(stale, 'approval-refused');

  // --- alex edits a purchase-order line in whole packs and approves ---------------------------
  // A seeded supplier's PO of the store-manager tier when planning made one (real sales behind its
  // lines), else the fixture's.
  const planned = (await apiCall('GET', `/api/v1/replenishments/${replenishmentId}`, 'alex')).body;
  const waiting = new Set(planned.pendingApprovals.map((p: { subjectId: string }) => p.subjectId));
  const seededPo = planned.purchaseOrders.find((o: { id: string; tier: string }) => o.tier === 'store_manager' && waiting.has(o.id) && o.id !== pos.store);
  const poId: string = seededPo?.id ?? pos.store!;
  await alex.getByRole('link', { name: 'Inbox' }).click();
  await alex.locator(`tr[data-subject-id="${poId}"] a`).click();
  const po = alex.locator(`section[data-purchase-order="${poId}"]`);
  await po.waitFor();
  const firstLine = po.locator('tbody tr').first();
  const lineSku = (await firstLine.getAttribute('data-sku'))!;
  const packsInput = firstLine.locator('input.packs');
  const packs = Number(await packsInput.inputValue());
  const before = (await apiCall('GET', `/api/v1/replenishments/${replenishmentId}`, 'alex')).body;
  const packSize = before.purchaseOrders.find((o: { id: string }) => o.id === poId).lines.find((l: { sku: string }) => l.sku === lineSku).packSize as number;
  expect(await firstLine.locator('svg.sparkline').count()).toBe(1);
  await packsInput.fill(String(packs + 1));
  await po.getByLabel(/^Comment/).fill('One pack more for the holiday weekend');
  await shot(alex, 'approval-replenishment');
  await po.getByRole('button', { name: 'Approve with 1 edited line' }).click();
  await alex.getByRole('status').filter({ hasText: `Approved` }).waitFor();
  const after = await eventually(
    async () => {
      const s = (await apiCall('GET', `/api/v1/replenishments/${replenishmentId}?include=context`, 'alex')).body;
      const o = s.purchaseOrders.find((x: { id: string }) => x.id === poId);
      return o.approvedBy.includes('alex') ? o : undefined;
    },
    30_000,
    'PO approved by alex',
  );
  expect(after.lines.find((l: { sku: string }) => l.sku === lineSku).quantity).toBe((packs + 1) * packSize);
  await alex.goto(`${base}/console/runs/replenishments/${encodeURIComponent(replenishmentId)}`);
  await alex.getByRole('table', { name: 'Purchase orders' }).waitFor();
  await shot(alex, 'run-replenishment');

  // A seeded supplier's PO: its SKUs have a year of receipts and stock-outs behind them (the demo
  // data's), so each line's safety stock names the target and the record the level was planned for.
  const recorded = planned.purchaseOrders.find((o: { id: string; tier: string }) => waiting.has(o.id) && o.id !== pos.store && o.id !== poId);
  expect(recorded).toBeDefined();
  await alex.getByRole('link', { name: 'Inbox' }).click();
  await alex.locator(`tr[data-subject-id="${recorded.id}"] a`).click();
  const recordedPo = alex.locator(`section[data-purchase-order="${recorded.id}"]`);
  await recordedPo.waitFor();
  const feedback = recordedPo.getByTestId('service-feedback');
  await feedback.first().waitFor();
  expect(await feedback.count()).toBeGreaterThan(0);
  expect(await feedback.first().innerText()).toMatch(/^target \d+(\.\d)?%: \d+ of \d+ cycles ran out$/);
  // The first screen of it (the whole page is 100-odd lines long).
  await alex.screenshot({ path: join(SHOTS, 'approval-replenishment-record.png') });

  // --- casey rejects the price change with a comment ------------------------------------------
  const casey = await newPage();
  await signIn(casey, 'casey');
  await casey.locator(`tr[data-process-id="${priceChangeId}"] a`).click();
  await casey.getByRole('table', { name: 'Guardrail checks' }).waitFor();
  await casey.getByLabel(/^Comment/).fill('Too deep a cut before the holiday weekend');
  await shot(casey, 'approval-price-change');
  await casey.getByRole('button', { name: 'Reject' }).click();
  await casey.getByRole('status').filter({ hasText: 'Rejected' }).waitFor();
  const price = await eventually(
    async () => {
      const s = (await apiCall('GET', `/api/v1/price-changes/${priceChangeId}`, 'casey')).body;
      return s.decisions.some((d: { decision: string }) => d.decision === 'reject') ? s : undefined;
    },
    30_000,
    'price change rejected',
  );
  expect(price.decisions.find((d: { decision: string }) => d.decision === 'reject')).toMatchObject({
    actorId: 'casey',
    comment: 'Too deep a cut before the holiday weekend',
  });

  // --- devi's retraining and morgan's campaign: their decision pages --------------------------
  const devi = await newPage();
  await signIn(devi, 'devi', `${base}/console/approvals/model-retrainings/${encodeURIComponent(retraining.workflowId)}`);
  await devi.getByRole('table', { name: 'Champion vs challenger on the holdout' }).waitFor();
  await shot(devi, 'approval-model-retraining');

  // --- morgan: the campaign's audience funnel and previews, approves, follows the sending --------
  const campaignPath = `/api/v1/campaigns/${encodeURIComponent(campaignId)}?include=context`;
  const frozen = (await apiCall('GET', campaignPath, 'morgan')).body;
  const audience = frozen.audienceAtApproval;
  const morgan = await newPage();
  await signIn(morgan, 'morgan', `${base}/console/approvals/campaigns/${encodeURIComponent(campaignId)}`);
  await morgan.getByRole('heading', { name: 'Audience (frozen at approval)' }).waitFor();
  const funnel = morgan.getByRole('table', { name: 'Audience funnel' });
  const stepCount = (step: string) => funnel.locator(`tr[data-step="${step}"] td.num`).innerText();
  expect(await stepCount('segment')).toBe(String(audience.matched));
  expect(await stepCount('consent')).toBe(String(audience.byGroup.consent));
  expect(await stepCount('suppression')).toBe(String(audience.byGroup.suppression));
  expect(await stepCount('eligible')).toBe(String(audience.eligible));
  expect(await stepCount('holdout')).toBe(String(audience.byGroup.holdout));
  expect(await stepCount('to-mail')).toBe(String(audience.toMail));
  expect(await stepCount('frequency_cap')).toBe(String(audience.byGroup.frequencyCap ?? '—'));
  expect(await stepCount('quiet_hours')).toBe(String(audience.byGroup.quietHours ?? '—'));
  // The demo's S001 Gold and Platinum members include some without marketing consent.
  expect(audience.byGroup.consent + audience.byGroup.suppression).toBeGreaterThan(0);
  const funnelText = await funnel.innerText();
  for (const e of audience.exclusions as { label: string; count: number; effect: string }[]) {
    if (e.effect === 'not_mailed') expect(funnelText).toContain(`${e.label}: ${e.count}`);
  }
  const preview = morgan.locator('article[data-variant="a"]');
  const previewed = frozen.previews.variants[0];
  expect(previewed.subject).toBe(`Your holiday preview, ${frozen.previews.recipient.firstName}`);
  expect(await preview.locator('.preview-subject').innerText()).toBe(previewed.subject);
  expect(await preview.locator('pre.preview-text').innerText()).toContain('New arrivals are in store.');
  const htmlFrame = preview.locator('iframe');
  expect(await htmlFrame.getAttribute('sandbox')).toBe('');
  const srcdoc = await htmlFrame.getAttribute('srcdoc');
  expect(srcdoc).toContain('<p style="margin:0 0 12px;">New arrivals are in store.</p>');
  expect(srcdoc).toMatch(/Unsubscribe<\/a> with one click/);
  await morgan.frameLocator('article[data-variant="a"] iframe').getByText('New arrivals are in store.').waitFor();
  // The email's markup lives only in the frame: its unsubscribe link is not in the console's page.
  expect(await morgan.evaluate<number>(`document.querySelectorAll('a[href="/unsubscribe/preview"]').length`)).toBe(0);
  await shotWithFrames(morgan, 'approval-campaign');
  await morgan.getByRole('button', { name: 'Approve and send' }).click();
  await morgan.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
  await morgan.getByRole('link', { name: 'Follow the run' }).click();
  const sending = morgan.getByRole('table', { name: 'Sending by outcome' });
  await sending.waitFor({ timeout: 60_000 });
  // Everyone to mail was sent, held (frequency cap, quiet hours: depends on the hour) or failed.
  const settled = await eventually(
    async () => {
      const s = (await apiCall('GET', campaignPath, 'morgan')).body;
      const d = s.delivery;
      return d && d.inFlight === 0 && d.notYetAttempted === 0 && (s.stage === 'holding' || s.stage === 'completed') ? s : undefined;
    },
    90_000,
    'the campaign sent or holding',
  );
  const delivery = settled.delivery;
  expect(delivery.toMail).toBe(audience.toMail);
  expect(delivery.sent + delivery.held + delivery.failed + delivery.unknown + delivery.skippedAtSend).toBe(delivery.toMail);
  const outcomeCount = (outcome: string) => sending.locator(`tr[data-outcome="${outcome}"] td.num`).innerText();
  // Sends are counted as they cross SMTP, the held once their batch ends: the page's refresh catches up with both.
  const outcomes = ['sent', 'held', 'failed', 'unknown'] as const;
  const shown = async () => Object.fromEntries(await Promise.all(outcomes.map(async (o) => [o, await outcomeCount(o)] as const)));
  const expected = Object.fromEntries(outcomes.map((o) => [o, String(delivery[o])]));
  await eventually(async () => JSON.stringify(await shown()) === JSON.stringify(expected), 30_000, 'the run page showing every outcome');
  expect(await shown()).toEqual(expected);
  if (delivery.held > 0) expect(await morgan.getByTestId('next-attempt').innerText()).toContain('Held recipients are offered again');
  await morgan.getByRole('table', { name: 'Audience funnel' }).waitFor();
  await shot(morgan, 'run-campaign');

  // --- the Start page as alex sees it (today's replenishment of his store) -------------------
  const alexAgain = await newPage();
  await signIn(alexAgain, 'alex', `${base}/console/start`);
  await alexAgain.getByRole('heading', { name: 'Replenishment' }).waitFor();
  await alexAgain.getByLabel('Store').locator('option', { hasText: 'S001' }).waitFor({ state: 'attached' });
  await shot(alexAgain, 'start');

  // --- a tablet in portrait: the recovery's run page reads in one column ---------------------
  const tablet = await newPage({ width: 820, height: 1180 });
  await signIn(tablet, 'alex', `${base}/console/runs/appointment-recoveries/${encodeURIComponent(recoveryId)}`);
  await tablet.getByRole('list', { name: 'Effects done' }).waitFor();
  // Evaluated in the page (a string, as the tests compile without the DOM library).
  const overflow = await tablet.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(tablet, 'tablet-run');

  // --- sign out returns to the picker ---------------------------------------------------------
  await alex.getByRole('button', { name: 'Sign out' }).click();
  await alex.getByRole('heading', { name: 'Demo mode: sign in as' }).waitFor();
});
