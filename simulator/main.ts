import 'dotenv/config';
import { createLogger } from '../platform/logger';
import { createSimulatorApp } from './app';

/**
 * `npm run simulator`: the external-systems simulator on 127.0.0.1:$SIMULATOR_PORT (default 4010).
 * SIMULATOR_CALLBACK_BASE_URL is where supplier events go (default the local API on $PORT or 3000).
 */
function main() {
  const rawPort = process.env.SIMULATOR_PORT || '4010';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`Invalid configuration:\n  SIMULATOR_PORT: must be a port number (got ${JSON.stringify(rawPort)})`);
    process.exit(1);
  }
  const host = '127.0.0.1';
  const logger = createLogger(process.env.LOG_LEVEL || 'info', 'retail-ops-simulator');
  const callbackBaseUrl = process.env.SIMULATOR_CALLBACK_BASE_URL || `http://127.0.0.1:${process.env.PORT || 3000}`;
  const app = createSimulatorApp({ callbackBaseUrl, logger });
  const server = app.listen(port, host, (err?: Error) => {
    if (err) {
      logger.error({ err }, 'simulator failed to listen');
      process.exit(1);
    }
    logger.info({ url: `http://${host}:${port}`, callbackBaseUrl }, 'simulator listening');
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
