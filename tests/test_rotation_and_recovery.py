"""Day 2: rotations update Secrets in place and roll the pods; a lost or destroyed stack is recovered
with its old salt key, and an adoption without it is refused."""

import pytest
import yaml
from pulumi.runtime.rpc import is_rpc_secret

from components.config import ConfigError
from components.settings import SECRET_CONFIG_KEYS
from components.stacks import PROGRAM_DIR
from components.values import SECRETS_REVISION_ANNOTATION
from offline import render
from offline.harness import run_program, stack_config, unwrap_secrets
from tests import kube
from tests.conftest import ANTHROPIC_KEY, MASTER_KEY, OPENAI_KEY, REDIS_PASSWORD, SECRETS, render_stack, run_stack

SECRET = "kubernetes:core/v1:Secret"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
RANDOM_ID = "random:index/randomId:RandomId"
OLD_SALT_KEY = "salt-FAKE-kept-from-the-first-deployment-0123456789abcdef"
RECOVERY = {"kubernetes:upsertExistingObjects": True, "litellm:saltKey": OLD_SALT_KEY}


def _values(run):
    if run.of_type(APPLICATION):
        return unwrap_secrets(run.one(APPLICATION).inputs["spec"]["source"]["helm"]["valuesObject"])
    return unwrap_secrets(run.one(RELEASE).inputs["values"])


def _revision(run) -> str:
    assert run.error is None, run.error
    return _values(run)["podAnnotations"][SECRETS_REVISION_ANNOTATION]


# In-place rotation


@pytest.mark.parametrize("path", sorted(PROGRAM_DIR.glob("Pulumi.*.yaml")), ids=lambda path: path.name)
def test_every_stack_file_turns_on_in_place_secret_updates(path):
    config = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
    assert config.get("kubernetes:enableSecretMutable") is True


def test_a_stack_without_in_place_secret_updates_is_refused_before_anything_is_registered(monkeypatch):
    monkeypatch.delenv("PULUMI_K8S_ENABLE_SECRET_MUTABLE", raising=False)
    run = run_stack("prod", {"kubernetes:enableSecretMutable": None})
    assert isinstance(run.error, ConfigError)
    assert "kubernetes:enableSecretMutable: must be true" in str(run.error)
    assert run.registrations == []


def test_the_provider_variable_also_turns_on_in_place_secret_updates(monkeypatch):
    monkeypatch.setenv("PULUMI_K8S_ENABLE_SECRET_MUTABLE", "true")
    assert run_stack("prod", {"kubernetes:enableSecretMutable": None}).error is None


# Pods roll on a Secret change


@pytest.mark.parametrize(
    "change",
    [
        {"litellm:providerKeys": {"OPENAI_API_KEY": "sk-openai-ROTATED-1", "ANTHROPIC_API_KEY": "sk-ant-FAKE-1"}},
        {"litellm:databasePassword": "a-new-database-password"},
        {"litellm:masterKeyVersion": 2},
        {"litellm:masterKey": MASTER_KEY},
        {"litellm:redisPassword": REDIS_PASSWORD},
    ],
    ids=["provider-key", "database-password", "generated-master-key", "supplied-master-key", "redis-password"],
)
def test_a_new_secret_value_gives_the_pods_a_new_revision(change):
    assert _revision(run_stack("prod", change)) != _revision(run_stack("prod"))


@pytest.mark.parametrize(
    "change",
    [
        {"litellm:replicas": 5},
        {"litellm:image": {"tag": "main-v1.77.0-stable"}},
        {"litellm:numRetries": 3},
        # The committed order is OpenAI, then Anthropic (tests/conftest.py SECRETS).
        {"litellm:providerKeys": {"ANTHROPIC_API_KEY": ANTHROPIC_KEY, "OPENAI_API_KEY": OPENAI_KEY}},
    ],
    ids=["replicas", "image-tag", "router", "provider-keys-reordered"],
)
def test_a_change_without_a_new_secret_value_keeps_the_revision(change):
    assert _revision(run_stack("prod", change)) == _revision(run_stack("prod"))


