"""The entrance: requests for `publicUrl` reach the proxy over TLS, and only the LLM API routes do.

The program's recorded Ingress, HTTPRoute and Certificate objects are fed to `tests/entrance.py`,
which routes URLs as an ingress controller or a Gateway would. Expected answers come from the
requirement (the seed's URL, the API a client calls, what must stay off the internet) and from
LiteLLM 1.76.1's own route names, not from the entrance code.
"""

from typing import Any

import pytest

from components.values import build_chart_values
from tests.conftest import committed_settings, run_stack, settings_for
from tests.entrance import Cluster, Destination, Entrances, Gateway, Listener
from tests.netpol import NetworkPolicies, Pod
from tests.runtime.tools import runtime_site_packages
from tests.test_network_policies import INGRESS_NGINX, OTHER_NAMESPACE, PROXY

SEED_HOST = "litellm.api.prod.everycure.org"
INTERNAL_HOST = "litellm.internal.everycure.org"
PROXY_SERVICE = ("litellm", "litellm", 4000)

# Routes a client of the OpenAI / Anthropic API calls (LiteLLM 1.76.1 serves each).
API_PATHS = [
    "/v1/chat/completions",
    "/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/models",
    "/v1/messages",
    "/v1/responses/resp_123",
    "/v1/threads/thread_1/runs",
    "/openai/deployments/gpt-4o/chat/completions",
    "/v1/models/gpt-4o",
    "/v1/messages/count_tokens",
]
# The admin UI, LiteLLM's management routes (`LiteLLMRoutes.management_routes` and the spend,
# config and SSO routes of litellm/proxy at v1.76.1), health details and metrics.
NOT_PUBLIC_PATHS = [
    "/",
    "/ui",
    "/ui/",
    "/ui/login",
    "/sso/key/generate",
    "/login",
    "/fallback/login",
    "/key/generate",
    "/key/delete",
    "/key/info",
    "/key/list",
    "/user/new",
    "/user/info",
    "/team/new",
    "/team/list",
    "/model/new",
    "/model/info",
    "/v1/model/info",
    "/v2/model/info",
    "/model/delete",
    "/spend/logs",
    "/global/spend/reset",
    "/config/update",
    "/config/yaml",
    "/credentials",
    "/health",
    "/health/readiness",
    "/metrics",
    "/metrics/",
    "/openapi.json",
    "/routes",
    "/.well-known/litellm-ui-config",
    # Provider pass-through: any method and path with the organisation's provider keys (components/routes.py).
    "/openai/files",
    "/openai/v1/fine_tuning/jobs",
    "/anthropic/v1/messages",
    "/bedrock/model/x/invoke",
    "/gemini/v1beta/models",
    "/langfuse/api/public/traces",
]

INGRESS_CLUSTER = Cluster(internet_facing_classes={"nginx"}, internal_classes={"nginx-internal"})
PUBLIC_GATEWAY = Gateway(
    "gateway",
    "public",
    (
        Listener(
            "https",
            "HTTPS",
            443,
            hostname="*.api.prod.everycure.org",
            certificate_secret="wildcard-tls",
            allowed_namespaces="All",
        ),
        Listener("http", "HTTP", 80, allowed_namespaces="All"),
    ),
    internet_facing=True,
)
INTERNAL_GATEWAY = Gateway(
    "gateway-internal",
    "internal",
    (Listener("https", "HTTPS", 443, certificate_secret="internal-tls", allowed_namespaces="All"),),
    internet_facing=False,
)
GATEWAY_CLUSTER = Cluster(
    gateways=[PUBLIC_GATEWAY, INTERNAL_GATEWAY],
    secrets={("gateway", "wildcard-tls"), ("gateway-internal", "internal-tls")},
)

