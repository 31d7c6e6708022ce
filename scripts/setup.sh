#!/usr/bin/env bash
# Set up a clone for the tests and the review tools; safe to run again. The README's set-up command,
# and the first step of .ci/run. Each step is one block: add new ones the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

# The program and its test and review tools, at the locked versions.
python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.lock

# The litellm-helm chart at every ref a committed stack pins, verified against scripts/chart-sums/.
# Where a copy is already on disk at $CHART_COPIES/<ref> (default: ../shared/charts/litellm-helm, next
# to the clone) it is used instead of the git fetch: machines without network access to GitHub.
chart_copies="${CHART_COPIES:-../shared/charts/litellm-helm}"
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

# PostgreSQL from Debian: tests/test_migration_check.py starts its own server on a loopback port to
# prove the migration check against a real database. Installed when missing and we may (root).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ! command -v psql >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "setup: install Debian's PostgreSQL server for the tests: sudo apt-get install -y postgresql" >&2
  fi
fi

# The runtime tier (tests/runtime): the real LiteLLM 1.76.1 proxy in its own venv, from its own lock
# (complete, so no resolver run: --no-deps), and a redis-server binary the tests start themselves.
python3 -m venv .venv-runtime
.venv-runtime/bin/pip install -q --no-deps -r requirements-runtime.lock
if ! command -v redis-server >/dev/null; then
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server
  else
    echo "setup: redis-server is missing and this is not root: run 'sudo apt-get install -y redis-server'" >&2
  fi
fi

# The engine tier (tests/engine, docs/engine-tier.md): etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl and kwok built from engine/go.mod's pins with the Go toolchain, once, into
# a cache keyed by those pins (scripts/engine-build.sh --dir); a progress line per binary. The
# first build takes about 12 minutes on 2 cores; later runs find the binaries and skip.
if ! scripts/engine-build.sh; then
  echo "setup: the engine step failed (message above); fix it and run 'bash scripts/setup.sh' again" >&2
  exit 1
fi

# Prometheus' promtool, for tests/test_alert_rules.py (`promtool test rules` on the program's alerts): built
# from its Go module at the version tools/promtool pins (go.mod, go.sum), once per machine, into a cache
# folder keyed by those pins. Needs Go (https://go.dev/dl/) and the Go module proxy; about 10 minutes on 2 cores.
promtool_key="$(cat tools/promtool/go.mod tools/promtool/go.sum | sha256sum | cut -c1-16)"
promtool_dir="${XDG_CACHE_HOME:-$HOME/.cache}/litellm-pulumi/promtool/$promtool_key"
if [[ ! -x "$promtool_dir/promtool" ]]; then
  if command -v go >/dev/null; then
    mkdir -p "$promtool_dir"
    (cd tools/promtool && nice go build -buildvcs=false -trimpath -o "$promtool_dir/promtool.partial" \
      github.com/prometheus/prometheus/cmd/promtool) && mv "$promtool_dir/promtool.partial" "$promtool_dir/promtool"
  else
    echo "setup: Go is missing: install it to build promtool for the alert tests (https://go.dev/dl/)" >&2
  fi
fi
