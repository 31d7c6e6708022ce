#!/usr/bin/env bash
# Build the engine tier's control plane from engine/go.mod's pins into a cache keyed by those pins,
# one binary at a time, skipping those already there: scripts/setup.sh's engine step.
#   scripts/engine-build.sh          build what is missing, a progress line per binary
#   scripts/engine-build.sh --dir    print the cache folder the binaries are (or will be) in
# The cache is ${XDG_CACHE_HOME:-~/.cache}/litellm-engine/<hash of engine/go.mod and go.sum>/bin,
# or $ENGINE_BIN_DIR when set. Go's own caches (GOMODCACHE, GOCACHE) are used as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

pins_hash="$(cat engine/go.mod engine/go.sum | sha256sum | cut -c1-16)"
bin_dir="${ENGINE_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/litellm-engine/$pins_hash/bin}"
if [[ "${1:-}" == "--dir" ]]; then
  echo "$bin_dir"
  exit 0
fi

# Each binary and the package it is built from; every package is a `tool` of engine/go.mod.
binaries=(
  "etcd go.etcd.io/etcd/server/v3"
  "kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver"
  "kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager"
  "kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler"
  "kubectl k8s.io/kubernetes/cmd/kubectl"
  "kwok sigs.k8s.io/kwok/cmd/kwok"
)

fail() {
  echo "setup: engine: $1" >&2
  exit 1
}
command -v go >/dev/null || fail "no Go toolchain on PATH; install Go 1.26 (engine/go.mod) and run 'bash scripts/setup.sh' again"
mkdir -p "$bin_dir"

# The Kubernetes binaries report the release they were built from, as the upstream build stamps it.
kube_version="$(cd engine && go list -m -f '{{.Version}}' k8s.io/kubernetes)" \
  || fail "cannot read the k8s.io/kubernetes pin from engine/go.mod (go list -m failed above); check the network to the Go module proxy and run 'bash scripts/setup.sh' again"
kube_minor="${kube_version#v*.}"
kube_minor="${kube_minor%%.*}"
version_pkg=k8s.io/component-base/version
ldflags="-s -w -X $version_pkg.gitVersion=$kube_version -X $version_pkg.gitMajor=1 -X $version_pkg.gitMinor=$kube_minor"
ldflags+=" -X $version_pkg.gitTreeState=clean"

for entry in "${binaries[@]}"; do
  read -r name package <<<"$entry"
  if [[ -x "$bin_dir/$name" ]]; then
    echo "setup: engine: $name: present in $bin_dir"
    continue
  fi
  echo "setup: engine: $name: building from $package (the whole set takes about 12 minutes on 2 cores, once)"
  started=$SECONDS
  (cd engine && GOFLAGS=-buildvcs=false nice go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$name.partial" "$package") \
    || fail "building $name from $package failed (go's message above); fix engine/go.mod or the network to the Go module proxy, then run 'bash scripts/setup.sh' again"
  mv "$bin_dir/$name.partial" "$bin_dir/$name"
  echo "setup: engine: $name: built in $((SECONDS - started)) s"
done

# kwok's node and pod Stages (what a simulated node and its pods do), as the pinned kwok module
# ships them in kustomize/stage/: nodes become Ready and keep a heartbeat, scheduled pods become
# Ready, pods of a Job succeed, deleted pods go.
stages="$bin_dir/kwok-stages.yaml"
if [[ ! -f "$stages" ]]; then
  kwok_dir="$(cd engine && go mod download -json sigs.k8s.io/kwok | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$kwok_dir/kustomize/stage" ]] || fail "no kustomize/stage in the sigs.k8s.io/kwok module ('go mod download' above); run 'bash scripts/setup.sh' again"
  for file in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$kwok_dir/kustomize/stage/$file"
  done >"$stages.partial"
  mv "$stages.partial" "$stages"
  echo "setup: engine: kwok-stages.yaml: copied from $kwok_dir/kustomize/stage"
fi
