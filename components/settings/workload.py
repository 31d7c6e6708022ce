"""The contract of the proxy's pods: Service, resources, scaling, disruption budget, the admin UI."""

import math
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from components.kube_types import (
    Integer,
    Port,
    Quantity,
)
from components.settings import rules
from components.settings.common import (
    Model,
    checked_by,
)


class ServiceSettings(Model):
    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = Field("ClusterIP", description="Service type.")
    port: Port = Field(4000, description="Service port; the chart also uses it as the container port.")


class ComputeResources(Model):
    cpu: Quantity = Field(description="CPU quantity, e.g. `250m` or `1`.")
    memory: Quantity = Field(description="Memory quantity, e.g. `512Mi` or `2Gi`.")


_DEFAULT_REQUESTS = {"cpu": "250m", "memory": "512Mi"}
_DEFAULT_LIMITS = {"cpu": "1", "memory": "2Gi"}


class ResourceSettings(Model):
    requests: ComputeResources = Field(
        ComputeResources(**_DEFAULT_REQUESTS),
        description="Requests of the proxy container; a quantity left out keeps its default.",
    )
    limits: ComputeResources = Field(
        ComputeResources(**_DEFAULT_LIMITS),
        description="Limits of the proxy container; a quantity left out keeps its default, so"
        " `limits: {memory: 4Gi}` alone raises the memory limit. Memory is in bytes (`Mi`, `Gi`; `m` is refused),"
        " the limit at least 192Mi, less than the proxy holds once it serves.",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_for_left_out_quantities(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for key, defaults in (("requests", _DEFAULT_REQUESTS), ("limits", _DEFAULT_LIMITS)):
            if isinstance(merged.get(key), dict):
                merged[key] = {**defaults, **merged[key]}
        return merged

    _rules = checked_by(rules.requests_within_limits)


class UISettings(Model):
    enabled: bool = Field(True, description="Serve the Admin UI at `/ui` (`false` sets `DISABLE_ADMIN_UI=True`).")


class AutoscalingSettings(Model):
    enabled: bool = Field(False, description="HorizontalPodAutoscaler through the chart (replaces `replicas`).")
    min_replicas: Integer = Field(3, ge=1, le=1000, description="Lowest replica count.")
    max_replicas: Integer = Field(10, ge=1, le=1000, description="Highest replica count.")
    target_cpu_utilization_percentage: Integer = Field(
        80,
        ge=1,
        le=1000,
        description="CPU utilisation target, percent of the CPU request: may exceed 100, up to"
        " limits.cpu / requests.cpu (a pod never uses more); docs/sizing.md gives it from the measured curve.",
    )

    _rules = checked_by(rules.autoscaling_ordered)


def _pods_or_percent(value: object) -> int | str:
    """A PodDisruptionBudget `maxUnavailable`: a pod count 1-1000 or a percentage 1%-100% of the replicas."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
        return value
    if isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,2}", value) and int(value) <= 1000:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,2}%", value) and int(value[:-1]) <= 100:
        return value
    raise ValueError(f"{value!r} is not a pod count from 1 to 1000 or a percentage from 1% to 100%, e.g. 1 or 50%")


class PodDisruptionBudgetSettings(Model):
    enabled: bool = Field(True, description="PodDisruptionBudget when more than one replica runs.")
    max_unavailable: Annotated[int | str, BeforeValidator(_pods_or_percent)] = Field(
        1,
        description="Proxy pods a voluntary disruption may take down at once: a count, or a percentage of the"
        " replicas such as `50%` (rounded up, as Kubernetes does).",
    )

    def unavailable_pods(self, replicas: int) -> int:
        """Pods the budget lets a drain take down out of `replicas`, as the disruption controller counts them."""
        if isinstance(self.max_unavailable, int):
            return self.max_unavailable
        return math.ceil(int(self.max_unavailable[:-1]) * replicas / 100)
