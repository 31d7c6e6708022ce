"""Imports in components/ point one way: the contract at the bottom, pure derivations above it, the components
that register resources above those, and the root component on top. An import back up would drag Pulumi
resources into the values function or the config check, or tie two components together."""

import ast
from pathlib import Path

COMPONENTS = Path(__file__).resolve().parent.parent / "components"
ROOT_COMPONENT = "litellm"
CONTRACT_MAY_USE = {"kube_types", "quantity", "litellm_release", "versions", "metric_sources"}


def _modules() -> dict[str, Path]:
    """Module, dotted below components (`settings.root`; a package by its own name) -> its file."""
    return {
        ".".join(path.relative_to(COMPONENTS).with_suffix("").parts).removesuffix(".__init__"): path
        for path in COMPONENTS.rglob("*.py")
    }


def _imports() -> dict[str, set[str]]:
    """Module -> the components modules it imports."""
    found: dict[str, set[str]] = {}
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[module] = {
            node.module.removeprefix("components.")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("components.")
        }
    return found


def _registers_resources(module: str, imports: dict[str, set[str]]) -> bool:
    text = _modules()[module].read_text(encoding="utf-8")
    return any(
        mark in text for mark in ("import pulumi_kubernetes", "import pulumi_random", "pulumi.ComponentResource")
    )


def test_the_contract_imports_nothing_above_it():
    imports = _imports()
    for module, names in imports.items():
        if module == "settings" or module.startswith("settings."):
            above = {name for name in names if not name.startswith("settings") and name not in CONTRACT_MAY_USE}
            assert not above, f"components/{module}: the contract imports {sorted(above)}"


def test_no_pure_module_imports_one_that_registers_resources():
    imports = _imports()
    modules = set(imports)
    for module, names in imports.items():
        if _registers_resources(module, imports):
            continue
        resources = {n for n in names if n in modules and _registers_resources(n, imports)}
        assert not resources, f"components/{module} computes values but imports resource modules {sorted(resources)}"


def test_components_do_not_import_each_other():
    """Only the root component composes the others; shared names live in layout.py, shared helpers in modules of
    their own."""
    imports = _imports()
    files = _modules()
    components = {m for m in imports if "pulumi.ComponentResource" in files[m].read_text(encoding="utf-8")}
    for module in components - {ROOT_COMPONENT}:
        others = imports[module] & (components - {module})
        assert not others, f"components/{module} imports the components {sorted(others)}"
