"""The chart tier: the values the program registers, rendered by litellm-helm at the pin with Helm's
own template engine, and checked as Kubernetes would run them.

Each case is a committed stack, or a stack with the config a variant changes. Expected values come
from the stack's config and from what Kubernetes and LiteLLM require, never from components/values.py
(except the ConfigMap test, whose point is that the chart passes the values function's config
through unchanged).
"""

import copy
import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlparse

import helm_python
import pytest
import yaml

from components.values import build_proxy_config
from offline.manifests import Manifests, render_templates
from tests.chart import CONFIG_MAP, MIGRATION_CONTAINER, POD_LABELS, PROXY_CONTAINER, SELECTOR_LABELS
from tests.conftest import (
    DATABASE_PASSWORD,
    MASTER_KEY,
    REDIS_PASSWORD,
    SECRETS,
    render_stack,
)
from tests.kube import (
    SUPPORTED_KUBERNETES,
    container,
    containers,
    expand_env,
    is_custom_resource,
    secret_data,
    secret_refs,
    strict_schema_errors,
)

TRACING = {"enabled": True, "endpoint": "https://otlp.example.net/v1/traces"}
AUTOSCALING = {"enabled": True, "minReplicas": 2, "maxReplicas": 6, "targetCpuUtilizationPercentage": 70}

VARIANTS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "prod": ("prod", {}, {}),
    "staging": ("staging", {}, {}),
    "dev": ("dev", {}, {}),
    "prod-given-master-key-and-redis-auth": (
        "prod",
        {"litellm:masterKey": MASTER_KEY, "litellm:redisPassword": REDIS_PASSWORD},
        {},
    ),
    "prod-split-provider-keys": ("prod", {"litellm:splitProviderKeys": True}, {}),
    "prod-helm": ("prod", {"litellm:delivery": "helm"}, {}),
    "prod-two-workers": (
        "prod",
        {"litellm:workers": 2, "litellm:resources": {"limits": {"cpu": "2", "memory": "4Gi"}}},
        {},
    ),
    "staging-tracing": (
        "staging",
        {"litellm:tracing": TRACING},
        {"litellm:tracingHeaders": {"authorization": "Bearer otel-FAKE-0123456789"}},
    ),
    "dev-autoscaling-tls-no-ui": (
        "dev",
        {
            "litellm:autoscaling": AUTOSCALING,
            "litellm:ui": {"enabled": False},
            "litellm:database": {
                "host": "postgresql.postgresql.svc.cluster.local",
                "namespace": "postgresql",
                "sslMode": "require",
            },
        },
        {},
    ),
}
CASES = list(VARIANTS)


@pytest.fixture(scope="module")
def rendered() -> Callable[[str], Manifests]:
    """The manifests of a case of VARIANTS, each rendered once a module."""
    cache: dict[str, Manifests] = {}

    def render(case: str) -> Manifests:
        if case not in cache:
            stack, overrides, secrets = VARIANTS[case]
            cache[case] = render_stack(stack, overrides, {**SECRETS, **secrets})
        return cache[case]

    return render


def proxy(manifests: Manifests) -> dict[str, Any]:
    return container(manifests.find("Deployment", "litellm"), PROXY_CONTAINER)


def migrations(manifests: Manifests) -> dict[str, Any]:
    return container(manifests.find("Job", "litellm-migrations"), MIGRATION_CONTAINER)


# --- Secrets and env ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_every_secret_and_key_the_pods_read_is_one_the_program_creates(case, rendered):
    manifests = rendered(case)
    created = {m.name: m for m in manifests.objects if m.kind == "Secret"}
    data = secret_data(manifests)
    refs = [
        ref
        for workload in (manifests.find("Deployment"), manifests.find("Job"))
        for c in containers(workload)
        for ref in secret_refs(c)
    ]
    missing = [(name, key) for name, key in refs if name not in data or (key is not None and key not in data[name])]
    assert refs and missing == []
    assert {created[name].source for name, _ in refs} == {"program"}


