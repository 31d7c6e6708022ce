"""The root of the contract: every `litellm:` stack config key, its type, default and meaning.

The config reference in docs/configuration.md is generated from these models (`python -m scripts.config_reference`).
Defaults are the seed's production values, except the pins (chart ref, image tag), which come from
components/versions.py.
"""

from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import Field, PrivateAttr, SecretStr, ValidationInfo, model_validator

from components.kube_types import Count, DnsLabel, EnvName, HeaderName, HttpsUrl, Integer
from components.settings.backends import DatabaseSettings, RedisSettings
from components.settings.canary import CanarySettings
from components.settings.common import Model, checked_by, default_cache_namespace
from components.settings.edge import (
    ArgoCDSettings,
    EntranceSettings,
    MonitoringSettings,
    NetworkPolicySettings,
    ServiceMonitorSettings,
)
from components.settings.routing import ModelSettings, RouterSettings, TracingSettings
from components.settings.secret_sources import ExistingSecretsSettings, RBACSettings
from components.settings.source import ChartSettings, ImageSettings, MigrationCheckSettings
from components.settings.stack_rules import stack_rules
from components.settings.workload import (
    AutoscalingSettings,
    PodDisruptionBudgetSettings,
    ResourceSettings,
    ServiceSettings,
    UISettings,
)


