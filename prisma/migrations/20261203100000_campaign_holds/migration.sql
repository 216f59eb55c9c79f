-- Why and until when a recipient was last held at send time (frequency cap, quiet hours), and
-- whether a suppressedReason was found at send time rather than when the audience was frozen.
ALTER TABLE "CampaignRecipient" ADD COLUMN     "heldReason" TEXT,
ADD COLUMN     "heldUntil" TIMESTAMP(3),
ADD COLUMN     "skippedAtSend" BOOLEAN NOT NULL DEFAULT false;
