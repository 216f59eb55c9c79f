/**
 * Campaign dispatch, one batch of recipients at a time (issue 5). The audience snapshot
 * (campaign-audience.ts) froze who may be mailed at all; what depends on the moment of sending is
 * judged here, per recipient, just before the SMTP call: an unsubscribe or consent withdrawal
 * during the send wins, the frequency cap counts what other campaigns sent, quiet hours are the
 * customer's own.
 *
 * Exactly once: each send is claimed (CampaignSend `${campaignId}:${customerId}`) before SMTP sees
 * it. A claim that already exists is never sent again: SENT is `alreadySent`; CLAIMED (an earlier
 * attempt died after claiming, perhaps after handing the message to SMTP) is marked UNKNOWN and
 * counted as `unknown`. An explicit refusal (4xx) or a failure to connect releases the claim and fails the activity, so the
 * Temporal retry sends it; recipients sent before the failure are skipped by their claims.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import {
  checkEligibility,
  DEFAULT_FREQUENCY_CAP,
  type FrequencyCap,
  type HoldReason,
  type QuietHours,
  type SuppressionReason,
} from '../../domain/send-eligibility';
import { formatPicks } from '../../domain/product-picks';
import type { Db } from '../../platform/db';
import { DEFAULT_COMPANY_POSTAL_ADDRESS } from '../../platform/config';
import { createUnsubscribeToken } from '../../platform/unsubscribe-token';
import { createPicksSource } from './picks';
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
const HEARTBEAT_EVERY = 50;
const HOUR_MS = 3_600_000;
const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['unsubscribed', 'hard_bounce', 'complaint', 'manual'];

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}

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

/** nodemailer error codes for failures before any message was handed over. */
const NOT_CONNECTED = ['EDNS', 'EAUTH', 'ETLS'];
/**
 * System codes of a connection that was never made. nodemailer reports them as ESOCKET with the
 * system code in `originalCode`. ECONNECTION is not among them: nodemailer also uses it for a
 * connection closed after the server may have taken the message.
 */
const CONNECT_FAILED = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

