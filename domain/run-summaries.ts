/**
 * What a run says about itself in the Temporal UI and CLI: the one-line static summary of a row in
 * the workflow list, the markdown static details on its page, and the times its timeline shows.
 * Pure text, no I/O: the API builds the start options from these, the workflows their timer and
 * activity summaries.
 */
import { zonedParts } from './local-time';
import { formatMoney } from './text';

/** Temporal shows a summary on one line; longer ones are cut with an ellipsis. */
export const SUMMARY_MAX_CHARS = 200;

/** One line, at most SUMMARY_MAX_CHARS characters. */
export function oneLine(text: string, max = SUMMARY_MAX_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * "2026-12-03 06:00 PST": a moment in a store's zone, short enough for a summary; UTC (named as
 * such) when the zone is absent or unknown.
 */
export function formatShortTime(at: string | number | Date, timeZone?: string | null): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const get = zonedParts(
    date,
    { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' },
    timeZone || 'UTC',
  );
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

/** "−15.0%" / "+4.2%" (a true minus sign, as people write it). */
export function formatChange(fraction: number): string {
  const pct = (Math.abs(fraction) * 100).toFixed(1);
  return `${fraction < 0 ? '−' : '+'}${pct}%`;
}

/** "S001, S002" or "S001, S002, S003 and 4 more". */
export function storeList(storeIds: readonly string[], shown = 3): string {
  if (storeIds.length <= shown + 1) return storeIds.join(', ');
  return `${storeIds.slice(0, shown).join(', ')} and ${storeIds.length - shown} more`;
}

/** The zone a set of stores shares, or null when they are in several (or none is known). */
export function sharedTimeZone(timeZones: readonly string[]): string | null {
  const zones = [...new Set(timeZones)];
  return zones.length === 1 ? zones[0]! : null;
}

/** Markdown details: one bullet per fact that has a value. */
export function detailsList(facts: Record<string, string | number | null | undefined>): string {
  return Object.entries(facts)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `- **${k}:** ${String(v).replace(/\s+/g, ' ').trim()}`)
    .join('\n');
}

export interface PriceChangeFacts {
  sku: string;
  productName: string;
  category?: string;
  /** Null: chain-wide. */
  storeIds: readonly string[] | null;
  currentPrice: number;
  newPrice: number;
  /** Bound by a guardrail (the price was moved to meet it), if any. */
  boundBy?: string | null;
  effectiveAt?: string | null;
  endsAt?: string | null;
  timeZone?: string | null;
  reason: string;
  requestedBy: string;
}

const priceChangeFraction = (f: PriceChangeFacts) => (f.currentPrice > 0 ? (f.newPrice - f.currentPrice) / f.currentPrice : 0);
const where = (storeIds: readonly string[] | null) => (storeIds ? `at ${storeList(storeIds)}` : 'chain-wide');

/** "Price change: W-1001 Linen blazer at S001, S002 — −15.0% from 2026-12-03 06:00 PST". */
export function priceChangeSummary(f: PriceChangeFacts): string {
  const when = f.effectiveAt ? `from ${formatShortTime(f.effectiveAt, f.timeZone)}` : 'once approved';
  return oneLine(`Price change: ${f.sku} ${f.productName} ${where(f.storeIds)} — ${formatChange(priceChangeFraction(f))} ${when}`);
}

export function priceChangeDetails(f: PriceChangeFacts): string {
  return detailsList({
    SKU: `${f.sku} ${f.productName}${f.category ? ` (${f.category})` : ''}`,
    Stores: f.storeIds ? f.storeIds.join(', ') : 'every store and e-commerce',
    Price: `${formatMoney(f.currentPrice)} → ${formatMoney(f.newPrice)} (${formatChange(priceChangeFraction(f))})${f.boundBy ? `, bound by ${f.boundBy.replace(/_/g, ' ')}` : ''}`,
    Effective: f.effectiveAt ? formatShortTime(f.effectiveAt, f.timeZone) : 'once approved',
    Ends: f.endsAt ? formatShortTime(f.endsAt, f.timeZone) : 'no end date (watched for a sales slump)',
    Reason: f.reason,
    'Requested by': f.requestedBy,
  });
}

