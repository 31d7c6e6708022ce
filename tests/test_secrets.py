"""Secrets are never lost and never leak. (That every Secret and key the pods read exists is tested
on the chart's real render, tests/test_chart.py.)"""

from urllib.parse import quote

import pytest
from pulumi.runtime.rpc import is_rpc_secret

from offline.harness import map_tree, unwrap_secrets
from tests.conftest import (
    DATABASE_PASSWORD,
    MASTER_KEY,
    PROVIDER_KEYS,
    REDIS_PASSWORD,
    STACKS,
    committed_settings,
    dump,
    run_stack,
    secret_data,
)

SECRET = "kubernetes:core/v1:Secret"
RANDOM = "random:index/randomPassword:RandomPassword"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"

ALL_SECRETS = {
    "litellm:masterKey": MASTER_KEY,
    "litellm:redisPassword": REDIS_PASSWORD,
    "litellm:saltKey": "salt-FAKE-restored-0123456789abcdef",
}


def _values(run):
    if run.of_type(APPLICATION):
        return unwrap_secrets(run.one(APPLICATION).inputs["spec"]["source"]["helm"]["valuesObject"])
    return unwrap_secrets(run.one(RELEASE).inputs["values"])


def _secret_values(run) -> set[str]:
    """Every value stored in a Secret (generated ones included), plus the raw config secrets."""
    values = {value for data in secret_data(run).values() for value in data.values() if len(value) >= 8}
    return values | set(PROVIDER_KEYS.values()) | {DATABASE_PASSWORD, MASTER_KEY, REDIS_PASSWORD}


def _strip_secret_wrapped(value):
    return map_tree(value, lambda item: "<secret>" if is_rpc_secret(item) else item)


@pytest.mark.parametrize(
    "stack, overrides",
    [("prod", ALL_SECRETS), ("dev", ALL_SECRETS), ("prod", {"litellm:splitProviderKeys": True})],
    ids=["prod", "dev-helm", "prod-split-keys"],
)
def test_no_secret_value_appears_outside_secrets_and_secret_outputs(stack, overrides, chart_folder):
    run = run_stack(stack, overrides)
    assert run.error is None
    secrets = _secret_values(run)
    exposed = [dump(_strip_secret_wrapped(r.inputs)) for r in run.registrations if r.type != SECRET]
    exposed += [dump(_strip_secret_wrapped(run.outputs)), dump(run.logs)]
    leaks = [value for value in secrets for text in exposed if value in text or quote(value, safe="") in text]
    assert leaks == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_the_program_writes_is_opaque(stack, chart_folder):
    """Kubernetes' type for arbitrary data; the type cannot change in place, so another one would replace
    the protected Secrets."""
    secrets = run_stack(stack).of_type(SECRET)
    assert secrets and {secret.inputs["type"] for secret in secrets} == {"Opaque"}


def test_salt_key_is_generated_once_protected_and_kept_on_destroy():
    run = run_stack("prod")
    generator = run.one(RANDOM, "litellm-secrets-salt-key")
    secret = run.one(SECRET, "litellm-secrets-salt-key")
    assert generator.protect is True
    assert "keepers" not in generator.inputs
    assert (secret.protect, secret.retain_on_delete) == (True, True)
    # Letters and digits: restored after a loss with `pulumi config set --secret litellm:saltKey`, unquoted.
    salt_key = secret_data(run)["litellm-salt-key"]["LITELLM_SALT_KEY"]
    assert len(salt_key) >= 32 and salt_key.isalnum()


def test_salt_key_reaches_the_proxy_through_environment_secrets():
    values = _values(run_stack("prod"))
    assert "litellm-salt-key" in values["environmentSecrets"]


@pytest.mark.parametrize(
    "overrides",
    [{"litellm:replicas": 5}, {"litellm:image": {"tag": "main-v1.77.0-stable"}}, {"litellm:masterKeyVersion": 2}],
    ids=["replicas", "image-tag", "master-key-rotation"],
)
def test_no_config_change_touches_the_salt_key(overrides):
    before = run_stack("prod").one(RANDOM, "litellm-secrets-salt-key").inputs
    after = run_stack("prod", overrides).one(RANDOM, "litellm-secrets-salt-key").inputs
    assert after == before


