"""Prometheus Operator objects (`monitoring.coreos.com/v1`), for the components that create them."""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS
from components.settings import RELEASE_NAME


def prometheus_operator_object(
    resource_name: str,
    kind: str,
    namespace: pulumi.Input[str],
    labels: dict[str, str],
    spec: dict[str, Any],
    opts: pulumi.ResourceOptions,
    object_name: str = RELEASE_NAME,
) -> k8s.apiextensions.CustomResource:
    """A Prometheus Operator object (`monitoring.coreos.com/v1`) named after the release (or `object_name`), with
    the program's labels plus the ones the operator selects it by."""
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version="monitoring.coreos.com/v1",
        kind=kind,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=namespace, labels={**PROGRAM_LABELS, **labels}),
        spec=spec,
        opts=opts,
    )