@pytest.mark.parametrize("case", CASES)
def test_every_config_map_the_pods_mount_is_rendered(case, rendered):
    manifests = rendered(case)
    config_maps = {obj["metadata"]["name"] for obj in manifests.all("ConfigMap")}
    for workload in (manifests.find("Deployment"), manifests.find("Job")):
        mounted = [
            v["configMap"]["name"] for v in workload["spec"]["template"]["spec"].get("volumes", []) if "configMap" in v
        ]
        assert set(mounted) <= config_maps


@pytest.mark.parametrize("case", CASES)
def test_no_env_name_is_set_twice_in_any_container(case, rendered):
    """Server-side apply (Pulumi, Helm 4, ArgoCD SSA) rejects a container with a duplicate env name."""
    manifests = rendered(case)
    for workload in (manifests.find("Deployment"), manifests.find("Job")):
        for c in containers(workload):
            duplicates = [name for name, count in Counter(e["name"] for e in c.get("env", [])).items() if count > 1]
            assert duplicates == [], (workload["kind"], c["name"])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("workload", [proxy, migrations], ids=["proxy", "migration-job"])
def test_database_url_expands_to_the_configured_database(case, workload, rendered):
    manifests = rendered(case)
    database = manifests.settings.database
    environment = expand_env(workload(manifests), secret_data(manifests))
    url = urlparse(environment["DATABASE_URL"])
    assert url.scheme == "postgresql"
    assert (unquote(url.username or ""), unquote(url.password or "")) == (database.user, DATABASE_PASSWORD)
    assert (url.hostname, url.port, url.path) == (database.host, database.port, f"/{database.name}")
    expected_query = {"schema": [database.schema_]} | ({"sslmode": [database.ssl_mode]} if database.ssl_mode else {})
    assert parse_qs(url.query) == expected_query


def test_prod_database_url_is_the_seeds_with_the_password_percent_encoded(rendered):
    manifests = rendered("prod")
    assert expand_env(proxy(manifests), secret_data(manifests))["DATABASE_URL"] == (
        f"postgresql://litellm:{quote(DATABASE_PASSWORD, safe='')}"
        "@postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local:5432/app?schema=litellm"
    )


@pytest.mark.parametrize("password", ["p@ss:w/rd?#%&=+ 1", "a@b:c/d?e#f%g", "plain-Password_123", "ünïcode pass"])
def test_a_url_special_password_parses_back_from_the_expanded_url(password):
    manifests = render_stack("prod", {"litellm:databasePassword": password})
    for workload in (proxy, migrations):
        url = urlparse(expand_env(workload(manifests), secret_data(manifests))["DATABASE_URL"])
        assert (unquote(url.username or ""), unquote(url.password or "")) == ("litellm", password)
        assert (url.hostname, url.port, url.path) == (
            "postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local",
            5432,
            "/app",
        )


@pytest.mark.parametrize("user", ["ops:admin", "team/ops", "a%41b", "app@team"])
def test_a_url_special_user_name_parses_back_from_the_expanded_url(user):
    database = {"host": "db.example.internal", "port": 5432, "name": "app", "user": user}
    # A database outside the cluster: its address block is named for the NetworkPolicies.
    egress = {"egress": [{"cidr": "10.20.0.0/16", "ports": [5432]}]}
    manifests = render_stack("prod", {"litellm:database": database, "litellm:networkPolicy": egress})
    for workload in (proxy, migrations):
        url = urlparse(expand_env(workload(manifests), secret_data(manifests))["DATABASE_URL"])
        assert (unquote(url.username or ""), unquote(url.password or "")) == (user, DATABASE_PASSWORD)
        assert (url.hostname, url.port, url.path) == ("db.example.internal", 5432, "/app")


@pytest.mark.parametrize("case", CASES)
def test_the_proxy_reads_the_programs_master_key(case, rendered):
    manifests = rendered(case)
    environment = expand_env(proxy(manifests), secret_data(manifests))
    master_key = secret_data(manifests)["litellm-master-key"]["LITELLM_MASTER_KEY"]
    assert environment["PROXY_MASTER_KEY"] == master_key
    assert master_key.startswith("sk-")


