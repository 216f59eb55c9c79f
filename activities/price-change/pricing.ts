/**
 * Price changes: the facts a decision needs (cost, price, MAP, competitor prices, stores), the
 * status of the change, pushes to each channel (POS per store, e-commerce) under idempotency keys,
 * price history, and the sales-versus-forecast reading that can trigger a rollback.
 */
import { ApplicationFailure } from '@temporalio/common';
import { consoleRunPath, consoleUrl } from '../../domain/console-links';
import { localiseInstants } from '../../domain/local-time';
import { roundTo } from '../../domain/text';
import type { Db } from '../../platform/db';
import { workerMetrics } from '../../platform/metrics';
import { loadPricingContext, type PricingContext } from '../../platform/pricing-context';
import { ExternalSystemError, type ChannelPriceClient, type PriceTarget } from './channel-prices';
import type { MailSender } from '../shared/email';
import { renderEmail } from '../shared/email/render';
import { activityContext } from '../shared/activity-context';

export const PricingErrors = {
  productNotFound: 'ProductNotFound',
  channelRefused: 'ChannelRefusedPrice',
} as const;

export type { PricingContext };

export interface ChannelTarget {
  channel: 'pos' | 'ecommerce';
  storeId?: string;
}

export const targetKey = (t: ChannelTarget): string => (t.channel === 'pos' ? `pos:${t.storeId}` : 'ecommerce');

export interface PushOutcome {
  target: ChannelTarget;
  previousPrice: number | null;
}

export interface SalesReading {
  /** Units a day since the change took effect. */
  actualPerDay: number;
  /** Units a day expected at the new price: the baseline before the change, adjusted by elasticity. */
  expectedPerDay: number;
  /** actual ÷ expected; null when the baseline is too thin to judge or no whole day has passed. */
  ratio: number | null;
  daysObserved: number;
}

const DAY_MS = 86_400_000;
const BASELINE_DAYS = 28;

function channelFailure(err: unknown): unknown {
  if (err instanceof ExternalSystemError && !err.retryable) {
    return ApplicationFailure.nonRetryable(err.message, PricingErrors.channelRefused, { status: err.status });
  }
  return err;
}

