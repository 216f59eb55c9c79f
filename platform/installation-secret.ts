/**
 * Secrets an installation keeps for itself: the unsubscribe-link secret when the operator
 * configured none, the key of list page tokens.
 *
 * The worker signs unsubscribe links and the API verifies them, perhaps on different machines, so
 * the secret lives where both look: Postgres. It is generated once (32 random bytes) by whichever
 * instance starts first; every instance inserts its own candidate if none is there and then reads
 * what is there, so two instances starting at once end up with the same one.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from './config';
import type { Db } from './db';

export const UNSUBSCRIBE_SECRET_NAME = 'unsubscribe-token';

/** This installation's secret called `name`: created on first use, the same for every caller afterwards. */
export async function installationSecret(db: Db, name: string): Promise<string> {
  await db.installationSecret.createMany({ data: [{ name, value: randomBytes(32).toString('base64url') }], skipDuplicates: true });
  const row = await db.installationSecret.findUniqueOrThrow({ where: { name }, select: { value: true } });
  return row.value;
}

export interface ResolvedSecrets {
  secrets: readonly string[];
  source: 'configured' | 'installation';
}

/**
 * The secrets that sign (first) and verify (any) unsubscribe links: UNSUBSCRIBE_SECRETS when set,
 * else the installation's own. Production never gets here without UNSUBSCRIBE_SECRETS (loadConfig
 * refuses it); this checks again so no other entry point can slip past.
 */
export async function resolveUnsubscribeSecrets(config: Pick<Config, 'NODE_ENV' | 'UNSUBSCRIBE_SECRETS'>, db: Db): Promise<ResolvedSecrets> {
  if (config.UNSUBSCRIBE_SECRETS?.length) return { secrets: config.UNSUBSCRIBE_SECRETS, source: 'configured' };
  if (config.NODE_ENV === 'production') throw new Error('UNSUBSCRIBE_SECRETS is required in production.');
  return { secrets: [await installationSecret(db, UNSUBSCRIBE_SECRET_NAME)], source: 'installation' };
}
