"""A stack may name a model of any provider LiteLLM knows: the runtime tier serves it from the fake provider with
the stack's own key for it, and a request that would leave the machine fails instead of reaching the internet."""

import subprocess
import tempfile
from pathlib import Path

from offline.manifests import render_manifests
from tests.conftest import SECRETS
from tests.runtime.conftest import Fleet, unique
from tests.runtime.proxy import ProxyProcess, pod_spec_inputs
from tests.runtime.tools import RUNTIME_VENV

# Providers beyond OpenAI and Anthropic, each with the key env name a user would give it.
OTHER_PROVIDERS = {
    "mistral/mistral-small-latest": "MISTRAL_API_KEY",
    "groq/llama-3.1-8b-instant": "GROQ_API_KEY",
    "deepseek/deepseek-chat": "DEEPSEEK_API_KEY",
}


def test_models_of_other_providers_reach_the_fake_provider_with_their_own_keys(fleet: Fleet):
    models = [
        {"name": f"m-{i}", "model": model, "apiKeyEnv": env} for i, (model, env) in enumerate(OTHER_PROVIDERS.items())
    ]
    keys = {env: f"sk-{env.lower()}-FAKE-{i:04d}" for i, env in enumerate(OTHER_PROVIDERS.values())}
    render = render_manifests("dev", {"litellm:models": models}, {**SECRETS, "litellm:providerKeys": keys})
    workdir = Path(tempfile.mkdtemp(prefix="litellm-any-provider-"))
    proxy = ProxyProcess("any-provider", pod_spec_inputs(render), fleet.redis["dev"], fleet.provider, workdir)
    proxy.start()
    try:
        proxy.wait_ready()
        for model in models:
            prompt = unique(model["model"])
            answer = proxy.chat(model["name"], prompt)
            assert answer.status == 200, f"{model['model']}: {answer.text[:500]}"
            (call,) = [c for c in fleet.provider.calls if prompt in str(c.body)]
            assert call.api_key == keys[model["apiKeyEnv"]]
            assert call.model == model["model"].split("/", 1)[1]
    finally:
        proxy.stop()


def test_a_request_that_would_leave_the_machine_goes_nowhere(fleet: Fleet):
    """The proxies run with HTTP(S)_PROXY at a closed loopback port: httpx, LiteLLM's HTTP client, run by the
    runtime interpreter in a proxy's environment, is refused at that port instead of resolving a provider's
    host (which a machine with internet would reach, with a fake key)."""
    probe = (
        "import httpx\n"
        "try:\n"
        "    httpx.get('https://api.mistral.ai/v1/models', timeout=5)\n"
        "except Exception as e:\n"
        "    print(e)"
    )
    env = {key: value for key, value in fleet["dev"].env.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(RUNTIME_VENV / "bin" / "python"), "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert "Connection refused" in result.stdout, result.stdout + result.stderr
