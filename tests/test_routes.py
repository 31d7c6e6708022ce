"""The route list in components/routes.py is LiteLLM 1.76.1's own, and the public entrance serves
exactly LiteLLM's LLM API routes of the real proxy app.

`tests/runtime/helpers/litellm_routes.py` runs in the runtime tier's LiteLLM 1.76.1 and reports the route
groups of `LiteLLMRoutes`, every route the FastAPI app serves, and LiteLLM's own verdict
(`RouteChecks.is_llm_api_route`) on each. The expected answers come from there, not from our code.
"""

import json
import subprocess
from typing import Any

import pytest

from components import routes
from components.entrance import path_matches
from tests.runtime.tools import HELPERS, RUNTIME_PYTHON, check_runtime_venv

pytestmark = pytest.mark.runtime

# Routes the path matches serve although LiteLLM's `is_llm_api_route` says no, each an LLM API call:
# `apply_guardrail` is in `llm_api_routes` but the check never consults that group, and the batch
# cancel and fine-tuning retrieve routes sit under a prefix whose other routes are LLM API routes
# (Exact and Prefix matches cannot express LiteLLM's one-segment `{parameter}` patterns).
SERVED_BEYOND_LITELLMS_CHECK = {
    "/guardrails/apply_guardrail",
    "/batches/x1/cancel",
    "/v1/batches/x1/cancel",
    "/fine_tuning/jobs/x1",
    "/v1/fine_tuning/jobs/x1",
}


# Client routes the public entrance serves beyond LiteLLM's check: `models.retrieve` and Anthropic token counting.
CLIENT_ROUTES = {"/v1/models/x1", "/v1/messages/count_tokens"}
# Where LiteLLM 1.76.1 defines its provider pass-through handlers (`/langfuse/...` apart from the others).
PASS_THROUGH_MODULES = ("litellm.proxy.pass_through_endpoints", "litellm.proxy.vertex_ai_endpoints.langfuse_endpoints")
# Below `/openai/deployments` (the Azure-style client routes, one `{model}` segment in the middle, so a prefix)
# LiteLLM's `/openai/{endpoint:path}` pass-through takes every other path and forwards it to OpenAI as
# `/deployments/...`, a path OpenAI's API does not serve.
PASS_THROUGH_BEHIND_AZURE_PREFIX = "/openai/deployments/"


def probe_paths() -> list[str]:
    """For each public prefix, paths below it that no route of its own names."""
    prefixes = [value for kind, value in path_matches("public") if kind == "Prefix"]
    return [f"{prefix}{tail}" for prefix in prefixes for tail in ("/x1", "/x1/x2/files", "/x1/fine_tuning/jobs")]


@pytest.fixture(scope="module")
def litellm() -> dict[str, Any]:
    check_runtime_venv()
    result = subprocess.run(
        [str(RUNTIME_PYTHON), str(HELPERS / "litellm_routes.py"), *probe_paths()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def served_publicly(path: str) -> bool:
    for kind, value in path_matches("public"):
        if path == value or (kind == "Prefix" and path.startswith(value + "/")):
            return True
    return False


def test_the_copy_is_of_the_installed_litellm(litellm):
    assert litellm["version"] == routes.LITELLM_VERSION


@pytest.mark.parametrize(
    ("ours", "group"),
    [
        ("OPENAI_ROUTES", "openai_routes"),
        ("ANTHROPIC_ROUTES", "anthropic_routes"),
        ("PASS_THROUGH_ROUTES", "mapped_pass_through_routes"),
        ("GUARDRAIL_ROUTES", "apply_guardrail_routes"),
        ("MCP_ROUTES", "mcp_routes"),
        ("LLM_API_ROUTES", "llm_api_routes"),
    ],
)
def test_route_groups_match_litellms(litellm, ours, group):
    assert sorted(getattr(routes, ours)) == litellm["groups"][group]


def _pass_through(litellm: dict[str, Any], path: str) -> bool:
    return any(module.startswith(PASS_THROUGH_MODULES) for module in litellm["handlers"].get(path, []))


def test_public_entrance_serves_litellms_llm_api_routes_of_the_real_app_but_the_pass_through(litellm):
    served = {path for path in litellm["samples"] if served_publicly(path)}
    llm_api = {path for path, is_llm in litellm["samples"].items() if is_llm}
    assert served - llm_api == SERVED_BEYOND_LITELLMS_CHECK | CLIENT_ROUTES
    assert {path for path in llm_api - served if not _pass_through(litellm, path)} == set()


def test_no_provider_pass_through_route_of_the_real_app_is_public(litellm):
    pass_through = [path for path in litellm["samples"] if _pass_through(litellm, path)]
    assert "/openai/x1" in pass_through and "/anthropic/x1" in pass_through
    assert [path for path in pass_through if served_publicly(path)] == []


def test_no_path_below_a_public_prefix_reaches_a_pass_through_handler(litellm):
    reached = {
        path
        for path, module in litellm["probes"].items()
        if module and module.startswith(PASS_THROUGH_MODULES) and not path.startswith(PASS_THROUGH_BEHIND_AZURE_PREFIX)
    }
    assert litellm["probes"] and reached == set()


def test_the_sdk_client_routes_beyond_llm_api_routes_are_public(litellm):
    for path in CLIENT_ROUTES:
        assert path in litellm["samples"] and served_publicly(path), path


@pytest.mark.parametrize(
    "group", ["management_routes", "spend_tracking_routes", "global_spend_tracking_routes", "master_key_only_routes"]
)
def test_no_management_or_spend_route_is_public(litellm, group):
    assert [route for route in litellm["groups"][group] if served_publicly(route)] == []


def test_none_of_litellms_unauthenticated_routes_is_public(litellm):
    """`public_routes` need no key: `/metrics`, health details, the UI config, `/` and more."""
    assert "/metrics" in litellm["groups"]["public_routes"]
    assert [route for route in litellm["groups"]["public_routes"] if served_publicly(route)] == []


def test_the_ui_is_served_by_the_app_and_not_public(litellm):
    assert "/ui/x1" in litellm["samples"]
    assert not served_publicly("/ui") and not served_publicly("/ui/x1")
