"""Run with LiteLLM's own interpreter: build LiteLLM 1.76.1's Router from the `router_settings` and
`model_list` of a rendered config.yaml (argument: its path), fail one deployment N times with each error
class, and print as JSON after how many failures LiteLLM's own cooldown decision
(`_should_cooldown_deployment`) first says "cool down", or null when it never does within N."""

import json
import sys

import httpx
import litellm
import yaml
from litellm.router_utils.cooldown_handlers import _should_cooldown_deployment

ATTEMPTS = 50
REQUEST = httpx.Request("POST", "https://provider.invalid/v1/chat/completions")
ERRORS = {
    429: lambda: litellm.RateLimitError("rate limited", llm_provider="openai", model="m"),
    401: lambda: litellm.AuthenticationError("bad key", llm_provider="openai", model="m"),
    408: lambda: litellm.Timeout("timed out", model="m", llm_provider="openai"),
    500: lambda: litellm.InternalServerError("boom", llm_provider="openai", model="m"),
}

with open(sys.argv[1], encoding="utf-8") as file:
    config = yaml.safe_load(file)
settings = {key: value for key, value in config["router_settings"].items() if not key.startswith(("redis_", "cache_"))}
verdicts = {}
for status, error in ERRORS.items():
    router = litellm.Router(model_list=config["model_list"], **settings)
    deployment = router.model_list[0]["model_info"]["id"]
    verdicts[status] = next(
        (
            failure
            for failure in range(1, ATTEMPTS + 1)
            if _should_cooldown_deployment(router, deployment, status, error())
        ),
        None,
    )
print(json.dumps({"policy": settings.get("allowed_fails_policy"), "verdicts": verdicts}))
