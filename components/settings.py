"""Typed, validated stack settings: the `litellm:` config keys are this module's public interface.

Every key, its type, default and meaning lives here once; the config reference in docs/configuration.md is generated
from these models (`python -m scripts.config_reference`). Defaults are the seed's production values, except the
pins (chart ref, image tag), which come from components/versions.py.
"""

import difflib
import math
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.kube_types import (
    INT32_MAX,
    Cidr,
    Count,
    CrossFieldErrors,
    DatabaseName,
    DnsLabel,
    Duration,
    EnvName,
    FieldError,
    GitUrl,
    HeaderName,
    Host,
    HttpsUrl,
    HttpUrl,
    Integer,
    Labels,
    ObjectName,
    Port,
    Quantity,
    SecretDataKey,
    SqlIdentifier,
    Trimmed,
    check_namespace_matches_host,
    url_problem,
)
from components.litellm_release import KEYLESS_PROVIDERS, LITELLM_VERSION, PROVIDERS, RETRY_POLICY_BASES
from components.quantity import parse_quantity
from components.versions import CHART_PATH, CHART_REF, CHART_REPO_URL, IMAGE_REPOSITORY, IMAGE_TAG

RELEASE_NAME = "litellm"
"""Helm release name; with the chart's `nameOverride: litellm` every object is named `litellm`."""

SECRET_CONFIG_KEYS = (
    "databasePassword",
    "providerKeys",
    "masterKey",
    "redisPassword",
    "tracingHeaders",
    "saltKey",
    "licenseKey",
)

CACHE_NAMESPACE_PREFIX = "litellm_cache"
IPV6_ENDPOINT_KEY = "DATABASE_HOST"
"""Key under which the program writes the endpoint of an IPv6 database host into the database Secret."""

DATABASE_PASSWORD_REQUIRED = (
    "is required while database.createSecret is true (`pulumi config set --secret litellm:databasePassword ...`)"
)
SECRET_COMMANDS = {
    "providerKeys": "pulumi config set --secret --path 'litellm:providerKeys.<ENV_NAME>' ...",
    "tracingHeaders": "pulumi config set --secret --path 'litellm:tracingHeaders.<header-name>' ...",
}
"""How each secret mapping is set: one entry at a time, with `--path`."""

# Env names the chart or this program set explicitly: an explicit `env` entry shadows the same
# name arriving through `environmentSecrets`, so a provider key with one of these names would
# silently never reach the proxy.
RESERVED_ENV_NAMES = frozenset(
    {
        "HOST",
        "PORT",
        "DATABASE_USERNAME",
        "DATABASE_PASSWORD",
        "DATABASE_HOST",
        "DATABASE_NAME",
        "DATABASE_URL",
        "PROXY_MASTER_KEY",
        "LITELLM_MASTER_KEY",
        "LITELLM_SALT_KEY",
        "REDIS_PASSWORD",
        "DISABLE_ADMIN_UI",
        "PROXY_BASE_URL",
        "OTEL_EXPORTER",
        "OTEL_ENDPOINT",
        "OTEL_HEADERS",
        "OTEL_SERVICE_NAME",
        "LITELLM_LICENSE",
        "PYTHONPATH",
    }
)

_RELEASE_TAG = re.compile(r"^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$")
_COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$")
_VERSIONED_TAG = re.compile(r"\d+\.\d+\.\d+")
_IMAGE_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$")
# Namespaces that belong to the cluster: a default-deny policy and Pod Security labels there would
# break it, and protecting them would pin them to this stack.
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
"""With every other `kube-*` namespace."""
# LiteLLM reads a 0 timeout or cooldown as "unset" (`cooldown_time or default`): they start at 1.
Seconds = Count
RetryCount = Annotated[Integer, Field(ge=0, le=10)]


def _secret_text_problems(path: str, value: SecretStr | None) -> list[tuple[str, str]]:
    """An empty secret, or one with surrounding whitespace (a newline pasted from a file), never works."""
    if value is None:
        return []
    text = value.get_secret_value()
    if not text:
        return [(path, "is empty")]
    if text != text.strip():
        return [(path, "has leading or trailing whitespace (a pasted newline?); set it again without")]
    return []


def default_cache_namespace(stack: str | None) -> str:
    """Cache key prefix of a stack that sets none: one per stack, so stacks sharing a Redis never share entries.

    Settings validated without a stack (pure callers, tests) keep the historical prefix.
    """
    return f"{CACHE_NAMESPACE_PREFIX}_{stack}" if stack else CACHE_NAMESPACE_PREFIX


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
    )


class ChartSettings(_Model):
    repo_url: GitUrl = Field(
        CHART_REPO_URL,
        description="Git repository that holds the chart (ArgoCD source): https, `ssh://` or `git@host:org/repo.git`"
        " (SSH needs repository credentials in ArgoCD, or an SSH key for `scripts/fetch-chart.sh`).",
    )
    path: str = Field(CHART_PATH, min_length=1, description="Folder of the chart inside the repository.")
    ref: str = Field(
        CHART_REF,
        description="Exact git tag (or 40-hex commit) of the chart; branches, `HEAD` and `latest` are rejected.",
    )
    local_path: str | None = Field(
        None,
        description="Helm delivery only: folder holding the chart at `ref`, named after the ref. Default"
        " `vendor/charts/litellm-helm/<ref>`, filled by `scripts/fetch-chart.sh`.",
    )

    @model_validator(mode="after")
    def _exact_ref(self) -> "ChartSettings":
        if not (_RELEASE_TAG.fullmatch(self.ref) or _COMMIT_SHA.fullmatch(self.ref)):
            raise FieldError(
                "ref",
                f"{self.ref!r} is not an exact tag: use a release tag such as {CHART_REF} or a 40-character commit"
                " SHA; branches, HEAD and latest move under you",
            )
        if self.path.startswith("/") or ".." in self.path.split("/"):
            raise FieldError("path", f"{self.path!r} must be a relative folder inside the repository")
        if self.local_path is not None and self.local_path.rstrip("/").rsplit("/", 1)[-1] != self.ref:
            raise FieldError(
                "localPath",
                f"{self.local_path!r} must be a folder named after the ref, e.g. /opt/charts/litellm-helm/{self.ref},"
                " so that the chart it holds is pinned as visibly as in ArgoCD",
            )
        return self

    @property
    def chart_folder(self) -> str:
        return self.local_path or f"vendor/charts/litellm-helm/{self.ref}"


