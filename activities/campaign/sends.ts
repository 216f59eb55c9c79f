/**
 * Campaign dispatch, one batch of recipients at a time (issues 5 and 16). The audience snapshot
 * (campaign-audience.ts) froze who may be mailed at all; what depends on the moment of sending is
 * judged here, just before the SMTP call: an unsubscribe or consent withdrawal during the send wins,
 * the frequency cap counts what other campaigns sent, quiet hours are the customer's own.
 *
 * A batch goes in chunks, each as many recipients as the binding rate lets go in CHUNK_SPAN_MS (one
 * at 4/s or less, MAX_CHUNK when nothing binds), with a constant number of statements per chunk:
 * one read of every fact (address, consent, zone, suppressions, other campaigns' recent sends,
 * this campaign's earlier claims), one for the product picks, one claim, one write of the outcomes.
 * Send times come from the worker's SMTP budget shared by every campaign (smtp-budget.ts) and the
 * campaign's own rate; up to sendConcurrency emails (the pool's connections) are in flight at once.
 *
 * Exactly once: each send is claimed (CampaignSend `${campaignId}:${customerId}`, the chunk in one
 * INSERT ... ON CONFLICT DO NOTHING) before SMTP sees it. A claim that already exists is never sent
 * again: SENT is `alreadySent`; CLAIMED (an earlier attempt died after claiming, perhaps after
 * handing the message to SMTP) is marked UNKNOWN and counted as `unknown`. An explicit refusal (4xx)
 * or a failure to connect stops the batch: the emails in flight finish and are recorded, the claims
 * of the refused one and of those not yet started are released and the activity fails, so the
 * Temporal retry sends them; recipients sent before are skipped by their claims. A worker that dies
 * mid-chunk leaves the claims of the chunks whose outcomes were not yet written CLAIMED: UNKNOWN at
 * the retry, never sent twice (at most two chunks, about 2 × CHUNK_SPAN_MS of sending, are written
 * off that way; one recipient at 4/s or less).
 */
import { createHash } from 'node:crypto';
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import {
  checkEligibility,
  DEFAULT_FREQUENCY_CAP,
  type FrequencyCap,
  type HoldReason,
  type QuietHours,
  type SkipReason,
  type SuppressionReason,
} from '../../domain/send-eligibility';
import { formatPicks, type PickCandidate } from '../../domain/product-picks';
import { chunkSize, paceFor, takeSlots, type Pace } from '../../domain/send-pacing';
import type { Db } from '../../platform/db';
import { workerMetrics } from '../../platform/metrics';
import { DEFAULT_COMPANY_POSTAL_ADDRESS } from '../../platform/config';
import { transportConnections } from '../../platform/mailer';
import { createUnsubscribeToken } from '../../platform/unsubscribe-token';
import { createPicksSource } from './picks';
import { createSmtpSendBudget, type SmtpSendBudget } from './smtp-budget';
import { renderEmail } from '../shared/email/render';
import { activityContext } from '../shared/activity-context';

export interface CampaignSendVariant {
  key: string;
  subject: string;
  body: string;
}

export interface SendCampaignBatchInput {
  campaignId: string;
  /** Recipients after this customer ID (customerId order); null for the first batch. */
  afterCustomerId: string | null;
  batchSize: number;
  /** Sends per second at most; 0 or Infinity for no throttling. */
  ratePerSecond: number;
  variants: CampaignSendVariant[];
  cap?: FrequencyCap;
  quietHours?: QuietHours;
  defaultTimezone?: string;
}

export interface SendCampaignBatchResult {
  /** The last recipient this batch examined (the next batch's afterCustomerId); null when there were none left. */
  lastCustomerId: string | null;
  /** Recipients loaded: not holdout, not suppressed at snapshot. */
  examined: number;
  /** Whether recipients remain after this batch (so the caller needs no empty last batch). */
  more: boolean;
  sent: number;
  /** Rejected permanently by SMTP (now or in an earlier attempt): not retried, the address suppressed. */
  failed: number;
  /** Sent by an earlier attempt of this campaign. */
  alreadySent: number;
  /** Claimed by an earlier attempt that never recorded the outcome: perhaps sent, never resent. */
  unknown: number;
  /** Ruled out at send time, by reason (also written to CampaignRecipient.suppressedReason). */
  skipped: Record<string, number>;
  /** Not sent now: the workflow offers them again from `until` (ISO). */
  held: { customerId: string; until: string; reason: HoldReason }[];
}

export const CampaignSendErrors = {
  invalidInput: 'CampaignSendInvalidInput',
  unknownVariant: 'CampaignSendUnknownVariant',
  smtpAuth: 'CampaignSendSmtpAuth',
} as const;

