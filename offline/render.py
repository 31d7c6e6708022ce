"""Render a stack offline, for review: `python -m offline.render <stack> [--out DIR] [--diff GIT-REF]`.

Runs the real program for `Pulumi.<stack>.yaml` under the offline harness (no Pulumi CLI, no
cluster, no network), renders the pinned chart with the values it registered through Helm's own
template engine (offline/manifests.py), and writes the hydrated manifest set as YAML:

- one file per object ArgoCD, Helm or Pulumi applies, `<kind>-<namespace>-<name>.yaml`
  (`<kind>-<name>.yaml` when cluster-scoped): the program's own objects (the ArgoCD Application
  among them) and the chart's Deployment, Service, ConfigMap and migration Job. Secrets show their
  keys only, each value `<redacted>`, under a fingerprint of their data that changes with any value;
- `helm-release.yaml`, the Helm release's inputs, for stacks with `litellm:delivery: helm`;
- `values.yaml`, the chart values;
- `SUMMARY.md`: kind, name, who delivers it (program, chart, hook), protected, kept on destroy.

`--diff GIT-REF` also renders the stack as the program at that commit does (in a temporary git
worktree) and prints a unified diff from that render to this one. Secret config the stack file
leaves out (ours leave out all of it) becomes a visible placeholder. The output is deterministic:
keys sorted, numbers as the stack file wrote them, so two renders are byte-identical.
"""

import argparse
import contextlib
import difflib
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import rpc

from components.stacks import PROGRAM_DIR, StackFileError, stack_config
from offline import harness
from offline.manifests import (
    Manifest,
    Manifests,
    RenderError,
    kubernetes_registrations,
    placeholder_secrets,
    render_manifests,
)

REDACTED = "<redacted>"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
RELEASE_FILE = "helm-release.yaml"
VALUES_FILE = "values.yaml"
SUMMARY_FILE = "SUMMARY.md"

__all__ = ["RenderError", "Rendering", "main", "render", "write"]


@dataclass(frozen=True)
class RenderedResource:
    type: str
    """Pulumi type token, e.g. `kubernetes:core/v1:Secret`."""
    file: str
    document: dict[str, Any]
    """The resource's inputs as written to `file`, secret values redacted: a manifest for Kubernetes objects."""


@dataclass(frozen=True)
class Rendering:
    stack: str
    resources: list[RenderedResource]
    """What the program registers (the input of the policy pack), sorted by file name."""
    chart: list[RenderedResource]
    """The chart's objects as Helm renders them with the registered values, sorted by file name."""
    values: dict[str, Any]
    """The chart values the program registered (manifests.values)."""
    warnings: list[str]
    manifests: Manifests

    def files(self) -> dict[str, dict[str, Any]]:
        return {
            **{resource.file: resource.document for resource in [*self.resources, *self.chart]},
            VALUES_FILE: self.values,
        }

    def _review_files(self) -> dict[str, dict[str, Any]]:
        """The files as a reviewer reads them: each piece once. The chart values are `values.yaml` (the Application
        and the Helm release point there), and LiteLLM's config.yaml is the ConfigMap's (values.yaml points there)."""
        files = self.files()
        config_map = next(
            (r.file for r in self.chart if r.document.get("kind") == "ConfigMap" and "config.yaml" in _data(r)), None
        )
        for name, document in files.items():
            if name == VALUES_FILE and config_map is not None and "proxy_config" in document:
                files[name] = {**document, "proxy_config": f"<rendered as config.yaml in {config_map}>"}
            elif document.get("kind") == "Application":
                files[name] = _with_path(document, ("spec", "source", "helm", "valuesObject"), f"<{VALUES_FILE}>")
            elif name == RELEASE_FILE and "values" in document:
                files[name] = {**document, "values": f"<{VALUES_FILE}>"}
        return files

    def texts(self) -> dict[str, str]:
        """File name -> the exact text written."""
        fingerprints = {
            _file_name(manifest.object): _fingerprint(manifest.object)
            for manifest in self.manifests.objects
            if manifest.kind == "Secret"
        }
        texts = {
            name: (f"# data fingerprint: {fingerprints[name]}\n" if name in fingerprints else "") + to_yaml(document)
            for name, document in self._review_files().items()
        }
        texts[SUMMARY_FILE] = summary(self.manifests.objects)
        return texts


