"""The contract of a canary: a second release of a newer LiteLLM beside the stable one."""

from typing import Annotated

from pydantic import Field

from components.kube_types import Count, Integer
from components.settings import rules
from components.settings.common import Model, checked_by

CANARY_RELEASE_NAME = "litellm-canary"
"""The canary's Helm release: its Deployment, Service, ConfigMap and migration Job are named after it."""


class CanarySettings(Model):
    enabled: bool = Field(
        False,
        description="Run a second release (`litellm-canary`) of the image at `tag` beside the stable one, on the same"
        " database and Redis, and send it `weight` percent of the public requests (docs/upgrades.md).",
    )
    tag: str | None = Field(
        None,
        description="Image tag of the canary's LiteLLM release, versioned (`main-v1.80.0-stable`, or with"
        " `@sha256:`), same repository as `litellm:image`. Required when enabled. Its migrations run before the stable"
        " pods go away: refused unless the stable release's schema is known to survive them (docs/upgrades.md).",
    )
    weight: Annotated[Integer, Field(ge=0, le=100)] = Field(
        10,
        description="Percent of the public entrance's requests the canary serves: Gateway API `backendRefs` weights,"
        " or an ingress-nginx canary Ingress (`canary-weight`). Needs `litellm:entrance.enabled` when above 0.",
    )
    replicas: Count = Field(1, description="Canary pods.")
    redis_db: Annotated[Integer, Field(ge=1, le=15)] = Field(
        1,
        description="Redis database index of the canary's router state (cooldowns, rpm/tpm counters:"
        " `router_settings.cache_kwargs.db`), apart from the stable pods' database 0, so a failing canary never"
        " opens the stable pods' breaker. Its response cache keeps database 0 under its own namespace.",
    )
    error_rate_margin: Annotated[float, Field(ge=0, le=1)] = Field(
        0.02,
        description="With `litellm:monitoring.alerts`: `LiteLLMCanaryErrors` fires when the canary's share of 5xx"
        " answers at the public entrance exceeds the stable one's by more than this, for 10 minutes.",
    )

    _rules = checked_by(rules.canary_tag)
