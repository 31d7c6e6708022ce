"""The rules between sections of the stack config (a model's key needs a provider key, a namespace must be
LiteLLM's own, fallbacks name configured models, ...): every problem at once, each naming its key."""

import math
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from pydantic import SecretStr

from components.kube_types import CrossFieldErrors
from components.quantity import parse_quantity
from components.settings.common import (
    DATABASE_PASSWORD_REQUIRED,
    SECRET_COMMANDS,
    SYSTEM_NAMESPACES,
    env_name_problem,
)

if TYPE_CHECKING:
    from components.settings.root import Settings


def secret_text_problems(path: str, value: SecretStr | None) -> list[tuple[str, str]]:
    """An empty secret, or one with surrounding whitespace (a newline pasted from a file), never works."""
    if value is None:
        return []
    text = value.get_secret_value()
    if not text:
        return [(path, "is empty")]
    if text != text.strip():
        return [(path, "has leading or trailing whitespace (a pasted newline?); set it again without")]
    return []


def stack_rules(settings: "Settings") -> None:
    """The rules between keys of different sections; every problem at once."""
    problems = []
    for name, value in settings.provider_keys.items():
        clash = env_name_problem(name)
        if clash:
            problems.append((f"providerKeys.{name}", f"{clash}: rename it"))
        problems.extend(secret_text_problems(f"providerKeys.{name}", value))
    existing = settings.existing_secrets
    provider_env_names = {**existing.provider_env_names, **dict.fromkeys(settings.provider_keys, "")}
    for index, secret in enumerate(existing.provider_keys):
        for position, name in enumerate(secret.keys):
            path = f"existingSecrets.providerKeys[{index}].keys[{position}]"
            clash = env_name_problem(name)
            if clash:
                problems.append((path, f"{clash}: rename it"))
            elif name in settings.provider_keys:
                problems.append((path, f"{name!r} is also a key of litellm:providerKeys: keep one of the two"))
    problems.extend(_existing_secret_problems(settings))
    for index, model in enumerate(settings.models):
        if model.api_key_env is not None and model.api_key_env not in provider_env_names:
            known = ", ".join(sorted(provider_env_names)) or "none"
            problems.append(
                (
                    f"models[{index}].apiKeyEnv",
                    f"{model.api_key_env!r} is not a key of litellm:providerKeys (set: {known});"
                    f" `{SECRET_COMMANDS['providerKeys'].replace('<ENV_NAME>', model.api_key_env)}`",
                )
            )
    if settings.database.create_secret and settings.database_password is None:
        problems.append(("databasePassword", DATABASE_PASSWORD_REQUIRED))
    if not settings.database.create_secret and settings.database_password is not None:
        problems.append(
            ("databasePassword", "is not used when database.createSecret is false: remove it from the stack")
        )
    problems.extend(secret_text_problems("databasePassword", settings.database_password))
    problems.extend(secret_text_problems("redisPassword", settings.redis_password))
    problems.extend(secret_text_problems("masterKey", settings.master_key))
    problems.extend(secret_text_problems("saltKey", settings.salt_key))
    if settings.master_key is not None:
        key = settings.master_key.get_secret_value()
        if not key.startswith("sk-") or len(key) < 16:
            problems.append(("masterKey", "must start with 'sk-' and be at least 16 characters long"))
    if settings.redis_password is not None and not settings.redis.enabled:
        problems.append(("redisPassword", "is set but redis.enabled is false"))
    problems.extend(secret_text_problems("licenseKey", settings.license_key))
    if settings.service_monitor.enabled and settings.license_key is None:
        # litellm_enterprise/integrations/prometheus.py (0.1.19, pinned by litellm 1.76.1): without a
        # licence PrometheusLogger creates only `litellm_not_a_premium_user_metric`.
        problems.append(
            (
                "serviceMonitor.enabled",
                "needs litellm:licenseKey (pulumi config set --secret litellm:licenseKey ...): LiteLLM 1.76.1's"
                " prometheus callback is Enterprise-only and without a licence /metrics carries no LiteLLM"
                " metric, only process metrics",
            )
        )
    problems.extend(_worker_problems(settings))
    problems.extend(_autoscaling_target_problems(settings))
    problems.extend(_duplicate_model_problems(settings))
    problems.extend(_entrance_metrics_problems(settings))
    problems.extend(_namespace_problems(settings))
    problems.extend(_fallback_problems(settings))
    problems.extend(_tracing_header_problems(settings))
    problems.extend(_entrance_problems(settings))
    if problems:
        raise CrossFieldErrors(problems)


