#!/usr/bin/env bash
# `npm start`: brings the whole system up in the foreground (Temporal dev server + UI, MailDev,
# database migrated and seeded, worker, API) and prints its URLs; Ctrl-C stops what it started.
# This wrapper installs what is missing (works on a fresh clone with no node_modules), then hands
# over to scripts/start.ts for the process management.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RETAIL_OPS_NO_BROWSER=1 ensure_installed
mkdir -p .data/logs

exec node --enable-source-maps --import tsx scripts/start.ts "$@"