def test_the_revision_is_a_random_id_whose_keepers_stay_secret():
    run = run_stack("prod", {"litellm:masterKey": MASTER_KEY})
    (revision,) = run.of_type(RANDOM_ID)
    assert is_rpc_secret(revision.inputs["keepers"])
    keepers = unwrap_secrets(revision.inputs["keepers"])
    assert OPENAI_KEY in keepers["litellm-provider-keys"] and MASTER_KEY in keepers["litellm-master-key"]
    annotation = _revision(run)
    assert len(annotation) == 16 and all(secret not in annotation for secret in (OPENAI_KEY, MASTER_KEY))


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_revision_reaches_the_pod_template_the_chart_renders(stack):
    manifests = render_stack(stack)
    revision = _revision(manifests.run)
    template = manifests.find("Deployment", "litellm")["spec"]["template"]
    assert template["metadata"]["annotations"][SECRETS_REVISION_ANNOTATION] == revision


# Recovery


def test_the_salt_key_secret_is_written_only_when_created():
    for overrides in ({}, RECOVERY):
        secret = run_stack("prod", overrides).one(SECRET, "litellm-secrets-salt-key")
        assert set(secret.ignore_changes) >= {"stringData", "data"}
        assert (secret.protect, secret.retain_on_delete) == (True, True)


def test_a_recovered_stack_hands_the_old_salt_key_to_the_pods():
    manifests = render_stack("prod", RECOVERY)
    run = manifests.run
    assert run.of_type(RANDOM_PASSWORD) == [run.one(RANDOM_PASSWORD, "litellm-secrets-master-key")]
    environment = kube.expand_env(kube.container(manifests.find("Deployment"), "litellm"), kube.secret_data(manifests))
    assert environment["LITELLM_SALT_KEY"] == OLD_SALT_KEY


@pytest.mark.parametrize("by", ["config", "variable"])
def test_adopting_existing_objects_without_the_old_salt_key_is_refused(by, monkeypatch):
    if by == "config":
        overrides = {"kubernetes:upsertExistingObjects": True}
    else:
        monkeypatch.setenv("PULUMI_K8S_UPSERT_EXISTING_OBJECTS", "true")
        overrides = {}
    run = run_stack("prod", overrides)
    assert isinstance(run.error, ConfigError)
    assert "litellm:saltKey: is required while kubernetes:upsertExistingObjects is true" in str(run.error)
    assert run.registrations == []


def test_a_salt_key_in_plain_text_is_refused():
    config, secret_keys = stack_config("prod", SECRETS)
    config["litellm:saltKey"] = OLD_SALT_KEY
    run = run_program(config, secret_keys, stack="prod")
    assert "litellm:saltKey: is stored in plain text" in str(run.error)
    assert OLD_SALT_KEY not in str(run.error)


# Offline tools with encrypted secret config


def _secure(text: str) -> dict[str, str]:
    return {"secure": f"v1:ENCRYPTED-{text}"}


def test_offline_tools_run_a_stack_file_holding_every_secret_key_encrypted(tmp_path, monkeypatch):
    """As `pulumi config set --secret` leaves Pulumi.prod.yaml: every secret key a `secure:` entry."""
    document = yaml.safe_load((PROGRAM_DIR / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    secure = {
        "litellm:masterKey": _secure("master"),
        "litellm:saltKey": _secure("salt"),
        "litellm:databasePassword": _secure("database"),
        "litellm:redisPassword": _secure("redis"),
        "litellm:providerKeys": {"OPENAI_API_KEY": _secure("openai"), "ANTHROPIC_API_KEY": _secure("anthropic")},
        "litellm:tracingHeaders": {"authorization": _secure("tracing")},
        "litellm:licenseKey": _secure("licence"),
    }
    assert {key.removeprefix("litellm:") for key in secure} == set(SECRET_CONFIG_KEYS)
    config.update(secure)
    config["litellm:tracing"] = {"enabled": True, "endpoint": "http://otel-collector.observability.svc:4318/v1/traces"}
    (tmp_path / "Pulumi.encrypted.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setattr("components.stacks.PROGRAM_DIR", tmp_path)

    rendering = render.render("encrypted")
    assert {resource.document["metadata"]["name"] for resource in rendering.resources if resource.type == SECRET} >= {
        "litellm-master-key",
        "litellm-salt-key",
        "postgres",
        "litellm-redis",
        "litellm-tracing",
        "litellm-provider-keys",
    }
    config, secret_keys = stack_config("encrypted")
    assert set(secret_keys) == set(secure)
    assert run_program(config, secret_keys, stack="encrypted").error is None
