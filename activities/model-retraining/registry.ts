/**
 * The retraining run's registry steps: register the candidate version (once per run), record its
 * evaluation and point `challenger` at it, promote it (aliases moved and audited), record why a
 * run ended without promotion. Each is keyed by the run's workflow ID, so a retry changes nothing
 * twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MetricsSummary } from '../../domain/forecast-metrics';
import type { DemandProfile } from '../../domain/drift';
import type { Db } from '../../platform/db';
import { withKeepAliveHeartbeat } from '../shared/activity-context';
import { ALIASES, aliasTarget, lockModel, setAlias } from '../../platform/model-registry';

const DAY_MS = 86_400_000;

export const ModelRegistryErrors = {
  championChanged: 'ChampionChanged',
  invalidInput: 'ModelRegistryInvalidInput',
} as const;

export interface RegisterModelVersionInput {
  workflowId: string;
  modelName: string;
  reason: string;
  requestedBy: string;
  /** The day training data ends (exclusive), yyyy-mm-dd. */
  asOf: string;
  historyDays: number;
  holdoutDays: number;
  /** Only these stores' series (a pilot, tests); all stores when absent. */
  storeIds?: string[];
  /** Overrides the worker's code version (tests). */
  codeVersion?: string;
  /** Fit settings recorded with the version. */
  settings: Record<string, unknown>;
  /** Register without the data fingerprint (empty), which recordDataFingerprint computes beside the training. */
  fingerprintLater?: boolean;
}

export interface RegisteredModelVersion {
  versionId: string;
  version: number;
  /** [trainingStart, holdoutStart) is fitted on, [holdoutStart, asOf) evaluated on (yyyy-mm-dd). */
  trainingStart: string;
  holdoutStart: string;
  asOf: string;
  seriesCount: number;
  dataFingerprint: string;
  /** The champion when this version was registered: what it is compared with (null: the baseline). */
  champion: { id: string; version: number } | null;
}