def test_a_given_master_key_reaches_the_proxy(rendered):
    manifests = rendered("prod-given-master-key-and-redis-auth")
    environment = expand_env(proxy(manifests), secret_data(manifests))
    assert (environment["PROXY_MASTER_KEY"], environment["REDIS_PASSWORD"]) == (MASTER_KEY, REDIS_PASSWORD)


@pytest.mark.parametrize("case", CASES)
def test_the_proxy_gets_the_salt_key_and_every_provider_key(case, rendered):
    manifests = rendered(case)
    environment = expand_env(proxy(manifests), secret_data(manifests))
    assert len(environment["LITELLM_SALT_KEY"]) >= 32
    wanted = {model.api_key_env for model in manifests.settings.models if model.api_key_env}
    assert wanted and all(environment[name] == SECRETS["litellm:providerKeys"][name] for name in wanted)


# --- Workloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_proxy_and_migration_job_run_the_configured_image(case, rendered):
    manifests = rendered(case)
    image = manifests.settings.image
    for c in (proxy(manifests), migrations(manifests)):
        assert (c["image"], c["imagePullPolicy"]) == (f"{image.repository}:{image.tag}", image.pull_policy)


@pytest.mark.parametrize("case", CASES)
def test_replicas_are_the_configured_count_unless_autoscaled(case, rendered):
    manifests = rendered(case)
    deployment = manifests.find("Deployment")
    if manifests.settings.autoscaling.enabled:
        assert "replicas" not in deployment["spec"]
        hpa = manifests.find("HorizontalPodAutoscaler")
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "litellm"}
    else:
        assert deployment["spec"]["replicas"] == manifests.settings.replicas
        assert manifests.all("HorizontalPodAutoscaler") == []


def test_committed_stacks_run_their_replica_counts(rendered):
    assert [rendered(stack).find("Deployment")["spec"]["replicas"] for stack in ("prod", "staging", "dev")] == [3, 2, 1]


@pytest.mark.parametrize("case", CASES)
def test_proxy_and_migration_job_get_the_configured_resources(case, rendered):
    manifests = rendered(case)
    resources = manifests.settings.resources.model_dump()
    assert proxy(manifests)["resources"] == resources
    assert migrations(manifests)["resources"] == resources


@pytest.mark.parametrize("case", CASES)
def test_the_proxy_starts_the_configured_worker_processes(case, rendered):
    """LiteLLM 1.76.1's `litellm` command reads NUM_WORKERS (litellm/proxy/proxy_cli.py:309-314), default 1."""
    manifests = rendered(case)
    env = {entry["name"]: entry.get("value") for entry in proxy(manifests).get("env", [])}
    workers = manifests.settings.workers
    assert env.get("NUM_WORKERS", "1") == str(workers)
    assert ("NUM_WORKERS" in env) == (workers != 1)


def test_prod_resources_are_the_stack_files(rendered):
    expected = {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "2Gi"}}
    assert proxy(rendered("prod"))["resources"] == expected


@pytest.mark.parametrize("case", CASES)
def test_service_sends_the_configured_port_to_the_proxy_pods(case, rendered):
    manifests = rendered(case)
    service = manifests.find("Service", "litellm")
    port = manifests.settings.service.port
    assert service["spec"]["type"] == manifests.settings.service.type
    assert service["spec"]["ports"] == [{"port": port, "targetPort": "http", "protocol": "TCP", "name": "http"}]
    assert service["spec"]["selector"] == SELECTOR_LABELS
    assert {"name": "http", "containerPort": port, "protocol": "TCP"} in proxy(manifests)["ports"]
    assert expand_env(proxy(manifests), secret_data(manifests))["PORT"] == str(port)


