"""A request's lifetime at the edge: the entrance lets it run and grow as LiteLLM does, streams pass through,
and a stopping pod finishes it. All on the real render of the prod stack (the chart rendered by Helm).

Expected values come from the requirement: prod's router waits 120 s per provider call (Pulumi.prod.yaml), an
image or audio upload is tens of MiB, and the entrance's own defaults are ingress-nginx's 60 s and 1 MiB
(kubernetes/ingress-nginx@dbb11b9 internal/ingress/controller/config/config.go:37, 857-860) and Envoy
Gateway's 15 s route timeout (envoyproxy/gateway@d32f282 internal/gatewayapi/route.go:36-40).
"""

import re
from typing import Any

import pytest

from components.config import ConfigError
from tests.conftest import committed_settings, render_stack, settings_for
from tests.test_entrance import GATEWAY_WITH_INTERNAL, INGRESS_WITH_INTERNAL

NGINX = "nginx.ingress.kubernetes.io/"
PROD_ROUTER_TIMEOUT = 120
PROD_ATTEMPTS = 3
"""numRetries 2: a call that fails for another reason than a timeout runs up to three times."""
UPLOAD_MIB = 25
"""OpenAI's audio transcription limit: a body the entrance must let through."""


@pytest.fixture(scope="module")
def ingress_render():
    return render_stack("prod", {"litellm:entrance": INGRESS_WITH_INTERNAL})


@pytest.fixture(scope="module")
def gateway_render():
    return render_stack("prod", {"litellm:entrance": GATEWAY_WITH_INTERNAL})


def _seconds(duration: str) -> int:
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, duration
    hours, minutes, seconds = (int(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


def _mebibytes(size: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def _ingresses(render) -> list[dict[str, Any]]:
    ingresses = render.all("Ingress")
    assert len(ingresses) == 2, [i["metadata"]["name"] for i in ingresses]
    return ingresses


def test_ingress_nginx_waits_for_every_attempt_of_the_router(ingress_render):
    for ingress in _ingresses(ingress_render):
        annotations = ingress["metadata"]["annotations"]
        for name in ("proxy-read-timeout", "proxy-send-timeout"):
            assert int(annotations[NGINX + name]) >= PROD_ROUTER_TIMEOUT * PROD_ATTEMPTS, (name, annotations)


def test_ingress_nginx_accepts_uploads_beyond_its_1_mib_default(ingress_render):
    for ingress in _ingresses(ingress_render):
        assert _mebibytes(ingress["metadata"]["annotations"][NGINX + "proxy-body-size"]) >= UPLOAD_MIB


def test_ingress_nginx_streams_both_ways(ingress_render):
    for ingress in _ingresses(ingress_render):
        annotations = ingress["metadata"]["annotations"]
        assert annotations[NGINX + "proxy-buffering"] == "off"
        assert annotations[NGINX + "proxy-request-buffering"] == "off"


def test_every_gateway_rule_waits_for_every_attempt_of_the_router(gateway_render):
    routes = gateway_render.all("HTTPRoute")
    assert len(routes) == 2
    for route in routes:
        for rule in route["spec"]["rules"]:
            assert _seconds(rule["timeouts"]["request"]) >= PROD_ROUTER_TIMEOUT * PROD_ATTEMPTS, rule["timeouts"]


def test_an_entrance_timeout_below_the_router_timeout_is_refused():
    with pytest.raises(ConfigError) as error:
        settings_for("prod", router={"timeout": 120}, entrance={"requests": {"timeoutSeconds": 60}})
    (problem,) = error.value.problems
    assert problem.startswith("litellm:entrance.requests.timeoutSeconds: 60 is below litellm:router.timeout 120")
    assert "at least 120" in problem


def test_the_defaults_cover_the_router_timeout_of_every_committed_stack():
    for stack in ("prod", "staging", "dev"):
        settings = committed_settings(stack)
        assert settings.entrance.requests.timeout_seconds >= (settings.router.timeout or 0)


# ------------------------------------------------------------------------------ shutdown


@pytest.fixture(scope="module")
def prod_render():
    return render_stack("prod")


def _pod(render, kind: str) -> dict[str, Any]:
    return render.find(kind)["spec"]["template"]["spec"]


def test_a_stopping_pod_has_time_to_finish_the_longest_request(prod_render):
    timeout = committed_settings("prod").entrance.requests.timeout_seconds
    for kind in ("Deployment", "Job"):
        assert _pod(prod_render, kind)["terminationGracePeriodSeconds"] > timeout, kind


def test_a_stopping_proxy_keeps_serving_while_the_entrance_drops_it(prod_render):
    (proxy,) = _pod(prod_render, "Deployment")["containers"]
    sleep = proxy["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert 5 <= sleep < _pod(prod_render, "Deployment")["terminationGracePeriodSeconds"]


def test_the_injected_fields_leave_the_values_they_ride_on_intact(prod_render):
    pod = _pod(prod_render, "Deployment")
    assert pod["serviceAccountName"] == "litellm"
    assert pod["containers"][0]["imagePullPolicy"] == prod_render.settings.image.pull_policy
    assert _pod(prod_render, "Job")["serviceAccountName"] == "litellm"


def test_no_drain_means_no_prestop_hook():
    render = render_stack("prod", {"litellm:entrance": {"requests": {"drainSeconds": 0}}})
    assert "lifecycle" not in render.find("Deployment")["spec"]["template"]["spec"]["containers"][0]


def test_uvicorn_keeps_idle_connections_longer_than_ingress_nginx(prod_render):
    (proxy,) = _pod(prod_render, "Deployment")["containers"]
    env = {entry["name"]: entry.get("value") for entry in proxy["env"]}
    # ingress-nginx closes idle upstream connections after 60 s (config.go:890); uvicorn's own default is 5 s.
    assert int(env["KEEPALIVE_TIMEOUT"]) > 60
