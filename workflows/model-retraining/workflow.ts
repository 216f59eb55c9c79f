/**
 * Model retraining, champion/challenger: register a candidate version, fit every store × SKU series
 * in checkpointed batches, evaluate challenger and champion on the same holdout window, and when
 * the challenger beats the champion by the configured margin without worse bias, ask the
 * data-science lead to promote it; promotion moves the `champion` alias (replenishment then
 * forecasts with it). Otherwise the run ends recording why no promotion was proposed.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type * as registryActivities from '../../activities/model-retraining/registry';
import type { ModelEvaluation, RegisteredModelVersion } from '../../activities/model-retraining/registry';
import type * as trainingActivities from '../../activities/model-retraining/training';
import type { SeriesCursor, TrainModelBatchResult } from '../../activities/model-retraining/training';
import { proposePromotion, type PromotionProposal } from '../../domain/model-promotion';
import { boundedCount, forEachBounded } from '../../domain/batching';
import type { GateTimeouts } from '../shared/approval-gate';
import { runProcess, type ProcessRun } from '../shared/process-run';
import { named } from '../shared/summaries';
import {
  DEFAULT_TRAINING_CONCURRENCY,
  type ModelRetrainingInput,
  type ModelRetrainingState,
  PROCESS_TYPE,
  type RetrainingStage,
  modelRetrainingStateQuery,
} from './messages';

const DEFAULT_TIMEOUTS: GateTimeouts = { escalateAfterMs: 2 * 24 * 3600_000, reminderBeforeMs: 8 * 3600_000, expireAfterMs: 7 * 24 * 3600_000 };

const registry = wf.proxyActivities<ReturnType<typeof registryActivities.createModelRegistryActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['ModelRegistryInvalidInput', 'ChampionChanged'],
  },
});

/**
 * The series cut into ranges up front (a local activity: one short query), then the ranges' batches
 * a few at a time: on one worker one batch fits while another reads its histories, on several the
 * batches spread over them. Runs started before this trained batch after batch, as recorded.
 */
const CONCURRENT_TRAINING_PATCH = 'model-retraining-concurrent-batches';
/**
 * The data fingerprint (a pass over every sales row of the window) is computed beside the training
 * instead of before it: registration is a few short queries, and the version shows its
 * fingerprint from the evaluation on. Runs started before this fingerprinted at registration.
 */
const FINGERPRINT_BESIDE_TRAINING_PATCH = 'model-retraining-fingerprint-beside-training';
const localTraining = wf.proxyLocalActivities<ReturnType<typeof trainingActivities.createModelTrainingActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20, nonRetryableErrorTypes: ['ModelTrainingInvalidInput'] },
});

const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);

export async function modelRetraining(input: ModelRetrainingInput): Promise<ModelRetrainingState> {
  const initial: ModelRetrainingState = {
    stage: 'registering',
    modelName: input.modelName,
    trigger: input.trigger,
    reason: input.reason,
    version: null,
    training: { seriesTotal: 0, seriesTrained: 0, resumed: 0, batches: 0, percent: 0, families: {} },
    evaluation: null,
    proposal: null,
    promotedBy: null,
    outcome: null,
    pendingApproval: null,
    decisions: [],
    cancellation: null,
  };
  return runProcess(initial, { processType: PROCESS_TYPE, stateQuery: modelRetrainingStateQuery, upsertStageOnlyWhenChanged: true }, (run) =>
    retrainModel(input, run),
  );
}

type Run = ProcessRun<ModelRetrainingState>;

/** Register a version, train it, evaluate it against the champion, and promote it if a data scientist approves. */
async function retrainModel(input: ModelRetrainingInput, run: Run): Promise<ModelRetrainingState> {
  const { state } = run;
  try {
    const fingerprintBeside = wf.patched(FINGERPRINT_BESIDE_TRAINING_PATCH);
    const version = await register(input, run, fingerprintBeside);
    run.setStage('training');
    if (fingerprintBeside) {
      const [fingerprint] = await Promise.all([
        named(fingerprinterFor(input).recordDataFingerprint, `Fingerprint the sales data v${version.version} trains on`)({ versionId: version.versionId }),
        train(input, run, version),
      ]);
      version.dataFingerprint = fingerprint;
    } else {
      await train(input, run, version);
    }
    run.setStage('evaluating');
    const { evaluation, proposal } = await evaluate(input, run, version);
    if (!proposal.propose) return await finish(run, 'not_promoted', proposal.reason);
    run.setStage('awaiting_approval');
    const outcome = await approvePromotion(input, run, version, evaluation, proposal);
    if (outcome.status === 'cancelled') throw new wf.CancelledFailure('Retraining cancelled while awaiting approval.');
    const last = outcome.decisions[outcome.decisions.length - 1];
    if (outcome.status !== 'approved') {
      return await finish(
        run,
        outcome.status,
        outcome.status === 'rejected' ? `Promotion rejected by ${last?.actorId}: ${last?.comment ?? ''}` : 'Nobody decided the promotion in time.',
        last?.actorId,
      );
    }
    return await promote(input, run, version, outcome.finalDecision?.actorId ?? 'unknown');
  } catch (err) {
    return await run.end(
      err,
      { type: 'ModelRetrainingFailed', message: (reason) => `Retraining failed: ${reason}` },
      async ({ cancelled, reason }) => void (await finish(run, cancelled ? 'cancelled' : 'failed', reason, state.cancellation?.actorId)),
    );
  }
}

