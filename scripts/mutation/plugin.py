"""What only the mutation pass needs of pytest (docs/mutation-testing.md), loaded by mutmut alone:
`pytest_add_cli_args` in pyproject.toml's `[tool.mutmut]` passes `-p scripts.mutation.plugin`.

mutmut sets MUTANT_UNDER_TEST to "stats" while it maps each function to the tests that call it, and
to the mutant's name while it runs that mutant's tests.
"""

import os

import pytest
from _pytest.scope import Scope


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant == "stats":
        set_up_shared_fixtures_for_each_test(items)
    elif mutant:
        run_module_by_module(items, mutant)


def set_up_shared_fixtures_for_each_test(items: list[pytest.Item]) -> None:
    """mutmut credits the calls a module-scoped fixture makes to the one test that set it up, so the
    module's other tests, which assert on the same object, would never see the mutant. While it maps,
    every module-scoped fixture is set up for each test that uses it, and credits each of them."""
    for item in items:
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is None:
            continue
        for definitions in fixture_info.name2fixturedefs.values():
            for definition in definitions:
                if definition._scope is Scope.Module:
                    # FixtureDef._scope is read when the fixture is set up, after collection.
                    setattr(definition, "_scope", Scope.Function)  # noqa: B010 (a Final attribute)


def run_module_by_module(items: list[pytest.Item], mutant: str) -> None:
    """mutmut names a mutant's tests in no order; they run module by module, so each module's shared
    fixtures are set up once, and the modules named after the mutated one first (a mutant of
    `components.network` meets `tests/test_network_policies.py` first), as they are likeliest to fail."""
    mutated_module = mutant.split(".")[1] if mutant.startswith("components.") else ""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.nodeid.split("::")[0], index)

    def order(item: pytest.Item) -> tuple[bool, int]:
        module = item.nodeid.split("::")[0]
        return (not (mutated_module and mutated_module in module), first[module])

    items.sort(key=order)
