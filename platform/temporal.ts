import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Tracer } from '@opentelemetry/api';
import type { Config } from './config';
import { workflowClientInterceptors } from './request-context';

type TemporalSettings = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

/** Local dev server, a self-hosted cluster with mTLS, or Temporal Cloud with an API key: all from settings. */
export function temporalConnectionOptions(cfg: TemporalSettings): ConnectionOptions & NativeConnectionOptions {
  const useTls = cfg.TEMPORAL_TLS || !!cfg.TEMPORAL_API_KEY || !!cfg.TEMPORAL_TLS_CERT_PATH;
  const tls = useTls
    ? {
        serverNameOverride: cfg.TEMPORAL_TLS_SERVER_NAME,
        clientCertPair:
          cfg.TEMPORAL_TLS_CERT_PATH && cfg.TEMPORAL_TLS_KEY_PATH
            ? { crt: readFileSync(cfg.TEMPORAL_TLS_CERT_PATH), key: readFileSync(cfg.TEMPORAL_TLS_KEY_PATH) }
            : undefined,
      }
    : undefined;
  return { address: cfg.TEMPORAL_ADDRESS, tls, apiKey: cfg.TEMPORAL_API_KEY };
}

/** A client whose calls join the caller's trace and carry the API request id being served (platform/request-context.ts). */
export async function createTemporalClient(cfg: TemporalSettings & Pick<Config, 'TEMPORAL_NAMESPACE'>, tracer?: Tracer): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(cfg));
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE, interceptors: { workflow: workflowClientInterceptors(tracer) } });
}

export async function createWorkerConnection(cfg: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(cfg));
}