def _duplicate_model_problems(settings: "Settings") -> list[tuple[str, str]]:
    """Two entries of the same name are two deployments LiteLLM balances between; two identical ones are one
    deployment counted twice (twice its share of traffic, its rpm and tpm limits counted once each)."""
    first: dict[str, int] = {}
    problems = []
    for index, model in enumerate(settings.models):
        seen = first.setdefault(model.model_dump_json(), index)
        if seen != index:
            problems.append((f"models[{index}]", f"is the same deployment as models[{seen}]: remove one of the two"))
    return problems


def _entrance_metrics_problems(settings: "Settings") -> list[tuple[str, str]]:
    """The entrance alerts and panels query the public host (ingress-nginx) or the program's public HTTPRoute
    (Envoy Gateway): without them the queries match no series, and the alerts can never fire."""
    wanted = settings.monitoring.alerts or settings.monitoring.dashboard
    source = settings.monitoring.entrance_metrics
    if not wanted or source is None:
        return []
    if settings.public_url is None:
        return [("monitoring.entranceMetrics", f"{source!r} needs litellm:publicUrl, the host its metrics are for")]
    if source == "envoy-gateway" and not (settings.entrance.enabled and settings.entrance.type == "gateway"):
        return [
            (
                "monitoring.entranceMetrics",
                "'envoy-gateway' reports the HTTPRoute of the program's gateway entrance (entrance.enabled, type"
                " gateway), which this stack does not have; use 'ingress-nginx' for an ingress-nginx controller, or"
                " remove the key",
            )
        ]
    return []


def _worker_problems(settings: "Settings") -> list[tuple[str, str]]:
    """Worker processes beyond the CPU limit share its quota: they add memory and queue, not throughput."""
    limit = settings.resources.limits.cpu
    cores = parse_quantity(limit).normalize()
    if settings.workers == 1 or settings.workers <= cores:
        return []
    return [
        (
            "workers",
            f"{settings.workers} is more than the CPU limit {limit!r} ({cores:f} core{'s' if cores != 1 else ''}):"
            f" the processes would share that quota and serve no more. Use at most {max(1, math.floor(cores))}, or"
            " raise litellm:resources.limits.cpu",
        )
    ]


def _autoscaling_target_problems(settings: "Settings") -> list[tuple[str, str]]:
    """The HPA's CPU target is a share of the CPU request; a pod cannot use more than its CPU limit, so a target
    above limit / request is never reached and the HPA never scales out (docs/sizing.md)."""
    autoscaling = settings.autoscaling
    if not autoscaling.enabled:
        return []
    request, limit = settings.resources.requests.cpu, settings.resources.limits.cpu
    ceiling = math.floor(100 * parse_quantity(limit) / parse_quantity(request))
    if autoscaling.target_cpu_utilization_percentage <= ceiling:
        return []
    return [
        (
            "autoscaling.targetCpuUtilizationPercentage",
            f"{autoscaling.target_cpu_utilization_percentage}% of the CPU request {request!r} is more than the CPU"
            f" limit {limit!r}: a pod never uses that much, so the autoscaler would never add one. Use at most"
            f" {ceiling} (docs/sizing.md gives the target from the measured curve), or raise"
            " litellm:resources.limits.cpu",
        )
    ]


def _existing_secret_problems(settings: "Settings") -> list[tuple[str, str]]:
    """A value comes from the stack's secret config or from an existing Secret, never both."""
    existing = settings.existing_secrets
    both = {
        "masterKey": (existing.master_key, settings.master_key),
        "saltKey": (existing.salt_key, settings.salt_key),
        "redisPassword": (existing.redis_password, settings.redis_password),
        "tracingHeaders": (existing.tracing_headers, settings.tracing_headers),
    }
    problems = [
        (key, f"is set, and existingSecrets.{key} names a Secret managed elsewhere: keep one of the two")
        for key, (declared, configured) in both.items()
        if declared is not None and configured is not None
    ]
    redis_key = existing.redis_password.key if existing.redis_password else None
    clash = env_name_problem(redis_key) if redis_key is not None and redis_key != "REDIS_PASSWORD" else None
    if clash:
        problems.append(("existingSecrets.redisPassword.key", f"{clash}: rename it"))
    if existing.redis_password is not None and not settings.redis.enabled:
        problems.append(("existingSecrets.redisPassword", "is set but redis.enabled is false"))
    if existing.tracing_headers is not None and not settings.tracing.enabled:
        problems.append(("existingSecrets.tracingHeaders", "is set but tracing.enabled is false"))
    return problems


