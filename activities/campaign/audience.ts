/**
 * The audience of a campaign, frozen: every customer's features from purchase history (tier, home
 * store and region, recency, frequency, spend, units by category), RFM scores over the whole base,
 * the segment's members, who may not be mailed at all (no address, no consent, suppressed) and the
 * variant or holdout of the rest. Written once as CampaignRecipient rows; a retry writes nothing
 * twice. Frequency cap and quiet hours depend on the moment of sending and are checked then; what
 * they would hold if the campaign were sent at the snapshot is counted for the approver
 * (`atSnapshot`), frozen with the rest.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { CustomerTierName } from '../../domain/customer-360';
import { assignVariant, splitCounts, type SplitCounts, type VariantWeight } from '../../domain/campaign-split';
import { matchesSegment, rfmScores, type CustomerFeatures, type Segment } from '../../domain/segments';
import {
  checkEligibility,
  DEFAULT_FREQUENCY_CAP,
  type FrequencyCap,
  type HoldReason,
  type QuietHours,
  type SkipReason,
  type SuppressionReason,
} from '../../domain/send-eligibility';
import { formatPicks } from '../../domain/product-picks';
import type { Db } from '../../platform/db';
import { createPicksSource } from './picks';
import { withKeepAliveHeartbeat } from '../shared/activity-context';

export interface AudienceSnapshot {
  /** Customers in the segment. */
  matched: number;
  /** Of those, who may be mailed (variants and holdout). */
  eligible: number;
  suppressed: Partial<Record<SkipReason, number>>;
  split: SplitCounts;
  /** A few recipients for the approver's preview. */
  sample: { customerId: string; firstName: string; tier: string; variantKey: string | null; productPicks?: string }[];
  /**
   * Of the recipients to mail (eligible, not held out), how many the frequency cap and quiet
   * hours would hold if sent at the snapshot (`asOf`). Absent from snapshots taken before it existed.
   */
  atSnapshot?: { asOf: string; held: Record<HoldReason, number>; sendableNow: number };
}

interface FeatureRow {
  customerId: string;
  firstName: string;
  email: string | null;
  emailConsent: boolean;
  timezone: string | null;
  tier: CustomerTierName;
  homeStoreId: string | null;
  regionId: string | null;
  lastPurchaseAt: Date | null;
  orderCount: number;
  totalSpend: number;
  unitsByCategory: Record<string, number> | null;
}

const WRITE_CHUNK = 5_000;
const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['unsubscribed', 'hard_bounce', 'complaint', 'manual'];

