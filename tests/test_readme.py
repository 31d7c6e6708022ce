"""The README and docs/ state what the code does: the generated config reference, the commands, the links."""

import re
from pathlib import Path

import pytest

from scripts.config_reference import REFERENCE, with_reference

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def test_config_reference_is_generated_from_the_settings_models():
    page = REFERENCE.read_text(encoding="utf-8")
    assert with_reference(page) == page, "run: .venv/bin/python -m scripts.config_reference --write"


def test_ci_runs_the_readme_setup_and_test_commands_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    for command in (
        "bash scripts/setup.sh",
        ".venv/bin/python -m pytest -q",
    ):
        assert command in readme and command in ci


def test_readme_stays_a_first_read():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 300, "move detail into docs/"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'."""
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def _relative_links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return [link for link in _LINK.findall(text) if not re.match(r"^[a-z]+:", link)]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path):
    broken = []
    for link in _relative_links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no file {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(f"{link}: no heading with anchor #{anchor}")
    assert not broken, broken


def test_link_check_sees_a_broken_link(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n[ok](#title) [gone](missing.md) [bad](#nothing)\n", encoding="utf-8")
    links = _relative_links(page)
    assert links == ["#title", "missing.md", "#nothing"]
    assert _anchors(page) == {"title"}
