"""Facts of the litellm-helm chart at the pin (`components.versions.CHART_REF`) that the tests rely on,
in one place, each with the file and line at the tag that makes it so. Release `litellm`, as both
delivery modes install it. `tests/test_chart.py` holds each fact to the chart as Helm renders it; why
the program depends on them is in docs/chart-contract.md."""

RELEASE = "litellm"
CHART_VERSION = "0.4.5"
"""Chart.yaml:21."""
CHART_APP_VERSION = "v1.50.2"
"""Chart.yaml:27 (the chart's own, not the image the program runs)."""
SELECTOR_LABELS = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": RELEASE}
"""templates/_helpers.tpl:48-51: the Deployment's matchLabels and the Service's selector."""
POD_LABELS = {
    "helm.sh/chart": f"litellm-helm-{CHART_VERSION}",
    **SELECTOR_LABELS,
    "app.kubernetes.io/version": CHART_APP_VERSION,
    "app.kubernetes.io/managed-by": "Helm",
}
"""templates/_helpers.tpl:36-43: the full label set of the proxy pods."""
PROXY_CONTAINER = "litellm"
"""templates/deployment.yaml:39."""
MIGRATION_CONTAINER = "prisma-migrations"
"""templates/migrations-job.yaml:32."""
CONFIG_MAP = "litellm-config"
"""templates/configmap-litellm.yaml:5: the release's full name and `-config`."""