export const MAX_CAMPAIGN_BATCH_SIZE = 5_000;
const HOUR_MS = 3_600_000;
const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['unsubscribed', 'hard_bounce', 'complaint', 'manual'];
/** A chunk's emails go out within about this long at the slowest rate that binds (see chunkSize). */
const CHUNK_SPAN_MS = 250;
/** Recipients judged, claimed and recorded together at most, when no rate binds. */
const MAX_CHUNK = 100;
/** The kind label of campaign emails in retail_ops_emails_total. */
const CAMPAIGN_EMAIL_KIND = 'campaign';

/** Deterministic per send, so a message the SMTP side saw twice would at least be recognisable. */
export function campaignMessageId(sendId: string): string {
  return `<${createHash('sha256').update(`campaign:${sendId}`).digest('hex').slice(0, 32)}@retail-ops.local>`;
}

export function campaignSendId(campaignId: string, customerId: string): string {
  return `${campaignId}:${customerId}`;
}

function titleCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

export interface TemplateValues {
  firstName: string;
  tier: string;
  unsubscribeUrl: string;
  /** The recipient's product picks, one "- name, $price" line each. */
  productPicks: string;
}

/** Replaces {{firstName}}, {{tier}}, {{productPicks}} and {{unsubscribeUrl}} (spaces inside the braces allowed); other text is left alone. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*(firstName|tier|unsubscribeUrl|productPicks)\s*\}\}/g, (_, name: keyof TemplateValues) => values[name]);
}

/**
 * The email body: the template rendered; picks appended under "Picked for you" when the template
 * does not place {{productPicks}} itself; the unsubscribe link as a footer when the template does
 * not show it.
 */
export function renderBody(template: string, values: TemplateValues): string {
  let text = renderTemplate(template, values);
  if (!/\{\{\s*productPicks\s*\}\}/.test(template) && values.productPicks !== '') {
    text = `${text.replace(/\s+$/, '')}\n\nPicked for you:\n${values.productPicks}\n`;
  }
  if (!text.includes(values.unsubscribeUrl))
    text = `${text.replace(/\s+$/, '')}\n\n--\nTo stop receiving these emails, unsubscribe: ${values.unsubscribeUrl}\n`;
  return text;
}

/**
 * The campaign email in both parts. Text: the body as renderBody makes it, then the postal
 * address. HTML (templates/campaign.html.hbs): the same body, escaped, its blank-line paragraphs
 * kept; the picks as a list when the template does not place them; a visible one-click
 * unsubscribe link and the postal address at the foot.
 */
export function renderCampaignEmail(
  template: string,
  values: TemplateValues,
  picks: readonly { name: string; priceCents: number }[],
  opts: { subject: string; postalAddress: string },
): { text: string; html: string } {
  const placesPicks = /\{\{\s*productPicks\s*\}\}/.test(template);
  const bodyHtml = renderTemplate(template, values).replace(/\r\n?/g, '\n').trim();
  const paragraphs = bodyHtml === '' ? [] : bodyHtml.split(/\n\s*\n/).map((p) => p.split('\n'));
  const rendered = renderEmail('campaign', {
    subject: opts.subject,
    store: null,
    body: renderBody(template, values).replace(/\s+$/, ''),
    paragraphs,
    picks: placesPicks ? [] : picks.map((p) => ({ name: p.name, price: `$${(p.priceCents / 100).toFixed(2)}` })),
    unsubscribeUrl: values.unsubscribeUrl,
    postalAddress: opts.postalAddress,
  });
  return { text: rendered.text, html: rendered.html };
}

function validateInput(input: SendCampaignBatchInput): void {
  const bad = (msg: string) => ApplicationFailure.nonRetryable(msg, CampaignSendErrors.invalidInput);
  if (typeof input.campaignId !== 'string' || input.campaignId === '') throw bad('campaignId is required.');
  if (!Number.isInteger(input.batchSize) || input.batchSize < 1 || input.batchSize > MAX_CAMPAIGN_BATCH_SIZE) {
    throw bad(`batchSize must be a whole number from 1 to ${MAX_CAMPAIGN_BATCH_SIZE} (got ${String(input.batchSize)}).`);
  }
  if (typeof input.ratePerSecond !== 'number' || Number.isNaN(input.ratePerSecond) || input.ratePerSecond < 0) {
    throw bad(`ratePerSecond must be 0 (unthrottled) or more (got ${String(input.ratePerSecond)}).`);
  }
  if (!Array.isArray(input.variants) || input.variants.length === 0) throw bad('variants must not be empty.');
}