class ImageSettings(_Model):
    repository: str = Field(IMAGE_REPOSITORY, description="Proxy image (also runs the migration Job).")
    tag: str = Field(
        IMAGE_TAG,
        description="Image tag, always written to the chart values (the git chart's appVersion is v1.50.2). The"
        " default is the build of the LiteLLM release whose chart is pinned; also `<tag>@sha256:<digest>`.",
    )
    pull_policy: Literal["Always", "IfNotPresent", "Never"] = Field("IfNotPresent", description="Image pull policy.")

    @model_validator(mode="after")
    def _image_reference(self) -> "ImageSettings":
        last = self.repository.rsplit("/", 1)[-1]
        if ":" in last or "@" in last:
            raise FieldError(
                "repository",
                f"{self.repository!r} must be an image name without tag or digest (put the tag in image.tag)",
            )
        if not _IMAGE_REPOSITORY.fullmatch(self.repository):
            raise FieldError(
                "repository",
                f"{self.repository!r} is not an image name: lower-case registry/path, e.g. ghcr.io/org/app",
            )
        if not _IMAGE_TAG.fullmatch(self.tag):
            raise FieldError(
                "tag",
                f"{self.tag!r} is not an image tag: up to 128 letters, digits, '_', '.' and '-', optionally pinned as"
                " <tag>@sha256:<64 hex digits>",
            )
        return self

    @property
    def is_moving_tag(self) -> bool:
        return "@sha256:" not in self.tag and not _VERSIONED_TAG.search(self.tag)


class ServiceSettings(_Model):
    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = Field("ClusterIP", description="Service type.")
    port: Port = Field(4000, description="Service port; the chart also uses it as the container port.")


class ComputeResources(_Model):
    cpu: Quantity = Field(description="CPU quantity, e.g. `250m` or `1`.")
    memory: Quantity = Field(description="Memory quantity, e.g. `512Mi` or `2Gi`.")


_DEFAULT_REQUESTS = {"cpu": "250m", "memory": "512Mi"}
_DEFAULT_LIMITS = {"cpu": "1", "memory": "2Gi"}


