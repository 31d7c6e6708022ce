"""Secrets from elsewhere (External Secrets Operator, Vault): every Secret the pods read can be declared as
existing, by name and key; the program then only references it, in the chart it renders."""

import pytest
import yaml

from components.config import ConfigError
from tests.conftest import OPENAI_KEY, SECRETS, render_stack, run_stack

DECLARED = {
    "masterKey": {"name": "vault-litellm", "key": "master-key"},
    "saltKey": {"name": "vault-litellm"},
    "providerKeys": [
        {"name": "vault-openai", "keys": ["OPENAI_API_KEY"]},
        {"name": "vault-anthropic", "keys": ["ANTHROPIC_API_KEY"]},
    ],
    "redisPassword": {"name": "vault-redis", "key": "VAULT_REDIS_PASSWORD"},
    "tracingHeaders": {"name": "vault-otel"},
}
ALL_ELSEWHERE = {
    "litellm:existingSecrets": DECLARED,
    "litellm:database": {"createSecret": False, "secretName": "app-db"},
    "litellm:tracing": {"enabled": True, "endpoint": "http://otel-collector.observability.svc:4318/v1/traces"},
}


def _containers(manifests):
    pods = [
        manifests.find("Deployment", "litellm")["spec"]["template"]["spec"],
        manifests.find("Job", "litellm-migrations")["spec"]["template"]["spec"],
    ]
    return [container for pod in pods for container in pod["containers"]]


def _references(manifests) -> set[tuple[str, str | None]]:
    """(Secret, key) of every secretKeyRef, (Secret, None) of every envFrom secretRef, in every container."""
    refs: set[tuple[str, str | None]] = set()
    for container in _containers(manifests):
        for entry in container.get("env") or []:
            ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                refs.add((ref["name"], ref["key"]))
        refs.update(
            (source["secretRef"]["name"], None) for source in container.get("envFrom") or [] if "secretRef" in source
        )
    return refs


@pytest.fixture(scope="module")
def elsewhere():
    return render_stack("prod", ALL_ELSEWHERE, secrets={})


def test_with_every_secret_declared_existing_the_program_writes_none(elsewhere):
    assert elsewhere.all("Secret") == []
    assert elsewhere.run.error is None


def test_the_pods_read_exactly_the_declared_secrets_and_keys(elsewhere):
    assert _references(elsewhere) == {
        ("vault-litellm", "master-key"),
        ("vault-litellm", None),
        ("vault-openai", None),
        ("vault-anthropic", None),
        ("vault-redis", None),
        ("vault-otel", None),
        ("app-db", "DATABASE_USERNAME"),
        ("app-db", "DATABASE_PASSWORD"),
    }
    (proxy,) = elsewhere.find("Deployment", "litellm")["spec"]["template"]["spec"]["containers"]
    master = next(entry for entry in proxy["env"] if entry["name"] == "PROXY_MASTER_KEY")
    assert master["valueFrom"]["secretKeyRef"] == {"name": "vault-litellm", "key": "master-key"}


def test_the_proxy_reads_the_redis_password_under_the_declared_key(elsewhere):
    config = yaml.safe_load(elsewhere.find("ConfigMap", "litellm-config")["data"]["config.yaml"])
    assert config["litellm_settings"]["cache_params"]["password"] == "os.environ/VAULT_REDIS_PASSWORD"
    assert config["router_settings"]["redis_password"] == "os.environ/VAULT_REDIS_PASSWORD"


def test_provider_keys_may_come_from_both_places():
    overrides = {
        "litellm:existingSecrets": {"providerKeys": [{"name": "vault-anthropic", "keys": ["ANTHROPIC_API_KEY"]}]}
    }
    secrets = {**SECRETS, "litellm:providerKeys": {"OPENAI_API_KEY": OPENAI_KEY}}
    manifests = render_stack("prod", overrides, secrets)
    assert {("litellm-provider-keys", None), ("vault-anthropic", None)} <= _references(manifests)
    assert manifests.find("Secret", "litellm-provider-keys")["stringData"] == {"OPENAI_API_KEY": OPENAI_KEY}


def test_a_model_key_held_nowhere_is_refused():
    overrides = {"litellm:existingSecrets": {"providerKeys": [{"name": "vault-openai", "keys": ["OPENAI_API_KEY"]}]}}
    run = run_stack("prod", {**overrides, "litellm:providerKeys": None})
    assert isinstance(run.error, ConfigError)
    assert "litellm:models[1].apiKeyEnv: 'ANTHROPIC_API_KEY' is not a key of litellm:providerKeys" in str(run.error)
    assert run.registrations == []


@pytest.mark.parametrize(
    "declared, configured",
    [
        ({"masterKey": {"name": "vault", "key": "k"}}, {"litellm:masterKey": "sk-master-FAKE-1234567890"}),
        ({"saltKey": {"name": "vault"}}, {"litellm:saltKey": "salt-FAKE-0123456789"}),
        ({"redisPassword": {"name": "vault"}}, {"litellm:redisPassword": "redis-FAKE-pa55word"}),
    ],
    ids=["masterKey", "saltKey", "redisPassword"],
)
def test_a_value_declared_existing_and_set_in_config_is_refused(declared, configured):
    run = run_stack("prod", {"litellm:existingSecrets": declared, **configured})
    (key,) = declared
    assert f"litellm:{key}: is set, and existingSecrets.{key} names a Secret managed elsewhere" in str(run.error)
    assert run.registrations == []


def test_an_existing_secret_may_not_reuse_a_name_the_program_writes():
    run = run_stack("prod", {"litellm:existingSecrets": {"saltKey": {"name": "litellm-master-key"}}})
    assert "litellm:existingSecrets: 'litellm-master-key' is the Secret this program writes for the master key" in str(
        run.error
    )


def test_adopting_with_an_existing_salt_key_secret_needs_no_salt_key_config():
    overrides = {"kubernetes:upsertExistingObjects": True, "litellm:existingSecrets": {"saltKey": {"name": "vault"}}}
    run = run_stack("prod", overrides)
    assert run.error is None
    assert "litellm-salt-key" not in {r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:core/v1:Secret")}