/** What an SMTP failure means for the message (see smtpFailure). */
export type SmtpFailure =
  /** Refused for good (5xx to this message): not sent, never retried; the address is suppressed. */
  | 'rejected'
  /** SMTP did not take it (4xx, no connection, our pool gave up before sending): the claim is released for the retry. */
  | 'not_taken'
  /** Our credentials were refused: released like not_taken, and the batch fails for good. */
  | 'auth'
  /** The connection ended with the message perhaps delivered: UNKNOWN, never sent again. */
  | 'unknown';

/** nodemailer error codes for failures before any message was handed over. */
const NOT_CONNECTED = ['EDNS', 'ETLS'];
/**
 * System codes of a connection that was never made. nodemailer reports them as ESOCKET with the
 * system code in `originalCode`. ECONNECTION is not among them: nodemailer also uses it for a
 * connection closed after the server may have taken the message.
 */
const CONNECT_FAILED = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];
/**
 * What a pooled transport (platform/mailer.ts) says, as ECONNECTION, of a message it never handed
 * to a connection: the pool was closed with it queued, or the message's connection closed before a
 * byte of it was sent, each time it was tried.
 */
const POOL_NEVER_SENT = [/^Connection pool was closed/, /^Reached maximum number of retries after connection was closed/];
/** Replies to a whole session rather than to one message: a 5xx there is the server's state, not a bounce. */
const SESSION_CODES = ['EPROTOCOL', 'ECONNECTION', 'ESOCKET', 'ETIMEDOUT'];

/**
 * Classifies an error from transport.sendMail, with one connection per message or pooled. A 5xx is
 * a bounce only when it answers the message (its envelope or data); 503 (bad sequence of commands)
 * is a session state, and a 5xx greeting refuses every message alike, so neither suppresses anyone.
 */
export function smtpFailure(err: unknown): SmtpFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; responseCode?: unknown; originalCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'EAUTH' || code === 'ENOAUTH') return 'auth';
  if (responseCode !== undefined && responseCode >= 500 && responseCode !== 503 && !SESSION_CODES.includes(code ?? '')) return 'rejected';
  if (responseCode !== undefined && responseCode >= 400) return 'not_taken';
  if (NOT_CONNECTED.includes(code ?? '')) return 'not_taken';
  if (CONNECT_FAILED.includes(String(e.originalCode ?? code))) return 'not_taken';
  if (code === 'ECONNECTION' && POOL_NEVER_SENT.some((re) => re.test(message))) return 'not_taken';
  return 'unknown';
}

interface FactsRow {
  customerId: string;
  /** Null when the customer no longer exists. */
  email: string | null;
  emailConsent: boolean | null;
  timezone: string | null;
  firstName: string | null;
  tier: string | null;
  preferredCategories: string[] | null;
  /** This campaign's claim of the recipient, if an earlier attempt (or run) made one. */
  priorStatus: string | null;
  suppressions: string[];
  recentSends: Date[];
}

interface ToSend {
  customerId: string;
  sendId: string;
  variantKey: string;
  email: string;
  subject: string;
  text: string;
  html: string;
  unsubscribeUrl: string;
  messageId: string;
}

type Outcome =
  | { kind: 'sent'; at: Date }
  | { kind: 'rejected'; error: string }
  | { kind: 'unknown'; error: string }
  | { kind: 'not_taken'; error: string; cause: unknown; auth: boolean };

type Stop =
  | { kind: 'refused'; outcome: Extract<Outcome, { kind: 'not_taken' }>; customerId: string }
  | { kind: 'cancelled' }
  /** A statement or the pacing failed: the error is rethrown once the emails in flight are settled. */
  | { kind: 'failed' };

/** A claimed email: its slot of the campaign's pace, and what SMTP made of it (none: never started). */
interface Item {
  e: ToSend;
  slot: number;
  chunk: ClaimedChunk;
  outcome?: Outcome;
}