def test_database_secret_is_protected_and_holds_both_keys_url_encoded():
    run = run_stack("prod")
    secret = run.one(SECRET, "litellm-secrets-database")
    assert (secret.protect, secret.retain_on_delete) == (True, True)
    assert secret_data(run)["postgres"] == {
        "DATABASE_USERNAME": "litellm",
        "DATABASE_PASSWORD": quote(DATABASE_PASSWORD, safe=""),
    }


def test_pre_existing_database_secret_is_referenced_not_created():
    run = run_stack(
        "prod", {"litellm:database": {"createSecret": False, "secretName": "app-db"}, "litellm:databasePassword": None}
    )
    assert run.error is None
    assert "app-db" not in secret_data(run)
    assert _values(run)["db"]["secret"]["name"] == "app-db"


@pytest.mark.parametrize("stack", STACKS)
def test_a_program_upgrade_keeps_the_generated_keys(stack, chart_folder):
    """Every input of a RandomPassword forces a new password: a new master key for every client, and for the
    protected salt key a run that stops. The generators keep the inputs the stacks were created with."""
    version = str(committed_settings(stack).master_key_version)
    created_with = {
        "litellm-secrets-master-key": {"length": 48, "special": False, "keepers": {"version": version}},
        "litellm-secrets-salt-key": {"length": 64, "special": False},
    }
    generators = run_stack(stack).of_type(RANDOM)
    assert generators and {g.name: g.inputs for g in generators} == {g.name: created_with[g.name] for g in generators}


def test_generated_master_key_is_sk_plus_at_least_32_random_characters():
    run = run_stack("prod")
    key = secret_data(run)["litellm-master-key"]["LITELLM_MASTER_KEY"]
    assert key.startswith("sk-") and len(key) >= 3 + 32 and key[3:].isalnum()


def test_master_key_rotates_only_when_its_version_is_bumped():
    def keepers(run):
        return run.one(RANDOM, "litellm-secrets-master-key").inputs["keepers"]

    baseline = keepers(run_stack("prod"))
    assert keepers(run_stack("prod", {"litellm:replicas": 4, "litellm:numRetries": 3})) == baseline
    assert keepers(run_stack("prod", {"litellm:masterKeyVersion": 2})) != baseline


def test_configured_master_key_is_used_and_nothing_is_generated_for_it():
    run = run_stack("prod", {"litellm:masterKey": MASTER_KEY})
    assert secret_data(run)["litellm-master-key"] == {"LITELLM_MASTER_KEY": MASTER_KEY}
    assert [r.name for r in run.of_type(RANDOM)] == ["litellm-secrets-salt-key"]


def test_chart_never_generates_its_own_master_key():
    values = _values(run_stack("prod"))
    assert (values["masterkeySecretName"], values["masterkeySecretKey"]) == ("litellm-master-key", "LITELLM_MASTER_KEY")


def test_provider_keys_live_in_one_secret_by_default():
    run = run_stack("prod")
    assert secret_data(run)["litellm-provider-keys"] == PROVIDER_KEYS
    assert "litellm-provider-keys" in _values(run)["environmentSecrets"]


def test_split_provider_keys_give_one_secret_per_provider_with_the_same_env_names():
    run = run_stack("prod", {"litellm:splitProviderKeys": True})
    created = secret_data(run)
    imported = [created[name] for name in _values(run)["environmentSecrets"]]
    provider_secrets = [data for data in imported if set(data) & {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}]
    assert sorted(map(sorted, provider_secrets)) == [["ANTHROPIC_API_KEY"], ["OPENAI_API_KEY"]]
    assert "litellm-provider-keys" not in created


def test_redis_password_goes_to_its_own_secret_imported_by_the_proxy():
    run = run_stack("prod", {"litellm:redisPassword": REDIS_PASSWORD})
    values = _values(run)
    holders = [name for name in values["environmentSecrets"] if "REDIS_PASSWORD" in secret_data(run).get(name, {})]
    assert len(holders) == 1
    assert secret_data(run)[holders[0]]["REDIS_PASSWORD"] == REDIS_PASSWORD


def test_without_redis_password_no_redis_secret_exists():
    run = run_stack("prod")
    assert not any("REDIS_PASSWORD" in data for data in secret_data(run).values())
