"""Configs the real system would misread or fail on (a deployment that would not work, a mistake that would
pass silently): each refused naming its key, with nothing registered, or handled as the operator meant."""

import pytest

from components.config import ConfigError
from components.risks import risk_warnings
from components.versions import LITELLM_VERSION
from offline.manifests import render_manifests
from tests.config_cases import DNS_SUBDOMAIN, container, problems, rendered, validate
from tests.conftest import ANTHROPIC_KEY, OPENAI_KEY, SECRETS, render_stack, run_stack, settings_for
from tests.test_existing_secrets import ALL_ELSEWHERE


def test_split_provider_key_names_ending_in_underscore_give_valid_secret_names():
    keys = {"OPENAI_API_KEY_": "sk-a-FAKE", "ANTHROPIC_API_KEY": "sk-b-FAKE", "OPENAI_API_KEY": "sk-c-FAKE"}
    manifests = render_manifests("prod", {"litellm:splitProviderKeys": True}, {**SECRETS, "litellm:providerKeys": keys})
    names = {secret["metadata"]["name"] for secret in manifests.all("Secret")}
    assert all(DNS_SUBDOMAIN.fullmatch(name) for name in names), names
    imported = {ref["secretRef"]["name"] for ref in container(manifests)["envFrom"]}
    assert {"litellm-provider-openai-api-key", "litellm-provider-anthropic-api-key"} <= imported
    secret = next(s for s in manifests.all("Secret") if s["metadata"]["name"] == "litellm-provider-openai-api-key")
    assert set(secret["stringData"]) == {"OPENAI_API_KEY", "OPENAI_API_KEY_"}


def test_a_service_port_below_1024_gets_the_one_capability_that_binds_it():
    manifests = rendered({"litellm:service": {"port": 80}})
    proxy = container(manifests)
    assert proxy["ports"][0]["containerPort"] == 80
    assert proxy["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    validate(manifests.find("Deployment"))


def test_a_service_port_from_1024_keeps_every_capability_dropped():
    assert container(rendered({"litellm:service": {"port": 1024}}))["securityContext"]["capabilities"] == {
        "drop": ["ALL"]
    }


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"litellm:database_password": "hunter2-SECRET"},
            "litellm:database_password: unknown key; did you mean litellm:databasePassword?",
        ),
        (
            {"litellm:database": {"secret_name": "pg"}},
            "litellm:database.secret_name: unknown key; did you mean litellm:database.secretName?",
        ),
        ({"litellm:num_retries": 3}, "litellm:num_retries: unknown key; did you mean litellm:numRetries?"),
    ],
    ids=["secret", "nested", "scalar"],
)
def test_a_snake_case_spelling_is_refused_and_its_value_never_echoed(overrides, expected):
    text = problems(run_stack("prod", overrides))
    assert expected in text and "SECRET" not in text


@pytest.mark.parametrize("namespace", ["litelm", "litellm_", "LiteLLM", "lite-llm", "litellmm"])
def test_a_misspelt_litellm_namespace_is_refused(namespace):
    text = problems(run_stack("prod", {f"{namespace}:replicas": 5}))
    assert f"{namespace}:replicas: unknown config namespace {namespace!r}" in text
    assert "did you mean litellm:replicas?" in text


@pytest.mark.parametrize("namespace", ["kubernetes", "pulumi", "random", "aws"])
def test_keys_of_other_namespaces_are_left_alone(namespace):
    assert run_stack("prod", {f"{namespace}:something": "x"}).error is None


def test_a_retry_count_litellm_never_applies_is_refused():
    text = problems(
        run_stack("prod", {"litellm:router": {"retryPolicy": {"badRequest": 0, "contentPolicyViolation": 2}}})
    )
    assert "litellm:router.retryPolicy.contentPolicyViolation: 2 never applies while badRequest is 0" in text


@pytest.mark.parametrize(
    "policy",
    [{"contentPolicyViolation": 2}, {"badRequest": 1, "contentPolicyViolation": 1}, {"badRequest": 0, "timeout": 3}],
    ids=["alone", "same-count", "unrelated-classes"],
)
def test_retry_counts_that_all_apply_are_accepted(policy):
    assert settings_for(router={"retryPolicy": policy}).router.retry_policy is not None


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("opanai/gpt-4o", f"'opanai/gpt-4o': LiteLLM {LITELLM_VERSION} knows no provider 'opanai'"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "knows no provider 'mistralai'"),
        ("openai/", "knows no model after 'openai/'"),
        ("OpenAI/gpt-4o", "knows no provider 'OpenAI'"),
    ],
)
def test_a_provider_prefix_litellm_does_not_know_is_refused(model, expected):
    text = problems(
        run_stack("prod", {"litellm:models": [{"name": "m", "model": model, "apiKeyEnv": "OPENAI_API_KEY"}]})
    )
    assert f"litellm:models[0].model: {model!r}: LiteLLM {LITELLM_VERSION}" in text and expected in text


def test_a_misspelt_provider_gets_the_close_one_suggested():
    text = problems(run_stack("prod", {"litellm:models": [{"name": "m", "model": "antropic/claude-sonnet-4"}]}))
    assert "did you mean anthropic/claude-sonnet-4?" in text


@pytest.mark.parametrize(
    "model",
    ["openai/gpt-4o", "anthropic/claude-sonnet-4-20250514", "gemini/gemini-2.0-flash", "groq/llama-3.1-8b"],
)
def test_a_hosted_model_without_an_api_key_env_is_refused(model):
    text = problems(run_stack("prod", {"litellm:models": [{"name": "m", "model": model}]}))
    assert f"litellm:models[0].apiKeyEnv: is required for {model!r}" in text


@pytest.mark.parametrize(
    "model",
    [
        {"name": "m", "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"},
        {"name": "m", "model": "vertex_ai/gemini-1.5-pro"},
        {"name": "m", "model": "hosted_vllm/llama-3", "apiBase": "http://vllm.models.svc:8000"},
        {"name": "m", "model": "openai/local-model", "apiBase": "http://vllm.models.svc:8000"},
        {"name": "m", "model": "ollama/llama3", "apiBase": "http://ollama.models.svc:11434"},
    ],
    ids=["bedrock-iam", "vertex-workload-identity", "vllm", "openai-compatible-server", "ollama"],
)
def test_a_model_that_needs_no_key_is_accepted_without_one(model):
    assert settings_for(models=[model]).models[0].api_key_env is None


def test_a_model_without_a_provider_prefix_warns():
    settings = settings_for(models=[{"name": "m", "model": "gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"}])
    assert any("litellm:models[0].model 'gpt-4o' has no provider prefix" in w for w in risk_warnings(settings, "dev"))


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
