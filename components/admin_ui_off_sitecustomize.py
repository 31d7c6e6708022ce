"""Run by Python at start (PYTHONPATH): remove LiteLLM's admin UI files, so the proxy serves no UI.

litellm:ui.enabled is false. LiteLLM 1.76.1 mounts /ui only when litellm/proxy/_experimental/out
exists (litellm/proxy/proxy_server.py); the package is located the way the interpreter imports it.
"""

import importlib.util
import os
import shutil
import sys


def _remove_admin_ui() -> None:
    spec = importlib.util.find_spec("litellm")
    for package in (spec.submodule_search_locations or []) if spec else []:
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
