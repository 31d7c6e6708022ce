"""No input ends in a traceback: every config key (found from the settings models, so new keys are
covered as they are added) set to each odd value is either accepted or refused naming that key."""

import json
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from components.config import ConfigError, settings_from_config
from components.risks import risk_warnings
from components.settings import SECRET_CONFIG_KEYS, Settings
from offline.harness import stack_config
from tests.conftest import SECRETS

ODD_VALUES: list[object] = [
    None,
    [],
    {},
    "",
    0,
    -1,
    True,
    "x" * 3000,
    "a\x00b",
    10**40,
    1.5,
    "null",
    {"a": {"b": [1]}},
    [{}],
    ["x"],
    "1e400",
    "1e1000000",
    {"": ""},
    "\U0001f600",
    "[fd00::1]",
    "../../etc",
]


def key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        yield path
        for annotation in typing.get_args(field.annotation) or [field.annotation]:
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                yield from key_paths(annotation, path + ".")


def with_value(config: dict[str, str], path: str, value: object) -> dict[str, str]:
    top, *rest = path.split(".")
    raw = dict(config)
    key = f"litellm:{top}"
    if not rest:
        raw[key] = value if isinstance(value, str) else json.dumps(value)
        return raw
    document = json.loads(raw[key]) if raw.get(key, "").startswith("{") else {}
    node = document
    for part in rest[:-1]:
        node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
    node[rest[-1]] = value
    raw[key] = json.dumps(document)
    return raw


@pytest.mark.parametrize("path", sorted(set(key_paths(Settings))))
def test_every_odd_value_of_a_key_is_accepted_or_refused_naming_it(path):
    config, secret_keys = stack_config("prod", SECRETS)
    top = path.split(".")[0]
    secrets = [*secret_keys, f"litellm:{top}"] if top in SECRET_CONFIG_KEYS else secret_keys
    for value in ODD_VALUES:
        try:
            settings = settings_from_config(with_value(config, path, value), secrets, stack="prod")
        except ConfigError as error:
            assert f"litellm:{top}" in str(error), (value, str(error))
            if top in SECRET_CONFIG_KEYS and isinstance(value, str) and len(value) > 4:
                assert value not in str(error)
        else:
            assert isinstance(risk_warnings(settings, "prod"), list)