def render(stack: str) -> Rendering:
    """Render `Pulumi.<stack>.yaml` with placeholder secrets; RenderError for anything the user fixes."""
    try:
        stack_config(stack)
        config, _ = harness.stack_config(stack)
    except StackFileError as exc:
        raise RenderError(str(exc)) from None
    placeholders = placeholder_secrets(config)
    manifests = render_manifests(stack, secrets=placeholders)
    resources = sorted(_rendered_resources(manifests), key=lambda resource: resource.file)
    chart = sorted(
        (RenderedResource(_CHART, _file_name(m.object), m.object) for m in manifests.objects if m.source != "program"),
        key=lambda resource: resource.file,
    )
    names = [resource.file for resource in [*resources, *chart]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RenderError(f"two objects render to the same file: {', '.join(duplicates)}")
    warnings = [*_placeholder_warnings(stack, placeholders), *manifests.run.warnings]
    return Rendering(stack, resources, chart, manifests.values, warnings, manifests)


_CHART = "chart"
"""The type of a chart object in `Rendering.chart`: Helm, not Pulumi, applies it."""


def summary(objects: list[Manifest]) -> str:
    """A Markdown table of every object: who delivers it, and whether it survives a mistake or a destroy."""
    order = {"program": 0, "chart": 1, "hook": 2}
    rows = sorted(objects, key=lambda m: (order[m.source], m.kind, m.namespace or "", m.name))
    lines = [
        "| kind | name | delivered by | protected | kept on destroy |",
        "|---|---|---|---|---|",
        *(
            f"| {m.kind} | {m.namespace + '/' if m.namespace else ''}{m.name} | {m.source} |"
            f" {'yes' if m.protected else 'no'} | {'yes' if m.retained else 'no'} |"
            for m in rows
        ),
    ]
    return "\n".join(lines) + "\n"


def _data(resource: RenderedResource) -> dict[str, Any]:
    data = resource.document.get("data")
    return data if isinstance(data, dict) else {}


def _with_path(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `document` with the value at `path` replaced, where the path exists."""
    head, *rest = path
    if head not in document:
        return document
    inner = document[head]
    replaced = _with_path(inner, tuple(rest), value) if rest and isinstance(inner, dict) else value
    return {**document, head: replaced}


def _fingerprint(secret: dict[str, Any]) -> str:
    """Changes when any key or value of the Secret changes; the values themselves stay out of the files."""
    data = {**(secret.get("data") or {}), **(secret.get("stringData") or {})}
    return "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _placeholder_warnings(stack: str, placeholders: dict[str, Any]) -> list[str]:
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
        f"{', '.join(keys)} {'is' if len(keys) == 1 else 'are'} not set in Pulumi.{stack}.yaml: this render used the"
        f" placeholder {harness.SECRET_PLACEHOLDER!r}. Set {'it' if len(keys) == 1 else 'them'} before `pulumi up`"
        f" (`{commands}`), or the program stops with a missing-secret error."
    ]


def write(rendering: Rendering, out: Path) -> list[Path]:
    """Write the rendering into `out`, replacing the files of an earlier render there."""
    texts = rendering.texts()
    clear(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(texts.items()):
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def clear(out: Path) -> None:
    """Remove an earlier render's files from `out`; RenderError if `out` holds anything else."""
    if not out.exists():
        return
    foreign = sorted(path.name for path in out.iterdir() if not _is_render_file(path))
    if foreign:
        raise RenderError(f"{out} holds {foreign[0]!r}, so it is not a render folder; choose an empty or new folder")
    for stale in out.iterdir():
        stale.unlink()


def _is_render_file(path: Path) -> bool:
    return path.is_file() and (path.suffix == ".yaml" or path.name == SUMMARY_FILE)


class _ReviewDumper(yaml.SafeDumper):
    """Multi-line strings (LiteLLM's config.yaml in the ConfigMap) as literal blocks: a diff shows the lines that
    changed, not one escaped line of a thousand characters."""


_ReviewDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text.rstrip("\n") else None
    ),
)


