"""What a refused config says: the key, in the spelling of the stack file, and what would be valid; the count of
problems; no traceback, whatever the input; guidance that points the way to the fix. (Which configs are refused is
in test_config_validation.py and test_config_would_not_work.py.)"""

import subprocess
import sys

import pytest

from components.config import ConfigError, settings_from_config
from components.risks import risk_warnings
from components.stacks import StackFileError, committed_stacks, stack_config
from components.versions import CHART_REF
from offline.harness import encode_config_value
from tests.config_cases import ROOT, problems
from tests.conftest import SECRETS, committed_settings, run_stack, settings_for

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


@pytest.mark.parametrize(
    "key, value",
    [
        ("databasePassword", "pass\x00word"),
        ("providerKeys", {"OPENAI_API_KEY": "sk-\x00", "ANTHROPIC_API_KEY": "sk-ant-FAKE-0123"}),
    ],
)
def test_a_secret_refused_for_its_value_is_not_also_reported_missing(key, value):
    """A secret with a control character is refused for that, once, not also as a missing secret."""
    run = run_stack("prod", {"litellm:replicas": 0, f"litellm:{key}": value})
    assert isinstance(run.error, ConfigError)
    keys = sorted(p.split(":")[1].split(".")[0] for p in run.error.problems)
    assert keys == sorted([key, "replicas"]), run.error.problems
    assert "NUL byte" in next(p for p in run.error.problems if p.startswith(f"litellm:{key}"))


@pytest.mark.parametrize("stack", ["", ".hidden", "../prod", "prod/x", "nope"])
def test_a_stack_name_that_is_no_committed_stack_file_lists_the_stacks(stack):
    with pytest.raises(StackFileError) as error:
        stack_config(stack)
    assert f"no stack file Pulumi.{stack}.yaml in " in str(error.value)
    assert f"(stacks: {', '.join(committed_stacks())})" in str(error.value)


@pytest.mark.parametrize("cpu", ["1e1000000", "1e99999999999999999999", "8Ei", "1e-1000000"])
def test_an_out_of_range_quantity_is_refused_naming_the_key(cpu):
    text = problems(run_stack("prod", {"litellm:resources": {"limits": {"cpu": cpu}}}))
    assert f"litellm:resources.limits.cpu: {cpu!r} is" in text


def test_a_binary_kilo_quantity_is_accepted():
    settings = settings_for(resources={"requests": {"memory": "524288Ki"}})
    assert settings.resources.requests.memory == "524288Ki"


def test_a_negative_quantity_is_refused():
    text = problems(run_stack("prod", {"litellm:resources": {"requests": {"cpu": "-1"}}}))
    assert "litellm:resources.requests.cpu: '-1' is negative" in text