export function createPricingActivities(deps: { db: Db; mail: MailSender; channels: ChannelPriceClient; publicBaseUrl: string }) {
  const { db, mail, channels } = deps;

  return {
    async loadPricingContext(input: { sku: string; storeIds: string[] | null }): Promise<PricingContext> {
      const ctx = await loadPricingContext(db, input.sku, input.storeIds);
      if (!ctx) throw ApplicationFailure.nonRetryable(`Product ${input.sku} does not exist.`, PricingErrors.productNotFound);
      return ctx;
    },

    /** Sets the change's status (and final price / binding rule when known); audited once per status. */
    async setPriceChangeStatus(input: {
      priceChangeId: string;
      status: string;
      newPrice?: number;
      boundBy?: string | null;
      actorId?: string;
      note?: string;
    }): Promise<void> {
      // One statement: the status and its audit row (written once per status, whatever the retries).
      const key = `${input.priceChangeId}:status:${input.status}`;
      const details = JSON.stringify({ newPrice: input.newPrice, boundBy: input.boundBy, note: input.note });
      const [row] = await db.$queryRaw<{ n: number }[]>`
        WITH changed AS (
          UPDATE "PriceChange"
             SET status = ${input.status},
                 "newPrice" = CASE WHEN ${input.newPrice !== undefined} THEN ${input.newPrice ?? null}::numeric ELSE "newPrice" END,
                 "boundBy" = CASE WHEN ${input.boundBy !== undefined} THEN ${input.boundBy ?? null}::text ELSE "boundBy" END
           WHERE id = ${input.priceChangeId}
          RETURNING id
        ), audited AS (
          INSERT INTO "AuditEvent" ("idempotencyKey", action, "entityType", "entityId", "workflowId", "actorId", details)
          SELECT ${key}, ${`price_change.${input.status}`}, 'price_change', id, id, ${input.actorId ?? null}, ${details}::jsonb FROM changed
          ON CONFLICT ("idempotencyKey") DO NOTHING
        )
        SELECT count(*)::int AS n FROM changed`;
      if (!row || row.n === 0) throw new Error(`Price change ${input.priceChangeId} does not exist (yet): its status ${input.status} was not recorded.`);
    },

    /**
     * Sets the price on one channel under a key naming the change, the step and the target, so a
     * retry never pushes twice. The push is on record before the channel is called, and confirmed
     * when it answers: a push whose answer is lost stays on record, unconfirmed.
     */
    async pushChannelPrice(input: { priceChangeId: string; step: string; sku: string; target: ChannelTarget; price: number }): Promise<PushOutcome> {
      const key = `${input.priceChangeId}:${input.step}:${targetKey(input.target)}`;
      const target: PriceTarget = input.target.channel === 'pos' ? { channel: 'pos', storeId: input.target.storeId! } : { channel: 'ecommerce' };
      await db.$executeRaw`
        INSERT INTO "ChannelPricePush" (id, "idempotencyKey", "priceChangeId", channel, "storeId", price, status)
        VALUES (${key}, ${key}, ${input.priceChangeId}, ${input.target.channel}, ${input.target.storeId ?? null}, ${input.price}::numeric, ${input.step})
        ON CONFLICT ("idempotencyKey") DO NOTHING`;
      let result;
      try {
        result = await channels.pushPrice(target, input.sku, { price: input.price, priceChangeId: input.priceChangeId }, key);
      } catch (err) {
        const failure = channelFailure(err);
        // A refusal is known not to have applied: it leaves nothing on record.
        if (failure !== err) {
          const dropped = await db.channelPricePush.deleteMany({ where: { idempotencyKey: key, confirmedAt: null } });
          if (dropped.count > 0) workerMetrics.pricePush(input.target.channel, 'refused');
        }
        throw failure;
      }
      const confirmed = await db.$executeRaw`
        UPDATE "ChannelPricePush" SET "confirmedAt" = ${new Date().toISOString()}::timestamptz AT TIME ZONE 'UTC'
         WHERE "idempotencyKey" = ${key} AND "confirmedAt" IS NULL`;
      // Counted where it is confirmed: a retry finding it confirmed already counts nothing.
      if (confirmed > 0) workerMetrics.pricePush(input.target.channel, 'applied');
      if (confirmed > 0) {
        activityContext()?.log.info('price pushed', {
          priceChangeId: input.priceChangeId,
          step: input.step,
          channel: input.target.channel,
          storeId: input.target.storeId ?? null,
          price: input.price,
        });
      }
      return { target: input.target, previousPrice: result.previousPrice };
    },

    /** Price history for every target, and the catalogue price for a chain-wide change; once per step. */
    async recordPriceEffect(input: {
      priceChangeId: string;
      step: string;
      sku: string;
      price: number;
      targets: ChannelTarget[];
      /** Per target (targetKey), where a target's price differs from `price` (a rollback to each channel's previous price). */
      prices?: Record<string, number>;
      chainWide: boolean;
      effectiveAt: string;
    }): Promise<void> {
      // One statement: the step's audit row is its marker; only the statement that writes it writes
      // the history (and the catalogue price), so a retry writes nothing twice.
      const marker = `${input.priceChangeId}:history:${input.step}`;
      const effectiveAt = new Date(input.effectiveAt).toISOString();
      const rows = JSON.stringify(
        input.targets.map((t) => ({
          id: `${input.priceChangeId}:${input.step}:${targetKey(t)}`,
          storeId: t.storeId ?? null,
          channel: t.channel,
          price: input.prices?.[targetKey(t)] ?? input.price,
        })),
      );
      const details = JSON.stringify({ price: input.price, targets: input.targets.map(targetKey) });
      await db.$executeRaw`
        WITH marked AS (
          INSERT INTO "AuditEvent" ("idempotencyKey", action, "entityType", "entityId", "workflowId", details)
          VALUES (${marker}, ${`price_change.${input.step}`}, 'product', ${input.sku}, ${input.priceChangeId}, ${details}::jsonb)
          ON CONFLICT ("idempotencyKey") DO NOTHING
          RETURNING 1
        ), history AS (
          INSERT INTO "PriceHistory" (id, sku, "storeId", channel, price, "effectiveAt", "priceChangeId")
          SELECT r.id, ${input.sku}, r."storeId", r.channel, r.price, ${effectiveAt}::timestamptz AT TIME ZONE 'UTC', ${input.priceChangeId}
            FROM jsonb_to_recordset(${rows}::jsonb) AS r(id text, "storeId" text, channel text, price numeric)
           WHERE EXISTS (SELECT 1 FROM marked)
          ON CONFLICT (id) DO NOTHING
        )
        UPDATE "Product" SET price = ${input.price}::numeric
         WHERE sku = ${input.sku} AND ${input.chainWide} AND EXISTS (SELECT 1 FROM marked)`;
    },

    /**
     * Unit sales a day since the change against the 28 days before it (all the change's stores),
     * the baseline adjusted by the price elasticity. Null ratio when the baseline sells under a
     * unit a day: too thin to call a drop.
     */
    async measureSalesVsForecast(input: {
      sku: string;
      storeIds: string[];
      effectiveAt: string;
      oldPrice: number;
      newPrice: number;
      elasticity: number;
      /** Count the day of the change and today too (intraday sales feeds, tests); otherwise only whole days after the change. */
      includePartialDays?: boolean;
    }): Promise<SalesReading> {
      const effective = new Date(input.effectiveAt);
      const effectiveDay = new Date(Date.UTC(effective.getUTCFullYear(), effective.getUTCMonth(), effective.getUTCDate()));
      const baselineStart = new Date(effectiveDay.getTime() - BASELINE_DAYS * DAY_MS);
      const now = new Date();
      const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      // The day of the change mixes sales at both prices, and today is not over: by default only
      // the whole days in between are judged.
      const from = input.includePartialDays ? effectiveDay : new Date(effectiveDay.getTime() + DAY_MS);
      const to = input.includePartialDays ? new Date(today.getTime() + DAY_MS) : today;
      const daysObserved = Math.max(0, Math.round((to.getTime() - from.getTime()) / DAY_MS));
      const [before, after] = await Promise.all([
        db.salesDaily.aggregate({
          where: { sku: input.sku, storeId: { in: input.storeIds }, day: { gte: baselineStart, lt: effectiveDay } },
          _sum: { units: true },
        }),
        db.salesDaily.aggregate({ where: { sku: input.sku, storeId: { in: input.storeIds }, day: { gte: from, lt: to } }, _sum: { units: true } }),
      ]);
      const baselinePerDay = (before._sum.units ?? 0) / BASELINE_DAYS;
      const expectedPerDay = baselinePerDay * Math.pow(input.newPrice / input.oldPrice, input.elasticity);
      const actualPerDay = daysObserved > 0 ? (after._sum.units ?? 0) / daysObserved : 0;
      return {
        actualPerDay: roundTo(actualPerDay, 2),
        expectedPerDay: roundTo(expectedPerDay, 2),
        ratio: expectedPerDay >= 1 && daysObserved > 0 ? roundTo(actualPerDay / expectedPerDay, 3) : null,
        daysObserved,
      };
    },

    /** Tells the category managers of the SKU's category (and store managers of the stores); once per step and person. */
    async notifyPricingTeam(input: {
      priceChangeId: string;
      step: string;
      category: string;
      storeIds: string[];
      subject: string;
      lines: string[];
    }): Promise<void> {
      const people = await db.principal.findMany({
        where: {
          active: true,
          email: { not: null },
          OR: [
            { role: 'category_manager', categories: { has: input.category } },
            { role: 'store_manager', storeIds: { hasSome: input.storeIds } },
          ],
        },
        orderBy: { id: 'asc' },
      });
      for (const p of people) {
        await mail.sendOnce({
          key: `${input.priceChangeId}:${input.step}:${p.id}`,
          kind: `price_change.${input.step}`,
          to: p.email!,
          subject: input.subject,
          ...renderEmail('process-notice', {
            subject: input.subject,
            store: null,
            recipientName: p.displayName,
            heading: input.subject,
            lines: input.lines.map((l) => localiseInstants(l, 'UTC')),
            linkLabel: 'Open the price change',
            link: consoleUrl(deps.publicBaseUrl, consoleRunPath('price-changes', input.priceChangeId)),
          }),
          workflowId: input.priceChangeId,
        });
      }
    },
  };
}

export type PricingActivities = ReturnType<typeof createPricingActivities>;