INTERNAL_INGRESS: dict[str, Any] = {
    "host": INTERNAL_HOST,
    "className": "nginx-internal",
    "podNamespace": "ingress-nginx-internal",
    "tls": {"secretName": "litellm-internal-tls", "certManager": {"issuer": "internal-ca", "issuerKind": "Issuer"}},
}
INGRESS_WITH_INTERNAL: dict[str, Any] = {
    "enabled": True,
    "type": "ingress",
    "public": {
        "className": "nginx",
        "tls": {"secretName": "litellm-tls", "certManager": {"issuer": "letsencrypt-prod"}},
    },
    "internal": INTERNAL_INGRESS,
}
GATEWAY_WITH_INTERNAL: dict[str, Any] = {
    "enabled": True,
    "type": "gateway",
    "public": {"gateway": {"name": "public", "namespace": "gateway", "listener": "https"}},
    "internal": {"host": INTERNAL_HOST, "gateway": {"name": "internal", "namespace": "gateway-internal"}},
}


def _run(overrides: dict[str, Any] | None = None):
    run = run_stack("prod", overrides)
    assert run.error is None, run.error
    return run


@pytest.fixture(scope="module")
def prod():
    return _run()


@pytest.fixture(scope="module")
def prod_entrances(prod) -> Entrances:
    return Entrances(prod.registrations, INGRESS_CLUSTER)


@pytest.fixture(scope="module")
def ingress_with_internal() -> Entrances:
    return Entrances(_run({"litellm:entrance": INGRESS_WITH_INTERNAL}).registrations, INGRESS_CLUSTER)


@pytest.fixture(scope="module")
def gateway_run():
    return _run({"litellm:entrance": GATEWAY_WITH_INTERNAL})


@pytest.fixture(scope="module")
def gateway_entrances(gateway_run) -> Entrances:
    return Entrances(gateway_run.registrations, GATEWAY_CLUSTER)


def _is_proxy(destination: Destination | None) -> bool:
    return destination is not None and (destination.service, destination.namespace, destination.port) == PROXY_SERVICE


# ------------------------------------------------------------------------------------------ prod


def test_prod_serves_the_seed_url_over_tls_with_a_certificate_issued_for_its_host(prod_entrances):
    destination = prod_entrances.route(f"https://{SEED_HOST}/v1/chat/completions")
    assert _is_proxy(destination), destination
    assert destination.tls_secret == ("litellm", "litellm-tls")
    (certificate,) = prod_entrances.certificates
    assert certificate["spec"]["dnsNames"] == [SEED_HOST]


def test_prod_serves_no_other_host_to_the_internet(prod_entrances):
    assert prod_entrances.hosts(internet=True) == {SEED_HOST}


@pytest.mark.parametrize("path", API_PATHS)
def test_prod_routes_the_llm_api_publicly(prod_entrances, path):
    assert _is_proxy(prod_entrances.route(f"https://{SEED_HOST}{path}"))


@pytest.mark.parametrize("path", NOT_PUBLIC_PATHS)
def test_prod_keeps_the_ui_management_health_and_metrics_off_the_internet(prod_entrances, path):
    for host in prod_entrances.hosts(internet=True):
        assert prod_entrances.route(f"https://{host}{path}") is None, (host, path)


def test_prod_without_a_certificate_serves_nothing_over_https():
    run = _run({"litellm:entrance": {**INGRESS_WITH_INTERNAL, "internal": None}})
    without_certificates = [r for r in run.registrations if r.inputs.get("kind") != "Certificate"]
    entrances = Entrances(without_certificates, INGRESS_CLUSTER)
    assert entrances.route(f"https://{SEED_HOST}/v1/chat/completions") is None


# ------------------------------------------------------------------------------------------ internal entrance


@pytest.mark.parametrize("path", ["/ui/", "/key/generate", "/model/new", "/sso/key/generate", "/v1/chat/completions"])
def test_internal_ingress_serves_ui_and_management_on_its_own_host_only(ingress_with_internal, path):
    assert _is_proxy(ingress_with_internal.route(f"https://{INTERNAL_HOST}{path}", internet=False))
    assert ingress_with_internal.route(f"https://{INTERNAL_HOST}{path}", internet=True) is None


