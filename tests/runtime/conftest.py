"""The fleet of real LiteLLM 1.76.1 proxies the runtime tier checks, started once per session.

Each proxy runs the config.yaml and env of a real chart render of a committed stack (or a variant
of one), against its own redis-server and the shared fake provider. All are started at once and
waited for together: the start is CPU-bound (about 8 s of CPU each), so the tier's wall time is
mostly the fleet's start.
"""

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from offline.manifests import Manifests, render_manifests
from tests.conftest import SECRETS, fetched_chart
from tests.runtime.proxy import ProxyProcess, pod_spec_inputs
from tests.runtime.servers import FakeProvider, OtlpReceiver, RedisServer, TlsFiles
from tests.runtime.tools import check_runtime_venv, redis_server_binary

REDIS_PASSWORD = "redis-runtime-FAKE-pa55"
LICENSE_KEY = "litellm-licence-FAKE-0001"
HARDENED: dict[str, Any] = {
    # prod with every optional feature the program offers turned on, and a short router timeout so a
    # stalled provider is cut off within seconds.
    "litellm:redis": {
        "host": "redis.redis.svc.cluster.local",
        "port": 6379,
        "namespace": "redis",
        "ssl": True,
        "cache": {"ttl": 86400, "namespace": "litellm_cache"},
    },
    "litellm:router": {
        "timeout": 1,
        "retryPolicy": {"timeout": 1},
        "fallbacks": [{"model": "gpt-4o", "fallbacks": ["claude-sonnet-4"]}],
    },
    "litellm:ui": {"enabled": False},
    "litellm:tracing": {
        "enabled": True,
        "protocol": "http/protobuf",
        "endpoint": "http://otel-collector.observability.svc.cluster.local:4318/v1/traces",
    },
}
HARDENED_SECRETS = {**SECRETS, "litellm:redisPassword": REDIS_PASSWORD}


@dataclass
class Fleet:
    provider: FakeProvider
    otlp: OtlpReceiver
    proxies: dict[str, ProxyProcess]
    renders: dict[str, Manifests]
    redis: dict[str, RedisServer]
    started_in: float

    def __getitem__(self, name: str) -> ProxyProcess:
        return self.proxies[name]


def _render(stack: str, overrides: dict[str, Any] | None = None, secrets: dict[str, Any] | None = None) -> Manifests:
    return render_manifests(stack, overrides, SECRETS if secrets is None else secrets)


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    check_runtime_venv()
    redis_server_binary()
    fetched_chart()
    workdir = Path(tempfile.mkdtemp(prefix="litellm-runtime-"))
    provider = FakeProvider().start()
    otlp = OtlpReceiver().start()
    renders = {
        "prod": _render("prod"),
        "staging": _render("staging"),
        "dev": _render("dev"),
        "hardened": _render("prod", HARDENED, HARDENED_SECRETS),
    }
    tls = TlsFiles.make(workdir / "tls")
    redis = {
        "prod": RedisServer(workdir / "redis-prod"),
        "staging": RedisServer(workdir / "redis-staging"),
        "dev": RedisServer(workdir / "redis-dev"),
        "hardened": RedisServer(workdir / "redis-hardened", password=REDIS_PASSWORD, tls=tls),
    }
    proxies: dict[str, ProxyProcess] = {}
    try:
        for server in redis.values():
            server.start()
        layout = {"prod": "prod", "staging-a": "staging", "staging-b": "staging", "dev": "dev", "hardened": "hardened"}
        for name, stack in layout.items():
            inputs = pod_spec_inputs(renders[stack])
            proxies[name] = ProxyProcess(name, inputs, redis[stack], provider, workdir / name, otlp=otlp)
        started = time.monotonic()
        for proxy in proxies.values():
            proxy.start()
        for proxy in proxies.values():
            proxy.wait_ready()
        yield Fleet(provider, otlp, proxies, renders, redis, time.monotonic() - started)
    finally:
        for proxy in proxies.values():
            proxy.stop()
        for server in redis.values():
            server.stop()
        provider.stop()
        otlp.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def provider(fleet: Fleet) -> Iterator[FakeProvider]:
    fleet.provider.reset()
    yield fleet.provider
    fleet.provider.reset()


def unique(label: str) -> str:
    """A prompt no earlier request sent, so no cache answers it."""
    return f"{label} {time.time_ns()}"


DISRUPTIVE = "disruptive"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{DISRUPTIVE}: leaves one model of one proxy group out of rotation or over its limit for a while;"
        " runs after every other runtime test",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the disruptive tests last: each leaves its (proxy, model) cooled down or rate-limited."""
    items.sort(key=lambda item: item.get_closest_marker(DISRUPTIVE) is not None)
