"""The set-up command: a line per step saying what it installs and how big, the program-only path the preview and
deploy workflows use, and a failure that names its step and the way out. Run in a scratch copy, with `python3`
replaced by one whose venvs install nothing (their python is the project's), so no test downloads anything."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from components.stacks import PROGRAM_DIR

pytestmark = pytest.mark.slow


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _scratch(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "repo"
    for name in ("scripts", "components", "offline", "tools", "engine"):
        shutil.copytree(PROGRAM_DIR / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for stack_file in PROGRAM_DIR.glob("Pulumi*.yaml"):
        shutil.copy2(stack_file, root / stack_file.name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # `python3 -m venv DIR`: a venv whose pip installs nothing and whose python is this test's interpreter.
    _executable(
        bin_dir / "python3",
        "#!/bin/sh\n"
        'mkdir -p "$3/bin"\n'
        f'printf "#!/bin/sh\\nexec {sys.executable} \\"\\$@\\"\\n" > "$3/bin/python"\n'
        'chmod +x "$3/bin/python"\n'
        'printf "#!/bin/sh\\nexit 0\\n" > "$3/bin/pip"\n'
        'chmod +x "$3/bin/pip"\n',
    )
    _executable(
        bin_dir / "git", "#!/bin/sh\necho \"fatal: unable to access 'https://github.com/': offline\" >&2\nexit 128\n"
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return root, env


def _setup(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/setup.sh", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_program_only_path_fetches_the_program_and_the_chart_and_nothing_else(tmp_path):
    root, env = _scratch(tmp_path)
    env["CHART_COPIES"] = str(PROGRAM_DIR / "vendor" / "charts" / "litellm-helm")
    result = _setup(root, env, "--program")
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line for line in result.stdout.splitlines() if line.startswith("setup: [")]
    assert [line.split(":")[1].split("]")[1].strip() for line in steps] == ["program", "chart"]
    assert all("MB" in line for line in steps), steps
    assert result.stdout.splitlines()[-1] == "setup: done (program only)"
    assert not (root / ".venv-runtime").exists()
    assert (root / "vendor" / "charts" / "litellm-helm").is_dir()


def test_a_failed_step_names_itself_and_the_way_out(tmp_path):
    """Without ../shared and without GitHub, the chart step fails at once, saying how to work offline."""
    root, env = _scratch(tmp_path)
    env["CHART_COPIES"] = str(tmp_path / "no-copies")
    result = _setup(root, env)
    assert result.returncode != 0
    assert "setup: [2/7] chart:" in result.stdout
    assert "setup: step [2/7] chart failed. Without access to github.com" in result.stderr
    assert "scripts/fetch-chart.sh --from" in result.stderr
    assert "[3/7]" not in result.stdout