def test_internal_ingress_has_its_own_certificate(ingress_with_internal):
    destination = ingress_with_internal.route(f"https://{INTERNAL_HOST}/ui/", internet=False)
    assert destination.tls_secret == ("litellm", "litellm-internal-tls")


@pytest.mark.parametrize("path", NOT_PUBLIC_PATHS)
def test_internal_ingress_exposes_nothing_more_to_the_internet(ingress_with_internal, path):
    assert ingress_with_internal.hosts(internet=True) == {SEED_HOST}
    assert ingress_with_internal.route(f"https://{SEED_HOST}{path}") is None


# ------------------------------------------------------------------------------------------ gateway


@pytest.mark.parametrize("path", API_PATHS)
def test_gateway_routes_the_llm_api_over_the_https_listener(gateway_entrances, path):
    destination = gateway_entrances.route(f"https://{SEED_HOST}{path}")
    assert _is_proxy(destination)
    assert destination.tls_secret == ("gateway", "wildcard-tls")


def test_gateway_route_attaches_to_the_https_listener_only(gateway_entrances):
    assert gateway_entrances.route(f"http://{SEED_HOST}/v1/chat/completions") is None


@pytest.mark.parametrize("path", NOT_PUBLIC_PATHS)
def test_gateway_keeps_the_ui_management_and_metrics_off_the_internet(gateway_entrances, path):
    assert gateway_entrances.hosts(internet=True) == {SEED_HOST}
    assert gateway_entrances.route(f"https://{SEED_HOST}{path}") is None


@pytest.mark.parametrize("path", ["/ui/", "/key/generate", "/global/spend/reset"])
def test_internal_gateway_serves_the_ui_and_management(gateway_entrances, path):
    assert _is_proxy(gateway_entrances.route(f"https://{INTERNAL_HOST}{path}", internet=False))


def test_gateway_certificate_is_issued_into_the_gateway_namespace():
    run = _run(
        {
            "litellm:entrance": {
                **GATEWAY_WITH_INTERNAL,
                "public": {
                    "gateway": {"name": "public", "namespace": "gateway", "listener": "https"},
                    "tls": {"secretName": "litellm-tls", "certManager": {"issuer": "letsencrypt-prod"}},
                },
            }
        }
    )
    cluster = Cluster(gateways=[PUBLIC_GATEWAY, INTERNAL_GATEWAY], secrets={("gateway-internal", "internal-tls")})
    public = Gateway(
        "gateway",
        "public",
        (Listener("https", "HTTPS", 443, certificate_secret="litellm-tls", allowed_namespaces="All"),),
        internet_facing=True,
    )
    cluster.gateways = [public, INTERNAL_GATEWAY]
    destination = Entrances(run.registrations, cluster).route(f"https://{SEED_HOST}/v1/chat/completions")
    assert _is_proxy(destination) and destination.tls_secret == ("gateway", "litellm-tls")


def test_a_gateway_that_admits_only_its_own_namespace_leaves_the_route_detached(gateway_run):
    same_namespace_only = Gateway(
        "gateway",
        "public",
        (Listener("https", "HTTPS", 443, certificate_secret="wildcard-tls", allowed_namespaces="Same"),),
        internet_facing=True,
    )
    cluster = Cluster(gateways=[same_namespace_only, INTERNAL_GATEWAY], secrets=GATEWAY_CLUSTER.secrets)
    assert Entrances(gateway_run.registrations, cluster).route(f"https://{SEED_HOST}/v1/chat/completions") is None


# ------------------------------------------------------------------------------------------ network policy

GATEWAY_PROXY = Pod("gateway", {"gateway.networking.k8s.io/gateway-name": "public"}, ip="10.244.9.1")
INTERNAL_GATEWAY_PROXY = Pod("gateway-internal", {"app": "envoy"}, ip="10.244.9.2")
INTERNAL_NGINX = Pod("ingress-nginx-internal", {"app.kubernetes.io/name": "ingress-nginx"}, ip="10.244.9.3")


