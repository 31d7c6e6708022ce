"""What the runtime tier needs on the machine, and how to get it when it is missing.

`scripts/setup.sh` installs all of it: the runtime virtual environment `.venv-runtime` (LiteLLM
1.76.1 and the OpenTelemetry packages, from `requirements-runtime.lock`) and `redis-server`.
"""

import shutil
import subprocess
from pathlib import Path

from components.stacks import PROGRAM_DIR
from components.versions import LITELLM_VERSION

RUNTIME_VENV = PROGRAM_DIR / ".venv-runtime"
RUNTIME_PYTHON = RUNTIME_VENV / "bin" / "python"
RUNTIME_LOCK = PROGRAM_DIR / "requirements-runtime.lock"
HELPERS = Path(__file__).parent / "helpers"
"""Small programs the tier runs in the runtime venv (it has cryptography and OpenTelemetry)."""


class MissingTool(AssertionError):
    """A prerequisite of the runtime tier is missing: the message says how to get it."""


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise MissingTool(
            "redis-server is not installed: run `bash scripts/setup.sh` (as root it runs"
            " `apt-get install -y redis-server`; otherwise `sudo apt-get install -y redis-server`)"
        )
    return found


def check_runtime_venv(venv: Path = RUNTIME_VENV) -> None:
    """Fail with the set-up command unless `venv` (`.venv-runtime`) holds LiteLLM at the proven version."""
    python = venv / "bin" / "python"
    if not python.exists():
        raise MissingTool(
            f"{venv} is missing: run `bash scripts/setup.sh` (it installs {RUNTIME_LOCK.name}"
            " into .venv-runtime with uv)"
        )
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0 or probe.stdout.strip() != LITELLM_VERSION:
        raise MissingTool(
            f"{venv} does not hold litellm {LITELLM_VERSION} ({probe.stdout.strip() or probe.stderr[-300:]}):"
            f" install {RUNTIME_LOCK.name} into it (`bash scripts/setup.sh` does for .venv-runtime)"
        )


def runtime_site_packages(venv: Path = RUNTIME_VENV) -> Path:
    """The site-packages folder of `venv` (the runtime venv), which holds the litellm package the tier runs."""
    check_runtime_venv(venv)
    return next((venv / "lib").glob("python3*/site-packages"))
