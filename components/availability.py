"""What the chart at v1.76.1-stable lacks: a PodDisruptionBudget and a Prometheus ServiceMonitor."""

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS, SELECTOR_LABELS
from components.prometheus_operator import prometheus_operator_object
from components.settings import RELEASE_NAME, Settings


class LiteLLMAvailability(pulumi.ComponentResource):
    def __init__(
        self, name: str, settings: Settings, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("litellm:index:Availability", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metadata = k8s.meta.v1.ObjectMetaArgs(name=RELEASE_NAME, namespace=namespace, labels=dict(PROGRAM_LABELS))
        outputs: dict[str, pulumi.Input[str]] = {}

        budget = settings.pod_disruption_budget
        # A budget over a single replica would block every node drain.
        if budget.enabled and settings.proxy_replicas > 1:
            pdb = k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb",
                metadata=metadata,
                spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                    max_unavailable=budget.max_unavailable,
                    # The migration Job's pods carry the same labels, but a budget cannot count pods of a
                    # Job (no scale subresource) and would then block every eviction while one exists.
                    selector=k8s.meta.v1.LabelSelectorArgs(
                        match_labels=dict(SELECTOR_LABELS),
                        match_expressions=[
                            k8s.meta.v1.LabelSelectorRequirementArgs(key=key, operator="DoesNotExist")
                            for key in ("batch.kubernetes.io/job-name", "job-name")
                        ],
                    ),
                ),
                opts=child,
            )
            outputs["podDisruptionBudget"] = pdb.metadata.name

        monitor = settings.service_monitor
        if monitor.enabled:
            prometheus_operator_object(
                f"{name}-service-monitor",
                "ServiceMonitor",
                namespace,
                monitor.labels,
                {
                    "selector": {"matchLabels": dict(SELECTOR_LABELS)},
                    "namespaceSelector": {"matchNames": [settings.namespace]},
                    "endpoints": [{"port": "http", "path": "/metrics", "interval": monitor.interval}],
                },
                child,
            )
            outputs["serviceMonitor"] = RELEASE_NAME
        self.register_outputs(outputs)
