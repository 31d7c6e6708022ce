"""Shared fixtures: known fake secrets, and the real program run under mocks."""

import json
import os
import shutil
import subprocess
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from components.config import settings_from_config
from components.settings import SECRET_CONFIG_KEYS, Settings
from components.stacks import PROGRAM_DIR, committed_stack_configs, committed_stacks
from components.versions import CHART_REF
from offline.harness import Run, encode_config_value, run_program, stack_config, unwrap_secrets, write_chart_stub
from offline.manifests import Manifests, apply_overrides, render_manifests

# Fake but realistic secret values: every one is searched for in the leak tests.
OPENAI_KEY = "sk-openai-FAKE-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-FAKE-fedcba9876543210"
DATABASE_PASSWORD = "p@ss:w/rd?#%&=+ 1"
MASTER_KEY = "sk-master-FAKE-1234567890"
REDIS_PASSWORD = "redis-FAKE-pa55word"


def _provider_key_names() -> list[str]:
    """Every provider key env name a committed stack's models read from `litellm:providerKeys`: a stack that adds
    a model of another provider gets a fake key for it here, with no test to edit."""
    names: set[str] = set()
    for config in committed_stack_configs().values():
        models = config.get("litellm:models") or []
        existing = config.get("litellm:existingSecrets") or {}
        held = {key for secret in existing.get("providerKeys") or [] for key in secret.get("keys") or []}
        names.update(m["apiKeyEnv"] for m in models if isinstance(m, dict) and m.get("apiKeyEnv") not in (None, *held))
    return sorted(names)


PROVIDER_KEYS = {
    **{name: f"sk-{name.lower().replace('_', '-')}-FAKE-0123456789" for name in _provider_key_names()},
    "OPENAI_API_KEY": OPENAI_KEY,
    "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
}
"""A fake key for every provider the stacks name (OpenAI's and Anthropic's are known by name to many tests)."""
SECRETS = {"litellm:providerKeys": PROVIDER_KEYS, "litellm:databasePassword": DATABASE_PASSWORD}

STACKS = committed_stacks()
"""Every committed `Pulumi.<stack>.yaml`: a new environment's file is tested like the others."""
ARGOCD_STACKS = [
    stack for stack, config in committed_stack_configs().items() if config.get("litellm:delivery", "argocd") == "argocd"
]


def run_stack(stack: str, overrides: dict[str, Any] | None = None, secrets: dict[str, Any] | None = None) -> Run:
    """Run the program for `Pulumi.<stack>.yaml`, with `overrides` (full key -> value) on top."""
    config, secret_keys = stack_config(stack, SECRETS if secrets is None else secrets)
    apply_overrides(config, secret_keys, overrides)
    return run_program(config, secret_keys, stack=stack)


def render_stack(
    stack: str, overrides: dict[str, Any] | None = None, secrets: dict[str, Any] | None = None
) -> Manifests:
    """Every manifest `Pulumi.<stack>.yaml` applies, the chart rendered by Helm, with the fake secrets."""
    fetched_chart()
    return render_manifests(stack, overrides, SECRETS if secrets is None else secrets)


def committed_settings(stack: str) -> Settings:
    """Settings of the committed `Pulumi.<stack>.yaml`, with the default secrets."""
    return settings_from_config(*stack_config(stack, SECRETS), stack=stack)


def settings_for(stack: str | None = None, **keys: Any) -> Settings:
    """Settings for `stack` from config keys given without the `litellm:` prefix, with the default
    secrets (a key given as None is left unset)."""
    merged = {**_plain(SECRETS), **keys}
    raw = {f"litellm:{key}": encode_config_value(value) for key, value in merged.items() if value is not None}
    secret_keys = [f"litellm:{key}" for key in SECRET_CONFIG_KEYS]
    return settings_from_config(raw, secret_keys, stack=stack)


def _plain(secrets: dict[str, Any]) -> dict[str, Any]:
    return {key.removeprefix("litellm:"): value for key, value in secrets.items()}


def secret_data(run: Run) -> dict[str, dict[str, str]]:
    """Secret name -> its stringData, as the cluster would store it."""
    return {
        r.inputs["metadata"]["name"]: unwrap_secrets(r.inputs["stringData"])
        for r in run.of_type("kubernetes:core/v1:Secret")
    }


def dump(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def fetched_chart() -> Path:
    """The pinned litellm-helm chart as `bash scripts/setup.sh` fetches and verifies it."""
    folder = PROGRAM_DIR / "vendor" / "charts" / "litellm-helm" / CHART_REF
    if not (folder / "Chart.yaml").is_file():
        raise AssertionError(f"the pinned chart is not in {folder}: run `bash scripts/setup.sh`")
    return folder


@pytest.fixture
def chart_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for `scripts/fetch-chart.sh` output, so Helm delivery finds its chart offline."""
    folder = tmp_path / "vendor" / "charts" / "litellm-helm" / CHART_REF
    write_chart_stub(folder)
    monkeypatch.chdir(tmp_path)
    return folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n auto` in pyproject.toml) each test module runs on one worker, so its
    module-scoped fixtures run once; the runtime tier's modules share one worker and so one fleet of
    proxies, and the engine tier's one worker and so one control plane. Every test of tests/runtime/ is marked
    `runtime` (`-m "not runtime"` leaves the tier out)."""
    for item in items:
        module = item.nodeid.split("::")[0]
        group = next((tier for tier in ("runtime", "engine") if module.startswith(f"tests/{tier}/")), module)
        item.add_marker(pytest.mark.xdist_group(group))
        if group == "runtime":
            item.add_marker(pytest.mark.runtime)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI every tier runs or fails: a skipped test (a missing prerequisite, a marker) is a failure."""
    report = yield
    if report.skipped and os.environ.get("CI") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI, where every test must run ({reason}): run `bash scripts/setup.sh`"
    return report


def scratch_copy(folder: Path) -> Path:
    """The files of the repository (tracked, or new and not ignored) copied into `folder`/repo, with the set-up's
    fetched charts linked in: a place to make the edits the docs describe, or a commit to diff against."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROGRAM_DIR,
        capture_output=True,
        check=True,
    ).stdout
    root = folder / "repo"
    for name in filter(None, files.decode().split("\0")):
        source = PROGRAM_DIR / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    (root / "vendor").symlink_to(PROGRAM_DIR / "vendor", target_is_directory=True)
    return root
