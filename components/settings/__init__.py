"""Typed, validated stack settings: the `litellm:` config keys are this package's public interface.

The contract (each key's type, default and meaning) is in the section modules and `root.Settings`; what a key must
satisfy beyond its type is in `rules` (within a section) and `stack_rules` (between sections). The config reference
in docs/configuration.md is generated from the models (`python -m scripts.config_reference`).
"""

from components.settings.backends import DatabaseSettings, RedisCacheSettings, RedisSettings
from components.settings.canary import CANARY_RELEASE_NAME, CanarySettings
from components.settings.common import (
    DATABASE_PASSWORD_REQUIRED,
    RELEASE_NAME,
    SECRET_COMMANDS,
    SECRET_CONFIG_KEYS,
    default_cache_namespace,
)
from components.settings.edge import (
    ArgoCDSettings,
    CertManagerSettings,
    EgressRuleSettings,
    EntranceSettings,
    EntranceSide,
    GatewayRefSettings,
    MonitoringSettings,
    NetworkPolicySettings,
    ServiceMonitorSettings,
    TLSSettings,
)
from components.settings.root import Settings
from components.settings.routing import (
    FallbackSettings,
    ModelSettings,
    RetryPolicySettings,
    RouterSettings,
    TracingSettings,
)
from components.settings.secret_sources import (
    ExistingEnvSecret,
    ExistingProviderSecret,
    ExistingRedisSecret,
    ExistingSecretKey,
    ExistingSecretsSettings,
    RBACSettings,
)
from components.settings.source import ChartSettings, ImageSettings, MigrationCheckSettings
from components.settings.workload import (
    AutoscalingSettings,
    ComputeResources,
    PodDisruptionBudgetSettings,
    ResourceSettings,
    ServiceSettings,
    UISettings,
)

__all__ = [
    "CANARY_RELEASE_NAME",
    "DATABASE_PASSWORD_REQUIRED",
    "RELEASE_NAME",
    "SECRET_COMMANDS",
    "SECRET_CONFIG_KEYS",
    "ArgoCDSettings",
    "CanarySettings",
    "AutoscalingSettings",
    "CertManagerSettings",
    "ChartSettings",
    "ComputeResources",
    "DatabaseSettings",
    "EgressRuleSettings",
    "EntranceSettings",
    "EntranceSide",
    "ExistingEnvSecret",
    "ExistingProviderSecret",
    "ExistingRedisSecret",
    "ExistingSecretKey",
    "ExistingSecretsSettings",
    "FallbackSettings",
    "GatewayRefSettings",
    "ImageSettings",
    "MigrationCheckSettings",
    "ModelSettings",
    "MonitoringSettings",
    "NetworkPolicySettings",
    "PodDisruptionBudgetSettings",
    "RBACSettings",
    "RedisCacheSettings",
    "RedisSettings",
    "ResourceSettings",
    "RetryPolicySettings",
    "RouterSettings",
    "ServiceMonitorSettings",
    "ServiceSettings",
    "Settings",
    "TLSSettings",
    "TracingSettings",
    "UISettings",
    "default_cache_namespace",
]
