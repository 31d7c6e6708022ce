"""The contract of what the proxy routes: models, retries, fallbacks, the router, tracing."""

from typing import Literal

from pydantic import Field

from components.kube_types import (
    Count,
    EnvName,
    HttpUrl,
    Trimmed,
)
from components.settings import rules
from components.settings.common import (
    Model,
    RetryCount,
    Seconds,
    checked_by,
)


class ModelSettings(Model):
    name: Trimmed = Field(description="Model name clients request (`model_name`).")
    model: Trimmed = Field(description="LiteLLM provider/model string, e.g. `openai/gpt-4o`.")
    api_key_env: EnvName | None = Field(
        None,
        description="Env var (a key of `litellm:providerKeys`) holding the provider key; unset for providers that"
        " need none (workload identity, an in-cluster model server).",
    )
    api_base: HttpUrl | None = Field(
        None, description="Provider endpoint override (e.g. Azure, or an in-cluster `http://` model server)."
    )
    rpm: Count | None = Field(
        None,
        description="Requests per minute of this deployment (LiteLLM `litellm_params.rpm`). Enforced across replicas"
        " through Redis only with `router.routingStrategy: usage-based-routing-v2`; otherwise a routing weight.",
    )
    tpm: Count | None = Field(
        None,
        description="Tokens per minute of this deployment (LiteLLM `litellm_params.tpm`); enforced like `rpm`.",
    )
    max_parallel_requests: Count | None = Field(
        None,
        description="In-flight requests to this deployment per proxy pod (LiteLLM"
        " `litellm_params.max_parallel_requests`, an in-process semaphore: the cluster-wide cap is this times the"
        " replicas). Unset: LiteLLM derives it from `rpm` or `tpm`.",
    )

    _rules = checked_by(rules.model_routable)

    @property
    def has_provider_prefix(self) -> bool:
        return "/" in self.model


class RetryPolicySettings(Model):
    bad_request: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.BadRequestErrorRetries`."
    )
    authentication: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.AuthenticationErrorRetries`."
    )
    timeout: RetryCount | None = Field(None, description="LiteLLM `router_settings.retry_policy.TimeoutErrorRetries`.")
    rate_limit: RetryCount | None = Field(
        None, description="LiteLLM `router_settings.retry_policy.RateLimitErrorRetries`."
    )
    content_policy_violation: RetryCount | None = Field(
        None,
        description="LiteLLM `router_settings.retry_policy.ContentPolicyViolationErrorRetries`. A content-policy"
        " violation is also a bad request, and LiteLLM checks `badRequest` first: set only one of the two (or both"
        " to the same count).",
    )

    _rules = checked_by(rules.no_shadowed_retry_class)

    def litellm_retry_policy(self) -> dict[str, int]:
        """The classes that are set, under LiteLLM's names (`rateLimit` -> `RateLimitErrorRetries`); the
        others fall back to `numRetries`."""
        return {
            f"{key[0].upper()}{key[1:]}ErrorRetries": value
            for key, value in self.model_dump(by_alias=True, exclude_none=True).items()
        }


class AllowedFailsPolicySettings(Model):
    """Allowed fails per error class (LiteLLM 1.76.1 `AllowedFailsPolicy`, litellm/types/router.py:514-528, read
    by `Router.get_allowed_fails_from_policy`, router.py:7160-7200). Only the classes that can cool a deployment
    down: LiteLLM's `InternalServerErrorAllowedFails` is declared but never read, and other 4xx never count."""

    authentication: Count | None = Field(
        None, description="LiteLLM `allowed_fails_policy.AuthenticationErrorAllowedFails` (401)."
    )
    timeout: Count | None = Field(None, description="LiteLLM `allowed_fails_policy.TimeoutErrorAllowedFails` (408).")
    rate_limit: Count | None = Field(
        None,
        description="LiteLLM `allowed_fails_policy.RateLimitErrorAllowedFails` (429): a high count keeps a throttled"
        " model in rotation, where the client gets the provider's 429 and backs off.",
    )

    def litellm_allowed_fails_policy(self) -> dict[str, int]:
        """The classes that are set, under LiteLLM's names (`rateLimit` -> `RateLimitErrorAllowedFails`)."""
        return {
            f"{key[0].upper()}{key[1:]}ErrorAllowedFails": value
            for key, value in self.model_dump(by_alias=True, exclude_none=True).items()
        }


