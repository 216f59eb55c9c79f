/**
 * The API a benchmark drives: the real Express app on an ephemeral port of 127.0.0.1, with the
 * harness's client and task queue and a database pool of its own. The per-key rate limiter stays
 * in the path, with room for a benchmark's reads (one key reads thousands a minute).
 */
import type { Server } from 'node:http';
import type { Harness } from './harness';
import type { Db } from '../../platform/db';

export async function serveBenchApi(h: Harness, db: Db): Promise<Server> {
  const [{ createApp }, { createLogger }] = await Promise.all([import('../../api/app'), import('../../platform/logger')]);
  const app = createApp({
    db,
    client: h.client,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    unsubscribeSecrets: h.unsubscribeSecrets,
    rateLimitPerMinute: 1_000_000,
  });
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}
