"""PodDisruptionBudget, container hardening, Admin UI switch, autoscaling and Pod Security labels.

Expected values come from the chart at v1.76.1-stable (docs/chart-contract.md) and from the
Kubernetes API, read from what the program registers under mocks.
"""

from typing import Any

import pytest

from offline.harness import unwrap_secrets
from offline.manifests import render_manifests
from tests.chart import SELECTOR_LABELS
from tests.conftest import run_stack
from tests.netpol import selector_matches

PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget"
NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
APPLICATION_TYPE = "kubernetes:argoproj.io/v1alpha1:Application"


def _run(overrides: dict[str, Any] | None = None):
    run = run_stack("prod", overrides)
    assert run.error is None, run.error
    return run


def _values_object(run) -> dict[str, Any]:
    application = unwrap_secrets(run.one(APPLICATION_TYPE).inputs)
    return application["spec"]["source"]["helm"]["valuesObject"]


@pytest.fixture(scope="module")
def prod():
    return _run()


@pytest.fixture(scope="module")
def values(prod) -> dict[str, Any]:
    return _values_object(prod)


# ------------------------------------------------------------------------------ Spread across nodes


@pytest.fixture(scope="module")
def rendered_prod():
    return render_manifests("prod")


@pytest.mark.parametrize(("kind", "name"), [("Deployment", "litellm"), ("Job", "litellm-migrations")])
def test_pods_prefer_distinct_nodes_as_strongly_as_a_preference_can(rendered_prod, kind, name):
    # The chart applies `affinity` to the Deployment and the migration Job alike (docs/chart-contract.md).
    pod = rendered_prod.find(kind, name)["spec"]["template"]
    anti_affinity = pod["spec"]["affinity"]["podAntiAffinity"]
    # Preferred, not required: replicas still schedule when there are fewer nodes than replicas.
    assert set(anti_affinity) == {"preferredDuringSchedulingIgnoredDuringExecution"}
    (term,) = anti_affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    # WeightedPodAffinityTerm.weight lies in 1-100 (Kubernetes API reference): 100 outweighs any other
    # preference the scheduler scores, as a spread that protects availability should.
    assert term["weight"] == 100
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    proxy = rendered_prod.find("Deployment", "litellm")["spec"]["template"]["metadata"]["labels"]
    assert selector_matches(term["podAffinityTerm"]["labelSelector"], proxy)


# ------------------------------------------------------------------------------ PodDisruptionBudget


def test_pdb_selects_the_proxy_pods_by_the_chart_selector_labels(prod):
    selector = unwrap_secrets(prod.one(PDB_TYPE).inputs)["spec"]["selector"]
    assert selector["matchLabels"] == SELECTOR_LABELS
    assert selector_matches(selector, {**SELECTOR_LABELS, "pod-template-hash": "5d8f7c9b6"})


def test_pdb_does_not_carry_the_label_argocd_tracks_its_application_by(prod):
    """ArgoCD 2.x would count it as part of the Application `litellm` and prune it at every sync."""
    labels = unwrap_secrets(prod.one(PDB_TYPE).inputs)["metadata"].get("labels", {})
    assert "app.kubernetes.io/instance" not in labels


@pytest.mark.parametrize("job_label", ["batch.kubernetes.io/job-name", "job-name"])
def test_pdb_leaves_out_the_migration_job_pods(prod, job_label):
    """A budget cannot count a Job's pods and would block every eviction while the migration runs."""
    selector = unwrap_secrets(prod.one(PDB_TYPE).inputs)["spec"]["selector"]
    assert not selector_matches(selector, {**SELECTOR_LABELS, job_label: "litellm-migrations"})


def test_pdb_allows_one_proxy_pod_down_at_a_time(prod):
    spec = unwrap_secrets(prod.one(PDB_TYPE).inputs)["spec"]
    assert spec.get("maxUnavailable") == 1
    assert "minAvailable" not in spec


def test_pdb_is_in_the_proxy_namespace(prod):
    assert unwrap_secrets(prod.one(PDB_TYPE).inputs)["metadata"]["namespace"] == "litellm"


def test_no_pdb_for_the_single_replica_dev_stack(chart_folder):
    run = run_stack("dev")
    assert run.error is None, run.error
    assert run.of_type(PDB_TYPE) == []


def test_no_pdb_when_replicas_is_one():
    assert _run({"litellm:replicas": 1}).of_type(PDB_TYPE) == []


# ------------------------------------------------------------------------------ hardening


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(("allowPrivilegeEscalation",), False, id="allowPrivilegeEscalation-false"),
        pytest.param(("capabilities", "drop"), ["ALL"], id="capabilities-drop-ALL"),
        pytest.param(("seccompProfile", "type"), "RuntimeDefault", id="seccomp-RuntimeDefault"),
    ],
)
def test_container_security_context_reaches_the_application_values(values, path, expected):
    # `securityContext` is the key the chart copies to the proxy container and the migration Job's.
    value: Any = values["securityContext"]
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize(("kind", "name"), [("Deployment", "litellm"), ("Job", "litellm-migrations")])
def test_pods_run_under_the_runtime_default_seccomp_profile(rendered_prod, kind, name):
    # One of the values the API server accepts (RuntimeDefault, Localhost, Unconfined), and the one Pod
    # Security `restricted` asks of a pod that brings no profile of its own.
    # A container's own profile wins over the pod's (the chart sets no pod-level one on the migration Job).
    pod = rendered_prod.find(kind, name)["spec"]["template"]["spec"]
    pod_profile = (pod.get("securityContext") or {}).get("seccompProfile")
    profiles = [(c.get("securityContext") or {}).get("seccompProfile", pod_profile) for c in pod["containers"]]
    assert profiles and all(profile == {"type": "RuntimeDefault"} for profile in [*profiles, pod_profile] if profile)


# ------------------------------------------------------------------------------ Admin UI


def test_ui_disabled_sets_disable_admin_ui_env():
    env = _values_object(_run({"litellm:ui": {"enabled": False}})).get("envVars", {})
    assert env.get("DISABLE_ADMIN_UI") == "True"


def test_ui_enabled_leaves_disable_admin_ui_unset():
    env = _values_object(_run({"litellm:ui": {"enabled": True}})).get("envVars", {})
    assert "DISABLE_ADMIN_UI" not in env


# ------------------------------------------------------------------------------ autoscaling


def test_autoscaling_sets_the_chart_autoscaling_keys():
    run = _run(
        {
            "litellm:autoscaling": {
                "enabled": True,
                "minReplicas": 2,
                "maxReplicas": 6,
                "targetCpuUtilizationPercentage": 70,
            }
        }
    )
    assert _values_object(run)["autoscaling"] == {
        "enabled": True,
        "minReplicas": 2,
        "maxReplicas": 6,
        "targetCPUUtilizationPercentage": 70,
    }


def test_autoscaling_is_off_by_default(values):
    assert values["autoscaling"].get("enabled") is False


# ------------------------------------------------------------------------------ Pod Security


def test_namespace_has_pod_security_labels(prod):
    labels = unwrap_secrets(prod.one(NAMESPACE_TYPE).inputs)["metadata"]["labels"]
    expected = {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    }
    assert {key: labels.get(key) for key in expected} == expected
