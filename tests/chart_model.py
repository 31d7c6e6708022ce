"""What litellm-helm at v1.76.1-stable does with a set of values, written from the chart's templates
(templates/deployment.yaml and templates/migrations-job.yaml; docs/chart-contract.md), independently of
components/values.py. The chart has no values schema, so these tests are what stands between a
misspelt key and a broken cluster.
"""

import re
from typing import Any

# Chart defaults (values.yaml at the tag) that change what the templates render.
DEFAULTS: dict[str, Any] = {
    "service": {"type": "ClusterIP", "port": 4000},
    "masterkeySecretName": "",
    "masterkeySecretKey": "",
    "environmentSecrets": [],
    "environmentConfigMaps": [],
    "envVars": {},
    "extraEnvVars": [],
    "db": {
        "deployStandalone": True,
        "useExisting": False,
        "endpoint": "localhost",
        "database": "litellm",
        "url": "postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@$(DATABASE_HOST)/$(DATABASE_NAME)",
        "secret": {"name": "postgres", "usernameKey": "username", "passwordKey": "password", "endpointKey": ""},
    },
    "redis": {"enabled": False},
    "migrationJob": {"enabled": True, "hooks": {"argocd": {"enabled": True}, "helm": {"enabled": False}}},
}

# Top-level keys the templates read at the tag (docs/chart-contract.md). Anything else is silently ignored.
CHART_KEYS = {
    "replicaCount", "image", "imagePullSecrets", "nameOverride", "fullnameOverride", "listen", "service",
    "serviceAccount", "deploymentAnnotations", "podAnnotations", "podLabels", "podSecurityContext",
    "securityContext", "resources", "nodeSelector", "tolerations", "affinity", "volumes", "volumeMounts",
    "extraContainers", "ingress", "autoscaling", "separateHealthApp", "separateHealthPort", "masterkeySecretName",
    "masterkeySecretKey", "masterkey", "environmentSecrets", "environmentConfigMaps", "envVars", "extraEnvVars",
    "proxyConfigMap", "proxy_config", "db", "postgresql", "redis", "migrationJob",
}  # fmt: skip
# Keys below a top-level key that the templates read; None = a Kubernetes object or free-form map.
CHART_SUBKEYS = {
    "image": {"repository", "tag", "pullPolicy"},
    "service": {"type", "port", "loadBalancerClass", "annotations"},
    "db": {"deployStandalone", "useExisting", "endpoint", "database", "url", "secret"},
    "redis": {"enabled", "architecture"},
    "migrationJob": {"enabled", "backoffLimit", "ttlSecondsAfterFinished", "annotations", "resources",
                     "extraContainers", "hooks"},
    "autoscaling": {"enabled", "minReplicas", "maxReplicas", "targetCPUUtilizationPercentage",
                    "targetMemoryUtilizationPercentage"},
}  # fmt: skip
DB_SECRET_KEYS = {"name", "usernameKey", "passwordKey", "endpointKey"}
MIGRATION_HOOK_KEYS = {"argocd": {"enabled"}, "helm": {"enabled", "weight"}}


def merged(values: dict[str, Any]) -> dict[str, Any]:
    """Helm's coalescing of user values over the chart defaults (maps merge, everything else replaces)."""

    def merge(default: Any, user: Any) -> Any:
        if isinstance(default, dict) and isinstance(user, dict):
            return {**default, **{k: merge(default.get(k), v) for k, v in user.items()}}
        return user

    return merge(DEFAULTS, values)


