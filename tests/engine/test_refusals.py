"""The engine tier can fail: the API server refuses what it should, and a missing engine is a failure.

Each refusal is asked of the same server the variants were applied to, with `dryRun=All`, from an
object the program produced with one field broken.
"""

import copy
from pathlib import Path

import pytest

from tests.engine.cluster import Cluster, MissingEngine
from tests.engine.conftest import Deployed
from tests.engine.test_apply import pod_from_template


def test_the_httproute_cel_rules_refuse_a_path_with_a_double_slash(deployed: dict[str, Deployed], cluster: Cluster):
    gateway = deployed["prod-gateway"]
    route = copy.deepcopy(gateway.stored("HTTPRoute")[0])
    for key in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"):
        route["metadata"].pop(key, None)
    route.pop("status", None)
    match = route["spec"]["rules"][0]["matches"][0]
    assert match["path"]["type"] in ("Exact", "PathPrefix")
    match["path"]["value"] = "/v1//chat/completions"

    answer = cluster.apply(route, dry_run=True)

    assert answer.refusal is not None, "the API server stored an HTTPRoute its CRD's CEL rules forbid"
    assert answer.refusal.status == 422
    assert "must not contain '//'" in answer.refusal.message


def test_pod_security_refuses_a_pod_sharing_the_host_pid_namespace(deployed: dict[str, Deployed], cluster: Cluster):
    prod = deployed["prod"]
    pod = pod_from_template(prod.manifests.find("Deployment"), prod.namespace)
    pod["spec"]["hostPID"] = True  # baseline forbids sharing the host's namespaces

    answer = cluster.create_dry_run(pod)

    assert answer.refusal is not None, "the namespace admitted a pod in the host's PID namespace"
    assert answer.refusal.status == 403
    assert "violates PodSecurity" in answer.refusal.message


def test_a_missing_engine_fails_with_the_setup_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ENGINE_BIN_DIR", str(tmp_path / "no-engine"))

    with pytest.raises(MissingEngine, match="bash scripts/setup.sh"):
        Cluster.start(tmp_path / "state")
