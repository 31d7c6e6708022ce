"""scripts/fetch-chart.sh verifies the chart against the committed SHA-256 sums of every file at the
ref, whether it fetches from git or copies a folder (`--from`), and writes nothing on a mismatch."""

import shutil
import subprocess
from pathlib import Path

import pytest

from components.versions import CHART_REF
from tests.conftest import fetched_chart

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "fetch-chart.sh"


def fetch(source: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), "--from", str(source), "--to", str(dest), CHART_REF],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the verified chart, as another machine's pre-fetched folder would be."""
    folder = tmp_path / "copy"
    shutil.copytree(fetched_chart(), folder)
    return folder


def test_a_faithful_copy_is_verified_and_written_with_its_record(copy, tmp_path):
    result = fetch(copy, tmp_path / "dest")
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(tmp_path / "dest").as_posix() for p in (tmp_path / "dest").rglob("*") if p.is_file())
    sums = (ROOT / "scripts" / "chart-sums" / f"{CHART_REF}.sha256").read_text().splitlines()
    assert written == sorted([line.split("  ", 1)[1] for line in sums] + [".fetched-from"])
    assert f"ref: {CHART_REF}\n" in (tmp_path / "dest" / ".fetched-from").read_text()


@pytest.mark.parametrize(
    "tamper, named",
    [
        (
            lambda c: (c / "templates" / "deployment.yaml").write_text("kind: Deployment\n"),
            "templates/deployment.yaml (changed)",
        ),
        (lambda c: (c / "values.yaml").unlink(), "values.yaml (missing)"),
        (
            lambda c: (c / "templates" / "extra.yaml").write_text("kind: Pod\n"),
            "templates/extra.yaml (not in the sums)",
        ),
    ],
    ids=["changed", "missing", "added"],
)
def test_a_tampered_copy_fails_naming_the_file_and_writes_nothing(copy, tmp_path, tamper, named):
    tamper(copy)
    result = fetch(copy, tmp_path / "dest")
    assert result.returncode == 1
    assert named in result.stderr
    assert not (tmp_path / "dest").exists()


def test_a_ref_without_committed_sums_is_refused(copy, tmp_path):
    result = subprocess.run(
        ["bash", str(SCRIPT), "--from", str(copy), "--to", str(tmp_path / "dest"), "v9.9.9-stable"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "no committed SHA-256 sums for v9.9.9-stable" in result.stderr
