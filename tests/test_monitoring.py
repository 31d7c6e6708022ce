"""Alerts and the dashboard: valid PromQL over metrics their sources really export, a dashboard Grafana reads.

Every expression is parsed with promql-parser and its metric names are checked against
`components/metric_sources.py`; the dashboard is decoded and re-encoded by the pinned
grafana-foundation-sdk model, and nothing may be lost on the way.
"""

import json
import subprocess
from typing import Any

import promql_parser
import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

from components.config import ConfigError, settings_from_config
from components.metric_sources import METRIC_SOURCES
from components.monitoring import DASHBOARD_FILE, alert_rules, dashboard, metric_sources
from components.risks import risk_warnings
from components.settings import SECRET_CONFIG_KEYS, Settings
from offline.harness import encode_config_value, stack_config
from tests.conftest import SECRETS, run_stack
from tests.runtime.tools import HELPERS, RUNTIME_PYTHON, check_runtime_venv
from tests.test_entrance import GATEWAY_WITH_INTERNAL, SEED_HOST

register_default_plugins()

MONITORED = {"alerts": True, "dashboard": True}
# ingress-nginx's duration histogram ends at 10 s: a p95 threshold must lie below it.
NGINX_MONITORED = {**MONITORED, "p95LatencySeconds": 8}
VARIANTS = {
    "prod": {"monitoring": NGINX_MONITORED},
    "prod-gateway": {"monitoring": MONITORED, "entrance": GATEWAY_WITH_INTERNAL},
    "prod-licensed": {
        "monitoring": NGINX_MONITORED,
        "serviceMonitor": {"enabled": True},
        "licenseKey": "litellm-licence-FAKE",
    },
    "helm-without-entrance": {"monitoring": MONITORED, "entrance": {"enabled": False}, "delivery": "helm"},
}


def _prod(**keys: Any) -> Settings:
    """Settings of the prod stack file with `keys` (without the `litellm:` prefix) on top."""
    config, secret_keys = stack_config("prod", SECRETS)
    config.update({f"litellm:{key}": encode_config_value(value) for key, value in keys.items()})
    secret_keys += [f"litellm:{key}" for key in keys if key in SECRET_CONFIG_KEYS]
    return settings_from_config(config, secret_keys, stack="prod")


def _expressions(settings) -> list[str]:
    exprs = [rule["expr"] for rule in alert_rules(settings)]
    exprs += [target["expr"] for panel in dashboard(settings)["panels"] for target in panel["targets"]]
    return exprs


