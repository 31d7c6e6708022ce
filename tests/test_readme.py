"""The README states what the code does: the config reference and the test command."""

from pathlib import Path

from scripts.config_reference import readme_with_reference

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_config_reference_in_readme_is_generated_from_the_settings_models():
    assert readme_with_reference(README) == README, "run: .venv/bin/python -m scripts.config_reference --write"


def test_ci_runs_the_readme_setup_and_test_commands_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in (
        "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt",
        ".venv/bin/python -m pytest -q",
    ):
        assert command in README and command in ci
