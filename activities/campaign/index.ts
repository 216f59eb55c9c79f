import { createCampaignAudienceActivities } from './audience';
import { createCampaignSendActivities } from './sends';
import { createCampaignActivities } from './status';

/** Every activity of a campaign: the audience snapshot, its status, and the batched sends. */
export function createCampaignDispatchActivities(deps: Parameters<typeof createCampaignSendActivities>[0]) {
  return {
    ...createCampaignAudienceActivities({ db: deps.db }),
    ...createCampaignActivities({ db: deps.db }),
    ...createCampaignSendActivities(deps),
  };
}
