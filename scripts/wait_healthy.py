"""Wait until a stack's rollout is healthy, for the deploy workflow's promotion to the next stack.

.venv/bin/python -m scripts.wait_healthy staging --since 2026-01-01T00:00:00Z [--timeout 1200]

- `argocd`: `pulumi up` returns once the Application is written, before ArgoCD syncs it. Waits until
  ArgoCD has compared the spec Pulumi wrote (`status.sync.comparedTo.source` equals `spec.source`),
  the Application is `Synced` and `Healthy`, and no sync operation started since `--since` has
  failed (a failed PreSync migration hook fails the wait at once).
- `helm`: the release is applied by `pulumi up` itself; waits until the Deployment has rolled out.

Uses `kubectl` with the current kubeconfig. Exits 0 when healthy, 1 on a failure or the timeout.
"""

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from components.settings import RELEASE_NAME, ArgoCDSettings
from components.stacks import PROJECT, StackFileError, stack_config

FAILED_PHASES = ("Failed", "Error")


class WaitError(Exception):
    """A problem the user fixes: reported on one line, without a traceback."""


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def application_verdict(application: dict[str, Any], since: datetime) -> tuple[str, str]:
    """("healthy" | "failed" | "waiting", why) for an Application as `kubectl get -o json` returns it."""
    status = application.get("status") or {}
    sync = status.get("sync") or {}
    operation = status.get("operationState") or {}
    started = _time(operation.get("startedAt"))
    recent = started is not None and started >= since
    if recent and operation.get("phase") in FAILED_PHASES:
        return "failed", f"sync operation {operation['phase']}: {operation.get('message', '')}"
    if (sync.get("comparedTo") or {}).get("source") != application.get("spec", {}).get("source"):
        return "waiting", "ArgoCD has not compared the new spec yet"
    if sync.get("status") != "Synced":
        return "waiting", f"sync status {sync.get('status')}"
    if recent and operation.get("phase") not in (None, "Succeeded"):
        return "waiting", f"sync operation {operation.get('phase')}"
    health = (status.get("health") or {}).get("status")
    if health != "Healthy":
        return "waiting", f"health {health}"
    return "healthy", "Synced and Healthy"


def _kubectl(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", *arguments], capture_output=True, text=True, timeout=timeout, check=False)


def wait_for_application(namespace: str, since: datetime, timeout: float, interval: float) -> str:
    deadline = time.monotonic() + timeout
    why = "no answer from the API server yet"
    while time.monotonic() < deadline:
        result = _kubectl("-n", namespace, "get", "applications.argoproj.io", RELEASE_NAME, "-o", "json")
        if result.returncode == 0:
            verdict, why = application_verdict(json.loads(result.stdout), since)
            print(f"wait_healthy: Application {namespace}/{RELEASE_NAME}: {why}", flush=True)
            if verdict == "healthy":
                return why
            if verdict == "failed":
                raise WaitError(f"Application {namespace}/{RELEASE_NAME}: {why}")
        else:
            why = result.stderr.strip()
        time.sleep(interval)
    raise WaitError(f"Application {namespace}/{RELEASE_NAME} not healthy after {timeout:.0f}s: {why}")


def wait_for_deployment(namespace: str, timeout: float) -> str:
    result = _kubectl(
        "-n",
        namespace,
        "rollout",
        "status",
        f"deployment/{RELEASE_NAME}",
        f"--timeout={timeout:.0f}s",
        timeout=timeout + 30,
    )
    if result.returncode != 0:
        raise WaitError(f"Deployment {namespace}/{RELEASE_NAME}: {(result.stderr or result.stdout).strip()}")
    return result.stdout.strip()


def stack_target(stack: str) -> tuple[str, str, str]:
    """(delivery, LiteLLM namespace, ArgoCD namespace) of a committed stack file."""
    try:
        config = stack_config(stack)
        argocd = ArgoCDSettings.model_validate(config.get(f"{PROJECT}:argocd") or {})
    except StackFileError as exc:
        raise WaitError(str(exc)) from None
    except ValidationError as exc:
        raise WaitError(f"Pulumi.{stack}.yaml: {exc}") from None
    return config.get(f"{PROJECT}:delivery", "argocd"), config.get(f"{PROJECT}:namespace", "litellm"), argocd.namespace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.wait_healthy", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--since", required=True, help="UTC time `pulumi up` started (ISO 8601)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds (default 1200)")
    parser.add_argument("--interval", type=float, default=10, help="seconds between two looks (default 10)")
    args = parser.parse_args(argv)
    try:
        since = _time(args.since)
        if since is None:
            raise WaitError("--since needs the time `pulumi up` started, e.g. 2026-01-01T00:00:00Z")
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        delivery, namespace, argocd_namespace = stack_target(args.stack)
        if delivery == "argocd":
            outcome = wait_for_application(argocd_namespace, since, args.timeout, args.interval)
        else:
            outcome = wait_for_deployment(namespace, args.timeout)
    except (WaitError, ValueError) as exc:
        print(f"wait_healthy: {args.stack}: {exc}", file=sys.stderr)
        return 1
    print(f"wait_healthy: {args.stack} is healthy: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
