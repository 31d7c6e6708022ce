"""The litellm-helm values, built in one place as a pure function of the settings.

Both delivery modes (ArgoCD `valuesObject`, Helm release `values`) use `build_chart_values`. The
chart at v1.76.1-stable has no values schema and ignores unknown keys, so every key here is one its
templates read (docs/chart-contract.md says where and why). Secrets appear by name only, never by value.
"""

from typing import Any

from components.layout import (
    ADMIN_UI_OFF_CONFIG_MAP,
    ADMIN_UI_OFF_MOUNT_PATH,
    SELECTOR_LABELS,
    SERVICE_ACCOUNT,
    SecretLayout,
    secret_layout,
)
from components.migration_check import migration_check_containers, migration_check_volumes
from components.settings import ModelSettings, Settings

# The chart's default `db.url` plus the schema and TLS parameters. Kubernetes expands the
# `$(VAR)`s from the env entries the chart defines before DATABASE_URL; the Secret holds the user
# and password URL-encoded, so the expansion is a valid URL for any password.
PRIVILEGED_PORT_LIMIT = 1024
DATABASE_URL_TEMPLATE = "postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@$(DATABASE_HOST)/$(DATABASE_NAME)"
SECRETS_REVISION_ANNOTATION = "litellm-secrets-revision"
# The chart at the tag has no value for the pod's grace period or a lifecycle hook, and ArgoCD's git source cannot
# post-render it. The deployment template writes two values unquoted, at the depth of the fields that are missing:
# `serviceAccount.name` in the pod spec (templates/deployment.yaml:35, 6 spaces) and `image.pullPolicy` in the
# container (:43, 10 spaces). A value that goes on on a new line at that depth adds sibling fields, and both
# deliveries render them, since both run the chart's templates. templates/migrations-job.yaml:30, 34 write the same
# values at the same depths, so the migration pod gets them too: a migration being stopped gets as long to finish.
# tests/test_request_lifetime.py renders the real chart and checks both objects.
POD_SPEC_LINE = "\n" + " " * 6
CONTAINER_LINE = "\n" + " " * 10


ADMIN_UI_OFF_VOLUME = "admin-ui-off"


def build_chart_values(
    settings: Settings, secrets_revision: Any = None, layout: SecretLayout | None = None
) -> dict[str, Any]:
    """`secrets_revision` (a string or a Pulumi output) changes exactly when a Secret the pods read changes;
    `layout` is `secret_layout(settings)`, when the caller has it already."""
    secrets = layout or secret_layout(settings)
    # With autoscaling on, the chart leaves `replicas` out of the Deployment (the HPA owns the count)
    # and ignores replicaCount.
    replicas = {} if settings.autoscaling.enabled else {"replicaCount": settings.replicas}
    values = {
        **replicas,
        "image": {
            "repository": settings.image.repository,
            "tag": settings.image.tag,
            "pullPolicy": settings.image.pull_policy + _container_lifecycle(settings),
        },
        "service": {"type": settings.service.type, "port": settings.service.port},
        "resources": settings.resources.model_dump(),
        # Without a name the chart generates a new master key on every render.
        "masterkeySecretName": secrets.master_key,
        "masterkeySecretKey": secrets.master_key_key,
        "environmentSecrets": secrets.environment_secrets,
        "envVars": _env_vars(settings),
        "db": _database(settings),
        # The bundled Bitnami Redis stays off: the proxy talks to the existing Redis via proxy_config.
        "redis": {"enabled": False},
        "migrationJob": _migration_job(settings),
        "proxy_config": build_proxy_config(settings, secrets),
        # The program's own ServiceAccount (components/access.py), created before the delivery: the PreSync /
        # pre-install migration Job runs before any chart object, so a chart-created one would not exist yet.
        "serviceAccount": {
            "create": False,
            "name": f"{SERVICE_ACCOUNT}{POD_SPEC_LINE}terminationGracePeriodSeconds:"
            f" {settings.entrance.requests.grace_seconds}",
        },
        "podSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        # The chart copies `securityContext` to the migration Job's container too. The image runs as
        # root and Prisma writes its engines under /root/.cache, so no runAsNonRoot and no read-only root.
        "securityContext": _security_context(settings),
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": {"matchLabels": dict(SELECTOR_LABELS)},
                        },
                    }
                ]
            }
        },
        "autoscaling": _autoscaling(settings),
        **_admin_ui_off(settings),
    }
    if settings.migration_check.enabled:
        values["volumes"] = [*values.get("volumes", []), *migration_check_volumes()]
    if secrets_revision is not None:
        # The pods read their Secrets only at start, and the chart rolls them only on a config change: a new
        # revision in the pod template rolls them (templates/deployment.yaml reads podAnnotations).
        values["podAnnotations"] = {SECRETS_REVISION_ANNOTATION: secrets_revision}
    return values