def to_yaml(document: Any) -> str:
    return yaml.dump(
        document, Dumper=_ReviewDumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096
    )


def _rendered_resources(manifests: Manifests) -> Iterator[RenderedResource]:
    """The program's registrations as the policy pack receives them: Pulumi types, secrets redacted."""
    for registration in kubernetes_registrations(manifests.run):
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


def _plain(value: Any) -> Any:
    """Recorded inputs as YAML wants them: secrets redacted, integral floats (the mocks' numbers) as ints."""
    return harness.map_tree(value, lambda item: REDACTED if rpc.is_rpc_secret(item) else harness.integral(item))


def diff_against(stack: str, ref: str, texts: dict[str, str]) -> str:
    """A unified diff from the render of `stack` by the program at git `ref` to `texts`.

    The other revision renders in a temporary git worktree with its own program and this fetched
    chart folder; the worktree is removed afterwards.
    """
    commit = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", error=f"{ref!r} is not a commit here")
    with tempfile.TemporaryDirectory(prefix="litellm-render-diff-") as scratch:
        tree, out = Path(scratch, "tree"), Path(scratch, "rendered")
        _git("worktree", "add", "--detach", "--quiet", str(tree), commit, error=f"cannot check out {ref}")
        try:
            vendor = PROGRAM_DIR / "vendor"
            if vendor.is_dir() and not (tree / "vendor").exists():
                (tree / "vendor").symlink_to(vendor, target_is_directory=True)
            result = subprocess.run(
                [sys.executable, "-m", "offline.render", stack, "--out", str(out)],
                cwd=tree,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise RenderError(f"the program at {ref} could not render {stack}:\n{result.stderr.strip()}")
            before = {path.name: path.read_text(encoding="utf-8") for path in sorted(out.iterdir())}
        finally:
            _git("worktree", "remove", "--force", str(tree), error="cannot remove the temporary worktree")
    lines: list[str] = []
    for name in sorted(before.keys() | texts.keys()):
        lines += difflib.unified_diff(
            before.get(name, "").splitlines(keepends=True),
            texts.get(name, "").splitlines(keepends=True),
            fromfile=f"{ref}/{name}" if name in before else "/dev/null",
            tofile=f"working tree/{name}" if name in texts else "/dev/null",
        )
    return "".join(lines)


def _git(*args: str, error: str) -> str:
    result = subprocess.run(["git", *args], cwd=PROGRAM_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RenderError(f"{error}: {result.stderr.strip() or 'git ' + ' '.join(args)}")
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.render",
        description="Render every manifest a stack applies (the program's objects and the pinned chart's) as YAML,"
        " offline, with a summary; optionally diff against the render at another git revision.",
    )
    parser.add_argument("stack", help="stack name: renders Pulumi.<stack>.yaml")
    parser.add_argument("--out", type=Path, help="output folder (default: rendered/<stack> in the project)")
    parser.add_argument(
        "--diff", metavar="GIT-REF", help="print a unified diff from the render at this revision (e.g. HEAD~1, main)"
    )
    args = parser.parse_args(argv)
    out = args.out or PROGRAM_DIR / "rendered" / args.stack
    try:
        rendering = render(args.stack)
        written = write(rendering, out)
        diff = diff_against(args.stack, args.diff, rendering.texts()) if args.diff else None
    except RenderError as exc:
        print(f"render: {exc}", file=sys.stderr)
        with contextlib.suppress(RenderError):  # not a render folder: nothing of ours to remove
            clear(out)  # no earlier render left behind to be mistaken for this one
        return 1
    for warning in rendering.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    # With --diff, stdout is the unified diff alone (empty when nothing changed), for a file or a pipe.
    report = sys.stdout if diff is None else sys.stderr
    print(f"rendered {args.stack}: {len(written)} files in {out}", file=report)
    print(rendering.texts()[SUMMARY_FILE], end="", file=report)
    if diff is not None:
        print(diff or f"no differences from the render at {args.diff}\n", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
