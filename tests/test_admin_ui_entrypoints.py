"""The UI switch holds for every way the image starts the proxy (review M5).

The image's default entrypoint runs the `litellm` console script, which imports LiteLLM from site-packages
(runtime tier: tests/runtime/test_ui_tracing_redis.py). With SEPARATE_HEALTH_APP its entrypoint runs
supervisord, whose `main` program is `python -m litellm.proxy.proxy_cli` from the working directory `/app`,
where the image keeps a second copy of LiteLLM with the built UI (docker/supervisord.conf,
docker/prod_entrypoint.sh in BerriAI/litellm). `python -m` puts the working directory first on `sys.path`
only after `sitecustomize` ran. Here the hook the real chart render mounts runs under that start: an
interpreter without LiteLLM installed, a working directory holding a `litellm` package with a UI folder,
and `python -m` of its `proxy_cli`, which reports which copy it imported and whether its UI folder is left.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import render_stack

PROXY_CLI = """import json, os, litellm
out = os.path.join(os.path.dirname(litellm.__file__), "proxy", "_experimental", "out")
print(json.dumps({"imported": litellm.__file__, "ui_left": os.path.isdir(out)}))
"""


def test_ui_off_removes_the_ui_of_the_copy_python_m_imports_from_the_working_directory(tmp_path: Path):
    hook = render_stack("prod", {"litellm:ui": {"enabled": False}}).find("ConfigMap", "litellm-admin-ui-off")
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(hook["data"]["sitecustomize.py"])
    app = tmp_path / "app"
    (app / "litellm" / "proxy" / "_experimental" / "out").mkdir(parents=True)
    (app / "litellm" / "__init__.py").write_text("")
    (app / "litellm" / "proxy" / "__init__.py").write_text("")
    (app / "litellm" / "proxy" / "_experimental" / "out" / "index.html").write_text("<html>admin UI</html>")
    (app / "litellm" / "proxy" / "proxy_cli.py").write_text(PROXY_CLI)
    result = subprocess.run(
        [sys.executable, "-m", "litellm.proxy.proxy_cli"],
        cwd=app,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "hook")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"].startswith(str(app))
    assert report["ui_left"] is False
