"""The GitHub Actions workflows are valid and run what the README and the stacks say."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SETUP_COMMAND = "bash scripts/setup.sh"
TEST_COMMAND = ".venv/bin/python -m pytest -q"
CHECK_COMMANDS = [".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"]
STACK_CALL = "./.github/workflows/pulumi.yml"


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def run_lines(job: dict[str, Any]) -> list[str]:
    return [line.strip() for step in job["steps"] if "run" in step for line in step["run"].splitlines()]


def test_every_workflow_matches_the_github_workflow_schema():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 4
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_test_workflow_runs_the_readme_setup_and_test_commands_and_the_checks_of_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = run_lines(workflow("test.yml")["jobs"]["test"])
    assert lines == [SETUP_COMMAND, *CHECK_COMMANDS, TEST_COMMAND]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-5:] == lines
    assert SETUP_COMMAND in readme and TEST_COMMAND in readme


def test_preview_covers_every_stack_file():
    stacks = {path.name.split(".")[1] for path in ROOT.glob("Pulumi.*.yaml")}
    preview = workflow("preview.yml")["jobs"]["preview"]
    assert preview["uses"] == STACK_CALL and preview["with"]["command"] == "preview"
    assert {entry["stack"] for entry in preview["strategy"]["matrix"]["include"]} == stacks


def test_deploy_promotes_dev_then_staging_then_prod():
    jobs = workflow("deploy.yml")["jobs"]
    assert [(name, job.get("needs"), job["with"]["stack"]) for name, job in jobs.items()] == [
        ("dev", None, "dev"),
        ("staging", "dev", "staging"),
        ("prod", "staging", "prod"),
    ]
    assert {job["uses"] for job in jobs.values()} == {STACK_CALL}
    assert {job["with"]["command"] for job in jobs.values()} == {"up"}


def test_prod_deploy_runs_in_the_prod_environment_that_holds_the_approval():
    assert workflow("deploy.yml")["jobs"]["prod"]["with"]["environment"] == "prod"


def test_every_pulumi_command_runs_with_the_policy_pack():
    steps = workflow("pulumi.yml")["jobs"]["pulumi"]["steps"]
    (pulumi,) = [step for step in steps if step.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["uses"] == "pulumi/actions@v6"
    assert pulumi["with"]["policyPacks"] == "policy"
    assert (ROOT / "policy" / "PulumiPolicy.yaml").is_file()
