"""A canary's router state is its own: two real LiteLLM proxies, the stable release's and the canary's, as the
real prod render with `litellm:canary` gives them, on one real Redis. The canary's breaker opens on a failing
model; the stable proxy keeps routing to that model, and the cooldown lives only in the canary's database."""

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.litellm_release import SCHEMA_COMPATIBILITY
from offline.manifests import render_manifests
from tests.conftest import SECRETS
from tests.runtime.conftest import unique
from tests.runtime.proxy import ProxyProcess, pod_spec_inputs
from tests.runtime.servers import FakeProvider, RedisServer
from tests.runtime.stacks import models, stack_value
from tests.runtime.test_shared_state import REDIS_BATCH_CACHE_EXPIRY
from tests.runtime.tools import check_runtime_venv, redis_server_binary

CANARY = {"enabled": True, "tag": "main-v1.80.0-stable", "weight": 20, "redisDb": 3}


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[ProxyProcess, ProxyProcess, RedisServer, FakeProvider]]:
    check_runtime_venv()
    redis_server_binary()
    workdir = Path(tempfile.mkdtemp(prefix="litellm-canary-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(SCHEMA_COMPATIBILITY, "1.76.1 -> 1.80.0", {"compatible": True, "problems": []})
        manifests = render_manifests("prod", {"litellm:canary": CANARY}, SECRETS)
    redis = RedisServer(workdir / "redis").start()
    provider = FakeProvider().start()
    proxies = [
        ProxyProcess(name, pod_spec_inputs(manifests, name), redis, provider, workdir / name)
        for name in ("litellm", "litellm-canary")
    ]
    try:
        for proxy in proxies:
            proxy.start()
        for proxy in proxies:
            proxy.wait_ready()
        yield proxies[0], proxies[1], redis, provider
    finally:
        for proxy in proxies:
            proxy.stop()
        redis.stop()
        provider.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _keys(redis: RedisServer, database: int) -> list[str]:
    result = subprocess.run(
        ["redis-cli", "-p", str(redis.port), "-n", str(database), "--scan"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_a_failing_canary_opens_only_its_own_breaker(pair):
    stable, canary, redis, provider = pair
    assert canary.config["router_settings"]["cache_kwargs"] == {"db": 3}
    allowed = stack_value("prod", "router.allowedFails")
    model = next(m for m in models("prod") if m["name"] == "gpt-4o")
    provider_model = model["model"].split("/", 1)[1]
    assert stable.chat("gpt-4o", unique("stable before")).status == 200
    started = time.time()
    provider.fail(provider_model, 500, 1000)
    for n in range(allowed + 1):
        canary.chat("gpt-4o", unique(f"canary fails {n}"), timeout=10)
    opened = len(provider.calls_for(provider_model, since=started))
    canary.chat("gpt-4o", unique("canary cooled down"), timeout=3)
    assert len(provider.calls_for(provider_model, since=started)) == opened, "the canary's breaker did not open"
    provider.reset()
    # A replica re-reads a key it found missing in Redis only after LiteLLM's batch expiry: wait that long.
    time.sleep(max(0.0, started + REDIS_BATCH_CACHE_EXPIRY - time.time()))
    before = time.time()
    answer = stable.chat("gpt-4o", unique("stable after"), timeout=10)
    assert answer.status == 200, answer.text
    assert len(provider.calls_for(provider_model, since=before)) >= 1
    cooldowns = {db: [key for key in _keys(redis, db) if "cooldown" in key] for db in (0, 3)}
    assert cooldowns[3] and not cooldowns[0], cooldowns
