"""Legal but risky choices in a stack's settings: warnings for `pulumi preview`, each with why and what to do."""

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from components.egress import destinations, service_port_assumptions
from components.settings import DatabaseSettings, RedisSettings, Settings, default_cache_namespace
from components.settings.common import PRODUCTION_STACK
from components.stacks import PROGRAM_DIR, PROJECT, committed_stack_configs
from components.versions import CHART_REF, IMAGE_TAG

_M = TypeVar("_M", bound=BaseModel)


def risk_warnings(settings: Settings, stack: str, program_dir: Path = PROGRAM_DIR) -> list[str]:
    """Legal but risky choices, each with why and what to do instead.

    `program_dir` holds the committed stack files that a shared cache is checked against.
    """
    warnings = []
    if settings.image.is_moving_tag:
        warnings.append(
            f"litellm:image.tag {settings.image.tag!r} is a moving tag: pods started at different times can run"
            " different LiteLLM versions, and a restart can upgrade the proxy unannounced, with no migration Job"
            f" run (the pods then apply the schema themselves). Pin a versioned tag such as {IMAGE_TAG!r}."
        )
    if PRODUCTION_STACK.search(stack) and settings.proxy_replicas < 2:
        warnings.append(
            f"stack {stack!r} looks like production but runs {settings.proxy_replicas} replica: any node drain or"
            " rollout is an outage. Set litellm:replicas to 2 or more."
        )
    if settings.chart.ref != CHART_REF:
        warnings.append(
            f"litellm:chart.ref {settings.chart.ref!r}: the chart values were verified against"
            f" {CHART_REF};"
            " the chart has no values schema, so check the values against the new templates (`helm template`)."
        )
    if not settings.network_policy.enabled:
        warnings.append(
            "litellm:networkPolicy.enabled is false: every pod in the cluster can reach the proxy, and the proxy"
            " can reach the cloud metadata endpoint."
        )
    policy = settings.network_policy
    if (
        policy.enabled
        and not policy.ingress_namespaces
        and not settings.service_monitor.enabled
        and not settings.entrance.enabled
    ):
        warnings.append(
            "litellm:networkPolicy.ingressNamespaces is empty: no pod can reach the proxy, only"
            " `kubectl port-forward`. List the namespace of your ingress controller or clients."
        )
    if policy.enabled and settings.service.type != "ClusterIP":
        warnings.append(
            f"litellm:service.type {settings.service.type}: the default-deny NetworkPolicy drops traffic from outside"
            " the cluster to the node or load-balancer port. Prefer an ingress controller listed in"
            " networkPolicy.ingressNamespaces."
        )
    budget = settings.pod_disruption_budget
    replicas = settings.proxy_replicas
    if budget.enabled and replicas > 1 and budget.unavailable_pods(replicas) >= replicas:
        warnings.append(
            f"litellm:podDisruptionBudget.maxUnavailable {budget.max_unavailable} lets a drain evict all"
            f" {replicas} replicas at once: the budget protects nothing. Use 1."
        )
    if settings.monitoring.alerts and "release" not in settings.monitoring.rule_labels:
        warnings.append(
            "litellm:monitoring.ruleLabels has no `release` label: a default kube-prometheus-stack loads only"
            " PrometheusRules labelled `release: <its Helm release>` (ruleSelectorNilUsesHelmValues), so these alerts"
            " would never be evaluated. Set ruleLabels: {release: kube-prometheus-stack} (your release's name)."
        )
    if not settings.models:
        warnings.append(
            "litellm:models is empty: the proxy starts with no model to route to, and clients get errors until"
            " models are added through the admin UI or API. List the models in the stack file."
        )
    warnings.extend(
        f"litellm:models[{index}].model {model.model!r} has no provider prefix: LiteLLM guesses the provider from"
        " its built-in model list and drops the model at start when the guess fails. Write <provider>/<model>,"
        " e.g. openai/gpt-4o."
        for index, model in enumerate(settings.models)
        if not model.has_provider_prefix
    )
    warnings.extend(ignored_key_warnings(settings))
    warnings.extend(_limit_warnings(settings))
    warnings.extend(_service_port_warnings(settings))
    warnings.extend(
        f"litellm:{d.key}: {d.host!r} is read as Service {d.host.split('.')[0]!r} of namespace {d.namespace!r}, as"
        " the pods' DNS search path resolves it. If it is a host outside the cluster, end it with a dot"
        f" ({d.host}.) so that it is looked up as written."
        for d in destinations(settings)
        if d.short_form
    )
    warnings.extend(shared_cache_warnings(settings, stack, program_dir))
    warnings.extend(shared_database_warnings(settings, stack, program_dir))
    return warnings


def _set_keys(model: BaseModel, *exclude: str) -> list[str]:
    """The keys of `model` the stack wrote (by their config spelling), apart from `exclude`."""
    fields = type(model).model_fields
    return [fields[name].alias or name for name in sorted(model.model_fields_set) if name not in exclude]


