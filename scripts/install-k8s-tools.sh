#!/usr/bin/env bash
# Installs what tests/deploy needs to check the Helm chart, into .tools/k8s (ignored by git):
#   - Helm v4:      GOBIN=... go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION
#   - kubeconform:  GOBIN=... go install github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION
#   - the Kubernetes JSON schemas kubeconform validates against, written by scripts/k8s-schemas.ts
#     from the OpenAPI document inside the k8s.io/kubernetes module (api/openapi-spec/swagger.json)
#     and the ServiceMonitor CRD inside prometheus-operator's module: both come through the Go
#     module proxy, as the machines reach no schema download site.
# and writes .tools/k8s/tools.json (the paths the tests read). Each piece is kept once built:
# a second run prints nothing. Cold, the Helm build takes about six minutes on two cores; the
# rest under half a minute. Needs Go (1.24 or newer).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HELM_VERSION="v4.3.2"
KUBECONFORM_VERSION="v0.7.0"
# The Kubernetes release whose API the chart is checked against, and prometheus-operator's
# (its later versions are not served by the module proxy).
KUBERNETES_VERSION="v1.36.3"
PROMETHEUS_OPERATOR_VERSION="v0.85.0"

DIR="$REPO_ROOT/.tools/k8s"
HELM="$DIR/helm-$HELM_VERSION/helm"
KUBECONFORM="$DIR/kubeconform-$KUBECONFORM_VERSION/kubeconform"
converter_hash=$(sha256sum "$REPO_ROOT/scripts/k8s-schemas.ts" | cut -c1-12)
SCHEMAS="$DIR/schemas-$KUBERNETES_VERSION-po-$PROMETHEUS_OPERATOR_VERSION-$converter_hash"
MANIFEST="$DIR/tools.json"

write_manifest() {
  local want
  want=$(printf '{\n  "helm": "%s",\n  "kubeconform": "%s",\n  "schemaLocation": "%s/{{ .ResourceKind }}{{ .KindSuffix }}.json",\n  "kubernetesVersion": "%s"\n}\n' \
    "$HELM" "$KUBECONFORM" "$SCHEMAS" "${KUBERNETES_VERSION#v}")
  [ -f "$MANIFEST" ] && [ "$(cat "$MANIFEST")" = "$want" ] && return 0
  printf '%s' "$want" >"$MANIFEST"
}

complete() { [ -x "$HELM" ] && [ -x "$KUBECONFORM" ] && [ -f "$SCHEMAS/.complete" ]; }

if complete; then
  write_manifest
  exit 0
fi

have go || die "tests/deploy needs Helm and kubeconform, built with Go (1.24 or newer), which is not installed:
  install it from https://go.dev/dl/ and run this again (scripts/install-k8s-tools.sh)."

mkdir -p "$DIR" "$REPO_ROOT/.data/logs"
LOG="$REPO_ROOT/.data/logs/k8s-tools-install.log"

if have flock; then
  exec 9>"$DIR/.install.lock"
  if ! flock -n 9; then
    step "Another process is installing Helm and kubeconform; waiting for it"
    flock 9
  fi
  if complete; then
    write_manifest
    exit 0
  fi
fi

START=$(date +%s)
: >"$LOG"
# Outside any module (the repository is none), so `go` takes the module proxy's versions as named.
cd "$DIR"

# go_run LABEL CMD...: runs CMD with its output in the log, a line every 30 s while it lasts.
go_run() {
  local label=$1 t pid rc=0
  shift
  t=$(date +%s)
  echo "\$ $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && info "... $label: $(elapsed_since "$t")s"
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "---- last lines of ${LOG#"$REPO_ROOT"/} ----" >&2
    tail -n 20 "$LOG" >&2 || true
    die "$label failed (exit $rc)"
  fi
}

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
if [ ! -x "$HELM" ]; then
  step "Building Helm $HELM_VERSION for tests/deploy (about six minutes the first time; log: ${LOG#"$REPO_ROOT"/})"
  go_run "building Helm" env GOBIN="$(dirname "$HELM")" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
fi
if [ ! -x "$KUBECONFORM" ]; then
  step "Building kubeconform $KUBECONFORM_VERSION for tests/deploy"
  go_run "building kubeconform" env GOBIN="$(dirname "$KUBECONFORM")" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi

if [ ! -f "$SCHEMAS/.complete" ]; then
  step "Writing the Kubernetes $KUBERNETES_VERSION JSON schemas for kubeconform"
  module_dir() {
    go mod download -json "$1" 2>>"$LOG" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}console.log(m.Dir)})'
  }
  kubernetes_dir=$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION") || die "could not download k8s.io/kubernetes@$KUBERNETES_VERSION (see ${LOG#"$REPO_ROOT"/})"
  operator_dir=$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION") ||
    die "could not download prometheus-operator@$PROMETHEUS_OPERATOR_VERSION (see ${LOG#"$REPO_ROOT"/})"
  rm -rf "$SCHEMAS.tmp"
  (cd "$REPO_ROOT" && node --import tsx scripts/k8s-schemas.ts "$SCHEMAS.tmp" \
    "$kubernetes_dir/api/openapi-spec/swagger.json" \
    "$operator_dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml") >>"$LOG" 2>&1 ||
    die "writing the schemas failed (see ${LOG#"$REPO_ROOT"/})"
  touch "$SCHEMAS.tmp/.complete"
  rm -rf "$SCHEMAS"
  mv "$SCHEMAS.tmp" "$SCHEMAS"
  # Schemas of an older converter or release are of no further use.
  find "$DIR" -maxdepth 1 -name 'schemas-*' ! -path "$SCHEMAS" -exec rm -rf {} + 2>/dev/null || true
fi

write_manifest
info "Helm, kubeconform and the Kubernetes schemas ready in ${DIR#"$REPO_ROOT"/} ($(elapsed_since "$START")s)"
