"""Render a stack offline, for review: `python -m offline.render <stack> [--out rendered/<stack>]`.

Runs the real program for `Pulumi.<stack>.yaml` under the offline harness (no Pulumi CLI, no
cluster, no network) and writes what it would create, as YAML:

- one file per Kubernetes object, `<kind>-<namespace>-<name>.yaml` (`<kind>-<name>.yaml` when
  cluster-scoped), Secrets with every value replaced by `<redacted>`; the ArgoCD Application is one
  of them, as a full manifest;
- `helm-release.yaml`, the Helm release's inputs, for stacks with `litellm:delivery: helm`;
- `values.yaml`, the chart values, for `helm template litellm <chart> -f values.yaml`.

Secret config the stack file leaves out (ours leave out all of it) becomes a visible placeholder.
Helm delivery checks that the fetched chart is on disk; render needs only the chart's folder name,
so it runs the program in a temporary folder holding a stub `Chart.yaml` there. The output is
deterministic: keys sorted, numbers as the stack file wrote them, so two renders diff cleanly.
"""

import argparse
import contextlib
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import rpc
from pydantic import ValidationError

from components.config import PROGRAM_DIR, ConfigError, StackFileError, committed_stacks, settings_from_config
from components.settings import DatabaseSettings
from offline import harness

REDACTED = "<redacted>"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
RELEASE_FILE = "helm-release.yaml"
VALUES_FILE = "values.yaml"
_STACK_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class RenderError(Exception):
    """A problem the user fixes (bad config, unknown stack, output folder): reported without a traceback."""


@dataclass(frozen=True)
class RenderedResource:
    type: str
    """Pulumi type token, e.g. `kubernetes:core/v1:Secret`."""
    file: str
    document: dict[str, Any]
    """The resource's inputs as written to `file`: a manifest for Kubernetes objects."""


@dataclass(frozen=True)
class Rendering:
    stack: str
    resources: list[RenderedResource]
    """Sorted by file name."""
    values: dict[str, Any] | None
    warnings: list[str]

    def files(self) -> dict[str, dict[str, Any]]:
        files = {resource.file: resource.document for resource in self.resources}
        if self.values is not None:
            files[VALUES_FILE] = self.values
        return files


