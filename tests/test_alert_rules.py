"""Every alert fires and clears under Prometheus' own rule engine (`promtool test rules`).

For each monitored variant (prod on ingress-nginx, prod on a Gateway API entrance, both without a LiteLLM
licence, and a licensed one) the program's rules are written to a rule file, and each alert gets a scenario:
input series shaped like its exporter writes them (label sets from the exporters' code, cited in
components/metric_sources.py), a time where the alert must fire with the expected labels and annotations, and a
time where it must have cleared. A scenario may only feed metrics the stack's sources export, so a rule that
names a metric no exporter emits cannot be made to fire and fails here; an alert without a scenario fails too.

promtool is built from its Go module by `bash scripts/setup.sh` (tools/promtool pins the version).
"""

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.layout import issued_certificates
from components.metric_sources import DURATION_BUCKETS_SECONDS, METRIC_SOURCES
from components.monitoring import alert_rules, metric_sources
from components.settings import Settings
from tests.test_monitoring import VARIANTS, _prod

PROMTOOL_MODULE = Path(__file__).resolve().parents[1] / "tools" / "promtool"


def promtool_binary() -> Path:
    """Where scripts/setup.sh puts promtool: a cache folder keyed by the module's pins."""
    pins = hashlib.sha256(b"".join((PROMTOOL_MODULE / name).read_bytes() for name in ("go.mod", "go.sum")))
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "litellm-pulumi" / "promtool" / pins.hexdigest()[:16] / "promtool"


@dataclass
class Scenario:
    """Input series, and the labels the alert fires with at `fire` minutes and no alert at `clear` minutes."""

    series: dict[str, str]
    fire: int
    clear: int
    labels: dict[str, str] = field(default_factory=dict)
    still_firing: list[int] = field(default_factory=list)
    """More times (minutes) at which the alert must still fire."""


def _selector(metric: str, **labels: str) -> str:
    return metric + "{" + ",".join(f'{key}="{value}"' for key, value in labels.items()) + "}"


def scenarios(settings: Settings) -> dict[str, list[Scenario]]:
    ns, host = settings.namespace, settings.public_host
    job = {"namespace": ns, "job_name": "litellm-migrations"}
    found: dict[str, list[Scenario]] = {
        "LiteLLMNoReadyPods": [
            Scenario(
                {
                    _selector(
                        "kube_deployment_status_replicas_available", namespace=ns, deployment="litellm"
                    ): "3 3 0x15 3x10"
                },
                fire=10,
                clear=25,
            )
        ],
        "LiteLLMPodsRestarting": [
            Scenario(
                {
                    _selector(
                        "kube_pod_container_status_restarts_total",
                        namespace=ns,
                        pod="litellm-7d9f-abcde",
                        container="litellm",
                    ): "0 0 1 2 3 4 4x40"
                },
                fire=6,
                clear=40,
                labels={"pod": "litellm-7d9f-abcde"},
            )
        ],
        # The Job runs (no failure: a series without `reason`), fails at 3 min (a series per failure reason,
        # kube-state-metrics internal/store/job.go:205-250), is deleted at 6 min, and runs again at 30 min.
        "LiteLLMMigrationFailed": [
            Scenario(
                {
                    _selector("kube_job_status_failed", **job): "0 0 0 stale _x26 0x20",
                    _selector("kube_job_status_failed", **job, reason="BackoffLimitExceeded"): "_ _ _ 1 1 1 stale",
                    _selector("kube_job_status_failed", **job, reason="DeadlineExceeded"): "_ _ _ 0 0 0 stale",
                },
                fire=4,
                clear=32,
                labels=job,
                still_firing=[10, 25],
            )
        ],
    }
    if settings.delivery == "argocd":
        app = {"namespace": settings.argocd.namespace, "name": "litellm", "project": "default"}
        app["dest_server"] = "https://kubernetes.default.svc"
        found["LiteLLMSyncFailed"] = [
            # The first failed sync: the series is born at 1 (argo-cd controller/metrics/metrics.go:249-255).
            Scenario(
                {
                    _selector("argocd_app_sync_total", **app, phase="Succeeded", dry_run="false"): "1+1x90",
                    _selector("argocd_app_sync_total", **app, phase="Failed", dry_run="false"): "_x10 1x80",
                },
                fire=12,
                clear=75,
                labels={"name": "litellm"},
            ),
            # A later failure of a series that exists already.
            Scenario(
                {_selector("argocd_app_sync_total", **app, phase="Error", dry_run="false"): "1x10 2x80"},
                fire=12,
                clear=75,
                labels={"name": "litellm"},
            ),
        ]
    for namespace, name in issued_certificates(settings):
        certificate = {"name": name, "namespace": namespace}
        issuer = {"issuer_name": "letsencrypt-prod", "issuer_kind": "ClusterIssuer", "issuer_group": "cert-manager.io"}
        days = 86400
        found.setdefault("LiteLLMCertificateExpiring", []).append(
            Scenario(
                # promtool's clock starts at 0: 20 days left, renewed at 3 h to 90 days.
                {
                    _selector(
                        "certmanager_certificate_expiration_timestamp_seconds", **certificate, **issuer
                    ): f"{20 * days}x180 {90 * days}x60"
                },
                fire=120,
                clear=200,
            )
        )
        found.setdefault("LiteLLMCertificateNotReady", []).append(
            Scenario(
                {
                    _selector(
                        "certmanager_certificate_ready_status", **certificate, condition="False", **issuer
                    ): "1x60 0x30",
                    _selector(
                        "certmanager_certificate_ready_status", **certificate, condition="True", **issuer
                    ): "0x60 1x30",
                },
                fire=45,
                clear=70,
            )
        )
    found.update(_entrance_scenarios(settings, host))
    if "litellm" in metric_sources(settings):
        found["LiteLLMProviderOutage"] = [
            Scenario(
                {
                    _selector(
                        "litellm_deployment_state", litellm_model_name="gpt-4o", api_provider="openai"
                    ): "0x5 2x10 0x10"
                },
                fire=12,
                clear=20,
            )
        ]
    return found


