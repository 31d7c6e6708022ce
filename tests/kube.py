"""What Kubernetes does with rendered manifests, for the tests: which Secrets and keys a container
reads, the environment the kubelet builds for it, and strict schema validation.
"""

import base64
import functools
import re
from typing import Any

import jsonschema
from kubernetes_validate import utils as kubernetes_schemas
from referencing import Registry, Resource

from offline.manifests import Manifests

SUPPORTED_KUBERNETES = ("1.32", "1.33", "1.34", "1.35", "1.36", "1.37")
"""The Kubernetes versions the manifests must be valid for (docs/review-gates.md)."""

_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers (init containers first) of a Deployment's or Job's pod template."""
    pod = workload["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def container(workload: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in containers(workload) if c["name"] == name]
    return found


def secret_refs(container: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(Secret, key) for every `secretKeyRef`, and (Secret, None) for every `envFrom` `secretRef`."""
    refs: list[tuple[str, str | None]] = [
        (entry["valueFrom"]["secretKeyRef"]["name"], entry["valueFrom"]["secretKeyRef"]["key"])
        for entry in container.get("env", [])
        if "secretKeyRef" in entry.get("valueFrom", {})
    ]
    return refs + [
        (source["secretRef"]["name"], None) for source in container.get("envFrom", []) if "secretRef" in source
    ]


def secret_data(manifests: Manifests) -> dict[str, dict[str, str]]:
    """Secret name -> its data as the API server stores it (`stringData` merged over decoded `data`)."""
    return {
        secret["metadata"]["name"]: {
            **{key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()},
            **(secret.get("stringData") or {}),
        }
        for secret in manifests.all("Secret")
    }


def expand_env(container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> dict[str, str]:
    """The environment the kubelet gives the container: `envFrom` first, then `env` in order, each
    `$(VAR)` replaced only when VAR is defined before it, `$$` an escaped `$`, anything else literal.
    Ref: https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
    """
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "secretRef" in source:
            environment.update(secrets[source["secretRef"]["name"]])
    for entry in container.get("env", []):
        if "valueFrom" in entry:
            ref = entry["valueFrom"]["secretKeyRef"]
            environment[entry["name"]] = secrets[ref["name"]][ref["key"]]
            continue

        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            return environment.get(match.group(1), match.group(0))

        environment[entry["name"]] = _REFERENCE.sub(substitute, entry.get("value", ""))
    return environment


def _schema_folder(version: str) -> str:
    return f"kubernetes-json-schema/v{version}.0-local-strict"


@functools.cache
def _definitions(version: str) -> Registry:
    """The version's shared definitions, parsed once (a few MB of JSON)."""
    contents = kubernetes_schemas.schema_contents(f"{_schema_folder(version)}/_definitions.json", version)
    return Resource.from_contents(contents) @ Registry()


@functools.cache
def _strict_validator(kind: str, api_version: str, version: str) -> jsonschema.protocols.Validator:
    """kubernetes-validate's strict schema for the kind at the version, loaded once (its own
    `validate` reloads every schema, the shared definitions included, on each call)."""
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = kubernetes_schemas.schema_contents(f"{_schema_folder(version)}/{kind.lower()}-{group}.json", version)
    return jsonschema.validators.Draft202012Validator(
        schema, registry=Resource.from_contents(schema) @ _definitions(version)
    )


def is_custom_resource(manifest: dict[str, Any]) -> bool:
    """Kubernetes' own API groups are `core` (no group), single words (`apps`) or `*.k8s.io`; the
    Gateway API is the one `*.k8s.io` group served by CRDs."""
    group = manifest["apiVersion"].rpartition("/")[0]
    return ("." in group and not group.endswith(".k8s.io")) or group == "gateway.networking.k8s.io"


def strict_schema_errors(manifest: dict[str, Any], version: str) -> list[str]:
    """Every place where `manifest` breaks the strict (no unknown fields) Kubernetes schema."""
    validator = _strict_validator(manifest["kind"], manifest["apiVersion"], version)
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]
