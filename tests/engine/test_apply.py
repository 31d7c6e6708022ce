"""Every manifest of every variant, applied to a real API server: what only the server knows.

A mock or a schema check offline cannot say whether the API server stores an object (its built-in
validation, the CRDs' schemas and CEL rules, admission), whether the namespace's Pod Security
level admits the pods, whether the workloads converge (kwok plays the nodes), or whether applying
the same objects again changes anything.
"""

import re
from typing import Any

import pytest

from tests.engine.cluster import Cluster, condition, wait_until
from tests.engine.conftest import VARIANTS, Deployed

NAMES = [variant.name for variant in VARIANTS]


@pytest.fixture(params=NAMES)
def variant(request: pytest.FixtureRequest, deployed: dict[str, Deployed]) -> Deployed:
    return deployed[request.param]


def test_the_variants_cover_both_deliveries_and_every_kind_the_program_makes(deployed: dict[str, Deployed]):
    deliveries = {d.manifests.delivery for d in deployed.values()}
    kinds = {m.kind for d in deployed.values() for m in d.manifests.objects}
    assert deliveries == {"argocd", "helm"}
    assert {"Application", "Certificate", "HTTPRoute", "PrometheusRule", "ServiceMonitor"} <= kinds
    assert {"Ingress", "PodDisruptionBudget", "Role", "RoleBinding", "HorizontalPodAutoscaler"} <= kinds


def test_the_api_server_accepts_every_object(variant: Deployed):
    assert variant.answers, f"{variant.variant.name}: nothing was applied"
    assert variant.refusals() == {}


# The API server's warnings on applying the program's objects, other than Pod Security's (below).
# ArgoCD's foreground-deletion finalizer predates Kubernetes' advice to qualify finalizer names with a
# path; ArgoCD also reads the same finalizer as `resources-finalizer.argocd.argoproj.io/foreground`
# (pkg/apis/application/v1alpha1/application_defaults.go at v3.5.8), which draws no warning.
KNOWN_WARNINGS = {
    "Application": [
        'metadata.finalizers: "resources-finalizer.argocd.argoproj.io": prefer a domain-qualified finalizer name'
        " including a path (/) to avoid accidental conflicts with other finalizer writers"
    ],
}


def test_the_api_server_warns_of_nothing_unknown(variant: Deployed):
    warned = {
        manifest.kind: [w for w in answer.warnings if not w.startswith("would violate PodSecurity")]
        for manifest, answer in variant.answers
    }
    unknown = {kind: found for kind, found in warned.items() if found and found != KNOWN_WARNINGS.get(kind)}
    assert unknown == {}


def test_the_migration_job_completes(variant: Deployed, cluster: Cluster):
    jobs = variant.manifests.all("Job")
    assert [job["metadata"]["name"] for job in jobs] == ["litellm-migrations"]
    job = cluster.get("batch/v1", "Job", "litellm-migrations", variant.namespace)
    assert condition(job, "Complete") == "True", (job.get("status"), cluster.events(variant.namespace))


def test_the_deployment_becomes_ready(variant: Deployed, cluster: Cluster):
    """With the stack's replicas, or the autoscaler's floor (the controller manager scales up to it)."""
    name = variant.manifests.find("Deployment")["metadata"]["name"]

    def ready() -> dict[str, Any]:
        stored = cluster.get("apps/v1", "Deployment", name, variant.namespace)
        status = stored.get("status") or {}
        counts = [stored["spec"]["replicas"], *(status.get(k) for k in ("readyReplicas", "updatedReplicas"))]
        return stored if counts == [variant.replicas] * 3 and condition(stored, "Available") == "True" else {}

    stored = wait_until(
        ready, f"Deployment {variant.namespace}/{name} ready", describe=lambda: cluster.events(variant.namespace)
    )
    assert stored["status"]["availableReplicas"] == variant.replicas


def test_the_pods_get_no_api_token(variant: Deployed, cluster: Cluster):
    """The ServiceAccount admission plugin mounts a token into every pod whose ServiceAccount or spec
    does not opt out; the proxy and the migration Job never call the Kubernetes API."""
    pods = cluster.resource("v1", "Pod").get(namespace=variant.namespace).to_dict()["items"]
    assert pods, f"no pods in {variant.namespace}"
    mounted = {
        pod["metadata"]["name"]: volume["name"]
        for pod in pods
        for volume in pod["spec"].get("volumes") or []
        if any("serviceAccountToken" in source for source in (volume.get("projected") or {}).get("sources") or [])
    }
    assert mounted == {}


