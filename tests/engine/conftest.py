"""The engine tier's session: one local control plane (with the upstream CRDs), every variant deployed.

Each variant is a committed stack (or a committed stack with a few keys changed) rendered as the
other tiers render it (`tests.conftest.render_stack`, the fake secrets), in a namespace of its own
so that all of them live in one cluster. What a delivery applies, in its order:

- the namespaces of what the cluster already runs, which the program does not create (ArgoCD's,
  Grafana's), then the program's objects (the Namespace first), as Pulumi applies them;
- the chart's hooks (the migration Job; one left from an earlier apply is deleted first), then,
  once the Job has finished, the chart's objects: as `helm install` or `helm upgrade` runs a
  pre-install or pre-upgrade hook, and as ArgoCD syncs a PreSync hook before the rest. For the
  `argocd` delivery there is no ArgoCD controller here: the tier applies what it would.

Every object is applied with server-side apply; a refusal is recorded, not raised, so each test
names the objects it is about.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from offline.manifests import Manifest, Manifests
from tests.conftest import render_stack
from tests.engine.cluster import PROGRAM_DIR, Applied, Cluster, condition, wait_until
from tests.runtime.conftest import HARDENED as RUNTIME_HARDENED

MONITORED_GATEWAY: dict[str, Any] = {
    # The CRD-backed objects prod leaves out: the Gateway API entrance (public and internal
    # HTTPRoutes), the alert rules (PrometheusRule) and the ServiceMonitor; and the dashboard, a
    # ConfigMap in Grafana's namespace.
    "litellm:entrance": {
        "enabled": True,
        "type": "gateway",
        "public": {"gateway": {"name": "public", "namespace": "gateway", "listener": "https"}},
        "internal": {"host": "litellm.internal.example.org", "gateway": {"name": "internal", "namespace": "gw"}},
    },
    "litellm:monitoring": {"alerts": True, "dashboard": True},
    "litellm:serviceMonitor": {"enabled": True},
    "litellm:licenseKey": "litellm-licence-FAKE",
}


HARDENED: dict[str, Any] = {
    # prod with the optional objects and settings the committed stacks leave out: the access Roles,
    # a Secret per provider key, Redis AUTH and TLS, tracing, the admin UI off, and the chart's
    # HorizontalPodAutoscaler in place of a fixed replica count.
    "litellm:rbac": {"operatorGroups": ["sre"], "secretAdminGroups": ["secops"]},
    "litellm:splitProviderKeys": True,
    "litellm:redisPassword": "redis-FAKE-pa55word",
    # The runtime tier's hardened proxy runs these three on the real LiteLLM.
    "litellm:redis": RUNTIME_HARDENED["litellm:redis"],
    "litellm:ui": RUNTIME_HARDENED["litellm:ui"],
    "litellm:tracing": RUNTIME_HARDENED["litellm:tracing"],
    "litellm:autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 6},
}


@dataclass(frozen=True)
class Variant:
    name: str
    stack: str
    overrides: dict[str, Any] = field(default_factory=dict)


VARIANTS = [
    Variant("prod", "prod"),
    Variant("staging", "staging"),
    Variant("dev", "dev"),
    Variant("prod-helm", "prod", {"litellm:delivery": "helm"}),
    Variant("prod-gateway", "prod", MONITORED_GATEWAY),
    Variant("prod-hardened", "prod", HARDENED),
]


@dataclass
class Deployed:
    """One variant as the tier applied it: the render, and the API server's answer to each object."""

    variant: Variant
    manifests: Manifests
    answers: list[tuple[Manifest, Applied]]

    @property
    def namespace(self) -> str:
        return self.manifests.namespace

    @property
    def replicas(self) -> int:
        """The replicas the release runs: the Deployment's, or its autoscaler's floor."""
        autoscalers = self.manifests.all("HorizontalPodAutoscaler")
        if autoscalers:
            return int(autoscalers[0]["spec"]["minReplicas"])
        return int(self.manifests.find("Deployment")["spec"]["replicas"])

    def refusals(self) -> dict[str, str]:
        return {_label(m): str(a.refusal) for m, a in self.answers if a.refusal is not None}

    def stored(self, kind: str) -> list[dict[str, Any]]:
        return [a.object for m, a in self.answers if m.kind == kind and a.object is not None]


