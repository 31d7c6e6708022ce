"""Behaviour 3: the response cache. An identical request is answered from Redis, under the stack's
cache namespace and with its TTL, by every replica: the seed's one-day cache shared by all pods."""

import re
import time

import pytest

from tests.runtime.conftest import Fleet, unique
from tests.runtime.stacks import cache_namespace, models, stack_value

RESPONSE_KEY = r"[0-9a-f]{64}"
"""LiteLLM's cache key: the SHA-256 of the request (`Cache.get_cache_key`)."""


def _response_keys(fleet: Fleet, proxy: str) -> set[str]:
    client = fleet[proxy].redis.client()
    try:
        pattern = re.compile(rf"{re.escape(cache_namespace(proxy))}:{RESPONSE_KEY}")
        return {key for key in client.keys(f"{cache_namespace(proxy)}:*") if pattern.fullmatch(key)}
    finally:
        client.close()


@pytest.mark.parametrize("proxy", ["prod", "staging-a", "dev", "hardened"])
def test_an_identical_request_is_answered_from_redis_with_the_stacks_ttl(fleet: Fleet, proxy: str):
    model = models(proxy)[0]
    provider_model = model["model"].split("/", 1)[1]
    prompt = unique("cache me")
    before_keys = _response_keys(fleet, proxy)
    first = fleet[proxy].chat(model["name"], prompt)
    assert first.status == 200, first.text
    written = _wait_for_new_keys(fleet, proxy, before_keys)
    second = fleet[proxy].chat(model["name"], prompt)
    assert second.status == 200, second.text
    assert second.json()["choices"] == first.json()["choices"]
    assert len([c for c in fleet.provider.calls_for(provider_model) if prompt in str(c.body)]) == 1
    assert len(written) == 1, f"expected one response key under {cache_namespace(proxy)}:, got {written}"
    client = fleet[proxy].redis.client()
    try:
        ttl = client.command("TTL", written.pop())
    finally:
        client.close()
    configured = stack_value(proxy, "redis.cache.ttl")
    assert configured - 60 <= ttl <= configured


def test_a_response_cached_by_one_replica_is_served_by_another(fleet: Fleet):
    model = models("staging-a")[0]
    provider_model = model["model"].split("/", 1)[1]
    prompt = unique("shared cache")
    before_keys = _response_keys(fleet, "staging-a")
    assert fleet["staging-a"].chat(model["name"], prompt).status == 200
    _wait_for_new_keys(fleet, "staging-a", before_keys)
    assert fleet["staging-b"].chat(model["name"], prompt).status == 200
    assert len([c for c in fleet.provider.calls_for(provider_model) if prompt in str(c.body)]) == 1


def _wait_for_new_keys(fleet: Fleet, proxy: str, before: set[str]) -> set[str]:
    """The response keys written since `before` (LiteLLM writes the cache after answering)."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        new = _response_keys(fleet, proxy) - before
        if new:
            return new
        time.sleep(0.05)
    return set()
