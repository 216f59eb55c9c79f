import 'dotenv/config';
import { createLogger } from '../platform/logger';
import { createSimulatorApp } from './app';

/**
 * `npm run simulator`: the external-systems simulator on 127.0.0.1:$SIMULATOR_PORT (default 4010).
 * SIMULATOR_CALLBACK_BASE_URL is where supplier events go (default the local API on $PORT or 3000),
 * sent with Authorization: Bearer $SIMULATOR_CALLBACK_API_KEY (default the demo system key).
 * SIMULATOR_AUTO_ACK_MS / SIMULATOR_AUTO_RECEIVE_MS turn on automatic acknowledgments and receipts.
 */

/** An integer in [min, max] from the environment; `fallback` when unset or empty. */
function integerEnv(name: string, fallback: string | undefined, min: number, max: number, what: string, errors: string[]): number | undefined {
  const raw = process.env[name] || fallback;
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  errors.push(`${name}: must be ${what} (got ${JSON.stringify(raw)})`);
  return undefined;
}

function main() {
  const errors: string[] = [];
  const port = integerEnv('SIMULATOR_PORT', '4010', 1, 65535, 'a port number', errors);
  const delay = 'a delay in milliseconds (0 to 86400000)';
  const autoAcknowledgeAfterMs = integerEnv('SIMULATOR_AUTO_ACK_MS', undefined, 0, 86_400_000, delay, errors);
  const autoReceiveAfterMs = integerEnv('SIMULATOR_AUTO_RECEIVE_MS', undefined, 0, 86_400_000, delay, errors);
  if (errors.length > 0 || port === undefined) {
    console.error(`Invalid configuration:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    process.exit(1);
  }
  const host = process.env.SIMULATOR_HOST || '127.0.0.1';
  const logger = createLogger(process.env.LOG_LEVEL || 'info', 'retail-ops-simulator');
  const callbackBaseUrl = process.env.SIMULATOR_CALLBACK_BASE_URL || `http://127.0.0.1:${process.env.PORT || 3000}`;
  const callbackApiKey = process.env.SIMULATOR_CALLBACK_API_KEY || 'demo-key-pos-gateway';
  const app = createSimulatorApp({ callbackBaseUrl, callbackApiKey, autoAcknowledgeAfterMs, autoReceiveAfterMs, logger });
  const server = app.listen(port, host, (err?: Error) => {
    if (err) {
      logger.error({ err }, 'simulator failed to listen');
      process.exit(1);
    }
    logger.info({ url: `http://${host}:${port}`, callbackBaseUrl, autoAcknowledgeAfterMs, autoReceiveAfterMs }, 'simulator listening');
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'simulator shutting down');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main();