def render(stack: str) -> Rendering:
    """Run the program for `Pulumi.<stack>.yaml` with placeholder secrets; raise RenderError on bad config."""
    if not _STACK_NAME.match(stack) or not harness.stack_file(stack).is_file():
        known = ", ".join(committed_stacks())
        raise RenderError(f"no stack file Pulumi.{stack}.yaml in {PROGRAM_DIR} (stacks: {known})")
    try:
        config, _ = harness.stack_config(stack)
        placeholders = _placeholder_secrets(config)
        config, secret_keys = harness.stack_config(stack, placeholders)
    except StackFileError as exc:
        raise RenderError(str(exc)) from None
    with _chart_stub(config, secret_keys):
        run = harness.run_program(config, secret_keys, stack=stack)
    if isinstance(run.error, pulumi.RunError):
        raise RenderError(str(run.error))
    if run.error is not None:
        raise run.error
    resources = sorted(_rendered_resources(run.registrations), key=lambda resource: resource.file)
    names = [resource.file for resource in resources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RenderError(f"two objects render to the same file: {', '.join(duplicates)}")
    return Rendering(stack, resources, _chart_values(resources), [*_placeholder_warnings(placeholders), *run.warnings])


def _placeholder_warnings(placeholders: dict[str, Any]) -> list[str]:
    """Say which secrets the render invented, and that `pulumi up` needs the real ones."""
    keys = [
        f"{key}.{name}" if isinstance(value, dict) else key
        for key, value in placeholders.items()
        for name in (value if isinstance(value, dict) else [None])
    ]
    if not keys:
        return []
    commands = "; ".join(
        f"pulumi config set --secret --path '{key}' ..."
        if "." in key.removeprefix("litellm:")
        else f"pulumi config set --secret {key} ..."
        for key in keys
    )
    return [
        f"{', '.join(keys)} {'is' if len(keys) == 1 else 'are'} not set in Pulumi.<stack>.yaml: this render used the"
        f" placeholder {harness.SECRET_PLACEHOLDER!r}. Set {'it' if len(keys) == 1 else 'them'} before `pulumi up`"
        f" (`{commands}`), or the program stops with a missing-secret error."
    ]


def write(rendering: Rendering, out: Path) -> list[Path]:
    """Write the rendering into `out`, replacing the YAML files of an earlier render there."""
    if out.exists():
        foreign = sorted(path.name for path in out.iterdir() if path.suffix != ".yaml" or not path.is_file())
        if foreign:
            raise RenderError(
                f"{out} holds {foreign[0]!r}, so it is not a render folder; choose an empty or new folder"
            )
        for stale in out.glob("*.yaml"):
            stale.unlink()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in sorted(rendering.files().items()):
        path = out / name
        path.write_text(to_yaml(document), encoding="utf-8")
        written.append(path)
    return written


def to_yaml(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096)


def _placeholder_secrets(config: dict[str, str]) -> dict[str, Any]:
    """A placeholder for each secret the stack needs but its file leaves out (full key -> value)."""
    secrets: dict[str, Any] = {}
    if "litellm:providerKeys" not in config:
        models = _decoded(config, "litellm:models", [])
        env_names = (
            [model.get("apiKeyEnv") for model in models if isinstance(model, dict)] if isinstance(models, list) else []
        )
        secrets["litellm:providerKeys"] = {
            name: harness.SECRET_PLACEHOLDER for name in env_names if isinstance(name, str)
        }
    if "litellm:databasePassword" not in config and _creates_database_secret(config):
        secrets["litellm:databasePassword"] = harness.SECRET_PLACEHOLDER
    return secrets


def _creates_database_secret(config: dict[str, str]) -> bool:
    try:
        return DatabaseSettings.model_validate(_decoded(config, "litellm:database", {})).create_secret
    except ValidationError:
        return True  # the program reports the bad key


def _decoded(config: dict[str, str], key: str, default: Any) -> Any:
    try:
        return json.loads(config[key]) if key in config else default
    except json.JSONDecodeError:
        return default


@contextlib.contextmanager
def _chart_stub(config: dict[str, str], secret_keys: list[str]) -> Iterator[None]:
    """For Helm delivery, run in a temporary folder holding a stub chart where the program looks for it.

    A chart folder outside the working directory (absolute, or with `..`) is used as it is.
    """
    try:
        settings = settings_from_config(config, secret_keys)
    except ConfigError:
        yield  # the program reports the same problems
        return
    folder = Path(settings.chart.chart_folder)
    if settings.delivery != "helm" or folder.is_absolute() or ".." in folder.parts:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="litellm-render-") as workdir:
        harness.write_chart_stub(Path(workdir, folder))
        with contextlib.chdir(workdir):
            yield


def _rendered_resources(registrations: list[harness.Registration]) -> Iterator[RenderedResource]:
    for registration in registrations:
        if registration.read or not registration.custom or not registration.type.startswith("kubernetes:"):
            continue
        if registration.type == RELEASE:
            yield RenderedResource(RELEASE, RELEASE_FILE, _plain(registration.inputs))
            continue
        inputs = dict(registration.inputs)
        if registration.type == SECRET:
            for field in ("stringData", "data"):
                if field in inputs:
                    inputs[field] = {key: REDACTED for key in harness.unwrap_secrets(inputs[field])}
        manifest = _plain(inputs)
        yield RenderedResource(registration.type, _file_name(manifest), manifest)


def _file_name(manifest: dict[str, Any]) -> str:
    metadata = manifest.get("metadata", {})
    parts = [manifest["kind"], metadata.get("namespace"), metadata["name"]]
    return "-".join(part for part in parts if part).lower() + ".yaml"


def _chart_values(resources: list[RenderedResource]) -> dict[str, Any] | None:
    for resource in resources:
        if resource.type == APPLICATION:
            return resource.document["spec"]["source"]["helm"]["valuesObject"]
        if resource.type == RELEASE:
            return resource.document["values"]
    return None


def _plain(value: Any) -> Any:
    """Recorded inputs as YAML wants them: secrets redacted, integral floats (the mocks' numbers) as ints."""
    return harness.map_tree(value, lambda item: REDACTED if rpc.is_rpc_secret(item) else harness.integral(item))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.render",
        description="Render a stack's Kubernetes objects, ArgoCD Application or Helm release, and chart values"
        " as YAML, offline.",
    )
    parser.add_argument("stack", help="stack name: renders Pulumi.<stack>.yaml")
    parser.add_argument("--out", type=Path, help="output folder (default: rendered/<stack> in the project)")
    args = parser.parse_args(argv)
    out = args.out or PROGRAM_DIR / "rendered" / args.stack
    try:
        rendering = render(args.stack)
        written = write(rendering, out)
    except RenderError as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 1
    for warning in rendering.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"rendered {args.stack}: {len(written)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
