"""Delivery of the litellm-helm chart at the pinned ref: an ArgoCD Application or a Helm release.

Both take the same values from `build_chart_values`; neither contains a secret value.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.settings import RELEASE_NAME, Settings

ARGOCD_APPLICATION_CRD = "applications.argoproj.io"
APPLICATION_API_VERSION = "argoproj.io/v1alpha1"
ARGOCD_RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
FETCH_SCRIPT = "scripts/fetch-chart.sh"
FETCHED_FROM = ".fetched-from"
"""Written by the fetch script next to Chart.yaml: the ref, commit and repository it fetched."""
# A cold start can take the full startup probe budget (30 x 10 s) after the migration hook ran.
HELM_TIMEOUT_SECONDS = 900


def application_spec(
    settings: Settings, values: dict[str, Any], project: pulumi.Input[str], release: str = RELEASE_NAME
) -> dict[str, Any]:
    """The Application's spec: the chart from git at the exact ref, with the values inline, in `project`."""
    argocd = settings.argocd
    return {
        "project": project,
        "source": {
            "repoURL": settings.chart.repo_url,
            "path": settings.chart.path,
            "targetRevision": settings.chart.ref,
            "helm": {"releaseName": release, "valuesObject": values},
        },
        "destination": {"server": argocd.destination_server, "namespace": settings.namespace},
        "syncPolicy": {
            "automated": {"prune": argocd.prune, "selfHeal": argocd.self_heal},
            "syncOptions": ["CreateNamespace=true"],
        },
    }


VALUES_OBJECT_PATH = ("spec", "source", "helm", "valuesObject")


def values_object_problem(crd_spec: Mapping[str, Any] | None) -> str | None:
    """Why the installed Application CRD would drop the chart values, or None.

    `crd_spec` is the CRD's spec as the provider reads it (snake_case field names). An API server prunes
    fields its CRD schema does not declare; `valuesObject` arrived with ArgoCD 2.8.
    """
    versions = [v for v in (crd_spec or {}).get("versions") or [] if v.get("name") == "v1alpha1"]
    if not versions:
        return f"the CRD {ARGOCD_APPLICATION_CRD} in this cluster serves no argoproj.io/v1alpha1"
    node: Mapping[str, Any] = (versions[0].get("schema") or {}).get("open_apiv3_schema") or {}
    for field in VALUES_OBJECT_PATH:
        node = (node.get("properties") or {}).get(field) or {}
    if node:
        return None
    return (
        f"the CRD {ARGOCD_APPLICATION_CRD} in this cluster has no {'.'.join(VALUES_OBJECT_PATH)} (ArgoCD older"
        " than 2.8): its API server would drop the chart values without an error and ArgoCD would deploy the"
        " chart's defaults (a bundled PostgreSQL, a random master key, demo models). Upgrade ArgoCD to 2.8 or later"
    )


def _checked_project(crd_spec: Mapping[str, Any] | None, project: str) -> str:
    problem = values_object_problem(crd_spec)
    if problem:
        raise pulumi.RunError(f"ArgoCD preflight: {problem}")
    return project


def chart_source_problem(settings: Settings) -> str | None:
    """Helm delivery needs the chart's files at the ref on disk; None when they are there."""
    if settings.delivery != "helm":
        return None
    folder = Path(settings.chart.chart_folder)
    chart = settings.chart
    fetch = (
        f"run `{FETCH_SCRIPT} {chart.ref} {chart.repo_url} {chart.path}` to fetch it"
        " (or point chart.localPath at a copy of it)"
    )
    chart_file: str | None
    fetched: str | None
    try:
        # Strict: Helm's YAML reader refuses a Chart.yaml that is not UTF-8 (a ValueError here).
        chart_file = (folder / "Chart.yaml").read_text(encoding="utf-8")
        fetched = (
            (folder / FETCHED_FROM).read_text(encoding="utf-8", errors="replace")
            if (folder / FETCHED_FROM).is_file()
            else None
        )
    except (OSError, ValueError):  # ValueError: a path the OS cannot name (NUL byte), or not UTF-8
        chart_file = fetched = None
    if chart_file is None or "name: litellm-helm" not in chart_file:
        return f"litellm:chart.localPath: no litellm-helm chart in {str(folder)!r}; {fetch}"
    source = {"ref": chart.ref, "repo": chart.repo_url, "path": chart.path}
    if fetched is not None and any(f"{key}: {value}\n" not in fetched for key, value in source.items()):
        return (
            f"litellm:chart.localPath: the chart in {str(folder)!r} was fetched from another ref, repository or"
            f" path ({FETCHED_FROM}); {fetch}"
        )
    return None


class ArgoCDApplication(pulumi.ComponentResource):
    """The ArgoCD Application `litellm` (or `release`: the canary's), the production delivery."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        values: dict[str, Any],
        depends_on: Sequence[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
        release: str = RELEASE_NAME,
    ):
        super().__init__("litellm:index:ArgoCDApplication", name, None, opts)
        # Preflight: reading the CRD makes `pulumi preview` fail when ArgoCD is not installed, instead
        # of a green preview and an `up` that fails on the unknown kind; and when its schema would drop
        # `valuesObject`, the Application is never registered (its apiVersion waits for the check).
        crd = k8s.apiextensions.v1.CustomResourceDefinition.get(
            f"{name}-crd-preflight", ARGOCD_APPLICATION_CRD, opts=pulumi.ResourceOptions(parent=self)
        )
        argocd = settings.argocd
        self.application = k8s.apiextensions.CustomResource(
            name,
            api_version=APPLICATION_API_VERSION,
            kind="Application",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=release,
                namespace=argocd.namespace,
                annotations={"argocd.argoproj.io/sync-wave": str(argocd.sync_wave)},
                # With the finalizer, deleting the Application deletes what it deployed; without
                # it, the workloads stay orphaned in the cluster.
                finalizers=[ARGOCD_RESOURCES_FINALIZER] if argocd.cascade_delete else None,
            ),
            # The spec waits for the CRD check: an old CRD stops the run before the Application is registered.
            spec=application_spec(
                settings, values, crd.spec.apply(lambda spec: _checked_project(spec, argocd.project)), release
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[crd, *depends_on]),
        )
        self.register_outputs({"name": release, "namespace": argocd.namespace})


class HelmRelease(pulumi.ComponentResource):
    """A Helm release of the same chart files, for clusters without ArgoCD."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        values: dict[str, Any],
        namespace: pulumi.Input[str],
        depends_on: Sequence[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
        release: str = RELEASE_NAME,
    ):
        super().__init__("litellm:index:HelmRelease", name, None, opts)
        self.release = k8s.helm.v3.Release(
            name,
            k8s.helm.v3.ReleaseArgs(
                name=release,
                chart=settings.chart.chart_folder,
                namespace=namespace,
                values=values,
                timeout=HELM_TIMEOUT_SECONDS,
                cleanup_on_fail=True,
                # The Bitnami subcharts are vendored in the chart's charts/ folder at the tag;
                # an update would re-resolve their `>=` ranges against Docker Hub.
                dependency_update=False,
                max_history=10,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )
        self.register_outputs({"name": self.release.name, "status": self.release.status})
