/**
 * The daily drift check of a model's champion (issue 6): its forecast error over the recent window
 * against the WAPE it was promoted on, and the demand distribution of the recent window against the
 * one recorded when it was evaluated (PSI over fixed bins of daily units). Read-only; the kickoff workflow starts a retraining on drift.
 */
import { assessDrift, psiCounts, psiFromCounts, type DriftAssessment, type DriftThresholds, type DemandProfile } from '../../domain/drift';
import { lastSalesDay, loadDailyUnits, seriesKey } from './sales-history';
import { forecastWithSpec, parseSeriesModelSpec } from '../../domain/demand-models';
import { accumulate, emptyAccumulator, summarise } from '../../domain/forecast-metrics';
import { addDays } from '../../domain/seasonality';
import type { Db } from '../../platform/db';
import { ALIASES, aliasTarget } from '../../platform/model-registry';
import { activityContext } from '../shared/activity-context';

const DAY_MS = 86_400_000;
const CHUNK = 500;

export interface DriftCheckInput {
  modelName: string;
  /** The day the recent window ends (exclusive), yyyy-mm-dd; today (UTC) when absent. */
  asOf?: string;
  recentDays?: number;
  thresholds?: Partial<DriftThresholds>;
}

export interface DriftCheckResult extends DriftAssessment {
  modelName: string;
  championVersion: number | null;
  baselineWape: number | null;
  recentWape: number | null;
  psi: number | null;
  seriesChecked: number;
  window: { from: string; to: string } | null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function createModelDriftActivities(deps: { db: Db; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function checkDemandDrift(input: DriftCheckInput): Promise<DriftCheckResult> {
    const recentDays = input.recentDays ?? 28;
    const asOf = input.asOf ?? day(now());
    const recentStart = day(new Date(Date.parse(`${asOf}T00:00:00Z`) - recentDays * DAY_MS));
    const champion = await aliasTarget(db, input.modelName, ALIASES.champion);
    const empty = { modelName: input.modelName, baselineWape: null, recentWape: null, psi: null, seriesChecked: 0 };
    if (!champion) {
      return { ...empty, ...assessDrift({ baselineWape: null, recentWape: null, psi: null }, input.thresholds), championVersion: null, window: null };
    }
    const version = await db.modelVersion.findUniqueOrThrow({ where: { id: champion.id } });
    const metrics = version.metrics as { challenger?: { overall?: { wape?: number | null } }; demandProfile?: DemandProfile };
    const baselineWape = metrics.challenger?.overall?.wape ?? null;
    const profile = metrics.demandProfile;
    // Each recent forecast sees as much history as the champion's own holdout forecast did, so on
    // the window it was evaluated on the recent WAPE is its baseline WAPE exactly.
    const historyDays = Math.max(14, Math.round((version.trainingWindowEnd.getTime() - version.trainingWindowStart.getTime()) / DAY_MS));
    const historyStart = day(new Date(Date.parse(`${recentStart}T00:00:00Z`) - historyDays * DAY_MS));

    const ctx = activityContext();
    let acc = emptyAccumulator();
    const recentCounts = profile ? profile.edges.map(() => 0).concat([0, 0]) : null;
    let seriesChecked = 0;
    let cursor: { storeId: string; sku: string } | null = null;
    const dataEnd = await lastSalesDay(db);
    for (;;) {
      const c: { storeId: string; sku: string } | null = cursor;
      const rows: { storeId: string; sku: string; params: unknown }[] = await db.modelSeriesParams.findMany({
        where: { modelVersionId: champion.id, ...(c ? { OR: [{ storeId: { gt: c.storeId } }, { storeId: c.storeId, sku: { gt: c.sku } }] } : {}) },
        orderBy: [{ storeId: 'asc' }, { sku: 'asc' }],
        take: CHUNK,
        select: { storeId: true, sku: true, params: true },
      });
      if (rows.length === 0) break;
      const history = await loadDailyUnits(db, rows, historyStart, asOf, { dataEnd });
      for (const r of rows) {
        // The series' own days (from its first sale, to the data's end; stock-outs NaN).
        const { offset, units } = history.get(seriesKey(r))!;
        const split = Math.max(0, historyDays - offset);
        const before = units.slice(0, split);
        const recent = units.slice(split);
        const spec = parseSeriesModelSpec(r.params);
        if (spec) acc = accumulate(acc, recent, forecastWithSpec(spec, before, recent.length, addDays(historyStart, offset)).dailyMeans, null);
        if (profile && recentCounts) {
          psiCounts(
            recent.filter((u) => !Number.isNaN(u)),
            profile.edges,
          ).forEach((c, i) => (recentCounts[i]! += c));
        }
        seriesChecked += 1;
      }
      cursor = { storeId: rows.at(-1)!.storeId, sku: rows.at(-1)!.sku };
      ctx?.heartbeat({ seriesChecked });
      if (rows.length < CHUNK) break;
    }
    // Recent demand against the profile recorded when the champion was evaluated (no profile: no PSI).
    const psi = profile && recentCounts ? psiFromCounts(profile.counts, recentCounts) : null;
    const recentWape = summarise(acc).wape;
    const assessment = assessDrift({ baselineWape, recentWape, psi }, input.thresholds);
    return {
      ...assessment,
      modelName: input.modelName,
      championVersion: champion.version,
      baselineWape,
      recentWape,
      psi,
      seriesChecked,
      window: { from: recentStart, to: asOf },
    };
  }

  return { checkDemandDrift };
}

export type ModelDriftActivities = ReturnType<typeof createModelDriftActivities>;
