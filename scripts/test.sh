#!/usr/bin/env bash
# `npm test [-- jest args]`: installs what is missing (node modules, Prisma client, Temporal CLI),
# type-checks the project, then runs jest. Tests bring up their own Temporal dev server
# (127.0.0.1:7299) and database (retail_ops_test), so they never touch a running `npm start`.
#   npm test -- tests/unit            only some tests
#   SKIP_TYPECHECK=1 npm test -- ...  skip `tsc --noEmit` (quicker iteration)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_installed

tsc_status=0
if [ "${SKIP_TYPECHECK:-}" != "1" ]; then
  step "Type-checking (tsc --noEmit -p .)"
  t=$(date +%s)
  if node_modules/.bin/tsc --noEmit -p .; then
    info "types OK ($(elapsed_since "$t")s)"
  else
    tsc_status=$?
    warn "type errors (tsc exit $tsc_status); running the tests anyway"
  fi
fi

step "Running tests (jest $*)"
jest_status=0
node_modules/.bin/jest "$@" || jest_status=$?

if [ "$tsc_status" -ne 0 ] || [ "$jest_status" -ne 0 ]; then
  printf '%sFAILED:%s typecheck exit %s, jest exit %s\n' "$_C_RED" "$_C_OFF" "$tsc_status" "$jest_status" >&2
  [ "$jest_status" -ne 0 ] && exit "$jest_status"
  exit "$tsc_status"
fi
