"""Behaviours 5 and 8: retries, fallbacks, the router timeout, provider errors and a Redis outage."""

import time

import pytest

from tests.runtime.conftest import HARDENED, Fleet, unique
from tests.runtime.servers import FakeProvider
from tests.runtime.stacks import models, stack_value

INITIAL_RETRY_DELAY, MAX_RETRY_DELAY, JITTER = 0.5, 8.0, 0.75
"""LiteLLM 1.76.1's back-off between retries of a single-deployment model (`litellm/constants.py`,
`_calculate_retry_after` in `litellm/utils.py`): 0.5 s * 2^n, at most 8 s, plus up to 0.75 s jitter."""


def _backoff_bound(retries: int) -> float:
    return sum(min(INITIAL_RETRY_DELAY * 2**n, MAX_RETRY_DELAY) + JITTER for n in range(retries))


def test_provider_errors_are_retried_num_retries_times(fleet: Fleet, provider: FakeProvider):
    retries = stack_value("dev", "numRetries")
    model = models("dev")[0]
    provider_model = model["model"].split("/", 1)[1]
    started = time.time()
    provider.fail(provider_model, 500, retries)
    answer = fleet["dev"].chat(model["name"], unique("retried"))
    assert answer.status == 200, answer.text
    assert len(provider.calls_for(provider_model, since=started)) == retries + 1


@pytest.mark.parametrize("status", [500, 429])
def test_provider_errors_beyond_the_retries_reach_the_client_with_their_status(
    fleet: Fleet, provider: FakeProvider, status: int
):
    retries = stack_value("dev", "numRetries")
    model = models("dev")[0]
    provider_model = model["model"].split("/", 1)[1]
    started = time.time()
    provider.fail(provider_model, status, retries + 1)
    answer = fleet["dev"].chat(model["name"], unique(f"fails with {status}"))
    assert answer.status == status, answer.text
    assert len(provider.calls_for(provider_model, since=started)) == retries + 1


def test_a_failing_model_is_answered_by_its_fallback(fleet: Fleet, provider: FakeProvider):
    (fallback,) = HARDENED["litellm:router"]["fallbacks"]
    by_name = {m["name"]: m["model"].split("/", 1)[1] for m in models("hardened")}
    started = time.time()
    provider.fail(by_name[fallback["model"]], 500, stack_value("hardened", "numRetries") + 1)
    answer = fleet["hardened"].chat(fallback["model"], unique("fall back"))
    assert answer.status == 200, answer.text
    assert answer.json()["model"] == by_name[fallback["fallbacks"][0]]
    assert len(provider.calls_for(by_name[fallback["fallbacks"][0]], since=started)) == 1


def test_a_stalled_provider_is_cut_off_by_the_router_timeout(fleet: Fleet, provider: FakeProvider):
    router = HARDENED["litellm:router"]
    timeout, retries = router["timeout"], router["retryPolicy"]["timeout"]
    (fallback,) = router["fallbacks"]
    by_name = {m["name"]: m["model"].split("/", 1)[1] for m in models("hardened")}
    stalled = by_name[fallback["model"]]
    started = time.time()
    provider.stall(stalled, 30)
    answer = fleet["hardened"].chat(fallback["model"], unique("stalled"), timeout=30)
    assert answer.status == 200, answer.text
    assert answer.json()["model"] == by_name[fallback["fallbacks"][0]]
    assert len(provider.calls_for(stalled, since=started)) == retries + 1
    # Each try waits the timeout, the retries back off, then the fallback answers at once; 1.5 s covers
    # the proxy's own work and the fallback call on a loaded machine.
    bound = timeout * (retries + 1) + _backoff_bound(retries) + 1.5
    assert timeout * (retries + 1) <= answer.seconds <= bound


@pytest.mark.parametrize("proxy", ["prod", "staging-a", "hardened"])
def test_provider_calls_carry_the_stacks_router_timeout(fleet: Fleet, provider: FakeProvider, proxy: str):
    """The OpenAI SDK sends the read timeout the proxy gives each call (`x-stainless-read-timeout`).
    Production stacks must set one: LiteLLM's own default is 6000 s (`request_timeout`, litellm/constants.py)."""
    configured = stack_value(proxy, "router.timeout")
    assert configured is not None and configured <= 600, f"{proxy}: no router timeout (LiteLLM would wait 6000 s)"
    model = next(m for m in models(proxy) if m["model"].startswith("openai/"))
    started = time.time()
    assert fleet[proxy].chat(model["name"], unique("timeout header")).status == 200
    (call,) = provider.calls_for(model["model"].split("/", 1)[1], since=started)
    assert float(call.headers["x-stainless-read-timeout"]) == configured


@pytest.mark.disruptive
def test_the_proxy_answers_while_redis_is_down(fleet: Fleet):
    redis = fleet["dev"].redis
    redis.stop()
    try:
        answer = fleet["dev"].chat(models("dev")[0]["name"], unique("no redis"), timeout=30)
        assert answer.status == 200, answer.text
    finally:
        redis.start()
    assert fleet["dev"].chat(models("dev")[0]["name"], unique("redis back")).status == 200
