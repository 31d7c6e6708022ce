"""Names both sides must agree on: the Secrets the program creates and the chart values reference,
and the labels the chart puts on the proxy and migration pods.
"""

from dataclasses import dataclass

from components.settings import CANARY_RELEASE_NAME, RELEASE_NAME, EntranceSide, Settings

MASTER_KEY_SECRET = "litellm-master-key"
MASTER_KEY_KEY = "LITELLM_MASTER_KEY"
SALT_KEY_SECRET = "litellm-salt-key"
SALT_KEY_KEY = "LITELLM_SALT_KEY"
PROVIDER_KEYS_SECRET = "litellm-provider-keys"
PROVIDER_SECRET_PREFIX = "litellm-provider-"
"""With `splitProviderKeys`, each key's Secret is this prefix and the env name in DNS form."""
REDIS_SECRET = "litellm-redis"
REDIS_PASSWORD_KEY = "REDIS_PASSWORD"
LICENSE_SECRET = "litellm-license"
LICENSE_KEY = "LITELLM_LICENSE"
TRACING_SECRET = "litellm-tracing"
# Read by LiteLLM's OpenTelemetry integration (`OpenTelemetryConfig.from_env`) as `name=value`.
TRACING_HEADERS_KEY = "OTEL_HEADERS"

SERVICE_ACCOUNT = RELEASE_NAME
"""The proxy's ServiceAccount, created by the program (components/access.py) and named in the chart values."""
ADMIN_UI_OFF_CONFIG_MAP = "litellm-admin-ui-off"
ADMIN_UI_OFF_MOUNT_PATH = "/etc/litellm-admin-ui-off"
"""Where the pods mount the start-up hook of `ui.enabled: false` (components/admin_ui_off.py)."""


def entrance_object_name(side: str) -> str:
    """The Ingress, HTTPRoute and Certificate of an entrance (`public`, `internal`): the alerts query the public
    HTTPRoute by this name."""
    return f"{RELEASE_NAME}-{side}"


def certificate_namespace(settings: Settings, entrance: EntranceSide) -> str:
    """A Gateway reads its listener's Secret from its own namespace; an Ingress (also with type `both`) from the
    Ingress's."""
    if settings.entrance.type == "gateway" and entrance.gateway is not None:
        return entrance.gateway.namespace
    return settings.namespace


def issued_certificates(settings: Settings) -> list[tuple[str, str]]:
    """(namespace, name) of each Certificate the program has cert-manager issue."""
    if not settings.entrance.enabled:
        return []
    return [
        (certificate_namespace(settings, side), entrance_object_name(name))
        for name, side in settings.entrance.sides().items()
        if side.tls is not None and side.tls.cert_manager is not None
    ]


def entrance_namespaces(settings: Settings) -> list[str]:
    """Namespaces whose pods forward requests to LiteLLM through the entrances (NetworkPolicy peers)."""
    if not settings.entrance.enabled:
        return []
    kind = settings.entrance.type
    return sorted(set().union(*(side.forwarding_namespaces(kind) for side in settings.entrance.sides().values())))


# On every object the program itself creates. Not the chart's `app.kubernetes.io/instance`: ArgoCD 2.x
# tracks an Application's objects by that label and would prune these (absent from the chart).
PROGRAM_LABELS = {"app.kubernetes.io/part-of": "litellm", "app.kubernetes.io/managed-by": "pulumi"}

# The chart's selector labels (templates/_helpers.tpl:48-51 at the tag), carried by the Deployment's
# pods and the migration Job's pods alike (docs/chart-contract.md, "Names and labels").
SELECTOR_LABELS = {
    "app.kubernetes.io/name": "litellm",
    "app.kubernetes.io/instance": RELEASE_NAME,
}
INSTANCE_LABEL = "app.kubernetes.io/instance"


