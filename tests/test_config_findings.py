"""Each finding of the configuration review: valid configs are accepted and rendered as they mean,
invalid ones are refused naming the key, and no input ends in a traceback."""

import re
import runpy
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from components.config import ConfigError, settings_from_config
from components.risks import risk_warnings
from components.stacks import read_stack_config
from offline.harness import encode_config_value
from offline.manifests import render_manifests
from tests.conftest import SECRETS, STACKS, committed_settings, run_stack, settings_for
from tests.netpol import NetworkPolicies, Pod

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES_VERSION = "1.33"
# The API server's rule for Secret and other object names (DNS-1123 subdomain).
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def rendered(overrides, stack="prod"):
    return render_manifests(stack, overrides, SECRETS)


def container(manifests):
    return manifests.find("Deployment")["spec"]["template"]["spec"]["containers"][0]


def env(manifests) -> dict:
    return {item["name"]: item for item in container(manifests)["env"]}


def validate(obj) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def problems(run) -> str:
    assert isinstance(run.error, ConfigError), run.error
    assert run.registrations == []
    return str(run.error)


# Accepted, but the deployment would not work ------------------------------------------------------


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


# Valid, but refused --------------------------------------------------------------------------------


def test_a_hyphenated_database_name_is_accepted_and_rendered_as_a_string():
    manifests = rendered({"litellm:database": {"name": "litellm-prod"}})
    assert env(manifests)["DATABASE_NAME"]["value"] == "litellm-prod"
    validate(manifests.find("Deployment"))


def test_cost_based_routing_is_accepted_and_reaches_the_router():
    manifests = rendered({"litellm:router": {"routingStrategy": "cost-based-routing"}})
    assert (
        "routing_strategy: cost-based-routing" in manifests.find("ConfigMap", "litellm-config")["data"]["config.yaml"]
    )


@pytest.mark.parametrize(
    "url", ["git@github.com:BerriAI/litellm.git", "ssh://git@github.com/BerriAI/litellm.git"], ids=["scp", "ssh"]
)
def test_an_ssh_chart_repository_is_accepted_as_the_application_source(url):
    run = run_stack("prod", {"litellm:chart": {"repoUrl": url}})
    assert run.error is None
    application = run.one("kubernetes:argoproj.io/v1alpha1:Application")
    assert application.inputs["spec"]["source"]["repoURL"] == url


@pytest.mark.parametrize(
    "url",
    ["ssh://git@github.com", "git@github.com:", "http://github.com/BerriAI/litellm.git", "ftp://host/repo.git"],
)
def test_a_chart_repository_that_is_no_git_url_is_refused(url):
    assert "litellm:chart.repoUrl:" in problems(run_stack("prod", {"litellm:chart": {"repoUrl": url}}))


def test_only_the_memory_limit_set_keeps_the_other_resources_at_their_defaults():
    manifests = rendered({"litellm:resources": {"limits": {"memory": "4Gi"}}})
    assert container(manifests)["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "4Gi"},
    }


def test_a_partial_request_above_the_default_limit_is_refused_naming_both():
    text = problems(run_stack("prod", {"litellm:resources": {"requests": {"memory": "4Gi"}}}))
    assert "litellm:resources.requests.memory: '4Gi' is more than limits.memory '2Gi'" in text


@pytest.mark.parametrize("key", ["database", "redis"])
def test_a_host_with_a_trailing_dot_is_accepted(key):
    host = {"database": "postgresql-rw.postgresql.svc.cluster.local.", "redis": "redis.redis.svc.cluster.local."}[key]
    settings = settings_for(**{key: {"host": host}})
    assert getattr(settings, key).host == host


def test_a_trailing_dot_host_still_has_its_namespace_checked():
    with pytest.raises(ConfigError, match="litellm:database.namespace: 'other' does not match"):
        settings_for(database={"host": "pg.postgresql.svc.cluster.local.", "namespace": "other"})


@pytest.mark.parametrize(("budget", "warns"), [("50%", False), ("34%", False), ("100%", True), ("67%", True)])
def test_a_percentage_budget_is_accepted_and_counted_as_kubernetes_rounds_it(budget, warns):
    manifests = rendered({"litellm:podDisruptionBudget": {"maxUnavailable": budget}})
    assert manifests.find("PodDisruptionBudget")["spec"]["maxUnavailable"] == budget
    # 3 replicas: Kubernetes rounds a maxUnavailable percentage up, so 67% of 3 is 3 pods.
    settings = settings_for(podDisruptionBudget={"maxUnavailable": budget})
    assert any("protects nothing" in w for w in risk_warnings(settings, "staging")) is warns


@pytest.mark.parametrize("budget", ["0%", "101%", "50 %", "half", 0, -1, True, "1.5"])
def test_a_budget_that_is_no_count_or_percentage_is_refused(budget):
    text = problems(run_stack("prod", {"litellm:podDisruptionBudget": {"maxUnavailable": budget}}))
    assert "litellm:podDisruptionBudget.maxUnavailable:" in text


@pytest.mark.parametrize(
    "model", ["huggingface/mistralai/Mistral-7B-Instruct-v0.3", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"]
)
def test_a_model_id_with_mixed_case_and_digits_passes_the_policy_pack(model):
    pack = runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="litellm_policy_pack")
    run = run_stack("prod", {"litellm:models": [{"name": "m", "model": model, "apiKeyEnv": "OPENAI_API_KEY"}]})
    application = run.one("kubernetes:argoproj.io/v1alpha1:Application")
    assert pack["secret_literal_violations"](application.type, unknown_checking_proxy(application.inputs)) == []