class Settings(Model):
    """Every `litellm:` stack config key."""

    namespace: DnsLabel = Field("litellm", description="Namespace LiteLLM runs in.")
    delivery: Literal["argocd", "helm"] = Field(
        "argocd", description="`argocd`: an ArgoCD Application. `helm`: a Helm release applied by Pulumi."
    )
    chart: ChartSettings = Field(ChartSettings(), description="The litellm-helm chart source.")
    image: ImageSettings = Field(ImageSettings(), description="Proxy image.")
    replicas: Integer = Field(3, ge=1, le=1000, description="Proxy replicas (ignored when autoscaling is enabled).")
    workers: Integer = Field(
        1,
        ge=1,
        le=64,
        description="Proxy worker processes per pod (env `NUM_WORKERS`, which LiteLLM 1.76.1's `litellm` command"
        " reads). More than one needs as many CPUs: at most the CPU limit in cores.",
    )
    service: ServiceSettings = Field(ServiceSettings(), description="Kubernetes Service of the proxy.")
    resources: ResourceSettings = Field(
        ResourceSettings(), description="Proxy container resources; requests <= limits."
    )
    database: DatabaseSettings = Field(DatabaseSettings(), description="External PostgreSQL.")
    redis: RedisSettings = Field(RedisSettings(), description="External Redis for cache and router state.")
    num_retries: Integer = Field(
        2, ge=0, le=10, description="Router retries per request (`router_settings.num_retries`)."
    )
    router: RouterSettings = Field(
        RouterSettings(), description="Timeouts, cooldowns, retries per error class and fallbacks."
    )
    telemetry: bool = Field(
        False,
        description="Written as `litellm_settings.telemetry`, the seed's setting. Ignored by LiteLLM 1.76.1: it"
        " stores the value (`litellm.telemetry`) and reads it nowhere; no telemetry is sent either way.",
    )
    ui: UISettings = Field(UISettings(), description="Admin UI.")
    models: list[ModelSettings] = Field([], description="`model_list` entries.")
    argocd: ArgoCDSettings = Field(ArgoCDSettings(), description="ArgoCD delivery.")
    network_policy: NetworkPolicySettings = Field(NetworkPolicySettings(), description="NetworkPolicies.")
    public_url: HttpsUrl | None = Field(None, description="Public https URL (stack output, `PROXY_BASE_URL`).")
    entrance: EntranceSettings = Field(EntranceSettings(), description="Who serves `publicUrl`; off by default.")
    monitoring: MonitoringSettings = Field(MonitoringSettings(), description="Alerts and a dashboard; off by default.")
    autoscaling: AutoscalingSettings = Field(AutoscalingSettings(), description="HorizontalPodAutoscaler.")
    pod_disruption_budget: PodDisruptionBudgetSettings = Field(
        PodDisruptionBudgetSettings(), description="PodDisruptionBudget."
    )
    service_monitor: ServiceMonitorSettings = Field(ServiceMonitorSettings(), description="ServiceMonitor.")
    tracing: TracingSettings = Field(TracingSettings(), description="OpenTelemetry tracing, off by default.")
    canary: CanarySettings = Field(CanarySettings(), description="A canary release of a newer LiteLLM; off by default.")
    migration_check: MigrationCheckSettings = Field(
        MigrationCheckSettings(), description="The check that fails the migration Job when a migration failed."
    )
    existing_secrets: ExistingSecretsSettings = Field(
        ExistingSecretsSettings(),
        description="Secrets the pods read that someone else creates (External Secrets Operator, Vault): the program"
        " only references them, by name and key. The database Secret: `database.createSecret: false`.",
    )
    rbac: RBACSettings = Field(RBACSettings(), description="Optional Roles and RoleBindings for operator groups.")
    master_key_version: Count = Field(
        1, description="Bump to rotate a generated master key; ignored when `litellm:masterKey` is set."
    )
    split_provider_keys: bool = Field(
        False, description="One Secret per provider key instead of one `litellm-provider-keys` Secret."
    )
    database_password: SecretStr | None = Field(
        None, description="Secret. Database password; required unless `database.createSecret` is false."
    )
    provider_keys: dict[EnvName, SecretStr] = Field(
        {},
        description="Secret. Provider API keys as `{ENV_NAME: value}`, e.g. `OPENAI_API_KEY`; every `apiKeyEnv` of"
        " `litellm:models` must be one of them (none needed when every model uses cloud identity or a server of"
        " your own).",
    )
    master_key: SecretStr | None = Field(None, description="Secret. Proxy master key (`sk-...`); generated when unset.")
    redis_password: SecretStr | None = Field(None, description="Secret. Turns on Redis AUTH.")
    license_key: SecretStr | None = Field(
        None,
        description="Secret. LiteLLM Enterprise licence (env `LITELLM_LICENSE`, from Secret `litellm-license`);"
        " required by `serviceMonitor.enabled`: LiteLLM 1.76.1's `prometheus` callback exposes no LiteLLM metric"
        " without one.",
    )
    salt_key: SecretStr | None = Field(
        None,
        description="Secret. The `LITELLM_SALT_KEY` of an earlier deployment, restored from its backup to recover"
        " it (lost state, a stack re-created after a destroy); unset: generated once. Only written when the Secret"
        " is created: a later change never reaches the cluster.",
    )
    tracing_headers: dict[HeaderName, SecretStr] | None = Field(
        None,
        description="Secret. One header for the OTLP collector, e.g. `{authorization: Bearer ...}` (env"
        " `OTEL_HEADERS`, which LiteLLM splits at the first `=` only).",
    )

    _stack: str | None = PrivateAttr(None)

    # Before the rules, which read the stack's name (pydantic runs after-validators in definition order).
    @model_validator(mode="after")
    def _remember_stack(self, info: ValidationInfo) -> "Settings":
        self._stack = (info.context or {}).get("stack")
        return self

    _rules = checked_by(stack_rules)

    @model_validator(mode="before")
    @classmethod
    def _provider_keys_held_elsewhere(cls, data: Any) -> Any:
        """`providerKeys` may be left out when existing Secrets hold the provider keys."""
        if isinstance(data, dict) and "providerKeys" not in data and "provider_keys" not in data:
            existing = data.get("existingSecrets")
            if isinstance(existing, dict) and existing.get("providerKeys"):
                return {**data, "providerKeys": {}}
        return data

    @property
    def public_host(self) -> str | None:
        return urlparse(self.public_url).hostname if self.public_url else None

    @property
    def entrance_metrics(self) -> str | None:
        """Who exports the public host's request metrics, or None."""
        if self.monitoring.entrance_metrics is not None:
            return self.monitoring.entrance_metrics
        if not self.entrance.enabled:
            return None
        # During a cut-over (`both`) the traffic is at ingress-nginx until DNS moves: set entranceMetrics then.
        return {"ingress": "ingress-nginx", "gateway": "envoy-gateway", "both": "ingress-nginx"}[self.entrance.type]

    @property
    def stack(self) -> str | None:
        """The stack these settings are for, when the loader named it."""
        return self._stack

    @property
    def cache_namespace(self) -> str:
        return self.redis.cache.namespace or default_cache_namespace(self._stack)

    @property
    def proxy_replicas(self) -> int:
        """Replicas that run in steady state (the HPA floor when autoscaling)."""
        return self.autoscaling.min_replicas if self.autoscaling.enabled else self.replicas