export function createCampaignAudienceActivities(deps: { db: Db }) {
  const { db } = deps;
  const picks = createPicksSource({ db });

  async function customerFeatures(): Promise<FeatureRow[]> {
    return db.$queryRaw<FeatureRow[]>`
      WITH orders AS (
        SELECT "customerId", MAX("purchasedAt") AS "lastPurchaseAt", COUNT(*)::int AS "orderCount", SUM(total)::float8 AS "totalSpend"
          FROM "Order" GROUP BY "customerId"
      ), units AS (
        SELECT x."customerId", jsonb_object_agg(x.category, x.units) AS "unitsByCategory"
          FROM (SELECT o."customerId", p.category, SUM(l.quantity)::int AS units
                  FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId" JOIN "Product" p ON p.sku = l.sku
                 GROUP BY o."customerId", p.category) x
         GROUP BY x."customerId"
      )
      SELECT c.id AS "customerId", c."firstName", c.email, c."emailConsent", c.timezone, c.tier::text AS tier, c."homeStoreId", s."regionId",
             o."lastPurchaseAt", COALESCE(o."orderCount", 0) AS "orderCount", COALESCE(o."totalSpend", 0) AS "totalSpend", u."unitsByCategory"
        FROM "Customer" c
        LEFT JOIN "Store" s ON s.id = c."homeStoreId"
        LEFT JOIN orders o ON o."customerId" = c.id
        LEFT JOIN units u ON u."customerId" = c.id
       ORDER BY c.id`;
  }

  /** What the frequency cap and quiet hours would hold if the recipients were mailed at `asOf` (the send's rules). */
  async function heldAtSnapshot(campaignId: string, toMail: FeatureRow[], asOf: Date, cap: FrequencyCap | undefined, quietHours: QuietHours | undefined) {
    const capWindowHours = (cap ?? DEFAULT_FREQUENCY_CAP).windowHours;
    const recent = await db.$queryRaw<{ customerId: string; sentAt: Date[] }[]>`
      SELECT "customerId", array_agg("sentAt") AS "sentAt" FROM "CampaignSend"
       WHERE status = 'SENT' AND "campaignId" <> ${campaignId}
         AND "sentAt" >= ${new Date(asOf.getTime() - capWindowHours * 3_600_000)}
       GROUP BY "customerId"`;
    const sendsOf = new Map(recent.map((r) => [r.customerId, r.sentAt.map((d) => d.toISOString())]));
    const held: Record<HoldReason, number> = { frequency_cap: 0, quiet_hours: 0 };
    let sendableNow = 0;
    for (const m of toMail) {
      const verdict = checkEligibility(
        {
          customerId: m.customerId,
          email: m.email,
          emailConsent: m.emailConsent,
          timezone: m.timezone,
          suppressedReasons: [],
          recentMarketingSends: sendsOf.get(m.customerId) ?? [],
        },
        asOf,
        { cap, quietHours },
      );
      if (verdict.kind === 'hold') held[verdict.reason] += 1;
      else if (verdict.kind === 'send') sendableNow += 1;
    }
    return { asOf: asOf.toISOString(), held, sendableNow };
  }

  return {
    async snapshotAudience(input: SnapshotAudienceInput): Promise<AudienceSnapshot> {
      return withKeepAliveHeartbeat(() => snapshot(input));
    },
  };

  async function snapshot(input: SnapshotAudienceInput): Promise<AudienceSnapshot> {
    const asOf = new Date(input.asOf);
    const rows = await customerFeatures();
    const features: CustomerFeatures[] = rows.map((r) => ({
      customerId: r.customerId,
      tier: r.tier,
      homeStoreId: r.homeStoreId,
      regionId: r.regionId,
      lastPurchaseAt: r.lastPurchaseAt ? r.lastPurchaseAt.toISOString() : null,
      orderCount: r.orderCount,
      totalSpend: r.totalSpend,
      unitsByCategory: r.unitsByCategory ?? {},
    }));
    const scores = rfmScores(features, asOf);
    const members = rows.filter((_, i) => matchesSegment(input.segment, features[i]!, scores, asOf));

    const suppressions = await db.suppression.findMany({
      where: { email: { in: members.map((m) => m.email?.toLowerCase()).filter((e): e is string => !!e) } },
      select: { email: true, reason: true },
    });
    const reasonsByEmail = new Map<string, SuppressionReason[]>();
    for (const s of suppressions) {
      const reason = (SUPPRESSION_REASONS as readonly string[]).includes(s.reason) ? (s.reason as SuppressionReason) : 'manual';
      reasonsByEmail.set(s.email, [...(reasonsByEmail.get(s.email) ?? []), reason]);
    }

    const suppressed: Partial<Record<SkipReason, number>> = {};
    const recipients: Prisma.CampaignRecipientCreateManyInput[] = [];
    const eligibleIds: string[] = [];
    const toMail: FeatureRow[] = [];
    for (const m of members) {
      // Quiet hours off and no prior sends: only what rules a customer out for good is judged here.
      const verdict = checkEligibility(
        {
          customerId: m.customerId,
          email: m.email,
          emailConsent: m.emailConsent,
          timezone: null,
          suppressedReasons: reasonsByEmail.get(m.email?.toLowerCase() ?? '') ?? [],
          recentMarketingSends: [],
        },
        asOf,
        { quietHours: { startHour: 0, endHour: 0 } },
      );
      if (verdict.kind === 'skip') {
        suppressed[verdict.reason] = (suppressed[verdict.reason] ?? 0) + 1;
        recipients.push({ campaignId: input.campaignId, customerId: m.customerId, suppressedReason: verdict.reason });
        continue;
      }
      const group = assignVariant(input.campaignId, m.customerId, input.variants, input.holdoutPercent);
      eligibleIds.push(m.customerId);
      if (group.group === 'variant') toMail.push(m);
      recipients.push({
        campaignId: input.campaignId,
        customerId: m.customerId,
        holdout: group.group === 'holdout',
        variantKey: group.group === 'variant' ? group.key : null,
      });
    }
    for (let i = 0; i < recipients.length; i += WRITE_CHUNK) {
      await db.campaignRecipient.createMany({ data: recipients.slice(i, i + WRITE_CHUNK), skipDuplicates: true });
    }
    await db.campaign.update({ where: { id: input.campaignId }, data: { audienceSize: eligibleIds.length } });

    const atSnapshot = await heldAtSnapshot(input.campaignId, toMail, asOf, input.cap, input.quietHours);

    const byId = new Map(recipients.map((r) => [r.customerId, r]));
    const eligible = new Set(eligibleIds);
    const sampled = members.filter((m) => eligible.has(m.customerId)).slice(0, 3);
    const preferences = await db.customer.findMany({
      where: { id: { in: sampled.map((m) => m.customerId) } },
      select: { id: true, preferredCategories: true },
    });
    const samplePicks = await picks.picksFor(preferences.map((c) => ({ customerId: c.id, preferredCategories: c.preferredCategories })));
    return {
      matched: members.length,
      eligible: eligibleIds.length,
      suppressed,
      split: splitCounts(input.campaignId, eligibleIds, input.variants, input.holdoutPercent),
      sample: sampled.map((m) => ({
        customerId: m.customerId,
        firstName: m.firstName,
        tier: m.tier,
        variantKey: byId.get(m.customerId)?.variantKey ?? null,
        productPicks: formatPicks(samplePicks.get(m.customerId) ?? []),
      })),
      atSnapshot,
    };
  }
}

export interface SnapshotAudienceInput {
  campaignId: string;
  segment: Segment;
  variants: VariantWeight[];
  holdoutPercent: number;
  asOf: string;
  /** The rules the send will apply (its defaults when absent), for `atSnapshot`. */
  cap?: FrequencyCap;
  quietHours?: QuietHours;
}

export type CampaignAudienceActivities = ReturnType<typeof createCampaignAudienceActivities>;
