"""Every committed stack keeps the URNs of its resources.

A URN is a resource's identity in the Pulumi state: `urn:pulumi:<stack>::<project>::<qualified
type>::<name>`, the qualified type being the types of its parents and its own, joined by `$`. A new
type token, name or parent gives the next `pulumi up` a new resource to create and the old one to
delete: a roll of every workload, and for the protected namespace and Secrets a run that stops. Such a
change ships with `aliases` naming the old URN, and then the list in `tests/urns/<stack>.txt` moves.
"""

from pathlib import Path

import pytest

from components.stacks import PROJECT
from offline.harness import Run
from tests.conftest import STACKS, run_stack

URNS = Path(__file__).parent / "urns"


def urns(run: Run, stack: str) -> list[str]:
    """The URNs the Pulumi engine gives the registrations, from their types, names and parents."""
    by_urn = {r.urn: r for r in run.registrations}

    def qualified_type(urn: str) -> list[str]:
        registration = by_urn[urn]
        parent = by_urn.get(registration.parent)
        return ([] if parent is None else qualified_type(parent.urn)) + [registration.type]

    return sorted(
        f"urn:pulumi:{stack}::{PROJECT}::{'$'.join(qualified_type(r.urn))}::{r.name}" for r in run.registrations
    )


@pytest.mark.parametrize("stack", STACKS)
def test_every_committed_stack_keeps_its_resource_urns(stack, chart_folder):
    run = run_stack(stack)
    assert run.error is None, run.error
    listed = URNS / f"{stack}.txt"
    now = urns(run, stack)
    assert listed.is_file(), f"{listed} is missing: a new stack lists its URNs there, one a line:\n" + "\n".join(now)
    expected = listed.read_text(encoding="utf-8").splitlines()
    assert now == expected, (
        f"the URNs of stack {stack} moved: gone {sorted(set(expected) - set(now))}, new"
        f" {sorted(set(now) - set(expected))}. Give each moved resource `aliases` for its old URN, then update"
        f" {listed}"
    )
