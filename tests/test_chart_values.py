"""The chart values, checked against what litellm-helm v1.76.1-stable reads (tests/chart_model.py).

Pure: no Pulumi machinery, only the settings and the values function.
"""

from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest

from components.values import build_chart_values
from tests import chart_model
from tests.conftest import DATABASE_PASSWORD, settings_for


@pytest.fixture(scope="module")
def prod_values():
    return build_chart_values(settings_for())


@pytest.fixture(scope="module")
def prod_secrets():
    """The Secrets the chart values should find, as the program creates them for the defaults."""
    from urllib.parse import quote

    return {
        "postgres": {"DATABASE_USERNAME": "litellm", "DATABASE_PASSWORD": quote(DATABASE_PASSWORD, safe="")},
        "litellm-master-key": {"LITELLM_MASTER_KEY": "sk-x"},
        "litellm-salt-key": {"LITELLM_SALT_KEY": "salt"},
        "litellm-provider-keys": {"OPENAI_API_KEY": "a", "ANTHROPIC_API_KEY": "b"},
    }


def _leaf_paths(tree, prefix=()):
    if isinstance(tree, dict) and tree:
        for key, value in tree.items():
            yield from _leaf_paths(value, (*prefix, key))
    else:
        yield prefix


def _chart_reads(path: tuple) -> bool:
    top = path[0]
    if top not in chart_model.CHART_KEYS:
        return False
    if top in chart_model.CHART_SUBKEYS and len(path) > 1 and path[1] not in chart_model.CHART_SUBKEYS[top]:
        return False
    if path[:2] == ("db", "secret"):
        return path[2] in chart_model.DB_SECRET_KEYS
    if path[:2] == ("migrationJob", "hooks"):
        return path[3] in chart_model.MIGRATION_HOOK_KEYS[path[2]]
    return True


def test_every_values_key_is_one_the_chart_reads(prod_values):
    assert [path for path in _leaf_paths(prod_values) if not _chart_reads(path)] == []


def test_a_misspelt_values_key_would_be_caught():
    assert not _chart_reads(("db", "deployStandAlone"))
    assert not _chart_reads(("ui", "enabled"))


def test_external_database_replaces_the_bundled_postgres(prod_values):
    env = {e["name"]: e for e in chart_model.proxy_container(prod_values)["env"]}
    assert env["DATABASE_USERNAME"]["valueFrom"]["secretKeyRef"]["name"] == "postgres"
    assert (
        env["DATABASE_HOST"]["value"] == "postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local:5432"
    )
    assert "DATABASE_URL" in env


def test_image_tag_is_explicit_so_the_stale_app_version_never_applies(prod_values):
    assert prod_values["image"]["tag"] == "main-v1.76.1-stable"
    assert prod_values["image"]["repository"] == "ghcr.io/berriai/litellm-database"


def test_master_key_secret_name_and_key_are_set_together(prod_values):
    env = {e["name"]: e for e in chart_model.proxy_container(prod_values)["env"]}
    assert env["PROXY_MASTER_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "litellm-master-key",
        "key": "LITELLM_MASTER_KEY",
    }


def test_database_url_expands_to_the_seed_url(prod_values, prod_secrets):
    environment = chart_model.expand_env(chart_model.proxy_container(prod_values), prod_secrets)
    encoded = prod_secrets["postgres"]["DATABASE_PASSWORD"]
    assert environment["DATABASE_URL"] == (
        f"postgresql://litellm:{encoded}@postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local:5432"
        "/app?schema=litellm"
    )


def test_ssl_mode_is_added_to_the_database_url():
    values = build_chart_values(settings_for(database={"sslMode": "require"}))
    assert parse_qs(urlparse(values["db"]["url"]).query) == {"schema": ["litellm"], "sslmode": ["require"]}


def test_ipv6_database_host_is_bracketed_in_the_endpoint():
    values = build_chart_values(settings_for(database={"host": "fd00::15", "namespace": "postgresql"}))
    assert values["db"]["endpoint"] == "[fd00::15]:5432"


@pytest.mark.parametrize("delivery", ["argocd", "helm"])
def test_no_env_name_is_set_twice_in_the_deployment_or_the_job(delivery):
    """Server-side apply (Pulumi, Helm 4, ArgoCD SSA) rejects duplicate env names."""
    values = build_chart_values(
        settings_for(delivery=delivery, ui={"enabled": False}, publicUrl="https://l.example.com")
    )
    for container in (chart_model.proxy_container(values), chart_model.migration_job(values)):
        duplicates = [name for name, count in Counter(e["name"] for e in container["env"]).items() if count > 1]
        assert duplicates == []


def test_pods_leave_schema_migration_to_the_job_with_a_pinned_image():
    values = build_chart_values(settings_for(image={"tag": "main-v1.76.1-stable"}))
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


def test_argocd_delivery_runs_migrations_as_a_presync_hook():
    job = chart_model.migration_job(build_chart_values(settings_for(delivery="argocd")))
    assert job["annotations"] == {"argocd.argoproj.io/hook": "PreSync"}


def test_helm_delivery_runs_migrations_as_a_pre_install_hook():
    job = chart_model.migration_job(build_chart_values(settings_for(delivery="helm")))
    assert job["annotations"] == {"helm.sh/hook": "pre-install,pre-upgrade"}


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


def test_flush_size_maps_to_redis_flush_size():
    values = build_chart_values(settings_for(redis={"cache": {"flushSize": 100}}))
    assert values["proxy_config"]["litellm_settings"]["cache_params"]["redis_flush_size"] == 100


def test_redis_disabled_leaves_no_cache_or_router_redis():
    proxy = build_chart_values(settings_for(redis={"enabled": False}))["proxy_config"]
    assert "cache" not in proxy["litellm_settings"]
    assert "redis_host" not in proxy["router_settings"]


def test_retries_and_telemetry_reach_the_proxy_config(prod_values):
    proxy = prod_values["proxy_config"]
    assert proxy["router_settings"]["num_retries"] == 2
    assert proxy["litellm_settings"]["telemetry"] is False
