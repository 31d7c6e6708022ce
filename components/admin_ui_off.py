"""`litellm:ui.enabled: false` for LiteLLM 1.76.1, which has no setting that stops serving the UI.

`DISABLE_ADMIN_UI=True` only guards `/sso/key/generate`. The UI is served from files on disk:
`litellm/proxy/proxy_server.py` at v1.76.1 mounts `/ui`, `/_next` and `/litellm-asset-prefix/_next`
from `litellm/proxy/_experimental/out` inside a `try` and skips all three when that folder is
missing. So the pods get a `sitecustomize.py` (a ConfigMap on `PYTHONPATH`) that Python runs at
start, before the proxy imports: it removes that folder from the LiteLLM package the interpreter
itself finds, wherever the image's Python version puts site-packages. If the removal fails (a
read-only root filesystem, say), the process exits instead of serving the UI.
"""

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS
from components.settings import Settings

CONFIG_MAP = "litellm-admin-ui-off"
MOUNT_PATH = "/etc/litellm-admin-ui-off"
VOLUME = "admin-ui-off"
SITECUSTOMIZE = Path(__file__).with_name("admin_ui_off_sitecustomize.py").read_text(encoding="utf-8")


def admin_ui_off_values(settings: Settings) -> dict[str, Any]:
    """The chart values that mount the start-up hook (empty while the UI is on). The chart gives
    `volumes`/`volumeMounts` to the migration Job too, where the hook removes the Job's copy: harmless."""
    if settings.ui.enabled:
        return {}
    return {
        "volumes": [{"name": VOLUME, "configMap": {"name": CONFIG_MAP}}],
        "volumeMounts": [{"name": VOLUME, "mountPath": MOUNT_PATH, "readOnly": True}],
    }


def admin_ui_off_env(settings: Settings) -> dict[str, str]:
    return {} if settings.ui.enabled else {"PYTHONPATH": MOUNT_PATH}


class LiteLLMAdminUIOff(pulumi.ComponentResource):
    """The ConfigMap holding the start-up hook."""

    def __init__(self, name: str, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("litellm:index:AdminUIOff", name, None, opts)
        self.config_map = k8s.core.v1.ConfigMap(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=CONFIG_MAP, namespace=namespace, labels=dict(PROGRAM_LABELS)),
            data={"sitecustomize.py": SITECUSTOMIZE},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"configMap": self.config_map.metadata.name})
