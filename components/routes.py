"""Which of LiteLLM's routes each entrance serves: the one place that says so.

The public entrance serves LiteLLM's LLM API routes except the provider pass-through ones, and nothing
else: no admin UI, no key, user, team, model or spend management, no health details, no `/metrics`. The
route groups below are LiteLLM 1.76.1's own (`LiteLLMRoutes` in litellm/proxy/_types.py at v1.76.1, lines
223-368: `llm_api_routes` is `openai_routes + anthropic_routes + mapped_pass_through_routes +
passthrough_routes_wildcard + apply_guardrail_routes + mcp_routes`). tests/test_routes.py checks this copy
against the installed litellm 1.76.1 and every route its FastAPI app serves.

The pass-through routes (`/openai/...`, `/anthropic/...`, ...) forward any method and path to the provider
with the server's own provider key after only a virtual-key check
(litellm/proxy/pass_through_endpoints/llm_passthrough_endpoints.py, passthrough_endpoint_router.py:45-69 at
v1.76.1): files, batches, fine-tunes and unlisted models of the organisation's account. They stay inside the
cluster (or on the internal entrance).

Both Ingress (`Exact`, `Prefix`) and Gateway API (`Exact`, `PathPrefix`) match a path exactly or by
whole path segments, so a route with a `{parameter}` becomes a prefix ending before the parameter.
"""

from typing import Literal

LITELLM_VERSION = "1.76.1"
"""The LiteLLM release the route groups were copied from."""

# LiteLLMRoutes.openai_routes
OPENAI_ROUTES = (
    "/engines/{model}/chat/completions",
    "/openai/deployments/{model}/chat/completions",
    "/chat/completions",
    "/v1/chat/completions",
    "/engines/{model}/completions",
    "/openai/deployments/{model}/completions",
    "/completions",
    "/v1/completions",
    "/engines/{model}/embeddings",
    "/openai/deployments/{model}/embeddings",
    "/embeddings",
    "/v1/embeddings",
    "/images/generations",
    "/v1/images/generations",
    "/images/edits",
    "/v1/images/edits",
    "/audio/transcriptions",
    "/v1/audio/transcriptions",
    "/audio/speech",
    "/v1/audio/speech",
    "/moderations",
    "/v1/moderations",
    "/v1/batches",
    "/batches",
    "/v1/batches/{batch_id}",
    "/batches/{batch_id}",
    "/v1/files",
    "/files",
    "/v1/files/{file_id}",
    "/files/{file_id}",
    "/v1/files/{file_id}/content",
    "/files/{file_id}/content",
    "/fine_tuning/jobs",
    "/v1/fine_tuning/jobs",
    "/fine_tuning/jobs/{fine_tuning_job_id}/cancel",
    "/v1/fine_tuning/jobs/{fine_tuning_job_id}/cancel",
    "/assistants",
    "/v1/assistants",
    "/v1/assistants/{assistant_id}",
    "/assistants/{assistant_id}",
    "/threads",
    "/v1/threads",
    "/threads/{thread_id}",
    "/v1/threads/{thread_id}",
    "/threads/{thread_id}/messages",
    "/v1/threads/{thread_id}/messages",
    "/threads/{thread_id}/runs",
    "/v1/threads/{thread_id}/runs",
    "/models",
    "/v1/models",
    "/utils/token_counter",
    "/utils/transform_request",
    "/rerank",
    "/v1/rerank",
    "/v2/rerank",
    "/realtime",
    "/v1/realtime",
    "/realtime?{model}",
    "/v1/realtime?{model}",
    "/responses",
    "/v1/responses",
    "/responses/{response_id}",
    "/v1/responses/{response_id}",
    "/responses/{response_id}/input_items",
    "/v1/responses/{response_id}/input_items",
    "/vector_stores",
    "/v1/vector_stores",
    "/vector_stores/{vector_store_id}/search",
    "/v1/vector_stores/{vector_store_id}/search",
)
# LiteLLMRoutes.anthropic_routes
ANTHROPIC_ROUTES = ("/v1/messages",)
# LiteLLMRoutes.mapped_pass_through_routes (each also as `<route>/*`: passthrough_routes_wildcard)
PASS_THROUGH_ROUTES = (
    "/bedrock",
    "/vertex-ai",
    "/vertex_ai",
    "/cohere",
    "/gemini",
    "/anthropic",
    "/langfuse",
    "/azure",
    "/openai",
    "/assemblyai",
    "/eu.assemblyai",
    "/vllm",
    "/mistral",
)
# LiteLLMRoutes.apply_guardrail_routes
GUARDRAIL_ROUTES = ("/guardrails/apply_guardrail",)
# LiteLLMRoutes.mcp_routes
MCP_ROUTES = (
    "/mcp",
    "/mcp/",
    "/mcp/{subpath}",
    "/mcp/tools",
    "/mcp/tools/list",
    "/mcp/tools/call",
)

# Client routes LiteLLM serves but leaves out of `llm_api_routes`: the OpenAI SDK's `models.retrieve`
# (proxy_server.py:3965) and Anthropic's token counting (anthropic_endpoints/endpoints.py:207). Not
# `/models/{model_id}`: its prefix would also open the Google-style `/models/{model}:generateContent` routes.
CLIENT_ROUTES = ("/v1/models/{model_id}", "/v1/messages/count_tokens")

LLM_API_ROUTES = (
    *OPENAI_ROUTES,
    *ANTHROPIC_ROUTES,
    *PASS_THROUGH_ROUTES,
    *(f"{route}/*" for route in PASS_THROUGH_ROUTES),
    *GUARDRAIL_ROUTES,
    *MCP_ROUTES,
)
"""`LiteLLMRoutes.llm_api_routes`, in LiteLLM's order."""

PUBLIC_ROUTES = (*OPENAI_ROUTES, *ANTHROPIC_ROUTES, *CLIENT_ROUTES, *GUARDRAIL_ROUTES, *MCP_ROUTES)
"""What the public entrance serves: the LLM API routes without the pass-through ones, plus CLIENT_ROUTES."""

MatchKind = Literal["Exact", "Prefix"]


def public_path_matches() -> list[tuple[MatchKind, str]]:
    """The path matches of the public entrance, derived from `PUBLIC_ROUTES`, sorted, none redundant.

    `/threads/{thread_id}/runs` becomes the prefix `/threads`; a query in a route (`/realtime?{model}`)
    is not part of the path.
    """
    exact: set[str] = set()
    prefixes: set[str] = set()
    for route in PUBLIC_ROUTES:
        path = route.split("?", 1)[0]
        if "{" in path:
            prefixes.add(path[: path.index("{")].rstrip("/"))
        else:
            exact.add(path)
    prefixes = {prefix for prefix in prefixes if not any(_under(prefix, other) for other in prefixes - {prefix})}
    exact = {path for path in exact if not any(_under(path, prefix) for prefix in prefixes)}
    return sorted([*(("Exact", path) for path in exact), *(("Prefix", path) for path in prefixes)], key=lambda m: m[1])


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