def proxy_pod_labels(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """The labels every proxy and migration pod of the stack carries, and the instances (`In`) when a canary's
    release (`litellm-canary`, the same chart) runs beside the stable one: its pods need the same flows."""
    if not settings.canary.enabled:
        return dict(SELECTOR_LABELS), []
    labels = {key: value for key, value in SELECTOR_LABELS.items() if key != INSTANCE_LABEL}
    return labels, [RELEASE_NAME, CANARY_RELEASE_NAME]


@dataclass(frozen=True)
class SecretLayout:
    master_key: str
    salt_key: str
    database: str
    provider_keys: dict[str, str]
    """Secret name for each provider env name."""
    redis: str | None
    tracing: str | None = None
    """Secret with the OTLP collector header, when `litellm:tracingHeaders` is set."""
    master_key_key: str = MASTER_KEY_KEY
    redis_key: str = REDIS_PASSWORD_KEY
    """Key of the Redis password, also the env name the proxy config reads it from."""
    license: str | None = None
    """Secret with the LiteLLM Enterprise licence, when `litellm:licenseKey` is set."""
    existing: frozenset[str] = frozenset()
    """Secrets declared as existing (`litellm:existingSecrets`, `database.createSecret: false`): referenced,
    never written by the program."""

    @property
    def environment_secrets(self) -> list[str]:
        """Secrets the proxy container imports whole (`envFrom`), in a stable order, each once."""
        names = [self.salt_key, *(self.provider_keys[env] for env in sorted(self.provider_keys))]
        names.extend(name for name in (self.redis, self.tracing, self.license) if name)
        return list(dict.fromkeys(names))


def program_secret_names(layout: SecretLayout) -> list[str]:
    """The Secrets the program writes; the ones it only references (declared existing) are not its to grant."""
    names = {layout.master_key, layout.salt_key, layout.database, *layout.provider_keys.values()}
    names.update(name for name in (layout.redis, layout.tracing, layout.license) if name)
    return sorted(names - layout.existing)


def provider_secret_name(env_name: str) -> str:
    """`OPENAI_API_KEY` -> `litellm-provider-openai-api-key`; a name ending in `_` must not give a name
    ending in `-`, which the API server refuses (`A_` shares the Secret of `A`, under its own key)."""
    return (PROVIDER_SECRET_PREFIX + env_name.lower().replace("_", "-")).rstrip("-")


def secret_layout(settings: Settings) -> SecretLayout:
    existing = settings.existing_secrets
    if settings.split_provider_keys:
        provider_keys = {env: provider_secret_name(env) for env in settings.provider_keys}
    else:
        provider_keys = {env: PROVIDER_KEYS_SECRET for env in settings.provider_keys}
    provider_keys.update(existing.provider_env_names)
    redis = REDIS_SECRET if settings.redis_password is not None else None
    tracing = TRACING_SECRET if settings.tracing_headers is not None else None
    declared = [
        existing.master_key,
        existing.salt_key,
        *existing.provider_keys,
        existing.redis_password,
        existing.tracing_headers,
    ]
    names = {secret.name for secret in declared if secret is not None}
    if not settings.database.create_secret:
        names.add(settings.database.secret_name)
    return SecretLayout(
        master_key=existing.master_key.name if existing.master_key else MASTER_KEY_SECRET,
        master_key_key=existing.master_key.key if existing.master_key else MASTER_KEY_KEY,
        salt_key=existing.salt_key.name if existing.salt_key else SALT_KEY_SECRET,
        database=settings.database.secret_name,
        provider_keys=provider_keys,
        redis=existing.redis_password.name if existing.redis_password else redis,
        redis_key=existing.redis_password.key if existing.redis_password else REDIS_PASSWORD_KEY,
        tracing=existing.tracing_headers.name if existing.tracing_headers else tracing,
        existing=frozenset(names),
        license=LICENSE_SECRET if settings.license_key is not None else None,
    )


def service_host(settings: Settings) -> str:
    """In-cluster DNS name of the chart's Service (named after the release)."""
    return f"{RELEASE_NAME}.{settings.namespace}.svc.cluster.local"
