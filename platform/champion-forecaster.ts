import { createSpecForecaster, parseSeriesModelSpec, type SeriesModelSpec } from '../domain/demand-models';
import { seasonalExponentialSmoothing, type Forecaster } from '../domain/forecasting';
import type { Db } from './db';
import { ALIASES, aliasTarget, DEMAND_MODEL } from './model-registry';

/**
 * The forecaster replenishment plans a batch of a store's SKUs with: the registry's champion of the
 * demand model (each series with its own family and parameters), the baseline for series the
 * champion has no parameters for (new SKUs) and for everything while there is no champion.
 */
export async function championForecaster(
  db: Db,
  storeId: string,
  skus: readonly string[],
  modelName: string = DEMAND_MODEL,
): Promise<{ forecaster: Forecaster; championVersion: number | null }> {
  const champion = await aliasTarget(db, modelName, ALIASES.champion);
  if (!champion || skus.length === 0) return { forecaster: seasonalExponentialSmoothing, championVersion: champion?.version ?? null };
  const rows = await db.modelSeriesParams.findMany({
    where: { modelVersionId: champion.id, storeId, sku: { in: [...skus] } },
    select: { sku: true, params: true },
  });
  const specs = new Map<string, SeriesModelSpec>();
  for (const r of rows) {
    const spec = parseSeriesModelSpec(r.params);
    if (spec) specs.set(r.sku, spec);
  }
  const forecaster = createSpecForecaster(
    (series) => (series.storeId === storeId ? specs.get(series.sku) : undefined),
    seasonalExponentialSmoothing,
    `${modelName} v${champion.version}`,
  );
  return { forecaster, championVersion: champion.version };
}
