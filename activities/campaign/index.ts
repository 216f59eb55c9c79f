import type { Transporter } from 'nodemailer';
import type { Db } from '../../platform/db';
import { createCampaignAudienceActivities } from './audience';
import { createCampaignSendActivities } from './sends';
import { createCampaignActivities } from './status';

/** Every activity of a campaign: the audience snapshot, its status, and the batched sends. */
export function createCampaignDispatchActivities(deps: {
  db: Db;
  transport: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  unsubscribeSecrets: readonly string[];
  postalAddress?: string;
}) {
  return {
    ...createCampaignAudienceActivities({ db: deps.db }),
    ...createCampaignActivities({ db: deps.db }),
    ...createCampaignSendActivities(deps),
  };
}
