"""The LiteLLM namespace: Pod Security Standards labels, and protected because deleting it deletes
the salt key and every credential the proxy stored."""

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS

# The LiteLLM image runs as root (Prisma caches its engines under /root/.cache), which `restricted`
# forbids; `baseline` is enforced and `restricted` violations are reported, not blocked.
POD_SECURITY_LABELS = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}


class LiteLLMNamespace(pulumi.ComponentResource):
    name: pulumi.Output[str]

    def __init__(self, name: str, namespace: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("litellm:index:Namespace", name, None, opts)
        self.namespace = k8s.core.v1.Namespace(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=namespace,
                labels={**PROGRAM_LABELS, **POD_SECURITY_LABELS},
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        self.name = self.namespace.metadata.name
        self.register_outputs({"name": self.name})
