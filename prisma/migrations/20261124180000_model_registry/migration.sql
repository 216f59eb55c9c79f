-- AlterTable
ALTER TABLE "ModelAlias" ADD COLUMN     "updatedBy" TEXT;

-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "holdoutEnd" TIMESTAMP(3),
ADD COLUMN     "holdoutStart" TIMESTAMP(3),
ADD COLUMN     "outcomeNote" TEXT,
ADD COLUMN     "reason" TEXT,
ADD COLUMN     "seriesCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'training',
ADD COLUMN     "workflowId" TEXT;

-- CreateTable
CREATE TABLE "ModelSeriesParams" (
    "modelVersionId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "validationError" DOUBLE PRECISION,
    "holdoutDays" INTEGER NOT NULL,
    "holdoutUnits" DOUBLE PRECISION NOT NULL,
    "challengerAbsError" DOUBLE PRECISION NOT NULL,
    "challengerError" DOUBLE PRECISION NOT NULL,
    "championAbsError" DOUBLE PRECISION NOT NULL,
    "championError" DOUBLE PRECISION NOT NULL,
    "naiveScale" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ModelSeriesParams_pkey" PRIMARY KEY ("modelVersionId","storeId","sku")
);

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_workflowId_key" ON "ModelVersion"("workflowId");

-- AddForeignKey
ALTER TABLE "ModelSeriesParams" ADD CONSTRAINT "ModelSeriesParams_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
