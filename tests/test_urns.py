"""Every committed stack keeps the URNs of its resources.

A URN is a resource's identity in the Pulumi state: `urn:pulumi:<stack>::<project>::<qualified
type>::<name>`, the qualified type being the types of its parents and its own, joined by `$`. A new
type token, name or parent gives the next `pulumi up` a new resource to create and the old one to
delete: a roll of every workload, and for the protected namespace and Secrets a run that stops. Such a
change ships with `aliases` naming the old URN, and then the list in `tests/urns/<stack>.txt` moves.
"""

import pytest

from scripts.urns import urn_file, urns
from tests.conftest import STACKS, run_stack


@pytest.mark.parametrize("stack", STACKS)
def test_every_committed_stack_keeps_its_resource_urns(stack, chart_folder):
    run = run_stack(stack)
    assert run.error is None, run.error
    listed = urn_file(stack)
    write = f"`.venv/bin/python -m scripts.urns {stack} --write`"
    assert listed.is_file(), f"{listed} is missing: a new stack lists its URNs there; write it with {write}"
    expected = listed.read_text(encoding="utf-8").splitlines()
    now = urns(run, stack)
    assert now == expected, (
        f"the URNs of stack {stack} moved: gone {sorted(set(expected) - set(now))}, new"
        f" {sorted(set(now) - set(expected))}. Give each moved resource `aliases` for its old URN, then {write}"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_the_urn_command_writes_what_the_test_holds(stack, chart_folder, tmp_path, monkeypatch):
    from scripts import urns as command

    monkeypatch.setattr(command, "URNS", tmp_path)
    assert command.main([stack, "--write"]) == 0
    assert (tmp_path / f"{stack}.txt").read_text(encoding="utf-8") == urn_file(stack).read_text(encoding="utf-8")
