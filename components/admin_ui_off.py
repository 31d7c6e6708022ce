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

import pulumi
import pulumi_kubernetes as k8s

from components.layout import ADMIN_UI_OFF_CONFIG_MAP, PROGRAM_LABELS

SITECUSTOMIZE = Path(__file__).with_name("admin_ui_off_sitecustomize.py").read_text(encoding="utf-8")


class LiteLLMAdminUIOff(pulumi.ComponentResource):
    """The ConfigMap holding the start-up hook."""

    def __init__(self, name: str, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("litellm:index:AdminUIOff", name, None, opts)
        self.config_map = k8s.core.v1.ConfigMap(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ADMIN_UI_OFF_CONFIG_MAP, namespace=namespace, labels=dict(PROGRAM_LABELS)
            ),
            data={"sitecustomize.py": SITECUSTOMIZE},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"configMap": self.config_map.metadata.name})
