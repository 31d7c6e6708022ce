"""The URNs the Pulumi engine gives a committed stack's resources, as tests/urns/<stack>.txt lists them.

.venv/bin/python -m scripts.urns qa            # print them
.venv/bin/python -m scripts.urns qa --write    # write tests/urns/qa.txt (a new stack, or a reviewed move)
"""

import argparse
import sys
from pathlib import Path

from components.config import ConfigError
from components.stacks import PROGRAM_DIR, PROJECT, StackFileError
from offline import harness
from offline.manifests import RenderError, program_config

URNS = PROGRAM_DIR / "tests" / "urns"


def urns(run: harness.Run, stack: str) -> list[str]:
    """The URNs the Pulumi engine gives the registrations, from their types, names and parents."""
    by_urn = {r.urn: r for r in run.registrations}

    def qualified_type(urn: str) -> list[str]:
        registration = by_urn[urn]
        parent = by_urn.get(registration.parent)
        return ([] if parent is None else qualified_type(parent.urn)) + [registration.type]

    return sorted(
        f"urn:pulumi:{stack}::{PROJECT}::{'$'.join(qualified_type(r.urn))}::{r.name}" for r in run.registrations
    )


def stack_urns(stack: str) -> list[str]:
    """The URNs of a committed stack, its secrets left out of the file replaced by placeholders (names only
    matter here)."""
    config, secret_keys = program_config(stack)
    run = harness.run_program(config, secret_keys, stack=stack)
    if run.error is not None:
        raise run.error
    return urns(run, stack)


def urn_file(stack: str) -> Path:
    return URNS / f"{stack}.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.urns", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--write", action="store_true", help="write tests/urns/<stack>.txt instead of printing")
    args = parser.parse_args(argv)
    try:
        found = stack_urns(args.stack)
    except (ConfigError, RenderError, StackFileError) as exc:
        print(f"urns: {exc}", file=sys.stderr)
        return 1
    if args.write:
        urn_file(args.stack).write_text("".join(f"{urn}\n" for urn in found), encoding="utf-8")
        print(f"wrote {len(found)} URNs to {urn_file(args.stack)}")
    else:
        print("\n".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