def build_proxy_config(settings: Settings, layout: SecretLayout | None = None) -> dict[str, Any]:
    """LiteLLM's config.yaml (`proxy_config`); `os.environ/NAME` values resolve from the pod env."""
    litellm_settings: dict[str, Any] = {"telemetry": settings.telemetry}
    router_settings: dict[str, Any] = {"num_retries": settings.num_retries, **_router_resilience(settings)}
    redis = settings.redis
    layout = layout or secret_layout(settings)
    if redis.enabled:
        password = {"password": f"os.environ/{layout.redis_key}"} if layout.redis is not None else {}
        cache_params: dict[str, Any] = {
            "type": "redis",
            "host": redis.host,
            "port": redis.port,
            **password,
            "ttl": redis.cache.ttl,
            "namespace": settings.cache_namespace,
        }
        litellm_settings.update(cache=True, cache_params=cache_params)
        router_settings.update(redis_host=redis.host, redis_port=redis.port)
        if layout.redis is not None:
            router_settings["redis_password"] = f"os.environ/{layout.redis_key}"
        # LiteLLM's `get_redis_connection_pool` (v1.76.1 and long after) picks TLS when the `ssl` key is
        # present at all, even `ssl: false`, so the key is written only when TLS is wanted.
        # Ref: https://github.com/BerriAI/litellm/pull/22745
        if redis.ssl:
            cache_params["ssl"] = True
            router_settings["cache_kwargs"] = {"ssl": True}
    callbacks = (["prometheus"] if settings.service_monitor.enabled else []) + (
        ["otel"] if settings.tracing.enabled else []
    )
    if callbacks:
        litellm_settings["callbacks"] = callbacks
    if settings.tracing.enabled and not settings.tracing.log_messages:
        litellm_settings["turn_off_message_logging"] = True
    return {
        "model_list": [_model_entry(model) for model in settings.models],
        "general_settings": {
            "master_key": "os.environ/PROXY_MASTER_KEY",
            # With a pinned image the migration Job (a sync/upgrade hook) owns the schema and the pods
            # must not race it. A moving tag can bring a new image without any manifest change, so no
            # hook runs: then the pods keep applying the schema at start, LiteLLM's default. Set here,
            # not in envVars: the chart copies envVars into the Job, which already sets that env name.
            "disable_prisma_schema_update": not settings.image.is_moving_tag,
        },
        "litellm_settings": litellm_settings,
        "router_settings": router_settings,
    }


def _model_entry(model: ModelSettings) -> dict[str, Any]:
    params: dict[str, Any] = {"model": model.model}
    if model.api_key_env:
        params["api_key"] = f"os.environ/{model.api_key_env}"
    if model.api_base:
        params["api_base"] = model.api_base
    limits = {"rpm": model.rpm, "tpm": model.tpm, "max_parallel_requests": model.max_parallel_requests}
    params.update({key: value for key, value in limits.items() if value is not None})
    return {"model_name": model.name, "litellm_params": params}


def _router_resilience(settings: Settings) -> dict[str, Any]:
    """The `router_settings` keys of `litellm:router` that are set; unset ones keep LiteLLM's defaults."""
    router = settings.router
    retry_policy = router.retry_policy.litellm_retry_policy() if router.retry_policy else {}
    fails_policy = router.allowed_fails_policy.litellm_allowed_fails_policy() if router.allowed_fails_policy else {}
    resilience = {
        "timeout": router.timeout,
        "allowed_fails": router.allowed_fails,
        "allowed_fails_policy": fails_policy or None,
        "cooldown_time": router.cooldown_time,
        "routing_strategy": router.routing_strategy,
        "retry_policy": retry_policy or None,
        "fallbacks": [{fallback.model: list(fallback.fallbacks)} for fallback in router.fallbacks] or None,
    }
    return {key: value for key, value in resilience.items() if value is not None}


def _security_context(settings: Settings) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": _capabilities(settings),
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _container_lifecycle(settings: Settings) -> str:
    """The `preStop` sleep that keeps a stopping pod serving until the entrance has dropped it (the kubelet's
    own sleep action: the image needs no `sleep` binary)."""
    drain = settings.entrance.requests.drain_seconds
    if drain == 0:
        return ""
    return f"{CONTAINER_LINE}lifecycle: {{preStop: {{sleep: {{seconds: {drain}}}}}}}"


