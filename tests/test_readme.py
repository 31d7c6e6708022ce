"""The README and docs/ stay usable: the generated config reference is current, every page is listed in
both indexes, and every link resolves."""

import re
from pathlib import Path

import pytest

from scripts.config_reference import REFERENCE, with_reference

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, ROOT / "tests" / "README.md", *sorted(DOCS.glob("*.md"))]
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def test_config_reference_is_generated_from_the_settings_models():
    page = REFERENCE.read_text(encoding="utf-8")
    assert with_reference(page) == page, "run: .venv/bin/python -m scripts.config_reference --write"


def readme_documentation_table() -> set[str]:
    """The docs/ pages in the table of the README's "Documentation" section."""
    section = README.read_text(encoding="utf-8").split("\n## Documentation\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"\]\(docs/([\w-]+\.md)\)", row)}


def docs_index() -> set[str]:
    """The pages listed in docs/README.md."""
    items = [line for line in (DOCS / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("- [")]
    return {name for item in items for name in re.findall(r"\]\(([\w-]+\.md)\)", item)}


def test_the_readme_and_the_docs_index_list_every_docs_page():
    pages = {path.name for path in DOCS.glob("*.md")} - {"README.md"}
    in_readme, in_index = readme_documentation_table(), docs_index()
    assert {
        "only in the README": sorted(in_readme - in_index),
        "only in docs/README.md": sorted(in_index - in_readme),
        "in neither": sorted(pages - in_readme - in_index),
    } == {"only in the README": [], "only in docs/README.md": [], "in neither": []}
    assert in_readme == pages


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
