#!/usr/bin/env bash
# `npm test [-- jest args]`: installs what is missing (node modules, Prisma client, Temporal CLI),
# type-checks the project, then runs jest. Tests bring up their own Temporal dev server
# (127.0.0.1:7299) and database (retail_ops_test), so they never touch a running `npm start`.
#   npm test -- tests/unit            only some tests
#   SKIP_TYPECHECK=1 npm test -- ...  skip `tsc --noEmit` (quicker iteration); SKIP_LINT=1 skips eslint and prettier
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

lint_status=0
if [ "${SKIP_LINT:-}" != "1" ]; then
  step "Linting (eslint) and checking the format (prettier --check)"
  t=$(date +%s)
  if node_modules/.bin/eslint . && node_modules/.bin/prettier --check --log-level warn .; then
    info "lint and format OK ($(elapsed_since "$t")s)"
  else
    lint_status=1
    warn "lint or format problems (npm run lint / npm run format); running the tests anyway"
  fi
fi

step "Running tests (jest $*)"
jest_status=0
node_modules/.bin/jest "$@" || jest_status=$?

if [ "$tsc_status" -ne 0 ] || [ "$lint_status" -ne 0 ] || [ "$jest_status" -ne 0 ]; then
  printf '%sFAILED:%s typecheck exit %s, lint/format exit %s, jest exit %s\n' "$_C_RED" "$_C_OFF" "$tsc_status" "$lint_status" "$jest_status" >&2
  [ "$jest_status" -ne 0 ] && exit "$jest_status"
  [ "$tsc_status" -ne 0 ] && exit "$tsc_status"
  exit "$lint_status"
fi
