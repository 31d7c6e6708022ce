"""Run by Python at start (PYTHONPATH): remove LiteLLM's admin UI files, so the proxy serves no UI.

litellm:ui.enabled is false. LiteLLM 1.76.1 mounts /ui only when litellm/proxy/_experimental/out
exists (litellm/proxy/proxy_server.py); the package is located the way the interpreter imports it, and
also in the working directory: `python -m` (the image's supervisord start, with SEPARATE_HEALTH_APP) puts
it first on sys.path only after this hook ran, so a `litellm` package there (the image's /app copy) is the
one the proxy imports.
"""

import importlib.util
import os
import shutil
import sys


def _packages() -> list[str]:
    spec = importlib.util.find_spec("litellm")
    found = list(spec.submodule_search_locations or []) if spec else []
    local = os.path.join(os.getcwd(), "litellm")
    if os.path.isfile(os.path.join(local, "__init__.py")):
        found.append(local)
    return found


def _remove_admin_ui() -> None:
    for package in _packages():
        out = os.path.join(package, "proxy", "_experimental", "out")
        if os.path.islink(out):
            os.unlink(out)
        elif os.path.isdir(out):
            shutil.rmtree(out)


try:
    _remove_admin_ui()
except OSError as error:
    sys.stderr.write(f"litellm:ui.enabled is false, but the admin UI files could not be removed: {error}\n")
    os._exit(78)