interface ClaimedChunk {
  items: Item[];
  /** Items not yet sent or given up. */
  pending: number;
  /** Resolves once every item is settled. */
  done: Promise<void>;
  settled: () => void;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The promise, with its rejection marked handled until someone awaits it (a read-ahead that fails while the chunk before is sent). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export function createCampaignSendActivities(deps: {
  db: Db;
  transport: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  unsubscribeSecrets: readonly string[];
  /** Printed in every campaign email (COMPANY_POSTAL_ADDRESS). */
  postalAddress?: string;
  now?: () => Date;
  /** The worker's SMTP budget, shared by every campaign it runs (workers/activities.ts); absent: only each campaign's own rate. */
  smtpBudget?: SmtpSendBudget;
  /** Emails of one batch in flight at once (SMTP_MAX_CONNECTIONS); default: the transport's pool connections, 1 without a pool. */
  sendConcurrency?: number;
}) {
  const { db, transport } = deps;
  const postalAddress = deps.postalAddress ?? DEFAULT_COMPANY_POSTAL_ADDRESS;
  const now = deps.now ?? (() => new Date());
  const baseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
  const picks = createPicksSource({ db, now });
  const concurrency = Math.max(1, deps.sendConcurrency ?? transportConnections(transport));
  // Without the worker's budget (tests, scripts), only each campaign's own rate paces it.
  const budget = deps.smtpBudget ?? createSmtpSendBudget(0);
  /**
   * Each campaign's own pace, kept from one batch to the next so that its rate holds across
   * batches too (a batch of one recipient would otherwise go at once). Per worker: the next batch
   * may land on another worker, whose pace for the campaign starts afresh.
   */
  const campaignPaces = new Map<string, { rate: number; pace: Pace | null }>();

  function campaignPace(campaignId: string, rate: number | undefined): { pace: Pace | null } {
    const nowMs = Date.now();
    for (const [id, p] of campaignPaces) if (!p.pace || p.pace.nextAt < nowMs - 60_000) campaignPaces.delete(id);
    const kept = campaignPaces.get(campaignId);
    if (kept && kept.rate === (rate ?? 0)) return kept;
    const fresh = { rate: rate ?? 0, pace: paceFor(rate) };
    campaignPaces.set(campaignId, fresh);
    return fresh;
  }

  async function sleep(ms: number, ctx: Context | undefined): Promise<void> {
    if (ms <= 0) return;
    // In an activity, Context.sleep ends early (throwing) when the activity is cancelled.
    if (ctx) await ctx.sleep(ms);
    else await delay(ms);
  }

  /** Everything judging a chunk needs, in one statement: the customer, their suppressions, other campaigns' sends in the cap window, this campaign's claim. */
  async function loadFacts(campaignId: string, customerIds: string[], at: Date, cap: FrequencyCap): Promise<Map<string, FactsRow>> {
    const withRecent = cap.maxEmails !== Number.POSITIVE_INFINITY;
    const windowStart = Number.isFinite(cap.windowHours) ? new Date(at.getTime() - cap.windowHours * HOUR_MS) : new Date(0);
    const rows = await db.$queryRaw<FactsRow[]>`
      SELECT r.id AS "customerId", c.email, c."emailConsent", c.timezone, c."firstName", c.tier::text AS tier, c."preferredCategories",
             s.status::text AS "priorStatus",
             CASE WHEN c.id IS NULL THEN '{}'::text[] ELSE ARRAY(
               SELECT x.reason FROM "Suppression" x, regexp_replace(c.email, '^[[:space:]]+|[[:space:]]+$', '', 'g') AS e(address)
                WHERE e.address <> '' AND x.email IN (e.address, lower(e.address))) END AS suppressions,
             CASE WHEN c.id IS NULL OR NOT ${withRecent} THEN '{}'::timestamp[] ELSE ARRAY(
               SELECT o."sentAt" FROM "CampaignSend" o
                WHERE o."customerId" = c.id AND o."campaignId" <> ${campaignId} AND o.status = 'SENT'
                  AND o."sentAt" >= ${windowStart.toISOString()}::timestamptz AT TIME ZONE 'UTC') END AS "recentSends"
        FROM unnest(${customerIds}::text[]) AS r(id)
        LEFT JOIN "Customer" c ON c.id = r.id
        LEFT JOIN "CampaignSend" s ON s."campaignId" = ${campaignId} AND s."customerId" = r.id`;
    return new Map(rows.map((r) => [r.customerId, r]));
  }

  async function sendCampaignBatch(input: SendCampaignBatchInput): Promise<SendCampaignBatchResult> {
    validateInput(input);
    const { campaignId } = input;
    const cap = input.cap ?? DEFAULT_FREQUENCY_CAP;
    const variants = new Map(input.variants.map((v) => [v.key, v]));
    const ctx = activityContext();

    // One row past the batch says whether any are left.
    const loaded = await db.campaignRecipient.findMany({
      where: {
        campaignId,
        holdout: false,
        suppressedReason: null,
        ...(input.afterCustomerId !== null ? { customerId: { gt: input.afterCustomerId } } : {}),
      },
      orderBy: { customerId: 'asc' },
      take: input.batchSize + 1,
      select: { customerId: true, variantKey: true },
    });
    const recipients = loaded.slice(0, input.batchSize);
    const missing = [...new Set(recipients.map((r) => r.variantKey).filter((k) => k === null || !variants.has(k)))];
    if (missing.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `Campaign ${campaignId} has recipients of variants not in the input: ${missing.map((k) => String(k)).join(', ')}.`,
        CampaignSendErrors.unknownVariant,
      );
    }

    const result: SendCampaignBatchResult = {
      lastCustomerId: recipients.at(-1)?.customerId ?? null,
      more: loaded.length > input.batchSize,
      examined: 0,
      sent: 0,
      failed: 0,
      alreadySent: 0,
      unknown: 0,
      skipped: {},
      held: [],
    };
    const ownRate = input.ratePerSecond > 0 && Number.isFinite(input.ratePerSecond) ? input.ratePerSecond : undefined;
    const size = chunkSize([ownRate, budget.ratePerSecond], CHUNK_SPAN_MS, MAX_CHUNK);
    const chunks: { customerId: string; variantKey: string }[][] = [];
    for (let i = 0; i < recipients.length; i += size) chunks.push(recipients.slice(i, i + size) as { customerId: string; variantKey: string }[]);
    const sendingFrom = Date.now();
    await sendChunks(campaignId, chunks, { input, cap, variants, result }, { ctx, result, pacing: campaignPace(campaignId, ownRate) });
    if (result.sent > 0) workerMetrics.campaignSendRate(campaignId, result.sent / Math.max(0.001, (Date.now() - sendingFrom) / 1000));
    await recordHolds(campaignId, result.held);
    return result;
  }

