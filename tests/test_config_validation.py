"""Bad stack config: a clear error naming the key, every problem at once, and nothing registered."""

import pytest

from components.config import ConfigError
from components.risks import risk_warnings
from components.versions import CHART_REF, IMAGE_TAG, LITELLM_VERSION
from offline.harness import run_program, stack_config
from tests.conftest import SECRETS, run_stack, settings_for

SEED_MODELS = [
    {"name": "gpt-4o", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"},
]

BAD_CONFIGS = [
    (
        "local-chart-not-named-after-the-ref",
        {"litellm:chart": {"localPath": "/opt/charts/litellm-helm"}},
        "litellm:chart.localPath: '/opt/charts/litellm-helm' must be a folder named after the ref",
    ),
    (
        "namespace-kube-prefix",
        {"litellm:namespace": "kube-flannel"},
        "litellm:namespace: 'kube-flannel' belongs to the cluster",
    ),
    (
        "namespace-trailing-newline",
        {"litellm:namespace": "litellm\n"},
        "litellm:namespace: 'litellm\\n' is not a DNS-1123 label",
    ),
    (
        "namespace-of-the-cluster",
        {"litellm:namespace": "kube-system"},
        "litellm:namespace: 'kube-system' belongs to the cluster",
    ),
    (
        "namespace-shared-with-argocd",
        {"litellm:namespace": "argocd"},
        "litellm:namespace: 'argocd' is also litellm:argocd.namespace",
    ),
    (
        "database-host-with-port",
        {"litellm:database": {"host": "db.example.com:5432", "namespace": "postgresql"}},
        "litellm:database.host: 'db.example.com:5432' is not a host name (lower-case DNS name) or IP address",
    ),
    (
        "redis-host-with-scheme",
        {"litellm:redis": {"host": "redis://redis.redis.svc.cluster.local"}},
        "litellm:redis.host: 'redis://redis.redis.svc.cluster.local' is not a host name",
    ),
    (
        "database-secret-is-the-salt-key",
        {"litellm:database": {"secretName": "litellm-salt-key"}},
        "litellm:database.secretName: 'litellm-salt-key' is the Secret this program writes for the salt key",
    ),
    (
        "dns-label-key-invalid",
        {"litellm:networkPolicy": {"dnsPodLabels": {"bad key!": "x"}}},
        "litellm:networkPolicy.dnsPodLabels: 'bad key!' is not a Kubernetes label key",
    ),
    (
        "dns-labels-empty",
        {"litellm:networkPolicy": {"dnsPodLabels": {}}},
        "litellm:networkPolicy.dnsPodLabels: {} is not valid: dictionary should have at least 1 item",
    ),
    (
        "service-monitor-label-value-invalid",
        {
            "litellm:serviceMonitor": {"enabled": True, "labels": {"release": "kube prometheus"}},
            "litellm:licenseKey": "litellm-licence-FAKE",
        },
        "litellm:serviceMonitor.labels: 'kube prometheus' (label 'release') is not a Kubernetes label value",
    ),
    (
        "tracing-port-out-of-range",
        {"litellm:tracing": {"enabled": True, "endpoint": "http://otel.obs.svc:99999/v1/traces"}},
        "litellm:tracing.endpoint: 'http://otel.obs.svc:99999/v1/traces' is not a valid http(s) URL",
    ),
    (
        "public-url-with-credentials",
        {"litellm:publicUrl": "https://user:pw@litellm.example.com"},
        "credentials do not belong in a URL here",
    ),
    ("replicas-absurd", {"litellm:replicas": 10**30}, "litellm:replicas:"),
    (
        "argocd-project-not-a-name",
        {"litellm:argocd": {"project": "My Project!"}},
        "litellm:argocd.project: 'My Project!'",
    ),
    (
        "image-repository-upper-case",
        {"litellm:image": {"repository": "GHCR.io/BerriAI/LiteLLM"}},
        "litellm:image.repository: 'GHCR.io/BerriAI/LiteLLM' is not an image name",
    ),
    ("chart-path-empty", {"litellm:chart": {"path": ""}}, "litellm:chart.path:"),
    (
        "model-name-blank",
        {"litellm:models": [{"name": "   ", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"}]},
        "litellm:models[0].name: '   ' must be non-empty",
    ),
    (
        "cpu-with-whitespace",
        {
            "litellm:resources": {
                "requests": {"cpu": " 250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "2Gi"},
            }
        },
        "litellm:resources.requests.cpu: ' 250m' is not a Kubernetes quantity",
    ),
    (
        "helm-chart-path-unreadable",
        {"litellm:delivery": "helm", "litellm:chart": {"localPath": "x" * 5000 + f"/{CHART_REF}"}},
        "litellm:chart.localPath: no litellm-helm chart in",
    ),
    ("typo-in-key", {"litellm:replica": 3}, "litellm:replica: unknown key; did you mean litellm:replicas?"),
    ("replicas-not-a-number", {"litellm:replicas": "three"}, 'litellm:replicas: "three" is not valid'),
    (
        "replicas-zero",
        {"litellm:replicas": 0},
        'litellm:replicas: "0" is not valid: input should be greater than or equal to 1',
    ),
    (
        "memory-not-a-quantity",
        {
            "litellm:resources": {
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "2GB"},
            }
        },
        "litellm:resources.limits.memory: '2GB' is not a Kubernetes quantity (try 2Gi)",
    ),
    (
        "workers-above-cpu-limit",
        {"litellm:workers": 3, "litellm:resources": {"limits": {"cpu": "2500m"}}},
        "litellm:workers: 3 is more than the CPU limit '2500m' (2.5 cores): the processes would share that quota and"
        " serve no more. Use at most 2",
    ),
    (
        "autoscaling-target-above-cpu-limit",
        {
            "litellm:autoscaling": {"enabled": True, "targetCpuUtilizationPercentage": 401},
            "litellm:resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "1"}},
        },
        "litellm:autoscaling.targetCpuUtilizationPercentage: 401% of the CPU request '250m' is more than the CPU"
        " limit '1': a pod never uses that much, so the autoscaler would never add one. Use at most 400",
    ),
    (
        "request-above-limit",
        {"litellm:resources": {"requests": {"cpu": "2", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "2Gi"}}},
        "litellm:resources.requests.cpu: '2' is more than limits.cpu '1'",
    ),
    ("chart-ref-branch", {"litellm:chart": {"ref": "main"}}, "litellm:chart.ref: 'main' is not an exact tag"),
    ("chart-ref-head", {"litellm:chart": {"ref": "HEAD"}}, "litellm:chart.ref: 'HEAD' is not an exact tag"),
    ("chart-ref-latest", {"litellm:chart": {"ref": "latest"}}, "litellm:chart.ref: 'latest' is not an exact tag"),
    (
        "model-key-not-provided",
        {"litellm:models": [{"name": "mistral", "model": "mistral/large", "apiKeyEnv": "MISTRAL_API_KEY"}]},
        "litellm:models[0].apiKeyEnv: 'MISTRAL_API_KEY' is not a key of litellm:providerKeys",
    ),
    (
        "namespace-not-dns-label",
        {"litellm:namespace": "LiteLLM_Prod"},
        "litellm:namespace: 'LiteLLM_Prod' is not a DNS-1123 label",
    ),
    ("service-port-out-of-range", {"litellm:service": {"port": 70000}}, "litellm:service.port: 70000 is not valid"),
    ("database-port-zero", {"litellm:database": {"port": 0}}, "litellm:database.port: 0 is not valid"),
    (
        "public-url-not-https",
        {"litellm:publicUrl": "http://litellm.example.com"},
        "litellm:publicUrl: 'http://litellm.example.com' is not a valid https URL",
    ),
    (
        "unknown-delivery",
        {"litellm:delivery": "flux"},
        "litellm:delivery: \"flux\" is not valid: input should be 'argocd' or 'helm'",
    ),
    (
        "tag-inside-repository",
        {"litellm:image": {"repository": "ghcr.io/berriai/litellm:v1", "tag": IMAGE_TAG}},
        "litellm:image.repository: 'ghcr.io/berriai/litellm:v1' must be an image name without tag",
    ),
    (
        "typo-in-nested-key",
        {"litellm:database": {"hots": "db"}},
        "litellm:database.hots: unknown key; did you mean litellm:database.host?",
    ),
    (
        "cidr-out-of-range",
        {"litellm:networkPolicy": {"egressCidrs": ["203.0.113.0/33"]}},
        "litellm:networkPolicy.egressCidrs[0]: '203.0.113.0/33' is not a CIDR block",
    ),
    ("ttl-negative", {"litellm:redis": {"cache": {"ttl": -5}}}, "litellm:redis.cache.ttl: -5 is not valid"),
    ("object-key-given-a-string", {"litellm:image": "main-stable"}, "litellm:image: expected an object or a list"),
    (
        "namespace-contradicts-host",
        {"litellm:database": {"namespace": "databases"}},
        "litellm:database.namespace: 'databases' does not match the namespace 'postgresql' in host",
    ),
    ("telemetry-not-a-bool", {"litellm:telemetry": "maybe"}, 'litellm:telemetry: "maybe" is not valid'),
    (
        "autoscaling-min-above-max",
        {"litellm:autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}},
        "litellm:autoscaling.minReplicas: 5 is more than maxReplicas 2",
    ),
    (
        "sql-name-yaml-word",
        {"litellm:database": {"name": "on"}},
        "litellm:database.name: 'on' is not a database name",
    ),
    (
        "reserved-provider-key-name",
        {"litellm:providerKeys": {"OPENAI_API_KEY": "sk-a", "ANTHROPIC_API_KEY": "sk-b", "DATABASE_URL": "x"}},
        "litellm:providerKeys.DATABASE_URL: 'DATABASE_URL' is a name the chart or this program sets itself",
    ),
    ("provider-keys-missing", {"litellm:providerKeys": None}, "litellm:providerKeys: is required"),
    (
        "database-password-missing",
        {"litellm:databasePassword": None},
        "litellm:databasePassword: is required while database.createSecret is true",
    ),
    (
        "pull-policy-unknown",
        {"litellm:image": {"pullPolicy": "Sometimes"}},
        'litellm:image.pullPolicy: "Sometimes" is not valid',
    ),
]


@pytest.mark.parametrize(
    "overrides, expected", [case[1:] for case in BAD_CONFIGS], ids=[case[0] for case in BAD_CONFIGS]
)
def test_bad_config_is_rejected_with_its_key_and_registers_nothing(overrides, expected):
    run = run_stack("prod", overrides)
    assert isinstance(run.error, ConfigError)
    assert expected in str(run.error)
    assert run.registrations == []


def test_all_problems_are_reported_at_once():
    run = run_stack("prod", {"litellm:replicas": 0, "litellm:namespace": "Bad", "litellm:chart": {"ref": "main"}})
    assert sorted(problem.split(":")[1] for problem in run.error.problems) == ["chart.ref", "namespace", "replicas"]


def test_a_secret_set_in_plain_text_is_rejected_without_echoing_it():
    config, secret_keys = stack_config("prod", SECRETS)
    config["litellm:masterKey"] = "sk-plaintext-master-key-value"
    run = run_program(config, secret_keys, stack="prod")
    assert "litellm:masterKey: is stored in plain text; set it with `pulumi config set --secret" in str(run.error)
    assert "sk-plaintext-master-key-value" not in str(run.error)
    assert run.registrations == []


def test_an_invalid_secret_value_is_never_echoed():
    run = run_stack("prod", {"litellm:masterKey": "not-an-sk-key-but-secret"})
    assert "litellm:masterKey: must start with 'sk-'" in str(run.error)
    assert "not-an-sk-key-but-secret" not in str(run.error)


def test_a_wrongly_typed_secret_is_never_echoed():
    run = run_stack("prod", {"litellm:providerKeys": {"OPENAI_API_KEY": ["sk-in-a-list-SECRET"]}})
    assert "litellm:providerKeys.OPENAI_API_KEY" in str(run.error)
    assert "sk-in-a-list-SECRET" not in str(run.error)


def test_error_message_carries_no_traceback_or_pydantic_noise():
    run = run_stack("prod", {"litellm:replicas": "three"})
    text = str(run.error)
    assert "Traceback" not in text and "pydantic" not in text and "errors.pydantic.dev" not in text


def test_database_password_is_not_needed_for_a_pre_existing_secret():
    settings = settings_for(database={"createSecret": False}, databasePassword=None)
    assert settings.database.create_secret is False


def test_config_keys_of_other_namespaces_are_left_alone():
    run = run_stack("prod", {"kubernetes:context": "prod-cluster"})
    assert run.error is None


def test_moving_image_tag_warns_with_a_pinned_alternative():
    warnings = risk_warnings(settings_for(image={"tag": "main-stable"}), "staging")
    assert any("litellm:image.tag 'main-stable' is a moving tag" in w and IMAGE_TAG in w for w in warnings)


def test_versioned_image_tag_does_not_warn():
    warnings = risk_warnings(settings_for(image={"tag": IMAGE_TAG}), "staging")
    assert not any("litellm:image.tag" in w for w in warnings)


def problems_of(**keys) -> list[str]:
    with pytest.raises(ConfigError) as error:
        settings_for(**keys)
    return error.value.problems


def test_a_cache_flush_size_is_refused_with_the_reason():
    (problem,) = problems_of(redis={"cache": {"flushSize": 100}})
    assert problem.startswith("litellm:redis.cache.flushSize: 100:")
    assert "60 s expiry" in problem and "Remove the key" in problem


def test_allowed_fails_3_is_refused_because_litellm_reads_it_as_unset():
    (problem,) = problems_of(router={"allowedFails": 3})
    assert problem.startswith(f"litellm:router.allowedFails: 3 is LiteLLM {LITELLM_VERSION}'s default")
    assert settings_for(router={"allowedFails": 2}).router.allowed_fails == 2


def test_a_service_monitor_without_a_licence_is_refused_with_the_reason():
    (problem,) = problems_of(serviceMonitor={"enabled": True})
    assert problem.startswith("litellm:serviceMonitor.enabled: needs litellm:licenseKey")
    assert "Enterprise-only" in problem
    assert settings_for(serviceMonitor={"enabled": True}, licenseKey="lic-FAKE").service_monitor.enabled


def test_single_replica_warns_only_on_a_production_stack():
    settings = settings_for(replicas=1, image={"tag": IMAGE_TAG})
    assert any("looks like production" in w for w in risk_warnings(settings, "prod"))
    assert not any("looks like production" in w for w in risk_warnings(settings, "dev"))


def test_warnings_reach_the_pulumi_log_in_preview():
    run = run_stack("prod", {"litellm:image": {"tag": "main-stable", "allowMovingTag": True}})
    assert any("is a moving tag" in w for w in run.warnings)


def test_a_moving_tag_on_a_production_stack_is_refused_without_the_opt_in():
    run = run_stack("prod", {"litellm:image": {"tag": "main-stable"}})
    assert isinstance(run.error, ConfigError)
    (message,) = run.error.problems
    assert "litellm:image.tag: 'main-stable' is a moving tag on production stack 'prod'" in message
    assert IMAGE_TAG in message and "litellm:image.allowMovingTag: true" in message
    assert run.registrations == []


@pytest.mark.parametrize("stack", ["staging", "dev"])
def test_a_moving_tag_elsewhere_is_only_a_warning(stack):
    run = run_stack(stack, {"litellm:image": {"tag": "main-stable"}})
    assert run.error is None and any("is a moving tag" in w for w in run.warnings)


def test_the_moving_tag_opt_in_with_a_pinned_tag_is_refused():
    run = run_stack("staging", {"litellm:image": {"allowMovingTag": True}})
    assert isinstance(run.error, ConfigError)
    assert f"litellm:image.allowMovingTag: is true but image.tag '{IMAGE_TAG}' is pinned" in str(run.error)


def test_a_stack_without_models_warns_that_the_proxy_serves_nothing():
    assert any("litellm:models is empty" in w for w in risk_warnings(settings_for(), "staging"))
    with_models = settings_for(models=SEED_MODELS)
    assert not any("litellm:models" in w for w in risk_warnings(with_models, "staging"))


def test_a_non_secret_setting_marked_secret_is_refused_without_echoing_it():
    config, secret_keys = stack_config("prod", SECRETS)
    config["litellm:publicUrl"] = "http://internal-SECRET-host.example.com"
    run = run_program(config, [*secret_keys, "litellm:publicUrl"], stack="prod")
    assert "litellm:publicUrl: is set as a secret, but this setting is not one" in str(run.error)
    assert "internal-SECRET-host" not in str(run.error)
    assert run.registrations == []


@pytest.mark.parametrize("key", ["providerKeys", "databasePassword", "redisPassword"])
def test_a_secret_with_a_pasted_newline_is_rejected_without_echoing_it(key):
    value = (
        {"OPENAI_API_KEY": "sk-newline-SECRET\n", "ANTHROPIC_API_KEY": "sk-b"}
        if key == "providerKeys"
        else "pw-SECRET\n"
    )
    run = run_stack("prod", {f"litellm:{key}": value})
    assert "has leading or trailing whitespace" in str(run.error)
    assert "SECRET" not in str(run.error)


@pytest.mark.parametrize(
    "keys",
    [
        {"serviceMonitor": {"enabled": True, "interval": "1m30s"}, "licenseKey": "litellm-licence-FAKE"},
        {"autoscaling": {"enabled": True, "targetCpuUtilizationPercentage": 150}},
        {"models": [{"name": "llama", "model": "hosted_vllm/llama-3", "apiBase": "http://vllm.models.svc:8000"}]},
        {"image": {"tag": f"{IMAGE_TAG}@sha256:" + "a" * 64}},
        {"database": {"host": "10.0.0.12", "namespace": "postgresql"}},
    ],
    ids=[
        "interval-1m30s",
        "cpu-target-above-100",
        "model-without-key-in-cluster",
        "digest-pinned-tag",
        "ip-database-host",
    ],
)
def test_valid_settings_are_accepted(keys):
    assert settings_for(**keys)


def test_a_digest_pinned_tag_is_not_a_moving_tag():
    settings = settings_for(image={"tag": "main-stable@sha256:" + "b" * 64})
    assert not any("moving tag" in w for w in risk_warnings(settings, "staging"))


def test_no_ingress_namespace_warns_that_only_port_forward_reaches_the_proxy():
    warnings = risk_warnings(settings_for(networkPolicy={"ingressNamespaces": []}), "staging")
    assert any("ingressNamespaces is empty" in w for w in warnings)


def test_a_load_balancer_behind_default_deny_warns():
    warnings = risk_warnings(settings_for(service={"type": "LoadBalancer"}), "staging")
    assert any("litellm:service.type LoadBalancer" in w for w in warnings)


def test_a_budget_as_large_as_the_replicas_warns():
    warnings = risk_warnings(settings_for(podDisruptionBudget={"maxUnavailable": 3}), "staging")
    assert any("protects nothing" in w for w in warnings)


@pytest.mark.parametrize(
    "target, requests, limits, enabled",
    [(400, "250m", "1", True), (100, "1", "1", True), (800, "250m", "2", True), (900, "250m", "1", False)],
)
def test_an_autoscaling_target_a_pod_can_reach_is_accepted(target, requests, limits, enabled):
    settings = settings_for(
        autoscaling={"enabled": enabled, "targetCpuUtilizationPercentage": target},
        resources={"requests": {"cpu": requests}, "limits": {"cpu": limits}},
    )
    assert settings.autoscaling.target_cpu_utilization_percentage == target


def test_an_autoscaling_target_above_the_cpu_limit_names_the_highest_reachable():
    with pytest.raises(ConfigError) as error:
        settings_for(
            autoscaling={"enabled": True, "targetCpuUtilizationPercentage": 201},
            resources={"requests": {"cpu": "500m"}, "limits": {"cpu": "1"}},
        )
    assert "Use at most 200 " in str(error.value)