def _namespace_problems(settings: "Settings") -> list[tuple[str, str]]:
    """The LiteLLM namespace gets a default-deny policy and is protected: it must be LiteLLM's alone."""
    if settings.namespace in SYSTEM_NAMESPACES or settings.namespace.startswith("kube-"):
        return [("namespace", f"{settings.namespace!r} belongs to the cluster: give LiteLLM its own namespace")]
    others = {
        "argocd.namespace": settings.argocd.namespace,
        "database.namespace": settings.database.namespace,
        "networkPolicy.dnsNamespace": settings.network_policy.dns_namespace,
    }
    if settings.redis.enabled:
        others["redis.namespace"] = settings.redis.namespace
    if settings.service_monitor.enabled:
        others["serviceMonitor.namespace"] = settings.service_monitor.namespace
    return [
        ("namespace", f"{settings.namespace!r} is also litellm:{key}: give LiteLLM a namespace of its own")
        for key, namespace in others.items()
        if namespace == settings.namespace
    ]


def _fallback_problems(settings: "Settings") -> list[tuple[str, str]]:
    names = {model.name for model in settings.models}
    configured = ", ".join(sorted(names)) or "none"
    problems = []
    seen = set()
    for index, fallback in enumerate(settings.router.fallbacks):
        path = f"router.fallbacks[{index}]"
        if fallback.model not in names:
            problems.append((f"{path}.model", f"{fallback.model!r} is not a name in litellm:models ({configured})"))
        if fallback.model in seen:
            problems.append((f"{path}.model", f"{fallback.model!r} already has fallbacks: merge the two entries"))
        seen.add(fallback.model)
        for position, name in enumerate(fallback.fallbacks):
            if name == fallback.model:
                problems.append((f"{path}.fallbacks[{position}]", f"{name!r} cannot fall back to itself"))
            elif name not in names:
                problems.append(
                    (f"{path}.fallbacks[{position}]", f"{name!r} is not a name in litellm:models ({configured})")
                )
    return problems


def _tracing_header_problems(settings: "Settings") -> list[tuple[str, str]]:
    if settings.tracing_headers is None:
        return []
    if not settings.tracing.enabled:
        return [("tracingHeaders", "is set but tracing.enabled is false")]
    if len(settings.tracing_headers) != 1:
        return [
            (
                "tracingHeaders",
                (
                    f"holds {len(settings.tracing_headers)} headers; give exactly one: the OTEL integration of"
                    " LiteLLM releases around v1.76 parses OTEL_HEADERS as one name=value pair"
                ),
            )
        ]
    ((name, value),) = settings.tracing_headers.items()
    text = value.get_secret_value()
    if not text or text != text.strip():
        return secret_text_problems(f"tracingHeaders.{name}", value)
    if any(c in text for c in ",\r\n"):
        reason = "must not contain ',' (newer LiteLLM splits headers there) or line breaks"
        return [(f"tracingHeaders.{name}", reason)]
    return []


def _entrance_problems(settings: "Settings") -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not settings.entrance.enabled:
        return problems
    if settings.public_url is None:
        return [*problems, ("entrance.enabled", "needs litellm:publicUrl, the https URL the entrance serves")]
    parsed = urlparse(settings.public_url)
    if parsed.port is not None or parsed.path not in ("", "/"):
        problems.append(
            ("publicUrl", f"{settings.public_url!r}: the entrance serves a whole host on 443; give https://<host> only")
        )
    internal = settings.entrance.internal
    if internal is not None and internal.host == settings.public_host:
        problems.append(("entrance.internal.host", "must differ from the host of litellm:publicUrl"))
    return problems
