"""The contract of the services LiteLLM keeps its state in: PostgreSQL and Redis."""

from typing import Literal

from pydantic import Field

from components.kube_types import (
    Count,
    DatabaseName,
    DnsLabel,
    Host,
    Integer,
    ObjectName,
    Port,
    SecretDataKey,
    SqlIdentifier,
    Trimmed,
)
from components.settings import rules
from components.settings.common import (
    IPV6_ENDPOINT_KEY,
    Model,
    checked_by,
)


class DatabaseSettings(Model):
    host: Host = Field(
        "postgresql-cloudnative-pg-cluster-pooler-rw.postgresql.svc.cluster.local",
        description="PostgreSQL host (the CloudNativePG pooler in production).",
    )
    port: Port = Field(5432, description="PostgreSQL port.")
    name: DatabaseName = Field("app", description="Database name (letters, digits, `_` and `-`).")
    user: Trimmed = Field("litellm", description="Database user.")
    schema_: SqlIdentifier = Field("litellm", alias="schema", description="PostgreSQL schema LiteLLM's tables live in.")
    namespace: DnsLabel = Field(
        "postgresql", description="Namespace of the PostgreSQL pods (egress NetworkPolicy target)."
    )
    secret_name: ObjectName = Field("postgres", description="Secret in the LiteLLM namespace with the credentials.")
    password_key: SecretDataKey = Field("DATABASE_PASSWORD", description="Key of the password in that Secret.")
    username_key: SecretDataKey = Field("DATABASE_USERNAME", description="Key of the user name in that Secret.")
    create_secret: bool = Field(
        True,
        description="`true`: the program creates the Secret from `litellm:databasePassword`. `false`: the Secret"
        " already exists (database or secrets operator) and holds both keys, URL-safe.",
    )
    endpoint_key: SecretDataKey | None = Field(
        None,
        description="Key of the database Secret holding `host:port`: the chart then reads DATABASE_HOST from the"
        " Secret (`db.secret.endpointKey`) instead of writing it into the Deployment. Needed for an IPv6 host, which"
        " the chart's unquoted `db.endpoint` cannot carry; with `createSecret` the program writes it (as"
        " `DATABASE_HOST` for an IPv6 host unless set).",
    )
    ssl_mode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = Field(
        None,
        description="`sslmode` query parameter of DATABASE_URL; unset leaves the driver default. `verify-ca` and"
        " `verify-full` are refused: Prisma, LiteLLM's database client, reads them as `prefer` and never checks"
        " the server's certificate.",
    )
    pool_mode: Literal["direct", "session", "transaction"] = Field(
        "session",
        description="What `host` is: `direct` (PostgreSQL itself) or a PgBouncer pooler in `session` mode (the"
        " CloudNativePG Pooler's default). `transaction` is refused: Prisma needs a session for its migration lock"
        " and prepared statements, and the chart gives the migration Job and the pods one DATABASE_URL.",
    )

    _rules = checked_by(rules.database_consistent)

    @property
    def endpoint(self) -> str:
        """`host:port` as DATABASE_HOST carries it into DATABASE_URL (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def endpoint_secret_key(self) -> str | None:
        """The database Secret's key the chart reads DATABASE_HOST from, or None to write it into the values."""
        if self.endpoint_key is not None:
            return self.endpoint_key
        return IPV6_ENDPOINT_KEY if ":" in self.host and self.create_secret else None


class RedisCacheSettings(Model):
    ttl: Count = Field(86400, description="Seconds a cached response lives.")
    namespace: str | None = Field(
        None,
        min_length=1,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Key prefix of cached responses (LiteLLM `litellm_settings.cache_params.namespace`). Unset:"
        " `litellm_cache_<stack>`, so stacks sharing one Redis never read each other's cache.",
    )
    flush_size: Integer | None = Field(
        None,
        description="Refused. LiteLLM 1.76.1's `redis_flush_size` buffers responses per pod and then writes them"
        " with its 60 s default expiry instead of `ttl`, so the cache neither lasts nor is shared; each response"
        " is written to Redis at once, with `ttl`.",
    )

    _rules = checked_by(rules.no_flush_size)


class RedisSettings(Model):
    enabled: bool = Field(True, description="Use Redis for the response cache and the shared router state.")
    host: Host = Field("redis.redis.svc.cluster.local", description="Redis host.")
    port: Port = Field(6379, description="Redis port.")
    namespace: DnsLabel = Field("redis", description="Namespace of the Redis pods (egress NetworkPolicy target).")
    ssl: bool = Field(
        False,
        description="TLS to Redis for the cache and the router state (LiteLLM `cache_params.ssl` and"
        " `router_settings.cache_kwargs.ssl`, passed to redis-py); the server certificate must chain to a CA the"
        " image trusts.",
    )
    cache: RedisCacheSettings = Field(RedisCacheSettings(), description="Response cache settings.")

    _rules = checked_by(rules.redis_consistent)
