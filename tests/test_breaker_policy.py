"""Prod's circuit breaker opens on failures, not on provider rate limits (review M6).

With one deployment per model, a cooldown takes the model away on every replica: LiteLLM 1.76.1 counts
429 and 401 like 5xx once `allowed_fails` is set (litellm/router_utils/cooldown_handlers.py:39-89,
187-252). The rendered prod config (the chart's ConfigMap) is handed to LiteLLM 1.76.1's own Router in
the runtime tier's environment, and its own cooldown decision is asked after each failure.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import committed_settings, render_stack
from tests.runtime.tools import HELPERS, RUNTIME_PYTHON, check_runtime_venv


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[str, int | None]:
    check_runtime_venv()
    config = tmp_path_factory.mktemp("breaker") / "config.yaml"
    config.write_text(render_stack("prod").find("ConfigMap", "litellm-config")["data"]["config.yaml"])
    result = subprocess.run(
        [str(RUNTIME_PYTHON), str(HELPERS / "breaker_verdicts.py"), str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(config).parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["verdicts"]


def test_provider_rate_limits_never_open_prods_breaker(verdicts):
    assert verdicts["429"] is None


@pytest.mark.parametrize("status", ["500", "408"])
def test_provider_failures_still_open_prods_breaker_after_the_allowed_fails(verdicts, status):
    assert verdicts[status] == committed_settings("prod").router.allowed_fails + 1