  /** Counts (and settles) recipients this campaign already claimed: sent, failed, or claimed by an attempt that died (now UNKNOWN). */
  async function settlePrior(campaignId: string, prior: { customerId: string; status: string }[], result: SendCampaignBatchResult): Promise<void> {
    const interrupted: string[] = [];
    for (const p of prior) {
      if (p.status === 'SENT') result.alreadySent += 1;
      else if (p.status === 'FAILED') result.failed += 1;
      else {
        if (p.status === 'CLAIMED') interrupted.push(p.customerId);
        result.unknown += 1;
      }
    }
    if (interrupted.length > 0) {
      const moved = await db.campaignSend.updateMany({
        where: { campaignId, customerId: { in: interrupted }, status: 'CLAIMED' },
        data: { status: 'UNKNOWN' },
      });
      workerMetrics.emails(CAMPAIGN_EMAIL_KIND, 'unknown', moved.count);
    }
  }

  /**
   * Reads a chunk's facts, judges each recipient (counting those already claimed, skipped or held,
   * and writing the skips) and renders the emails of those to send. Claims nothing.
   */
  async function prepareChunk(
    campaignId: string,
    chunk: { customerId: string; variantKey: string }[],
    b: { input: SendCampaignBatchInput; cap: FrequencyCap; variants: Map<string, CampaignSendVariant>; result: SendCampaignBatchResult },
  ): Promise<ToSend[]> {
    const { result } = b;
    const at = now();
    const facts = await loadFacts(
      campaignId,
      chunk.map((r) => r.customerId),
      at,
      b.cap,
    );

    // Judge each recipient as things are now; those this campaign already claimed are never judged or sent again.
    const prior: { customerId: string; status: string }[] = [];
    const skips: { customerId: string; reason: SkipReason }[] = [];
    const sendable: { customerId: string; variantKey: string; f: FactsRow; email: string }[] = [];
    for (const r of chunk) {
      result.examined += 1;
      const f = facts.get(r.customerId);
      if (f?.priorStatus) {
        prior.push({ customerId: r.customerId, status: f.priorStatus });
        continue;
      }
      const email = f?.email?.trim() ?? null;
      const verdict = checkEligibility(
        {
          customerId: r.customerId,
          email,
          emailConsent: f?.emailConsent ?? false,
          timezone: f?.timezone ?? null,
          suppressedReasons: (f?.suppressions ?? []).map((s) => ((SUPPRESSION_REASONS as readonly string[]).includes(s) ? (s as SuppressionReason) : 'manual')),
          recentMarketingSends: (f?.recentSends ?? []).map((d) => d.toISOString()),
        },
        at,
        { cap: b.cap, quietHours: b.input.quietHours, defaultTimezone: b.input.defaultTimezone },
      );
      if (verdict.kind === 'skip') {
        result.skipped[verdict.reason] = (result.skipped[verdict.reason] ?? 0) + 1;
        skips.push({ customerId: r.customerId, reason: verdict.reason });
      } else if (verdict.kind === 'hold') {
        result.held.push({ customerId: r.customerId, until: verdict.until, reason: verdict.reason });
      } else {
        sendable.push({ customerId: r.customerId, variantKey: r.variantKey, f: f!, email: email! });
      }
    }
    if (prior.length > 0) await settlePrior(campaignId, prior, result);
    if (skips.length > 0) {
      // Skipped once: a skipped recipient is not loaded again (suppressedReason is set).
      const skipped = await db.$executeRaw`
        UPDATE "CampaignRecipient" AS r SET "suppressedReason" = k.reason, "skippedAtSend" = true
          FROM unnest(${skips.map((k) => k.customerId)}::text[], ${skips.map((k) => k.reason)}::text[]) AS k("customerId", reason)
         WHERE r."campaignId" = ${campaignId} AND r."customerId" = k."customerId" AND r."suppressedReason" IS NULL`;
      workerMetrics.emails(CAMPAIGN_EMAIL_KIND, 'skipped', skipped);
    }
    if (sendable.length === 0) return [];

    // Rendered before anything is claimed: a template that cannot render fails the batch with nothing claimed.
    const picksByCustomer = await picks.picksFor(sendable.map((s) => ({ customerId: s.customerId, preferredCategories: s.f.preferredCategories ?? [] })));
    return sendable.map((s) => render(campaignId, s, picksByCustomer.get(s.customerId) ?? [], b.variants.get(s.variantKey)!, at));
  }

