"""What each proxy of the fleet should do, read from the stack files (and the seed's defaults for
what a stack file leaves out), never from the program's output."""

from typing import Any

from components.stacks import read_stack_config, stack_file
from tests.conftest import SECRETS
from tests.runtime.conftest import HARDENED

SEED_DEFAULTS = {"numRetries": 2, "redis.cache.ttl": 86400}
"""The seed's production values, which are the program's documented defaults."""
STACK_OF = {"prod": "prod", "staging-a": "staging", "staging-b": "staging", "dev": "dev", "hardened": "prod"}
PROXIES = list(STACK_OF)


def stack_value(proxy: str, dotted: str, default: Any = None) -> Any:
    """`litellm:<dotted>` for the proxy's stack (the hardened variant's overrides on top of prod)."""
    config = {key.removeprefix("litellm:"): value for key, value in _stack_config(STACK_OF[proxy]).items()}
    if proxy == "hardened":
        config.update({key.removeprefix("litellm:"): value for key, value in HARDENED.items()})
    value: Any = config
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return SEED_DEFAULTS.get(dotted, default)
        value = value[part]
    return value


def _stack_config(stack: str) -> dict[str, Any]:
    return read_stack_config(stack_file(stack))


def models(proxy: str) -> list[dict[str, Any]]:
    return stack_value(proxy, "models")


def provider_key(api_key_env: str) -> str:
    keys: dict[str, str] = SECRETS["litellm:providerKeys"]  # type: ignore[assignment]
    return keys[api_key_env]


def cache_namespace(proxy: str) -> str:
    return stack_value(proxy, "redis.cache.namespace") or f"litellm_cache_{STACK_OF[proxy]}"
