"""The LiteLLM proxy on Kubernetes: one component that owns every resource of the deployment."""

from typing import Any

import pulumi

from components.access import LiteLLMAccess
from components.admin_ui_off import LiteLLMAdminUIOff
from components.availability import LiteLLMAvailability
from components.canary import canary_values
from components.canary_entrance import canary_alert
from components.delivery import ArgoCDApplication, HelmRelease
from components.entrance import LiteLLMEntrance
from components.layout import program_secret_names, secret_layout, service_host
from components.monitoring import LiteLLMMonitoring
from components.namespace import LiteLLMNamespace
from components.network import LiteLLMNetworkPolicies
from components.prometheus_operator import prometheus_operator_object
from components.secrets import LiteLLMSecrets
from components.settings import CANARY_RELEASE_NAME, Settings
from components.values import build_chart_values


class LiteLLM(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    service_host: str
    """In-cluster DNS name of the chart's Service."""
    service_port: int
    in_cluster_url: str
    public_url: str | None
    chart: dict[str, str]
    """Where the chart comes from: `repoUrl`, `path` and `ref`."""
    delivery: str
    secret_names: dict[str, Any]
    """The Secret the program writes for each kind of credential, by name only."""
    master_key: pulumi.Output[str | None]
    """The proxy's master key, a secret output."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("litellm:index:LiteLLM", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        layout = secret_layout(settings)

        namespace = LiteLLMNamespace(f"{name}-namespace", settings.namespace, opts=child)
        secrets = LiteLLMSecrets(f"{name}-secrets", settings, layout, namespace.name, opts=child)
        access = LiteLLMAccess(
            f"{name}-access", settings.rbac, program_secret_names(layout), namespace.name, opts=child
        )
        values = build_chart_values(settings, secrets_revision=secrets.revision, layout=layout)
        prerequisites: list[pulumi.Resource] = [namespace, secrets, access]
        if settings.network_policy.enabled:
            prerequisites.append(
                LiteLLMNetworkPolicies(f"{name}-network-policies", settings, namespace.name, opts=child)
            )
        if not settings.ui.enabled:
            prerequisites.append(LiteLLMAdminUIOff(f"{name}-admin-ui-off", namespace.name, opts=child))
        LiteLLMAvailability(f"{name}-availability", settings, namespace.name, opts=child)
        if settings.entrance.enabled:
            LiteLLMEntrance(f"{name}-entrance", settings, namespace.name, opts=child)
        if settings.monitoring.alerts or settings.monitoring.dashboard:
            LiteLLMMonitoring(f"{name}-monitoring", settings, namespace.name, opts=child)

        # The migration Job runs first in either mode, so its Secrets and its egress must exist before.
        if settings.delivery == "argocd":
            ArgoCDApplication(f"{name}-application", settings, values, depends_on=prerequisites, opts=child)
        else:
            HelmRelease(f"{name}-release", settings, values, namespace.name, depends_on=prerequisites, opts=child)
        if settings.canary.enabled:  # a second release of a newer LiteLLM (components/canary.py)
            canary = canary_values(settings, secrets_revision=secrets.revision, layout=layout)
            if settings.delivery == "argocd":
                ArgoCDApplication(
                    f"{name}-canary-application", settings, canary, prerequisites, child, CANARY_RELEASE_NAME
                )
            else:
                HelmRelease(
                    f"{name}-canary-release",
                    settings,
                    canary,
                    namespace.name,
                    prerequisites,
                    child,
                    CANARY_RELEASE_NAME,
                )
            if settings.monitoring.alerts and settings.entrance.enabled and settings.entrance.type == "ingress":
                prometheus_operator_object(
                    f"{name}-canary-alerts",
                    "PrometheusRule",
                    namespace.name,
                    settings.monitoring.rule_labels,
                    {"groups": [{"name": "litellm-canary", "rules": [canary_alert(settings)]}]},
                    child,
                    CANARY_RELEASE_NAME,
                )

        self.namespace = namespace.name
        self.service_host = service_host(settings)
        self.service_port = settings.service.port
        self.in_cluster_url = f"http://{self.service_host}:{self.service_port}"
        self.public_url = settings.public_url
        self.chart = {"repoUrl": settings.chart.repo_url, "path": settings.chart.path, "ref": settings.chart.ref}
        self.delivery = settings.delivery
        self.secret_names = {
            "masterKey": layout.master_key,
            "saltKey": layout.salt_key,
            "database": layout.database,
            "providerKeys": sorted(set(layout.provider_keys.values())),
            "redis": layout.redis,
            "tracing": layout.tracing,
            "license": layout.license,
        }
        self.master_key = secrets.master_key
        self.register_outputs(
            {"namespace": self.namespace, "inClusterUrl": self.in_cluster_url, "masterKey": self.master_key}
        )