  /**
   * Sends a batch's chunks: each read, judged and rendered while the one before it is sent
   * (prepareChunk), claimed at its first slot (claimChunk), its emails handed to `concurrency`
   * senders that take them in order, each at its slot of the campaign's pace and of the worker's
   * budget, and its outcomes written once all of them are settled. When chunks are larger than the
   * pool, the next chunk is claimed as soon as the last email of this one has started, so the
   * connections stay busy while claims and writes go on; smaller chunks (slow rates) go one at a
   * time, so a server slow to answer slows the campaign down rather than piling up emails in
   * flight. After a refusal (4xx, no connection) or a cancellation nothing new starts: the emails in
   * flight finish and are recorded, the claims of the rest are released, then the batch fails.
   */
  async function sendChunks(
    campaignId: string,
    chunks: { customerId: string; variantKey: string }[][],
    judging: Parameters<typeof prepareChunk>[2],
    b: { ctx: Context | undefined; result: SendCampaignBatchResult; pacing: { pace: Pace | null } },
  ): Promise<void> {
    const { ctx, result } = b;
    const overlap = chunks.some((c) => c.length > concurrency);
    const queue: Item[] = [];
    const halt: { stop?: Stop } = {};
    let producing = true;
    const waiters: (() => void)[] = [];
    const notify = () => {
      for (const w of waiters.splice(0)) w();
    };
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    const settle = (item: Item, outcome: Outcome | undefined) => {
      item.outcome = outcome;
      item.chunk.pending -= 1;
      if (item.chunk.pending === 0) item.chunk.settled();
      notify();
    };

    const sender = async (): Promise<void> => {
      for (;;) {
        await until(() => queue.length > 0 || !producing || halt.stop !== undefined);
        const item = halt.stop ? undefined : queue.shift();
        if (!item) return;
        notify();
        const ownWait = item.slot - Date.now();
        if (ownWait > 0) await delay(ownWait);
        const wait = budget.takeSlot() - Date.now();
        if (wait > 0) await delay(wait);
        if (!halt.stop && ctx?.cancellationSignal.aborted) halt.stop = { kind: 'cancelled' };
        if (halt.stop) {
          settle(item, undefined);
          return;
        }
        const outcome = await sendOne(item.e);
        if (outcome.kind === 'not_taken') halt.stop ??= { kind: 'refused', outcome, customerId: item.e.customerId };
        settle(item, outcome);
      }
    };
    const senders = Array.from({ length: concurrency }, sender);

    const recorded: Promise<void>[] = [];
    let failure: { err: unknown } | undefined;
    let ahead = chunks.length > 0 ? handled(prepareChunk(campaignId, chunks[0]!, judging)) : undefined;
    try {
      for (let i = 0; i < chunks.length && !halt.stop; i++) {
        const emails = await ahead!;
        ahead = i + 1 < chunks.length ? handled(prepareChunk(campaignId, chunks[i + 1]!, judging)) : undefined;
        ctx?.heartbeat({ lastCustomerId: chunks[i]![0]!.customerId });
        if (emails.length === 0) continue;
        const claimed = await claimChunk(campaignId, emails, b);
        if (halt.stop) {
          // Stopped while this chunk was being claimed: its claims are released below.
          claimed.items.forEach((item) => settle(item, undefined));
        } else {
          queue.push(...claimed.items);
          notify();
        }
        recorded.push(handled(claimed.done.then(() => recordOutcomes(campaignId, claimed.items, result))));
        await until(() => halt.stop !== undefined || (overlap ? queue.length === 0 : claimed.pending === 0));
      }
    } catch (err) {
      failure = { err };
    } finally {
      producing = false;
      halt.stop ??= failure ? { kind: 'failed' } : undefined;
      notify();
      await Promise.all(senders);
      // Claimed but never started (the batch stopped): released by their chunk's write.
      for (const item of queue.splice(0)) settle(item, undefined);
      // A chunk read ahead of a batch that stopped: its statements end before the attempt does.
      await ahead?.catch(() => undefined);
    }
    const writes = await Promise.allSettled(recorded);
    if (failure) throw failure.err;
    const writeFailed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (writeFailed) throw writeFailed.reason;

    const { stop } = halt;
    if (stop?.kind === 'cancelled') throw new CancelledFailure(`Batch of campaign ${campaignId} cancelled mid-chunk.`);
    if (stop?.kind === 'refused') {
      const { outcome } = stop;
      if (outcome.auth) {
        throw ApplicationFailure.nonRetryable(`SMTP authentication failed sending campaign ${campaignId}: ${outcome.error}`, CampaignSendErrors.smtpAuth);
      }
      throw new Error(`Transient SMTP failure sending campaign ${campaignId} to customer ${stop.customerId}: ${outcome.error}`, { cause: outcome.cause });
    }
  }

