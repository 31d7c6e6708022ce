"""Everything in the repository cites only what a clone has: its own files, or upstream files at a tag.

Notes kept outside the repository (design notes, fact sheets, review findings, the issue tracker)
are gone for anyone who clones it, so a comment, test or doc that points at them points nowhere.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".sh", ".toml", ".txt", ".cfg", ".ini"}
NOT_OURS = {".git", ".venv", ".venv-runtime", "__pycache__", "vendor", "rendered", "mutants", ".pytest_cache"}

# Each pattern names what it catches; a hit is a citation of something outside the repository. A
# copy of the chart next to the clone (`../shared/charts/`, which scripts/setup.sh uses when it is
# there and fetches from git otherwise) is a place to read from, not a citation.
OUTSIDE_REFERENCES = {
    "the notes folder next to the repository": re.compile(r"(\.\./|(?<![\w.-]))shared/(?!charts/)|\.\./shared\b(?!/)"),
    "a design or style note": re.compile(r"\b(DESIGN|STYLE)\.md\b"),
    "a fact sheet": re.compile(r"\bfacts?[-_ ](file|sheet)\b|-facts\.md\b|\bshared facts\b", re.IGNORECASE),
    "a review file or its defect ids": re.compile(r"-review\.md\b|\bdefects? D\d+\b|\(D\d+(, D\d+)*\)"),
    "this project's issue numbers": re.compile(r"^\W*Issues? \d+\b|\bissues? #\d+\b", re.IGNORECASE | re.MULTILINE),
}


def files_to_check() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if NOT_OURS & set(relative.parts[:-1]) or not path.is_file() or path == Path(__file__).resolve():
            continue
        if path.suffix in TEXT_SUFFIXES or path.parent.name == ".ci":
            found.append(path)
    return found


def outside_references(text: str) -> list[str]:
    return [
        f"line {text.count(chr(10), 0, match.start()) + 1}: {what} ({match.group(0)!r})"
        for what, pattern in OUTSIDE_REFERENCES.items()
        for match in pattern.finditer(text)
    ]


def test_code_tests_and_docs_cite_nothing_outside_the_repository():
    files = files_to_check()
    assert any(path.name == "__main__.py" for path in files) and any(path.suffix == ".md" for path in files)
    found = {
        str(path.relative_to(ROOT)): hits
        for path in files
        if (hits := outside_references(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert found == {}, "cite a file in the repository (e.g. docs/chart-contract.md) or an upstream file:line at a tag"


def test_the_check_catches_each_kind_of_outside_reference():
    cited = [
        "as described in ../shared/litellm-helm-v1.76.1-facts.md",
        "see shared/DESIGN.md",
        "Ref: shared facts, section 3.",
        "written out from DESIGN.md",
        "the facts file (section 7)",
        "see litellm-1.76.1-review.md",
        "the review found it (D3, D5)",
        '"""Issue 6: the render command."""',
    ]
    assert [bool(outside_references(text)) for text in cited] == [True] * len(cited)


def test_the_check_lets_upstream_citations_and_ordinary_words_through():
    fine = [
        "Ref: https://github.com/BerriAI/litellm/issues/13028",
        "templates/_helpers.tpl:48-51 at the tag (docs/chart-contract.md)",
        "the shared router state in Redis",
        "a shared dev cluster",
        'chart_copies="${CHART_COPIES:-../shared/charts/litellm-helm}"',
        "def shared_cache_warnings(settings):",
    ]
    assert [outside_references(text) for text in fine] == [[]] * len(fine)
