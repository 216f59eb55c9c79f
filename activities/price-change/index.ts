import type { Db } from '../../platform/db';
import type { MailSender } from '../shared/email';
import type { ChannelPriceClient } from './channel-prices';
import { createPricingActivities } from './pricing';
import { createPricingEngineActivities } from './pricing-engine';

/** Every activity of a price change: context, channel pushes and sales readings, and the pricing engine's estimate. */
export function createPriceChangeActivities(deps: { db: Db; mail: MailSender; channels: ChannelPriceClient; publicBaseUrl: string }) {
  return {
    ...createPricingEngineActivities({ db: deps.db }),
    ...createPricingActivities(deps),
  };
}
