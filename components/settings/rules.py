"""The rules within one section of the contract: what a single object of the stack config must satisfy beyond
the types of its fields. Each is attached to its model with `checked_by` and raises FieldError (one key) or
CrossFieldErrors (several); the rules between sections are in components/settings/stack_rules.py."""

import difflib
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from components.kube_types import CrossFieldErrors, FieldError, check_namespace_matches_host, url_problem
from components.litellm_release import KEYLESS_PROVIDERS, LITELLM_VERSION, PROVIDERS, RETRY_POLICY_BASES
from components.quantity import parse_quantity
from components.settings.common import COMMIT_SHA, IMAGE_REPOSITORY, IMAGE_TAG, RELEASE_TAG, VERSIONED_TAG
from components.versions import CHART_REF

if TYPE_CHECKING:
    from components.settings.backends import DatabaseSettings, RedisCacheSettings, RedisSettings
    from components.settings.canary import CanarySettings
    from components.settings.edge import EgressRuleSettings, EntranceSettings
    from components.settings.routing import ModelSettings, RetryPolicySettings, RouterSettings, TracingSettings
    from components.settings.source import ChartSettings, ImageSettings
    from components.settings.workload import AutoscalingSettings, ResourceSettings

LITELLM_DEFAULT_ALLOWED_FAILS = 3
"""`litellm.allowed_fails` (litellm/__init__.py at v1.76.1)."""


PROXY_MEMORY_FLOOR = "192Mi"
"""A memory limit below this cannot hold the proxy: LiteLLM 1.76.1 holds about 240 MiB once it serves (measured by
tests/runtime/test_proxy_memory.py), and the kernel kills the container at its limit."""


def _retry_key(field: str) -> str:
    """`ContentPolicyViolationErrorRetries` -> `contentPolicyViolation`, the key of `litellm:router.retryPolicy`."""
    name = field.removesuffix("ErrorRetries")
    return name[0].lower() + name[1:]


def exact_chart_ref(chart: "ChartSettings") -> None:
    if not (RELEASE_TAG.fullmatch(chart.ref) or COMMIT_SHA.fullmatch(chart.ref)):
        raise FieldError(
            "ref",
            f"{chart.ref!r} is not an exact tag: use a release tag such as {CHART_REF} or a 40-character commit"
            " SHA; branches, HEAD and latest move under you",
        )
    if chart.path.startswith("/") or ".." in chart.path.split("/"):
        raise FieldError("path", f"{chart.path!r} must be a relative folder inside the repository")
    if chart.local_path is not None and chart.local_path.rstrip("/").rsplit("/", 1)[-1] != chart.ref:
        raise FieldError(
            "localPath",
            f"{chart.local_path!r} must be a folder named after the ref, e.g. /opt/charts/litellm-helm/{chart.ref},"
            " so that the chart it holds is pinned as visibly as in ArgoCD",
        )


def image_reference(image: "ImageSettings") -> None:
    last = image.repository.rsplit("/", 1)[-1]
    if ":" in last or "@" in last:
        raise FieldError(
            "repository",
            f"{image.repository!r} must be an image name without tag or digest (put the tag in image.tag)",
        )
    if not IMAGE_REPOSITORY.fullmatch(image.repository):
        raise FieldError(
            "repository",
            f"{image.repository!r} is not an image name: lower-case registry/path, e.g. ghcr.io/org/app",
        )
    if not IMAGE_TAG.fullmatch(image.tag):
        raise FieldError(
            "tag",
            f"{image.tag!r} is not an image tag: up to 128 letters, digits, '_', '.' and '-', optionally pinned as"
            " <tag>@sha256:<64 hex digits>",
        )


def requests_within_limits(resource: "ResourceSettings") -> None:
    for side in ("requests", "limits"):
        memory = getattr(resource, side).memory
        if memory.endswith("m"):
            raise FieldError(
                f"{side}.memory",
                f"{memory!r} is in milli-bytes ({parse_quantity(memory)} bytes); did you mean {memory[:-1]}Mi?",
            )
    for field in ("cpu", "memory"):
        request, limit = getattr(resource.requests, field), getattr(resource.limits, field)
        if parse_quantity(request) > parse_quantity(limit):
            raise FieldError(f"requests.{field}", f"{request!r} is more than limits.{field} {limit!r}")
    if parse_quantity(resource.limits.memory) < parse_quantity(PROXY_MEMORY_FLOOR):
        raise FieldError(
            "limits.memory",
            f"{resource.limits.memory!r} is below {PROXY_MEMORY_FLOOR}, less than LiteLLM {LITELLM_VERSION} holds once"
            " it serves (about 240 MiB): the kernel would kill the container. Give it 1Gi or more",
        )


