/**
 * The model registry in Postgres, MLflow-style: numbered versions per model name and movable
 * aliases (`champion`, `challenger`, `previous`). Alias moves run in one transaction under a
 * per-model advisory lock and are audited, so two promotions or a promotion and a rollback never
 * interleave.
 */
import type { Db } from './db';

export const DEMAND_MODEL = 'demand-forecast';
/** Models this deployment trains. */
export const KNOWN_MODELS: readonly string[] = [DEMAND_MODEL];

export const ALIASES = { champion: 'champion', challenger: 'challenger', previous: 'previous' } as const;

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Serialises registry changes of one model (numbering versions, moving aliases). */
export async function lockModel(tx: Tx, modelName: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`model-registry:${modelName}`}))`;
}

export async function aliasTarget(db: Db | Tx, modelName: string, alias: string): Promise<{ id: string; version: number } | null> {
  const row = await db.modelAlias.findUnique({
    where: { modelName_alias: { modelName, alias } },
    include: { modelVersion: { select: { id: true, version: true } } },
  });
  return row ? row.modelVersion : null;
}

export async function setAlias(tx: Tx, modelName: string, alias: string, modelVersionId: string, actorId: string | null): Promise<void> {
  await tx.modelAlias.upsert({
    where: { modelName_alias: { modelName, alias } },
    create: { modelName, alias, modelVersionId, updatedBy: actorId },
    update: { modelVersionId, updatedBy: actorId },
  });
}

export class RollbackRefused extends Error {
  constructor(
    readonly kind: 'unknown_model' | 'no_previous',
    message: string,
  ) {
    super(message);
  }
}

export interface RollbackResult {
  modelName: string;
  champion: { version: number; id: string };
  rolledBack: { version: number; id: string };
  previous: { version: number; id: string } | null;
}

/**
 * Points `champion` back at `previous`. The version rolled back is marked `rolled_back`; `previous`
 * then moves to the latest earlier version that was promoted and not rolled back (or goes away),
 * so a second rollback goes further back instead of reinstating the version just rolled back.
 */
export async function rollbackChampion(db: Db, input: { modelName: string; actorId: string; reason?: string }): Promise<RollbackResult> {
  return db.$transaction(async (tx) => {
    await lockModel(tx, input.modelName);
    const champion = await aliasTarget(tx, input.modelName, ALIASES.champion);
    const previous = await aliasTarget(tx, input.modelName, ALIASES.previous);
    if (!champion) {
      const any = await tx.modelVersion.count({ where: { modelName: input.modelName } });
      if (any === 0) throw new RollbackRefused('unknown_model', `No model ${input.modelName} is registered.`);
      throw new RollbackRefused('no_previous', `${input.modelName} has no champion to roll back.`);
    }
    if (!previous || previous.id === champion.id) {
      throw new RollbackRefused('no_previous', `${input.modelName} v${champion.version} has no previous champion to roll back to.`);
    }
    await setAlias(tx, input.modelName, ALIASES.champion, previous.id, input.actorId);
    await tx.modelVersion.update({
      where: { id: champion.id },
      data: { status: 'rolled_back', outcomeNote: `Rolled back by ${input.actorId}${input.reason ? `: ${input.reason}` : ''}.` },
    });
    const earlier = await tx.modelVersion.findFirst({
      where: { modelName: input.modelName, status: 'promoted', version: { lt: previous.version } },
      orderBy: { version: 'desc' },
      select: { id: true, version: true },
    });
    if (earlier) await setAlias(tx, input.modelName, ALIASES.previous, earlier.id, input.actorId);
    else await tx.modelAlias.deleteMany({ where: { modelName: input.modelName, alias: ALIASES.previous } });
    await tx.auditEvent.create({
      data: {
        action: 'model.rolled_back',
        entityType: 'model',
        entityId: input.modelName,
        actorId: input.actorId,
        details: { from: champion, to: previous, previousNow: earlier ?? null, reason: input.reason ?? null },
      },
    });
    return { modelName: input.modelName, champion: previous, rolledBack: champion, previous: earlier ?? null };
  });
}
