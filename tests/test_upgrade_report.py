"""The bump's report (scripts/upgrade_report.py) and its guard rails (scripts/bump-litellm.sh); the schema
check between two releases runs on a real PostgreSQL."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scripts.upgrade_report import key_changes, record, report, schema_compatibility

ROOT = Path(__file__).resolve().parent.parent
BASE = {"1_base": 'CREATE TABLE "A" ("id" TEXT NOT NULL, "x" INTEGER, CONSTRAINT "A_pkey" PRIMARY KEY ("id"));'}


def _snapshot(version: str, migrations: dict[str, str], **changes: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "litellm": version,
        "providers": ["openai"],
        "routes": {"openai_routes": ["/v1/chat/completions"]},
        "migrations": sorted(migrations),
        "migrationSql": migrations,
        "programKeys": {"router_settings.allowed_fails": ["prod"]},
        "sourceMentions": {"allowed_fails": ["litellm/router.py: allowed_fails: Optional[int] = None"]},
        "chart": {"valuesKeys": ["image.tag"], "files": {"Chart.yaml": "1"}},
    }
    snapshot.update(changes)
    return snapshot


@pytest.mark.parametrize(
    ("new_sql", "expected"),
    [
        ('ALTER TABLE "A" ADD COLUMN "y" TEXT; CREATE TABLE "B" ("n" INTEGER NOT NULL DEFAULT 0);', []),
        ('ALTER TABLE "A" DROP COLUMN "x";', ["changed or gone: `column A.x integer`"]),
        ('ALTER TABLE "A" ALTER COLUMN "x" TYPE BIGINT;', ["changed or gone: `column A.x integer`"]),
        (
            'ALTER TABLE "A" ADD COLUMN "z" TEXT NOT NULL;',
            ["NOT NULL without default on a table the old release writes: `column A.z text not null`"],
        ),
    ],
    ids=["additive", "drop", "retype", "not-null"],
)
def test_the_old_schema_after_the_new_migrations(new_sql, expected):
    old = _snapshot("1.0.0", BASE)
    new = _snapshot("2.0.0", {**BASE, "2_next": new_sql})
    assert schema_compatibility(old, new) == expected


def test_the_report_lists_routes_migrations_chart_values_and_keys_no_longer_read():
    old = _snapshot("1.0.0", BASE)
    new = _snapshot(
        "2.0.0",
        {**BASE, "2_next": 'ALTER TABLE "A" ADD COLUMN "y" TEXT;'},
        routes={"openai_routes": ["/v1/chat/completions", "/v1/responses"]},
        sourceMentions={"allowed_fails": []},
        chart={"valuesKeys": ["image.tag", "pdb.enabled"], "files": {"Chart.yaml": "2"}},
    )
    text = report(old, new, tiers="1 passed", problems=[])
    assert "### openai_routes\n\nadded:\n- `/v1/responses`" in text
    assert "## Migrations\n\nnew:\n- `2_next`" in text
    assert "## Chart values\n\nadded:\n- `pdb.enabled`" in text
    assert "chart files changed:\n- `Chart.yaml`" in text
    assert "- `router_settings.allowed_fails` (prod): **no longer named anywhere in LiteLLM 2.0.0**" in text
    assert "- compatible:" in text and "1 passed" in text


def test_a_key_read_by_other_lines_is_listed_with_them():
    old = _snapshot("1.0.0", BASE)
    moved = ["litellm/router.py: allowed_fails: Optional[int] = 3"]
    assert key_changes(old, _snapshot("2.0.0", BASE, sourceMentions={"allowed_fails": moved})) == [
        "- `router_settings.allowed_fails` (prod): 1 source lines new, 1 gone",
        "  - new: `litellm/router.py: allowed_fails: Optional[int] = 3`",
        "  - gone: `litellm/router.py: allowed_fails: Optional[int] = None`",
    ]
    assert key_changes(old, old) == []


def test_the_verdict_is_recorded_for_canaries(tmp_path):
    path = tmp_path / "schema-compatibility.json"
    path.write_text(json.dumps({"source": "test", "pairs": {}}))
    record(path, "1.0.0", "2.0.0", ["changed or gone: `column A.x integer`"])
    assert json.loads(path.read_text())["pairs"] == {
        "1.0.0 -> 2.0.0": {"compatible": False, "problems": ["changed or gone: `column A.x integer`"]}
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["1.80"], "'1.80' is not a release version"),
        (["1.80.0"], "--chart-ref is required"),
        (["1.80.0", "--chart-ref", "x", "--nope", "y"], "unknown option --nope"),
    ],
)
def test_the_bump_refuses_bad_arguments(arguments, message):
    result = subprocess.run(
        [ROOT / "scripts" / "bump-litellm.sh", *arguments], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and message in result.stderr