export interface ModelEvaluation {
  /** Daily units of the holdout window by fixed bins: the baseline of the drift check's PSI. */
  demandProfile: DemandProfile;
  challenger: { overall: MetricsSummary; byCategory: Record<string, MetricsSummary> };
  champion: { label: string; versionId: string | null; version: number | null; overall: MetricsSummary; byCategory: Record<string, MetricsSummary> };
  families: Record<string, number>;
  seriesCount: number;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function createModelRegistryActivities(deps: { db: Db; codeVersion?: string }) {
  const { db } = deps;

  /** Active SKUs stocked in the stores (all stores: null). */
  async function countSeries(stores: string[] | null): Promise<number> {
    const [row] = await db.$queryRaw<{ series: number }[]>`
      SELECT COUNT(*)::int AS series FROM "InventoryLevel" i JOIN "Product" p ON p.sku = i.sku
       WHERE p.active AND (${stores}::text[] IS NULL OR i."storeId" = ANY(${stores ?? []}::text[]))`;
    return row?.series ?? 0;
  }

  /**
   * The sales of [from, to) in the stores, summed into an md5. Summed per series first (a hash
   * aggregate, in parallel), then over the series: the same figures, and so the same fingerprint,
   * as one pass over the sales rows with COUNT(DISTINCT), which sorts every row.
   */
  async function salesFingerprint(from: string, to: string, stores: string[] | null): Promise<string> {
    const [row] = await db.$queryRaw<{ fingerprint: string }[]>`
      WITH per_series AS (
        SELECT "storeId", sku, COUNT(*) AS n, SUM(units) AS units, MIN(day) AS first, MAX(day) AS last,
               SUM(units * (EXTRACT(DOY FROM day)::int % 7 + 1)) AS weighted
          FROM "SalesDaily" WHERE day >= ${from}::date AND day < ${to}::date
           AND (${stores}::text[] IS NULL OR "storeId" = ANY(${stores ?? []}::text[]))
         GROUP BY "storeId", sku)
      SELECT md5(concat_ws(':', COALESCE(SUM(n), 0), COALESCE(SUM(units), 0), MIN(first), MAX(last), COUNT(DISTINCT "storeId"), COUNT(DISTINCT sku),
                 COALESCE(SUM(weighted), 0))) AS fingerprint
        FROM per_series`;
    return row!.fingerprint;
  }

  /**
   * The fingerprint of a version registered with fingerprintLater, over its training and holdout
   * window and stores, computed while it trains; stored once (a retry returns the stored one).
   */
  async function recordDataFingerprint(input: { versionId: string }): Promise<string> {
    const v = await db.modelVersion.findUniqueOrThrow({
      where: { id: input.versionId },
      select: { dataFingerprint: true, trainingWindowStart: true, trainingWindowEnd: true, holdoutEnd: true, params: true },
    });
    if (v.dataFingerprint) return v.dataFingerprint;
    const stores = (v.params as { storeIds?: string[] | null }).storeIds ?? null;
    const fingerprint = await withKeepAliveHeartbeat(() => salesFingerprint(day(v.trainingWindowStart), day(v.holdoutEnd ?? v.trainingWindowEnd), stores));
    await db.modelVersion.updateMany({ where: { id: input.versionId, dataFingerprint: '' }, data: { dataFingerprint: fingerprint } });
    return (await db.modelVersion.findUniqueOrThrow({ where: { id: input.versionId }, select: { dataFingerprint: true } })).dataFingerprint;
  }

  async function registerModelVersion(input: RegisterModelVersionInput): Promise<RegisteredModelVersion> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.asOf) || input.holdoutDays < 7 || input.historyDays < input.holdoutDays + 14) {
      throw ApplicationFailure.nonRetryable(
        `Training needs asOf as yyyy-mm-dd, at least 7 holdout days and two weeks of history before them (got ${input.asOf}, ${input.historyDays}, ${input.holdoutDays}).`,
        ModelRegistryErrors.invalidInput,
      );
    }
    const asOf = new Date(`${input.asOf}T00:00:00Z`);
    const trainingStart = new Date(asOf.getTime() - input.historyDays * DAY_MS);
    const holdoutStart = new Date(asOf.getTime() - input.holdoutDays * DAY_MS);

    const existing = await db.modelVersion.findUnique({ where: { workflowId: input.workflowId } });
    // The data as of registration: series planned (active SKUs stocked in a store) and the sales
    // the run reads, so two versions trained on the same data show the same fingerprint.
    const stores = input.storeIds ?? null;
    const [series, fingerprint] = existing
      ? [existing.seriesCount, existing.dataFingerprint]
      : await Promise.all([countSeries(stores), input.fingerprintLater ? '' : salesFingerprint(day(trainingStart), input.asOf, stores)]);

    const version = existing
      ? existing
      : await db.$transaction(async (tx) => {
          await lockModel(tx, input.modelName);
          const again = await tx.modelVersion.findUnique({ where: { workflowId: input.workflowId } });
          if (again) return again;
          const last = await tx.modelVersion.findFirst({ where: { modelName: input.modelName }, orderBy: { version: 'desc' }, select: { version: true } });
          const champion = await aliasTarget(tx, input.modelName, ALIASES.champion);
          const number = (last?.version ?? 0) + 1;
          return tx.modelVersion.create({
            data: {
              id: `${input.modelName}-v${number}`,
              modelName: input.modelName,
              version: number,
              workflowId: input.workflowId,
              reason: input.reason,
              status: 'training',
              params: { settings: input.settings, storeIds: stores, comparedWith: champion } as object,
              metrics: {},
              trainingWindowStart: trainingStart,
              trainingWindowEnd: holdoutStart,
              holdoutStart,
              holdoutEnd: asOf,
              dataFingerprint: fingerprint,
              codeVersion: input.codeVersion ?? deps.codeVersion ?? 'unknown',
              seriesCount: series,
              createdBy: input.requestedBy,
            },
          });
        });
    const comparedWith = (version.params as { comparedWith?: { id: string; version: number } | null }).comparedWith ?? null;
    return {
      versionId: version.id,
      version: version.version,
      trainingStart: day(version.trainingWindowStart),
      holdoutStart: day(version.holdoutStart ?? version.trainingWindowEnd),
      asOf: day(version.holdoutEnd ?? asOf),
      seriesCount: version.seriesCount,
      dataFingerprint: version.dataFingerprint,
      champion: comparedWith,
    };
  }

  /** Stores the evaluation on the version and points `challenger` at it. */
  async function recordModelEvaluation(input: { versionId: string; modelName: string; evaluation: ModelEvaluation }): Promise<void> {
    await db.$transaction(async (tx) => {
      await lockModel(tx, input.modelName);
      await tx.modelVersion.update({ where: { id: input.versionId }, data: { metrics: input.evaluation as unknown as object, status: 'evaluated' } });
      await setAlias(tx, input.modelName, ALIASES.challenger, input.versionId, 'system');
    });
  }

  /**
   * champion → the new version, previous → the old champion, challenger cleared; audited. A retry
   * after success changes nothing. Refused (non-retryable) when the champion moved since the
   * version was compared with it: the comparison no longer says anything about the new champion.
   */
  async function promoteModelVersion(input: {
    versionId: string;
    modelName: string;
    expectedChampionId: string | null;
    actorId: string;
    workflowId: string;
  }): Promise<{ champion: number; previous: number | null }> {
    return db.$transaction(async (tx) => {
      await lockModel(tx, input.modelName);
      const target = await tx.modelVersion.findUniqueOrThrow({ where: { id: input.versionId }, select: { version: true } });
      const champion = await aliasTarget(tx, input.modelName, ALIASES.champion);
      if (champion?.id === input.versionId) {
        const previous = await aliasTarget(tx, input.modelName, ALIASES.previous);
        return { champion: target.version, previous: previous?.version ?? null };
      }
      if ((champion?.id ?? null) !== input.expectedChampionId) {
        throw ApplicationFailure.nonRetryable(
          `The champion of ${input.modelName} changed since v${target.version} was evaluated (now ${champion ? `v${champion.version}` : 'none'}); retrain to compare with it.`,
          ModelRegistryErrors.championChanged,
        );
      }
      if (champion) await setAlias(tx, input.modelName, ALIASES.previous, champion.id, input.actorId);
      await setAlias(tx, input.modelName, ALIASES.champion, input.versionId, input.actorId);
      await tx.modelAlias.deleteMany({ where: { modelName: input.modelName, alias: ALIASES.challenger, modelVersionId: input.versionId } });
      await tx.modelVersion.update({ where: { id: input.versionId }, data: { status: 'promoted', outcomeNote: `Promoted by ${input.actorId}.` } });
      await tx.auditEvent.upsert({
        where: { idempotencyKey: `${input.workflowId}:promote` },
        create: {
          idempotencyKey: `${input.workflowId}:promote`,
          action: 'model.promoted',
          entityType: 'model',
          entityId: input.modelName,
          workflowId: input.workflowId,
          actorId: input.actorId,
          details: { champion: { id: input.versionId, version: target.version }, previous: champion },
        },
        update: {},
      });
      return { champion: target.version, previous: champion?.version ?? null };
    });
  }

  /** Why the run ended without a promotion (or that it failed); the `challenger` alias stays for inspection. */
  async function recordModelOutcome(input: { versionId: string; status: string; note: string; actorId?: string; workflowId: string }): Promise<void> {
    await db.$transaction([
      db.modelVersion.update({ where: { id: input.versionId }, data: { status: input.status, outcomeNote: input.note.slice(0, 2000) } }),
      db.auditEvent.upsert({
        where: { idempotencyKey: `${input.workflowId}:outcome` },
        create: {
          idempotencyKey: `${input.workflowId}:outcome`,
          action: `model.${input.status}`,
          entityType: 'model_version',
          entityId: input.versionId,
          workflowId: input.workflowId,
          actorId: input.actorId ?? null,
          details: { note: input.note },
        },
        update: {},
      }),
    ]);
  }

  return { registerModelVersion, recordDataFingerprint, recordModelEvaluation, promoteModelVersion, recordModelOutcome };
}

export type ModelRegistryActivities = ReturnType<typeof createModelRegistryActivities>;
