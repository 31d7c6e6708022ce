"""What a refused config says: the key, in the spelling of the stack file, and what would be valid; the count of
problems; no traceback. (Which configs are refused is in test_config_validation.py and test_config_edges.py.)"""

import pytest

from components.config import ConfigError
from components.stacks import StackFileError, stack_config
from tests.conftest import run_stack

GATEWAY = {"name": "public", "namespace": "gateways"}
TLS = {"secretName": "litellm-tls"}
PUBLIC_URL = {"litellm:publicUrl": "https://litellm.example.com"}

ENTRANCES = [
    (
        "ingress-without-class",
        {"type": "ingress", "public": {"tls": TLS}},
        "litellm:entrance.public.className: is required for type ingress, e.g. nginx",
    ),
    (
        "ingress-without-tls",
        {"type": "ingress", "public": {"className": "nginx"}},
        "litellm:entrance.public.tls: is required for type ingress: {secretName: ..., certManager?}",
    ),
    (
        "ingress-with-a-gateway",
        {"type": "ingress", "public": {"className": "nginx", "tls": TLS, "gateway": GATEWAY}},
        "litellm:entrance.public.gateway: belongs to type gateway or both; this entrance is type ingress",
    ),
    (
        "gateway-without-a-gateway",
        {"type": "gateway", "public": {}},
        "litellm:entrance.public.gateway: is required for type gateway: {name, namespace, listener?}",
    ),
    (
        "gateway-with-a-class",
        {"type": "gateway", "public": {"gateway": GATEWAY, "className": "nginx"}},
        "litellm:entrance.public.className: belongs to type ingress or both; this entrance is type gateway",
    ),
    (
        "gateway-with-tls-but-no-issuer",
        {"type": "gateway", "public": {"gateway": GATEWAY, "tls": TLS}},
        "litellm:entrance.public.tls: with type gateway the Gateway's listener holds the certificate: set"
        " tls.certManager to have one issued, or leave tls out",
    ),
    (
        "both-without-a-class",
        {"type": "both", "public": {"gateway": GATEWAY, "tls": TLS}},
        "litellm:entrance.public.className: is required for type both, e.g. nginx",
    ),
]


@pytest.mark.parametrize("entrance, expected", [c[1:] for c in ENTRANCES], ids=[c[0] for c in ENTRANCES])
def test_an_entrance_of_the_wrong_shape_names_the_key_and_the_shape_its_type_takes(entrance, expected):
    run = run_stack("prod", {**PUBLIC_URL, "litellm:entrance": {"enabled": True, **entrance}})
    assert isinstance(run.error, ConfigError)
    assert expected in run.error.problems[0], run.error.problems
    assert run.registrations == []


def test_one_problem_is_counted_as_one():
    run = run_stack("prod", {"litellm:replicas": 0})
    assert isinstance(run.error, ConfigError)
    assert str(run.error).startswith("invalid stack configuration (1 problem):\n")


def test_several_problems_are_counted_in_the_plural():
    run = run_stack("prod", {"litellm:replicas": 0, "litellm:namespace": "Bad"})
    assert str(run.error).startswith("invalid stack configuration (2 problems):\n")


def test_provider_keys_held_by_existing_secrets_are_not_reported_missing_beside_another_problem():
    """When the model rules cannot run (another key is invalid), the missing secrets are judged from the raw keys:
    keys an existing Secret holds are not missing."""
    existing = {"providerKeys": [{"name": "vault-llm", "keys": ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]}]}
    run = run_stack("prod", {"litellm:existingSecrets": existing, "litellm:replicas": 0}, secrets={})
    assert isinstance(run.error, ConfigError)
    assert sorted(p.split(":")[1] for p in run.error.problems) == ["databasePassword", "replicas"], run.error.problems


def test_a_secret_refused_for_its_value_is_not_also_reported_missing():
    """A password with a control character is refused for that, once, not also as a missing secret."""
    run = run_stack("prod", {"litellm:replicas": 0, "litellm:databasePassword": "pass\x00word"})
    assert isinstance(run.error, ConfigError)
    keys = sorted(p.split(":")[1] for p in run.error.problems)
    assert keys == ["databasePassword", "replicas"], run.error.problems
    assert "NUL byte" in next(p for p in run.error.problems if p.startswith("litellm:databasePassword"))


@pytest.mark.parametrize("stack", ["", ".hidden", "../prod", "prod/x", "nope"])
def test_a_stack_name_that_is_no_committed_stack_file_lists_the_stacks(stack):
    with pytest.raises(StackFileError) as error:
        stack_config(stack)
    assert f"no stack file Pulumi.{stack}.yaml in " in str(error.value)
    assert "(stacks: dev, prod, staging)" in str(error.value)
