#!/usr/bin/env bash
# Prints the path of a usable Temporal CLI on stdout (progress and errors go to stderr):
#   1. `temporal` on PATH, if present;
#   2. <repo>/.tools/temporal, if already built;
#   3. otherwise builds it: GOBIN=<repo>/.tools go install github.com/temporalio/cli/cmd/temporal@v1.5.1
#      (later tags carry a `replace` directive and cannot be `go install`ed). The build takes a few
#      minutes cold; progress is shown while it runs and the full log kept in .data/logs/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -z "${TEMPORAL_CLI_IGNORE_PATH:-}" ] && have temporal; then
  command -v temporal
  exit 0
fi

TOOLS_DIR="$REPO_ROOT/.tools"
BIN="$TOOLS_DIR/temporal"
if [ -x "$BIN" ]; then
  printf '%s\n' "$BIN"
  exit 0
fi

if ! have go; then
  die "the Temporal CLI is needed and neither \`temporal\` is on PATH nor .tools/temporal exists.
  Building it needs Go (1.23 or newer): install it from https://go.dev/dl/ and run this again,
  or put a \`temporal\` binary on PATH. The build is:
    GOBIN=$TOOLS_DIR go install $TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION"
fi

mkdir -p "$TOOLS_DIR" "$REPO_ROOT/.data/logs"
LOG="$REPO_ROOT/.data/logs/temporal-cli-install.log"

# One build at a time (npm start and npm test may both get here on a fresh clone).
if have flock; then
  exec 9>"$TOOLS_DIR/.install.lock"
  if ! flock -n 9; then
    step "Another process is building the Temporal CLI; waiting for it"
    flock 9
  fi
  if [ -x "$BIN" ]; then
    printf '%s\n' "$BIN"
    exit 0
  fi
fi

step "Building the Temporal CLI $TEMPORAL_CLI_VERSION with $(go version | awk '{print $3}') (a few minutes the first time)"
info "GOBIN=$TOOLS_DIR go install $TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION"
info "full build log: ${LOG#"$REPO_ROOT"/}"

START=$(date +%s)
interactive=0
[ -t 2 ] && interactive=1
spin='|/-\'
lines=0 compiled=0 downloads=0 phase="resolving modules" tick=0 last_report=$START

report() {
  local secs; secs=$(elapsed_since "$START")
  local msg
  msg=$(printf '%s: %d modules fetched, %d packages compiled, %d steps, %ds elapsed' \
    "$phase" "$downloads" "$compiled" "$lines" "$secs")
  if [ "$interactive" = 1 ]; then
    tick=$(( (tick + 1) % 4 ))
    printf '\r\033[K    %s %s' "${spin:$tick:1}" "$msg" >&2
  elif [ $(( $(date +%s) - last_report )) -ge 15 ]; then
    last_report=$(date +%s)
    printf '    ... %s\n' "$msg" >&2
  fi
}

set +e
{
  GOBIN="$TOOLS_DIR" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install -x "$TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION" 2>&1
  echo "__GO_INSTALL_EXIT__ $?"
} | {
  rc=1
  : >"$LOG"
  while :; do
    if IFS= read -r -t 1 line; then
      case "$line" in
        "__GO_INSTALL_EXIT__ "*) rc=${line#__GO_INSTALL_EXIT__ }; continue ;;
      esac
      printf '%s\n' "$line" >>"$LOG"
      lines=$((lines + 1))
      case "$line" in
        "# get "*) phase="downloading modules"; [[ "$line" == *".zip: 200"* ]] && downloads=$((downloads + 1)) ;;
        "WORK="*) phase="building" ;;
        *"/compile "*|*"/compile -"*) phase="compiling"; compiled=$((compiled + 1)) ;;
        *"/link "*|*"/link -"*) phase="linking" ;;
      esac
      # Redraw at most a few times a second: `go install -x` prints thousands of lines.
      (( lines % 25 == 0 )) && report
    else
      status=$?
      if [ "$status" -gt 128 ]; then report; continue; fi
      break
    fi
  done
  [ "$interactive" = 1 ] && printf '\r\033[K' >&2
  exit "$rc"
}
rc=$?
set -e

if [ "$rc" -ne 0 ] || [ ! -x "$BIN" ]; then
  echo "---- last lines of ${LOG#"$REPO_ROOT"/} ----" >&2
  tail -n 30 "$LOG" >&2 || true
  die "building the Temporal CLI failed (exit $rc) after $(elapsed_since "$START")s"
fi
info "built ${BIN#"$REPO_ROOT"/} in $(elapsed_since "$START")s ($("$BIN" --version 2>/dev/null | head -n1))"
printf '%s\n' "$BIN"