export interface AppointmentRecoveryFacts {
  appointmentId: string;
  customerName: string;
  tier: string;
  storeId: string;
  storeName: string;
  startsAt: string | Date;
  timeZone: string;
  serviceType: string;
  requestedBy: string;
}

/** "PLATINUM" (as stored) -> "Platinum". */
export function tierName(tier: string): string {
  return tier.charAt(0).toUpperCase() + tier.slice(1).toLowerCase();
}

/** "Appointment recovery: Victoria Chen (Platinum) at S001 14:00 PST". */
export function appointmentRecoverySummary(f: AppointmentRecoveryFacts): string {
  const time = formatShortTime(f.startsAt, f.timeZone).slice(11);
  return oneLine(`Appointment recovery: ${f.customerName} (${tierName(f.tier)}) at ${f.storeId} ${time}`);
}

export function appointmentRecoveryDetails(f: AppointmentRecoveryFacts): string {
  return detailsList({
    Appointment: `${f.appointmentId}, ${f.serviceType.replace(/_/g, ' ')}`,
    Customer: `${f.customerName} (${tierName(f.tier)})`,
    Store: `${f.storeName} (${f.storeId})`,
    Starts: formatShortTime(f.startsAt, f.timeZone),
    'Started by': f.requestedBy,
    Steps: 'rank stylists → store manager approves or overrides → assign, brief, hold items, reserve a suite, confirm to the customer',
  });
}

export interface ReplenishmentFacts {
  storeId: string;
  storeName: string;
  regionId: string;
  asOf: string;
  requestedBy: string;
}

/** "Replenishment: Flagship (S001) for 2026-12-03". */
export function replenishmentSummary(f: ReplenishmentFacts): string {
  return oneLine(`Replenishment: ${f.storeName} (${f.storeId}) for ${f.asOf}`);
}

export function replenishmentDetails(f: ReplenishmentFacts): string {
  return detailsList({
    Store: `${f.storeName} (${f.storeId}), region ${f.regionId}`,
    Day: f.asOf,
    'Started by': f.requestedBy,
    Steps: 'forecast every SKU → reorder quantities → one purchase order per supplier, approved by value → sent once → acknowledgment and receipts',
  });
}

export interface CampaignFacts {
  name: string;
  variants: readonly { key: string; subject: string }[];
  holdoutPercent: number;
  segment: unknown;
  sendWindow: { startHour: number; endHour: number };
  ratePerSecond?: number;
  requestedBy: string;
}

/** 'Campaign: "Winter edit" — variants A/B, 10% holdout'. */
export function campaignSummary(f: CampaignFacts): string {
  const holdout = f.holdoutPercent ? `, ${f.holdoutPercent}% holdout` : '';
  return oneLine(`Campaign: "${f.name}" — variants ${f.variants.map((v) => v.key).join('/')}${holdout}`);
}

export function campaignDetails(f: CampaignFacts): string {
  const hour = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return detailsList({
    Campaign: f.name,
    Variants: f.variants.map((v) => `${v.key}: “${v.subject}”`).join('; '),
    Holdout: `${f.holdoutPercent}%`,
    Segment: oneLine(JSON.stringify(f.segment), 400),
    'Send window': `${hour(f.sendWindow.startHour)}–${hour(f.sendWindow.endHour)} recipient's local time`,
    Rate: f.ratePerSecond ? `${f.ratePerSecond} emails/s` : null,
    'Drafted by': f.requestedBy,
  });
}

export interface ModelRetrainingFacts {
  modelName: string;
  trigger: string;
  reason: string;
  asOf: string;
  storeIds?: readonly string[];
  requestedBy: string;
}

/** "Model retraining: demand-forecast (schedule) — Weekly retraining". */
export function modelRetrainingSummary(f: ModelRetrainingFacts): string {
  return oneLine(`Model retraining: ${f.modelName} (${f.trigger}) — ${f.reason}`);
}

export function modelRetrainingDetails(f: ModelRetrainingFacts): string {
  return detailsList({
    Model: f.modelName,
    Trigger: f.trigger,
    Reason: f.reason,
    'Data up to': f.asOf,
    Stores: f.storeIds?.length ? f.storeIds.join(', ') : 'every store',
    'Started by': f.requestedBy,
    Steps: 'fit every store × SKU series → evaluate challenger vs champion on the holdout → a data scientist approves promotion',
  });
}
