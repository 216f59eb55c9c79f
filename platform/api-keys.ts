import { createHash } from 'node:crypto';

/** API keys are stored only as SHA-256 hex digests. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