async function register(input: ModelRetrainingInput, run: Run, fingerprintLater: boolean): Promise<RegisteredModelVersion> {
  const version = await named(
    registry.registerModelVersion,
    `Register a new version of ${input.modelName}`,
  )({
    workflowId: wf.workflowInfo().workflowId,
    modelName: input.modelName,
    reason: input.reason,
    requestedBy: input.requestedBy,
    asOf: input.asOf ?? new Date(Date.now()).toISOString().slice(0, 10),
    historyDays: input.historyDays ?? 730,
    holdoutDays: input.holdoutDays ?? 28,
    codeVersion: input.codeVersion,
    storeIds: input.storeIds,
    settings: { batchSize: batchSizeOf(input), trigger: input.trigger, promotion: input.promotion ?? {} },
    ...(fingerprintLater ? { fingerprintLater } : {}),
  });
  run.state.version = version;
  run.state.training.seriesTotal = version.seriesCount;
  return version;
}

/** Trains every series in batches (each resumable from its checkpoint), counting progress. */
async function train(input: ModelRetrainingInput, run: Run, version: RegisteredModelVersion): Promise<void> {
  if (wf.patched(CONCURRENT_TRAINING_PATCH)) return trainConcurrently(input, run, version);
  const batchSize = batchSizeOf(input);
  const trainer = trainerFor(input);
  const t = run.state.training;
  let after: SeriesCursor | null = null;
  for (;;) {
    const r: TrainModelBatchResult = await named(
      trainer.trainModelBatch,
      `Train v${version.version}: the next ${batchSize} series ${after ? `after ${after.storeId}/${after.sku}` : 'from the first'}`,
    )({
      versionId: version.versionId,
      championVersionId: version.champion?.id ?? null,
      trainingStart: version.trainingStart,
      holdoutStart: version.holdoutStart,
      asOf: version.asOf,
      after,
      batchSize,
      checkpointEvery: input.checkpointEvery,
      storeIds: input.storeIds,
    });
    countBatch(t, r);
    // `more` is absent from batches recorded before it existed.
    if (r.last === null || r.examined < batchSize || r.more === false) break;
    after = r.last;
  }
  t.percent = 100;
}

async function trainConcurrently(input: ModelRetrainingInput, run: Run, version: RegisteredModelVersion): Promise<void> {
  const batchSize = batchSizeOf(input);
  const trainer = trainerFor(input);
  const t = run.state.training;
  const plan = await named(localTraining.planTrainingBatches, `Split the series into batches of ${batchSize}`)({ storeIds: input.storeIds, batchSize });
  t.seriesTotal = Math.max(t.seriesTotal, plan.seriesCount);
  await forEachBounded(plan.ranges, boundedCount(input.trainingConcurrency, DEFAULT_TRAINING_CONCURRENCY, 32), async (range) => {
    const r = await named(
      trainer.trainModelBatch,
      `Train v${version.version}: series ${cursorText(range.after, 'from the first')} ${cursorText(range.through, 'to the last', 'through')}`,
    )({
      versionId: version.versionId,
      championVersionId: version.champion?.id ?? null,
      trainingStart: version.trainingStart,
      holdoutStart: version.holdoutStart,
      asOf: version.asOf,
      after: range.after,
      through: range.through,
      batchSize,
      checkpointEvery: input.checkpointEvery,
      storeIds: input.storeIds,
    });
    countBatch(t, r);
  });
  t.percent = 100;
}

/** A finished batch in the run's progress. */
function countBatch(t: ModelRetrainingState['training'], r: TrainModelBatchResult): void {
  t.batches += 1;
  t.seriesTrained += r.trained + r.resumed;
  t.resumed += r.resumed;
  for (const [family, n] of Object.entries(r.families)) t.families[family] = (t.families[family] ?? 0) + n;
  t.seriesTotal = Math.max(t.seriesTotal, t.seriesTrained);
  t.percent = t.seriesTotal > 0 ? Math.min(100, Math.round((t.seriesTrained / t.seriesTotal) * 1000) / 10) : 100;
}

