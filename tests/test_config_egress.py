"""The egress a config needs: every destination the proxy connects to is allowed, by namespace or address block,
and a destination no NetworkPolicy can allow is refused naming its key (an IPv6 database host included)."""

import pytest

from components.risks import risk_warnings
from offline.manifests import render_manifests
from tests.config_cases import env, problems, rendered, validate
from tests.conftest import SECRETS, run_stack, settings_for
from tests.netpol import NetworkPolicies, Pod

PROXY = Pod("litellm", {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "litellm"}, ip="10.244.1.10")


def flows(overrides) -> NetworkPolicies:
    run = run_stack("prod", overrides)
    assert run.error is None, run.error
    return NetworkPolicies.from_registrations(run.registrations)


def model(**keys):
    return {"litellm:models": [{"name": "m", "model": "hosted_vllm/llama-3", **keys}]}


def test_an_in_cluster_model_server_gets_egress_to_its_namespace_and_port():
    policies = flows(model(apiBase="http://vllm.models.svc:8000"))
    server = Pod("models", {"app": "vllm"}, ip="10.244.9.1")
    assert policies.egress_allowed(PROXY, server, 8000)
    assert not policies.egress_allowed(PROXY, server, 8001)
    assert not policies.egress_allowed(PROXY, Pod("other", {"app": "vllm"}, ip="10.244.9.2"), 8000)


def test_a_model_server_by_private_address_gets_egress_to_that_address_and_port():
    policies = flows(model(apiBase="http://10.0.5.7:8000"))
    assert policies.egress_allowed(PROXY, "10.0.5.7", 8000)
    assert not policies.egress_allowed(PROXY, "10.0.5.8", 8000)
    assert not policies.egress_allowed(PROXY, "10.0.5.7", 8001)


def test_a_hosted_endpoint_on_443_is_reached_through_the_internet_rule():
    run = run_stack("prod", model(apiBase="https://my-resource.openai.azure.com"))
    assert run.error is None


@pytest.mark.parametrize(
    ("overrides", "key", "port"),
    [
        (model(apiBase="http://ollama.internal.example.com:11434"), "models[0].apiBase", 11434),
        ({"litellm:database": {"host": "mydb.abc123.eu-west-1.rds.amazonaws.com"}}, "database.host", 5432),
        ({"litellm:redis": {"host": "cache.abc123.euw1.cache.amazonaws.com"}}, "redis.host", 6379),
    ],
    ids=["model-server", "managed-database", "managed-redis"],
)
def test_a_host_outside_the_cluster_on_another_port_needs_its_block_named(overrides, key, port):
    text = problems(run_stack("prod", overrides))
    assert f"litellm:{key}:" in text and "litellm:networkPolicy.egress" in text and f"ports: [{port}]" in text
    named = {"litellm:networkPolicy": {"egress": [{"cidr": "10.20.0.0/16", "ports": [port]}]}}
    policies = flows({**overrides, **named})
    assert policies.egress_allowed(PROXY, "10.20.3.4", port)
    assert not policies.egress_allowed(PROXY, "10.21.3.4", port)


def test_a_managed_database_by_address_gets_egress_without_more_config():
    policies = flows({"litellm:database": {"host": "10.30.0.5"}})
    assert policies.egress_allowed(PROXY, "10.30.0.5", 5432)
    assert not policies.egress_allowed(PROXY, "10.30.0.6", 5432)


def test_networkpolicy_off_needs_no_egress_entry():
    overrides = {"litellm:database": {"host": "mydb.example.com"}, "litellm:networkPolicy": {"enabled": False}}
    assert run_stack("prod", overrides).error is None


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"namespace": "models", "cidr": "10.0.0.0/8", "ports": [80]}, "egress[0].namespace: give exactly one"),
        ({"ports": [80]}, "egress[0].namespace: give exactly one"),
        ({"namespace": "models", "ports": []}, "egress[0].ports:"),
        ({"cidr": "10.0.0.1/8", "ports": [80]}, "egress[0].cidr: '10.0.0.1/8' is not a CIDR block"),
        ({"namespace": "models", "ports": [0]}, "egress[0].ports[0]:"),
    ],
    ids=["both", "neither", "no-ports", "host-bits", "port-zero"],
)
def test_a_bad_egress_entry_is_refused_naming_the_key(entry, expected):
    text = problems(run_stack("prod", {"litellm:networkPolicy": {"egress": [entry]}}))
    assert f"litellm:networkPolicy.{expected}" in text


def test_a_service_on_port_80_says_the_pods_port_is_assumed_until_named():
    settings = settings_for(models=[{"name": "m", "model": "hosted_vllm/x", "apiBase": "http://kserve.models.svc"}])
    (warning,) = [w for w in risk_warnings(settings, "dev") if "targetPort" in w]
    assert warning.startswith("litellm:models[0].apiBase: the NetworkPolicies let the proxy reach namespace 'models'")
    named = settings_for(
        models=[{"name": "m", "model": "hosted_vllm/x", "apiBase": "http://kserve.models.svc"}],
        networkPolicy={"egress": [{"namespace": "models", "ports": [8080]}]},
    )
    assert not any("targetPort" in w for w in risk_warnings(named, "dev"))
    policies = flows(
        {
            **model(apiBase="http://kserve.models.svc"),
            "litellm:networkPolicy": {"egress": [{"namespace": "models", "ports": [8080]}]},
        }
    )
    assert policies.egress_allowed(PROXY, Pod("models", {"app": "kserve"}, ip="10.244.9.3"), 8080)


def test_an_ipv6_database_host_renders_valid_yaml_with_the_endpoint_from_the_secret():
    manifests = rendered({"litellm:database": {"host": "fd00::5", "namespace": "postgresql"}})
    for deployment in manifests.all("Deployment"):
        validate(deployment)
    host = env(manifests)["DATABASE_HOST"]
    assert host == {
        "name": "DATABASE_HOST",
        "valueFrom": {"secretKeyRef": {"name": "postgres", "key": "DATABASE_HOST"}},
    }
    job = next(o for o in manifests.all("Job"))
    job_env = {item["name"]: item for item in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert job_env["DATABASE_HOST"]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_HOST"
    secret = manifests.find("Secret", "postgres")
    assert secret["stringData"]["DATABASE_HOST"] == "[fd00::5]:5432"
    assert NetworkPolicies(manifests.all("NetworkPolicy")).egress_allowed(PROXY, "fd00::5", 5432)


def test_an_ipv6_host_with_a_pre_existing_secret_needs_the_endpoint_key():
    database = {"host": "fd00::5", "namespace": "postgresql", "createSecret": False}
    text = problems(run_stack("prod", {"litellm:database": database, "litellm:databasePassword": None}))
    assert "litellm:database.endpointKey: is required for the IPv6 host 'fd00::5'" in text
    manifests = render_manifests(
        "prod",
        {"litellm:database": {**database, "endpointKey": "host"}, "litellm:databasePassword": None},
        {key: value for key, value in SECRETS.items() if key != "litellm:databasePassword"},
    )
    assert env(manifests)["DATABASE_HOST"]["valueFrom"]["secretKeyRef"] == {"name": "postgres", "key": "host"}


def test_an_endpoint_key_equal_to_another_key_is_refused():
    text = problems(run_stack("prod", {"litellm:database": {"endpointKey": "DATABASE_PASSWORD"}}))
    assert "litellm:database.endpointKey: must differ from usernameKey and passwordKey" in text
