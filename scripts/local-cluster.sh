#!/usr/bin/env bash
# A local Kubernetes control plane with simulated nodes, from the binaries scripts/setup.sh builds
# (engine/go.mod; docs/engine-tier.md): etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok, all on loopback ports that were free at start, with the upstream CRDs of
# tests/crds/upstream/ installed.
#   scripts/local-cluster.sh start   start it (nothing to do when it runs) and wait for its nodes
#   scripts/local-cluster.sh stop    stop it and drop its data; nothing to do when it is stopped
#   scripts/local-cluster.sh env     the exports for KUBECONFIG and PATH (the built kubectl):
#                                    eval "$(scripts/local-cluster.sh env)"
# State (certificates, kubeconfig, logs, etcd data) is in $LOCAL_CLUSTER_DIR, default .local-cluster/.
# Containers never run: kwok marks scheduled pods Ready and Job pods Succeeded.
set -euo pipefail
program_dir="$(cd "$(dirname "$0")/.." && pwd)"
state="${LOCAL_CLUSTER_DIR:-$program_dir/.local-cluster}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
bin="$("$program_dir/scripts/engine-build.sh" --dir)"
kubeconfig="$state/kubeconfig"
nodes=3
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

fail() {
  echo "local-cluster: $1" >&2
  exit 1
}

# The pid in $state/<name>.pid when that process still runs the binary of that name.
running_pid() {
  local pid
  pid="$(cat "$state/$1.pid" 2>/dev/null)" || return 1
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(realpath "$bin/$1")" ]] && echo "$pid"
}

launch() {
  local name="$1"
  shift
  setsid "$bin/$name" "$@" >"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/$name.pid"
}

# Wait up to $1 seconds for the command after it to succeed; on a time-out, name the log to read.
wait_for() {
  local seconds="$1" name="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    running_pid "$name" >/dev/null || fail "$name exited; its log: $state/logs/$name.log"
    ((SECONDS < deadline)) || fail "$name not ready after $seconds s; its log: $state/logs/$name.log"
    sleep 0.5
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A CA, the API server's serving certificate, a client certificate in system:masters (every
# component and kubectl use it) and the service-account signing key, made once per state folder.
certificates() {
  local pki="$state/pki"
  [[ -f "$pki/admin.crt" ]] && return
  command -v openssl >/dev/null || fail "openssl is missing: run 'apt-get install -y openssl'"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=local-cluster-ca -keyout ca.key -out ca.crt
    openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout apiserver.key -out apiserver.csr
    printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile apiserver.ext -out apiserver.crt
    openssl req -newkey rsa:2048 -nodes -subj /O=system:masters/CN=local-cluster-admin -keyout admin.key -out admin.csr
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out admin.crt
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
  ) >"$state/logs/openssl.log" 2>&1 || fail "making the certificates failed; see $state/logs/openssl.log"
}

write_kubeconfig() {
  local pki="$state/pki"
  cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$1
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
}

# kwok's node and pod Stages, copied from the pinned kwok module by scripts/engine-build.sh, and
# the simulated nodes kwok manages (annotation kwok.x-k8s.io/node), one per zone.
node_manifest() {
  local i
  for ((i = 0; i < nodes; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    topology.kubernetes.io/zone: zone-$i
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
EOF
  done
}

start() {
  if running_pid kube-apiserver >/dev/null; then
    echo "local-cluster: already running; KUBECONFIG=$kubeconfig"
    return
  fi
  stop >/dev/null
  local name
  for name in "${components[@]}" kubectl; do
    [[ -x "$bin/$name" ]] || fail "$bin/$name is missing: run 'bash scripts/setup.sh' (it builds the engine)"
  done
  [[ -f "$bin/kwok-stages.yaml" ]] || fail "$bin/kwok-stages.yaml is missing: run 'bash scripts/setup.sh'"
  mkdir -p "$state/logs"
  certificates
  local pki="$state/pki" etcd_port peer_port api_port
  etcd_port="$(free_port)"
  peer_port="$(free_port)"
  api_port="$(free_port)"

  launch etcd --name local --data-dir "$state/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "local=http://127.0.0.1:$peer_port"
  wait_for 60 etcd curl -fsS "http://127.0.0.1:$etcd_port/health"

  launch kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none
  write_kubeconfig "$api_port"
  wait_for 120 kube-apiserver "$bin/kubectl" --kubeconfig "$kubeconfig" get --raw /readyz

  launch kube-controller-manager --kubeconfig "$kubeconfig" --leader-elect=false --secure-port 0 \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --horizontal-pod-autoscaler-sync-period 2s
  launch kube-scheduler --kubeconfig "$kubeconfig" --leader-elect=false --secure-port 0
  launch kwok --kubeconfig "$kubeconfig" --config "$bin/kwok-stages.yaml" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --node-ip 10.0.1.1 --cidr 10.0.2.0/24

  node_manifest | "$bin/kubectl" --kubeconfig "$kubeconfig" apply -f - >"$state/logs/nodes.log" 2>&1 \
    || fail "creating the simulated nodes failed; see $state/logs/nodes.log"
  wait_for 120 kwok "$bin/kubectl" --kubeconfig "$kubeconfig" wait --for condition=Ready node --all --timeout 5s

  # The CRDs of what the program's objects are for (ArgoCD, cert-manager, the Gateway API, the
  # Prometheus Operator), whole from their upstream releases; their controllers do not run here.
  "$bin/kubectl" --kubeconfig "$kubeconfig" apply --server-side -f "$program_dir/tests/crds/upstream/" \
    >"$state/logs/crds.log" 2>&1 || fail "installing tests/crds/upstream/ failed; see $state/logs/crds.log"
  "$bin/kubectl" --kubeconfig "$kubeconfig" wait --for condition=Established crd --all --timeout 60s \
    >>"$state/logs/crds.log" 2>&1 || fail "the CRDs were not served within 60 s; see $state/logs/crds.log"
  echo "local-cluster: running; KUBECONFIG=$kubeconfig"
}

# Stop the named components together (each takes about 2 s); what still runs after 10 s is killed.
stop_together() {
  local name pid pids=()
  for name in "$@"; do
    if pid="$(running_pid "$name")"; then
      pids+=("$pid")
    fi
    rm -f "$state/$name.pid"
  done
  ((${#pids[@]})) || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

stop() {
  # etcd last: it waits for its clients' connections to close before it exits.
  stop_together kwok kube-scheduler kube-controller-manager kube-apiserver
  stop_together etcd
  rm -rf "$state/etcd"
  echo "local-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env)
    echo "export KUBECONFIG='$kubeconfig'"
    echo "export PATH='$bin':\"\$PATH\""
    ;;
  *)
    echo "usage: scripts/local-cluster.sh start|stop|env" >&2
    exit 2
    ;;
esac
