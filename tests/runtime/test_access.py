"""Behaviours 1 and 2: who gets in, and which models (with which provider keys) the proxy serves."""

import pytest

from tests.runtime.conftest import Fleet, unique
from tests.runtime.stacks import PROXIES, STACK_OF, models, provider_key


def _master_key_from_secret(fleet: Fleet, proxy: str) -> str:
    render = fleet.renders["hardened" if proxy == "hardened" else STACK_OF[proxy]]
    return render.find("Secret", "litellm-master-key")["stringData"]["LITELLM_MASTER_KEY"]


@pytest.mark.parametrize("proxy", PROXIES)
def test_a_request_without_a_key_is_refused(fleet: Fleet, proxy: str):
    answer = fleet[proxy].get("/v1/models")
    assert answer.status == 401, answer.text


@pytest.mark.parametrize("proxy", PROXIES)
def test_a_wrong_key_is_refused_and_reaches_no_provider(fleet: Fleet, proxy: str):
    before = len(fleet.provider.calls)
    body = {"model": models(proxy)[0]["name"], "messages": [{"role": "user", "content": unique("wrong key")}]}
    answer = fleet[proxy].request("POST", "/v1/chat/completions", body, key="sk-not-the-master-key")
    # Without a database LiteLLM 1.76.1 cannot look a virtual key up and answers 400 "No connected db."
    assert answer.status == 400 and "No connected db" in answer.text, answer.text
    assert len(fleet.provider.calls) == before


@pytest.mark.parametrize("proxy", PROXIES)
def test_the_master_key_from_the_programs_secret_is_accepted(fleet: Fleet, proxy: str):
    answer = fleet[proxy].get("/v1/models", key=_master_key_from_secret(fleet, proxy))
    assert answer.status == 200, answer.text


@pytest.mark.parametrize("proxy", PROXIES)
def test_v1_models_lists_exactly_the_configured_models(fleet: Fleet, proxy: str):
    answer = fleet[proxy].get("/v1/models", key=fleet[proxy].master_key)
    assert sorted(model["id"] for model in answer.json()["data"]) == sorted(m["name"] for m in models(proxy))


@pytest.mark.parametrize("proxy", PROXIES)
def test_each_model_reaches_its_provider_with_its_key(fleet: Fleet, proxy: str):
    for model in models(proxy):
        started = fleet.provider.calls[-1].at if fleet.provider.calls else 0.0
        answer = fleet[proxy].chat(model["name"], unique("which key"))
        assert answer.status == 200, answer.text
        provider_model = model["model"].split("/", 1)[1]
        calls = [call for call in fleet.provider.calls_for(provider_model) if call.at > started]
        assert len(calls) == 1
        assert calls[0].api_key == provider_key(model["apiKeyEnv"])
        expected_path = "/v1/messages" if model["model"].startswith("anthropic/") else "/v1/chat/completions"
        assert calls[0].path == expected_path
