"""The local control plane the engine tier applies to: started by `scripts/local-cluster.sh`.

The binaries come from `scripts/setup.sh` (engine/go.mod's pins, built once into a cache); the
cluster runs in a folder of its own, on loopback ports free at start, for one test session.
"""

import os
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from kubernetes import client, config, dynamic
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic.exceptions import NotFoundError

PROGRAM_DIR = Path(__file__).resolve().parents[2]
LOCAL_CLUSTER = PROGRAM_DIR / "scripts" / "local-cluster.sh"
FIELD_MANAGER = "engine-tier"
SETUP = "bash scripts/setup.sh"
T = TypeVar("T")


class MissingEngine(AssertionError):
    """The engine's binaries or the cluster are missing: the message says how to get them."""


@dataclass
class Refusal:
    """The API server's answer to an object it refused."""

    status: int
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"


@dataclass
class Applied:
    """The answer to a server-side apply: the stored object, or the refusal; and any warnings."""

    object: dict[str, Any] | None
    refusal: Refusal | None
    warnings: list[str] = field(default_factory=list)


class Cluster:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.kubeconfig = state / "kubeconfig"
        self.api = config.new_client_from_config(config_file=str(self.kubeconfig))
        self.dynamic = dynamic.DynamicClient(self.api)

    @classmethod
    def start(cls, state: Path) -> "Cluster":
        """Start a control plane with its state in `state`; fail with the set-up command if it cannot."""
        started = _local_cluster("start", state, timeout=300)
        if started.returncode != 0:
            raise MissingEngine(
                f"the local control plane did not start (`{LOCAL_CLUSTER.relative_to(PROGRAM_DIR)} start`):"
                f" {started.stderr.strip()[-1500:]}\nBuild the engine with `{SETUP}` (docs/engine-tier.md)."
            )
        return cls(state)

    def stop(self) -> None:
        _local_cluster("stop", self.state, timeout=60)

    def log(self, component: str) -> str:
        return (self.state / "logs" / f"{component}.log").read_text(errors="replace")

    def resource(self, api_version: str, kind: str) -> Any:
        return self.dynamic.resources.get(api_version=api_version, kind=kind)

    def apply(self, obj: dict[str, Any], dry_run: bool = False) -> Applied:
        """Server-side apply `obj` as the engine tier's field manager (forcing conflicts, as Pulumi does)."""
        resource = self.resource(obj["apiVersion"], obj["kind"])
        metadata = obj["metadata"]
        try:
            response = resource.server_side_apply(
                body=obj,
                name=metadata["name"],
                namespace=metadata.get("namespace"),
                field_manager=FIELD_MANAGER,
                force_conflicts=True,
                dry_run="All" if dry_run else None,
                serialize=False,
            )
        except ApiException as error:
            return Applied(None, _refusal(error), _warnings(error.headers))
        return Applied(yaml.safe_load(response.data), None, _warnings(response.headers))

    def create_dry_run(self, obj: dict[str, Any]) -> Applied:
        """Create `obj` with `dryRun=All`: every admission check runs, nothing is stored."""
        resource = self.resource(obj["apiVersion"], obj["kind"])
        try:
            response = resource.create(
                body=obj, namespace=obj["metadata"].get("namespace"), dry_run="All", serialize=False
            )
        except ApiException as error:
            return Applied(None, _refusal(error), _warnings(error.headers))
        return Applied(yaml.safe_load(response.data), None, _warnings(response.headers))

    def delete(self, obj: dict[str, Any]) -> None:
        """Delete `obj` (its dependents in the background) and wait until it is gone; none is fine."""
        resource = self.resource(obj["apiVersion"], obj["kind"])
        name, namespace = obj["metadata"]["name"], obj["metadata"].get("namespace")
        try:
            resource.delete(name=name, namespace=namespace, propagation_policy="Background")
        except NotFoundError:
            return
        wait_until(lambda: not self._exists(resource, name, namespace), f"{obj['kind']} {namespace}/{name} deleted")

    @staticmethod
    def _exists(resource: Any, name: str, namespace: str | None) -> bool:
        try:
            resource.get(name=name, namespace=namespace)
        except NotFoundError:
            return False
        return True

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        found = self.resource(api_version, kind).get(name=name, namespace=namespace).to_dict()
        assert isinstance(found, dict)
        return found

    def events(self, namespace: str) -> list[str]:
        """`reason: message` of every event in the namespace, for a failure message."""
        events = client.CoreV1Api(self.api).list_namespaced_event(namespace).items
        return [f"{e.involved_object.kind}/{e.involved_object.name} {e.reason}: {e.message}" for e in events]


def _local_cluster(command: str, state: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LOCAL_CLUSTER_DIR": str(state)}
    return subprocess.run(
        ["bash", str(LOCAL_CLUSTER), command],
        cwd=PROGRAM_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _refusal(error: ApiException) -> Refusal:
    try:
        status = yaml.safe_load(error.body)
    except yaml.YAMLError:
        status = None
    if not isinstance(status, dict):
        return Refusal(error.status or 0, str(error.reason), str(error.body))
    return Refusal(int(status.get("code", error.status or 0)), str(status.get("reason")), str(status.get("message")))


def _warnings(headers: Any) -> list[str]:
    """The `Warning` headers of a response: `299 - "text"` each."""
    if headers is None:
        return []
    values = headers.getlist("Warning") if hasattr(headers, "getlist") else [headers.get("Warning")]
    return [value.split(" ", 2)[-1].strip('"').replace('\\"', '"') for value in values if value]


def condition(obj: dict[str, Any], kind: str) -> str | None:
    """The status (`True`, `False`, `Unknown`) of the object's condition of that type, or None."""
    for found in (obj.get("status") or {}).get("conditions") or []:
        if found.get("type") == kind:
            return str(found.get("status"))
    return None


def wait_until(
    check: Callable[[], T], what: str, timeout: float = 90, describe: Callable[[], Iterable[str]] = tuple
) -> T:
    """Poll `check` until it returns something truthy; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            details = "\n".join(describe())
            raise AssertionError(f"not reached within {timeout:.0f} s: {what}" + (f"\n{details}" if details else ""))
        time.sleep(0.5)