def autoscaling_ordered(autoscaling: "AutoscalingSettings") -> None:
    if autoscaling.min_replicas > autoscaling.max_replicas:
        raise FieldError(
            "minReplicas", f"{autoscaling.min_replicas} is more than maxReplicas {autoscaling.max_replicas}"
        )


def database_consistent(database: "DatabaseSettings") -> None:
    if database.ssl_mode in ("verify-ca", "verify-full"):
        # prisma-engines quaint/src/connector/postgres/url.rs, parse_query_params: `sslmode` knows disable, prefer
        # and require; any other value is logged at debug level and left at prefer, with sslaccept's default
        # accept_invalid_certs.
        raise FieldError(
            "sslMode",
            f"{database.ssl_mode!r} is not checked by Prisma, LiteLLM's database client: it reads it as 'prefer'"
            " (no certificate check, and plain text when the server offers no TLS). Use 'require' for an encrypted"
            " connection",
        )
    if database.password_key == database.username_key:
        raise FieldError("passwordKey", "must differ from usernameKey: the Secret holds both values")
    if database.endpoint_key in (database.password_key, database.username_key):
        raise FieldError("endpointKey", "must differ from usernameKey and passwordKey: the Secret holds all three")
    if database.endpoint_secret_key is None and ":" in database.host:
        raise FieldError(
            "endpointKey",
            f"is required for the IPv6 host {database.host!r} while createSecret is false: the chart writes db.endpoint"
            f" unquoted into the Deployment, where '{database.endpoint}' is not valid YAML. Store {database.endpoint!r}"
            " in the database Secret and name its key here",
        )
    if database.pool_mode == "transaction":
        raise FieldError(
            "poolMode",
            "transaction mode breaks LiteLLM: `prisma migrate deploy` holds a session advisory lock and the query"
            " engine uses prepared statements, and this chart gives the migration Job and the pods the same"
            " DATABASE_URL (no separate direct URL). Point litellm:database.host at a session-mode pooler"
            " (CloudNativePG Pooler `spec.pgbouncer.poolMode: session`) or at PostgreSQL itself (poolMode: direct)",
        )
    check_namespace_matches_host(database.host, database.namespace)


def no_flush_size(redis_cache: "RedisCacheSettings") -> None:
    # litellm/caching/redis_cache.py at v1.76.1: batch_cache_write buffers (key, value) without the ttl,
    # and flush_cache_buffer writes the batch with default_ttl (60 s, base_cache.py).
    if redis_cache.flush_size is not None:
        raise FieldError(
            "flushSize",
            f"{redis_cache.flush_size}: LiteLLM 1.76.1 then buffers responses in each pod until"
            f" {redis_cache.flush_size} are collected and writes them with a 60 s expiry, ignoring redis.cache.ttl,"
            " so other replicas almost never hit and nothing lasts a day. Remove the key: every response is then"
            " written at once with redis.cache.ttl",
        )


def redis_consistent(redis: "RedisSettings") -> None:
    check_namespace_matches_host(redis.host, redis.namespace)


def model_routable(model: "ModelSettings") -> None:
    provider, slash, model_id = model.model.partition("/")
    if slash and (provider not in PROVIDERS or not model_id):
        close = difflib.get_close_matches(provider, sorted(PROVIDERS), n=1)
        hint = f"did you mean {close[0]}/{model_id}? " if close and model_id else ""
        what = f"no provider {provider!r}" if model_id else f"no model after '{provider}/'"
        raise FieldError(
            "model",
            f"{model.model!r}: LiteLLM {LITELLM_VERSION} knows {what} and would drop this model at start;"
            f" {hint}write <provider>/<model>, e.g. openai/gpt-4o (providers: components/data/litellm.json)",
        )
    if slash and model.api_key_env is None and model.api_base is None and provider not in KEYLESS_PROVIDERS:
        raise FieldError(
            "apiKeyEnv",
            f"is required for {model.model!r}: {provider} needs an API key; set apiKeyEnv to the"
            " litellm:providerKeys entry that holds it, e.g. apiKeyEnv: OPENAI_API_KEY",
        )


def no_shadowed_retry_class(retry_policy: "RetryPolicySettings") -> None:
    """LiteLLM takes the first set class the error is an instance of: a subclass's count set next to a
    different count of its base class never applies."""
    policy = retry_policy.litellm_retry_policy()
    problems = [
        (
            _retry_key(field),
            f"{policy[field]} never applies while {_retry_key(base)} is {policy[base]}: LiteLLM {LITELLM_VERSION}"
            f" checks {_retry_key(base)} first and this error class is one of its kind. Remove one of the two,"
            " or give both the same count",
        )
        for field in policy
        for base in RETRY_POLICY_BASES.get(field, [])
        if base in policy and policy[base] != policy[field]
    ]
    if problems:
        raise CrossFieldErrors(problems)