def test_the_policy_pack_still_flags_a_random_token_outside_model_ids():
    pack = runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="litellm_policy_pack")
    run = run_stack("prod", {"litellm:publicUrl": "https://q8Zr2LmX7vTb4NpK9sWd3HyJ6cFg5QaE1uRi.example.com"})
    application = run.one("kubernetes:argoproj.io/v1alpha1:Application")
    (violation,) = pack["secret_literal_violations"](application.type, unknown_checking_proxy(application.inputs))
    assert "high-entropy" in violation


# Tracebacks and unclear errors ---------------------------------------------------------------------


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
        {"litellm:chart": {"localPath": "vendor/\x00/v1.76.1-stable"}},
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
        "v1.76.1-stable",
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


# Mistakes that pass silently -----------------------------------------------------------------------


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
        ("opanai/gpt-4o", "'opanai/gpt-4o': LiteLLM 1.76.1 knows no provider 'opanai'"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "knows no provider 'mistralai'"),
        ("openai/", "knows no model after 'openai/'"),
        ("OpenAI/gpt-4o", "knows no provider 'OpenAI'"),
    ],
)
def test_a_provider_prefix_litellm_does_not_know_is_refused(model, expected):
    text = problems(
        run_stack("prod", {"litellm:models": [{"name": "m", "model": model, "apiKeyEnv": "OPENAI_API_KEY"}]})
    )
    assert f"litellm:models[0].model: {model!r}: LiteLLM 1.76.1" in text and expected in text


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


# Guidance that points the wrong way ----------------------------------------------------------------


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


# Egress the config needs ---------------------------------------------------------------------------

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


# IPv6 database host --------------------------------------------------------------------------------


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


# Adding an environment -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_do_not_share_a_database(stack):
    shared = [w for w in risk_warnings(committed_settings(stack), stack) if "is also the database of stack" in w]
    assert not shared, shared[0] if shared else ""


@pytest.mark.parametrize(
    ("database", "warns"),
    [({}, True), ({"schema": "litellm_qa"}, False), ({"name": "litellm-qa"}, False), ({"port": 5433}, False)],
    ids=["same", "own-schema", "own-database", "other-port"],
)
def test_a_stack_sharing_another_stacks_database_and_schema_warns(tmp_path, database, warns):
    (tmp_path / "Pulumi.staging.yaml").write_bytes((ROOT / "Pulumi.staging.yaml").read_bytes())
    staging = read_stack_config(ROOT / "Pulumi.staging.yaml")["litellm:database"]
    settings = settings_for("qa", database={**staging, **database})
    warnings = [w for w in risk_warnings(settings, "qa", tmp_path) if "is also the database of stack 'staging'" in w]
    assert bool(warnings) is warns
    if warns:
        assert warnings[0].startswith("litellm:database postgresql-staging-pooler-rw.postgresql-staging.svc")


# Keys nothing reads under the rest of the settings -------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            {"redis": {"enabled": False, "ssl": True}},
            "litellm:redis.ssl is set but not used while redis.enabled is false",
        ),
        (
            {"networkPolicy": {"enabled": False, "ingressNamespaces": ["x"]}},
            "litellm:networkPolicy.ingressNamespaces is set but not used while networkPolicy.enabled is false",
        ),
        ({"autoscaling": {"maxReplicas": 5}}, "litellm:autoscaling.maxReplicas is set but not used"),
        ({"serviceMonitor": {"interval": "1m"}}, "litellm:serviceMonitor.interval is set but not used"),
        (
            {"tracing": {"protocol": "grpc"}},
            "litellm:tracing.protocol is set but not used while tracing.enabled is false",
        ),
        (
            {"podDisruptionBudget": {"enabled": False, "maxUnavailable": 2}},
            "litellm:podDisruptionBudget.maxUnavailable is set but not used",
        ),
        (
            {"delivery": "helm", "argocd": {"project": "p"}},
            "litellm:argocd.project is set but not used while delivery is helm",
        ),
        (
            {"chart": {"localPath": "/opt/c/v1.76.1-stable"}},
            "litellm:chart.localPath is set but not used while delivery is argocd",
        ),
        (
            {"replicas": 4, "autoscaling": {"enabled": True}},
            "litellm:replicas is set but not used while autoscaling.enabled is true",
        ),
        (
            {"database": {"createSecret": False, "user": "app"}, "databasePassword": None},
            "litellm:database.user is set but not used while database.createSecret is false",
        ),
        (
            {"masterKey": "sk-master-FAKE-0123456789", "masterKeyVersion": 3},
            "litellm:masterKeyVersion is set but not used while litellm:masterKey is set",
        ),
    ],
    ids=[
        "redis",
        "netpol",
        "autoscaling",
        "monitor",
        "tracing",
        "pdb",
        "argocd",
        "local-path",
        "replicas",
        "user",
        "version",
    ],
)
def test_a_key_nothing_reads_warns(keys, expected):
    assert any(expected in w for w in risk_warnings(settings_for(**keys), "staging"))


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_set_no_key_nothing_reads(stack):
    ignored = [w for w in risk_warnings(committed_settings(stack), stack) if "is set but not used" in w]
    assert not ignored, ignored[0] if ignored else ""
