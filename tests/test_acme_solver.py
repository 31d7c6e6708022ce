"""cert-manager's HTTP-01 solver gets through the program's default-deny, and no further.

With an HTTP-01 issuer, cert-manager runs a solver pod listening on 8089 in the Certificate's
namespace (cert-manager@2d0d7f7 pkg/issuer/acme/http/pod.go:165, 208, 241, 259; http.go:49), labelled
`acme.cert-manager.io/http01-solver: "true"` (pod.go:35-48, pkg/apis/acme/v1/types.go:60), and its
self-check and the CA reach it through the ingress controller. For type `ingress` that namespace is
LiteLLM's, where `default-deny-all` drops the controller's connection unless a policy lets it in.
The policies come from the real render of the prod stack (chart included), evaluated by tests/netpol.py.
"""

import pytest

from tests.conftest import render_stack
from tests.netpol import INGRESS, NetworkPolicies, Pod
from tests.test_network_policies import INGRESS_NGINX, OTHER_NAMESPACE, PROXY, PUBLIC_IPV4

SOLVER = Pod(
    "litellm",
    {
        "acme.cert-manager.io/http-domain": "1193419613",
        "acme.cert-manager.io/http-token": "2052720743",
        "acme.cert-manager.io/http01-solver": "true",
    },
    ip="10.244.1.50",
)
SOLVER_PORT = 8089


def _flows(overrides=None) -> NetworkPolicies:
    return NetworkPolicies(render_stack("prod", overrides).all("NetworkPolicy"))


@pytest.fixture(scope="module")
def flows() -> NetworkPolicies:
    return _flows()


def test_ingress_controller_reaches_the_http01_solver(flows):
    assert flows.connection_allowed(INGRESS_NGINX, SOLVER, SOLVER_PORT)


@pytest.mark.parametrize(
    ("src", "dst", "port"),
    [
        pytest.param(OTHER_NAMESPACE, SOLVER, SOLVER_PORT, id="other-namespace->solver:8089"),
        pytest.param(PUBLIC_IPV4, SOLVER, SOLVER_PORT, id="internet-address->solver:8089"),
        pytest.param(INGRESS_NGINX, SOLVER, 4000, id="ingress-nginx->solver:4000"),
        pytest.param(INGRESS_NGINX, PROXY, SOLVER_PORT, id="ingress-nginx->proxy:8089"),
        pytest.param(SOLVER, PROXY, 4000, id="solver->proxy:4000"),
        pytest.param(SOLVER, PUBLIC_IPV4, 443, id="solver->internet:443"),
    ],
)
def test_the_solver_opening_is_no_wider_than_the_challenge(flows, src, dst, port):
    assert not flows.connection_allowed(src, dst, port)


def test_solver_stays_isolated_without_cert_manager():
    flows = _flows(
        {
            "litellm:entrance": {
                "enabled": True,
                "type": "ingress",
                "public": {"className": "nginx", "tls": {"secretName": "litellm-tls"}},
            }
        }
    )
    assert flows.is_isolated(SOLVER, INGRESS)
    assert not flows.connection_allowed(INGRESS_NGINX, SOLVER, SOLVER_PORT)