@pytest.mark.parametrize(
    "overrides",
    [
        {"litellm:chart": {"localPath": f"vendor/\x00/{CHART_REF}"}},
        {"litellm:chart": {"path": "deploy/\x00charts"}},
        {"litellm:models": [{"name": "m\x00", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"}]},
        {"litellm:namespace": "lite\x00llm"},
    ],
    ids=["local-path", "chart-path", "model-name", "namespace"],
)
def test_a_nul_byte_is_refused_naming_the_key(overrides):
    ((key, value),) = overrides.items()
    text = problems(run_stack("dev", overrides))
    assert "contains a NUL byte" in text
    assert key in text


def test_a_nul_byte_in_a_secret_is_refused_without_echoing_it():
    text = problems(run_stack("prod", {"litellm:databasePassword": "pw-SECRET\x00"}))
    assert "litellm:databasePassword: contains a NUL byte" in text and "SECRET" not in text


@pytest.mark.parametrize(
    "content",
    ["config: [1, 2]\n", "config:\n  litellm:replicas: [\n", "- just\n- a list\n", "\xff\xfe".encode("latin-1")],
    ids=["config-list", "bad-yaml", "document-list", "not-utf8"],
)
def test_a_malformed_other_stack_file_does_not_stop_a_valid_stack(tmp_path, content):
    for stack in ("staging", "qa"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_bytes((ROOT / "Pulumi.staging.yaml").read_bytes())
    other = tmp_path / "Pulumi.broken.yaml"
    other.write_bytes(content if isinstance(content, bytes) else content.encode())
    warnings = risk_warnings(committed_settings("staging"), "staging", tmp_path)
    # The readable copy is still compared: its shared cache is reported.
    assert any("is also the cache of stack 'qa'" in warning for warning in warnings)


def test_a_malformed_stack_file_of_the_stack_itself_is_reported_by_render(tmp_path, monkeypatch):
    from components import stacks

    (tmp_path / "Pulumi.broken.yaml").write_text("config: [1, 2]\n", encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
    with pytest.raises(stacks.StackFileError, match="Pulumi.broken.yaml: expected a mapping"):
        stacks.stack_config("broken")


def chart_source(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.chart_source", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_chart_source_prints_the_ref_repository_and_path():
    result = chart_source("dev")
    assert result.returncode == 0
    assert result.stdout.split() == [
        CHART_REF,
        "https://github.com/BerriAI/litellm.git",
        "deploy/charts/litellm-helm",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [([], "the following arguments are required: stack"), (["nope"], "no stack file Pulumi.nope.yaml in")],
    ids=["missing-argument", "unknown-stack"],
)
def test_chart_source_reports_a_usage_error_without_a_traceback(args, expected):
    result = chart_source(*args)
    assert result.returncode != 0 and expected in result.stderr and "Traceback" not in result.stderr


def test_chart_source_names_the_key_of_a_bad_ref(tmp_path, monkeypatch, capsys):
    from components import stacks
    from scripts import chart_source as module

    (tmp_path / "Pulumi.qa.yaml").write_text("config:\n  litellm:chart:\n    ref: main\n", encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
    assert module.main(["qa"]) == 1
    error = capsys.readouterr().err
    assert "Pulumi.qa.yaml: litellm:chart.ref: 'main' is not an exact tag" in error and "Traceback" not in error


def test_settings_from_config_takes_the_encoded_config_as_the_cli_gives_it():
    raw = {f"litellm:{key}": encode_config_value(value) for key, value in {"replicas": 2}.items()}
    with pytest.raises(ConfigError):
        settings_from_config(raw)


def test_a_plain_text_provider_key_gets_the_path_command():
    from offline.harness import run_program, stack_config

    config, secret_keys = stack_config("prod", SECRETS)
    secret_keys.remove("litellm:providerKeys")
    text = problems(run_program(config, secret_keys, stack="prod"))
    assert (
        "litellm:providerKeys: is stored in plain text; set it with"
        " `pulumi config set --secret --path 'litellm:providerKeys.<ENV_NAME>' ...`"
    ) in text


@pytest.mark.parametrize(
    ("key", "value", "command"),
    [
        ("litellm:ui.enabled", "false", "pulumi config set --path 'litellm:ui.enabled' ..."),
        ("litellm:providerKeys.OPENAI_API_KEY", "sk-x", "pulumi config set --secret --path 'litellm:providerKeys"),
        ("litellm:models[0].rpm", "5", "pulumi config set --path 'litellm:models[0].rpm' ..."),
    ],
)
def test_a_nested_key_set_without_path_gets_the_path_command(key, value, command):
    text = problems(run_stack("prod", {key: value}))
    assert f"{key}: unknown key; a nested key is set with --path: `pulumi config rm {key}`" in text
    assert command in text


def test_a_fresh_stack_gets_every_missing_secret_in_one_round():
    text = problems(run_stack("prod", secrets={}))
    assert "litellm:providerKeys: is required" in text
    assert "pulumi config set --secret --path 'litellm:providerKeys.<ENV_NAME>'" in text
    assert "litellm:databasePassword: is required while database.createSecret is true" in text


def test_a_fresh_stack_with_another_mistake_still_gets_every_missing_secret():
    text = problems(run_stack("prod", {"litellm:replicas": 0}, secrets={}))
    assert "litellm:replicas:" in text and "litellm:providerKeys: is required" in text
    assert "litellm:databasePassword: is required" in text


def test_a_fresh_stack_with_a_pre_existing_database_secret_needs_no_password():
    text = problems(run_stack("prod", {"litellm:database": {"createSecret": False}}, secrets={}))
    assert "litellm:databasePassword" not in text


def test_the_render_says_its_placeholders_must_be_set_before_pulumi_up():
    from offline.render import render

    (warning,) = [w for w in render("prod").warnings if "placeholder" in w]
    assert "litellm:providerKeys.OPENAI_API_KEY" in warning and "litellm:databasePassword" in warning
    assert "not set in Pulumi.prod.yaml" in warning and "before `pulumi up`" in warning
    assert "pulumi config set --secret --path 'litellm:providerKeys.OPENAI_API_KEY' ..." in warning