class FallbackSettings(Model):
    model: Trimmed = Field(description="Model name (of `litellm:models`) whose failures fall back.")
    fallbacks: list[Trimmed] = Field(
        min_length=1, description="Model names tried in order once `model` has failed its retries."
    )


class RouterSettings(Model):
    timeout: Seconds | None = Field(
        None, description="Seconds before a provider call times out (LiteLLM `router_settings.timeout`)."
    )
    allowed_fails: Count | None = Field(
        None,
        description="Failed requests (after their retries) a deployment may have, counted in each pod, before the"
        " next one cools it down (LiteLLM `router_settings.allowed_fails`); the count expires `cooldownTime` after"
        " the last failure; 4xx errors other than 401, 404, 408 and 429 do not count."
        " Unset: LiteLLM cools a deployment down only at a 50% failure rate, and a model with one deployment"
        " practically never. 3 is refused: LiteLLM 1.76.1 reads its default as unset.",
    )
    cooldown_time: Seconds | None = Field(
        None,
        description="Seconds a failing deployment is taken out of rotation (LiteLLM `router_settings.cooldown_time`);"
        " shared by all replicas through Redis.",
    )
    allowed_fails_policy: AllowedFailsPolicySettings | None = Field(
        None,
        description="`allowedFails` per error class (LiteLLM `router_settings.allowed_fails_policy`); a class left"
        " out counts against `allowedFails` (LiteLLM's 3 when that is unset). All classes add to one failure count"
        " per deployment and pod: a 500 after a burst of 429s still opens the breaker.",
    )
    retry_policy: RetryPolicySettings | None = Field(
        None, description="Retries per error class (LiteLLM `router_settings.retry_policy`)."
    )
    fallbacks: list[FallbackSettings] = Field(
        [], description="Model groups to try when a model has failed (LiteLLM `router_settings.fallbacks`)."
    )
    routing_strategy: (
        Literal["simple-shuffle", "least-busy", "usage-based-routing-v2", "latency-based-routing", "cost-based-routing"]
        | None
    ) = Field(
        None,
        description="LiteLLM `router_settings.routing_strategy`; unset is LiteLLM's `simple-shuffle`."
        " `usage-based-routing-v2` counts rpm/tpm in Redis and enforces the models' limits across replicas.",
    )

    _rules = checked_by(rules.allowed_fails_is_read)


class TracingSettings(Model):
    enabled: bool = Field(False, description="Send traces to an OpenTelemetry collector (LiteLLM `otel` callback).")
    endpoint: str | None = Field(
        None,
        description="OTLP endpoint (env `OTEL_ENDPOINT`): `grpc` takes `http(s)://host:port`, `http/protobuf` the full"
        " traces URL ending in `/v1/traces`. An in-cluster host is `svc.ns.svc`, or `svc.ns` as the pods' DNS"
        " resolves it; a host outside the cluster with two labels ends in a dot (`otel.example.com.`).",
    )
    protocol: Literal["grpc", "http/protobuf"] = Field(
        "http/protobuf", description="OTLP protocol (env `OTEL_EXPORTER`: `otlp_grpc` or `otlp_http`)."
    )
    service_name: Trimmed = Field("litellm", description="`service.name` of the spans (env `OTEL_SERVICE_NAME`).")
    log_messages: bool = Field(
        False,
        description="Put prompts and responses into the spans. `false` sets LiteLLM"
        " `litellm_settings.turn_off_message_logging`.",
    )

    _rules = checked_by(rules.tracing_endpoint_reachable)

    @property
    def example_endpoint(self) -> str:
        port, path = (4317, "") if self.protocol == "grpc" else (4318, "/v1/traces")
        return f"http://otel-collector.observability.svc:{port}{path}"

    @property
    def otel_exporter(self) -> str:
        return {"grpc": "otlp_grpc", "http/protobuf": "otlp_http"}[self.protocol]
