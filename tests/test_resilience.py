"""Traffic resilience and limits: router timeouts, cooldowns, retries and fallbacks, per-model limits,
Redis TLS, OpenTelemetry tracing and per-stack cache namespaces, as LiteLLM v1.76.1 reads them."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import ConfigError, settings_from_config
from components.risks import risk_warnings
from components.settings import RouterSettings, Settings
from components.values import build_chart_values, build_proxy_config
from offline.harness import encode_config_value, stack_config, unwrap_secrets
from tests.conftest import SECRETS, STACKS, committed_settings, dump, run_stack, secret_data, settings_for
from tests.netpol import NetworkPolicies, Pod

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
HEADER_VALUE = "Bearer otel-FAKE-0123456789"
TRACING = {"enabled": True, "endpoint": "https://otlp.example.net/v1/traces"}
TWO_MODELS = [
    {"name": "gpt-4o", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"},
    {"name": "claude-sonnet-4", "model": "anthropic/claude-sonnet-4-20250514", "apiKeyEnv": "ANTHROPIC_API_KEY"},
]

# The proxy config production ran before this program, written out by hand rather than from
# components/values.py, less its `redis_flush_size: 100` (which LiteLLM 1.76.1 cannot combine with the
# TTL): what a prod stack renders while no resilience key is set.
SEED_PROXY_CONFIG = {
    "model_list": [
        {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY"}},
        {
            "model_name": "claude-sonnet-4",
            "litellm_params": {
                "model": "anthropic/claude-sonnet-4-20250514",
                "api_key": "os.environ/ANTHROPIC_API_KEY",
            },
        },
    ],
    # Prod pins its release: the migration Job owns the schema and the pods leave it alone (the seed's
    # moving tag had the pods apply it themselves).
    "general_settings": {"master_key": "os.environ/PROXY_MASTER_KEY", "disable_prisma_schema_update": True},
    "litellm_settings": {
        "telemetry": False,
        "cache": True,
        "cache_params": {
            "type": "redis",
            "host": "redis.redis.svc.cluster.local",
            "port": 6379,
            "ttl": 86400,
            "namespace": "litellm_cache",
        },
    },
    "router_settings": {"num_retries": 2, "redis_host": "redis.redis.svc.cluster.local", "redis_port": 6379},
}


def problems_of(**keys: Any) -> list[str]:
    with pytest.raises(ConfigError) as error:
        settings_for(**keys)
    return error.value.problems


def router_settings(**router: Any) -> dict[str, Any]:
    return build_proxy_config(settings_for(models=TWO_MODELS, router=router))["router_settings"]


def traced(**keys: Any) -> Settings:
    return settings_for(tracing=TRACING, **keys)


def traced_run():
    """Pulumi.prod.yaml with tracing and its collector header, run as the program."""
    headers = {"litellm:tracingHeaders": {"authorization": HEADER_VALUE}}
    return run_stack("prod", {"litellm:tracing": TRACING}, secrets={**SECRETS, **headers})


def write_stack(folder: Path, stack: str, redis: dict | None = None) -> None:
    config = {"litellm:redis": redis} if redis is not None else {}
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")


# --- the seed's stack is untouched ---------------------------------------------------------------


def test_prod_proxy_config_is_the_seed_config_when_no_resilience_key_is_set():
    settings = committed_settings("prod").model_copy(update={"router": RouterSettings()})
    assert dump(build_proxy_config(settings)) == dump(SEED_PROXY_CONFIG)


def test_prod_adds_a_router_timeout_and_a_circuit_breaker_to_the_seed():
    router_settings = build_proxy_config(committed_settings("prod"))["router_settings"]
    added = {key: value for key, value in router_settings.items() if key not in SEED_PROXY_CONFIG["router_settings"]}
    assert dump(added) == dump(
        {
            "timeout": 120,
            "allowed_fails": 2,
            "allowed_fails_policy": {"RateLimitErrorAllowedFails": 1000},
            "cooldown_time": 30,
            "retry_policy": {"TimeoutErrorRetries": 0},
        }
    )


# --- router: timeouts, cooldowns, retries, fallbacks ---------------------------------------------


def test_timeout_reaches_router_settings_in_seconds():
    assert dump(router_settings(timeout=120)["timeout"]) == "120"


def test_allowed_fails_reaches_router_settings():
    assert dump(router_settings(allowedFails=2)["allowed_fails"]) == "2"


def test_cooldown_time_reaches_router_settings_in_seconds():
    assert dump(router_settings(cooldownTime=30)["cooldown_time"]) == "30"


def test_routing_strategy_reaches_router_settings():
    assert router_settings(routingStrategy="usage-based-routing-v2")["routing_strategy"] == "usage-based-routing-v2"


def test_retry_policy_names_each_set_error_class_as_litellm_does():
    policy = router_settings(retryPolicy={"rateLimit": 3, "timeout": 2, "authentication": 0, "badRequest": 0})
    assert dump(policy["retry_policy"]) == dump(
        {
            "RateLimitErrorRetries": 3,
            "TimeoutErrorRetries": 2,
            "AuthenticationErrorRetries": 0,
            "BadRequestErrorRetries": 0,
        }
    )


def test_empty_retry_policy_leaves_retries_to_num_retries():
    assert "retry_policy" not in router_settings(retryPolicy={})


def test_fallbacks_render_as_litellm_model_to_list_mappings():
    fallbacks = router_settings(fallbacks=[{"model": "gpt-4o", "fallbacks": ["claude-sonnet-4"]}])["fallbacks"]
    assert fallbacks == [{"gpt-4o": ["claude-sonnet-4"]}]


def test_zero_cooldown_time_is_rejected_naming_the_key():
    assert problems_of(router={"cooldownTime": 0}) == [
        "litellm:router.cooldownTime: 0 is not valid: input should be greater than or equal to 1"
    ]


def test_negative_timeout_is_rejected_naming_the_key():
    assert any(p.startswith("litellm:router.timeout: -5 is not valid") for p in problems_of(router={"timeout": -5}))


def test_timeout_with_a_unit_is_rejected_asking_for_a_number():
    assert any(
        p.startswith('litellm:router.timeout: "30s" is not valid: input should be a valid integer')
        for p in problems_of(router={"timeout": "30s"})
    )


def test_zero_allowed_fails_is_rejected_because_litellm_reads_it_as_unset():
    assert any(
        p.startswith("litellm:router.allowedFails: 0 is not valid") for p in problems_of(router={"allowedFails": 0})
    )


def test_negative_retry_count_is_rejected_naming_the_error_class():
    problems = problems_of(router={"retryPolicy": {"rateLimit": -1}})
    assert any(p.startswith("litellm:router.retryPolicy.rateLimit: -1 is not valid") for p in problems)


def test_unknown_error_class_is_rejected_suggesting_the_valid_one():
    problems = problems_of(router={"retryPolicy": {"rateLimitErrors": 3}})
    key, hint = "litellm:router.retryPolicy.rateLimitErrors", "did you mean litellm:router.retryPolicy.rateLimit?"
    assert any(p.startswith(f"{key}: unknown key; {hint}") for p in problems)


def test_fallback_to_an_unconfigured_model_is_rejected_naming_the_entry():
    problems = problems_of(models=TWO_MODELS, router={"fallbacks": [{"model": "gpt-4o", "fallbacks": ["gpt-5"]}]})
    assert problems == [
        "litellm:router.fallbacks[0].fallbacks[0]: 'gpt-5' is not a name in litellm:models (claude-sonnet-4, gpt-4o)"
    ]


def test_fallback_from_an_unconfigured_model_is_rejected_naming_the_entry():
    problems = problems_of(models=TWO_MODELS, router={"fallbacks": [{"model": "gpt-5", "fallbacks": ["gpt-4o"]}]})
    assert problems == [
        "litellm:router.fallbacks[0].model: 'gpt-5' is not a name in litellm:models (claude-sonnet-4, gpt-4o)"
    ]


def test_fallback_to_itself_is_rejected():
    problems = problems_of(models=TWO_MODELS, router={"fallbacks": [{"model": "gpt-4o", "fallbacks": ["gpt-4o"]}]})
    assert problems == ["litellm:router.fallbacks[0].fallbacks[0]: 'gpt-4o' cannot fall back to itself"]


def test_two_fallback_entries_for_one_model_are_rejected():
    entry = {"model": "gpt-4o", "fallbacks": ["claude-sonnet-4"]}
    problems = problems_of(models=TWO_MODELS, router={"fallbacks": [entry, entry]})
    assert problems == ["litellm:router.fallbacks[1].model: 'gpt-4o' already has fallbacks: merge the two entries"]


def test_invalid_router_config_registers_nothing():
    run = run_stack("prod", {"litellm:router": {"cooldownTime": 0}})
    assert isinstance(run.error, ConfigError)
    assert "litellm:router.cooldownTime" in str(run.error)
    assert run.registrations == []


# --- per-model limits ------------------------------------------------------------------------------


def test_model_limits_reach_litellm_params_as_integers():
    model = {**TWO_MODELS[0], "rpm": 500, "tpm": 200000, "maxParallelRequests": 50}
    params = build_proxy_config(settings_for(models=[model]))["model_list"][0]["litellm_params"]
    assert dump({key: params[key] for key in ("rpm", "tpm", "max_parallel_requests")}) == dump(
        {"rpm": 500, "tpm": 200000, "max_parallel_requests": 50}
    )


def test_zero_rpm_is_rejected_naming_the_model_entry():
    problems = problems_of(models=[{**TWO_MODELS[0], "rpm": 0}])
    assert any(p.startswith("litellm:models[0].rpm: 0 is not valid") for p in problems)


def test_rpm_limits_without_usage_based_routing_warn_that_they_are_only_weights():
    settings = settings_for(models=[{**TWO_MODELS[0], "rpm": 500}])
    assert any("rpm/tpm on gpt-4o" in w and "usage-based-routing-v2" in w for w in risk_warnings(settings, "qa"))


def test_rpm_limits_without_redis_warn_that_each_replica_counts_alone():
    settings = settings_for(
        models=[{**TWO_MODELS[0], "rpm": 500}],
        router={"routingStrategy": "usage-based-routing-v2"},
        redis={"enabled": False},
    )
    assert any(
        "rpm/tpm on gpt-4o" in w and "each replica counts on its own" in w for w in risk_warnings(settings, "qa")
    )


def test_rpm_limits_with_usage_based_routing_through_redis_do_not_warn():
    settings = settings_for(
        models=[{**TWO_MODELS[0], "rpm": 500}], router={"routingStrategy": "usage-based-routing-v2"}
    )
    assert not any("rpm/tpm" in w for w in risk_warnings(settings, "qa"))


# --- Redis TLS -------------------------------------------------------------------------------------


def test_redis_ssl_turns_on_tls_for_the_cache():
    assert build_proxy_config(settings_for(redis={"ssl": True}))["litellm_settings"]["cache_params"]["ssl"] is True


def test_redis_ssl_turns_on_tls_for_the_router_state():
    assert build_proxy_config(settings_for(redis={"ssl": True}))["router_settings"]["cache_kwargs"] == {"ssl": True}


def test_redis_without_ssl_writes_no_ssl_key_because_litellm_reads_its_presence_as_tls():
    config = build_proxy_config(settings_for(redis={"ssl": False}))
    assert "ssl" not in config["litellm_settings"]["cache_params"]
    assert "cache_kwargs" not in config["router_settings"]


def test_redis_ssl_keeps_auth_next_to_it():
    settings = settings_for(redis={"ssl": True}, redisPassword="redis-FAKE-pa55word")
    assert build_proxy_config(settings)["router_settings"]["redis_password"] == "os.environ/REDIS_PASSWORD"


# --- tracing ---------------------------------------------------------------------------------------


def test_a_models_api_base_reaches_litellm():
    models = [{"name": "m", "model": "hosted_vllm/llama-3", "apiBase": "http://vllm.models.svc:8000/v1"}]
    (entry,) = build_proxy_config(settings_for(models=models))["model_list"]
    assert entry["litellm_params"]["api_base"] == "http://vllm.models.svc:8000/v1"


def test_tracing_is_off_by_default():
    values = build_chart_values(committed_settings("prod"))
    assert "callbacks" not in values["proxy_config"]["litellm_settings"]
    assert not any(name.startswith("OTEL_") for name in values["envVars"])


def test_tracing_switched_off_keeps_its_endpoint_out_of_the_pods():
    values = build_chart_values(settings_for(tracing={**TRACING, "enabled": False}))
    assert "callbacks" not in values["proxy_config"]["litellm_settings"]
    assert not any(name.startswith("OTEL_") for name in values["envVars"])


def test_tracing_adds_the_otel_callback():
    assert build_proxy_config(traced())["litellm_settings"]["callbacks"] == ["otel"]


def test_tracing_keeps_the_prometheus_callback_of_the_service_monitor():
    settings = traced(serviceMonitor={"enabled": True}, licenseKey="litellm-licence-FAKE")
    assert build_proxy_config(settings)["litellm_settings"]["callbacks"] == ["prometheus", "otel"]


def test_tracing_keeps_prompts_out_of_spans_unless_asked():
    assert build_proxy_config(traced())["litellm_settings"]["turn_off_message_logging"] is True


def test_tracing_with_log_messages_leaves_message_logging_on():
    settings = settings_for(tracing={**TRACING, "logMessages": True})
    assert "turn_off_message_logging" not in build_proxy_config(settings)["litellm_settings"]


def test_tracing_sets_litellm_otel_env_for_grpc():
    settings = settings_for(tracing={"enabled": True, "endpoint": "https://otlp.example.net:443", "protocol": "grpc"})
    assert build_chart_values(settings)["envVars"] == {
        "KEEPALIVE_TIMEOUT": "75",
        "OTEL_EXPORTER": "otlp_grpc",
        "OTEL_ENDPOINT": "https://otlp.example.net:443",
        "OTEL_SERVICE_NAME": "litellm",
    }


def test_http_protobuf_maps_to_litellm_otlp_http_exporter():
    assert build_chart_values(traced())["envVars"]["OTEL_EXPORTER"] == "otlp_http"


def test_enabled_tracing_without_endpoint_is_rejected_naming_the_key():
    problems = problems_of(tracing={"enabled": True})
    assert any(p.startswith("litellm:tracing.endpoint: is required while tracing.enabled is true") for p in problems)


def test_http_endpoint_without_traces_path_is_rejected():
    problems = problems_of(tracing={"enabled": True, "endpoint": "http://collector:4318"})
    assert any(
        p.startswith("litellm:tracing.endpoint: 'http://collector:4318'") and "/v1/traces" in p for p in problems
    )


def test_grpc_endpoint_with_a_path_is_rejected():
    problems = problems_of(tracing={"enabled": True, "endpoint": "http://collector:4317/v1/traces", "protocol": "grpc"})
    assert any(p.startswith("litellm:tracing.endpoint:") and "host and port only" in p for p in problems)


def test_collector_by_address_gets_egress_to_that_address_and_port():
    endpoint = "http://10.0.5.5:4318/v1/traces"
    run = run_stack("prod", {"litellm:tracing": {"enabled": True, "endpoint": endpoint}})
    policies = NetworkPolicies.from_registrations(run.registrations)
    proxy = Pod("litellm", {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "litellm"})
    assert policies.egress_allowed(proxy, "10.0.5.5", 4318)
    assert not policies.egress_allowed(proxy, "10.0.5.6", 4318)


def test_collector_the_network_policies_cannot_name_is_refused():
    problems = problems_of(tracing={"enabled": True, "endpoint": "http://otel.example.com:4318/v1/traces"})
    assert any(p.startswith("litellm:tracing.endpoint: otel.example.com:4318 is a host outside") for p in problems)


def test_in_cluster_collector_named_by_its_service_gets_egress_and_no_warning():
    endpoint = "http://otel.observability.svc:4318/v1/traces"
    settings = settings_for(tracing={"enabled": True, "endpoint": endpoint})
    assert not any("litellm:tracing" in w for w in risk_warnings(settings, "qa"))
    run = run_stack("prod", {"litellm:tracing": {"enabled": True, "endpoint": endpoint}})
    policies = NetworkPolicies.from_registrations(run.registrations)
    proxy = Pod("litellm", {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "litellm"})
    collector = Pod("observability", {"app": "otel-collector"}, ip="10.244.9.9")
    assert policies.egress_allowed(proxy, collector, 4318)
    assert not policies.egress_allowed(proxy, collector, 4317)


def test_public_https_collector_does_not_warn():
    assert not any("litellm:tracing" in w for w in risk_warnings(traced(), "qa"))


def test_tracing_header_becomes_otel_headers_in_its_own_secret():
    run = traced_run()
    assert run.error is None
    assert secret_data(run)["litellm-tracing"] == {"OTEL_HEADERS": f"authorization={HEADER_VALUE}"}


def test_tracing_secret_reaches_the_proxy_through_environment_secrets():
    settings = traced(tracingHeaders={"authorization": HEADER_VALUE})
    assert "litellm-tracing" in build_chart_values(settings)["environmentSecrets"]


def test_tracing_header_value_never_reaches_the_application_spec():
    run = traced_run()
    assert HEADER_VALUE not in dump(unwrap_secrets(run.one(APPLICATION).inputs))


def test_tracing_headers_in_plain_text_are_rejected():
    raw = {
        **stack_config("prod", SECRETS)[0],
        "litellm:tracing": encode_config_value(TRACING),
        "litellm:tracingHeaders": encode_config_value({"authorization": HEADER_VALUE}),
    }
    with pytest.raises(ConfigError) as error:
        settings_from_config(raw, stack_config("prod", SECRETS)[1], stack="prod")
    assert any(p.startswith("litellm:tracingHeaders: is stored in plain text") for p in error.value.problems)


def test_tracing_headers_without_tracing_are_rejected():
    assert problems_of(tracingHeaders={"authorization": HEADER_VALUE}) == [
        "litellm:tracingHeaders: is set but tracing.enabled is false"
    ]


def test_more_than_one_tracing_header_is_rejected():
    problems = problems_of(tracing=TRACING, tracingHeaders={"authorization": HEADER_VALUE, "x-team": "a"})
    assert any(p.startswith("litellm:tracingHeaders: holds 2 headers; give exactly one") for p in problems)


def test_tracing_header_errors_never_show_the_value():
    problems = problems_of(tracing=TRACING, tracingHeaders={"Authorization": HEADER_VALUE})
    assert problems and all(HEADER_VALUE not in p for p in problems)


def test_tracing_header_value_with_a_comma_is_rejected_naming_the_header():
    problems = problems_of(tracing=TRACING, tracingHeaders={"authorization": "Basic a,b"})
    assert problems == [
        "litellm:tracingHeaders.authorization: must not contain ',' (newer LiteLLM splits headers there) or line breaks"
    ]


def test_upper_case_tracing_header_name_is_rejected_naming_the_header():
    problems = problems_of(tracing=TRACING, tracingHeaders={"Authorization": HEADER_VALUE})
    assert any(p.startswith("litellm:tracingHeaders.Authorization:") and "lower-case" in p for p in problems)


def test_otel_env_names_cannot_be_provider_keys():
    problems = problems_of(providerKeys={"OTEL_HEADERS": "x"})
    assert any(p.startswith("litellm:providerKeys.OTEL_HEADERS:") for p in problems)


# --- cache namespace per stack ---------------------------------------------------------------------


def test_unset_cache_namespace_defaults_to_one_per_stack():
    config = build_proxy_config(settings_for(stack="qa"))
    assert config["litellm_settings"]["cache_params"]["namespace"] == "litellm_cache_qa"


def test_explicit_cache_namespace_wins_over_the_stack_default():
    config = build_proxy_config(settings_for(stack="qa", redis={"cache": {"namespace": "shared_cache"}}))
    assert config["litellm_settings"]["cache_params"]["namespace"] == "shared_cache"


def test_program_derives_the_cache_namespace_from_the_running_stack():
    run = run_stack(
        "staging", {"litellm:redis": {"host": "redis.redis-staging.svc.cluster.local", "namespace": "redis-staging"}}
    )
    values = unwrap_secrets(run.one(APPLICATION).inputs)["spec"]["source"]["helm"]["valuesObject"]
    assert values["proxy_config"]["litellm_settings"]["cache_params"]["namespace"] == "litellm_cache_staging"


def test_stacks_sharing_a_redis_and_namespace_warn_naming_the_other_stack(tmp_path):
    write_stack(tmp_path, "qa", {"cache": {"namespace": "team_cache"}})
    settings = settings_for(stack="perf", redis={"cache": {"namespace": "team_cache"}})
    assert any(
        "is also the cache of stack 'qa' (Pulumi.qa.yaml)" in w for w in risk_warnings(settings, "perf", tmp_path)
    )


def test_stack_default_namespaces_on_one_redis_do_not_warn(tmp_path):
    write_stack(tmp_path, "qa")
    settings = settings_for(stack="perf")
    assert not any("is also the cache of stack" in w for w in risk_warnings(settings, "perf", tmp_path))


def test_same_namespace_on_another_redis_host_does_not_warn(tmp_path):
    write_stack(
        tmp_path, "qa", {"host": "redis.other.svc.cluster.local", "namespace": "other", "cache": {"namespace": "c"}}
    )
    settings = settings_for(stack="perf", redis={"cache": {"namespace": "c"}})
    assert not any("is also the cache of stack" in w for w in risk_warnings(settings, "perf", tmp_path))


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_do_not_share_a_cache(stack):
    shared = [w for w in risk_warnings(committed_settings(stack), stack) if "is also the cache of stack" in w]
    assert not shared, shared[0] if shared else ""


# --- the staging stack shows the settings in use ---------------------------------------------------


def test_staging_enforces_model_limits_across_replicas_through_redis():
    config = build_proxy_config(committed_settings("staging"))
    assert config["router_settings"]["routing_strategy"] == "usage-based-routing-v2"
    assert config["router_settings"]["redis_host"] == "redis.redis-staging.svc.cluster.local"
    assert config["model_list"] and all("rpm" in entry["litellm_params"] for entry in config["model_list"])
