import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { requireTemporalBinary } from '../../scripts/temporal-dev';
import { testEnv } from '../../scripts/kit/env';

export const HISTORIES_DIR = join(__dirname, '..', 'replay', 'histories');

/**
 * Saves the event histories of finished runs as JSON (the format `temporal workflow show --output json` writes):
 * the latest run of the workflow ID, or the run named by `runId` (one run of a chain continued as new).
 */
export async function recordHistories(runs: { name: string; workflowId: string; runId?: string }[]): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const env = testEnv();
  const temporal = requireTemporalBinary();
  for (const run of runs) {
    const which = run.runId ? ['--run-id', run.runId] : [];
    const json = execFileSync(
      temporal,
      ['workflow', 'show', '--workflow-id', run.workflowId, ...which, '--output', 'json', '--address', env.temporalAddress, '--namespace', env.namespace],
      { encoding: 'utf8' },
    );
    writeFileSync(join(HISTORIES_DIR, `${run.name}.json`), json.trim() + '\n');
  }
}

export function loadRecordedHistories(prefix: string) {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8'))) }));
}
