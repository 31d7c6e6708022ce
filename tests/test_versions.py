"""The default pins live in components/versions.py; the stack files, the chart sums, the fetch script
and the locks must agree with them, and requirements.txt holds only what the program needs."""

import json
import re
from pathlib import Path

import pytest

from components import versions
from components.settings import ChartSettings, ImageSettings
from components.stacks import read_stack_config

ROOT = Path(__file__).resolve().parent.parent
STACK_FILES = sorted(ROOT.glob("Pulumi.*.yaml"))
# Test and review tools: never needed by `pulumi preview`/`up`, so never in requirements.txt.
DEV_TOOLS = {"pytest", "ruff", "mypy", "helm-python-sdk", "kubernetes-validate", "pulumi-policy", "check-jsonschema"}
_VERSION_IN_TAG = re.compile(r"(\d+\.\d+\.\d+)")
_LITELLM_PIN = re.compile(r"^litellm(\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)
_REQUIREMENT_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def litellm_pins(text: str) -> list[str]:
    return [match.group(2) for match in _LITELLM_PIN.finditer(text)]


def requirement_names(text: str) -> set[str]:
    return {
        re.sub(r"[-_.]+", "-", name).lower()
        for line in text.splitlines()
        if (match := _REQUIREMENT_NAME.match(line.strip())) and not line.startswith((" ", "#", "-"))
        for name in [match.group(1)]
    }


def test_the_chart_ref_and_the_default_image_come_from_one_litellm_release():
    """The release's tag, or (for a release without one, scripts/bump-litellm.sh --chart-ref) a commit."""
    assert f"v{versions.LITELLM_VERSION}-stable" == versions.CHART_REF or re.fullmatch(
        r"[0-9a-f]{40}", versions.CHART_REF
    )
    assert versions.LITELLM_VERSION in versions.IMAGE_TAG
    assert (ChartSettings().ref, ChartSettings().repo_url, ChartSettings().path) == (
        versions.CHART_REF,
        versions.CHART_REPO_URL,
        versions.CHART_PATH,
    )
    assert (ImageSettings().repository, ImageSettings().tag) == (versions.IMAGE_REPOSITORY, versions.IMAGE_TAG)


def test_renovates_rule_finds_the_litellm_version_and_its_tag_format():
    (manager,) = json.loads((ROOT / "renovate.json").read_text(encoding="utf-8"))["customManagers"]
    assert manager["managerFilePatterns"] == ["/^components/versions\\.py$/"]
    source = (ROOT / "components" / "versions.py").read_text(encoding="utf-8")
    # Renovate's regexes are ECMAScript: named groups are `(?<name>`, Python's `(?P<name>`.
    (pattern,) = manager["matchStrings"]
    (found,) = [match.groupdict() for match in re.finditer(pattern.replace("(?<", "(?P<"), source)]
    assert (found["datasource"], found["depName"], found["currentValue"]) == (
        "github-tags",
        "BerriAI/litellm",
        versions.LITELLM_VERSION,
    )
    tag_to_version = re.compile(found["extractVersion"].replace("(?<", "(?P<"))
    assert tag_to_version.match(f"v{versions.LITELLM_VERSION}-stable")["version"] == versions.LITELLM_VERSION


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: path.name)
def test_every_stack_deploys_the_pinned_chart(path):
    chart = ChartSettings.model_validate(read_stack_config(path).get("litellm:chart") or {})
    assert (chart.ref, chart.repo_url, chart.path) == (versions.CHART_REF, versions.CHART_REPO_URL, versions.CHART_PATH)


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: path.name)
def test_a_stack_that_pins_an_image_version_pins_the_charts_release(path):
    """A moving tag (prod's `main-stable`) names no version; a versioned one must match the chart."""
    tag = ImageSettings.model_validate(read_stack_config(path).get("litellm:image") or {}).tag
    assert _VERSION_IN_TAG.findall(tag) in ([], [versions.LITELLM_VERSION])


def test_the_pinned_chart_has_committed_sums():
    assert (ROOT / "scripts" / "chart-sums" / f"{versions.CHART_REF}.sha256").is_file()


def test_the_fetch_script_defaults_to_the_pinned_chart():
    script = (ROOT / "scripts" / "fetch-chart.sh").read_text(encoding="utf-8")
    assert f'ref="${{1:-{versions.CHART_REF}}}"' in script
    assert f'repo="${{2:-{versions.CHART_REPO_URL}}}"' in script
    assert f'chart_path="${{3:-{versions.CHART_PATH}}}"' in script


def test_every_litellm_pin_in_the_requirement_files_is_the_pinned_release():
    files = sorted(ROOT.glob("requirements*.lock")) + sorted(ROOT.glob("requirements*.in"))
    pins = {path.name: litellm_pins(path.read_text(encoding="utf-8")) for path in files}
    assert {name: found for name, found in pins.items() if set(found) - {versions.LITELLM_VERSION}} == {}
    # The runtime tier's proxy is the pinned release: its files must pin it, not merely not pin another.
    assert (pins.get("requirements-runtime.in"), pins.get("requirements-runtime.lock")) == (
        [versions.LITELLM_VERSION],
        [versions.LITELLM_VERSION],
    )


def test_the_pin_check_reads_plain_and_extra_pins():
    assert litellm_pins("litellm==1.76.0 \\\n    --hash=sha256:00\nlitellm[proxy]==1.77.0\nlitellm-proxy==2\n") == [
        "1.76.0",
        "1.77.0",
    ]


def test_requirements_txt_holds_no_test_or_review_tool():
    assert requirement_names((ROOT / "requirements.txt").read_text(encoding="utf-8")) & DEV_TOOLS == set()


@pytest.mark.parametrize(
    ("lock", "sources"),
    [
        ("requirements-dev.lock", ["requirements.txt", "requirements-dev.txt"]),
        ("requirements-mutation.lock", ["requirements.txt", "requirements-dev.txt", "requirements-mutation.txt"]),
    ],
)
def test_the_lock_pins_every_requirement(lock, sources):
    """A requirement added without refreshing the lock would never be installed by setup, CI or the
    mutation workflow."""
    locked = requirement_names((ROOT / lock).read_text(encoding="utf-8"))
    wanted = set().union(*(requirement_names((ROOT / source).read_text(encoding="utf-8")) for source in sources))
    assert wanted - locked == set()


def test_the_mutation_lock_changes_no_dev_tool():
    """Installed into .venv on top of the dev lock, the mutation lock must not move a dev pin."""
    dev = set((ROOT / "requirements-dev.lock").read_text(encoding="utf-8").split())
    mutation = set((ROOT / "requirements-mutation.lock").read_text(encoding="utf-8").split())
    pins = {word for word in dev if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", word)}
    assert pins - mutation == set()