def ignored_key_warnings(settings: Settings) -> list[str]:
    """Keys the stack sets that nothing reads under the rest of its settings: turned off, or replaced."""
    ignored: list[tuple[list[str], str]] = []

    def block(name: str, model: BaseModel, active: bool, why: str) -> None:
        if not active:
            ignored.append(([f"{name}.{key}" for key in _set_keys(model, "enabled")], why))

    block("redis", settings.redis, settings.redis.enabled, "redis.enabled is false")
    block("networkPolicy", settings.network_policy, settings.network_policy.enabled, "networkPolicy.enabled is false")
    block("autoscaling", settings.autoscaling, settings.autoscaling.enabled, "autoscaling.enabled is false")
    block(
        "serviceMonitor", settings.service_monitor, settings.service_monitor.enabled, "serviceMonitor.enabled is false"
    )
    block("tracing", settings.tracing, settings.tracing.enabled, "tracing.enabled is false")
    block("canary", settings.canary, settings.canary.enabled, "canary.enabled is false")
    budget = settings.pod_disruption_budget
    block("podDisruptionBudget", budget, budget.enabled, "podDisruptionBudget.enabled is false")
    if "argocd" in settings.model_fields_set and settings.delivery != "argocd":
        ignored.append(([f"argocd.{key}" for key in _set_keys(settings.argocd)], f"delivery is {settings.delivery}"))
    if "local_path" in settings.chart.model_fields_set and settings.delivery != "helm":
        ignored.append((["chart.localPath"], f"delivery is {settings.delivery} (ArgoCD fetches the chart itself)"))
    if "replicas" in settings.model_fields_set and settings.autoscaling.enabled:
        ignored.append((["replicas"], "autoscaling.enabled is true (the HPA sets the replica count)"))
    if "user" in settings.database.model_fields_set and not settings.database.create_secret:
        ignored.append((["database.user"], "database.createSecret is false (the user comes from the existing Secret)"))
    if "master_key_version" in settings.model_fields_set and settings.master_key is not None:
        ignored.append((["masterKeyVersion"], "litellm:masterKey is set (only a generated key is versioned)"))
    return [
        f"litellm:{', litellm:'.join(keys)} {'is' if len(keys) == 1 else 'are'} set but not used while {why}:"
        f" remove {'it' if len(keys) == 1 else 'them'}, or change the setting that turns it off."
        for keys, why in ignored
        if keys
    ]


def _limit_warnings(settings: Settings) -> list[str]:
    limited = [model.name for model in settings.models if model.rpm is not None or model.tpm is not None]
    if not limited:
        return []
    where = f"litellm:models rpm/tpm on {', '.join(limited)}"
    strategy = settings.router.routing_strategy
    if strategy != "usage-based-routing-v2":
        return [
            (
                f"{where}: with routing strategy {strategy or 'simple-shuffle'} LiteLLM uses them to weight"
                " deployments and does not refuse traffic above them. Set litellm:router.routingStrategy to"
                " usage-based-routing-v2 to count usage in Redis and enforce them across replicas."
            )
        ]
    if not settings.redis.enabled:
        return [
            (
                f"{where}: redis.enabled is false, so each replica counts on its own and the provider sees up to"
                f" {settings.proxy_replicas} times the limit."
            )
        ]
    return []


def _service_port_warnings(settings: Settings) -> list[str]:
    """Say which egress was derived from a Service name, and that it assumes the pods listen on its port."""
    return [
        f"litellm:{d.key}: the NetworkPolicies let the proxy reach namespace {d.namespace!r} on port {d.port}, the"
        " Service's port. They match the port the pods listen on: if the Service forwards to another targetPort,"
        f" add {{namespace: {d.namespace}, ports: [<targetPort>]}} to litellm:networkPolicy.egress."
        for d in service_port_assumptions(settings)
        # A Service on 80 or 443 almost always forwards to an unprivileged port of its pods.
        if d.port in (80, 443)
    ]


def shared_cache_warnings(settings: Settings, stack: str, program_dir: Path = PROGRAM_DIR) -> list[str]:
    """Other committed stacks whose response cache is the same Redis host, port and key namespace."""
    if not settings.redis.enabled:
        return []
    mine = (settings.redis.host, settings.redis.port, settings.cache_namespace)
    warnings = []
    for other, redis in _committed_redis_settings(program_dir).items():
        if other == stack or not redis.enabled:
            continue
        if (redis.host, redis.port, redis.cache.namespace or default_cache_namespace(other)) == mine:
            warnings.append(
                f"litellm:redis.cache.namespace {settings.cache_namespace!r} on {redis.host}:{redis.port} is also the"
                f" cache of stack {other!r} (Pulumi.{other}.yaml): the two stacks would serve each other's cached"
                " responses. Give each stack its own namespace, or leave it unset for litellm_cache_<stack>."
            )
    return warnings


def shared_database_warnings(settings: Settings, stack: str, program_dir: Path = PROGRAM_DIR) -> list[str]:
    """Other committed stacks whose tables are the same database and schema."""
    database = settings.database
    mine = (database.host.removesuffix("."), database.port, database.name, database.schema_)
    return [
        f"litellm:database {database.host}:{database.port}/{database.name} schema {database.schema_!r} is also the"
        f" database of stack {other!r} (Pulumi.{other}.yaml): each stack's migration Job would apply its LiteLLM"
        " version's schema to the other's tables, and both would share keys, users and spend. Give this stack its"
        " own database or schema (litellm:database.name, litellm:database.schema)."
        for other, theirs in _committed_settings(program_dir, DatabaseSettings, "database").items()
        if other != stack and (theirs.host.removesuffix("."), theirs.port, theirs.name, theirs.schema_) == mine
    ]


def _committed_redis_settings(program_dir: Path) -> dict[str, RedisSettings]:
    """`litellm:redis` of every stack file that states a valid one (or none: then the defaults)."""
    return _committed_settings(program_dir, RedisSettings, "redis")


def _committed_settings(program_dir: Path, model: type[_M], key: str) -> dict[str, _M]:
    """`litellm:<key>` of every committed stack file that states a valid one (or none: then the defaults)."""
    found = {}
    for stack, config in committed_stack_configs(program_dir).items():
        try:
            found[stack] = model.model_validate(config.get(f"{PROJECT}:{key}") or {}, by_alias=True, by_name=False)
        except ValidationError:
            continue  # that stack's own run reports the problem
    return found
