"""Behaviours 6, 7 and 9: Redis AUTH and TLS, the admin UI switch, and tracing."""

import json
import subprocess
import time

import pytest

from tests.runtime.conftest import REDIS_PASSWORD, Fleet, unique
from tests.runtime.stacks import models, stack_value
from tests.runtime.tools import HELPERS, RUNTIME_PYTHON

UI_PATHS = ["/ui/", "/ui/login/", "/_next/", "/litellm-asset-prefix/_next/"]


@pytest.mark.parametrize("proxy", ["prod", "staging-a", "dev", "hardened"])
def test_the_admin_ui_is_served_only_when_enabled(fleet: Fleet, proxy: str):
    enabled = stack_value(proxy, "ui.enabled", True)
    answer = fleet[proxy].get("/ui/")
    if enabled:
        assert answer.status == 200 and "<html" in answer.text.lower(), answer.status
    else:
        statuses = {path: fleet[proxy].get(path).status for path in UI_PATHS}
        assert set(statuses.values()) == {404}, statuses


def test_redis_refuses_litellms_client_without_the_programs_password_or_tls(fleet: Fleet):
    """The hardened stack's cache works (test_cache.py); here LiteLLM's own Redis client with the
    same settings minus the password, or minus TLS, is turned away."""
    params = dict(fleet["hardened"].config["litellm_settings"]["cache_params"])
    params["password"] = REDIS_PASSWORD
    tls = fleet["hardened"].redis.tls
    assert tls is not None
    probes = {
        "all": params,
        "no password": {k: v for k, v in params.items() if k != "password"},
        "no tls": {k: v for k, v in params.items() if k != "ssl"},
    }
    result = subprocess.run(
        [str(RUNTIME_PYTHON), str(HELPERS / "redis_probe.py")],
        input=json.dumps(probes),
        capture_output=True,
        text=True,
        env={"SSL_CERT_FILE": str(tls.ca), "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["all"] == "PONG"
    assert "Authentication required" in outcome["no password"] or "NOAUTH" in outcome["no password"], outcome
    assert outcome["no tls"] != "PONG", outcome


def test_spans_reach_the_otlp_collector(fleet: Fleet):
    before = len(fleet.otlp.exports)
    prompt = unique("traced")
    assert fleet["hardened"].chat(models("hardened")[0]["name"], prompt).status == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(fleet.otlp.exports) == before:
        time.sleep(0.2)
    spans = fleet.otlp.spans()
    assert spans, "no span reached the collector"
    services = {span["service"] for span in spans}
    assert services == {stack_value("hardened", "tracing.serviceName", "litellm")}
    assert any(span["name"] == "litellm_request" for span in spans), sorted({s["name"] for s in spans})
    # The stack keeps prompts out of spans (tracing.logMessages unset).
    assert not any(prompt in json.dumps(span) for span in spans)
