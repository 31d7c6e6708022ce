"""The real program, run end to end under mocks for each committed stack file."""

from collections import Counter

import pytest
from pulumi.runtime.rpc import is_rpc_secret

from components import versions
from components.values import build_chart_values
from offline.harness import map_tree
from tests.conftest import STACKS, committed_settings, run_stack

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"


def _as_recorded(value):
    """Values as the mocks record them: every number a float."""
    return map_tree(value, lambda item: float(item) if isinstance(item, int) and not isinstance(item, bool) else item)


def _expected_values(stack: str, run):
    """The values function's output, with the secrets revision of the run's Secrets component."""
    revision = run.one("litellm:index:Secrets").outputs["revision"]
    return _as_recorded(build_chart_values(committed_settings(stack), secrets_revision=revision))


@pytest.fixture(scope="module")
def prod():
    run = run_stack("prod")
    assert run.error is None
    return run


@pytest.fixture
def dev(chart_folder):
    run = run_stack("dev")
    assert run.error is None
    return run


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stack_runs_without_error(stack, chart_folder):
    run = run_stack(stack)
    assert run.error is None
    assert run.registrations


def test_prod_delivers_through_exactly_one_application_and_no_release(prod):
    assert len(prod.of_type(APPLICATION)) == 1
    assert prod.of_type(RELEASE) == []


