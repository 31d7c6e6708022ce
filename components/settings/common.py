"""What every part of the contract shares: the model base, the names the stack config and the chart agree on,
and the hook that attaches a model's rules (components/settings/rules.py) to it."""

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from components.kube_types import Count, Integer

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
        "NUM_WORKERS",
        "KEEPALIVE_TIMEOUT",
    }
)

PROCESS_ENV_NAMES = frozenset({"PATH", "HOME", "HOSTNAME", "PWD", "SHELL", "USER", "TERM"})
PROCESS_ENV_PREFIXES = ("LD_", "PYTHON", "LC_")
"""What the container's processes themselves run on (the shell's search path, the dynamic loader, the Python
interpreter): a Secret key of that name imported whole would replace it, and the proxy would not start."""


def env_name_problem(name: str) -> str | None:
    """Why an environment variable imported from a Secret (`envFrom`) must not have this name, or None."""
    if name in RESERVED_ENV_NAMES:
        return f"{name!r} is a name the chart or this program sets itself, which would shadow this one in the pod"
    if name in PROCESS_ENV_NAMES or name.startswith(PROCESS_ENV_PREFIXES):
        return f"{name!r} would replace the container's own {name}, and the proxy would not start"
    return None


RELEASE_TAG = re.compile(r"^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$")
COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$")
VERSIONED_TAG = re.compile(r"\d+\.\d+\.\d+")
PRODUCTION_STACK = re.compile(r"(^|[-_.])(prod|production|prd)($|[-_.])")
"""Stack names that look like production: `prod`, `eu-prod`, `production`, `prd.us`."""
IMAGE_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$")
# Namespaces that belong to the cluster: a default-deny policy and Pod Security labels there would
# break it, and protecting them would pin them to this stack.
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
"""With every other `kube-*` namespace."""
# LiteLLM reads a 0 timeout or cooldown as "unset" (`cooldown_time or default`): they start at 1.
Seconds = Count
RetryCount = Annotated[Integer, Field(ge=0, le=10)]


def default_cache_namespace(stack: str | None) -> str:
    """Cache key prefix of a stack that sets none: one per stack, so stacks sharing a Redis never share entries.

    Settings validated without a stack (pure callers, tests) keep the historical prefix.
    """
    return f"{CACHE_NAMESPACE_PREFIX}_{stack}" if stack else CACHE_NAMESPACE_PREFIX


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
    )


def checked_by(*checks: Callable[[Any], None]) -> Any:
    """The validator that runs `checks` (rules of components/settings/rules.py, each raising FieldError or
    CrossFieldErrors) on a model once its fields are valid. Assign it in the model's body: `_rules = checked_by(...)`.
    """

    def validate(model: BaseModel) -> BaseModel:
        for check in checks:
            check(model)
        return model

    return model_validator(mode="after")(validate)