def _label(manifest: Manifest) -> str:
    return f"{manifest.kind} {manifest.namespace or ''}/{manifest.name}"


def variant_overrides(variant: Variant) -> dict[str, Any]:
    """The variant's keys, and a namespace of its own for the release and for the Application."""
    stack_file = yaml.safe_load((PROGRAM_DIR / f"Pulumi.{variant.stack}.yaml").read_text(encoding="utf-8"))
    argocd = stack_file["config"].get("litellm:argocd") or {}
    return {
        **variant.overrides,
        "litellm:namespace": variant.name,
        "litellm:argocd": {**argocd, "namespace": f"argocd-{variant.name}"},
    }


def delivery_order(manifests: Manifests) -> tuple[list[Manifest], list[Manifest], list[Manifest]]:
    """(program objects with the Namespace first, the chart's hooks, the chart's other objects)."""
    program = sorted((m for m in manifests.objects if m.source == "program"), key=lambda m: m.kind != "Namespace")
    hooks = [m for m in manifests.objects if m.source == "hook"]
    chart = [m for m in manifests.objects if m.source == "chart"]
    return program, hooks, chart


def installed_namespaces(program: list[Manifest]) -> set[str]:
    """The namespaces the program puts objects in but does not create: those of what the cluster
    already runs (ArgoCD's for the Application, Grafana's for the dashboard)."""
    created = {m.name for m in program if m.kind == "Namespace"}
    return {m.namespace for m in program if m.namespace is not None} - created


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The control plane, its state (logs included) in pytest's temporary folder of the session."""
    started = Cluster.start(tmp_path_factory.mktemp("local-cluster"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def deployed(cluster: Cluster) -> dict[str, Deployed]:
    deployments = {}
    for variant in VARIANTS:
        manifests = render_stack(variant.stack, variant_overrides(variant))
        deployments[variant.name] = Deployed(variant, manifests, apply_as_delivery(cluster, manifests))
    return deployments


def apply_as_delivery(cluster: Cluster, manifests: Manifests) -> list[tuple[Manifest, Applied]]:
    """Apply a render as its delivery would, first install or update alike: the namespaces the cluster
    already has, the program's objects, the chart's hooks (an existing hook Job deleted first, as Helm's
    `before-hook-creation` and ArgoCD's `BeforeHookCreation` do), then, once the hook Job finished,
    the chart's objects. Each object's answer, in that order."""
    program, hooks, chart = delivery_order(manifests)
    for namespace in sorted(installed_namespaces(program)):
        created = cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        assert created.refusal is None, f"Namespace {namespace}: {created.refusal}"
    answers = [(m, cluster.apply(m.object)) for m in program]
    for hook in hooks:
        cluster.delete(hook.object)
    answers += [(m, cluster.apply(m.object)) for m in hooks]
    for job, answer in answers:
        if job.source == "hook" and job.kind == "Job" and answer.refusal is None:
            _wait_for_job(cluster, job, manifests.namespace)
    return answers + [(m, cluster.apply(m.object)) for m in chart]


def _wait_for_job(cluster: Cluster, job: Manifest, namespace: str) -> None:
    """Wait until the hook Job completed or failed; a timeout is left for the tests to report."""

    def finished() -> bool:
        stored = cluster.get("batch/v1", "Job", job.name, namespace)
        return condition(stored, "Complete") == "True" or condition(stored, "Failed") == "True"

    with contextlib.suppress(AssertionError):
        wait_until(finished, f"Job {namespace}/{job.name} finished", timeout=60)
