"""Signals that work without a LiteLLM Enterprise licence: a PrometheusRule and a Grafana dashboard.

Pod health comes from kube-state-metrics, the public host's request rate, errors and latency from
the entrance (ingress-nginx or Envoy Gateway export them per host or per route), a failed schema
migration from what outlives the migration Job (the chart deletes it 120 s after it ends).
LiteLLM's own metrics are used only where they exist: with `litellm:licenseKey` and the ServiceMonitor.
Every metric named here is listed in `components/metric_sources.py`.
"""

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS, entrance_object_name, issued_certificates
from components.prometheus_operator import prometheus_operator_object
from components.settings import RELEASE_NAME, Settings
from components.usage_dashboard import USAGE_DASHBOARD_FILE, usage_dashboard

MIGRATION_JOB = f"{RELEASE_NAME}-migrations"
"""The chart's migration Job (templates/migrations-job.yaml: `<fullname>-migrations`)."""
FAILED_MIGRATION_WINDOW = "6h"
"""How long a failed migration keeps alerting after kube-state-metrics last saw the Job, unless a newer Job ran."""
SYNC_FAILURE_WINDOW = "1h"
CERTIFICATE_RENEWAL_DAYS = 21
"""cert-manager renews at 2/3 of the lifetime (30 days before a 90-day certificate expires): with 21 days left,
renewal has failed for 9 days."""
DASHBOARD_FILE = "litellm.json"
DASHBOARD_UID = "litellm-proxy"


def uses_litellm_metrics(settings: Settings) -> bool:
    """LiteLLM exports its own metrics only with a licence, and only a ServiceMonitor scrapes them."""
    return settings.license_key is not None and settings.service_monitor.enabled


def metric_sources(settings: Settings) -> list[str]:
    """The exporters whose metrics the alerts and the dashboard of this stack use."""
    sources = ["kube-state-metrics"]
    if settings.entrance_metrics:
        sources.append(settings.entrance_metrics)
    if settings.delivery == "argocd":
        sources.append("argocd")
    if issued_certificates(settings):
        sources.append("cert-manager")
    if uses_litellm_metrics(settings):
        sources.append("litellm")
    return sources


def _entrance_queries(settings: Settings) -> dict[str, str] | None:
    """PromQL for the public host: all requests, 5xx responses (per second) and p95 seconds."""
    host = settings.public_host
    if settings.entrance_metrics == "ingress-nginx":
        return _traffic_queries(
            f'host="{host}"',
            "nginx_ingress_controller_requests",
            'status=~"5.."',
            "nginx_ingress_controller_request_duration_seconds_bucket",
        )
    if settings.entrance_metrics == "envoy-gateway":
        return _traffic_queries(
            f'envoy_cluster_name=~"httproute/{settings.namespace}/{entrance_object_name("public")}/rule/.*"',
            "envoy_cluster_upstream_rq_xx",
            'envoy_response_code_class="5"',
            "envoy_cluster_upstream_rq_time_bucket",
            to_seconds=" / 1000",
        )
    return None


def _traffic_queries(
    selector: str, requests: str, server_error: str, duration_bucket: str, to_seconds: str = ""
) -> dict[str, str]:
    """Requests and 5xx responses per second from a request counter, p95 seconds from a duration histogram."""
    return {
        "requests": f"sum(rate({requests}{{{selector}}}[5m]))",
        "errors": f"sum(rate({requests}{{{selector},{server_error}}}[5m]))",
        "p95": f"histogram_quantile(0.95, sum by (le) (rate({duration_bucket}{{{selector}}}[5m]))){to_seconds}",
    }


def _pods(settings: Settings) -> dict[str, str]:
    namespace = settings.namespace
    return {
        "available": "sum(kube_deployment_status_replicas_available"
        f'{{namespace="{namespace}",deployment="{RELEASE_NAME}"}})',
        "restarts": "sum by (pod) (increase(kube_pod_container_status_restarts_total"
        f'{{namespace="{namespace}",container="{RELEASE_NAME}"}}[15m]))',
        "migration_failed": _migration_failed(namespace),
    }


