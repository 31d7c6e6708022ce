"""The contract of Secrets created by someone else, and of the optional Roles for operators."""

from pydantic import Field

from components.kube_types import (
    EnvName,
    ObjectName,
    SecretDataKey,
    Trimmed,
)
from components.settings.common import (
    Model,
)


class ExistingSecretKey(Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    key: SecretDataKey = Field(description="Key of the value in that Secret.")


class ExistingEnvSecret(Model):
    name: ObjectName = Field(
        description="Secret in the LiteLLM namespace, created by someone else; the proxy imports all its keys as"
        " environment variables."
    )


class ExistingProviderSecret(Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    keys: list[EnvName] = Field(
        min_length=1,
        description="The provider key env names it holds as keys (e.g. `OPENAI_API_KEY`), for `models[].apiKeyEnv`;"
        " the proxy imports all its keys as environment variables.",
    )


class ExistingRedisSecret(Model):
    name: ObjectName = Field(description="Secret in the LiteLLM namespace, created by someone else.")
    key: EnvName = Field(
        "REDIS_PASSWORD",
        description="Key holding the Redis password; imported as an environment variable of that name, which the"
        " proxy config reads.",
    )


class ExistingSecretsSettings(Model):
    master_key: ExistingSecretKey | None = Field(
        None, description="The master key's Secret and key, instead of `litellm:masterKey` or a generated one."
    )
    salt_key: ExistingEnvSecret | None = Field(
        None,
        description="Secret holding `LITELLM_SALT_KEY` (the key name LiteLLM reads), instead of the program's"
        " `litellm-salt-key`.",
    )
    provider_keys: list[ExistingProviderSecret] = Field(
        [], description="Secrets holding provider keys, next to or instead of `litellm:providerKeys`."
    )
    redis_password: ExistingRedisSecret | None = Field(
        None, description="Secret holding the Redis password (turns on Redis AUTH), instead of `litellm:redisPassword`."
    )
    tracing_headers: ExistingEnvSecret | None = Field(
        None, description="Secret holding `OTEL_HEADERS` (`name=value`), instead of `litellm:tracingHeaders`."
    )

    @property
    def provider_env_names(self) -> dict[str, str]:
        """Env name -> the existing Secret that holds it."""
        return {env: secret.name for secret in self.provider_keys for env in secret.keys}


class RBACSettings(Model):
    operator_groups: list[Trimmed] = Field(
        [],
        description="Groups bound to Role `litellm-operator` in the LiteLLM namespace: read pods, their logs, events,"
        " the Deployment and the migration Job, and port-forward; no Secrets.",
    )
    secret_admin_groups: list[Trimmed] = Field(
        [],
        description="Groups bound to Role `litellm-secret-admin`: get and update the Secrets this program writes, by"
        " name; no other Secret, no list.",
    )
