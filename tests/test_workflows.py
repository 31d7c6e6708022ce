"""The GitHub Actions workflows are valid and run what the README and the stacks say."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from components.stacks import committed_stacks

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
    assert files
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


def test_the_mutation_workflow_installs_mutmut_before_the_pass_runs_it():
    """The pass runs `.venv/bin/mutmut` (scripts/mutation-pass.sh), which no dev requirement installs."""
    lines = run_lines(workflow("mutation.yml")["jobs"]["sample"])
    install = ".venv/bin/pip install -q -r requirements-mutation.lock"
    (first_pass,) = [index for index, line in enumerate(lines) if line.startswith("scripts/mutation-pass.sh")]
    assert lines.index(SETUP_COMMAND) < lines.index(install) < first_pass
    assert ".venv/bin/mutmut run" in (ROOT / "scripts" / "mutation-pass.sh").read_text(encoding="utf-8")
    assert re.search(r"^mutmut==", (ROOT / "requirements-mutation.lock").read_text(encoding="utf-8"), re.MULTILINE)


NOT_DEPLOYED_FILE = ROOT / ".github" / "stacks-not-deployed.txt"


def not_deployed() -> set[str]:
    lines = NOT_DEPLOYED_FILE.read_text(encoding="utf-8").splitlines()
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def deployed() -> dict[str, str]:
    """Stack -> the deploy job that runs `pulumi up` on it."""
    return {job["with"]["stack"]: name for name, job in workflow("deploy.yml")["jobs"].items()}


def test_preview_covers_every_stack_file():
    preview = workflow("preview.yml")["jobs"]["preview"]
    assert preview["uses"] == STACK_CALL and preview["with"]["command"] == "preview"
    previewed = {entry["stack"] for entry in preview["strategy"]["matrix"]["include"]}
    missing = sorted(set(committed_stacks()) - previewed)
    assert not missing, (
        f"Pulumi.{missing[0]}.yaml is not previewed: add `- stack: {missing[0]}` (with its kubeconfig-secret) to the"
        " matrix of .github/workflows/preview.yml (docs/environments.md)"
    )
    unknown = sorted(previewed - set(committed_stacks()))
    assert not unknown, f"preview.yml previews stack {unknown[0]!r}, which has no Pulumi.{unknown[0]}.yaml"


def test_every_stack_file_is_deployed_or_listed_as_not_deployed():
    for stack in committed_stacks():
        assert stack in deployed() or stack in not_deployed(), (
            f"Pulumi.{stack}.yaml is neither deployed by .github/workflows/deploy.yml nor listed in"
            f" {NOT_DEPLOYED_FILE.relative_to(ROOT)}: add a deploy job for it after the stack it is promoted from, or"
            " list it there with the reason (docs/environments.md)"
        )
        assert not (stack in deployed() and stack in not_deployed()), (
            f"{stack!r} is deployed by deploy.yml and also listed in {NOT_DEPLOYED_FILE.relative_to(ROOT)}"
        )


def test_every_deployed_or_listed_stack_has_a_stack_file():
    for stack in sorted(set(deployed()) | not_deployed()):
        assert stack in committed_stacks(), f"{stack!r} is deployed or listed, but Pulumi.{stack}.yaml does not exist"


def test_deploy_promotes_dev_then_staging_then_prod():
    """One chain of `pulumi up` jobs, each waiting for the one before; an environment added in between keeps it."""
    jobs = workflow("deploy.yml")["jobs"]
    chain = [name for name, job in jobs.items() if not job.get("needs")]
    assert len(chain) == 1, f"deploy.yml must start from one job, not {chain}"
    while True:
        following = [name for name, job in jobs.items() if job.get("needs") in (chain[-1], [chain[-1]])]
        if not following:
            break
        assert len(following) == 1, f"{following} all follow {chain[-1]!r}: promote through one chain"
        chain.append(following[0])
    assert sorted(chain) == sorted(jobs), f"jobs outside the promotion chain: {sorted(set(jobs) - set(chain))}"
    stacks = [jobs[name]["with"]["stack"] for name in chain]
    assert stacks[0] == "dev" and stacks[-1] == "prod" and stacks.index("staging") < stacks.index("prod")
    assert {job["uses"] for job in jobs.values()} == {STACK_CALL}
    assert {job["with"]["command"] for job in jobs.values()} == {"up"}


def test_prod_deploy_runs_in_the_prod_environment_that_holds_the_approval():
    assert workflow("deploy.yml")["jobs"]["prod"]["with"]["environment"] == "prod"


def test_every_pulumi_command_runs_with_the_policy_pack():
    steps = workflow("pulumi.yml")["jobs"]["pulumi"]["steps"]
    (pulumi,) = [step for step in steps if step.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["policyPacks"] == "policy"
    assert (ROOT / "policy" / "PulumiPolicy.yaml").is_file()


# Inputs of the action (action.yml of pulumi/actions, every release since v3), and the first release
# that runs a policy pack from a local folder (CHANGELOG.md 3.18.0, "add support for local policy
# packs", pulumi/actions#658).
PULUMI_ACTION_INPUTS = {
    "command", "stack-name", "work-dir", "comment-on-pr", "github-token", "cloud-url", "secrets-provider",
    "parallel", "message", "expect-no-changes", "diff", "replace", "target", "target-dependents", "policyPacks",
    "policyPackConfigs", "refresh", "upsert", "edit-pr-comment", "color",
}  # fmt: skip
LOCAL_POLICY_PACKS_SINCE = (3, 18, 0)


def pinned_release(ref: str) -> tuple[int, ...] | None:
    """The release a `uses:` ref names (`v6` = the latest 6.x.y, `v3.18.0`), None for a branch or commit."""
    match = re.fullmatch(r"v(\d+)(?:\.(\d+)\.(\d+))?", ref)
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def test_pulumi_action_is_a_release_that_runs_local_policy_packs_with_the_inputs_given():
    steps = workflow("pulumi.yml")["jobs"]["pulumi"]["steps"]
    (pulumi,) = [step for step in steps if step.get("uses", "").startswith("pulumi/actions@")]
    release = pinned_release(pulumi["uses"].removeprefix("pulumi/actions@"))
    assert release is not None, "pin pulumi/actions to a release tag, not a branch"
    assert release >= LOCAL_POLICY_PACKS_SINCE[: len(release)]
    assert set(pulumi["with"]) <= PULUMI_ACTION_INPUTS


def test_release_pin_check_tells_releases_from_branches():
    assert [pinned_release(ref) for ref in ("v6", "v3.18.0", "main", "v6-beta")] == [(6,), (3, 18, 0), None, None]


def test_previews_and_deployments_set_up_the_program_only():
    """`pulumi preview`/`up` and the render diff need .venv and the chart; the test tiers' servers, venvs and Go
    builds would only add minutes to every pull request."""
    steps = workflow("pulumi.yml")["jobs"]["pulumi"]["steps"]
    lines = [line.strip() for step in steps if "run" in step for line in step["run"].splitlines()]
    assert f"{SETUP_COMMAND} --program" in lines
    assert SETUP_COMMAND not in lines


def test_workflows_that_run_the_full_set_up_install_the_go_it_builds_with():
    """scripts/setup.sh builds the engine tier and promtool with Go, at the version engine/go.mod names."""
    for name in ("test.yml", "mutation.yml"):
        (job,) = workflow(name)["jobs"].values()
        setup_go = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-go@")]
        assert setup_go and setup_go[0]["with"]["go-version-file"] == "engine/go.mod", name
