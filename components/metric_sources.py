"""The metrics each source exports, as Prometheus sees them: alerts and the dashboard name no other.

Only what exists without a LiteLLM Enterprise licence, except the `litellm` source:
- `kube-state-metrics`: Deployment, Pod and Job state (kubernetes/kube-state-metrics,
  docs/metrics/workload/deployment-metrics.md, pod-metrics.md, job-metrics.md; label `job_name`).
- `ingress-nginx`: per-host request counter and duration histogram of the controller
  (kubernetes/ingress-nginx, internal/ingress/metric/collectors/socket.go: `requests` and
  `request_duration_seconds` under the `nginx_ingress_controller` namespace, label `host` with
  `--metrics-per-host`, the default).
- `envoy-gateway`: Envoy's cluster statistics; Envoy Gateway names an HTTPRoute rule's cluster
  `httproute/<namespace>/<name>/rule/<index>` (envoyproxy/gateway,
  charts/gateway-addons-helm/dashboards/envoy-clusters.json); `upstream_rq_time` is in milliseconds.
- `argocd`: the application controller's sync counter (argoproj/argo-cd@37ee009
  controller/metrics/metrics.go:72-77, incremented once a sync completes, :249-255).
- `cert-manager`: the controller's certificate collector, per Certificate (cert-manager@2d0d7f7
  internal/collectors/certificate_collector.go:30, 33).
- `litellm`: LiteLLM's own Prometheus metrics, created only with a licence (litellm-enterprise
  0.1.19, litellm_enterprise/integrations/prometheus.py); counters gain `_total` when exported.
  tests/test_monitoring.py checks these names against the installed package.
"""

METRIC_SOURCES: dict[str, frozenset[str]] = {
    "kube-state-metrics": frozenset(
        {
            "kube_deployment_status_replicas_available",
            "kube_deployment_spec_replicas",
            "kube_pod_container_status_restarts_total",
            "kube_job_status_failed",
        }
    ),
    "cert-manager": frozenset(
        {"certmanager_certificate_expiration_timestamp_seconds", "certmanager_certificate_ready_status"}
    ),
    "ingress-nginx": frozenset(
        {
            "nginx_ingress_controller_requests",
            "nginx_ingress_controller_request_duration_seconds_bucket",
            "nginx_ingress_controller_request_duration_seconds_sum",
            "nginx_ingress_controller_request_duration_seconds_count",
        }
    ),
    "envoy-gateway": frozenset(
        {
            "envoy_cluster_upstream_rq_xx",
            "envoy_cluster_upstream_rq_time_bucket",
            "envoy_cluster_upstream_rq_time_sum",
            "envoy_cluster_upstream_rq_time_count",
        }
    ),
    "argocd": frozenset({"argocd_app_sync_total"}),
    "litellm": frozenset(
        {
            "litellm_proxy_total_requests_metric_total",
            "litellm_proxy_failed_requests_metric_total",
            "litellm_request_total_latency_metric_bucket",
            "litellm_deployment_state",
        }
    ),
}

# fmt: off
ENVOY_DEFAULT_BUCKETS_MS = (
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000,
    2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
)
# fmt: on
DURATION_BUCKETS_SECONDS: dict[str, tuple[float, ...]] = {
    # `--time-buckets` default, prometheus.DefBuckets (kubernetes/ingress-nginx@dbb11b9 pkg/flags/flags.go:186).
    "ingress-nginx": (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    # Envoy's default histogram buckets in ms (envoyproxy/envoy source/common/stats/histogram_impl.cc,
    # `HistogramSettingsImpl::defaultBuckets`: 0.5 ... 3600000), in seconds.
    "envoy-gateway": tuple(ms / 1000 for ms in ENVOY_DEFAULT_BUCKETS_MS),
}
"""The finite bucket bounds of each source's request-duration histogram by default: a quantile never exceeds the
largest, so an alert on a higher threshold can never fire."""
