"""Behaviour 4 and the circuit breakers: what the replicas of a stack share through Redis.

Shared: the response cache (test_cache.py), the rpm/tpm counters of `usage-based-routing-v2`, and
the cooldown list (a deployment a replica takes out of rotation is out for all). Not shared: the
failure count that decides a cooldown (`allowed_fails`, an in-memory cache per pod) and
`max_parallel_requests` (a semaphore per pod)."""

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.runtime.conftest import Fleet, unique
from tests.runtime.proxy import HELD
from tests.runtime.servers import FakeProvider
from tests.runtime.stacks import models, stack_value

REDIS_BATCH_CACHE_EXPIRY = 10.5


def _wait_for_a_fresh_minute(needed: float) -> None:
    """LiteLLM counts rpm per calendar minute: start where `needed` seconds fit before the next one."""
    now = datetime.datetime.now(datetime.UTC)
    left = 60 - now.second - now.microsecond / 1e6
    if left < needed:
        time.sleep(left + 0.2)


@pytest.mark.disruptive
@pytest.mark.parametrize(("proxy", "model_name"), [("prod", "claude-sonnet-4"), ("staging-b", "gpt-4o-mini")])
def test_a_failing_model_is_cooled_down_after_the_allowed_fails(
    fleet: Fleet, provider: FakeProvider, proxy: str, model_name: str
):
    """Once more than `allowedFails` requests to a model have failed (each after its retries) in a pod,
    the model leaves rotation for `cooldownTime`: at once in that pod, and within 10 s on every other
    replica (each re-reads the cooldown list from Redis at most every 10 s): requests fail fast instead
    of waiting on the provider. LiteLLM counts a failed request once, not once per provider call."""
    allowed = stack_value(proxy, "router.allowedFails")
    assert allowed is not None, f"{proxy}: no allowedFails, so no circuit breaker"
    model = next(m for m in models(proxy) if m["name"] == model_name)
    provider_model = model["model"].split("/", 1)[1]
    started = time.time()
    provider.fail(provider_model, 500, 1000)
    with ThreadPoolExecutor(allowed + 1) as pool:
        list(
            pool.map(lambda n: fleet[proxy].chat(model_name, unique(f"cool down {n}"), timeout=10), range(allowed + 1))
        )
    opened = len(provider.calls_for(provider_model, since=started))
    replicas = [name for name in fleet.proxies if name.split("-")[0] == proxy.split("-")[0]]
    for replica in sorted(replicas, key=lambda name: name != proxy):
        if replica != proxy:
            # Another replica reads a key it found missing in Redis again only after LiteLLM's
            # `default_redis_batch_cache_expiry` (10 s, litellm/caching/dual_cache.py in 1.76.1).
            time.sleep(max(0.0, started + REDIS_BATCH_CACHE_EXPIRY - time.time()))
        # A probe only: on staging the cooled-down model falls back to gpt-4o, which may be over its rpm.
        fleet[replica].chat(model_name, unique("cooled down"), timeout=3)
    probes = len(provider.calls_for(provider_model, since=started)) - opened
    assert probes == 0, f"{probes} calls reached the failing provider after {allowed + 1} failed requests"


@pytest.mark.disruptive
def test_two_staging_replicas_enforce_a_models_rpm_together(fleet: Fleet, provider: FakeProvider):
    """Over the limit LiteLLM 1.76.1 does not answer 429 at once: its limiter raises a rate-limit error
    with `retry-after: 60` (litellm/router_strategy/lowest_tpm_rpm_v2.py), so the router holds the request
    and retries in the next minute (staging: `retryPolicy.rateLimit` times). Held = refused this minute."""
    assert stack_value("staging-a", "router.routingStrategy") == "usage-based-routing-v2"
    model = next(m for m in models("staging-a") if m["name"] == "gpt-4o")
    provider_model = model["model"].split("/", 1)[1]
    rpm = model["rpm"]
    for _attempt in range(2):
        _wait_for_a_fresh_minute(12)
        minute = datetime.datetime.now(datetime.UTC).strftime("%H-%M")
        started = time.time()
        answers = _until_refused(fleet, model["name"], rpm + 20)
        served = len(provider.calls_for(provider_model, since=started))
        if datetime.datetime.now(datetime.UTC).strftime("%H-%M") == minute:
            break  # else the count restarted mid-way (a slow machine): once more, in one minute
        _wait_for_a_fresh_minute(60)
    time.sleep(0.5)  # the replicas push their last increments to Redis every 0.1 s
    counted = _rpm_counter(fleet, "staging-a", model["name"], minute)
    assert answers[-1] in (HELD, 429), f"no refusal after {len(answers)} requests: {answers[-1]}"
    # Both replicas count in Redis (earlier tests may have used the model this minute too) and stop
    # near the model's rpm; each alone would let `rpm` through, 2 x rpm in all. LiteLLM syncs its
    # counters with Redis every 0.1 s, so on a busy machine a replica's view lags the other's by a few
    # calls either way: 10% slack on both sides (per-pod limits would refuse only near 2 x rpm).
    assert counted >= rpm * 0.9, f"refused at {counted} counted calls, well below the rpm {rpm}"
    assert rpm / 2 < served <= rpm * 1.1, f"{served} calls reached the provider for rpm {rpm} ({counted} counted)"


def _until_refused(fleet: Fleet, model_name: str, most: int) -> list[int]:
    """Alternate between the staging replicas until one refuses (or holds) a request."""
    answers = []
    for n in range(most):
        answer = fleet["staging-a" if n % 2 else "staging-b"].chat(model_name, unique("rpm"), timeout=3)
        answers.append(answer.status)
        if answer.status != 200:
            break
    return answers


def _rpm_counter(fleet: Fleet, proxy: str, model_name: str, minute: str) -> int:
    """`<deployment id>:<model>:rpm:<HH-MM>` (UTC), the counter usage-based-routing-v2 keeps in Redis
    (litellm/router_strategy/lowest_tpm_rpm_v2.py)."""
    info = fleet[proxy].get("/model/info", key=fleet[proxy].master_key).json()["data"]
    (deployment_id,) = [entry["model_info"]["id"] for entry in info if entry["model_name"] == model_name]
    client = fleet[proxy].redis.client()
    try:
        (key,) = client.keys(f"{deployment_id}:*:rpm:{minute}")
        return int(client.command("GET", key))
    finally:
        client.close()
