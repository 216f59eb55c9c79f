# Shared helpers for the bash scripts (start.sh, test.sh, install-temporal.sh, .ci/run).
# Source it: `. "$(dirname "$0")/lib.sh"`. It sets REPO_ROOT and cds there.
# Every message goes to stderr so scripts can print results (a path, ...) on stdout.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1

TEMPORAL_CLI_VERSION="v1.5.1"
TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
  _C_BOLD=$'\033[1m'; _C_DIM=$'\033[2m'; _C_RED=$'\033[31m'; _C_YEL=$'\033[33m'; _C_GRN=$'\033[32m'; _C_OFF=$'\033[0m'
else
  _C_BOLD=''; _C_DIM=''; _C_RED=''; _C_YEL=''; _C_GRN=''; _C_OFF=''
fi

step() { printf '%s==>%s %s%s%s\n' "$_C_GRN" "$_C_OFF" "$_C_BOLD" "$*" "$_C_OFF" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$_C_YEL" "$_C_OFF" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$_C_RED" "$_C_OFF" "$*" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }

# is_newer A B: true when file A exists and is newer than B, or B does not exist.
is_newer() { [ ! -e "$2" ] || { [ -e "$1" ] && [ "$1" -nt "$2" ]; }; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

# Node modules: installed when node_modules is missing or older than the lockfile.
# npm writes node_modules/.package-lock.json on every install; its mtime is the install time.
ensure_node_modules() {
  have node || die "node is not installed (Node 20.19+ is required)"
  have npm || die "npm is not installed"
  local marker=node_modules/.package-lock.json
  if [ -d node_modules ] && [ -e "$marker" ] && { [ ! -e package-lock.json ] || [ ! package-lock.json -nt "$marker" ]; }; then
    return 0
  fi
  # Not `npm ci`: npm 11 records only this platform's optional native packages (@swc/core-*,
  # @unrs/resolver-binding-*) in the lockfile and then refuses its own lockfile (npm/cli#8805).
  # `npm install` installs the locked versions just the same.
  step "Installing node modules (npm install)"
  npm install --no-audit --no-fund || die "npm install failed"
  touch "$marker" 2>/dev/null || true
}

# Prisma client: generated when generated/prisma is missing or older than the schema.
ensure_prisma_client() {
  local out=generated/prisma/client.ts
  if [ -e "$out" ] && [ ! prisma/schema.prisma -nt "$out" ]; then
    return 0
  fi
  step "Generating the Prisma client"
  bash scripts/prisma-generate.sh >&2 || die "prisma generate failed"
  touch "$out" 2>/dev/null || true
}

# Prints the path of a usable temporal binary, installing it when needed.
ensure_temporal_cli() {
  local bin
  bin="$(bash "$REPO_ROOT/scripts/install-temporal.sh")" || die "could not install the Temporal CLI"
  [ -x "$bin" ] || die "install-temporal.sh printed '$bin', which is not executable"
  printf '%s\n' "$bin"
}

# Elapsed seconds since the given epoch second.
elapsed_since() { echo $(( $(date +%s) - $1 )); }

# The manager console (console/ -> console/dist, served by the API at /console): built when the
# build is missing or older than any of its sources, or than the API code its typed client is
# generated from (the OpenAPI document), or than the lockfile.
ensure_console_built() {
  local out=console/dist/index.html
  if [ -e "$out" ] && [ -z "$(find console api domain package-lock.json -newer "$out" -type f \
      \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' -o -name '*.json' \) \
      -not -path 'console/dist/*' -not -path 'console/generated/*' -not -path 'console/src/generated/*' -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  step "Building the manager console (console/ -> console/dist)"
  bash scripts/build-console.sh || die "the console build failed"
}

# Prints the path of the Chromium the browser tests drive, installing Debian's package when missing.
ensure_chromium() {
  local bin
  bin="$(bash "$REPO_ROOT/scripts/install-chromium.sh")" || die "could not install Chromium for the browser tests"
  printf '%s\n' "$bin"
}

# Helm, kubeconform and the Kubernetes schemas tests/deploy checks the chart with (.tools/k8s).
ensure_k8s_tools() {
  bash "$REPO_ROOT/scripts/install-k8s-tools.sh" || die "could not install Helm and kubeconform for tests/deploy"
}

# Everything npm start, npm test and CI need installed; sets and exports TEMPORAL_BIN and, unless
# RETAIL_OPS_NO_BROWSER=1 (npm start: the console needs no browser on the server), CHROMIUM_PATH
# and the chart's test tools (npm start runs no tests).
ensure_installed() {
  ensure_node_modules
  ensure_prisma_client
  TEMPORAL_BIN="$(ensure_temporal_cli)" || return 1
  export TEMPORAL_BIN
  ensure_console_built
  if [ "${RETAIL_OPS_NO_BROWSER:-}" != "1" ]; then
    CHROMIUM_PATH="$(ensure_chromium)" || return 1
    export CHROMIUM_PATH
    ensure_k8s_tools
  fi
}
