"""Configs a user can write that the real system would misread: each is refused with its key and the reason, or
handled so that the cluster does what the operator asked."""

import pytest

from components.config import ConfigError
from components.risks import risk_warnings
from tests.conftest import ANTHROPIC_KEY, OPENAI_KEY, render_stack, run_stack, settings_for
from tests.test_existing_secrets import ALL_ELSEWHERE

GATEWAY_ENTRANCE = {
    "enabled": True,
    "type": "gateway",
    "public": {"gateway": {"name": "public", "namespace": "gateways"}},
}
INGRESS_ENTRANCE = {
    "enabled": True,
    "type": "ingress",
    "public": {"className": "nginx", "tls": {"secretName": "litellm-tls"}},
}
MODEL = {"name": "gpt-4o", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"}

REFUSED = [
    (
        "ssl-verify-full-read-as-prefer-by-prisma",
        {"litellm:database": {"sslMode": "verify-full"}},
        "litellm:database.sslMode: 'verify-full' is not checked by Prisma",
    ),
    (
        "ssl-verify-ca-read-as-prefer-by-prisma",
        {"litellm:database": {"sslMode": "verify-ca"}},
        "litellm:database.sslMode: 'verify-ca' is not checked by Prisma",
    ),
    (
        "provider-key-named-path",
        {
            "litellm:providerKeys": {
                "OPENAI_API_KEY": OPENAI_KEY,
                "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
                "PATH": "sk-FAKE-0123",
            }
        },
        "litellm:providerKeys.PATH: 'PATH' would replace the container's own PATH",
    ),
    (
        "existing-secret-key-for-the-dynamic-loader",
        {"litellm:existingSecrets": {"providerKeys": [{"name": "vault-x", "keys": ["LD_PRELOAD"]}]}},
        "litellm:existingSecrets.providerKeys[0].keys[0]: 'LD_PRELOAD' would replace the container's own",
    ),
    (
        "memory-in-milli-bytes",
        {"litellm:resources": {"limits": {"memory": "2048m"}, "requests": {"memory": "512m"}}},
        "litellm:resources.requests.memory: '512m' is in milli-bytes (0.512 bytes); did you mean 512Mi?",
    ),
    (
        "memory-of-one-byte",
        {"litellm:resources": {"limits": {"memory": "1"}, "requests": {"memory": "1"}}},
        "litellm:resources.limits.memory: '1' is below 192Mi",
    ),
    (
        "exact-duplicate-model",
        {"litellm:models": [MODEL, {**MODEL, "name": "gpt-4o-mini", "model": "openai/gpt-4o-mini"}, MODEL]},
        "litellm:models[2]: is the same deployment as models[0]",
    ),
    (
        "entrance-metrics-without-a-public-url",
        {"litellm:publicUrl": None, "litellm:monitoring": {"alerts": True, "entranceMetrics": "ingress-nginx"}},
        "litellm:monitoring.entranceMetrics: 'ingress-nginx' needs litellm:publicUrl",
    ),
    (
        "envoy-metrics-for-an-ingress-entrance",
        {
            "litellm:entrance": INGRESS_ENTRANCE,
            "litellm:monitoring": {"alerts": True, "entranceMetrics": "envoy-gateway"},
        },
        "litellm:monitoring.entranceMetrics: 'envoy-gateway' reports the HTTPRoute of the program's gateway entrance",
    ),
]


@pytest.mark.parametrize("overrides, expected", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_config_the_system_would_misread_is_refused_naming_its_key(overrides, expected):
    run = run_stack("prod", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert expected in str(run.error)
    assert run.registrations == []


def test_secret_admins_with_no_secret_to_grant_are_refused_not_granted_every_secret():
    """A Role rule with empty resourceNames grants every name (k8s.io/kubernetes pkg/apis/rbac/v1
    evaluation_helpers.go ResourceNameMatches): with every Secret managed elsewhere there is nothing to name."""
    run = run_stack("prod", {**ALL_ELSEWHERE, "litellm:rbac": {"secretAdminGroups": ["secops"]}}, secrets={})
    assert isinstance(run.error, ConfigError)
    assert "litellm:rbac.secretAdminGroups: every Secret the pods read is managed elsewhere" in str(run.error)
    assert run.registrations == []


def test_two_deployments_of_one_model_name_stay_accepted():
    """LiteLLM balances between entries of one name: only an identical entry is a mistake."""
    other = {**MODEL, "apiBase": "https://eu.api.openai.com/v1"}
    assert run_stack("prod", {"litellm:models": [MODEL, other]}).error is None


def test_a_public_url_on_port_443_is_the_same_url_without_it():
    settings = settings_for(publicUrl="https://litellm.example.com:443", entrance=GATEWAY_ENTRANCE)
    assert settings.public_url == "https://litellm.example.com"


def test_a_tracing_endpoint_in_the_service_namespace_short_form_is_allowed_to_that_namespace():
    endpoint = "http://otel-collector.observability:4318/v1/traces"
    manifests = render_stack("prod", {"litellm:tracing": {"enabled": True, "endpoint": endpoint}})
    peers = [
        (peer.get("namespaceSelector", {}).get("matchLabels", {}), [port["port"] for port in rule.get("ports", [])])
        for policy in manifests.all("NetworkPolicy")
        for rule in policy["spec"].get("egress", [])
        for peer in rule.get("to", [])
    ]
    assert ({"kubernetes.io/metadata.name": "observability"}, [4318]) in peers
    warnings = risk_warnings(manifests.settings, "prod")
    assert any("'otel-collector.observability' is read as Service 'otel-collector'" in w for w in warnings)


def test_a_host_outside_the_cluster_is_written_with_its_trailing_dot():
    endpoint = "http://otel.example.com.:4318/v1/traces"
    run = run_stack("prod", {"litellm:tracing": {"enabled": True, "endpoint": endpoint}})
    assert "litellm:tracing.endpoint: otel.example.com.:4318 is a host outside the cluster" in str(run.error)
