#!/usr/bin/env bash
# Set up a clone for the tests and the review tools; safe to run again. The README's set-up command,
# and the first step of .ci/run. Each step is one block, announced with what it installs and how big
# it is; a failed step says which one and the way out.
#   bash scripts/setup.sh             everything the README's test command needs
#   bash scripts/setup.sh --program   the program only (.venv and the verified chart): what `pulumi preview`,
#                                     `pulumi up` and the offline render need (the preview and deploy workflows)
set -euo pipefail
cd "$(dirname "$0")/.."

program_only=false
case "${1:-}" in
  "") ;;
  --program) program_only=true ;;
  *) echo "setup: unknown option $1 (use --program for the program only)" >&2; exit 2 ;;
esac
steps=7
$program_only && steps=2
current=0
current_name=""
way_out=""

# step NAME WHAT WAY-OUT: announce the next step; WAY-OUT is printed if it fails.
step() {
  current=$((current + 1))
  current_name="$1"
  way_out="$3"
  echo "setup: [$current/$steps] $1: $2"
}
trap 'echo "setup: step [$current/$steps] $current_name failed. $way_out" >&2' ERR

# apt_install PACKAGE: from Debian, as root; otherwise say the command. Call it as `apt_install x || false`, so
# that its failure fails the step where the trap reports it.
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: $1 is missing and this is not root: run 'sudo apt-get install -y $1', then this again" >&2
    return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

step "program" "the program and its test and review tools in .venv, from requirements-dev.lock (about 750 MB)" \
  "pip needs PyPI; check the network or a proxy (PIP_INDEX_URL), then run 'bash scripts/setup.sh' again."
python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.lock

# Where a copy is already on disk at $CHART_COPIES/<ref> (default: ../shared/charts/litellm-helm, next
# to the clone) it is used instead of the git fetch: machines without network access to GitHub.
chart_copies="${CHART_COPIES:-../shared/charts/litellm-helm}"
step "chart" "the litellm-helm chart at every ref a stack pins, into vendor/charts, verified against scripts/chart-sums (under 1 MB)" \
  "Without access to github.com, put a copy of the chart at that ref in \$CHART_COPIES/<ref> (default ../shared/charts/litellm-helm/<ref>) and run this again, or run 'scripts/fetch-chart.sh --from <folder> <ref>'; the copy is checked against the committed sums either way."
for stack_file in Pulumi.*.yaml; do
  stack="${stack_file#Pulumi.}"
  .venv/bin/python -m scripts.chart_source "${stack%.yaml}"
done | sort -u | while read -r ref repo path; do
  if [[ -d "$chart_copies/$ref" ]]; then
    scripts/fetch-chart.sh --from "$chart_copies/$ref" "$ref" "$repo" "$path"
  else
    scripts/fetch-chart.sh "$ref" "$repo" "$path"
  fi
done

if $program_only; then
  echo "setup: done (program only)"
  exit 0
fi

# PostgreSQL from Debian: tests/test_migration_check.py starts its own server on a loopback port to
# prove the migration check against a real database.
step "postgresql" "Debian's PostgreSQL server, when missing (about 60 MB; the tests start their own on loopback)" \
  "Install it (sudo apt-get install -y postgresql) and run this again."
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ! command -v psql >/dev/null; then
  apt_install postgresql || false
fi

# The runtime tier (tests/runtime): the real LiteLLM 1.76.1 proxy in its own venv, from its own lock
# (complete, so no resolver run: --no-deps).
step "runtime" "the real LiteLLM proxy in .venv-runtime, from requirements-runtime.lock (about 410 MB)" \
  "pip needs PyPI; check the network, then run 'bash scripts/setup.sh' again."
python3 -m venv .venv-runtime
.venv-runtime/bin/pip install -q --no-deps -r requirements-runtime.lock

step "redis" "Debian's redis-server, when missing (about 5 MB; the runtime tier starts its own on loopback)" \
  "Install it (sudo apt-get install -y redis-server) and run this again."
command -v redis-server >/dev/null || apt_install redis-server || false

# The engine tier (tests/engine, docs/engine-tier.md): etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl and kwok built from engine/go.mod's pins with the Go toolchain, once, into
# a cache keyed by those pins (scripts/engine-build.sh --dir); a progress line per binary.
step "engine" "a Kubernetes control plane with simulated nodes, built from engine/go.mod (once: about 12 minutes on 2 cores, 440 MB of binaries and 5 GB of Go caches; then cached)" \
  "See the message above; scripts/engine-build.sh builds the rest when run again."
scripts/engine-build.sh

# Prometheus' promtool, for tests/test_alert_rules.py (`promtool test rules` on the program's alerts): built
# from its Go module at the version tools/promtool pins (go.mod, go.sum), once per machine, into a cache
# folder keyed by those pins.
step "promtool" "Prometheus' promtool, built from tools/promtool/go.mod (once: about 10 minutes on 2 cores, 120 MB; then cached)" \
  "It needs Go (https://go.dev/dl/) and the Go module proxy; run 'bash scripts/setup.sh' again."
promtool_key="$(cat tools/promtool/go.mod tools/promtool/go.sum | sha256sum | cut -c1-16)"
promtool_dir="${XDG_CACHE_HOME:-$HOME/.cache}/litellm-pulumi/promtool/$promtool_key"
if [[ ! -x "$promtool_dir/promtool" ]]; then
  command -v go >/dev/null || { echo "setup: no Go toolchain on PATH" >&2; false; }
  mkdir -p "$promtool_dir"
  nice go -C tools/promtool build -buildvcs=false -trimpath -o "$promtool_dir/promtool.partial" \
    github.com/prometheus/prometheus/cmd/promtool
  mv "$promtool_dir/promtool.partial" "$promtool_dir/promtool"
fi
echo "setup: done"