def _migration_failed(namespace: str) -> str:
    """The migration Job's last failure is newer than the last Job seen without one.

    kube-state-metrics writes `kube_job_status_failed` without a `reason` (value 0) for a Job with no failed pod,
    and once one failed, a series per failure reason instead (kubernetes/kube-state-metrics@c92fe0c
    internal/store/job.go:205-250). The chart deletes the Job 120 s after it ends (a day with the migration check)
    and a re-run creates it anew under the same name: so the alert compares when each was last seen, over a
    window that outlives the Job, and clears as soon as a re-run Job appears."""
    job = f'namespace="{namespace}",job_name="{MIGRATION_JOB}"'
    window = f"[{FAILED_MIGRATION_WINDOW}:1m]"
    failed = f"max by (namespace, job_name) (max_over_time(timestamp(kube_job_status_failed{{{job}}} > 0){window}))"
    clean = (
        "max by (namespace, job_name) (max_over_time(timestamp("
        f'kube_job_status_failed{{{job},reason=""}} == 0){window}))'
    )
    return f"{failed} > on (namespace, job_name) ({clean} or {failed} * 0)"


def _sync_failed(settings: Settings) -> str:
    """A sync that ended in Error or Failed within the hour. ArgoCD creates the counter's series at its first
    increment (argo-cd@37ee009 controller/metrics/metrics.go:249-255): a first failure is a new series at 1, where
    `increase()` sees no increase, so a series that did not exist an hour ago counts as well."""
    failed = f'argocd_app_sync_total{{name="{RELEASE_NAME}",phase=~"Error|Failed",dry_run="false"}}'
    window = SYNC_FAILURE_WINDOW
    return (
        f"(sum by (name) (increase({failed}[{window}])) > 0)"
        f" or (count by (name) ({failed} unless {failed} offset {window}) > 0)"
    )


def _certificate_alerts(settings: Settings) -> list[dict[str, Any]]:
    rules = []
    for namespace, name in issued_certificates(settings):
        certificate = f'namespace="{namespace}",name="{name}"'
        rules += [
            _alert(
                "LiteLLMCertificateExpiring",
                f"(min(certmanager_certificate_expiration_timestamp_seconds{{{certificate}}}) - time())"
                f" < {CERTIFICATE_RENEWAL_DAYS} * 86400",
                "1h",
                "critical",
                "The LiteLLM certificate is not being renewed",
                f"Certificate {namespace}/{name} expires in less than {CERTIFICATE_RENEWAL_DAYS} days: cert-manager"
                " renews 30 days ahead, so renewal has been failing (HTTP-01: see docs/operations.md). At expiry"
                " every client fails TLS verification.",
            ),
            _alert(
                "LiteLLMCertificateNotReady",
                f'max(certmanager_certificate_ready_status{{{certificate},condition="False"}}) == 1',
                "30m",
                "critical",
                "The LiteLLM certificate is not ready",
                f"Certificate {namespace}/{name} has been not Ready for 30 minutes: without a first certificate the"
                " entrance serves its default one and clients fail TLS verification (kubectl describe certificate).",
            ),
        ]
    return rules


def _alert(name: str, expr: str, duration: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def alert_rules(settings: Settings) -> list[dict[str, Any]]:
    pods = _pods(settings)
    namespace = settings.namespace
    # The chart deletes the Job 120 s after it ends; with the migration check the program keeps it a day.
    kept = "a day" if settings.migration_check.enabled else "120 s"
    rules = [
        _alert(
            "LiteLLMNoReadyPods",
            f"({pods['available']} or vector(0)) < 1",
            "5m",
            "critical",
            "No LiteLLM proxy pod is ready",
            f"Deployment {namespace}/{RELEASE_NAME} has no available replica: every request fails.",
        ),
        _alert(
            "LiteLLMPodsRestarting",
            f"{pods['restarts']} > 2",
            "0m",
            "warning",
            "A LiteLLM proxy pod keeps restarting",
            "Pod {{ $labels.pod }} restarted more than twice in 15 minutes (crash loop, OOM kill or failing probes).",
        ),
        _alert(
            "LiteLLMMigrationFailed",
            f"{pods['migration_failed']} > 0",
            "0m",
            "critical",
            "The LiteLLM schema migration failed",
            f"Job {namespace}/{MIGRATION_JOB} failed and has not run again since (the Job itself is deleted {kept}"
            f" after it ends; the alert lasts {FAILED_MIGRATION_WINDOW} after that): the schema is not what the image"
            " needs, see docs/operations.md.",
        ),
    ]
    if settings.delivery == "argocd":
        rules.append(
            _alert(
                "LiteLLMSyncFailed",
                _sync_failed(settings),
                "0m",
                "critical",
                "The LiteLLM Application failed to sync",
                f"ArgoCD Application {settings.argocd.namespace}/{RELEASE_NAME} ended a sync in Error or Failed within"
                " the last hour (a failed PreSync migration hook ends the sync so).",
            )
        )
    rules += _certificate_alerts(settings)
    queries = _entrance_queries(settings)
    if queries:
        host = settings.public_host
        rules += [
            _alert(
                "LiteLLMPublicErrorRate",
                f"({queries['errors']} / {queries['requests']}) > 0.05",
                "10m",
                "critical",
                "More than 5% of requests to the public host fail with 5xx",
                f"https://{host} answers more than 5% of requests with a 5xx status (entrance metrics).",
            ),
            _alert(
                "LiteLLMPublicSlow",
                f"{queries['p95']} > {settings.monitoring.p95_latency_seconds:g}",
                "15m",
                "warning",
                "The public host is slow",
                f"The 95th percentile request duration at https://{host} is above"
                f" {settings.monitoring.p95_latency_seconds:g} s.",
            ),
        ]
    if uses_litellm_metrics(settings):
        rules.append(
            _alert(
                "LiteLLMProviderOutage",
                "max(litellm_deployment_state) == 2",
                "5m",
                "critical",
                "A model deployment is in outage",
                "LiteLLM reports a deployment in outage state (litellm_deployment_state 2): its provider fails.",
            )
        )
    return rules


def _panel(panel_id: int, title: str, expr: str, unit: str, x: int, y: int) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": "A", "expr": expr, "datasource": {"type": "prometheus", "uid": "${datasource}"}}],
    }


