"""Prod's circuit breaker on the real proxy: provider rate limits do not take a model out of rotation
(`router.allowedFailsPolicy.rateLimit`), while failures still do (test_shared_state.py)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.runtime.conftest import Fleet, unique
from tests.runtime.servers import FakeProvider
from tests.runtime.stacks import models, stack_value


@pytest.mark.disruptive
def test_provider_rate_limits_beyond_the_allowed_fails_keep_the_model_in_rotation(fleet: Fleet, provider: FakeProvider):
    allowed = stack_value("prod", "router.allowedFails")
    attempts = stack_value("prod", "numRetries") + 1
    model = next(m for m in models("prod") if m["name"] == "gpt-4o")
    provider_model = model["model"].split("/", 1)[1]
    provider.fail(provider_model, 429, (allowed + 1) * attempts)
    with ThreadPoolExecutor(allowed + 1) as pool:
        answers = list(
            pool.map(lambda n: fleet["prod"].chat("gpt-4o", unique(f"throttled {n}"), timeout=30), range(allowed + 1))
        )
    assert [answer.status for answer in answers] == [429] * (allowed + 1)
    started = time.time()
    answer = fleet["prod"].chat("gpt-4o", unique("after the throttling"), timeout=30)
    assert answer.status == 200, answer.text
    assert len(provider.calls_for(provider_model, since=started)) == 1
