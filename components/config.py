"""From raw stack config (`litellm:*` strings, as the Pulumi engine passes them) to `Settings`.

All problems are reported at once, each naming its config key, before any resource exists.
Secret values never appear in a message.
"""

import difflib
import json
import os
import re
import types
from collections.abc import Iterable, Mapping
from typing import Any, Union, get_args, get_origin

import pulumi
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from components.egress import unreachable
from components.kube_types import CrossFieldErrors, FieldError
from components.layout import (
    LICENSE_SECRET,
    MASTER_KEY_SECRET,
    PROVIDER_SECRET_PREFIX,
    REDIS_SECRET,
    SALT_KEY_SECRET,
    TRACING_SECRET,
    program_secret_names,
    secret_layout,
)
from components.settings import (
    DATABASE_PASSWORD_REQUIRED,
    SECRET_COMMANDS,
    SECRET_CONFIG_KEYS,
    Settings,
)
from components.stacks import PROJECT

KUBERNETES = "kubernetes"
"""The default Kubernetes provider's config namespace: the program uses that provider, configured per stack."""
SECRET_MUTABLE = f"{KUBERNETES}:enableSecretMutable"
UPSERT_EXISTING = f"{KUBERNETES}:upsertExistingObjects"
UNION_TYPES = (Union, types.UnionType)
"""`Optional[X]` and `X | None` annotations alike."""
_SECRET_OBJECT_EXAMPLES = {"providerKeys": "{OPENAI_API_KEY: ...}", "tracingHeaders": "{authorization: ...}"}


class ConfigError(pulumi.RunError):
    """Invalid stack config. A RunError, so the CLI prints the message without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"invalid stack configuration ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n"
            f"{listing}\nNothing was registered. Fix these keys (pulumi config set ...) and run again."
        )


def load_settings() -> Settings:
    """Settings from the running program's config (CLI, Automation API or mocks), for the running stack."""
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = {key for key in raw if runtime_config.is_config_secret(key)}
    secret_keys.update(runtime_config.get_config_secret_keys_env())
    problems = provider_problems(raw, os.environ)
    try:
        settings = settings_from_config(raw, secret_keys, stack=pulumi.get_stack())
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    problems.extend(adoption_problems(settings, raw, os.environ))
    if problems:
        raise ConfigError(problems)
    return settings


def _provider_flag(raw: Mapping[str, Any], environ: Mapping[str, str], name: str, variable: str) -> bool:
    """A boolean option of the default Kubernetes provider: its `kubernetes:` config key, else its variable."""
    value = raw.get(f"{KUBERNETES}:{name}", environ.get(variable, ""))
    return str(value).strip().lower() == "true"