@pytest.mark.parametrize("case", CASES)
def test_probes_hit_litellms_health_endpoints_on_the_http_port(case, rendered):
    c = proxy(rendered(case))
    assert c["livenessProbe"]["httpGet"] == {"path": "/health/liveliness", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/health/readiness", "port": "http"}
    assert c["startupProbe"]["httpGet"] == {"path": "/health/readiness", "port": "http"}


@pytest.mark.parametrize("case", CASES)
def test_the_config_map_holds_the_values_functions_proxy_config_and_nothing_of_the_charts_demo(case, rendered):
    manifests = rendered(case)
    config_map = manifests.find("ConfigMap", CONFIG_MAP)
    assert yaml.safe_load(config_map["data"]["config.yaml"]) == build_proxy_config(manifests.settings)
    volumes = {v["name"]: v for v in manifests.find("Deployment")["spec"]["template"]["spec"]["volumes"]}
    mount = {m["mountPath"]: m for m in proxy(manifests)["volumeMounts"]}["/etc/litellm/"]
    assert volumes[mount["name"]]["configMap"]["name"] == CONFIG_MAP
    assert proxy(manifests)["args"] == ["--config", "/etc/litellm/config.yaml"]


@pytest.mark.parametrize("case", CASES)
def test_the_program_selects_the_chart_pods(case, rendered):
    """The NetworkPolicies and the PodDisruptionBudget select both the proxy and the migration pods (all but the
    one for cert-manager's HTTP-01 solver, tests/test_acme_solver.py)."""
    manifests = rendered(case)
    pods = [manifests.find(kind)["spec"]["template"]["metadata"]["labels"] for kind in ("Deployment", "Job")]
    selectors = [
        p["spec"]["podSelector"].get("matchLabels", {})
        for p in manifests.all("NetworkPolicy")
        if p["metadata"]["name"] != "litellm-ingress-acme-solver"
    ]
    assert selectors and all(selector.items() <= labels.items() for selector in selectors for labels in pods)
    for pdb in manifests.all("PodDisruptionBudget"):
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pods[0].items()


def test_the_chart_facts_the_tests_rely_on_are_the_rendered_charts(rendered):
    """tests/chart.py, held to the chart at the pin as Helm renders it."""
    manifests = rendered("prod")
    deployment, job = manifests.find("Deployment"), manifests.find("Job", "litellm-migrations")
    assert deployment["spec"]["selector"]["matchLabels"] == SELECTOR_LABELS
    assert manifests.find("Service")["spec"]["selector"] == SELECTOR_LABELS
    assert deployment["spec"]["template"]["metadata"]["labels"] == POD_LABELS
    assert [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]] == [PROXY_CONTAINER]
    assert job["spec"]["template"]["spec"]["containers"][0]["name"] == MIGRATION_CONTAINER
    assert manifests.find("ConfigMap", CONFIG_MAP)["data"]["config.yaml"]


# --- Hooks and what the chart must not create -----------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_migrations_run_as_the_delivery_modes_hook_before_the_pods(case, rendered):
    manifests = rendered(case)
    job = manifests.manifest("Job", "litellm-migrations")
    annotations = job.object["metadata"]["annotations"]
    assert job.source == "hook"
    if manifests.delivery == "argocd":
        assert annotations["argocd.argoproj.io/hook"] == "PreSync"
        assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
        assert "helm.sh/hook" not in annotations
    else:
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
        assert "argocd.argoproj.io/hook" not in annotations


def test_both_delivery_modes_are_covered(rendered):
    assert {rendered(case).delivery for case in CASES} == {"argocd", "helm"}


@pytest.mark.parametrize("case", CASES)
def test_no_bundled_postgres_or_redis(case, rendered):
    manifests = rendered(case)
    chart_kinds = {m.kind for m in manifests.objects if m.source != "program"}
    assert chart_kinds <= {"ConfigMap", "Deployment", "Service", "Job", "HorizontalPodAutoscaler"}
    names = [m.name for m in manifests.objects]
    assert not [name for name in names if "postgresql" in name or "redis-master" in name or "dbcredentials" in name]
    environment = expand_env(proxy(manifests), secret_data(manifests))
    assert environment["DATABASE_HOST"].startswith(manifests.settings.database.host)


@pytest.mark.parametrize("case", CASES)
def test_the_chart_generates_no_master_key(case, rendered):
    """Without `masterkeySecretName` the chart would make a new random key on every render."""
    assert [m.name for m in rendered(case).objects if m.kind == "Secret" and m.source != "program"] == []


# --- Schemas --------------------------------------------------------------------------------------


