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
- `argocd`: the application controller's sync counter (argo-cd docs/operator-manual/metrics.md).
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