def _migration_job(settings: Settings) -> dict[str, Any]:
    job: dict[str, Any] = {
        "enabled": True,
        "resources": settings.resources.model_dump(),
        "hooks": {
            "argocd": {"enabled": settings.delivery == "argocd"},
            "helm": {"enabled": settings.delivery == "helm"},
        },
    }
    if settings.migration_check.enabled:
        job.update(
            extraContainers=migration_check_containers(settings, _security_context(settings)),
            # The check's verdict is final: a restart would only wait again for a migration that has ended.
            backoffLimit=0,
            # The chart's 120 s would delete the Job, and the check's report with it, before anyone reads it.
            ttlSecondsAfterFinished=86400,
        )
    return job


def _env_vars(settings: Settings) -> dict[str, str]:
    # litellm/proxy/proxy_cli.py:480-486, 137-140 at v1.76.1: uvicorn's timeout_keep_alive (else uvicorn's 5 s).
    env: dict[str, str] = {"KEEPALIVE_TIMEOUT": str(settings.entrance.requests.keep_alive_seconds)}
    if not settings.ui.enabled:
        env["DISABLE_ADMIN_UI"] = "True"  # guards /sso/key/generate; the UI files go by admin_ui_off
        env["PYTHONPATH"] = ADMIN_UI_OFF_MOUNT_PATH
    if settings.workers != 1:
        # litellm/proxy/proxy_cli.py:309-314 at v1.76.1: `--num_workers`, envvar NUM_WORKERS, default 1.
        env["NUM_WORKERS"] = str(settings.workers)
    if settings.public_url:
        env["PROXY_BASE_URL"] = settings.public_url
    tracing = settings.tracing
    if tracing.enabled and tracing.endpoint is not None:  # validated: enabled requires an endpoint
        # LiteLLM's own names (`OpenTelemetryConfig.from_env`); the credentials arrive as OTEL_HEADERS
        # through the tracing Secret in environmentSecrets.
        env.update(
            OTEL_EXPORTER=tracing.otel_exporter, OTEL_ENDPOINT=tracing.endpoint, OTEL_SERVICE_NAME=tracing.service_name
        )
    return env


def _admin_ui_off(settings: Settings) -> dict[str, Any]:
    """The chart values that mount the start-up hook of components/admin_ui_off.py (empty while the UI is on).
    The chart gives `volumes`/`volumeMounts` to the migration Job too, where the hook removes the Job's copy:
    harmless."""
    if settings.ui.enabled:
        return {}
    return {
        "volumes": [{"name": ADMIN_UI_OFF_VOLUME, "configMap": {"name": ADMIN_UI_OFF_CONFIG_MAP}}],
        "volumeMounts": [{"name": ADMIN_UI_OFF_VOLUME, "mountPath": ADMIN_UI_OFF_MOUNT_PATH, "readOnly": True}],
    }


def _database(settings: Settings) -> dict[str, Any]:
    database = settings.database
    query = f"?schema={database.schema_}"
    if database.ssl_mode:
        query += f"&sslmode={database.ssl_mode}"
    secret = {"name": database.secret_name, "usernameKey": database.username_key, "passwordKey": database.password_key}
    # The chart writes `db.endpoint` unquoted (templates/deployment.yaml, migrations-job.yaml): an IPv6
    # `[fd00::5]:5432` there is not valid YAML, so such an endpoint comes from the Secret instead.
    endpoint = {"endpoint": database.endpoint}
    if database.endpoint_secret_key is not None:
        secret["endpointKey"] = database.endpoint_secret_key
        endpoint = {}
    return {
        # Both flags: with deployStandalone left at its default (true) the pods use a bundled Postgres.
        "deployStandalone": False,
        "useExisting": True,
        **endpoint,
        "database": database.name,
        "url": DATABASE_URL_TEMPLATE + query,
        "secret": secret,
    }


def _capabilities(settings: Settings) -> dict[str, list[str]]:
    """Every capability dropped; the chart listens on `service.port`, and a port below 1024 needs
    NET_BIND_SERVICE on runtimes that keep low ports privileged (the one capability Pod Security
    `restricted` lets a pod add)."""
    if settings.service.port < PRIVILEGED_PORT_LIMIT:
        return {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    return {"drop": ["ALL"]}


def _autoscaling(settings: Settings) -> dict[str, Any]:
    autoscaling = settings.autoscaling
    if not autoscaling.enabled:
        return {"enabled": False}
    return {
        "enabled": True,
        "minReplicas": autoscaling.min_replicas,
        "maxReplicas": autoscaling.max_replicas,
        "targetCPUUtilizationPercentage": autoscaling.target_cpu_utilization_percentage,
    }
