-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "street" TEXT,
ADD COLUMN     "state" TEXT,
ADD COLUMN     "postalCode" TEXT,
ADD COLUMN     "email" TEXT;

-- The demo stores of an installation seeded before this migration get their addresses too.
UPDATE "Store" SET "street" = '170 O''Farrell Street', "state" = 'CA', "postalCode" = '94102', "email" = 'union-square@stores.retail-ops.local' WHERE "id" = 'S001' AND "street" IS NULL;
UPDATE "Store" SET "street" = '1033 NW Couch Street', "state" = 'OR', "postalCode" = '97209', "email" = 'pearl-district@stores.retail-ops.local' WHERE "id" = 'S002' AND "street" IS NULL;
UPDATE "Store" SET "street" = '3000 East 1st Avenue', "state" = 'CO', "postalCode" = '80206', "email" = 'cherry-creek@stores.retail-ops.local' WHERE "id" = 'S003' AND "street" IS NULL;
UPDATE "Store" SET "street" = '120 Spring Street', "state" = 'NY', "postalCode" = '10012', "email" = 'soho@stores.retail-ops.local' WHERE "id" = 'S004' AND "street" IS NULL;
UPDATE "Store" SET "street" = '800 Boylston Street', "state" = 'MA', "postalCode" = '02199', "email" = 'back-bay@stores.retail-ops.local' WHERE "id" = 'S005' AND "street" IS NULL;
UPDATE "Store" SET "street" = '2500 North Clark Street', "state" = 'IL', "postalCode" = '60614', "email" = 'lincoln-park@stores.retail-ops.local' WHERE "id" = 'S006' AND "street" IS NULL;
