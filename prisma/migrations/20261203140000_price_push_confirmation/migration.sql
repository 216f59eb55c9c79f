-- A price push is recorded before the channel is called and confirmed when it answers, so a push
-- whose answer was lost (a worker killed mid-call, a channel that went down) is still on record.
ALTER TABLE "ChannelPricePush" ADD COLUMN "confirmedAt" TIMESTAMP(3);
UPDATE "ChannelPricePush" SET "confirmedAt" = "pushedAt";