def test_prod_application_reproduces_the_seed(prod):
    app = prod.one(APPLICATION).inputs
    assert app["metadata"]["name"] == "litellm"
    assert app["metadata"]["namespace"] == "argocd"
    assert app["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "10"}
    spec = app["spec"]
    assert spec["source"]["repoURL"] == versions.CHART_REPO_URL
    assert spec["source"]["path"] == versions.CHART_PATH
    assert spec["source"]["targetRevision"] == versions.CHART_REF
    assert spec["source"]["helm"]["releaseName"] == "litellm"
    assert spec["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "litellm"}
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert spec["syncPolicy"]["syncOptions"] == ["CreateNamespace=true"]
    assert spec["project"] == "default"


def test_prod_values_reproduce_the_seed_workload(prod):
    values = prod.one(APPLICATION).inputs["spec"]["source"]["helm"]["valuesObject"]
    # The seed's `main-stable` moves; prod pins the release the tiers verify (the stack file says why).
    # The pull policy carries the container's preStop hook on its following lines (components/values.py,
    # tests/test_request_lifetime.py): its first line is the policy.
    assert (values["image"]["tag"], values["image"]["pullPolicy"].partition("\n")[0]) == (
        "main-v1.76.1-stable",
        "IfNotPresent",
    )
    assert values["replicaCount"] == 3
    assert values["service"] == {"type": "ClusterIP", "port": 4000}
    assert values["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }
    assert values["db"]["endpoint"] == "postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local:5432"
    assert values["db"]["database"] == "app"
    assert values["db"]["secret"] == {
        "name": "postgres",
        "usernameKey": "DATABASE_USERNAME",
        "passwordKey": "DATABASE_PASSWORD",
    }
    cache = values["proxy_config"]["litellm_settings"]["cache_params"]
    assert (cache["host"], cache["port"], cache["ttl"], cache["namespace"]) == (
        "redis.redis.svc.cluster.local",
        6379,
        86400,
        "litellm_cache",
    )
    assert "redis_flush_size" not in cache
    assert values["proxy_config"]["router_settings"]["num_retries"] == 2
    assert values["proxy_config"]["litellm_settings"]["telemetry"] is False
    assert "DISABLE_ADMIN_UI" not in values["envVars"]


def test_application_carries_exactly_the_values_function_output(prod):
    assert prod.one(APPLICATION).inputs["spec"]["source"]["helm"]["valuesObject"] == _expected_values("prod", prod)


def test_dev_delivers_through_exactly_one_release_and_no_application(dev):
    assert len(dev.of_type(RELEASE)) == 1
    assert dev.of_type(APPLICATION) == []


def test_release_carries_exactly_the_values_function_output(dev, chart_folder):
    assert dev.one(RELEASE).inputs["values"] == _expected_values("dev", dev)


def test_release_installs_the_fetched_chart_at_the_pinned_ref_with_explicit_safety_settings(dev):
    release = dev.one(RELEASE).inputs
    assert release["chart"] == f"vendor/charts/litellm-helm/{versions.CHART_REF}"
    assert release["name"] == "litellm"
    assert release["namespace"] == "litellm"
    assert release["timeout"] >= 600
    assert release["cleanupOnFail"] is True
    assert release["dependencyUpdate"] is False


def test_release_keeps_the_revisions_helm_upgrade_keeps(dev):
    # The provider keeps every revision when maxHistory is unset (0, "no limit"), each one a Secret in
    # the namespace holding the whole release; `helm upgrade` keeps 10 (`--history-max`, default 10).
    assert dev.one(RELEASE).inputs["maxHistory"] == 10


def test_the_argocd_component_reports_where_its_application_is(prod):
    metadata = prod.one(APPLICATION).inputs["metadata"]
    outputs = prod.one("litellm:index:ArgoCDApplication").outputs
    assert outputs == {"name": metadata["name"], "namespace": metadata["namespace"]}


def test_the_helm_component_reports_its_releases_name_and_status(dev):
    """What the provider reports of the release (FakeCloud: a first install) is in the component's outputs."""
    outputs = dev.one("litellm:index:HelmRelease").outputs
    assert outputs["name"] == "litellm"
    assert outputs["status"]["status"] == "deployed"


def test_helm_delivery_without_the_fetched_chart_names_the_fetch_script(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_stack("dev")
    assert f"scripts/fetch-chart.sh {versions.CHART_REF}" in str(run.error)
    assert "(or point chart.localPath at a copy of it)" in str(run.error)
    assert run.registrations == []


def test_helm_delivery_refuses_a_chart_file_helm_cannot_read(chart_folder):
    chart_file = chart_folder / "Chart.yaml"
    chart_file.write_bytes(chart_file.read_bytes() + "description: caf\xe9\n".encode("latin-1"))
    run = run_stack("dev")
    assert "no litellm-helm chart in" in str(run.error)
    assert f"scripts/fetch-chart.sh {versions.CHART_REF}" in str(run.error)
    assert run.registrations == []


def test_helm_delivery_refuses_a_damaged_fetch_record(chart_folder):
    _record_fetch(chart_folder, versions.CHART_REF)
    record = chart_folder / ".fetched-from"
    record.write_bytes(record.read_bytes().replace(b"-stable", b"-stable\xff"))
    run = run_stack("dev")
    assert "was fetched from another ref, repository or path" in str(run.error)
    assert run.registrations == []


def _record_fetch(folder, ref: str) -> None:
    """What scripts/fetch-chart.sh writes next to the chart it fetched."""
    record = f"ref: {ref}\ncommit: abc\nrepo: {versions.CHART_REPO_URL}\npath: {versions.CHART_PATH}\n"
    (folder / ".fetched-from").write_text(record)


def test_helm_delivery_refuses_a_chart_fetched_for_another_ref(chart_folder):
    _record_fetch(chart_folder, "v1.75.0-stable")
    run = run_stack("dev")
    folder = f"vendor/charts/litellm-helm/{versions.CHART_REF}"
    assert f"the chart in '{folder}' was fetched from another ref" in str(run.error)
    assert run.registrations == []


def test_helm_delivery_accepts_the_chart_fetched_for_its_ref(chart_folder):
    _record_fetch(chart_folder, versions.CHART_REF)
    assert run_stack("dev").error is None


def test_chart_source_script_reads_the_stack_chart_for_the_fetch_script():
    from scripts.chart_source import chart_source

    chart = chart_source("dev")
    assert (chart.ref, chart.repo_url, chart.path) == (versions.CHART_REF, versions.CHART_REPO_URL, versions.CHART_PATH)


@pytest.mark.parametrize("stack, delivery", [("prod", APPLICATION), ("dev", RELEASE)])
def test_delivery_waits_for_the_namespace_every_secret_and_every_network_policy(stack, delivery, chart_folder):
    run = run_stack(stack)
    dependencies = set(run.one(delivery).dependencies)
    prerequisites = run.of_type(NAMESPACE) + run.of_type(SECRET) + run.of_type(NETWORK_POLICY)
    assert {r.urn for r in prerequisites} <= dependencies


def test_application_waits_for_the_argocd_crd_preflight_read(prod):
    reads = [r for r in prod.registrations if r.read]
    assert [(r.type, r.inputs["id"]) for r in reads] == [
        ("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "applications.argoproj.io")
    ]
    assert reads[0].urn in prod.one(APPLICATION).dependencies


def test_cascade_delete_finalizer_follows_config():
    assert run_stack("prod").one(APPLICATION).inputs["metadata"]["finalizers"] == [
        "resources-finalizer.argocd.argoproj.io"
    ]
    run = run_stack("prod", {"litellm:argocd": {"cascadeDelete": False}})
    assert "finalizers" not in run.one(APPLICATION).inputs["metadata"]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_resource_belongs_to_the_litellm_component(stack, chart_folder):
    run = run_stack(stack)
    by_urn = {r.urn: r for r in run.registrations}
    root = run.one("litellm:index:LiteLLM")
    for registration in run.registrations:
        node = registration
        while node is not root:
            assert node.parent in by_urn, f"{registration.name} is not under the LiteLLM component"
            node = by_urn[node.parent]


def test_resource_urns_are_unique(prod):
    assert [urn for urn, count in Counter(r.urn for r in prod.registrations).items() if count > 1] == []


def test_namespace_is_protected_and_survives_destroy(prod):
    namespace = prod.one(NAMESPACE)
    assert namespace.inputs["metadata"]["name"] == "litellm"
    assert (namespace.protect, namespace.retain_on_delete) == (True, True)


def test_stack_outputs_describe_the_deployment(prod):
    outputs = prod.outputs
    assert outputs["namespace"] == "litellm"
    assert outputs["serviceHost"] == "litellm.litellm.svc.cluster.local"
    assert outputs["servicePort"] == 4000
    assert outputs["inClusterUrl"] == "http://litellm.litellm.svc.cluster.local:4000"
    assert outputs["publicUrl"] == "https://litellm.api.prod.everycure.org"
    assert outputs["chart"] == {
        "repoUrl": versions.CHART_REPO_URL,
        "path": versions.CHART_PATH,
        "ref": versions.CHART_REF,
    }
    assert outputs["delivery"] == "argocd"
    assert outputs["secretNames"]["masterKey"] == "litellm-master-key"
    assert outputs["secretNames"]["database"] == "postgres"
    assert outputs["secretNames"]["providerKeys"] == ["litellm-provider-keys"]


def test_master_key_output_is_secret(prod):
    assert is_rpc_secret(prod.outputs["masterKey"])


def test_staging_uses_its_own_database_redis_and_cache_namespace():
    values = run_stack("staging").one(APPLICATION).inputs["spec"]["source"]["helm"]["valuesObject"]
    assert values["replicaCount"] == 2
    assert values["db"]["endpoint"].startswith("postgresql-staging-pooler-rw.postgresql-staging.svc")
    cache = values["proxy_config"]["litellm_settings"]["cache_params"]
    assert cache["host"] == "redis.redis-staging.svc.cluster.local"
    assert cache["namespace"] != "litellm_cache"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_component_with_resources_registers_the_outputs_it_exposes(stack, chart_folder):
    run = run_stack(stack)
    parents = {r.parent for r in run.registrations}
    components = [r for r in run.registrations if not r.custom and r.urn in parents]
    assert components and [r.type for r in components if not r.outputs] == []


def test_stack_outputs_agree_with_the_litellm_components_outputs(prod):
    component = prod.one("litellm:index:LiteLLM").outputs
    assert {"namespace", "inClusterUrl", "masterKey"} <= set(component)
    assert {name: prod.outputs[name] for name in component} == component
