-- A day the shelf ran empty: its units are what sold before it did, so the day's demand is
-- censored (at least that much), not low. Forecasting and safety stock read such a day as censored.
ALTER TABLE "SalesDaily" ADD COLUMN     "stockout" BOOLEAN NOT NULL DEFAULT false;
