"""Run with LiteLLM's own interpreter: print its route groups, every route its proxy app serves, and
which of them LiteLLM itself calls LLM API routes (`RouteChecks.is_llm_api_route`), as JSON."""

import importlib.metadata
import json
import re

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
print(
    json.dumps(
        {
            "version": importlib.metadata.version("litellm"),
            "groups": {name: sorted(getattr(LiteLLMRoutes, name).value, key=str) for name in GROUPS},
            "samples": {path: RouteChecks.is_llm_api_route(path) for path in samples},
        }
    )
)
