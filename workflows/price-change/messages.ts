/** The price change process's messages: its input, state and stages, the queries, signals and updates the API uses, its workflow ID. */
import * as wf from '@temporalio/workflow';
import type { PriceResponse } from '../../activities/price-change/pricing-engine';
import type { PricingContext, SalesReading } from '../../activities/price-change/pricing';
import { type GuardrailResult, type PricePolicy } from '../../domain/guardrails';
import type { GateDecision, GateTimeouts, PendingApproval } from '../shared/approval-gate';
import type { CancelRequest } from '../shared/cancellation';
import { DAY, HOUR } from '../shared/durations';

export const PROCESS_TYPE = 'price_change';

/** The approval's due time, reminder and final deadline (GateTimeouts), and the process's own. */
export interface PriceChangeTiming extends GateTimeouts {
  /** How long sales are watched after the change when it has no end date. */
  monitorWindowMs: number;
  monitorEveryMs: number;
  /** Sales are judged only once the change has been in effect this long. */
  monitorAfterMs: number;
}

export const DEFAULT_PRICE_CHANGE_TIMING: PriceChangeTiming = {
  escalateAfterMs: 8 * HOUR,
  reminderBeforeMs: 2 * HOUR,
  expireAfterMs: 2 * DAY,
  monitorWindowMs: 14 * DAY,
  monitorEveryMs: 12 * HOUR,
  monitorAfterMs: 2 * DAY,
};

export interface PriceChangeInput {
  priceChangeId: string;
  sku: string;
  /** Null: chain-wide (every store's POS and e-commerce). */
  storeIds: string[] | null;
  newPrice: number;
  reason: string;
  effectiveAt?: string;
  endsAt?: string;
  requestedBy: string;
  timing?: Partial<PriceChangeTiming>;
  policy?: Partial<PricePolicy>;
  /** Unit sales below this share of forecast roll the change back (0.7 = a 30 % shortfall). */
  kpiFloorRatio?: number;
  /** Own-price elasticity used for the sales forecast at the new price. */
  elasticity?: number;
  /** Judge sales on the day of the change and today too (intraday sales feeds, tests). */
  kpiIncludePartialDays?: boolean;
  /** The zone times in the run's timeline are shown in (the stores' when they share one); UTC when absent. */
  timeZone?: string;
}

export type PriceChangeStage =
  | 'checking'
  | 'awaiting_approval'
  | 'scheduled'
  | 'pushing'
  | 'effective'
  | 'rolling_back'
  | 'completed'
  | 'rolled_back'
  | 'rejected'
  | 'expired'
  | 'refused'
  | 'failed'
  | 'cancelled';

export interface PriceChangeState {
  stage: PriceChangeStage;
  priceChangeId: string;
  sku: string;
  storeIds: string[] | null;
  reason: string;
  context: PricingContext | null;
  guardrails: GuardrailResult | null;
  /** The pricing engine's elasticity estimate, proposal and expected impact (advisory). */
  priceResponse: PriceResponse | null;
  tier: string | null;
  approvedPrice: number | null;
  effectiveAt: string | null;
  endsAt: string | null;
  pushed: { target: string; price: number; previousPrice: number | null }[];
  restored: string[];
  /** Channels that refused to take their previous price back (reported for manual correction). */
  restoreFailed: string[];
  /** Channels whose push failed without a refusal: whether they applied the price is unknown. */
  unconfirmed: string[];
  readings: (SalesReading & { at: string })[];
  rollback: { reason: RollbackReason; at: string } | null;
  pendingApproval: PendingApproval | null;
  decisions: GateDecision[];
  failure: string | null;
  cancellation: CancelRequest | null;
}

/** Why the prior price was restored: the end date, a sales slump, a cancel, or a failure after the price took effect. */
export type RollbackReason = 'scheduled_end' | 'kpi' | 'cancelled' | 'failed';

export const priceChangeStateQuery = wf.defineQuery<PriceChangeState>('state');
