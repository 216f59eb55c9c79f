import { createJsonRequester, seg, type HttpClientOptions } from '../shared/http';

export { ExternalSystemError } from '../shared/http';

/** Where a price lives: the POS of one store, or the e-commerce site. */
export type PriceTarget = { channel: 'pos'; storeId: string } | { channel: 'ecommerce' };

export interface PriceUpdate {
  price: number;
  priceChangeId: string;
}

export interface PricePushResult {
  pushId: string;
  channel: 'pos' | 'ecommerce';
  storeId?: string;
  sku: string;
  price: number;
  /** The channel's price before this push (null when it had none): what a compensation restores. */
  previousPrice: number | null;
  priceChangeId: string;
  appliedAt: string;
  /** True when this idempotency key had already been applied: nothing changed this time. */
  duplicate: boolean;
}

export interface ChannelPrice {
  channel: 'pos' | 'ecommerce';
  storeId?: string;
  sku: string;
  price: number;
  priceChangeId: string;
  updatedAt: string;
}

/** The channel price endpoints as the pricing activities see them. */
export interface ChannelPriceClient {
  /**
   * Sets a SKU's price on one channel. A repeat with the same idempotencyKey is a no-op answering
   * the first result. Throws ExternalSystemError (`retryable` says whether another attempt can help).
   */
  pushPrice(target: PriceTarget, sku: string, update: PriceUpdate, idempotencyKey: string): Promise<PricePushResult>;
  /** The current price on the channel; null when the channel has none for the SKU. */
  getPrice(target: PriceTarget, sku: string): Promise<ChannelPrice | null>;
}

export function pricePath(target: PriceTarget, sku: string): string {
  return target.channel === 'pos' ? `/channels/pos/stores/${seg(target.storeId)}/prices/${seg(sku)}` : `/channels/ecommerce/prices/${seg(sku)}`;
}

export function createChannelPriceClient(baseUrl: string, opts: HttpClientOptions = {}): ChannelPriceClient {
  const request = createJsonRequester('channel-prices', baseUrl, opts);
  return {
    async pushPrice(target, sku, update, idempotencyKey) {
      const res = await request<PricePushResult>({
        method: 'PUT',
        path: pricePath(target, sku),
        idempotencyKey,
        body: { price: update.price, priceChangeId: update.priceChangeId },
      });
      return { ...res!.body, duplicate: Boolean(res!.body.duplicate) };
    },
    async getPrice(target, sku) {
      const res = await request<ChannelPrice>({ method: 'GET', path: pricePath(target, sku) }, { allowNotFound: true });
      return res ? res.body : null;
    },
  };
}