export function createCampaignSendActivities(deps: {
  db: Db;
  transport: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  unsubscribeSecrets: readonly string[];
  /** Printed in every campaign email (COMPANY_POSTAL_ADDRESS). */
  postalAddress?: string;
  now?: () => Date;
}) {
  const { db, transport } = deps;
  const postalAddress = deps.postalAddress ?? DEFAULT_COMPANY_POSTAL_ADDRESS;
  const now = deps.now ?? (() => new Date());
  const baseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
  const picks = createPicksSource({ db, now });

  async function sleep(ms: number, ctx: Context | undefined): Promise<void> {
    if (ms <= 0) return;
    // In an activity, Context.sleep ends early (throwing) when the activity is cancelled.
    if (ctx) await ctx.sleep(ms);
    else await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** The recipient's facts as they are now: address, consent, zone, suppressions, other campaigns' recent sends. */
  async function currentFacts(campaignId: string, customerId: string, at: Date, cap: FrequencyCap) {
    const customer = await db.customer.findUnique({
      where: { id: customerId },
      select: { email: true, emailConsent: true, timezone: true, firstName: true, tier: true },
    });
    if (!customer) return null;
    const email = customer.email.trim();
    const addresses = [...new Set([email, email.toLowerCase()])];
    const windowStart = Number.isFinite(cap.windowHours) ? new Date(at.getTime() - cap.windowHours * HOUR_MS) : new Date(0);
    const [suppressions, recentSends] = await Promise.all([
      email === '' ? [] : db.suppression.findMany({ where: { email: { in: addresses } }, select: { reason: true } }),
      cap.maxEmails === Number.POSITIVE_INFINITY
        ? []
        : db.campaignSend.findMany({
            where: { customerId, campaignId: { not: campaignId }, status: 'SENT', sentAt: { gte: windowStart } },
            select: { sentAt: true },
          }),
    ]);
    return {
      customer: { ...customer, email },
      suppressedReasons: suppressions.map((s) => ((SUPPRESSION_REASONS as readonly string[]).includes(s.reason) ? (s.reason as SuppressionReason) : 'manual')),
      recentMarketingSends: recentSends.flatMap((s) => (s.sentAt ? [s.sentAt.toISOString()] : [])),
    };
  }

  /** Claims the send; false when an earlier attempt already did (then it is never sent again). */
  async function claim(sendId: string, campaignId: string, customerId: string, variantKey: string): Promise<boolean> {
    try {
      await db.campaignSend.create({ data: { id: sendId, campaignId, customerId, variantKey, status: 'CLAIMED', claimedAt: now() } });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async function sendCampaignBatch(input: SendCampaignBatchInput): Promise<SendCampaignBatchResult> {
    validateInput(input);
    const { campaignId } = input;
    const cap = input.cap ?? DEFAULT_FREQUENCY_CAP;
    const variants = new Map(input.variants.map((v) => [v.key, v]));
    const ctx = activityContext();

    const recipients = await db.campaignRecipient.findMany({
      where: {
        campaignId,
        holdout: false,
        suppressedReason: null,
        ...(input.afterCustomerId !== null ? { customerId: { gt: input.afterCustomerId } } : {}),
      },
      orderBy: { customerId: 'asc' },
      take: input.batchSize,
      select: { customerId: true, variantKey: true },
    });
    const missing = [...new Set(recipients.map((r) => r.variantKey).filter((k) => k === null || !variants.has(k)))];
    if (missing.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `Campaign ${campaignId} has recipients of variants not in the input: ${missing.map((k) => String(k)).join(', ')}.`,
        CampaignSendErrors.unknownVariant,
      );
    }

    // Sends an earlier attempt (or run) of this campaign already claimed: never judged or sent again.
    const prior = new Map(
      (
        await db.campaignSend.findMany({
          where: { campaignId, customerId: { in: recipients.map((r) => r.customerId) } },
          select: { customerId: true, status: true },
        })
      ).map((s) => [s.customerId, s.status]),
    );

    // Product picks for those still to be judged (one query for the batch, best sellers cached).
    const toJudge = recipients.filter((r) => !prior.has(r.customerId)).map((r) => r.customerId);
    const preferences =
      toJudge.length === 0 ? [] : await db.customer.findMany({ where: { id: { in: toJudge } }, select: { id: true, preferredCategories: true } });
    const picksByCustomer = await picks.picksFor(preferences.map((c) => ({ customerId: c.id, preferredCategories: c.preferredCategories })));

    const last = recipients.at(-1)?.customerId ?? null;
    const more =
      last !== null &&
      (await db.campaignRecipient.findFirst({
        where: { campaignId, holdout: false, suppressedReason: null, customerId: { gt: last } },
        select: { customerId: true },
      })) !== null;
    const result: SendCampaignBatchResult = {
      lastCustomerId: last,
      more,
      examined: 0,
      sent: 0,
      failed: 0,
      alreadySent: 0,
      unknown: 0,
      skipped: {},
      held: [],
    };
    const intervalMs = input.ratePerSecond > 0 && Number.isFinite(input.ratePerSecond) ? 1000 / input.ratePerSecond : 0;
    let lastSendAt: number | null = null;

    const countPrior = async (customerId: string, status: string): Promise<void> => {
      if (status === 'SENT') result.alreadySent += 1;
      else if (status === 'FAILED') result.failed += 1;
      else {
        if (status === 'CLAIMED') {
          await db.campaignSend.updateMany({ where: { id: campaignSendId(campaignId, customerId), status: 'CLAIMED' }, data: { status: 'UNKNOWN' } });
        }
        result.unknown += 1;
      }
    };

    for (const r of recipients) {
      result.examined += 1;
      if (ctx && result.examined % HEARTBEAT_EVERY === 0) ctx.heartbeat({ lastCustomerId: r.customerId });
      const variantKey = r.variantKey!;
      const sendId = campaignSendId(campaignId, r.customerId);

      const priorStatus = prior.get(r.customerId);
      if (priorStatus) {
        await countPrior(r.customerId, priorStatus);
        continue;
      }

      const at = now();
      const facts = await currentFacts(campaignId, r.customerId, at, cap);
      const verdict = checkEligibility(
        {
          customerId: r.customerId,
          email: facts?.customer.email ?? null,
          emailConsent: facts?.customer.emailConsent ?? false,
          timezone: facts?.customer.timezone ?? null,
          suppressedReasons: facts?.suppressedReasons ?? [],
          recentMarketingSends: facts?.recentMarketingSends ?? [],
        },
        at,
        { cap, quietHours: input.quietHours, defaultTimezone: input.defaultTimezone },
      );
      if (verdict.kind === 'skip') {
        result.skipped[verdict.reason] = (result.skipped[verdict.reason] ?? 0) + 1;
        await db.campaignRecipient.update({
          where: { campaignId_customerId: { campaignId, customerId: r.customerId } },
          data: { suppressedReason: verdict.reason, skippedAtSend: true },
        });
        continue;
      }
      if (verdict.kind === 'hold') {
        result.held.push({ customerId: r.customerId, until: verdict.until, reason: verdict.reason });
        continue;
      }
      const { customer } = facts!;

      if (intervalMs > 0 && lastSendAt !== null) await sleep(lastSendAt + intervalMs - Date.now(), ctx);

      // Timed out or cancelled (learnt at the last heartbeat): stop before claiming anyone else, so
      // this attempt never races its retry for the rest of the batch.
      if (ctx?.cancellationSignal.aborted) throw new CancelledFailure(`Batch of campaign ${campaignId} cancelled before ${r.customerId}.`);
      if (!(await claim(sendId, campaignId, r.customerId, variantKey))) {
        // Claimed concurrently since the batch was loaded (a second worker on the same batch).
        const existing = await db.campaignSend.findUnique({ where: { id: sendId }, select: { status: true } });
        await countPrior(r.customerId, existing?.status ?? 'UNKNOWN');
        continue;
      }

      const unsubscribeUrl = `${baseUrl}/unsubscribe/${createUnsubscribeToken(
        deps.unsubscribeSecrets,
        { customerId: r.customerId, campaignId, email: customer.email },
        { issuedAt: at },
      )}`;
      const values: TemplateValues = {
        firstName: customer.firstName,
        tier: titleCase(customer.tier),
        unsubscribeUrl,
        productPicks: formatPicks(picksByCustomer.get(r.customerId) ?? []),
      };
      const variant = variants.get(variantKey)!;
      // In a subject line the picks are just their names.
      const pickNames = (picksByCustomer.get(r.customerId) ?? []).map((p) => p.name).join(', ');
      const subject = renderTemplate(variant.subject, { ...values, productPicks: pickNames }).replace(/[\r\n]+/g, ' ');
      const { text, html } = renderCampaignEmail(variant.body, values, picksByCustomer.get(r.customerId) ?? [], { subject, postalAddress });
      const messageId = campaignMessageId(sendId);

      lastSendAt = Date.now();
      try {
        await transport.sendMail({
          from: deps.mailFrom,
          to: customer.email,
          subject,
          text,
          html,
          messageId,
          headers: {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-Retail-Ops-Key': `campaign:${sendId}`,
          },
        });
      } catch (err) {
        const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
        const code = (err as { responseCode?: unknown }).responseCode;
        const smtpCode = (err as { code?: unknown }).code;
        if (typeof code === 'number' && code >= 500 && smtpCode !== 'EAUTH') {
          // The server refused this message for good: record it, suppress the address, go on.
          await db.campaignSend.update({ where: { id: sendId }, data: { status: 'FAILED', error: message } });
          const email = customer.email.toLowerCase();
          await db.suppression.upsert({
            where: { email_reason: { email, reason: 'hard_bounce' } },
            create: { id: `bounce:${email}`, email, reason: 'hard_bounce', source: `campaign:${campaignId}` },
            update: {},
          });
          result.failed += 1;
          continue;
        }
        // A connection that dropped mid-transaction without an answer may have delivered the
        // message: it is marked UNKNOWN and never sent again (a second copy is worse than none).
        const originalCode = (err as { originalCode?: unknown }).originalCode;
        const refusedOrNeverConnected =
          (typeof code === 'number' && code >= 400) || NOT_CONNECTED.includes(String(smtpCode)) || CONNECT_FAILED.includes(String(originalCode ?? smtpCode));
        if (!refusedOrNeverConnected) {
          await db.campaignSend.update({ where: { id: sendId }, data: { status: 'UNKNOWN', error: message } });
          result.unknown += 1;
          continue;
        }
        // An explicit refusal (4xx), no connection at all, or our own misconfiguration: SMTP did
        // not take the message, so the claim is released for the retry, which skips everyone sent before it.
        await db.campaignSend.deleteMany({ where: { id: sendId, status: 'CLAIMED' } });
        if (smtpCode === 'EAUTH') {
          throw ApplicationFailure.nonRetryable(`SMTP authentication failed sending campaign ${campaignId}: ${message}`, CampaignSendErrors.smtpAuth);
        }
        throw new Error(`Transient SMTP failure sending campaign ${campaignId} to customer ${r.customerId}: ${message}`, { cause: err });
      }
      await db.campaignSend.update({ where: { id: sendId }, data: { status: 'SENT', messageId, sentAt: now(), error: null } });
      result.sent += 1;
    }
    await recordHolds(campaignId, result.held);
    return result;
  }

  /** Why and until when each held recipient waits, for the campaign's state (the workflow only counts them). */
  async function recordHolds(campaignId: string, held: SendCampaignBatchResult['held']): Promise<void> {
    if (held.length === 0) return;
    await db.$executeRaw`
      UPDATE "CampaignRecipient" AS r SET "heldReason" = h.reason, "heldUntil" = h.until AT TIME ZONE 'UTC'
        FROM unnest(${held.map((x) => x.customerId)}::text[], ${held.map((x) => x.reason)}::text[], ${held.map((x) => x.until)}::timestamptz[]) AS h("customerId", reason, until)
       WHERE r."campaignId" = ${campaignId} AND r."customerId" = h."customerId"`;
  }

  return { sendCampaignBatch };
}

export type CampaignSendActivities = ReturnType<typeof createCampaignSendActivities>;
