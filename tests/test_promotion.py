"""Promotion: prod deploys only after staging is healthy after its rollout, not when staging's job ends."""

import copy
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from scripts.wait_healthy import application_verdict, main

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SINCE = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SOURCE = {"repoURL": "https://github.com/BerriAI/litellm.git", "helm": {"valuesObject": {"replicaCount": 3}}}


def _application(**status: dict) -> dict:
    base: dict[str, dict] = {
        "spec": {"source": copy.deepcopy(SOURCE)},
        "status": {
            "sync": {"status": "Synced", "comparedTo": {"source": copy.deepcopy(SOURCE)}},
            "health": {"status": "Healthy"},
            "operationState": {"phase": "Succeeded", "startedAt": "2026-01-01T12:00:30Z"},
        },
    }
    base["status"].update(status)
    return base


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_synced_and_healthy_on_the_new_spec_is_healthy():
    assert application_verdict(_application(), SINCE)[0] == "healthy"


def test_an_application_still_showing_the_old_spec_is_not_healthy_yet():
    stale = _application(sync={"status": "Synced", "comparedTo": {"source": {"repoURL": "old"}}})
    assert application_verdict(stale, SINCE) == ("waiting", "ArgoCD has not compared the new spec yet")


@pytest.mark.parametrize(
    "status, why",
    [
        ({"sync": {"status": "OutOfSync", "comparedTo": {"source": SOURCE}}}, "sync status OutOfSync"),
        ({"health": {"status": "Progressing"}}, "health Progressing"),
        ({"health": {"status": "Degraded"}}, "health Degraded"),
        ({"operationState": {"phase": "Running", "startedAt": "2026-01-01T12:00:30Z"}}, "sync operation Running"),
    ],
)
def test_a_rollout_in_progress_is_waited_for(status, why):
    assert application_verdict(_application(**status), SINCE) == ("waiting", why)


def test_a_failed_sync_since_the_rollout_started_fails_at_once():
    failed = _application(
        operationState={
            "phase": "Failed",
            "startedAt": "2026-01-01T12:00:30Z",
            "message": "one or more synchronization tasks completed unsuccessfully (PreSync Job litellm-migrations)",
        }
    )
    verdict, why = application_verdict(failed, SINCE)
    assert verdict == "failed" and "litellm-migrations" in why


def test_a_failed_sync_from_before_the_rollout_is_not_its_verdict():
    old_failure = _application(operationState={"phase": "Failed", "startedAt": "2026-01-01T11:00:00Z"})
    assert application_verdict(old_failure, SINCE)[0] == "healthy"


def _fake_kubectl(tmp_path: Path, answers: list[dict]) -> None:
    """A `kubectl` that answers `get` with the next Application of `answers` (the last one repeats)."""
    for index, answer in enumerate(answers):
        (tmp_path / f"answer-{index}.json").write_text(json.dumps(answer))
    script = tmp_path / "kubectl"
    script.write_text(
        "#!/bin/sh\n"
        f'cd "{tmp_path}"\n'
        "n=$(cat count 2>/dev/null || echo 0)\n"
        f"[ -f answer-$n.json ] || n={len(answers) - 1}\n"
        'printf "%s\\n" "$*" >> calls\n'
        "cat answer-$n.json\n"
        "echo $((n + 1)) > count\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_the_wait_ends_once_argocd_reports_the_new_spec_synced_and_healthy(tmp_path, monkeypatch, capsys):
    stale = _application(sync={"status": "Synced", "comparedTo": {"source": {"repoURL": "old"}}})
    progressing = _application(health={"status": "Progressing"})
    _fake_kubectl(tmp_path, [stale, progressing, _application()])
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["staging", "--since", "2026-01-01T12:00:00Z", "--interval", "0", "--timeout", "30"]) == 0
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == ["-n argocd get applications.argoproj.io litellm -o json"] * 3
    assert "staging is healthy" in capsys.readouterr().out


def test_the_wait_fails_when_the_migration_hook_fails(tmp_path, monkeypatch, capsys):
    failed = _application(operationState={"phase": "Failed", "startedAt": "2026-01-01T12:01:00Z", "message": "hook"})
    _fake_kubectl(tmp_path, [failed])
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["staging", "--since", "2026-01-01T12:00:00Z", "--interval", "0", "--timeout", "30"]) == 1
    assert "sync operation Failed: hook" in capsys.readouterr().err


def test_the_wait_gives_up_at_the_timeout(tmp_path, monkeypatch, capsys):
    _fake_kubectl(tmp_path, [_application(health={"status": "Degraded"})])
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["staging", "--since", "2026-01-01T12:00:00Z", "--interval", "0.1", "--timeout", "0.5"]) == 1
    assert "not healthy after 0s: health Degraded" in capsys.readouterr().err


def test_a_helm_stack_waits_for_the_deployment_rollout(tmp_path, monkeypatch):
    script = tmp_path / "kubectl"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" > "{tmp_path}/calls"\necho rolled out\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["dev", "--since", "2026-01-01T12:00:00Z", "--timeout", "900"]) == 0
    assert (tmp_path / "calls").read_text().split() == [
        "-n",
        "litellm",
        "rollout",
        "status",
        "deployment/litellm",
        "--timeout=900s",
    ]


def test_deployments_form_one_chain_that_ends_in_prod_each_step_waiting_until_healthy():
    """Whatever stacks the chain holds (docs/environments.md adds one): each job needs the one before it, prod
    comes last, and a stack another is promoted from is healthy after its rollout before the next one starts."""
    jobs = _workflow("deploy.yml")["jobs"]
    first = [name for name, job in jobs.items() if "needs" not in job]
    assert len(first) == 1, f"the chain must start at one job, not {first}"
    chain = first
    while True:
        following = [name for name, job in jobs.items() if job.get("needs") == chain[-1]]
        if not following:
            break
        assert len(following) == 1, f"{chain[-1]} is promoted to more than one stack: {following}"
        chain.append(following[0])
    assert sorted(chain) == sorted(jobs), f"jobs outside the chain {chain}: {sorted(set(jobs) - set(chain))}"
    assert jobs[chain[-1]]["with"]["stack"] == "prod"
    for name in chain[:-1]:
        assert jobs[name]["with"].get("wait-healthy") is True, f"{name} is promoted from without waiting"


def test_the_wait_runs_after_pulumi_up_from_the_time_the_rollout_started():
    workflow = _workflow("pulumi.yml")
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    assert workflow[True]["workflow_call"]["inputs"]["wait-healthy"]["type"] == "boolean"
    steps = workflow["jobs"]["pulumi"]["steps"]
    names = [step.get("name") or step.get("uses") for step in steps]
    record = names.index("Record when the rollout starts")
    up = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("pulumi/actions@"))
    wait = names.index("Wait until the rollout is healthy")
    assert record < up < wait
    assert steps[wait]["if"] == "inputs.command == 'up' && inputs.wait-healthy"
    assert "scripts.wait_healthy" in steps[wait]["run"] and '--since "$ROLLOUT_STARTED"' in steps[wait]["run"]
    assert "ROLLOUT_STARTED=" in steps[record]["run"]
