#!/usr/bin/env bash
# Generates the Prisma client into generated/prisma. `prisma generate` does not use the schema
# engine, but the CLI insists on one being present; any executable satisfies it where the engine
# cannot be downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  export PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
fi
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
npx --no-install prisma generate >/dev/null
echo "prisma client generated in generated/prisma"