def test_prod_lets_the_ingress_controller_reach_the_proxy_port_only(prod):
    flows = NetworkPolicies.from_registrations(prod.registrations)
    assert flows.connection_allowed(INGRESS_NGINX, PROXY, 4000)
    assert not flows.connection_allowed(INGRESS_NGINX, PROXY, 8080)
    assert not flows.connection_allowed(OTHER_NAMESPACE, PROXY, 4000)
    assert not flows.connection_allowed(GATEWAY_PROXY, PROXY, 4000)


def test_gateway_entrance_lets_the_gateways_in_and_no_longer_ingress_nginx(gateway_run):
    flows = NetworkPolicies.from_registrations(gateway_run.registrations)
    assert flows.connection_allowed(GATEWAY_PROXY, PROXY, 4000)
    assert flows.connection_allowed(INTERNAL_GATEWAY_PROXY, PROXY, 4000)
    assert not flows.connection_allowed(INGRESS_NGINX, PROXY, 4000)


def test_internal_ingress_controller_namespace_is_let_in():
    run = _run({"litellm:entrance": INGRESS_WITH_INTERNAL})
    flows = NetworkPolicies.from_registrations(run.registrations)
    assert flows.connection_allowed(INTERNAL_NGINX, PROXY, 4000)
    assert flows.connection_allowed(INGRESS_NGINX, PROXY, 4000)


def test_entrance_off_lets_no_entrance_namespace_in():
    run = _run({"litellm:entrance": {"enabled": False}})
    flows = NetworkPolicies.from_registrations(run.registrations)
    assert not flows.connection_allowed(INGRESS_NGINX, PROXY, 4000)


# ------------------------------------------------------------------------------------------ config


def test_entrance_is_off_by_default():
    settings = settings_for(publicUrl=f"https://{SEED_HOST}")
    assert not settings.entrance.enabled


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"entrance": {"enabled": True, "type": "ingress", "public": {"className": "nginx"}}},
            "litellm:entrance.public.tls",
        ),
        ({"entrance": {"enabled": True, "type": "gateway"}}, "litellm:entrance.public.gateway"),
        (
            {"entrance": {"enabled": True, "type": "ingress", "public": {"tls": {"secretName": "t"}}}},
            "litellm:entrance.public.className",
        ),
        (
            {"entrance": {**INGRESS_WITH_INTERNAL, "internal": {**INTERNAL_INGRESS, "host": None}}},
            "litellm:entrance.internal.host",
        ),
        (
            {
                "entrance": {
                    **INGRESS_WITH_INTERNAL,
                    "internal": {**INTERNAL_INGRESS, "host": SEED_HOST},
                }
            },
            "litellm:entrance.internal.host",
        ),
        ({"entrance": INGRESS_WITH_INTERNAL, "publicUrl": None}, "litellm:entrance.enabled"),
        ({"entrance": INGRESS_WITH_INTERNAL, "publicUrl": f"https://{SEED_HOST}/litellm"}, "litellm:publicUrl"),
        ({"entrance": INGRESS_WITH_INTERNAL, "publicUrl": f"https://{SEED_HOST}:8443"}, "litellm:publicUrl"),
    ],
)
def test_an_incomplete_entrance_is_refused_naming_the_key(keys, message):
    run = run_stack("prod", {f"litellm:{key}": value for key, value in keys.items()})
    assert run.error is not None and message in str(run.error), run.error
    assert not [r for r in run.registrations if r.custom]


@pytest.mark.runtime
def test_the_public_url_reaches_litellm_as_proxy_base_url():
    """The name LiteLLM 1.76.1 reads for the links it builds, read from the installed package."""
    utils = runtime_site_packages() / "litellm" / "proxy" / "utils.py"
    assert 'os.getenv("PROXY_BASE_URL")' in utils.read_text(encoding="utf-8")
    settings = committed_settings("prod")
    assert build_chart_values(settings)["envVars"]["PROXY_BASE_URL"] == settings.public_url