def test_the_service_sends_to_every_ready_pod_on_its_target_port(variant: Deployed, cluster: Cluster):
    """The endpoint controller's view: the Service's selector finds the pods, and its named target
    port is a port the container declares (otherwise the EndpointSlice carries no port)."""
    replicas = variant.replicas
    container_ports = {
        port["name"]: port["containerPort"]
        for container in variant.manifests.find("Deployment")["spec"]["template"]["spec"]["containers"]
        for port in container.get("ports", [])
    }
    slices = cluster.resource("discovery.k8s.io/v1", "EndpointSlice")
    for service in variant.manifests.all("Service"):
        name = service["metadata"]["name"]
        wanted = {container_ports.get(p["targetPort"], p["targetPort"]) for p in service["spec"]["ports"]}

        def served(name: str = name) -> list[tuple[int, ...]]:
            found = slices.get(namespace=variant.namespace, label_selector=f"kubernetes.io/service-name={name}")
            ready = [
                tuple(sorted(port["port"] for port in item.get("ports") or []))
                for item in found.to_dict()["items"]
                for endpoint in item.get("endpoints") or []
                if (endpoint.get("conditions") or {}).get("ready")
            ]
            return ready if len(ready) == replicas else []

        endpoints = wait_until(served, f"{replicas} ready endpoints of Service {variant.namespace}/{name}")
        assert set(endpoints) == {tuple(sorted(wanted))}


def test_the_disruption_budget_covers_the_pods(variant: Deployed, cluster: Cluster):
    budgets = variant.manifests.all("PodDisruptionBudget")
    if variant.replicas == 1:
        assert budgets == [], "a budget for one replica blocks every node drain"
        return
    name = budgets[0]["metadata"]["name"]

    def counted() -> dict[str, Any]:
        status = cluster.get("policy/v1", "PodDisruptionBudget", name, variant.namespace).get("status") or {}
        return status if status.get("expectedPods") == variant.replicas else {}

    status = wait_until(counted, f"PodDisruptionBudget {variant.namespace}/{name} counting the pods")
    assert status["currentHealthy"] == status["expectedPods"]
    assert status["disruptionsAllowed"] >= 1


def test_pod_security_admits_every_pod_and_warns_only_of_running_as_root(variant: Deployed, cluster: Cluster):
    """The namespace enforces `baseline` and warns of `restricted`; the image runs as root, so
    `runAsNonRoot` is the one `restricted` control the pods may miss (docs/security.md)."""
    labels = variant.manifests.find("Namespace")["metadata"]["labels"]
    assert labels.get("pod-security.kubernetes.io/enforce") == "baseline"
    assert labels.get("pod-security.kubernetes.io/warn") == "restricted"
    refused, violations = {}, {}
    for kind in ("Deployment", "Job"):
        for workload in variant.manifests.all(kind):
            label = f"{kind} {workload['metadata']['name']}"
            answer = cluster.create_dry_run(pod_from_template(workload, variant.namespace))
            if answer.refusal is not None:
                refused[label] = str(answer.refusal)
            violations[label] = sorted(v for warning in answer.warnings for v in restricted_violations(warning))
    assert refused == {}
    assert violations == {label: ["runAsNonRoot != true"] for label in violations}


def restricted_violations(warning: str) -> list[str]:
    """The controls a Pod Security warning names, without the containers in brackets:
    `would violate PodSecurity "restricted:latest": a (...), b (...)` -> [a, b]."""
    if not warning.startswith('would violate PodSecurity "restricted'):
        return []
    listed = re.sub(r" \([^()]*\)", "", warning.split('": ', 1)[1])
    return [control.strip() for control in listed.split(", ")]


def test_a_second_apply_changes_nothing(variant: Deployed, cluster: Cluster):
    changed = {}
    for manifest, first in variant.answers:
        if first.object is None:
            continue
        obj = manifest.object
        live = cluster.get(obj["apiVersion"], obj["kind"], manifest.name, manifest.namespace)
        again = cluster.apply(obj)
        assert again.refusal is None, f"{manifest.kind} {manifest.name}: {again.refusal}"
        assert again.object is not None
        # Controllers write the status of some kinds (a new resourceVersion), never their spec; an
        # autoscaler's scaling moves the Deployment's generation, hence the live object as the base.
        key = "generation" if "generation" in live["metadata"] else "resourceVersion"
        before, after = live["metadata"][key], again.object["metadata"][key]
        if before != after:
            changed[f"{manifest.kind} {manifest.name}"] = f"{key} {before} -> {after}"
    assert changed == {}


def pod_from_template(workload: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The Pod a controller would create from the workload's template."""
    template = workload["spec"]["template"]
    metadata = {**template.get("metadata", {}), "name": f"psa-{workload['metadata']['name']}", "namespace": namespace}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]}
