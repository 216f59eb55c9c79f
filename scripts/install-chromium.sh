#!/usr/bin/env bash
# Prints the path of a Chromium the browser tests drive (playwright-core, tests/browser/) on stdout;
# progress and errors go to stderr. Uses `chromium` (or `chromium-browser`) on PATH, CHROMIUM_PATH
# when set, and otherwise installs Debian's `chromium` package with apt-get (root, or sudo).
# playwright-core downloads no browser of its own: the distribution's package is the one tested.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not executable"
  printf '%s\n' "$CHROMIUM_PATH"
  exit 0
fi
for name in chromium chromium-browser; do
  if have "$name"; then
    command -v "$name"
    exit 0
  fi
done

have apt-get || die "Chromium is needed for the browser tests and is not installed; install your distribution's chromium package (or set CHROMIUM_PATH)."
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  have sudo || die "Chromium is needed for the browser tests: run \`apt-get install -y chromium\` as root (or set CHROMIUM_PATH)."
  SUDO=(sudo -n)
fi

mkdir -p "$REPO_ROOT/.data/logs"
LOG="$REPO_ROOT/.data/logs/chromium-install.log"
step "Installing Chromium for the browser tests (apt-get install chromium; log ${LOG#"$REPO_ROOT"/})"
START=$(date +%s)
{
  "${SUDO[@]}" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium
} >"$LOG" 2>&1 || die "apt-get install chromium failed; last lines of ${LOG#"$REPO_ROOT"/}:
$(tail -n 15 "$LOG")"
have chromium || die "apt-get installed chromium but no \`chromium\` is on PATH"
info "Chromium installed in $(elapsed_since "$START")s: $(chromium --version 2>/dev/null | head -n1)"
command -v chromium
