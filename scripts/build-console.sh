#!/usr/bin/env bash
# Builds the manager console (console/) into console/dist, which the API serves at /console:
#   1. the API's OpenAPI document, written from the app's own zod schemas (console/generated/openapi.json);
#   2. the typed client's types generated from it (openapi-typescript -> console/src/generated/api.ts);
#   3. the console type-checked against them (tsc -p console), so an API change the console does
#      not follow fails the build instead of the browser;
#   4. vite build.
# Everything it writes is ignored by git. `npm start` and `npm test` call it through
# ensure_console_built (scripts/lib.sh) when the build is missing or older than its sources.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t=$(date +%s)
node --import tsx scripts/write-openapi.ts console/generated/openapi.json
node_modules/.bin/openapi-typescript console/generated/openapi.json -o console/src/generated/api.ts --silent >&2
node_modules/.bin/tsc --noEmit -p console/tsconfig.json >&2 || die "the console does not type-check against the API's OpenAPI document (see above)"
node_modules/.bin/vite build --config console/vite.config.ts --logLevel warn >&2
info "console built into console/dist ($(elapsed_since "$t")s)"
