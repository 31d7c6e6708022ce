"""The rules between sections of the stack config (a model's key needs a provider key, a namespace must be
LiteLLM's own, fallbacks name configured models, ...): every problem at once, each naming its key."""

import math
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from pydantic import SecretStr

from components.kube_types import CrossFieldErrors
from components.litellm_release import SCHEMA_COMPATIBILITY
from components.metric_sources import DURATION_BUCKETS_SECONDS
from components.quantity import parse_quantity
from components.settings.common import (
    DATABASE_PASSWORD_REQUIRED,
    PRODUCTION_STACK,
    SECRET_COMMANDS,
    SYSTEM_NAMESPACES,
    VERSIONED_TAG,
    env_name_problem,
)
from components.versions import IMAGE_TAG

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
    problems.extend(_moving_tag_problems(settings))
    problems.extend(_canary_problems(settings))
    problems.extend(_namespace_problems(settings))
    problems.extend(_fallback_problems(settings))
    problems.extend(_tracing_header_problems(settings))
    problems.extend(_entrance_problems(settings))
    problems.extend(_latency_alert_problems(settings))
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


def _moving_tag_problems(settings: "Settings") -> list[tuple[str, str]]:
    """A production stack runs the release the tiers verified, unless the operator says otherwise."""
    image = settings.image
    if image.allow_moving_tag and not image.is_moving_tag:
        return [("image.allowMovingTag", f"is true but image.tag {image.tag!r} is pinned: remove it")]
    if not image.is_moving_tag or image.allow_moving_tag or not PRODUCTION_STACK.search(settings.stack or ""):
        return []
    return [
        (
            "image.tag",
            f"{image.tag!r} is a moving tag on production stack {settings.stack!r}: each pod runs the release the"
            f" tag points at when it starts, which no test here has seen. Pin the verified release ({IMAGE_TAG!r},"
            " or <tag>@sha256:<digest>), or accept the risk with litellm:image.allowMovingTag: true",
        )
    ]


def _canary_problems(settings: "Settings") -> list[tuple[str, str]]:
    """A canary needs a known stable release, a way in, and a schema the stable pods survive."""
    canary = settings.canary
    if not canary.enabled or canary.tag is None:
        return []
    if canary.weight > 0 and not settings.entrance.enabled:
        return [
            ("canary.weight", "needs litellm:entrance.enabled: the weights are on the program's Ingress or HTTPRoute")
        ]
    stable = VERSIONED_TAG.search(settings.image.tag.partition("@")[0])
    if stable is None:
        return [
            ("canary.enabled", "needs a pinned litellm:image.tag: a canary compares the new release with a known one")
        ]
    new = VERSIONED_TAG.search(canary.tag.partition("@")[0])
    assert new is not None, "validated by the canary's own rule"
    if new.group(0) == stable.group(0):
        return [("canary.tag", f"{canary.tag!r} is the stable release {stable.group(0)}: nothing to compare")]
    pair = f"{stable.group(0)} -> {new.group(0)}"
    record = SCHEMA_COMPATIBILITY.get(pair)
    if record is None:
        return [
            (
                "canary.tag",
                f"no schema check for {pair}: the canary's migrations run while the stable pods serve. Run"
                f" scripts/bump-litellm.sh {new.group(0)} --chart-ref <ref> on a branch; it records the check in"
                " components/data/schema-compatibility.json",
            )
        ]
    if not record["compatible"]:
        return [
            (
                "canary.tag",
                f"the stable release's schema does not survive {new.group(0)}'s migrations ({pair}:"
                f" {'; '.join(record['problems'][:5])}): upgrade without a canary (docs/upgrades.md)",
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
    requests, router_timeout = settings.entrance.requests, settings.router.timeout
    if router_timeout is not None and requests.timeout_seconds < router_timeout:
        problems.append(
            (
                "entrance.requests.timeoutSeconds",
                f"{requests.timeout_seconds} is below litellm:router.timeout {router_timeout}: the entrance would"
                " answer 504 while LiteLLM still waits for the provider, and the client's retry bills the call again."
                f" Use at least {router_timeout} (with retries: router.timeout x (numRetries + 1))",
            )
        )
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


def _latency_alert_problems(settings: "Settings") -> list[tuple[str, str]]:
    """`histogram_quantile` never returns more than the largest finite bucket bound: a threshold at or above it
    makes LiteLLMPublicSlow an alert that cannot fire."""
    monitoring, source = settings.monitoring, settings.entrance_metrics
    if not monitoring.alerts or source is None:
        return []
    buckets = monitoring.entrance_time_buckets or list(DURATION_BUCKETS_SECONDS[source])
    largest = max(buckets)
    if monitoring.p95_latency_seconds < largest:
        return []
    declared = "litellm:monitoring.entranceTimeBuckets" if monitoring.entrance_time_buckets else f"{source}'s default"
    return [
        (
            "monitoring.p95LatencySeconds",
            f"{monitoring.p95_latency_seconds:g} can never fire: the request-duration histogram of {source} ends at"
            f" {largest:g} s ({declared}), so its 95th percentile never exceeds {largest:g}. Use a value below"
            f" {largest:g}, or start the controller with larger buckets (ingress-nginx --time-buckets, e.g."
            " ...,10,30,60,120,300,600) and list them in litellm:monitoring.entranceTimeBuckets",
        )
    ]