/** The challenger against the champion on the holdout, and whether that earns a promotion proposal. */
async function evaluate(input: ModelRetrainingInput, run: Run, version: RegisteredModelVersion) {
  const trainer = trainerFor(input);
  const evaluation = await named(
    trainer.evaluateModelVersion,
    `Evaluate v${version.version} against the champion on the holdout`,
  )({
    versionId: version.versionId,
    championVersionId: version.champion?.id ?? null,
    championVersion: version.champion?.version ?? null,
  });
  run.state.evaluation = evaluation;
  await named(
    registry.recordModelEvaluation,
    `Record v${version.version}'s evaluation`,
  )({ versionId: version.versionId, modelName: input.modelName, evaluation });
  const proposal = proposePromotion({ challenger: evaluation.challenger.overall, champion: evaluation.champion.overall }, input.promotion);
  run.state.proposal = proposal;
  return { evaluation, proposal };
}

async function approvePromotion(
  input: ModelRetrainingInput,
  run: Run,
  version: RegisteredModelVersion,
  evaluation: ModelEvaluation,
  proposal: PromotionProposal,
) {
  const ch = evaluation.challenger.overall;
  const cp = evaluation.champion.overall;
  return run.gates.run({
    processType: PROCESS_TYPE,
    path: `/api/v1/model-retrainings/${wf.workflowInfo().workflowId}`,
    subjectType: 'model_version',
    subjectId: version.versionId,
    title: `Promote ${input.modelName} v${version.version} to champion`,
    summaryLines: [
      `Trained on ${version.trainingStart} to ${version.holdoutStart} (${evaluation.seriesCount} store × SKU series), evaluated on ${version.holdoutStart} to ${version.asOf}.`,
      `Challenger v${version.version}: WAPE ${pct(ch.wape)}, bias ${pct(ch.bias)}, MASE ${ch.mase?.toFixed(3) ?? 'n/a'}.`,
      `${evaluation.champion.label}: WAPE ${pct(cp.wape)}, bias ${pct(cp.bias)}, MASE ${cp.mase?.toFixed(3) ?? 'n/a'}.`,
      proposal.reason,
    ],
    levels: [{ label: 'data-science lead', approvers: [{ role: 'data_scientist', scope: {} }] }],
    timeouts: { ...DEFAULT_TIMEOUTS, ...input.timing },
    requestedBy: input.requestedBy,
    details: { version, evaluation, proposal },
  });
}

/** Makes the version the champion, unless the champion changed since it was evaluated. */
async function promote(input: ModelRetrainingInput, run: Run, version: RegisteredModelVersion, approver: string): Promise<ModelRetrainingState> {
  try {
    await named(
      registry.promoteModelVersion,
      `Make v${version.version} the champion of ${input.modelName}`,
    )({
      versionId: version.versionId,
      modelName: input.modelName,
      expectedChampionId: version.champion?.id ?? null,
      actorId: approver,
      workflowId: wf.workflowInfo().workflowId,
    });
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'ChampionChanged') {
      return await finish(run, 'not_promoted', err.cause.message, approver);
    }
    throw err;
  }
  run.state.promotedBy = approver;
  run.state.outcome = `v${version.version} is the champion (approved by ${approver}).`;
  run.setStage('promoted');
  return await run.close();
}

/** Ends the run at `stage`, its outcome written to the version's registry entry. */
async function finish(run: Run, stage: RetrainingStage, note: string, actorId?: string): Promise<ModelRetrainingState> {
  run.state.outcome = note;
  run.setStage(stage);
  const version = run.state.version;
  if (version)
    await named(
      registry.recordModelOutcome,
      `Record v${version.version} as ${stage.replace(/_/g, ' ')}`,
    )({ versionId: version.versionId, status: stage, note, actorId, workflowId: wf.workflowInfo().workflowId });
  return await run.close();
}

/**
 * The fingerprint is one long query that heartbeats while it runs: a worker that dies under it is
 * noticed within the training's heartbeat timeout, not at the two-minute start-to-close.
 */
function fingerprinterFor(input: ModelRetrainingInput) {
  return wf.proxyActivities<ReturnType<typeof registryActivities.createModelRegistryActivities>>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 120_000,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20, nonRetryableErrorTypes: ['ModelRegistryInvalidInput'] },
  });
}

/** "after S001/SKU-1" for a range's bound; `open` when there is none. */
function cursorText(c: { storeId: string; sku: string } | null | undefined, open: string, word = 'after'): string {
  return c ? `${word} ${c.storeId}/${c.sku}` : open;
}

const batchSizeOf = (input: ModelRetrainingInput) => input.batchSize ?? 2_000;

/** Training heartbeats per checkpoint; a dead worker is noticed within the heartbeat timeout. */
function trainerFor(input: ModelRetrainingInput) {
  return wf.proxyActivities<ReturnType<typeof trainingActivities.createModelTrainingActivities>>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 120_000,
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['ModelTrainingInvalidInput'] },
  });
}
