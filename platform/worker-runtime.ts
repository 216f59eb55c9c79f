/**
 * The Temporal Runtime of a worker process, installed once before anything touches Temporal:
 * - the SDK's logs (its own, Core's, and every workflow `log` / activity `log` call with its
 *   workflowId, runId, activityType and attempt) go to the process's pino logger as JSON lines;
 * - with WORKER_METRICS_PORT set, the SDK's Prometheus exporter serves /metrics on it: the SDK's
 *   runtime metrics (`temporal_` prefix) and the business counters of platform/metrics.ts.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Config } from './config';
import type { Logger } from './logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/** The SDK's Logger on top of pino: the message as `msg`, the SDK's metadata as fields (an `error` as pino's `err`, no task token). */
export function pinoSdkLogger(log: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const fields: Record<string, unknown> = {};
    // Symbol keys (the SDK's own timestamp) are not fields; an activity's task token completes it, so it stays out.
    for (const [k, v] of Object.entries(meta ?? {})) if (k !== 'taskToken') fields[k === 'error' && v instanceof Error ? 'err' : k] = v;
    log[PINO_LEVEL[level]](fields, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** Core's (Rust) log filter for a pino level: WARN unless debugging, so its INFO chatter stays out. */
function coreLevel(level: string): LogLevel {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  if (level === 'error' || level === 'fatal' || level === 'silent') return 'ERROR';
  return 'WARN';
}

export interface WorkerRuntime {
  /** host:port of the Prometheus endpoint (`/metrics`), or undefined when off. */
  metricsAddress?: string;
}

export function installWorkerRuntime(
  config: Pick<Config, 'LOG_LEVEL' | 'WORKER_METRICS_PORT' | 'WORKER_METRICS_HOST'>,
  log: Logger,
  opts: { shutdownSignals?: NodeJS.Signals[] } = {},
): WorkerRuntime {
  const metricsAddress = config.WORKER_METRICS_PORT ? `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}` : undefined;
  Runtime.install({
    logger: pinoSdkLogger(log.child({ source: 'temporal' })),
    ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: coreLevel(config.LOG_LEVEL), other: 'ERROR' } },
      ...(metricsAddress
        ? {
            metrics: {
              metricPrefix: 'temporal_',
              // Prometheus conventions: counters end in _total, durations in seconds named so.
              prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
            },
          }
        : {}),
    },
  });
  if (metricsAddress) log.info({ metrics: `http://${metricsAddress}/metrics` }, 'worker metrics endpoint');
  return { metricsAddress };
}
