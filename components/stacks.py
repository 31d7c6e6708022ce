"""The committed stacks: which `Pulumi.<stack>.yaml` files there are, and their `config` mappings."""

from pathlib import Path
from typing import Any

import yaml

PROJECT = "litellm"
"""The project name of Pulumi.yaml, and so the namespace of the program's config keys."""
PROGRAM_DIR = Path(__file__).resolve().parent.parent
"""Where the committed `Pulumi.<stack>.yaml` files live, next to `Pulumi.yaml`."""


def committed_stacks(program_dir: Path = PROGRAM_DIR) -> list[str]:
    """The stacks with a `Pulumi.<stack>.yaml` file next to `Pulumi.yaml`, sorted."""
    return sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in program_dir.glob("Pulumi.*.yaml"))


def committed_stack_configs(program_dir: Path = PROGRAM_DIR) -> dict[str, dict[str, Any]]:
    """The `config` mapping of every committed stack file that can be read as one.

    A file that is not YAML, or whose `config` is not a mapping, is left out: that stack's own run
    reports it, and it must not stop another stack's preview.
    """
    found = {}
    for stack in committed_stacks(program_dir):
        try:
            found[stack] = read_stack_config(program_dir / f"Pulumi.{stack}.yaml")
        except StackFileError:
            continue
    return found


class StackFileError(Exception):
    """A `Pulumi.<stack>.yaml` that cannot be read as a stack file; the message names the file."""


def stack_file(stack: str) -> Path:
    return PROGRAM_DIR / f"Pulumi.{stack}.yaml"


def stack_config(stack: str) -> dict[str, Any]:
    """The `config` mapping of a committed stack; StackFileError naming the committed stacks when there is no
    such stack file, or when it cannot be read as one."""
    path = stack_file(stack)
    if path.parent != PROGRAM_DIR or not path.is_file():
        known = ", ".join(committed_stacks(PROGRAM_DIR)) or "none"
        raise StackFileError(f"no stack file Pulumi.{stack}.yaml in {PROGRAM_DIR} (stacks: {known})")
    return read_stack_config(path)


def read_stack_config(path: Path) -> dict[str, Any]:
    """The `config` mapping of a `Pulumi.<stack>.yaml` file, parsed with libyaml's loader where installed
    (about 6x faster); StackFileError when the file is missing, not YAML or not shaped like a stack file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        what = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise StackFileError(f"{where}: cannot be read as YAML ({what})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise StackFileError(f"{path.name}: cannot be read as YAML ({reason})") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(config or {}, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a `config:` mapping of `litellm:...` keys")
    return config or {}
