"""Moving the public edge from ingress-nginx to a Gateway without downtime (review H5): with entrance type `both`
the program serves each host through an Ingress and an HTTPRoute at once, so DNS can move from the ingress
controller's load balancer to the Gateway's while both answer; `ingress` -> `both` -> `gateway` only adds, then
removes objects (their URNs do not change, so nothing is replaced). Routing and flows are checked on the objects
the program registers and the NetworkPolicies of the real render."""

from typing import Any

import pytest

from components.config import ConfigError
from tests.conftest import render_stack, run_stack, settings_for
from tests.entrance import Cluster, Entrances
from tests.netpol import NetworkPolicies, Pod
from tests.test_entrance import API_PATHS, NOT_PUBLIC_PATHS, PUBLIC_GATEWAY, SEED_HOST
from tests.test_network_policies import INGRESS_NGINX, PROXY
from tests.test_urns import urns

ENVOY_PROXY = Pod("envoy-gateway-system", {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"})
PROD_INGRESS = {
    "className": "nginx",
    "podNamespace": "ingress-nginx",
    "tls": {"secretName": "litellm-tls", "certManager": {"issuer": "letsencrypt-prod", "issuerKind": "ClusterIssuer"}},
}
GATEWAY_REF = {"name": "public", "namespace": "gateway", "listener": "https"}
BOTH: dict[str, Any] = {
    "enabled": True,
    "type": "both",
    "public": {**PROD_INGRESS, "gateway": GATEWAY_REF, "gatewayPodNamespace": "envoy-gateway-system"},
}
AFTER: dict[str, Any] = {
    "enabled": True,
    "type": "gateway",
    "public": {"gateway": GATEWAY_REF, "podNamespace": "envoy-gateway-system"},
}
# Before DNS moves, the internet reaches ingress-nginx; after, the Gateway (which holds its own certificate).
AT_NGINX = Cluster(internet_facing_classes={"nginx"}, secrets={("gateway", "wildcard-tls")})
AT_GATEWAY = Cluster(internal_classes={"nginx"}, gateways=[PUBLIC_GATEWAY], secrets={("gateway", "wildcard-tls")})


@pytest.fixture(scope="module")
def during():
    run = run_stack("prod", {"litellm:entrance": BOTH})
    assert run.error is None, run.error
    return run


@pytest.mark.parametrize("cluster", [AT_NGINX, AT_GATEWAY], ids=["dns-at-ingress-nginx", "dns-at-the-gateway"])
@pytest.mark.parametrize("path", API_PATHS)
def test_during_the_cut_over_both_entrances_serve_the_api(during, cluster, path):
    destination = Entrances(during.registrations, cluster).route(f"https://{SEED_HOST}{path}")
    assert destination is not None and (destination.service, destination.port) == ("litellm", 4000)
    assert destination.via.startswith("Ingress" if cluster is AT_NGINX else "HTTPRoute")


@pytest.mark.parametrize("cluster", [AT_NGINX, AT_GATEWAY], ids=["dns-at-ingress-nginx", "dns-at-the-gateway"])
@pytest.mark.parametrize("path", NOT_PUBLIC_PATHS)
def test_during_the_cut_over_neither_entrance_serves_more(during, cluster, path):
    assert Entrances(during.registrations, cluster).route(f"https://{SEED_HOST}{path}") is None


def test_during_the_cut_over_both_forwarders_reach_the_proxy_and_the_solver_stays_open():
    flows = NetworkPolicies(render_stack("prod", {"litellm:entrance": BOTH}).all("NetworkPolicy"))
    assert flows.connection_allowed(INGRESS_NGINX, PROXY, 4000)
    assert flows.connection_allowed(ENVOY_PROXY, PROXY, 4000)
    solver = Pod("litellm", {"acme.cert-manager.io/http01-solver": "true"})
    assert flows.connection_allowed(INGRESS_NGINX, solver, 8089)


def test_both_entrances_carry_the_request_settings(during):
    (ingress,) = during.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    (route,) = during.of_type("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
    timeout = ingress.inputs["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]
    assert {rule["timeouts"]["request"] for rule in route.inputs["spec"]["rules"]} == {f"{timeout}s"}


def test_each_step_of_the_cut_over_only_adds_or_removes_objects(during):
    before, after = run_stack("prod"), run_stack("prod", {"litellm:entrance": AFTER})
    assert before.error is None and after.error is None
    steps = [set(urns(run, "prod")) for run in (before, during, after)]
    entrance = [{urn for urn in step if ":Entrance$" in urn and "Certificate" not in urn} for step in steps]
    assert entrance[0] < entrance[1] and entrance[2] < entrance[1]
    assert entrance[0] | entrance[2] == entrance[1]


def test_type_both_needs_the_gateway_of_each_side():
    with pytest.raises(ConfigError) as error:
        settings_for("prod", publicUrl=f"https://{SEED_HOST}", entrance={**BOTH, "public": PROD_INGRESS})
    assert error.value.problems[0].startswith("litellm:entrance.public.gateway: is required for type both")
