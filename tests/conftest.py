"""Shared fixtures: known fake secrets, and the real program run under mocks."""

import json
import os
from pathlib import Path
from typing import Any, Literal

import pytest

from components.config import committed_stack_configs, committed_stacks, settings_from_config
from components.settings import SECRET_CONFIG_KEYS, Settings
from offline.harness import Run, encode_config_value, run_program, stack_config, unwrap_secrets, write_chart_stub
from offline.manifests import Manifests, apply_overrides, render_manifests

# Fake but realistic secret values: every one is searched for in the leak tests.
OPENAI_KEY = "sk-openai-FAKE-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-FAKE-fedcba9876543210"
DATABASE_PASSWORD = "p@ss:w/rd?#%&=+ 1"
MASTER_KEY = "sk-master-FAKE-1234567890"
REDIS_PASSWORD = "redis-FAKE-pa55word"

SECRETS = {
    "litellm:providerKeys": {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY},
    "litellm:databasePassword": DATABASE_PASSWORD,
}

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


@pytest.fixture
def chart_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for `scripts/fetch-chart.sh` output, so Helm delivery finds its chart offline."""
    folder = tmp_path / "vendor" / "charts" / "litellm-helm" / "v1.76.1-stable"
    write_chart_stub(folder)
    monkeypatch.chdir(tmp_path)
    return folder


def per_module(fixture_name: str, config: pytest.Config) -> Literal["module", "function"]:
    """Scope of the fixtures a test module shares: the module, except while mutmut collects its stats.

    mutmut maps each function to the tests that call it and, for a mutant, runs only those tests. It
    credits the calls a shared fixture makes to the one test that set the fixture up, so the module's
    other tests, which assert on the same object, would never see the mutant. Set up for every test
    while mutmut collects (`docs/mutation-testing.md`), the fixture credits each test that uses it."""
    return "function" if collecting_mutation_stats() else "module"


def collecting_mutation_stats() -> bool:
    """True while mutmut maps functions to tests: nothing computed for one test may serve another."""
    return os.environ.get("MUTANT_UNDER_TEST") == "stats"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n auto` in pyproject.toml) each test module runs on one worker, so its
    module-scoped fixtures run once; the runtime tier's modules share one worker and so one fleet of
    proxies, and the engine tier's one worker and so one control plane. mutmut names a mutant's tests
    in no order; they run module by module, so each module's shared fixtures are set up once, and the
    modules named after the mutated one first (a mutant of `components.network` meets
    `tests/test_network_policies.py` first), as they are likeliest to fail."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant:
        mutated_module = mutant.split(".")[1] if mutant.startswith("components.") else ""
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            first.setdefault(item.nodeid.split("::")[0], index)

        def order(item: pytest.Item) -> tuple[bool, int]:
            module = item.nodeid.split("::")[0]
            return (not (mutated_module and mutated_module in module), first[module])

        items.sort(key=order)
    for item in items:
        module = item.nodeid.split("::")[0]
        group = next((tier for tier in ("runtime", "engine") if module.startswith(f"tests/{tier}/")), module)
        item.add_marker(pytest.mark.xdist_group(group))
