"""Valid configs are accepted and rendered as they mean: what an operator may write is never refused."""

import runpy

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from components.config import ConfigError
from components.risks import risk_warnings
from tests.config_cases import ROOT, container, env, problems, rendered, validate
from tests.conftest import run_stack, settings_for


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
