import type { Db } from '../../platform/db';

/** A campaign's status row (draft → pending_approval → sending → completed / rejected / cancelled ...), audited once per status. */
export function createCampaignActivities(deps: { db: Db }) {
  return {
    async setCampaignStatus(input: { campaignId: string; status: string; actorId?: string; note?: string; approved?: boolean }): Promise<void> {
      await deps.db.$transaction([
        deps.db.campaign.update({
          where: { id: input.campaignId },
          data: { status: input.status, ...(input.approved ? { approvedAt: new Date() } : {}) },
        }),
        deps.db.auditEvent.upsert({
          where: { idempotencyKey: `${input.campaignId}:status:${input.status}` },
          create: {
            idempotencyKey: `${input.campaignId}:status:${input.status}`,
            action: `campaign.${input.status}`,
            entityType: 'campaign',
            entityId: input.campaignId,
            workflowId: input.campaignId,
            actorId: input.actorId ?? null,
            details: { note: input.note ?? null },
          },
          update: {},
        }),
      ]);
    },

    /**
     * A campaign that ends (cancelled or failed) while a send attempt had claimed a recipient and
     * then died (its worker killed, say) gets no retry to settle that claim: whether the message
     * crossed SMTP is unknown, so it is recorded UNKNOWN (never sent again), as a retry would have.
     */
    async settleInterruptedSends(input: { campaignId: string }): Promise<{ unknown: number }> {
      const r = await deps.db.campaignSend.updateMany({
        where: { campaignId: input.campaignId, status: 'CLAIMED' },
        data: { status: 'UNKNOWN', error: 'The attempt sending it was interrupted and the campaign ended before a retry.' },
      });
      return { unknown: r.count };
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
