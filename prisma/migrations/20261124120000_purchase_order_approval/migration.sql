-- AlterTable
ALTER TABLE "PurchaseOrder" ADD COLUMN     "approvalTier" TEXT;

-- AlterTable
ALTER TABLE "PurchaseOrderLine" ADD COLUMN     "plannedQuantity" INTEGER NOT NULL DEFAULT 0;
