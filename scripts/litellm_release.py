"""Read, from an installed LiteLLM's source, the facts the config checks rely on; print them as JSON.

    .venv/bin/python -m scripts.litellm_release /path/to/site-packages > components/data/litellm.json

The source is parsed, not imported (importing LiteLLM takes seconds and pulls in its dependencies):
- `providers`: the values of `LlmProviders` (litellm/types/utils.py). `litellm.provider_list` is
  `list(LlmProviders)` (litellm/__init__.py), and a model `<prefix>/<id>` reaches a provider only when
  `<prefix>` is one of them (litellm/litellm_core_utils/get_llm_provider_logic.py, `get_llm_provider`);
  the proxy drops any other model at start.
- `retryPolicyOrder`: the error classes `get_num_retries_from_retry_policy`
  (litellm/router_utils/get_retry_from_policy.py) tests with `isinstance`, in the order it tests them,
  each with its `RetryPolicy` field; `retryPolicySubclasses`: which of them derive from another
  (litellm/exceptions.py). A class tested after one of its bases never gets its own count while the
  base's count is set.
- `routes`: the route lists of `LiteLLMRoutes` (litellm/proxy/_types.py) written as literal lists (the
  groups the entrance serves or keeps out, components/routes.py), so a bump shows what a release added.
- `migrations`: the names of the schema migrations the release ships
  (litellm_proxy_extras/migrations/<name>/migration.sql), in the order Prisma applies them.
"""

import argparse
import ast
import json
import sys
from pathlib import Path

RETRY_FUNCTION = "get_num_retries_from_retry_policy"


def _parse(site_packages: Path, relative: str) -> ast.Module:
    return ast.parse((site_packages / "litellm" / relative).read_text(encoding="utf-8"))


def _class(module: ast.Module, name: str) -> ast.ClassDef:
    return next(node for node in module.body if isinstance(node, ast.ClassDef) and node.name == name)


def providers(site_packages: Path) -> list[str]:
    enum = _class(_parse(site_packages, "types/utils.py"), "LlmProviders")
    return sorted(
        node.value.value
        for node in enum.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    )


def retry_policy_order(site_packages: Path) -> list[dict[str, str]]:
    module = _parse(site_packages, "router_utils/get_retry_from_policy.py")
    function = next(node for node in module.body if isinstance(node, ast.FunctionDef) and node.name == RETRY_FUNCTION)
    order = []
    for statement in function.body:
        if not isinstance(statement, ast.If):
            continue
        calls = [node for node in ast.walk(statement.test) if isinstance(node, ast.Call)]
        classes = [
            call.args[1].id
            for call in calls
            if isinstance(call.func, ast.Name) and call.func.id == "isinstance" and isinstance(call.args[1], ast.Name)
        ]
        fields = [
            node.attr
            for node in ast.walk(statement.test)
            if isinstance(node, ast.Attribute) and node.attr.endswith("Retries")
        ]
        if len(classes) == 1 and len(fields) == 1:
            order.append({"errorClass": classes[0], "field": fields[0]})
    return order


def subclasses(site_packages: Path, names: list[str]) -> dict[str, list[str]]:
    """For each of `names`, the others it derives from (through litellm/exceptions.py)."""
    module = _parse(site_packages, "exceptions.py")
    bases = {
        node.name: [base.id for base in node.bases if isinstance(base, ast.Name)]
        for node in module.body
        if isinstance(node, ast.ClassDef)
    }

    def ancestors(name: str) -> set[str]:
        found = set()
        for base in bases.get(name, []):
            found |= {base} | ancestors(base)
        return found

    return {name: sorted(ancestors(name) & set(names)) for name in names if ancestors(name) & set(names)}


def route_groups(site_packages: Path) -> dict[str, list[str]]:
    enum = _class(_parse(site_packages, "proxy/_types.py"), "LiteLLMRoutes")
    return {
        node.targets[0].id: [str(item.value) for item in node.value.elts if isinstance(item, ast.Constant)]
        for node in enum.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.List)
        and all(isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.value.elts)
        and node.targets[0].id.endswith("routes")
    }


def migrations(site_packages: Path) -> list[str]:
    folder = site_packages / "litellm_proxy_extras" / "migrations"
    return sorted(path.parent.name for path in folder.glob("*/migration.sql"))


def version(site_packages: Path) -> str:
    (dist,) = site_packages.glob("litellm-*.dist-info")
    return dist.name.removeprefix("litellm-").removesuffix(".dist-info")


def facts(site_packages: Path) -> dict:
    order = retry_policy_order(site_packages)
    return {
        "litellm": version(site_packages),
        "source": "Generated by scripts/litellm_release.py from the installed litellm package's source.",
        "providers": providers(site_packages),
        "retryPolicyOrder": order,
        "retryPolicySubclasses": subclasses(site_packages, [entry["errorClass"] for entry in order]),
        "routes": route_groups(site_packages),
        "migrations": migrations(site_packages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.litellm_release", description=__doc__.splitlines()[0])
    parser.add_argument("site_packages", type=Path, help="the site-packages folder holding litellm/")
    args = parser.parse_args(argv)
    try:
        result = facts(args.site_packages)
    except (OSError, StopIteration, ValueError, SyntaxError) as exc:
        print(f"litellm_release: no readable litellm package in {args.site_packages} ({exc!r})", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
