/**
 * Writes the API's OpenAPI document (built from the same zod schemas that validate requests) to
 * the path given: the console's typed client is generated from it (scripts/build-console.sh).
 *   node --import tsx scripts/write-openapi.ts console/generated/openapi.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PROCESSES } from '../api/app';
import { buildOpenApiDocument } from '../api/openapi';

const out = process.argv[2];
if (!out) {
  console.error('usage: write-openapi.ts <output.json>');
  process.exit(2);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(PROCESSES), null, 2)}\n`);
// The API modules open nothing at import time, but Temporal's native runtime may keep the loop alive.
process.exit(0);