def dashboard(settings: Settings) -> dict[str, Any]:
    pods = _pods(settings)
    panels = [
        ("Available proxy replicas", pods["available"], "short"),
        ("Container restarts (15 min)", pods["restarts"], "short"),
    ]
    queries = _entrance_queries(settings)
    if queries:
        panels += [
            ("Requests to the public host", queries["requests"], "reqps"),
            ("5xx share at the public host", f"{queries['errors']} / {queries['requests']}", "percentunit"),
            ("p95 request duration at the public host", queries["p95"], "s"),
        ]
    if uses_litellm_metrics(settings):
        panels += [
            ("LiteLLM requests", "sum(rate(litellm_proxy_total_requests_metric_total[5m]))", "reqps"),
            ("LiteLLM failed requests", "sum(rate(litellm_proxy_failed_requests_metric_total[5m]))", "reqps"),
            (
                "LiteLLM p95 total latency",
                "histogram_quantile(0.95, sum by (le) (rate(litellm_request_total_latency_metric_bucket[5m])))",
                "s",
            ),
        ]
    return {
        "uid": DASHBOARD_UID,
        "title": f"LiteLLM ({settings.namespace})",
        "tags": ["litellm"],
        "timezone": "browser",
        "schemaVersion": 39,
        "editable": False,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus"},
            ]
        },
        "panels": [
            _panel(index + 1, title, expr, unit, 12 * (index % 2), 8 * (index // 2))
            for index, (title, expr, unit) in enumerate(panels)
        ],
    }


class LiteLLMMonitoring(pulumi.ComponentResource):
    """The optional PrometheusRule and Grafana dashboard ConfigMap."""

    def __init__(
        self, name: str, settings: Settings, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("litellm:index:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        monitoring = settings.monitoring
        outputs = {}
        if monitoring.alerts:
            prometheus_operator_object(
                f"{name}-alerts",
                "PrometheusRule",
                namespace,
                monitoring.rule_labels,
                {"groups": [{"name": "litellm", "rules": alert_rules(settings)}]},
                child,
            )
            outputs["prometheusRule"] = RELEASE_NAME
        if monitoring.dashboard:
            k8s.core.v1.ConfigMap(
                f"{name}-dashboard",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"{RELEASE_NAME}-{settings.namespace}-dashboard",
                    namespace=monitoring.dashboard_namespace,
                    labels={**PROGRAM_LABELS, **monitoring.dashboard_labels},
                ),
                data={
                    DASHBOARD_FILE: json.dumps(dashboard(settings), indent=2, sort_keys=True),
                    USAGE_DASHBOARD_FILE: json.dumps(usage_dashboard(settings), indent=2, sort_keys=True),
                },
                opts=child,
            )
            outputs["dashboard"] = DASHBOARD_UID
        self.register_outputs(outputs)