def provider_problems(raw: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """What the program needs from the default Kubernetes provider's own config."""
    if _provider_flag(raw, environ, "enableSecretMutable", "PULUMI_K8S_ENABLE_SECRET_MUTABLE"):
        return []
    return [
        f"{SECRET_MUTABLE}: must be true (`pulumi config set {SECRET_MUTABLE} true`, as in the committed stack"
        " files): without it pulumi-kubernetes replaces a Secret whenever its data changes, deleting it first, so"
        " a rotation fails on the protected database Secret and leaves the pods a window without the others"
    ]


def adoption_problems(settings: Settings, raw: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """Adopting the objects of an earlier deployment (lost state, or a stack re-created after a destroy) must
    keep its salt key: the upsert would otherwise overwrite the retained Secret with a new one."""
    if not _provider_flag(raw, environ, "upsertExistingObjects", "PULUMI_K8S_UPSERT_EXISTING_OBJECTS"):
        return []
    if settings.salt_key is not None or settings.existing_secrets.salt_key is not None:
        return []
    return [
        f"{PROJECT}:saltKey: is required while {UPSERT_EXISTING} is true: adopting the retained objects would"
        " overwrite the kept salt key with a new one and make every credential LiteLLM stored in the database"
        f" unreadable. Restore it from the backup (`pulumi config set --secret {PROJECT}:saltKey ...`, see"
        " docs/operations.md, Recovery)"
    ]


def settings_from_config(raw: Mapping[str, Any], secret_keys: Iterable[str] = (), stack: str | None = None) -> Settings:
    """Validate the `litellm:` keys of `raw` (full key -> string value) into Settings, or raise ConfigError.

    `stack` names the stack the settings are for; defaults that differ per stack (the cache namespace)
    derive from it.
    """
    prefix = f"{PROJECT}:"
    secret_keys = set(secret_keys)
    problems: list[str] = []
    data: dict[str, Any] = {}
    skipped: set[str] = set()
    for full_key in sorted(raw):
        if not full_key.startswith(prefix):
            problems.extend(_foreign_namespace_problems(full_key))
            continue
        key = full_key[len(prefix) :]
        value = raw[full_key]
        if key in SECRET_CONFIG_KEYS and full_key not in secret_keys:
            command = SECRET_COMMANDS.get(key, f"pulumi config set --secret {full_key} ...")
            problems.append(f"{full_key}: is stored in plain text; set it with `{command}`")
        if key not in SECRET_CONFIG_KEYS and full_key in secret_keys and _field_by_alias(Settings, key):
            # Not validated: its messages would echo a value the operator meant to keep secret.
            problems.append(
                f"{full_key}: is set as a secret, but this setting is not one: its value goes into plain chart values"
                f" and stack outputs. Set it without --secret (`pulumi config set {full_key} ...`)"
            )
            skipped.add(key)
            continue
        decoded = _decode(key, value)
        if isinstance(decoded, _Undecodable):
            problems.append(f"{full_key}: {decoded.reason}")
            skipped.add(key)
            continue
        control = _control_character_path(decoded, key)
        if control is not None:
            problems.append(
                f"{PROJECT}:{control}: contains a NUL byte or another control character, which no file name,"
                " Kubernetes object or LiteLLM setting accepts; set it again without"
            )
            skipped.add(key)
            continue
        data[key] = decoded
    try:
        # By alias only: `database_password` is not a second spelling of `databasePassword`.
        settings = Settings.model_validate(data, context={"stack": stack}, by_alias=True, by_name=False)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if not (error["loc"] and error["loc"][0] in skipped):
                problems.extend(_describe(error))
        # The model's own cross-field rules did not run: report the missing secrets now, not in a second round.
        problems.extend(problem for problem in _missing_secret_problems(data, skipped) if problem not in problems)
    else:
        problems.extend(_secret_name_problems(settings))
        problems.extend(_egress_problems(settings))
        if not problems:
            return settings
    raise ConfigError(problems)


def _foreign_namespace_problems(full_key: str) -> list[str]:
    """A key of another namespace is not this program's to read; one that is a misspelt `litellm:` is a mistake."""
    namespace, colon, rest = full_key.partition(":")
    if not colon or namespace == PROJECT:
        return []
    if namespace.lower() != PROJECT and not difflib.get_close_matches(namespace.lower(), [PROJECT], cutoff=0.75):
        return []
    return [
        f"{full_key}: unknown config namespace {namespace!r}, so nothing reads this key; did you mean"
        f" {PROJECT}:{rest}? (`pulumi config rm {full_key}`, then set it again)"
    ]


def _missing_secret_problems(data: Mapping[str, Any], skipped: set[str]) -> list[str]:
    """The secrets a stack must have, judged from the raw keys alone."""
    problems = []
    existing = data.get("existingSecrets")
    held_elsewhere = isinstance(existing, dict) and bool(existing.get("providerKeys"))
    models = data.get("models")
    needs_keys = isinstance(models, list) and any(isinstance(m, dict) and m.get("apiKeyEnv") for m in models)
    if needs_keys and "providerKeys" not in data and "providerKeys" not in skipped and not held_elsewhere:
        problems.append(_keyed("providerKeys", _MISSING_PROVIDER_KEYS))
    database = data.get("database")
    creates_secret = not (isinstance(database, dict) and database.get("createSecret") is False)
    if creates_secret and "databasePassword" not in data and "databasePassword" not in skipped:
        problems.append(_keyed("databasePassword", DATABASE_PASSWORD_REQUIRED))
    return problems


_MISSING_PROVIDER_KEYS = (
    f"is required by the models' apiKeyEnv, one entry per key (`{SECRET_COMMANDS['providerKeys']}`)"
)


def _secret_name_problems(settings: Settings) -> list[str]:
    """A Secret someone else manages (or the database Secret) must not be one the program writes for something
    else: the two owners would overwrite each other."""
    layout = secret_layout(settings)
    existing = settings.existing_secrets
    written = {
        MASTER_KEY_SECRET: ("the master key", existing.master_key is None),
        SALT_KEY_SECRET: ("the salt key", existing.salt_key is None),
        REDIS_SECRET: ("Redis AUTH", settings.redis_password is not None),
        TRACING_SECRET: ("tracing", settings.tracing_headers is not None),
        LICENSE_SECRET: ("the licence", settings.license_key is not None),
    }
    owned = {name: what for name, (what, writes) in written.items() if writes}
    owned.update({layout.provider_keys[env]: "the provider keys" for env in settings.provider_keys})
    problems = []
    if settings.database.secret_name in owned:
        problems.append(
            f"{PROJECT}:database.secretName: {settings.database.secret_name!r} is the Secret this program writes for"
            f" {owned[settings.database.secret_name]}; choose another name"
        )
    for name in sorted(layout.existing & owned.keys()):
        problems.append(
            f"{PROJECT}:existingSecrets: {name!r} is the Secret this program writes for {owned[name]}; an existing"
            " Secret needs another name"
        )
    if settings.rbac.secret_admin_groups and not program_secret_names(layout):
        problems.append(
            f"{PROJECT}:rbac.secretAdminGroups: every Secret the pods read is managed elsewhere"
            " (existingSecrets, database.createSecret: false), so the program writes none to grant; a Role without"
            " Secret names would grant every Secret of the namespace. Remove the key, or grant those Secrets where"
            " they are managed"
        )
    for env_name, secret_name in layout.provider_keys.items():
        if len(secret_name) > 253:
            problems.append(
                f"{PROJECT}:providerKeys.{env_name}: too long for its own Secret name (splitProviderKeys); use at most"
                f" {253 - len(PROVIDER_SECRET_PREFIX)} characters"
            )
    return problems


def describe_errors(exc: ValidationError, prefix: tuple = ()) -> list[str]:
    """`litellm:<key>: <message>` for each error of `exc`, its location below `prefix`."""
    return [
        problem
        for error in exc.errors(include_url=False)
        for problem in _describe({**error, "loc": (*prefix, *error["loc"])})
    ]


class _Undecodable:
    def __init__(self, reason: str):
        self.reason = reason


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and line breaks (which the fields' own rules report)."""


def _control_character_path(value: Any, path: str) -> str | None:
    """The path of the first key or string below `value` holding a control character, or None."""
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}"
            if isinstance(key, str) and _CONTROL.search(key):
                return path
            found = _control_character_path(item, child)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _control_character_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _field_by_alias(model: type[BaseModel], alias: str):
    for name, field in model.model_fields.items():
        if (field.alias or name) == alias:
            return field
    return None


def _decode(key: str, value: Any) -> Any:
    """Structured keys arrive JSON-encoded; scalars arrive as strings that pydantic coerces."""
    field = _field_by_alias(Settings, key)
    if field is None or not isinstance(value, str) or not _is_structured(field.annotation):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        if key in SECRET_CONFIG_KEYS:
            return _Undecodable(f"expected an object such as {_SECRET_OBJECT_EXAMPLES[key]}")
        return _Undecodable(f"expected an object or a list (a YAML mapping or sequence), got {value!r}")


def _is_structured(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in UNION_TYPES:
        return any(_is_structured(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin in (list, dict):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def _describe(error: ErrorDetails) -> list[str]:
    loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, CrossFieldErrors):
        return [_keyed(_join(loc, path), message) for path, message in cause.problems]
    if isinstance(cause, FieldError):
        return [_keyed(_join(loc, cause.path), cause.message)]
    kind = error["type"]
    if kind == "missing":
        return [_keyed(_path(loc), "is required")]
    if kind == "extra_forbidden":
        return [_keyed(_path(loc), _unknown_key_message(loc))]
    message = error["msg"].removeprefix("Value error, ")
    if kind != "value_error" and "input" in error:
        shown = "" if _is_secret(loc) else f"{json.dumps(error['input'], default=str)} "
        message = f"{shown}is not valid: {message[:1].lower()}{message[1:]}"
    return [_keyed(_path(loc), message)]


def _join(loc: tuple, path: str) -> str:
    base = _path(loc)
    return f"{base}.{path}" if base else path


def _keyed(path: str, message: str) -> str:
    return f"{PROJECT}:{path}: {message}"


def _is_secret(loc: tuple) -> bool:
    return bool(loc) and loc[0] in SECRET_CONFIG_KEYS


def _unknown_key_message(loc: tuple) -> str:
    model = _model_at(loc[:-1])
    valid = [field.alias or name for name, field in model.model_fields.items()] if model else []
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    prefix = f"{PROJECT}:{_path(loc[:-1])}." if len(loc) > 1 else f"{PROJECT}:"
    hint = f"did you mean {prefix}{close[0]}? " if close else ""
    head = re.split(r"[.\[]", str(loc[-1]), maxsplit=1)[0]
    if len(loc) == 1 and head != loc[-1] and head in valid:
        # `pulumi config set litellm:ui.enabled false` stores the dotted name as one key.
        secret = "--secret " if head in SECRET_CONFIG_KEYS else ""
        hint = (
            f"a nested key is set with --path: `pulumi config rm {PROJECT}:{loc[-1]}`, then"
            f" `pulumi config set {secret}--path '{PROJECT}:{loc[-1]}' ...`. "
        )
    return f"unknown key; {hint}valid keys here: {', '.join(sorted(valid))}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = _field_by_alias(model, part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) in (*UNION_TYPES, list):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    return annotation


def _egress_problems(settings: Settings) -> list[str]:
    """A destination no NetworkPolicy rule can allow: the deployment would start and then fail to connect."""
    return [
        f"{PROJECT}:{d.key}: {d.host}:{d.port} is a host outside the cluster on a port other than 443, and a host"
        " name gives no address offline, so the NetworkPolicies would drop the connection. List its address block"
        f" in litellm:networkPolicy.egress, e.g. [{{cidr: 10.20.0.0/16, ports: [{d.port}]}}] (or use its IP"
        " address as the host)"
        for d in unreachable(settings)
    ]