class ResourceSettings(_Model):
    requests: ComputeResources = Field(
        ComputeResources(**_DEFAULT_REQUESTS),
        description="Requests of the proxy container; a quantity left out keeps its default.",
    )
    limits: ComputeResources = Field(
        ComputeResources(**_DEFAULT_LIMITS),
        description="Limits of the proxy container; a quantity left out keeps its default, so"
        " `limits: {memory: 4Gi}` alone raises the memory limit.",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_for_left_out_quantities(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for key, defaults in (("requests", _DEFAULT_REQUESTS), ("limits", _DEFAULT_LIMITS)):
            if isinstance(merged.get(key), dict):
                merged[key] = {**defaults, **merged[key]}
        return merged

    @model_validator(mode="after")
    def _requests_within_limits(self) -> "ResourceSettings":
        for field in ("cpu", "memory"):
            request, limit = getattr(self.requests, field), getattr(self.limits, field)
            if parse_quantity(request) > parse_quantity(limit):
                raise FieldError(f"requests.{field}", f"{request!r} is more than limits.{field} {limit!r}")
        return self


class DatabaseSettings(_Model):
    host: Host = Field(
        "postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local",
        description="PostgreSQL host (the CloudNativePG pooler in production).",
    )
    port: Port = Field(5432, description="PostgreSQL port.")
    name: DatabaseName = Field("app", description="Database name (letters, digits, `_` and `-`).")
    user: Trimmed = Field("litellm", description="Database user.")
    schema_: SqlIdentifier = Field("litellm", alias="schema", description="PostgreSQL schema LiteLLM's tables live in.")
    namespace: DnsLabel = Field(
        "postgresql", description="Namespace of the PostgreSQL pods (egress NetworkPolicy target)."
    )
    secret_name: ObjectName = Field("postgres", description="Secret in the LiteLLM namespace with the credentials.")
    password_key: SecretDataKey = Field("DATABASE_PASSWORD", description="Key of the password in that Secret.")
    username_key: SecretDataKey = Field("DATABASE_USERNAME", description="Key of the user name in that Secret.")
    create_secret: bool = Field(
        True,
        description="`true`: the program creates the Secret from `litellm:databasePassword`. `false`: the Secret"
        " already exists (database or secrets operator) and holds both keys, URL-safe.",
    )
    endpoint_key: SecretDataKey | None = Field(
        None,
        description="Key of the database Secret holding `host:port`: the chart then reads DATABASE_HOST from the"
        " Secret (`db.secret.endpointKey`) instead of writing it into the Deployment. Needed for an IPv6 host, which"
        " the chart's unquoted `db.endpoint` cannot carry; with `createSecret` the program writes it (as"
        " `DATABASE_HOST` for an IPv6 host unless set).",
    )
    ssl_mode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = Field(
        None, description="`sslmode` query parameter of DATABASE_URL; unset leaves the driver default."
    )
    pool_mode: Literal["direct", "session", "transaction"] = Field(
        "session",
        description="What `host` is: `direct` (PostgreSQL itself) or a PgBouncer pooler in `session` mode (the"
        " CloudNativePG Pooler's default). `transaction` is refused: Prisma needs a session for its migration lock"
        " and prepared statements, and the chart gives the migration Job and the pods one DATABASE_URL.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "DatabaseSettings":
        if self.password_key == self.username_key:
            raise FieldError("passwordKey", "must differ from usernameKey: the Secret holds both values")
        if self.endpoint_key in (self.password_key, self.username_key):
            raise FieldError("endpointKey", "must differ from usernameKey and passwordKey: the Secret holds all three")
        if self.endpoint_secret_key is None and ":" in self.host:
            raise FieldError(
                "endpointKey",
                f"is required for the IPv6 host {self.host!r} while createSecret is false: the chart writes db.endpoint"
                f" unquoted into the Deployment, where '{self.endpoint}' is not valid YAML. Store {self.endpoint!r}"
                " in the database Secret and name its key here",
            )
        if self.pool_mode == "transaction":
            raise FieldError(
                "poolMode",
                "transaction mode breaks LiteLLM: `prisma migrate deploy` holds a session advisory lock and the query"
                " engine uses prepared statements, and this chart gives the migration Job and the pods the same"
                " DATABASE_URL (no separate direct URL). Point litellm:database.host at a session-mode pooler"
                " (CloudNativePG Pooler `spec.pgbouncer.poolMode: session`) or at PostgreSQL itself (poolMode: direct)",
            )
        check_namespace_matches_host(self.host, self.namespace)
        return self

    @property
    def endpoint(self) -> str:
        """`host:port` as DATABASE_HOST carries it into DATABASE_URL (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def endpoint_secret_key(self) -> str | None:
        """The database Secret's key the chart reads DATABASE_HOST from, or None to write it into the values."""
        if self.endpoint_key is not None:
            return self.endpoint_key
        return IPV6_ENDPOINT_KEY if ":" in self.host and self.create_secret else None


class RedisCacheSettings(_Model):
    ttl: Count = Field(86400, description="Seconds a cached response lives.")
    namespace: str | None = Field(
        None,
        min_length=1,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Key prefix of cached responses (LiteLLM `litellm_settings.cache_params.namespace`). Unset:"
        " `litellm_cache_<stack>`, so stacks sharing one Redis never read each other's cache.",
    )
    flush_size: Integer | None = Field(
        None,
        description="Refused. LiteLLM 1.76.1's `redis_flush_size` buffers responses per pod and then writes them"
        " with its 60 s default expiry instead of `ttl`, so the cache neither lasts nor is shared; each response"
        " is written to Redis at once, with `ttl`.",
    )

    @model_validator(mode="after")
    def _no_flush_size(self) -> "RedisCacheSettings":
        # litellm/caching/redis_cache.py at v1.76.1: batch_cache_write buffers (key, value) without the ttl,
        # and flush_cache_buffer writes the batch with default_ttl (60 s, base_cache.py).
        if self.flush_size is not None:
            raise FieldError(
                "flushSize",
                f"{self.flush_size}: LiteLLM 1.76.1 then buffers responses in each pod until {self.flush_size} are"
                " collected and writes them with a 60 s expiry, ignoring redis.cache.ttl, so other replicas almost"
                " never hit and nothing lasts a day. Remove the key: every response is then written at once with"
                " redis.cache.ttl",
            )
        return self


class RedisSettings(_Model):
    enabled: bool = Field(True, description="Use Redis for the response cache and the shared router state.")
    host: Host = Field("redis.redis.svc.cluster.local", description="Redis host.")
    port: Port = Field(6379, description="Redis port.")
    namespace: DnsLabel = Field("redis", description="Namespace of the Redis pods (egress NetworkPolicy target).")
    ssl: bool = Field(
        False,
        description="TLS to Redis for the cache and the router state (LiteLLM `cache_params.ssl` and"
        " `router_settings.cache_kwargs.ssl`, passed to redis-py); the server certificate must chain to a CA the"
        " image trusts.",
    )
    cache: RedisCacheSettings = Field(RedisCacheSettings(), description="Response cache settings.")

    @model_validator(mode="after")
    def _consistent(self) -> "RedisSettings":
        check_namespace_matches_host(self.host, self.namespace)
        return self


def _image_reference(value: str) -> str:
    """A whole image reference `registry/path[:tag][@sha256:digest]`, as a pod's `image` takes it."""
    name, _, digest = value.partition("@")
    repository, tag = name, ""
    if ":" in name.rsplit("/", 1)[-1]:
        repository, tag = name.rsplit(":", 1)
    valid = _IMAGE_REPOSITORY.fullmatch(repository) and (not tag or _IMAGE_TAG.fullmatch(tag))
    if not valid or (digest and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest)) or not (tag or digest):
        raise ValueError(
            f"{value!r} is not a pinned image reference: lower-case registry/path with a :tag or @sha256:<digest>,"
            " e.g. docker.io/library/postgres:17.6-alpine"
        )
    return value


class MigrationCheckSettings(_Model):
    enabled: bool = Field(
        True,
        description="Fail the migration Job (and so the ArgoCD sync or the Helm release) unless every migration of"
        " the image is applied in `_prisma_migrations`: LiteLLM's own migration exits 0 even when it failed.",
    )
    image: Annotated[str, AfterValidator(_image_reference)] = Field(
        "docker.io/library/postgres:17.6-alpine",
        description="Image with `sh` and `psql` that runs the check (a client version the server accepts).",
    )
    timeout_seconds: Integer = Field(
        600,
        ge=30,
        le=3600,
        description="Seconds the check waits for every migration to be applied before it fails the Job; LiteLLM"
        " retries a failing migration up to four times, a minute each.",
    )


class ExistingSecretKey(_Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    key: SecretDataKey = Field(description="Key of the value in that Secret.")


class ExistingEnvSecret(_Model):
    name: ObjectName = Field(
        description="Secret in the LiteLLM namespace, created by someone else; the proxy imports all its keys as"
        " environment variables."
    )


class ExistingProviderSecret(_Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    keys: list[EnvName] = Field(
        min_length=1,
        description="The provider key env names it holds as keys (e.g. `OPENAI_API_KEY`), for `models[].apiKeyEnv`;"
        " the proxy imports all its keys as environment variables.",
    )


class ExistingRedisSecret(_Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    key: EnvName = Field(
        "REDIS_PASSWORD",
        description="Key holding the Redis password; imported as an environment variable of that name, which the"
        " proxy config reads.",
    )


class ExistingSecretsSettings(_Model):
    master_key: ExistingSecretKey | None = Field(
        None, description="The master key's Secret and key, instead of `litellm:masterKey` or a generated one."
    )
    salt_key: ExistingEnvSecret | None = Field(
        None,
        description="Secret holding `LITELLM_SALT_KEY` (the key name LiteLLM reads), instead of the program's"
        " `litellm-salt-key`.",
    )
    provider_keys: list[ExistingProviderSecret] = Field(
        [], description="Secrets holding provider keys, next to or instead of `litellm:providerKeys`."
    )
    redis_password: ExistingRedisSecret | None = Field(
        None, description="Secret holding the Redis password (turns on Redis AUTH), instead of `litellm:redisPassword`."
    )
    tracing_headers: ExistingEnvSecret | None = Field(
        None, description="Secret holding `OTEL_HEADERS` (`name=value`), instead of `litellm:tracingHeaders`."
    )

    @property
    def provider_env_names(self) -> dict[str, str]:
        """Env name -> the existing Secret that holds it."""
        return {env: secret.name for secret in self.provider_keys for env in secret.keys}


class RBACSettings(_Model):
    operator_groups: list[Trimmed] = Field(
        [],
        description="Groups bound to Role `litellm-operator` in the LiteLLM namespace: read pods, their logs, events,"
        " the Deployment and the migration Job, and port-forward; no Secrets.",
    )
    secret_admin_groups: list[Trimmed] = Field(
        [],
        description="Groups bound to Role `litellm-secret-admin`: get and update the Secrets this program writes, by"
        " name; no other Secret, no list.",
    )


class UISettings(_Model):
    enabled: bool = Field(True, description="Serve the Admin UI at `/ui` (`false` sets `DISABLE_ADMIN_UI=True`).")


class ModelSettings(_Model):
    name: Trimmed = Field(description="Model name clients request (`model_name`).")
    model: Trimmed = Field(description="LiteLLM provider/model string, e.g. `openai/gpt-4o`.")
    api_key_env: EnvName | None = Field(
        None,
        description="Env var (a key of `litellm:providerKeys`) holding the provider key; unset for providers that"
        " need none (workload identity, an in-cluster model server).",
    )
    api_base: HttpUrl | None = Field(
        None, description="Provider endpoint override (e.g. Azure, or an in-cluster `http://` model server)."
    )
    rpm: Count | None = Field(
        None,
        description="Requests per minute of this deployment (LiteLLM `litellm_params.rpm`). Enforced across replicas"
        " through Redis only with `router.routingStrategy: usage-based-routing-v2`; otherwise a routing weight.",
    )
    tpm: Count | None = Field(
        None,
        description="Tokens per minute of this deployment (LiteLLM `litellm_params.tpm`); enforced like `rpm`.",
    )
    max_parallel_requests: Count | None = Field(
        None,
        description="In-flight requests to this deployment per proxy pod (LiteLLM"
        " `litellm_params.max_parallel_requests`, an in-process semaphore: the cluster-wide cap is this times the"
        " replicas). Unset: LiteLLM derives it from `rpm` or `tpm`.",
    )

    @model_validator(mode="after")
    def _routable(self) -> "ModelSettings":
        provider, slash, model_id = self.model.partition("/")
        if slash and (provider not in PROVIDERS or not model_id):
            close = difflib.get_close_matches(provider, sorted(PROVIDERS), n=1)
            hint = f"did you mean {close[0]}/{model_id}? " if close and model_id else ""
            what = f"no provider {provider!r}" if model_id else f"no model after '{provider}/'"
            raise FieldError(
                "model",
                f"{self.model!r}: LiteLLM {LITELLM_VERSION} knows {what} and would drop this model at start;"
                f" {hint}write <provider>/<model>, e.g. openai/gpt-4o (providers: components/data/litellm.json)",
            )
        if slash and self.api_key_env is None and self.api_base is None and provider not in KEYLESS_PROVIDERS:
            raise FieldError(
                "apiKeyEnv",
                f"is required for {self.model!r}: {provider} needs an API key; set apiKeyEnv to the"
                " litellm:providerKeys entry that holds it, e.g. apiKeyEnv: OPENAI_API_KEY",
            )
        return self

    @property
    def has_provider_prefix(self) -> bool:
        return "/" in self.model


class RetryPolicySettings(_Model):
    bad_request: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.BadRequestErrorRetries`."
    )
    authentication: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.AuthenticationErrorRetries`."
    )
    timeout: RetryCount | None = Field(None, description="LiteLLM `router_settings.retry_policy.TimeoutErrorRetries`.")
    rate_limit: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.RateLimitErrorRetries`."
    )
    content_policy_violation: RetryCount | None = Field(
        None,
        description="LiteLLM `router_settings.retry_policy.ContentPolicyViolationErrorRetries`. A content-policy"
        " violation is also a bad request, and LiteLLM checks `badRequest` first: set only one of the two (or both"
        " to the same count).",
    )

    @model_validator(mode="after")
    def _no_shadowed_class(self) -> "RetryPolicySettings":
        """LiteLLM takes the first set class the error is an instance of: a subclass's count set next to a
        different count of its base class never applies."""
        policy = self.litellm_retry_policy()
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
        return self

    def litellm_retry_policy(self) -> dict[str, int]:
        """The classes that are set, under LiteLLM's names (`rateLimit` -> `RateLimitErrorRetries`); the
        others fall back to `numRetries`."""
        return {
            f"{key[0].upper()}{key[1:]}ErrorRetries": value
            for key, value in self.model_dump(by_alias=True, exclude_none=True).items()
        }


def _retry_key(field: str) -> str:
    """`ContentPolicyViolationErrorRetries` -> `contentPolicyViolation`, the key of `litellm:router.retryPolicy`."""
    name = field.removesuffix("ErrorRetries")
    return name[0].lower() + name[1:]


class FallbackSettings(_Model):
    model: Trimmed = Field(description="Model name (of `litellm:models`) whose failures fall back.")
    fallbacks: list[Trimmed] = Field(
        min_length=1, description="Model names tried in order once `model` has failed its retries."
    )


LITELLM_DEFAULT_ALLOWED_FAILS = 3
"""`litellm.allowed_fails` (litellm/__init__.py at v1.76.1)."""


class RouterSettings(_Model):
    timeout: Seconds | None = Field(
        None, description="Seconds before a provider call times out (LiteLLM `router_settings.timeout`)."
    )
    allowed_fails: Count | None = Field(
        None,
        description="Failed requests (after their retries) a deployment may have, counted in each pod, before the"
        " next one cools it down (LiteLLM `router_settings.allowed_fails`); the count expires `cooldownTime` after"
        " the last failure; 4xx errors other than 401, 404, 408 and 429 do not count."
        " Unset: LiteLLM cools a deployment down only at a 50% failure rate, and a model with one deployment"
        " practically never. 3 is refused: LiteLLM 1.76.1 reads its default as unset.",
    )
    cooldown_time: Seconds | None = Field(
        None,
        description="Seconds a failing deployment is taken out of rotation (LiteLLM `router_settings.cooldown_time`);"
        " shared by all replicas through Redis.",
    )
    retry_policy: RetryPolicySettings | None = Field(
        None, description="Retries per error class (LiteLLM `router_settings.retry_policy`)."
    )
    fallbacks: list[FallbackSettings] = Field(
        [], description="Model groups to try when a model has failed (LiteLLM `router_settings.fallbacks`)."
    )
    routing_strategy: (
        Literal["simple-shuffle", "least-busy", "usage-based-routing-v2", "latency-based-routing", "cost-based-routing"]
        | None
    ) = Field(
        None,
        description="LiteLLM `router_settings.routing_strategy`; unset is LiteLLM's `simple-shuffle`."
        " `usage-based-routing-v2` counts rpm/tpm in Redis and enforces the models' limits across replicas.",
    )

    @model_validator(mode="after")
    def _allowed_fails_is_read(self) -> "RouterSettings":
        # litellm/router_utils/cooldown_handlers.py at v1.76.1: _is_allowed_fails_set_on_router is False
        # when allowed_fails equals litellm.allowed_fails (3), so the percentage rule applies as if unset.
        if self.allowed_fails == LITELLM_DEFAULT_ALLOWED_FAILS:
            raise FieldError(
                "allowedFails",
                f"{LITELLM_DEFAULT_ALLOWED_FAILS} is LiteLLM 1.76.1's default, which it reads as unset: it would"
                " cool a one-deployment model down only at 1000 failed requests a minute. Use 2 (cool down at the"
                " third failure) or 4 (at the fifth), or remove the key",
            )
        return self


class TracingSettings(_Model):
    enabled: bool = Field(False, description="Send traces to an OpenTelemetry collector (LiteLLM `otel` callback).")
    endpoint: str | None = Field(
        None,
        description="OTLP endpoint (env `OTEL_ENDPOINT`): `grpc` takes `http(s)://host:port`, `http/protobuf` the full"
        " traces URL ending in `/v1/traces`.",
    )
    protocol: Literal["grpc", "http/protobuf"] = Field(
        "http/protobuf", description="OTLP protocol (env `OTEL_EXPORTER`: `otlp_grpc` or `otlp_http`)."
    )
    service_name: Trimmed = Field("litellm", description="`service.name` of the spans (env `OTEL_SERVICE_NAME`).")
    log_messages: bool = Field(
        False,
        description="Put prompts and responses into the spans. `false` sets LiteLLM"
        " `litellm_settings.turn_off_message_logging`.",
    )

    @model_validator(mode="after")
    def _reachable_endpoint(self) -> "TracingSettings":
        if self.endpoint is None:
            if self.enabled:
                raise FieldError("endpoint", f"is required while tracing.enabled is true, e.g. {self._example}")
            return self
        problem = url_problem(self.endpoint, ("http", "https"))
        if problem:
            raise FieldError(
                "endpoint", f"{self.endpoint!r} is not a valid http(s) URL ({problem}), e.g. {self._example}"
            )
        parsed = urlparse(self.endpoint)
        if self.protocol == "grpc" and parsed.path not in ("", "/"):
            raise FieldError(
                "endpoint", f"{self.endpoint!r}: a grpc endpoint is scheme, host and port only, e.g. {self._example}"
            )
        if self.protocol == "http/protobuf" and not parsed.path.rstrip("/").endswith("/v1/traces"):
            raise FieldError(
                "endpoint",
                f"{self.endpoint!r}: LiteLLM posts http/protobuf spans to this URL as given; end it in /v1/traces,"
                f" e.g. {self._example}",
            )
        return self

    @property
    def _example(self) -> str:
        port, path = (4317, "") if self.protocol == "grpc" else (4318, "/v1/traces")
        return f"http://otel-collector.observability.svc:{port}{path}"

    @property
    def otel_exporter(self) -> str:
        return {"grpc": "otlp_grpc", "http/protobuf": "otlp_http"}[self.protocol]


class ArgoCDSettings(_Model):
    namespace: DnsLabel = Field("argocd", description="Namespace ArgoCD watches for Applications.")
    project: ObjectName = Field("default", description="ArgoCD project (AppProject name) of the Application.")
    sync_wave: Integer = Field(
        10, ge=-INT32_MAX, le=INT32_MAX, description="`argocd.argoproj.io/sync-wave` of the Application."
    )
    prune: bool = Field(True, description="Automated sync deletes resources removed from the chart.")
    self_heal: bool = Field(True, description="Automated sync reverts manual changes in the cluster.")
    cascade_delete: bool = Field(
        True,
        description="Add ArgoCD's resources finalizer: deleting the Application deletes the workloads it deployed.",
    )
    destination_server: HttpsUrl = Field(
        "https://kubernetes.default.svc", description="Cluster API the Application deploys to."
    )


class EgressRuleSettings(_Model):
    namespace: DnsLabel | None = Field(None, description="Namespace whose pods the proxy may reach.")
    cidr: Cidr | None = Field(
        None, description="Address block the proxy may reach, e.g. the subnet of a managed database `10.20.0.0/16`."
    )
    ports: list[Port] = Field(
        min_length=1,
        description="TCP ports the destination pods or servers listen on (a NetworkPolicy matches those, not the"
        " port of a Service in front of them).",
    )

    @model_validator(mode="after")
    def _one_destination(self) -> "EgressRuleSettings":
        if (self.namespace is None) == (self.cidr is None):
            raise FieldError("namespace", "give exactly one of namespace or cidr in each egress entry")
        return self


class NetworkPolicySettings(_Model):
    enabled: bool = Field(True, description="Default-deny the namespace and allow only the flows LiteLLM needs.")
    ingress_namespaces: list[DnsLabel] = Field(
        ["ingress-nginx"], description="Namespaces allowed to reach the proxy port (ingress controller, gateways)."
    )
    egress_cidrs: list[Cidr] | None = Field(
        None,
        description="Provider CIDRs allowed on 443. Unset allows the internet on 443, minus private, CGNAT and"
        " link-local ranges; `[]` allows no address on 443.",
    )
    dns_namespace: DnsLabel = Field("kube-system", description="Namespace of the cluster DNS pods.")
    dns_cidrs: list[Cidr] = Field(
        [],
        description="Extra DNS servers by address on port 53, e.g. `[169.254.20.10/32]` for NodeLocal DNSCache"
        " (host-network pods no pod selector matches).",
    )
    dns_pod_labels: Labels = Field(
        {"k8s-app": "kube-dns"}, min_length=1, description="Labels of the cluster DNS pods (at least one)."
    )
    egress: list[EgressRuleSettings] = Field(
        [],
        description="More destinations the proxy may reach. The program derives the database, Redis, the models'"
        " `apiBase` and the tracing endpoint (a Service name gives its namespace and the URL's port, an IP address"
        " its own block); list here what it cannot know: the address block of a host outside the cluster on a port"
        " other than 443 (a managed database or Redis), or the port the pods listen on when a Service forwards to"
        " another one, e.g. `[{cidr: 10.20.0.0/16, ports: [5432]}, {namespace: models, ports: [8080]}]`.",
    )


class AutoscalingSettings(_Model):
    enabled: bool = Field(False, description="HorizontalPodAutoscaler through the chart (replaces `replicas`).")
    min_replicas: Integer = Field(3, ge=1, le=1000, description="Lowest replica count.")
    max_replicas: Integer = Field(10, ge=1, le=1000, description="Highest replica count.")
    target_cpu_utilization_percentage: Integer = Field(
        80, ge=1, le=1000, description="CPU utilisation target, percent of the CPU request (may exceed 100)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "AutoscalingSettings":
        if self.min_replicas > self.max_replicas:
            raise FieldError("minReplicas", f"{self.min_replicas} is more than maxReplicas {self.max_replicas}")
        return self


def _pods_or_percent(value: object) -> int | str:
    """A PodDisruptionBudget `maxUnavailable`: a pod count 1-1000 or a percentage 1%-100% of the replicas."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
        return value
    if isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,2}", value) and int(value) <= 1000:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,2}%", value) and int(value[:-1]) <= 100:
        return value
    raise ValueError(f"{value!r} is not a pod count from 1 to 1000 or a percentage from 1% to 100%, e.g. 1 or 50%")


class PodDisruptionBudgetSettings(_Model):
    enabled: bool = Field(True, description="PodDisruptionBudget when more than one replica runs.")
    max_unavailable: Annotated[int | str, BeforeValidator(_pods_or_percent)] = Field(
        1,
        description="Proxy pods a voluntary disruption may take down at once: a count, or a percentage of the"
        " replicas such as `50%` (rounded up, as Kubernetes does).",
    )

    def unavailable_pods(self, replicas: int) -> int:
        """Pods the budget lets a drain take down out of `replicas`, as the disruption controller counts them."""
        if isinstance(self.max_unavailable, int):
            return self.max_unavailable
        return math.ceil(int(self.max_unavailable[:-1]) * replicas / 100)


class ServiceMonitorSettings(_Model):
    enabled: bool = Field(False, description="Prometheus Operator ServiceMonitor for `/metrics`.")
    namespace: DnsLabel = Field("monitoring", description="Namespace of Prometheus (allowed to scrape).")
    interval: Duration = Field("30s", description="Scrape interval.")
    labels: Labels = Field({}, description="Extra labels, e.g. the `release` your Prometheus selects.")


class CertManagerSettings(_Model):
    issuer: ObjectName = Field(description="cert-manager issuer that signs the certificate, e.g. `letsencrypt-prod`.")
    issuer_kind: Literal["ClusterIssuer", "Issuer"] = Field("ClusterIssuer", description="Kind of that issuer.")


class TLSSettings(_Model):
    secret_name: ObjectName = Field(
        description="Secret (type kubernetes.io/tls) holding the host's certificate: an existing one, or the one"
        " cert-manager writes when `certManager` is set."
    )
    cert_manager: CertManagerSettings | None = Field(
        None, description="Have cert-manager issue and renew the certificate (a `Certificate` object)."
    )


class GatewayRefSettings(_Model):
    name: ObjectName = Field(description="Name of the existing Gateway.")
    namespace: DnsLabel = Field(description="Namespace of that Gateway.")
    listener: ObjectName | None = Field(
        None,
        description="Listener (`sectionName`) to attach to: an HTTPS listener for the public entrance. Unset"
        " attaches to every listener whose hostname matches.",
    )


class EntranceSide(_Model):
    host: Host | None = Field(
        None,
        description="Host name. The public entrance takes its host from `litellm:publicUrl`; the internal one"
        " needs its own.",
    )
    class_name: ObjectName | None = Field(None, description="`ingressClassName` (type `ingress`), e.g. `nginx`.")
    gateway: GatewayRefSettings | None = Field(None, description="The Gateway to attach to (type `gateway`).")
    pod_namespace: DnsLabel | None = Field(
        None,
        description="Namespace of the pods that forward requests to LiteLLM (the ingress controller or the"
        " gateway's proxies): the only namespace the NetworkPolicy lets in for this entrance. Unset: the Gateway's"
        " namespace (type `gateway`), `ingress-nginx` (type `ingress`).",
    )
    tls: TLSSettings | None = Field(
        None,
        description="TLS for the host. Type `ingress`: required (the Ingress terminates TLS with this Secret). Type"
        " `gateway`: the listener holds the certificate; set `tls.certManager` to have a Certificate issued into the"
        " Gateway's namespace under `tls.secretName`.",
    )

    def forwarding_namespace(self, kind: str) -> str:
        if self.pod_namespace:
            return self.pod_namespace
        return self.gateway.namespace if kind == "gateway" and self.gateway else "ingress-nginx"


class EntranceSettings(_Model):
    enabled: bool = Field(
        False, description="Serve `litellm:publicUrl` from inside the cluster (see docs/entrance.md)."
    )
    type: Literal["ingress", "gateway"] = Field(
        "gateway",
        description="`gateway`: Gateway API HTTPRoutes attached to existing Gateways. `ingress`: Ingress objects"
        " with an `ingressClassName`.",
    )
    public: EntranceSide = Field(
        EntranceSide(), description="The internet-facing entrance: LiteLLM's LLM API routes only, never `/metrics`."
    )
    internal: EntranceSide | None = Field(
        None,
        description="A second entrance on its own host for the admin UI and the management routes (an internal"
        " Gateway or ingress class). Unset: those routes are reachable only inside the cluster.",
    )

    def sides(self) -> dict[str, EntranceSide]:
        """The configured entrances by name (`public`, `internal`)."""
        return {"public": self.public, **({"internal": self.internal} if self.internal else {})}

    @model_validator(mode="after")
    def _complete(self) -> "EntranceSettings":
        if not self.enabled:
            return self
        for name, side in self.sides().items():
            if self.type == "ingress":
                if side.class_name is None:
                    raise FieldError(f"{name}.className", "is required for type ingress, e.g. nginx")
                if side.gateway is not None:
                    raise FieldError(f"{name}.gateway", "belongs to type gateway; this entrance is type ingress")
                if side.tls is None:
                    raise FieldError(f"{name}.tls", "is required for type ingress: {secretName: ..., certManager?}")
            else:
                if side.gateway is None:
                    raise FieldError(f"{name}.gateway", "is required for type gateway: {name, namespace, listener?}")
                if side.class_name is not None:
                    raise FieldError(f"{name}.className", "belongs to type ingress; this entrance is type gateway")
                if side.tls is not None and side.tls.cert_manager is None:
                    raise FieldError(
                        f"{name}.tls",
                        "with type gateway the Gateway's listener holds the certificate: set tls.certManager to have"
                        " one issued, or leave tls out",
                    )
        if self.public.host is not None:
            raise FieldError("public.host", "comes from litellm:publicUrl: remove it")
        if self.internal is not None and self.internal.host is None:
            raise FieldError("internal.host", "is required: the internal entrance needs a host of its own")
        return self


class MonitoringSettings(_Model):
    alerts: bool = Field(
        False, description="A Prometheus Operator `PrometheusRule` with the alerts of docs/entrance.md."
    )
    dashboard: bool = Field(False, description="A Grafana dashboard as a ConfigMap for Grafana's dashboard sidecar.")
    rule_labels: Labels = Field(
        {}, description="Extra labels of the PrometheusRule, e.g. the `release` your Prometheus selects."
    )
    dashboard_namespace: DnsLabel = Field("monitoring", description="Namespace the Grafana sidecar watches.")
    dashboard_labels: Labels = Field(
        {"grafana_dashboard": "1"}, min_length=1, description="Labels the Grafana sidecar selects dashboards by."
    )
    entrance_metrics: Literal["ingress-nginx", "envoy-gateway"] | None = Field(
        None,
        description="Who exports request rate, errors and latency of the public host. Unset: `ingress-nginx` for"
        " entrance type `ingress`, `envoy-gateway` for type `gateway`; none without an entrance.",
    )
    p95_latency_seconds: Count = Field(
        60,
        description="Alert when the public host's 95th percentile request duration stays above this many seconds"
        " (a streamed completion takes as long as the model writes).",
    )


class Settings(_Model):
    """Every `litellm:` stack config key."""

    namespace: DnsLabel = Field("litellm", description="Namespace LiteLLM runs in.")
    delivery: Literal["argocd", "helm"] = Field(
        "argocd", description="`argocd`: an ArgoCD Application. `helm`: a Helm release applied by Pulumi."
    )
    chart: ChartSettings = Field(ChartSettings(), description="The litellm-helm chart source.")
    image: ImageSettings = Field(ImageSettings(), description="Proxy image.")
    replicas: Integer = Field(3, ge=1, le=1000, description="Proxy replicas (ignored when autoscaling is enabled).")
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

    @model_validator(mode="before")
    @classmethod
    def _provider_keys_held_elsewhere(cls, data: Any) -> Any:
        """`providerKeys` may be left out when existing Secrets hold the provider keys."""
        if isinstance(data, dict) and "providerKeys" not in data and "provider_keys" not in data:
            existing = data.get("existingSecrets")
            if isinstance(existing, dict) and existing.get("providerKeys"):
                return {**data, "providerKeys": {}}
        return data

    @model_validator(mode="after")
    def _cross_field_rules(self) -> "Settings":
        problems = []
        for name, value in self.provider_keys.items():
            if name in RESERVED_ENV_NAMES:
                problems.append(
                    (
                        f"providerKeys.{name}",
                        "is a name the chart or this program sets itself, which would shadow this key in the pod:"
                        " rename it",
                    )
                )
            problems.extend(_secret_text_problems(f"providerKeys.{name}", value))
        existing = self.existing_secrets
        provider_env_names = {**existing.provider_env_names, **dict.fromkeys(self.provider_keys, "")}
        for index, secret in enumerate(existing.provider_keys):
            for position, name in enumerate(secret.keys):
                path = f"existingSecrets.providerKeys[{index}].keys[{position}]"
                if name in RESERVED_ENV_NAMES:
                    problems.append((path, f"{name!r} is a name the chart or this program sets itself: rename it"))
                elif name in self.provider_keys:
                    problems.append((path, f"{name!r} is also a key of litellm:providerKeys: keep one of the two"))
        problems.extend(self._existing_secret_problems())
        for index, model in enumerate(self.models):
            if model.api_key_env is not None and model.api_key_env not in provider_env_names:
                known = ", ".join(sorted(provider_env_names)) or "none"
                problems.append(
                    (
                        f"models[{index}].apiKeyEnv",
                        f"{model.api_key_env!r} is not a key of litellm:providerKeys (set: {known});"
                        f" `{SECRET_COMMANDS['providerKeys'].replace('<ENV_NAME>', model.api_key_env)}`",
                    )
                )
        if self.database.create_secret and self.database_password is None:
            problems.append(("databasePassword", DATABASE_PASSWORD_REQUIRED))
        if not self.database.create_secret and self.database_password is not None:
            problems.append(
                ("databasePassword", "is not used when database.createSecret is false: remove it from the stack")
            )
        problems.extend(_secret_text_problems("databasePassword", self.database_password))
        problems.extend(_secret_text_problems("redisPassword", self.redis_password))
        problems.extend(_secret_text_problems("masterKey", self.master_key))
        problems.extend(_secret_text_problems("saltKey", self.salt_key))
        if self.master_key is not None:
            key = self.master_key.get_secret_value()
            if not key.startswith("sk-") or len(key) < 16:
                problems.append(("masterKey", "must start with 'sk-' and be at least 16 characters long"))
        if self.redis_password is not None and not self.redis.enabled:
            problems.append(("redisPassword", "is set but redis.enabled is false"))
        problems.extend(_secret_text_problems("licenseKey", self.license_key))
        if self.service_monitor.enabled and self.license_key is None:
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
        problems.extend(self._namespace_problems())
        problems.extend(self._fallback_problems())
        problems.extend(self._tracing_header_problems())
        problems.extend(self._entrance_problems())
        if problems:
            raise CrossFieldErrors(problems)
        return self

    def _existing_secret_problems(self) -> list[tuple[str, str]]:
        """A value comes from the stack's secret config or from an existing Secret, never both."""
        existing = self.existing_secrets
        both = {
            "masterKey": (existing.master_key, self.master_key),
            "saltKey": (existing.salt_key, self.salt_key),
            "redisPassword": (existing.redis_password, self.redis_password),
            "tracingHeaders": (existing.tracing_headers, self.tracing_headers),
        }
        problems = [
            (key, f"is set, and existingSecrets.{key} names a Secret managed elsewhere: keep one of the two")
            for key, (declared, configured) in both.items()
            if declared is not None and configured is not None
        ]
        redis_key = existing.redis_password.key if existing.redis_password else None
        if redis_key is not None and redis_key != "REDIS_PASSWORD" and redis_key in RESERVED_ENV_NAMES:
            problems.append(("existingSecrets.redisPassword.key", f"{redis_key!r} is a name the chart sets itself"))
        if existing.redis_password is not None and not self.redis.enabled:
            problems.append(("existingSecrets.redisPassword", "is set but redis.enabled is false"))
        if existing.tracing_headers is not None and not self.tracing.enabled:
            problems.append(("existingSecrets.tracingHeaders", "is set but tracing.enabled is false"))
        return problems

    def _namespace_problems(self) -> list[tuple[str, str]]:
        """The LiteLLM namespace gets a default-deny policy and is protected: it must be LiteLLM's alone."""
        if self.namespace in SYSTEM_NAMESPACES or self.namespace.startswith("kube-"):
            return [("namespace", f"{self.namespace!r} belongs to the cluster: give LiteLLM its own namespace")]
        others = {
            "argocd.namespace": self.argocd.namespace,
            "database.namespace": self.database.namespace,
            "networkPolicy.dnsNamespace": self.network_policy.dns_namespace,
        }
        if self.redis.enabled:
            others["redis.namespace"] = self.redis.namespace
        if self.service_monitor.enabled:
            others["serviceMonitor.namespace"] = self.service_monitor.namespace
        return [
            ("namespace", f"{self.namespace!r} is also litellm:{key}: give LiteLLM a namespace of its own")
            for key, namespace in others.items()
            if namespace == self.namespace
        ]

    def _fallback_problems(self) -> list[tuple[str, str]]:
        names = {model.name for model in self.models}
        configured = ", ".join(sorted(names)) or "none"
        problems = []
        seen = set()
        for index, fallback in enumerate(self.router.fallbacks):
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

    def _tracing_header_problems(self) -> list[tuple[str, str]]:
        if self.tracing_headers is None:
            return []
        if not self.tracing.enabled:
            return [("tracingHeaders", "is set but tracing.enabled is false")]
        if len(self.tracing_headers) != 1:
            return [
                (
                    "tracingHeaders",
                    (
                        f"holds {len(self.tracing_headers)} headers; give exactly one: the OTEL integration of"
                        " LiteLLM releases around v1.76 parses OTEL_HEADERS as one name=value pair"
                    ),
                )
            ]
        ((name, value),) = self.tracing_headers.items()
        text = value.get_secret_value()
        if not text or text != text.strip():
            return _secret_text_problems(f"tracingHeaders.{name}", value)
        if any(c in text for c in ",\r\n"):
            reason = "must not contain ',' (newer LiteLLM splits headers there) or line breaks"
            return [(f"tracingHeaders.{name}", reason)]
        return []

    def _entrance_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.entrance.enabled:
            return problems
        if self.public_url is None:
            return [*problems, ("entrance.enabled", "needs litellm:publicUrl, the https URL the entrance serves")]
        parsed = urlparse(self.public_url)
        if parsed.port is not None or parsed.path not in ("", "/"):
            problems.append(
                ("publicUrl", f"{self.public_url!r}: the entrance serves a whole host on 443; give https://<host> only")
            )
        internal = self.entrance.internal
        if internal is not None and internal.host == self.public_host:
            problems.append(("entrance.internal.host", "must differ from the host of litellm:publicUrl"))
        return problems

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
        return {"ingress": "ingress-nginx", "gateway": "envoy-gateway"}[self.entrance.type]

    @model_validator(mode="after")
    def _remember_stack(self, info: ValidationInfo) -> "Settings":
        self._stack = (info.context or {}).get("stack")
        return self

    @property
    def cache_namespace(self) -> str:
        return self.redis.cache.namespace or default_cache_namespace(self._stack)

    @property
    def proxy_replicas(self) -> int:
        """Replicas that run in steady state (the HPA floor when autoscaling)."""
        return self.autoscaling.min_replicas if self.autoscaling.enabled else self.replicas