def metric_names(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name in {expr}"
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_expression_parses_and_names_only_metrics_its_sources_export(variant):
    settings = _prod(**VARIANTS[variant])
    exported = set().union(*(METRIC_SOURCES[source] for source in metric_sources(settings)))
    for expr in _expressions(settings):
        assert metric_names(expr), expr
        assert metric_names(expr) <= exported, (expr, metric_names(expr) - exported)


def test_a_metric_outside_the_chosen_sources_is_caught():
    settings = _prod(**VARIANTS["prod"])
    exported = set().union(*(METRIC_SOURCES[source] for source in metric_sources(settings)))
    assert not metric_names("max(litellm_deployment_state) == 2") <= exported


def test_only_a_licensed_stack_uses_litellm_metrics():
    assert "litellm" in metric_sources(_prod(**VARIANTS["prod-licensed"]))
    settings = _prod(**VARIANTS["prod"])
    assert "litellm" not in metric_sources(settings)
    assert not any(name.startswith("litellm_") for expr in _expressions(settings) for name in metric_names(expr))


def test_a_malformed_expression_fails_to_parse():
    with pytest.raises(Exception):  # noqa: B017 - the parser raises a plain exception type
        promql_parser.parse("sum(rate(nginx_ingress_controller_requests[5m])")


def test_prod_alerts_page_on_the_signals_a_team_needs():
    rules = {rule["alert"]: rule for rule in alert_rules(_prod(**VARIANTS["prod"]))}
    assert set(rules) == {
        "LiteLLMNoReadyPods",
        "LiteLLMPodsRestarting",
        "LiteLLMMigrationFailed",
        "LiteLLMSyncFailed",
        "LiteLLMPublicErrorRate",
        "LiteLLMPublicSlow",
        "LiteLLMCertificateExpiring",
        "LiteLLMCertificateNotReady",
    }
    assert f'host="{SEED_HOST}"' in rules["LiteLLMPublicErrorRate"]["expr"]
    assert f'host="{SEED_HOST}"' in rules["LiteLLMPublicSlow"]["expr"]


def test_failed_migration_alert_outlives_the_job():
    """The chart deletes the Job 120 s after it ends: the alert reads a window far longer than that."""
    (rule,) = [r for r in alert_rules(_prod(**VARIANTS["prod"])) if r["alert"] == "LiteLLMMigrationFailed"]
    parsed = promql_parser.parse(rule["expr"])
    windows: list[float] = []

    def visit(node: Any) -> None:
        if isinstance(node, (promql_parser.MatrixSelector, promql_parser.SubqueryExpr)) and node.range:
            windows.append(node.range.total_seconds())

    promql_parser.walk(parsed, visit)
    assert windows and min(windows) >= 3600
    assert 'job_name="litellm-migrations"' in rule["expr"]


def test_gateway_entrance_alerts_on_the_public_routes_envoy_clusters():
    """The alerts name the public HTTPRoute the program creates (Envoy Gateway's cluster name carries it)."""
    overrides = {f"litellm:{key}": value for key, value in VARIANTS["prod-gateway"].items()}
    run = run_stack("prod", overrides)
    routes = [r for r in run.of_type("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")]
    public = [r for r in routes if r.name.endswith("-public-route")]
    assert len(public) == 1, [r.name for r in routes]
    metadata = public[0].inputs["metadata"]
    rules = {rule["alert"]: rule for rule in alert_rules(_prod(**VARIANTS["prod-gateway"]))}
    for alert in ("LiteLLMPublicErrorRate", "LiteLLMPublicSlow"):
        assert f"httproute/{metadata['namespace']}/{metadata['name']}/rule/" in rules[alert]["expr"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_dashboard_round_trips_through_the_grafana_model_with_no_key_lost(variant):
    original = dashboard(_prod(**VARIANTS[variant]))
    decoded = json.loads(json.dumps(Dashboard.from_json(original), cls=JSONEncoder))
    assert lost_keys(original, decoded) == []


def test_the_round_trip_check_sees_a_key_grafana_does_not_know():
    original = dashboard(_prod(**VARIANTS["prod"]))
    original["panels"][0]["quer"] = "typo"
    decoded = json.loads(json.dumps(Dashboard.from_json(original), cls=JSONEncoder))
    assert lost_keys(original, decoded) == ["panels[0].quer"]


def lost_keys(original: Any, decoded: Any, path: str = "") -> list[str]:
    """Keys (and changed values) of `original` that `decoded` does not carry."""
    if isinstance(original, dict):
        if not isinstance(decoded, dict):
            return [path]
        lost: list[str] = []
        for key, value in original.items():
            where = f"{path}.{key}" if path else key
            lost += [where] if key not in decoded else lost_keys(value, decoded[key], where)
        return lost
    if isinstance(original, list):
        if not isinstance(decoded, list) or len(decoded) != len(original):
            return [path]
        return [
            item
            for index, value in enumerate(original)
            for item in lost_keys(value, decoded[index], f"{path}[{index}]")
        ]
    return [] if original == decoded else [path]


def test_program_registers_the_rule_and_the_dashboard_configmap_for_the_sidecar():
    run = run_stack(
        "prod", {"litellm:monitoring": {**NGINX_MONITORED, "ruleLabels": {"release": "kube-prometheus-stack"}}}
    )
    assert run.error is None, run.error
    (rule,) = [r.inputs for r in run.registrations if r.type == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"]
    assert rule["metadata"]["namespace"] == "litellm"
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    (config_map,) = [r.inputs for r in run.registrations if r.type == "kubernetes:core/v1:ConfigMap"]
    assert config_map["metadata"]["namespace"] == "monitoring"
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(config_map["data"][DASHBOARD_FILE])["uid"] == "litellm-proxy"


def test_monitoring_is_off_by_default():
    run = run_stack("prod", {"litellm:monitoring": None})
    assert run.error is None, run.error
    assert not [r for r in run.registrations if r.type.endswith(":PrometheusRule") or r.type.endswith(":ConfigMap")]


def test_prod_has_alerts_a_default_kube_prometheus_stack_loads():
    """kube-prometheus-stack selects rules by `release: <its release>` unless told otherwise."""
    run = run_stack("prod")
    assert run.error is None, run.error
    (rule,) = [r.inputs for r in run.registrations if r.type == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"]
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert len(rule["spec"]["groups"][0]["rules"]) >= 6


def test_a_latency_threshold_the_histogram_cannot_reach_is_refused():
    with pytest.raises(ConfigError) as error:
        _prod(monitoring=MONITORED)
    (problem,) = error.value.problems
    assert problem.startswith("litellm:monitoring.p95LatencySeconds: 60 can never fire")
    assert "ends at 10 s" in problem
    buckets = [0.5, 1, 5, 10, 30, 60, 120, 300]
    assert _prod(monitoring={**MONITORED, "entranceTimeBuckets": buckets}).monitoring.p95_latency_seconds == 60


@pytest.mark.runtime
def test_the_litellm_metrics_listed_are_ones_litellm_enterprise_creates():
    """Read from the installed litellm-enterprise (the runtime tier's LiteLLM 1.76.1), not restated."""
    check_runtime_venv()
    result = subprocess.run(
        [str(RUNTIME_PYTHON), str(HELPERS / "litellm_metrics.py")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    created = set(json.loads(result.stdout))
    assert "litellm_proxy_total_requests_metric_total" in created
    assert METRIC_SOURCES["litellm"] <= created, METRIC_SOURCES["litellm"] - created


def test_alerts_without_a_release_label_warn_in_preview():
    settings = _prod(monitoring=NGINX_MONITORED)
    assert any("ruleLabels has no `release` label" in warning for warning in risk_warnings(settings, "prod"))
    assert not any("ruleLabels" in warning for warning in risk_warnings(_prod(), "prod"))