def _secret_ref(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _database_env(db: dict[str, Any]) -> list[dict[str, Any]]:
    secret = db["secret"]
    host = (
        _secret_ref("DATABASE_HOST", secret["name"], secret["endpointKey"])
        if secret.get("endpointKey")
        else {"name": "DATABASE_HOST", "value": db["endpoint"]}
    )
    return [
        _secret_ref("DATABASE_USERNAME", secret["name"], secret["usernameKey"]),
        _secret_ref("DATABASE_PASSWORD", secret["name"], secret["passwordKey"]),
        host,
        {"name": "DATABASE_NAME", "value": str(db["database"])},
        {"name": "DATABASE_URL", "value": db["url"]},
    ]


def _user_env(values: dict[str, Any]) -> list[dict[str, Any]]:
    env = [{"name": k, "value": str(v)} for k, v in sorted(values["envVars"].items())]
    return env + list(values["extraEnvVars"] or [])


def proxy_container(values: dict[str, Any], fullname: str = "litellm") -> dict[str, Any]:
    """The proxy container's env and envFrom as templates/deployment.yaml renders them."""
    values = merged(values)
    env = [
        {"name": "HOST", "value": values.get("listen", "0.0.0.0")},
        {"name": "PORT", "value": str(values["service"]["port"])},
    ]
    db = values["db"]
    if db["deployStandalone"]:
        env += [
            _secret_ref("DATABASE_USERNAME", f"{fullname}-dbcredentials", "username"),
            _secret_ref("DATABASE_PASSWORD", f"{fullname}-dbcredentials", "password"),
            {"name": "DATABASE_HOST", "value": f"{fullname}-postgresql"},
            {"name": "DATABASE_NAME", "value": "litellm"},
        ]
    elif db["useExisting"]:
        env += _database_env(db)
    env.append(
        _secret_ref(
            "PROXY_MASTER_KEY",
            values["masterkeySecretName"] or f"{fullname}-masterkey",
            values["masterkeySecretKey"] or "masterkey",
        )
    )
    if values["redis"]["enabled"]:
        env += [{"name": "REDIS_HOST", "value": f"{fullname}-redis-master"}, {"name": "REDIS_PORT", "value": "6379"}]
    env += _user_env(values)
    env_from = [{"secretRef": {"name": name}} for name in values["environmentSecrets"]]
    env_from += [{"configMapRef": {"name": name}} for name in values["environmentConfigMaps"]]
    return {"env": env, "envFrom": env_from}


def migration_job(values: dict[str, Any], release: str = "litellm") -> dict[str, Any]:
    """The migrations Job as templates/migrations-job.yaml renders it: env (no envFrom) and hooks."""
    values = merged(values)
    db = values["db"]
    if db["useExisting"]:
        env = _database_env(db)
    else:
        env = [
            {"name": "DATABASE_URL", "value": f"postgresql://litellm:NoTaGrEaTpAsSwOrD@{release}-postgresql/litellm"}
        ]
    env += _user_env(values)
    env.append({"name": "DISABLE_SCHEMA_UPDATE", "value": "false"})
    hooks = values["migrationJob"]["hooks"]
    annotations = {}
    if hooks["argocd"]["enabled"]:
        annotations["argocd.argoproj.io/hook"] = "PreSync"
    if hooks["helm"]["enabled"]:
        annotations["helm.sh/hook"] = "pre-install,pre-upgrade"
    return {"enabled": values["migrationJob"]["enabled"], "env": env, "envFrom": [], "annotations": annotations}


def secret_refs(container: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(Secret name, key) for every secretKeyRef, and (Secret name, None) for every envFrom secretRef."""
    refs = [
        (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        for e in container["env"]
        if "valueFrom" in e
    ]
    return refs + [(e["secretRef"]["name"], None) for e in container["envFrom"] if "secretRef" in e]


def expand_env(container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> dict[str, str]:
    """The environment the kubelet gives the container: envFrom first, then env in order, with
    `$(VAR)` expanded only from variables defined earlier (unknown references stay literal)."""
    environment: dict[str, str] = {}
    for source in container["envFrom"]:
        if "secretRef" in source:
            environment.update(secrets[source["secretRef"]["name"]])
    for entry in container["env"]:
        if "valueFrom" in entry:
            ref = entry["valueFrom"]["secretKeyRef"]
            environment[entry["name"]] = secrets[ref["name"]][ref["key"]]
        else:
            environment[entry["name"]] = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                lambda m: environment.get(m.group(1), m.group(0)),
                entry["value"],
            )
    return environment
