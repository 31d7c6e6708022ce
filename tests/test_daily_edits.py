"""The edits the docs walk a user through, made in a scratch copy of the repository: the tests that hold the
stacks to the workflows, the URNs and the pins stay green without touching a test."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from components.stacks import PROGRAM_DIR
from tests.conftest import scratch_copy

DOCS = PROGRAM_DIR / "docs"
pytestmark = pytest.mark.slow

STACK_TESTS = ["tests/test_workflows.py", "tests/test_promotion.py", "tests/test_urns.py", "tests/test_versions.py"]
MODEL_TESTS = [
    "tests/test_program.py",
    "tests/test_secrets.py",
    "tests/test_urns.py",
    "tests/test_chart.py",
    "-k",
    "staging",
]


def doc_yaml_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, check=False)


def test_adding_an_environment_as_docs_environments_md_says_keeps_the_tests_green(tmp_path):
    root = scratch_copy(tmp_path)
    # 1. The stack file, from the closest environment, with what must not be shared changed (the doc's table).
    document = yaml.safe_load((root / "Pulumi.staging.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    config["litellm:database"] = {**config["litellm:database"], "name": "qa"}
    config["litellm:redis"]["cache"].pop("namespace")
    config["litellm:publicUrl"] = "https://litellm.api.qa.example.org"
    (root / "Pulumi.qa.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    # 3. The workflows (edited as text: a YAML round trip would turn their `on:` into `true:`): the preview
    # matrix, and the deploy job exactly as the doc gives it, between staging and prod.
    preview = root / ".github/workflows/preview.yml"
    entry = "          - stack: dev\n            kubeconfig-secret: PREVIEW_KUBECONFIG_DEV\n"
    text = preview.read_text(encoding="utf-8")
    assert entry in text
    preview.write_text(
        text.replace(entry, entry + "          - stack: qa\n            kubeconfig-secret: PREVIEW_KUBECONFIG_QA\n"),
        encoding="utf-8",
    )
    (snippet,) = [block for block in doc_yaml_blocks("environments.md") if block.startswith("qa:")]
    job, promoted = snippet.split("\nprod:\n")
    assert yaml.safe_load(promoted) == {"needs": "qa"}
    deploy = root / ".github/workflows/deploy.yml"
    text = deploy.read_text(encoding="utf-8")
    assert "  prod:\n    needs: staging\n" in text
    qa_job = "".join(f"  {line}\n" if line else "\n" for line in job.rstrip().splitlines())
    deploy.write_text(text.replace("  prod:\n    needs: staging\n", f"{qa_job}\n  prod:\n    needs: qa\n"), "utf-8")
    # 4. The URNs, written by the command the doc gives.
    written = run(root, "-m", "scripts.urns", "qa", "--write")
    assert written.returncode == 0, written.stderr
    # 5. Check.
    tests = run(root, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *STACK_TESTS)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "qa" in (root / "tests/urns/qa.txt").read_text(encoding="utf-8")


def test_adding_a_model_of_another_provider_as_docs_models_md_says_keeps_the_tests_green(tmp_path):
    """The tests give every provider key a stack names a fake value (tests/conftest.py); the runtime tier's fake
    provider answers any provider (tests/runtime/test_any_provider.py)."""
    root = scratch_copy(tmp_path)
    stack_file = root / "Pulumi.staging.yaml"
    (snippet,) = [block for block in doc_yaml_blocks("models.md") if "mistral/" in block]
    text = stack_file.read_text(encoding="utf-8")
    assert "  litellm:models:\n" in text
    added = "".join(f"    {line}\n" for line in snippet.strip().splitlines())
    stack_file.write_text(text.replace("  litellm:models:\n", f"  litellm:models:\n{added}"), encoding="utf-8")
    models = yaml.safe_load(stack_file.read_text(encoding="utf-8"))["config"]["litellm:models"]
    assert any(model["apiKeyEnv"] == "MISTRAL_API_KEY" for model in models)
    tests = run(root, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *MODEL_TESTS)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