def test_every_object_is_valid_in_strict_schema_for_each_supported_kubernetes(rendered):
    """Unknown fields are errors. Custom resources (ArgoCD Application, ServiceMonitor, ...) have no
    bundled schema: tests/test_render.py checks the Application."""
    unique = {}
    for case in CASES:
        for m in rendered(case).objects:
            if not is_custom_resource(m.object):
                unique[json.dumps(m.object, sort_keys=True)] = (case, m)
    errors = [
        f"{case} {m.kind}/{m.name} @ {version}: {error}"
        for case, m in unique.values()
        for version in SUPPORTED_KUBERNETES
        for error in strict_schema_errors(m.object, version)
    ]
    assert errors == []


def test_the_strict_schema_check_rejects_an_unknown_field(rendered):
    deployment = copy.deepcopy(rendered("prod").find("Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["envFrmo"] = []
    assert strict_schema_errors(deployment, SUPPORTED_KUBERNETES[-1])


# --- Every value is one the chart reads -----------------------------------------------------------


def _leaves(tree: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(tree, dict) and tree:
        return [leaf for key, value in tree.items() for leaf in _leaves(value, (*path, key))]
    return [path]


def _perturbed(values: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(values)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    value = parent[path[-1]]
    if isinstance(value, bool):
        parent[path[-1]] = not value
    elif isinstance(value, int | float):
        parent[path[-1]] = value + 1
    elif isinstance(value, str):
        parent[path[-1]] = value + "x"
    elif isinstance(value, list):
        parent[path[-1]] = [*value, "x"]
    else:
        parent[path[-1]] = {"x": "x"}
    return changed


JOB_TEMPLATE = "templates/migrations-job.yaml"
ALL_VALUES_HASH = "checksum/config:"


def unread_values(manifests: Manifests) -> list[str]:
    """The values keys whose change leaves the applied templates' output unchanged: keys the chart ignores.

    A value that makes a template fail is read too. Left out of the comparison: lines that differ
    between two renders of the same values (the chart's random master key, when no
    `masterkeySecretName` is given), and the Job's hash of all values (templates/migrations-job.yaml:19
    at the tag, `checksum/config: {{ toYaml .Values | sha256sum }}`), which changes with any key.
    """

    def render(values: dict[str, Any]) -> dict[str, list[str]]:
        try:
            templates = render_templates(manifests.chart_folder, values, manifests.release_name, manifests.namespace)
        except helm_python.HelmRenderError as error:  # a template failed on the value: it reads it
            return {"error": [str(error)]}
        return {
            name: text.splitlines()
            for name, text in templates.items()
            if name.endswith(".yaml") and "/tests/" not in name
        }

    baseline, again = render(manifests.values), render(manifests.values)
    ignored = {
        (name, i)
        for name, lines in baseline.items()
        for i, line in enumerate(lines)
        if again[name][i : i + 1] != [line]
        or (name.endswith(JOB_TEMPLATE) and line.strip().startswith(ALL_VALUES_HASH))
    }

    def same_as_baseline(output: dict[str, list[str]]) -> bool:
        return output.keys() == baseline.keys() and all(
            len(output[name]) == len(lines)
            and all(line == output[name][i] for i, line in enumerate(lines) if (name, i) not in ignored)
            for name, lines in baseline.items()
        )

    return [
        ".".join(path)
        for path in _leaves(manifests.values)
        if same_as_baseline(render(_perturbed(manifests.values, path)))
    ]


# Between them these set every values key the program writes (ArgoCD and Helm hooks, autoscaling on
# and off, tracing env, TLS to Postgres, the Admin UI switch).
@pytest.mark.parametrize("case", ["prod", "staging-tracing", "dev-autoscaling-tls-no-ui"])
def test_every_values_key_changes_what_the_chart_renders(case, rendered):
    """The chart has no values schema: a misspelt or unsupported key is silently ignored."""
    assert unread_values(rendered(case)) == []


def test_a_renamed_values_key_is_caught(rendered):
    manifests = rendered("prod")
    values = copy.deepcopy(manifests.values)
    values["masterKeySecretName"] = values.pop("masterkeySecretName")
    values["db"]["deployStandAlone"] = values["db"].pop("deployStandalone")
    assert sorted(unread_values(dataclasses.replace(manifests, values=values))) == [
        "db.deployStandAlone",
        "masterKeySecretName",
    ]
