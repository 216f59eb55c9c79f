/**
 * What a campaign's approver needs, and what happened once it was sent, read from Postgres:
 * the audience counts by exclusion reason as frozen when it went for approval (the snapshot the
 * workflow took and the approval request stores), each variant rendered with the real email
 * templates for one real recipient of the audience, and after sending the sends by outcome and
 * reason, the recipients held and when they are offered again.
 */
import { renderCampaignEmail, renderTemplate, type TemplateValues } from '../../../activities/campaign/sends';
import { createPicksSource } from '../../../activities/campaign/picks';
import type { AudienceSnapshot } from '../../../activities/campaign/audience';
import { formatPicks } from '../../../domain/product-picks';
import { DEFAULT_COMPANY_POSTAL_ADDRESS } from '../../../platform/config';
import type { Db } from '../../../platform/db';
import type { ApprovalRow } from '../definition';
import { processStateFields } from '../../schemas';
import { z } from '../../zod';
import { CancelRequestSchema, gateDecisionWith, pendingApprovalWith } from '../approval-schemas';

const SKIP_REASONS = ['no_email', 'no_consent', 'unsubscribed', 'complaint', 'hard_bounce', 'suppressed'] as const;
const HOLD_REASONS = ['frequency_cap', 'quiet_hours'] as const;

const EXCLUSION_LABELS: Record<string, string> = {
  no_email: 'No email address',
  no_consent: 'No marketing consent',
  unsubscribed: 'Unsubscribed',
  complaint: 'Marked an earlier email as spam',
  hard_bounce: 'Address bounced (hard bounce)',
  suppressed: 'On the suppression list',
  frequency_cap: 'Mailed by another campaign too recently (frequency cap)',
  quiet_hours: 'In their quiet hours (local night)',
  holdout: 'Held out to measure the campaign against',
};

const groupOf = (reason: string): 'consent' | 'suppression' | 'frequency_cap' | 'quiet_hours' | 'holdout' =>
  reason === 'no_email' || reason === 'no_consent'
    ? 'consent'
    : reason === 'frequency_cap' || reason === 'quiet_hours' || reason === 'holdout'
      ? reason
      : 'suppression';

const SplitSchema = z
  .object({ total: z.number().int(), holdout: z.number().int(), byVariant: z.record(z.string(), z.number().int()) })
  .strict()
  .openapi('CampaignSplit');

