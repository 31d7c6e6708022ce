"""What a LiteLLM bump changes for this program: a snapshot of one release, and the report between two.

    .venv/bin/python -m scripts.upgrade_report snapshot <site-packages> <chart folder> > old.json
    .venv/bin/python -m scripts.upgrade_report report old.json new.json > report.md

A snapshot holds what `scripts/litellm_release.py` reads (providers, retry order, route groups,
migrations), each migration's SQL, the chart's values keys and file sums, and, for every key of the
proxy config and every env name the committed stacks give LiteLLM, the lines of LiteLLM's source that
name it. The report lists what moved between two snapshots, and whether the old release's schema
survives the new release's migrations (a canary runs them while the stable pods still serve): both
migration sets applied in order to a real PostgreSQL (Debian's, started on loopback), then the old
release's objects looked up in the result with the migration gate's own catalog query
(components/migration_check.py).
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from components.migration_check import SCHEMA_CATALOG
from components.stacks import committed_stacks
from offline.render import render
from scripts.litellm_release import facts

_SOURCE_SUFFIXES = (".py",)


def _flatten(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix


def program_keys() -> dict[str, set[str]]:
    """The proxy config keys (`general_settings.x`, `router_settings.y`, ...) and env names the committed
    stacks give LiteLLM, each with the stacks that set it."""
    found: dict[str, set[str]] = {}
    for stack in committed_stacks():
        values = render(stack).values or {}
        config = values.get("proxy_config", {})
        keys = [
            f"{section}.{key}"
            for section in ("general_settings", "router_settings", "litellm_settings")
            for key in config.get(section, {})
        ]
        keys += [f"litellm_params.{key}" for model in config.get("model_list", []) for key in model["litellm_params"]]
        keys += [f"env.{name}" for name in values.get("envVars", {})]
        for key in keys:
            found.setdefault(key, set()).add(stack)
    return found


def source_mentions(site_packages: Path, names: set[str]) -> dict[str, list[str]]:
    """For each name, the stripped source lines of the litellm packages that spell it as a word, with
    their file (line numbers move with every release; the lines themselves say what changed)."""
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")
    mentions: dict[str, list[str]] = {name: [] for name in names}
    for package in ("litellm", "litellm_proxy_extras", "litellm_enterprise"):
        for path in sorted((site_packages / package).rglob("*")):
            if path.suffix not in _SOURCE_SUFFIXES or "_experimental" in path.parts:
                continue
            relative = str(path.relative_to(site_packages))
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                for name in set(pattern.findall(line)):
                    mentions[name].append(f"{relative}: {line.strip()}")
    return mentions


def snapshot(site_packages: Path, chart: Path) -> dict[str, Any]:
    released = facts(site_packages)
    migrations_dir = site_packages / "litellm_proxy_extras" / "migrations"
    keys = program_keys()
    names = {key.split(".", 1)[1] for key in keys}
    mentions = source_mentions(site_packages, names)
    values = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8")) or {}
    return {
        **released,
        "migrationSql": {
            name: (migrations_dir / name / "migration.sql").read_text(encoding="utf-8")
            for name in released["migrations"]
        },
        "programKeys": {key: sorted(stacks) for key, stacks in sorted(keys.items())},
        "sourceMentions": {name: sorted(set(lines)) for name, lines in sorted(mentions.items())},
        "chart": {
            "ref": (chart / ".fetched-from").read_text(encoding="utf-8") if (chart / ".fetched-from").exists() else "",
            "chartYaml": yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8")),
            "valuesKeys": sorted(set(_flatten(values))),
            "files": {
                str(path.relative_to(chart)): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(chart.rglob("*"))
                if path.is_file() and path.name != ".fetched-from"
            },
        },
    }


def _diff(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    return sorted(set(new) - set(old)), sorted(set(old) - set(new))


def _bullets(items: list[str], empty: str = "none") -> str:
    return "\n".join(f"- `{item}`" for item in items) if items else f"- {empty}"


def key_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Keys the program sets whose mentions in LiteLLM's source changed: read no more, or read otherwise."""
    lines = []
    for key, stacks in new["programKeys"].items():
        name = key.split(".", 1)[1]
        before, after = old["sourceMentions"].get(name, []), new["sourceMentions"].get(name, [])
        added, removed = _diff(before, after)
        if not after:
            lines.append(f"- `{key}` ({', '.join(stacks)}): **no longer named anywhere in LiteLLM {new['litellm']}**")
        elif added or removed:
            lines.append(f"- `{key}` ({', '.join(stacks)}): {len(added)} source lines new, {len(removed)} gone")
            lines.extend(f"  - new: `{line}`" for line in added[:8])
            lines.extend(f"  - gone: `{line}`" for line in removed[:8])
            if len(added) > 8 or len(removed) > 8:
                lines.append("  - …")
    return lines