def _entrance_scenarios(settings: Settings, host: str | None) -> dict[str, list[Scenario]]:
    if settings.entrance_metrics == "ingress-nginx":
        requests = "nginx_ingress_controller_requests"
        by_status = [({"status": "200"}, "0+100x80"), ({"status": "502"}, "0+0x5 0+10x25 250+0x50")]
        duration, where, scale = "nginx_ingress_controller_request_duration_seconds_bucket", {"host": str(host)}, 1.0
    else:
        requests = "envoy_cluster_upstream_rq_xx"
        by_status = [
            ({"envoy_response_code_class": "2"}, "0+100x80"),
            ({"envoy_response_code_class": "5"}, "0+0x5 0+10x25 250+0x50"),
        ]
        route = f"httproute/{settings.namespace}/litellm-public/rule/0"
        duration, where, scale = "envoy_cluster_upstream_rq_time_bucket", {"envoy_cluster_name": route}, 1000.0
    # 10% of requests slower than every finite bucket for 40 min, then all within 1 s: the 95th percentile is
    # the largest finite bound (the default buckets of the source), then below 1 s.
    largest = max(DURATION_BUCKETS_SECONDS[str(settings.entrance_metrics)])
    fast, slow = f"{1 * scale:g}", f"{largest * scale:g}"
    buckets = {fast: "0+90x40 3600+100x40", slow: "0+90x40 3600+100x40", "+Inf": "0+100x40 4000+100x40"}
    return {
        "LiteLLMPublicErrorRate": [
            Scenario(
                {_selector(requests, **where, **labels): values for labels, values in by_status}, fire=27, clear=50
            )
        ],
        "LiteLLMPublicSlow": [
            Scenario({_selector(duration, **where, le=le): values for le, values in buckets.items()}, fire=25, clear=70)
        ],
    }


def _annotations(rule: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    def expand(text: str) -> str:
        return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda match: labels[match.group(1)], text)

    return {key: expand(value) for key, value in rule["annotations"].items()}


def _metric_name(selector: str) -> str:
    return selector.split("{", 1)[0]


def promtool_test_file(settings: Settings, rule_file: str) -> dict[str, Any]:
    rules = {rule["alert"]: rule for rule in alert_rules(settings)}
    tests = []
    for alert, cases in scenarios(settings).items():
        rule = rules[alert]
        for case in cases:
            labels = {**case.labels, **rule["labels"]}
            firing = {"exp_labels": labels, "exp_annotations": _annotations(rule, labels)}
            checks = [
                {"eval_time": f"{minute}m", "alertname": alert, "exp_alerts": [firing]}
                for minute in [case.fire, *case.still_firing]
            ]
            checks.append({"eval_time": f"{case.clear}m", "alertname": alert, "exp_alerts": []})
            series = [{"series": selector, "values": values} for selector, values in case.series.items()]
            tests.append({"name": alert, "interval": "1m", "input_series": series, "alert_rule_test": checks})
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


PROMTOOL_VARIANTS = {
    "ingress-nginx": VARIANTS["prod"],
    "gateway-api": VARIANTS["prod-gateway"],
    "licensed": VARIANTS["prod-licensed"],
}


@pytest.fixture(scope="module")
def promtool() -> Path:
    binary = promtool_binary()
    assert binary.is_file(), (
        f"{binary} is missing: run `bash scripts/setup.sh` (it builds promtool from tools/promtool)"
    )
    return binary


@pytest.mark.parametrize("variant", PROMTOOL_VARIANTS)
def test_every_alert_fires_and_clears_in_prometheus_rule_engine(promtool, tmp_path, variant):
    settings = _prod(**PROMTOOL_VARIANTS[variant])
    assert {rule["alert"] for rule in alert_rules(settings)} == set(scenarios(settings)), "an alert without a scenario"
    exported = set().union(*(METRIC_SOURCES[source] for source in metric_sources(settings)))
    fed = {
        _metric_name(selector) for cases in scenarios(settings).values() for case in cases for selector in case.series
    }
    assert fed <= exported, f"the scenarios feed metrics no source of this stack exports: {sorted(fed - exported)}"
    (tmp_path / "rules.yaml").write_text(
        yaml.safe_dump({"groups": [{"name": "litellm", "rules": alert_rules(settings)}]})
    )
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(promtool_test_file(settings, "rules.yaml"), sort_keys=False))
    result = subprocess.run(
        [str(promtool), "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_a_rule_on_a_metric_no_exporter_emits_cannot_pass(promtool, tmp_path):
    """The engine check is not vacuous: a rule on a metric outside the sources gets no series and never fires."""
    settings = _prod(**PROMTOOL_VARIANTS["ingress-nginx"])
    rule = {**alert_rules(settings)[0], "expr": "(sum(litellm_proxy_ready_replicas) or vector(3)) < 1"}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "litellm", "rules": [rule]}]}))
    test_file = promtool_test_file(settings, "rules.yaml")
    test_file["tests"] = [t for t in test_file["tests"] if t["name"] == rule["alert"]][:1]
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test_file, sort_keys=False))
    result = subprocess.run(
        [str(promtool), "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0 and "LiteLLMNoReadyPods" in result.stdout + result.stderr