export const CampaignAudienceSchema = z
  .object({
    matched: z.number().int().openapi({ description: 'Customers in the segment' }),
    eligible: z.number().int().openapi({ description: 'Of those, who may be mailed (variants and holdout)' }),
    suppressed: z.object(Object.fromEntries(SKIP_REASONS.map((r) => [r, z.number().int().optional()]))).strict(),
    split: SplitSchema,
    sample: z.array(
      z
        .object({ customerId: z.string(), firstName: z.string(), tier: z.string(), variantKey: z.string().nullable(), productPicks: z.string().optional() })
        .strict(),
    ),
    atSnapshot: z
      .object({
        asOf: z.string(),
        held: z.object({ frequency_cap: z.number().int(), quiet_hours: z.number().int() }).strict(),
        sendableNow: z.number().int(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('CampaignAudience');

export const CampaignExclusionSchema = z
  .object({
    reason: z.string(),
    group: z.enum(['consent', 'suppression', 'frequency_cap', 'quiet_hours', 'holdout']),
    label: z.string(),
    count: z.number().int(),
    effect: z
      .enum(['not_mailed', 'held_then_retried', 'held_out'])
      .openapi({ description: 'not_mailed: never mailed; held_then_retried: mailed once their window opens; held_out: kept out to measure against' }),
  })
  .strict()
  .openapi('CampaignExclusion');

export const CampaignAudienceAtApprovalSchema = z
  .object({
    frozenAt: z.string().nullable().openapi({ description: 'When the audience was frozen for approval' }),
    matched: z.number().int(),
    eligible: z.number().int(),
    toMail: z.number().int().openapi({ description: 'Eligible and not held out: the recipients the campaign mails' }),
    sendableNow: z.number().int().nullable().openapi({ description: 'Of those, how many the frequency cap and quiet hours allowed at once when frozen' }),
    byGroup: z
      .object({
        consent: z.number().int(),
        suppression: z.number().int(),
        frequencyCap: z.number().int().nullable(),
        quietHours: z.number().int().nullable(),
        holdout: z.number().int(),
      })
      .strict(),
    exclusions: z.array(CampaignExclusionSchema).openapi({ description: 'Every reason someone in the segment is not mailed at once, largest first' }),
    split: z.array(z.object({ variant: z.string(), recipients: z.number().int() }).strict()),
    note: z.string().nullable(),
  })
  .strict()
  .openapi('CampaignAudienceAtApproval');

export const CampaignVariantPreviewSchema = z
  .object({
    key: z.string(),
    subjectTemplate: z.string(),
    subject: z.string(),
    text: z.string().openapi({ description: 'The plain-text part as the recipient gets it (excerpt)' }),
    html: z.string().openapi({ description: 'The HTML part as the recipient gets it (excerpt)' }),
    truncated: z.boolean(),
  })
  .strict()
  .openapi('CampaignVariantPreview');

export const CampaignPreviewsSchema = z
  .object({
    recipient: z.object({ customerId: z.string(), firstName: z.string(), tier: z.string(), variantKey: z.string().nullable() }).strict(),
    variants: z.array(CampaignVariantPreviewSchema),
  })
  .strict()
  .openapi('CampaignPreviews');

const ReasonCountSchema = z.object({ reason: z.string(), count: z.number().int() }).strict().openapi('CampaignReasonCount');

export const CampaignDeliverySchema = z
  .object({
    toMail: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    unknown: z.number().int().openapi({ description: 'Perhaps delivered, never sent again' }),
    inFlight: z.number().int().openapi({ description: 'Claimed by a send in progress' }),
    held: z.number().int().openapi({ description: 'Waiting to be offered again' }),
    skippedAtSend: z.number().int().openapi({ description: 'Ruled out at send time (e.g. unsubscribed meanwhile)' }),
    notYetAttempted: z.number().int(),
    sentAfterHold: z.number().int(),
    heldByReason: z.array(
      z
        .object({
          reason: z.string(),
          label: z.string(),
          count: z.number().int(),
          earliestRetryAt: z.string().nullable(),
          latestRetryAt: z.string().nullable(),
        })
        .strict()
        .openapi('CampaignHeldReason'),
    ),
    failedByReason: z.array(ReasonCountSchema),
    unknownByReason: z.array(ReasonCountSchema),
    skippedByReason: z.array(ReasonCountSchema),
    pass: z.number().int().openapi({ description: 'Which pass over the recipients the send is in (each later pass offers the held again)' }),
    nextAttemptAt: z.string().nullable().openapi({ description: 'When the held recipients are offered again (while the campaign waits for them)' }),
  })
  .strict()
  .openapi('CampaignDelivery');

export const CampaignProgressSchema = z
  .object({
    queued: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    unknown: z.number().int(),
    skipped: z.number().int(),
    held: z.number().int(),
    percent: z.number(),
  })
  .strict()
  .openapi('CampaignProgress');

const CampaignRequestDetailsSchema = z
  .object({
    audience: CampaignAudienceSchema,
    variants: z.array(z.object({ key: z.string(), subject: z.string(), preview: z.string() }).strict()),
  })
  .strict()
  .openapi('CampaignRequestDetails');

/** The state the dispatch workflow keeps (its query and its result). */
export const CampaignWorkflowStateSchema = z
  .object({
    stage: z.enum(['snapshotting', 'awaiting_approval', 'sending', 'paused', 'holding', 'completed', 'rejected', 'expired', 'cancelled', 'failed']),
    campaignId: z.string(),
    audience: z.union([CampaignAudienceSchema, z.null()]),
    progress: CampaignProgressSchema,
    paused: z.boolean(),
    pass: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    approvedBy: z.string().nullable(),
    pendingApproval: z.union([pendingApprovalWith('CampaignPendingApproval', CampaignRequestDetailsSchema), z.null()]),
    decisions: z.array(gateDecisionWith('CampaignDecision', z.object({}).strict())),
    failure: z.string().nullable(),
    cancellation: z.union([CancelRequestSchema, z.null()]),
  })
  .strict()
  .openapi('CampaignWorkflowState');

export const CampaignStateSchema = z
  .object({
    ...processStateFields,
    ...CampaignWorkflowStateSchema.shape,
    stage: z.string(),
    result: z.union([CampaignWorkflowStateSchema, z.null()]).openapi({ description: "The run's final state, once it completed" }),
    name: z.string().nullable().optional().openapi({ description: 'Only with `include=context` (Postgres)' }),
    audienceAtApproval: z.union([CampaignAudienceAtApprovalSchema, z.null()]).openapi({ description: 'Null until the audience is frozen' }),
    previews: z
      .union([CampaignPreviewsSchema, z.null()])
      .optional()
      .openapi({ description: 'Only with `include=context` (Postgres). Null until the audience is frozen or when it has nobody to mail' }),
    delivery: z
      .union([CampaignDeliverySchema, z.null()])
      .optional()
      .openapi({ description: 'Only with `include=context` (Postgres). Null until the campaign is approved' }),
  })
  .strict()
  .openapi('CampaignState');

export const CampaignApprovalDetailsSchema = z
  .object({
    kind: z.literal('campaign'),
    campaignId: z.string(),
    name: z.string().nullable(),
    audienceAtApproval: z.union([CampaignAudienceAtApprovalSchema, z.null()]),
    previews: z.union([CampaignPreviewsSchema, z.null()]),
  })
  .passthrough()
  .openapi('CampaignApprovalDetails');

export type CampaignAudienceAtApproval = z.infer<typeof CampaignAudienceAtApprovalSchema>;
type Previews = z.infer<typeof CampaignPreviewsSchema>;
type Delivery = z.infer<typeof CampaignDeliverySchema>;

/** The approver's audience counts from the frozen snapshot; null when there is none yet. */
export function audienceAtApproval(audience: AudienceSnapshot | null | undefined): CampaignAudienceAtApproval | null {
  if (!audience) return null;
  const holdout = audience.split?.holdout ?? 0;
  const toMail = audience.eligible - holdout;
  const at = audience.atSnapshot;
  const exclusions: CampaignAudienceAtApproval['exclusions'] = [];
  for (const [reason, count] of Object.entries(audience.suppressed ?? {})) {
    if (count) exclusions.push({ reason, group: groupOf(reason), label: EXCLUSION_LABELS[reason] ?? reason.replace(/_/g, ' '), count, effect: 'not_mailed' });
  }
  if (at) {
    for (const reason of HOLD_REASONS) {
      if (at.held[reason])
        exclusions.push({ reason, group: groupOf(reason), label: EXCLUSION_LABELS[reason]!, count: at.held[reason], effect: 'held_then_retried' });
    }
  }
  if (holdout) exclusions.push({ reason: 'holdout', group: 'holdout', label: EXCLUSION_LABELS.holdout!, count: holdout, effect: 'held_out' });
  exclusions.sort((a, b) => b.count - a.count);
  const sum = (group: string) => exclusions.filter((e) => e.group === group).reduce((n, e) => n + e.count, 0);
  return {
    frozenAt: at?.asOf ?? null,
    matched: audience.matched,
    eligible: audience.eligible,
    toMail,
    sendableNow: at ? at.sendableNow : null,
    byGroup: {
      consent: sum('consent'),
      suppression: sum('suppression'),
      frequencyCap: at ? at.held.frequency_cap : null,
      quietHours: at ? at.held.quiet_hours : null,
      holdout,
    },
    exclusions,
    split: Object.entries(audience.split?.byVariant ?? {}).map(([variant, recipients]) => ({ variant, recipients })),
    note: at ? null : 'Frozen before frequency cap and quiet hours were counted for approvers: they are judged at send time.',
  };
}

const TEXT_EXCERPT = 4_000;
const HTML_EXCERPT = 20_000;

/**
 * Every variant rendered by the send's own templates for the first sampled recipient (a real
 * customer of the frozen audience), with their current product picks; the unsubscribe link is a
 * stand-in (each real one is signed for its recipient at send time).
 */
export async function variantPreviews(db: Db, campaignId: string, audience: AudienceSnapshot | null | undefined): Promise<Previews | null> {
  const sample = audience?.sample?.[0];
  if (!sample) return null;
  const [campaign, customer] = await Promise.all([
    db.campaign.findUnique({ where: { id: campaignId }, select: { variants: true } }),
    db.customer.findUnique({ where: { id: sample.customerId }, select: { firstName: true, tier: true, preferredCategories: true } }),
  ]);
  const variants = (Array.isArray(campaign?.variants) ? campaign.variants : []) as { key?: unknown; subject?: unknown; body?: unknown }[];
  if (!customer || variants.length === 0) return null;
  const picks =
    (await createPicksSource({ db }).picksFor([{ customerId: sample.customerId, preferredCategories: customer.preferredCategories }])).get(sample.customerId) ??
    [];
  const values: TemplateValues = {
    firstName: customer.firstName,
    tier: customer.tier.charAt(0) + customer.tier.slice(1).toLowerCase(),
    unsubscribeUrl: '/unsubscribe/preview',
    productPicks: formatPicks(picks),
  };
  const postalAddress = process.env.COMPANY_POSTAL_ADDRESS?.trim() || DEFAULT_COMPANY_POSTAL_ADDRESS;
  return {
    recipient: { customerId: sample.customerId, firstName: customer.firstName, tier: customer.tier, variantKey: sample.variantKey },
    variants: variants.flatMap((v) => {
      if (typeof v.key !== 'string' || typeof v.subject !== 'string' || typeof v.body !== 'string') return [];
      const subject = renderTemplate(v.subject, { ...values, productPicks: picks.map((p) => p.name).join(', ') }).replace(/[\r\n]+/g, ' ');
      const { text, html } = renderCampaignEmail(v.body, values, picks, { subject, postalAddress });
      return [
        {
          key: v.key,
          subjectTemplate: v.subject,
          subject,
          text: text.slice(0, TEXT_EXCERPT),
          html: html.slice(0, HTML_EXCERPT),
          truncated: text.length > TEXT_EXCERPT || html.length > HTML_EXCERPT,
        },
      ];
    }),
  };
}

/** A send error as a reason shared by many recipients: addresses and message IDs left out. */
function sendErrorReason(status: 'FAILED' | 'UNKNOWN', error: string | null): string {
  if (!error)
    return status === 'UNKNOWN' ? 'A send attempt stopped after claiming the recipient (worker stopped); never sent again' : 'Refused by the mail server';
  return error
    .replace(/<[^>]*>/g, '')
    .replace(/[\w.+-]+@[\w.-]+/g, '(address)')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/** Sends by outcome and reason, and the held, from Postgres; null before the campaign was approved. */
export async function campaignDelivery(db: Db, campaignId: string, state: Record<string, any>): Promise<Delivery | null> {
  if (!state.approvedBy) return null;
  const audience = state.audience as AudienceSnapshot | null;
  const toMail = audience ? audience.eligible - (audience.split?.holdout ?? 0) : 0;
  const [sends, held, skipped, sentAfterHold] = await Promise.all([
    db.$queryRaw<{ status: 'CLAIMED' | 'SENT' | 'FAILED' | 'UNKNOWN'; error: string | null; count: number }[]>`
      SELECT status::text AS status, error, COUNT(*)::int AS count FROM "CampaignSend" WHERE "campaignId" = ${campaignId} GROUP BY 1, 2`,
    db.$queryRaw<{ reason: string; count: number; earliest: Date | null; latest: Date | null }[]>`
      SELECT r."heldReason" AS reason, COUNT(*)::int AS count, MIN(r."heldUntil") AS earliest, MAX(r."heldUntil") AS latest
        FROM "CampaignRecipient" r
        LEFT JOIN "CampaignSend" s ON s."campaignId" = r."campaignId" AND s."customerId" = r."customerId"
       WHERE r."campaignId" = ${campaignId} AND r."heldReason" IS NOT NULL AND NOT r.holdout AND r."suppressedReason" IS NULL AND s.id IS NULL
       GROUP BY 1 ORDER BY 2 DESC`,
    db.$queryRaw<{ reason: string; count: number }[]>`
      SELECT "suppressedReason" AS reason, COUNT(*)::int AS count FROM "CampaignRecipient"
       WHERE "campaignId" = ${campaignId} AND "skippedAtSend" GROUP BY 1 ORDER BY 2 DESC`,
    db.$queryRaw<{ count: number }[]>`
      SELECT COUNT(*)::int AS count FROM "CampaignRecipient" r JOIN "CampaignSend" s ON s."campaignId" = r."campaignId" AND s."customerId" = r."customerId"
       WHERE r."campaignId" = ${campaignId} AND r."heldReason" IS NOT NULL AND s.status = 'SENT'`,
  ]);
  const byStatus = (status: string) => sends.filter((s) => s.status === status).reduce((n, s) => n + s.count, 0);
  const reasons = (status: 'FAILED' | 'UNKNOWN') => {
    const m = new Map<string, number>();
    for (const s of sends.filter((x) => x.status === status)) {
      const r = sendErrorReason(status, s.error);
      m.set(r, (m.get(r) ?? 0) + s.count);
    }
    return [...m].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  };
  const sent = byStatus('SENT');
  const failed = byStatus('FAILED');
  const unknown = byStatus('UNKNOWN');
  const inFlight = byStatus('CLAIMED');
  const heldCount = held.reduce((n, h) => n + h.count, 0);
  const skippedCount = skipped.reduce((n, s) => n + s.count, 0);
  const finished = state.stage === 'completed' || state.stage === 'cancelled' || state.stage === 'failed';
  return {
    toMail,
    sent,
    failed,
    unknown,
    inFlight,
    // A completed campaign holds nobody; a cancelled or failed one leaves its held unsent.
    held: state.stage === 'completed' ? 0 : heldCount,
    skippedAtSend: skippedCount,
    notYetAttempted: Math.max(0, toMail - sent - failed - unknown - inFlight - heldCount - skippedCount),
    sentAfterHold: sentAfterHold[0]?.count ?? 0,
    heldByReason:
      state.stage === 'completed'
        ? []
        : held.map((h) => ({
            reason: h.reason,
            label: EXCLUSION_LABELS[h.reason] ?? h.reason.replace(/_/g, ' '),
            count: h.count,
            earliestRetryAt: finished ? null : (h.earliest?.toISOString() ?? null),
            latestRetryAt: finished ? null : (h.latest?.toISOString() ?? null),
          })),
    failedByReason: reasons('FAILED'),
    unknownByReason: reasons('UNKNOWN'),
    skippedByReason: skipped.map((s) => ({ reason: s.reason, count: s.count })),
    pass: typeof state.pass === 'number' ? state.pass : 1,
    nextAttemptAt: typeof state.nextAttemptAt === 'string' ? state.nextAttemptAt : null,
  };
}

/** Merged over every state GET /campaigns/{id} answers: from the state alone. */
export function campaignDerived(state: Record<string, any>): Record<string, unknown> {
  return { audienceAtApproval: audienceAtApproval((state.audience ?? null) as AudienceSnapshot | null) };
}

/** Merged over the campaign's state by GET /campaigns/{id}?include=context (Postgres). */
export async function campaignContext(db: Db, state: Record<string, any>): Promise<Record<string, unknown>> {
  const campaignId = String(state.campaignId ?? '');
  const audience = (state.audience ?? null) as AudienceSnapshot | null;
  const [row, previews, delivery] = await Promise.all([
    db.campaign.findUnique({ where: { id: campaignId }, select: { name: true } }),
    variantPreviews(db, campaignId, audience),
    campaignDelivery(db, campaignId, state),
  ]);
  return { name: row?.name ?? null, previews, delivery };
}

/** Merged over an inbox row's `details`: the frozen counts (from the request as stored) and the previews. */
export async function campaignApprovalDetails(db: Db, row: ApprovalRow): Promise<Record<string, unknown>> {
  const stored = (row.details && typeof row.details === 'object' ? row.details : {}) as { audience?: AudienceSnapshot };
  const [campaign, previews] = await Promise.all([
    db.campaign.findUnique({ where: { id: row.subjectId }, select: { name: true } }),
    variantPreviews(db, row.subjectId, stored.audience),
  ]);
  return { kind: 'campaign', campaignId: row.subjectId, name: campaign?.name ?? null, audienceAtApproval: audienceAtApproval(stored.audience), previews };
}
