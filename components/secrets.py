"""Every Secret the chart values reference, so no pod can start with a dangling reference.

Secret values only ever live in Kubernetes Secrets and secret-marked outputs.
"""

import json
from urllib.parse import quote

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.layout import (
    LICENSE_KEY,
    MASTER_KEY_KEY,
    PROGRAM_LABELS,
    REDIS_PASSWORD_KEY,
    SALT_KEY_KEY,
    TRACING_HEADERS_KEY,
    SecretLayout,
)
from components.settings import Settings


class LiteLLMSecrets(pulumi.ComponentResource):
    master_key: pulumi.Output[str | None]
    """None when an existing Secret holds it (`litellm:existingSecrets.masterKey`)."""
    revision: pulumi.Output[str]
    """Random, and new exactly when the value of a Secret the pods read changes: for the pod template, so the
    pods roll on a rotation. Not derived from any secret value (a random id the rotation replaces)."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        layout: SecretLayout,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("litellm:index:Secrets", name, None, opts)
        self._namespace = namespace
        self._rollout_data: dict[str, pulumi.Input[str]] = {}

        if settings.existing_secrets.master_key is not None:
            # Managed elsewhere: the program never learns the value.
            self.master_key = pulumi.Output.from_input(None)
        elif settings.master_key is not None:
            self.master_key = pulumi.Output.secret(settings.master_key.get_secret_value())
        else:
            generated = random.RandomPassword(
                f"{name}-master-key",
                length=48,
                special=False,
                # Replaced (rotated) only when the operator bumps litellm:masterKeyVersion.
                keepers={"version": str(settings.master_key_version)},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.master_key = pulumi.Output.secret(pulumi.Output.concat("sk-", generated.result))
        if settings.existing_secrets.master_key is None:
            self._secret(f"{name}-master-key", layout.master_key, {MASTER_KEY_KEY: self.master_key})

        # LiteLLM encrypts the credentials it stores in PostgreSQL with this key: a new value makes
        # all of them unreadable. Generated once (or restored from a backup, litellm:saltKey), never
        # replaced, kept when the stack is destroyed, and written only when the Secret is created: with
        # in-place Secret updates on (kubernetes:enableSecretMutable), a changed input would overwrite it.
        existing = settings.existing_secrets
        if existing.salt_key is None:
            if settings.salt_key is not None:
                salt_key = pulumi.Output.secret(settings.salt_key.get_secret_value())
            else:
                salt_key = random.RandomPassword(
                    f"{name}-salt-key",
                    length=64,
                    special=False,
                    opts=pulumi.ResourceOptions(parent=self, protect=True),
                ).result
            self._secret(
                f"{name}-salt-key",
                layout.salt_key,
                {SALT_KEY_KEY: salt_key},
                protect=True,
                retain_on_delete=True,
                write_once=True,
            )

        by_secret: dict[str, dict[str, str]] = {}
        for env_name, value in settings.provider_keys.items():
            by_secret.setdefault(layout.provider_keys[env_name], {})[env_name] = value.get_secret_value()
        for secret_name in sorted(by_secret):
            self._secret(f"{name}-{secret_name}", secret_name, pulumi.Output.secret(by_secret[secret_name]))

        if settings.database.create_secret:
            database = settings.database
            # The chart splices DATABASE_USERNAME/DATABASE_PASSWORD into DATABASE_URL unescaped, so the
            # Secret holds them percent-encoded (identical to the raw value for URL-safe passwords).
            assert settings.database_password is not None  # validated: createSecret requires it
            password = settings.database_password.get_secret_value()
            self._secret(
                f"{name}-database",
                layout.database,
                {
                    database.username_key: quote(database.user, safe=""),
                    database.password_key: pulumi.Output.secret(quote(password, safe="")),
                    **(
                        {database.endpoint_secret_key: database.endpoint}
                        if database.endpoint_secret_key is not None
                        else {}
                    ),
                },
                protect=True,
                retain_on_delete=True,
            )

        if layout.redis is not None and settings.redis_password is not None:
            self._secret(
                f"{name}-redis",
                layout.redis,
                {REDIS_PASSWORD_KEY: pulumi.Output.secret(settings.redis_password.get_secret_value())},
            )

        if layout.tracing is not None and settings.tracing_headers is not None:
            ((header, value),) = settings.tracing_headers.items()
            self._secret(
                f"{name}-tracing",
                layout.tracing,
                {TRACING_HEADERS_KEY: pulumi.Output.secret(f"{header}={value.get_secret_value()}")},
            )

        if layout.license is not None and settings.license_key is not None:
            self._secret(
                f"{name}-license",
                layout.license,
                {LICENSE_KEY: pulumi.Output.secret(settings.license_key.get_secret_value())},
            )

        # Replaced (a new random id) whenever the keepers change, that is whenever a value changes. The keepers
        # hold the values themselves, so they stay secret in the state; the id is not derived from them.
        rollout = random.RandomId(
            f"{name}-revision",
            byte_length=8,
            keepers=pulumi.Output.secret(self._rollout_data),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.revision = pulumi.Output.unsecret(rollout.hex)
        self.register_outputs({"masterKey": self.master_key, "revision": self.revision})

    def _secret(
        self,
        resource_name: str,
        secret_name: str,
        data,
        protect: bool = False,
        retain_on_delete: bool = False,
        write_once: bool = False,
    ):
        if not write_once:
            self._rollout_data[secret_name] = pulumi.Output.from_input(data).apply(
                lambda values: json.dumps(values, sort_keys=True)
            )
        k8s.core.v1.Secret(
            resource_name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=secret_name,
                namespace=self._namespace,
                labels=dict(PROGRAM_LABELS),
            ),
            type="Opaque",
            string_data=data,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                retain_on_delete=retain_on_delete,
                ignore_changes=["stringData", "data"] if write_once else None,
            ),
        )