def schema_compatibility(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Apply the old release's migrations, then the new one's, to a fresh schema; return what the old
    release's schema had that the result lacks or defines otherwise, plus every NOT NULL column without a
    default the new migrations add to a table the old release writes (its inserts would fail)."""
    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    try:
        server.sql("CREATE SCHEMA litellm", database="postgres")
        new_only = [name for name in new["migrations"] if name not in old["migrations"]]

        def apply(names: list[str], sql: dict[str, str]) -> None:
            for name in names:
                server.sql(f"SET search_path TO litellm;\n{sql[name]}")

        apply(old["migrations"], old["migrationSql"])
        old_tables = server.sql(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'litellm' AND relkind = 'r'"
        ).split()
        before = set(server.sql(f"SET search_path TO litellm; {SCHEMA_CATALOG}").splitlines())
        apply(new_only, new["migrationSql"])
        after = set(server.sql(f"SET search_path TO litellm; {SCHEMA_CATALOG}").splitlines())
        problems = [f"changed or gone: `{entry}`" for entry in sorted(before - after)]
        problems += [
            f"NOT NULL without default on a table the old release writes: `{entry}`"
            for entry in sorted(after - before)
            if entry.startswith("column ")
            and entry.endswith(" not null")
            and entry.split(" ", 2)[1].split(".", 1)[0] in old_tables
        ]
        return problems
    finally:
        server.stop()


def report(old: dict[str, Any], new: dict[str, Any], tiers: str = "", problems: list[str] | None = None) -> str:
    """The Markdown report; `problems` is `schema_compatibility(old, new)` when the caller has it."""
    sections = [f"# LiteLLM {old['litellm']} -> {new['litellm']}: what the bump changes", ""]
    sections += ["## Config keys the stacks set whose handling changed in LiteLLM's source", ""]
    sections += key_changes(old, new) or ["- none: every key the stacks set is named by the same source lines"]
    sections += ["", "## Routes (`LiteLLMRoutes` groups)", ""]
    for group in sorted(set(old["routes"]) | set(new["routes"])):
        added, removed = _diff(old["routes"].get(group, []), new["routes"].get(group, []))
        if added or removed:
            sections += [f"### {group}", "", "added:", _bullets(added), "", "removed:", _bullets(removed), ""]
    added, removed = _diff(old["migrations"], new["migrations"])
    sections += ["## Migrations", "", "new:", _bullets(added), "", "gone:", _bullets(removed), ""]
    changed = sorted(
        name
        for name in set(old["migrations"]) & set(new["migrations"])
        if old["migrationSql"][name] != new["migrationSql"][name]
    )
    sections += ["edited after release (Prisma refuses a changed applied migration: checksum):", _bullets(changed), ""]
    sections += ["## The old release on the new schema (a canary's migrations run first)", ""]
    problems = schema_compatibility(old, new) if problems is None else problems
    sections += (
        [f"- **{problem}**" for problem in problems]
        if problems
        else [
            f"- compatible: every table, column, index, constraint and enum value of {old['litellm']}'s schema"
            " is unchanged after the new migrations, and none adds a NOT NULL column without default to its tables"
        ]
    )
    sections += ["", "## Providers", ""]
    added, removed = _diff(old["providers"], new["providers"])
    sections += ["added:", _bullets(added), "", "removed:", _bullets(removed), ""]
    sections += ["## Chart values", ""]
    added, removed = _diff(old["chart"]["valuesKeys"], new["chart"]["valuesKeys"])
    sections += ["added:", _bullets(added), "", "removed:", _bullets(removed), ""]
    files_old, files_new = old["chart"]["files"], new["chart"]["files"]
    sections += [
        "chart files changed:",
        _bullets(sorted(f for f in files_new if files_old.get(f, "") != files_new[f])),
        "",
    ]
    sections += ["chart files gone:", _bullets(sorted(set(files_old) - set(files_new))), ""]
    if tiers:
        sections += ["## Tiers on the new release", "", "```", tiers.strip(), "```", ""]
    return "\n".join(sections)


def record(path: Path, old: str, new: str, problems: list[str]) -> None:
    """Add `old -> new` to the schema-compatibility file (components/data/schema-compatibility.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["pairs"][f"{old} -> {new}"] = {"compatible": not problems, "problems": problems}
    data["pairs"] = dict(sorted(data["pairs"].items()))
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.upgrade_report", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot", help="print one release's snapshot as JSON")
    take.add_argument("site_packages", type=Path)
    take.add_argument("chart", type=Path)
    compare = commands.add_parser("report", help="print the report between two snapshots as Markdown")
    compare.add_argument("old", type=Path)
    compare.add_argument("new", type=Path)
    compare.add_argument("--tiers", type=Path, help="a file with the test summary to include")
    compare.add_argument(
        "--record", type=Path, help="the schema-compatibility file to add this pair's verdict to (for a canary)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "snapshot":
            print(json.dumps(snapshot(args.site_packages, args.chart), indent=1))
        else:
            old, new = (json.loads(path.read_text(encoding="utf-8")) for path in (args.old, args.new))
            problems = schema_compatibility(old, new)
            print(report(old, new, args.tiers.read_text(encoding="utf-8") if args.tiers else "", problems))
            if args.record:
                record(args.record, old["litellm"], new["litellm"], problems)
    except (OSError, subprocess.CalledProcessError, StopIteration, ValueError, KeyError) as exc:
        print(f"upgrade_report: {exc!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