  /**
   * Claims a prepared chunk in one statement at its first slot of the campaign's pace; the emails
   * another attempt claimed meanwhile are counted as that attempt left them and not sent.
   */
  async function claimChunk(
    campaignId: string,
    emails: ToSend[],
    b: { ctx: Context | undefined; result: SendCampaignBatchResult; pacing: { pace: Pace | null } },
  ): Promise<ClaimedChunk> {
    const { result, ctx } = b;
    const own = takeSlots([b.pacing.pace], Date.now(), emails.length);
    b.pacing.pace = own.paces[0] ?? null;
    await sleep(own.slots[0]! - Date.now(), ctx);
    // Timed out or cancelled (learnt at the last heartbeat): stop before claiming anyone else, so
    // this attempt never races its retry for the rest of the batch.
    if (ctx?.cancellationSignal.aborted) throw new CancelledFailure(`Batch of campaign ${campaignId} cancelled before ${emails[0]!.customerId}.`);

    const claimedIds = new Set(
      (
        await db.$queryRaw<{ customerId: string }[]>`
          INSERT INTO "CampaignSend" (id, "campaignId", "customerId", "variantKey", status, "claimedAt")
          SELECT c.id, ${campaignId}, c."customerId", c."variantKey", 'CLAIMED'::"SendStatus", ${now().toISOString()}::timestamptz AT TIME ZONE 'UTC'
            FROM unnest(${emails.map((e) => e.sendId)}::text[], ${emails.map((e) => e.customerId)}::text[], ${emails.map((e) => e.variantKey)}::text[])
                 AS c(id, "customerId", "variantKey")
          ON CONFLICT DO NOTHING
          RETURNING "customerId"`
      ).map((r) => r.customerId),
    );
    if (claimedIds.size < emails.length) {
      // Claimed concurrently since the facts were read (a second attempt on the same batch).
      const lost = emails.filter((e) => !claimedIds.has(e.customerId)).map((e) => e.sendId);
      const existing = await db.campaignSend.findMany({ where: { id: { in: lost } }, select: { customerId: true, status: true } });
      await settlePrior(campaignId, existing, result);
      result.unknown += lost.length - existing.length;
    }
    let settled!: () => void;
    const chunk: ClaimedChunk = { items: [], pending: 0, done: new Promise<void>((resolve) => (settled = resolve)), settled: () => settled() };
    emails.forEach((e, k) => {
      if (claimedIds.has(e.customerId)) chunk.items.push({ e, slot: own.slots[k]!, chunk });
    });
    chunk.pending = chunk.items.length;
    if (chunk.pending === 0) chunk.settled();
    return chunk;
  }

  function render(
    campaignId: string,
    s: { customerId: string; variantKey: string; f: FactsRow; email: string },
    picked: PickCandidate[],
    variant: CampaignSendVariant,
    at: Date,
  ): ToSend {
    const sendId = campaignSendId(campaignId, s.customerId);
    const unsubscribeUrl = `${baseUrl}/unsubscribe/${createUnsubscribeToken(
      deps.unsubscribeSecrets,
      { customerId: s.customerId, campaignId, email: s.email },
      { issuedAt: at },
    )}`;
    const values: TemplateValues = {
      firstName: s.f.firstName ?? '',
      tier: titleCase(s.f.tier ?? ''),
      unsubscribeUrl,
      productPicks: formatPicks(picked),
    };
    // In a subject line the picks are just their names.
    const pickNames = picked.map((p) => p.name).join(', ');
    const subject = renderTemplate(variant.subject, { ...values, productPicks: pickNames }).replace(/[\r\n]+/g, ' ');
    const { text, html } = renderCampaignEmail(variant.body, values, picked, { subject, postalAddress });
    return {
      customerId: s.customerId,
      sendId,
      variantKey: s.variantKey,
      email: s.email,
      subject,
      text,
      html,
      unsubscribeUrl,
      messageId: campaignMessageId(sendId),
    };
  }

