/**
 * The pricing engine's reading of a SKU: own-price elasticity from a year of daily sales (each
 * day's average selling price against its units), the profit-optimal price it implies, and the
 * expected effect of the requested price on units, revenue and gross profit. Advisory: it informs
 * approvers and the sales forecast the rollback watches; guardrails and approvals decide.
 */
import { estimateElasticity, expectedImpact, proposePrice, type ElasticityEstimate, type ExpectedImpact, type PriceProposal } from '../../domain/elasticity';
import type { Db } from '../../platform/db';

export interface PriceResponse {
  estimate: ElasticityEstimate;
  proposal: PriceProposal | null;
  /** Of the requested price; null when the elasticity is unknown. */
  impact: ExpectedImpact | null;
  baselineUnitsPerDay: number;
}

const DAY_MS = 86_400_000;

export function createPricingEngineActivities(deps: { db: Db; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async estimatePriceResponse(input: { sku: string; storeIds: string[]; currentPrice: number; cost: number; newPrice: number }): Promise<PriceResponse> {
      const since = new Date(now().getTime() - 365 * DAY_MS);
      const rows = await deps.db.salesDaily.findMany({
        where: { sku: input.sku, storeId: { in: input.storeIds }, day: { gte: since }, units: { gt: 0 } },
        select: { day: true, units: true, revenue: true },
      });
      const estimate = estimateElasticity(rows.map((r) => ({ price: Number(r.revenue) / r.units, units: r.units })));
      // The last 28 whole days before today.
      const t = now();
      const recentFrom = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - 28 * DAY_MS;
      const recentUnits = rows.filter((r) => r.day.getTime() >= recentFrom).reduce((sum, r) => sum + r.units, 0);
      const baselineUnitsPerDay = recentUnits / 28;
      const proposal = proposePrice({ currentPrice: input.currentPrice, cost: input.cost, elasticity: estimate.elasticity });
      const impact =
        estimate.elasticity === null
          ? null
          : expectedImpact({
              currentPrice: input.currentPrice,
              newPrice: input.newPrice,
              cost: input.cost,
              elasticity: estimate.elasticity,
              baselineUnitsPerDay,
            });
      return { estimate, proposal, impact, baselineUnitsPerDay: Math.round(baselineUnitsPerDay * 100) / 100 };
    },
  };
}

export type PricingEngineActivities = ReturnType<typeof createPricingEngineActivities>;
