"""The values function on its own: pure, no Pulumi machinery and no chart, only the settings.

What the chart does with these values is tested on Helm's own render in tests/test_chart.py.
"""

from urllib.parse import parse_qs, urlparse

import pytest

from components import versions
from components.values import build_chart_values
from tests.conftest import settings_for


@pytest.fixture(scope="module")
def prod_values():
    return build_chart_values(settings_for())


def test_image_tag_is_explicit_so_the_stale_app_version_never_applies(prod_values):
    assert prod_values["image"]["tag"] == versions.IMAGE_TAG
    assert prod_values["image"]["repository"] == versions.IMAGE_REPOSITORY


def test_ssl_mode_is_added_to_the_database_url():
    values = build_chart_values(settings_for(database={"sslMode": "require"}))
    assert parse_qs(urlparse(values["db"]["url"]).query) == {"schema": ["litellm"], "sslmode": ["require"]}


def test_ipv6_database_host_reaches_the_chart_through_the_secret_not_the_unquoted_endpoint():
    values = build_chart_values(settings_for(database={"host": "fd00::15", "namespace": "postgresql"}))
    assert "endpoint" not in values["db"]
    assert values["db"]["secret"]["endpointKey"] == "DATABASE_HOST"


def test_pods_leave_schema_migration_to_the_job_with_a_pinned_image():
    values = build_chart_values(settings_for(image={"tag": versions.IMAGE_TAG}))
    assert values["proxy_config"]["general_settings"]["disable_prisma_schema_update"] is True


def test_pods_apply_the_schema_themselves_with_a_moving_image_tag():
    """A moving tag can change the image without a manifest change, so the migration hook never runs."""
    values = build_chart_values(settings_for(image={"tag": "main-stable"}))
    assert values["proxy_config"]["general_settings"]["disable_prisma_schema_update"] is False


def test_migration_job_gets_the_proxy_resources_so_it_is_never_best_effort(prod_values):
    assert prod_values["migrationJob"]["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }


def test_model_list_replaces_the_chart_demo_models_even_when_empty():
    values = build_chart_values(settings_for())
    assert values["proxy_config"]["model_list"] == []


def test_models_reference_their_provider_key_by_env_name():
    values = build_chart_values(
        settings_for(models=[{"name": "gpt-4o", "model": "openai/gpt-4o", "apiKeyEnv": "OPENAI_API_KEY"}])
    )
    assert values["proxy_config"]["model_list"] == [
        {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY"}}
    ]


def test_redis_cache_and_router_state_use_the_seed_settings(prod_values):
    proxy = prod_values["proxy_config"]
    assert proxy["litellm_settings"]["cache"] is True
    params = proxy["litellm_settings"]["cache_params"]
    assert (params["type"], params["host"], params["port"]) == ("redis", "redis.redis.svc.cluster.local", 6379)
    assert (params["ttl"], params["namespace"]) == (86400, "litellm_cache")
    assert (proxy["router_settings"]["redis_host"], proxy["router_settings"]["redis_port"]) == (
        "redis.redis.svc.cluster.local",
        6379,
    )


def test_redis_without_password_has_no_password_settings(prod_values):
    proxy = prod_values["proxy_config"]
    assert "password" not in proxy["litellm_settings"]["cache_params"]
    assert "redis_password" not in proxy["router_settings"]


def test_redis_password_is_referenced_from_the_environment_only():
    values = build_chart_values(settings_for(redisPassword="hunter2-redis"))
    proxy = values["proxy_config"]
    assert proxy["litellm_settings"]["cache_params"]["password"] == "os.environ/REDIS_PASSWORD"
    assert proxy["router_settings"]["redis_password"] == "os.environ/REDIS_PASSWORD"
    assert "hunter2-redis" not in repr(values)


def test_the_cache_writes_each_response_with_its_ttl():
    cache_params = build_chart_values(settings_for())["proxy_config"]["litellm_settings"]["cache_params"]
    assert "redis_flush_size" not in cache_params and cache_params["ttl"] == 86400


def test_redis_disabled_leaves_no_cache_or_router_redis():
    proxy = build_chart_values(settings_for(redis={"enabled": False}))["proxy_config"]
    assert "cache" not in proxy["litellm_settings"]
    assert "redis_host" not in proxy["router_settings"]


def test_retries_and_telemetry_reach_the_proxy_config(prod_values):
    proxy = prod_values["proxy_config"]
    assert proxy["router_settings"]["num_retries"] == 2
    assert proxy["litellm_settings"]["telemetry"] is False