def allowed_fails_is_read(router: "RouterSettings") -> None:
    # litellm/router_utils/cooldown_handlers.py at v1.76.1: _is_allowed_fails_set_on_router is False
    # when allowed_fails equals litellm.allowed_fails (3), so the percentage rule applies as if unset.
    if router.allowed_fails == LITELLM_DEFAULT_ALLOWED_FAILS:
        raise FieldError(
            "allowedFails",
            f"{LITELLM_DEFAULT_ALLOWED_FAILS} is LiteLLM 1.76.1's default, which it reads as unset: it would"
            " cool a one-deployment model down only at 1000 failed requests a minute. Use 2 (cool down at the"
            " third failure) or 4 (at the fifth), or remove the key",
        )


def tracing_endpoint_reachable(tracing: "TracingSettings") -> None:
    if tracing.endpoint is None:
        if tracing.enabled:
            raise FieldError("endpoint", f"is required while tracing.enabled is true, e.g. {tracing.example_endpoint}")
        return
    problem = url_problem(tracing.endpoint, ("http", "https"))
    if problem:
        raise FieldError(
            "endpoint", f"{tracing.endpoint!r} is not a valid http(s) URL ({problem}), e.g. {tracing.example_endpoint}"
        )
    parsed = urlparse(tracing.endpoint)
    if tracing.protocol == "grpc" and parsed.path not in ("", "/"):
        raise FieldError(
            "endpoint",
            f"{tracing.endpoint!r}: a grpc endpoint is scheme, host and port only, e.g. {tracing.example_endpoint}",
        )
    if tracing.protocol == "http/protobuf" and not parsed.path.rstrip("/").endswith("/v1/traces"):
        raise FieldError(
            "endpoint",
            f"{tracing.endpoint!r}: LiteLLM posts http/protobuf spans to this URL as given; end it in /v1/traces,"
            f" e.g. {tracing.example_endpoint}",
        )


def one_egress_destination(egress_rule: "EgressRuleSettings") -> None:
    if (egress_rule.namespace is None) == (egress_rule.cidr is None):
        raise FieldError("namespace", "give exactly one of namespace or cidr in each egress entry")


def entrance_complete(entrance: "EntranceSettings") -> None:
    if not entrance.enabled:
        return
    both = entrance.type == "both"
    for name, side in entrance.sides().items():
        if entrance.type in ("ingress", "both"):
            if side.class_name is None:
                raise FieldError(f"{name}.className", f"is required for type {entrance.type}, e.g. nginx")
            if side.tls is None:
                raise FieldError(
                    f"{name}.tls", f"is required for type {entrance.type}: {{secretName: ..., certManager?}}"
                )
        if entrance.type in ("gateway", "both") and side.gateway is None:
            raise FieldError(f"{name}.gateway", f"is required for type {entrance.type}: {{name, namespace, listener?}}")
        if entrance.type == "ingress" and side.gateway is not None:
            raise FieldError(f"{name}.gateway", "belongs to type gateway or both; this entrance is type ingress")
        if entrance.type == "gateway":
            if side.class_name is not None:
                raise FieldError(f"{name}.className", "belongs to type ingress or both; this entrance is type gateway")
            if side.tls is not None and side.tls.cert_manager is None:
                raise FieldError(
                    f"{name}.tls",
                    "with type gateway the Gateway's listener holds the certificate: set tls.certManager to have"
                    " one issued, or leave tls out",
                )
        if side.gateway_pod_namespace is not None and not both:
            raise FieldError(
                f"{name}.gatewayPodNamespace", "belongs to type both; otherwise podNamespace names the forwarding pods"
            )
    if entrance.public.host is not None:
        raise FieldError("public.host", "comes from litellm:publicUrl: remove it")
    if entrance.internal is not None and entrance.internal.host is None:
        raise FieldError("internal.host", "is required: the internal entrance needs a host of its own")


def canary_tag(canary: "CanarySettings") -> None:
    if canary.tag is None:
        if canary.enabled:
            raise FieldError("tag", "is required when canary.enabled is true: the image tag of the new release")
        return
    if not IMAGE_TAG.fullmatch(canary.tag):
        raise FieldError(
            "tag", f"{canary.tag!r} is not an image tag: letters, digits, '_', '.', '-', optionally @sha256:"
        )
    if not VERSIONED_TAG.search(canary.tag.partition("@")[0]):
        raise FieldError(
            "tag",
            f"{canary.tag!r} names no release (x.y.z): a canary compares one known release with another, e.g."
            " main-v1.80.0-stable",
        )
