"""A canary: a second release of the chart (`litellm-canary`) with a newer LiteLLM image beside the stable one.

It shares the stable release's Secrets (master key, salt key: the same database rows stay readable) and
database, and takes `litellm:canary.weight` percent of the public requests (components/canary_entrance.py);
the root component (components/litellm.py) delivers it as a second Application or Helm release.
Its router state is its own: LiteLLM's Router keeps cooldowns and rpm/tpm counters in a Redis client
built from `router_settings` plus `cache_kwargs` (litellm/router.py:369-386 at 1.76.1), and a `db` there
selects another Redis database for every key it writes (redis-py's connection pool). Its response cache
keeps database 0 under a namespace of its own (`<namespace>_canary`).

Its migration Job (the chart's PreSync / pre-upgrade hook of its own release) applies the new release's
migrations while the stable pods still serve: the stack rules refuse a canary unless the stable release's
schema is recorded to survive them (components/data/schema-compatibility.json, written by
scripts/bump-litellm.sh from a real PostgreSQL).
"""

from typing import Any

from components.layout import SecretLayout
from components.settings import Settings
from components.settings.workload import AutoscalingSettings
from components.values import build_chart_values


def canary_settings(settings: Settings) -> Settings:
    """The stable settings with the canary's image, replica count and response-cache namespace."""
    canary = settings.canary
    cache = settings.redis.cache.model_copy(update={"namespace": f"{settings.cache_namespace}_canary"})
    return settings.model_copy(
        update={
            "image": settings.image.model_copy(update={"tag": canary.tag, "allow_moving_tag": False}),
            "replicas": canary.replicas,
            "autoscaling": AutoscalingSettings(),
            "redis": settings.redis.model_copy(update={"cache": cache}),
        }
    )


def canary_values(
    settings: Settings, secrets_revision: Any = None, layout: SecretLayout | None = None
) -> dict[str, Any]:
    values = build_chart_values(canary_settings(settings), secrets_revision=secrets_revision, layout=layout)
    if settings.redis.enabled:
        router = values["proxy_config"]["router_settings"]
        router["cache_kwargs"] = {**router.get("cache_kwargs", {}), "db": settings.canary.redis_db}
    return values