  async function sendOne(e: ToSend): Promise<Outcome> {
    try {
      await transport.sendMail({
        from: deps.mailFrom,
        to: e.email,
        subject: e.subject,
        text: e.text,
        html: e.html,
        messageId: e.messageId,
        headers: {
          'List-Unsubscribe': `<${e.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Retail-Ops-Key': `campaign:${e.sendId}`,
        },
      });
      return { kind: 'sent', at: now() };
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const kind = smtpFailure(err);
      if (kind === 'rejected' || kind === 'unknown') return { kind, error };
      return { kind: 'not_taken', error, cause: err, auth: kind === 'auth' };
    }
  }

  /**
   * The chunk's outcomes in one statement (SENT, FAILED, UNKNOWN); then, only when there are any,
   * the bounced addresses suppressed and the claims of what SMTP never took (refused, or not
   * started after a refusal or a cancellation) released for the retry.
   */
  async function recordOutcomes(campaignId: string, items: Item[], result: SendCampaignBatchResult): Promise<void> {
    const rows: { id: string; status: string; messageId: string | null; sentAt: string | null; error: string | null }[] = [];
    const bounced: string[] = [];
    const release: string[] = [];
    for (const { e, outcome: o } of items) {
      if (!o || o.kind === 'not_taken') {
        release.push(e.sendId);
        continue;
      }
      if (o.kind === 'sent') {
        result.sent += 1;
        rows.push({ id: e.sendId, status: 'SENT', messageId: e.messageId, sentAt: o.at.toISOString(), error: null });
      } else if (o.kind === 'rejected') {
        result.failed += 1;
        bounced.push(e.email.toLowerCase());
        rows.push({ id: e.sendId, status: 'FAILED', messageId: null, sentAt: null, error: o.error });
      } else {
        // A connection that dropped mid-transaction without an answer may have delivered the message:
        // it is never sent again (a second copy is worse than none).
        result.unknown += 1;
        rows.push({ id: e.sendId, status: 'UNKNOWN', messageId: null, sentAt: null, error: o.error });
      }
    }
    if (rows.length > 0) {
      await db.$executeRaw`
        UPDATE "CampaignSend" AS s
           SET status = o.status::"SendStatus", "messageId" = o."messageId", "sentAt" = o."sentAt"::timestamptz AT TIME ZONE 'UTC', error = o.error
          FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.messageId)}::text[],
                      ${rows.map((r) => r.sentAt)}::text[], ${rows.map((r) => r.error)}::text[]) AS o(id, status, "messageId", "sentAt", error)
         WHERE s.id = o.id`;
      // These claims were this attempt's own (CLAIMED until now): each outcome is counted here only.
      for (const outcome of ['sent', 'failed', 'unknown'] as const) {
        workerMetrics.emails(CAMPAIGN_EMAIL_KIND, outcome, rows.filter((r) => r.status === outcome.toUpperCase()).length);
      }
    }
    if (bounced.length > 0) {
      await db.$executeRaw`
        INSERT INTO "Suppression" (id, email, reason, source)
        SELECT 'bounce:' || b.email, b.email, 'hard_bounce', ${`campaign:${campaignId}`} FROM unnest(${[...new Set(bounced)]}::text[]) AS b(email)
        ON CONFLICT DO NOTHING`;
    }
    if (release.length > 0) await db.campaignSend.deleteMany({ where: { id: { in: release }, status: 'CLAIMED' } });
  }

  /** Why and until when each held recipient waits, for the campaign's state (the workflow only counts them). */
  async function recordHolds(campaignId: string, held: SendCampaignBatchResult['held']): Promise<void> {
    if (held.length === 0) return;
    // A hold is counted once: a retry holding a recipient for the same reason until the same time changes no row.
    const changed = await db.$executeRaw`
      UPDATE "CampaignRecipient" AS r SET "heldReason" = h.reason, "heldUntil" = h.until AT TIME ZONE 'UTC'
        FROM unnest(${held.map((x) => x.customerId)}::text[], ${held.map((x) => x.reason)}::text[], ${held.map((x) => x.until)}::timestamptz[]) AS h("customerId", reason, until)
       WHERE r."campaignId" = ${campaignId} AND r."customerId" = h."customerId"
         AND (r."heldReason", r."heldUntil") IS DISTINCT FROM (h.reason, h.until AT TIME ZONE 'UTC')`;
    workerMetrics.emails(CAMPAIGN_EMAIL_KIND, 'held', changed);
  }

  return { sendCampaignBatch };
}

export type CampaignSendActivities = ReturnType<typeof createCampaignSendActivities>;
