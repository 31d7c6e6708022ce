"""Run with LiteLLM's own interpreter: print its route groups, every route its proxy app serves, which of them
LiteLLM itself calls LLM API routes (`RouteChecks.is_llm_api_route`), and the module of each route's handler
(pass-through handlers live in `litellm.proxy.pass_through_endpoints`), and for each path given as an
argument the module of the handler the app picks for a POST to it, as JSON."""

import importlib.metadata
import json
import re
import sys

from litellm.proxy._types import LiteLLMRoutes
from litellm.proxy.auth.route_checks import RouteChecks
from litellm.proxy.proxy_server import app

GROUPS = (
    "openai_routes",
    "anthropic_routes",
    "mapped_pass_through_routes",
    "apply_guardrail_routes",
    "mcp_routes",
    "llm_api_routes",
    "management_routes",
    "spend_tracking_routes",
    "global_spend_tracking_routes",
    "master_key_only_routes",
    "public_routes",
)


def sample(path: str) -> str:
    """A concrete request path for a route template: every `{parameter}` becomes `x1`."""
    return re.sub(r"\{[^}]+\}", "x1", path)


paths = sorted({route.path for route in app.routes})
mounts = sorted({route.path for route in app.routes if type(route).__name__ == "Mount"})
samples = sorted({sample(path) for path in paths} | {f"{mount}/x1" for mount in mounts})
handlers: dict[str, set[str]] = {}
for route in app.routes:
    endpoint = getattr(route, "endpoint", None)
    if endpoint is not None:
        handlers.setdefault(sample(route.path), set()).add(endpoint.__module__)


def handler_of(path: str) -> str | None:
    """The module of the first route that fully matches a POST to `path`, as Starlette routes it."""
    scope = {"type": "http", "path": path, "method": "POST", "root_path": ""}
    for route in app.routes:
        match, _ = route.matches(scope)
        if match.name == "FULL":
            endpoint = getattr(route, "endpoint", None)
            return endpoint.__module__ if endpoint is not None else type(route).__name__
    return None


print(
    json.dumps(
        {
            "version": importlib.metadata.version("litellm"),
            "groups": {name: sorted(getattr(LiteLLMRoutes, name).value, key=str) for name in GROUPS},
            "samples": {path: RouteChecks.is_llm_api_route(path) for path in samples},
            "handlers": {path: sorted(modules) for path, modules in sorted(handlers.items())},
            "probes": {path: handler_of(path) for path in sys.argv[1:]},
        }
    )
)
