"""Every manifest a stack applies: the program's own objects plus the pinned chart rendered by Helm.

`render_manifests(stack)` runs the real program under the offline harness (no Pulumi CLI, no
cluster, no network), takes the chart values it registered (the ArgoCD Application's `valuesObject`
or the Helm release's `values`) and renders the fetched litellm-helm chart with Helm's own template
engine (helm-python-sdk), as the delivery mode does: release name and namespace from the
Application or Release, as a first install (the chart reads neither `.Release.IsInstall` nor
`.Release.IsUpgrade` at v1.76.1-stable, so an upgrade renders the same objects). The chart's
`helm.sh/hook: test` Pods and NOTES.txt are left out, and every object gets the namespace it is
applied in (the chart's templates carry none).

Secret data is returned as the program produced it; redaction is the writer's job (offline/render.py).
"""

import contextlib
import functools
import hashlib
import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pulumi
import yaml
from pydantic import ValidationError

from components.config import ConfigError, settings_from_config
from components.delivery import FETCH_SCRIPT, FETCHED_FROM
from components.settings import SECRET_CONFIG_KEYS, ChartSettings, DatabaseSettings, Settings
from components.stacks import PROGRAM_DIR, StackFileError, stack_config
from offline import harness

Source = Literal["program", "chart", "hook"]

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
HELM_HOOK = "helm.sh/hook"
ARGOCD_HOOK = "argocd.argoproj.io/hook"
CHART_SUMS_DIR = PROGRAM_DIR / "scripts" / "chart-sums"
"""`<ref>.sha256`: the SHA-256 of every file of the chart at that ref, as `sha256sum` writes them."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RenderError(Exception):
    """A problem the user fixes (bad config, unknown stack, missing chart): reported without a traceback."""


@dataclass(frozen=True)
class Manifest:
    source: Source
    """Who applies it: the program itself, the chart as an ordinary object, or the chart as a hook."""
    object: dict[str, Any]
    protected: bool = False
    """`protect`: Pulumi refuses to delete or replace it."""
    retained: bool = False
    """`retainOnDelete`: left in the cluster on `pulumi destroy`."""

    @property
    def kind(self) -> str:
        return str(self.object["kind"])

    @property
    def name(self) -> str:
        return str(self.object["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        return self.object["metadata"].get("namespace")


@dataclass(frozen=True)
class Manifests:
    stack: str
    delivery: str
    release_name: str
    namespace: str
    """The release's namespace: where the chart's objects are applied."""
    chart_folder: Path
    values: dict[str, Any]
    """The chart values the program registered, as Helm received them."""
    objects: list[Manifest]
    """The program's objects by kind, namespace and name, then the chart's in template order."""
    run: harness.Run
    settings: Settings

    def all(self, kind: str) -> list[dict[str, Any]]:
        return [manifest.object for manifest in self.objects if manifest.kind == kind]

    def find(self, kind: str, name: str | None = None) -> dict[str, Any]:
        """The one object of `kind` (named `name`); AssertionError unless there is exactly one."""
        found = [obj for obj in self.all(kind) if name is None or obj["metadata"]["name"] == name]
        if len(found) != 1:
            names = [obj["metadata"]["name"] for obj in self.all(kind)]
            raise AssertionError(f"expected one {kind} {name or ''} in the {self.stack} render, found {names}")
        return found[0]

    def manifest(self, kind: str, name: str) -> Manifest:
        found = [m for m in self.objects if m.kind == kind and m.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {kind} {name} in the {self.stack} render, found {len(found)}")
        return found[0]


def render_manifests(
    stack: str, overrides: Mapping[str, Any] | None = None, secrets: Mapping[str, Any] | None = None
) -> Manifests:
    """Every manifest `Pulumi.<stack>.yaml` applies, with `overrides` (full key -> value, None unsets)
    on top and `secrets` (full key -> value) for the secret config; without `secrets`, each secret
    the stack needs is a visible placeholder. Raises RenderError for anything the user fixes."""
    config, secret_keys = program_config(stack, overrides, secrets)
    try:
        settings = settings_from_config(config, secret_keys, stack=stack)
    except ConfigError as error:
        raise RenderError(str(error)) from None
    with _chart_stub(settings):
        run = harness.run_program(config, secret_keys, stack=stack)
    if isinstance(run.error, pulumi.RunError):
        raise RenderError(str(run.error))
    if run.error is not None:
        raise run.error
    program = sorted(_program_manifests(run), key=lambda m: (m.kind, m.namespace or "", m.name))
    (release_name, namespace, values), *others = _deliveries(run)
    folder = chart_folder(settings.chart)
    chart = render_chart(folder, values, release_name, namespace)
    for other_release, other_namespace, other_values in others:  # a canary's release of the same chart
        chart += render_chart(folder, other_values, other_release, other_namespace)
    return Manifests(
        stack=stack,
        delivery=settings.delivery,
        release_name=release_name,
        namespace=namespace,
        chart_folder=folder,
        values=values,
        objects=program + chart,
        run=run,
        settings=settings,
    )


def program_config(
    stack: str, overrides: Mapping[str, Any] | None = None, secrets: Mapping[str, Any] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The config and secret keys the program gets for the stack, as `render_manifests` describes."""
    try:
        stack_config(stack)
    except StackFileError as error:
        raise RenderError(str(error)) from None
    config, secret_keys = harness.stack_config(stack, secrets)
    apply_overrides(config, secret_keys, overrides)
    if secrets is None:
        config, secret_keys = harness.stack_config(stack, placeholder_secrets(config))
        apply_overrides(config, secret_keys, overrides)
    return config, secret_keys


def apply_overrides(config: dict[str, str], secret_keys: list[str], overrides: Mapping[str, Any] | None) -> None:
    """Set each full key to its value (None unsets it); keys of secret config are marked secret."""
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
            continue
        config[key] = harness.encode_config_value(value)
        if key.removeprefix("litellm:") in SECRET_CONFIG_KEYS and key not in secret_keys:
            secret_keys.append(key)


def placeholder_secrets(config: dict[str, str]) -> dict[str, Any]:
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
def _chart_stub(settings: Settings) -> Iterator[None]:
    """For Helm delivery, run the program in a temporary folder holding a stub chart where it looks
    for the fetched one: the program only checks that folder, the chart itself is rendered here.
    A chart folder outside the working directory (absolute, or with `..`) is used as it is."""
    folder = Path(settings.chart.chart_folder)
    if settings.delivery != "helm" or folder.is_absolute() or ".." in folder.parts:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="litellm-render-") as workdir:
        harness.write_chart_stub(Path(workdir, folder))
        with contextlib.chdir(workdir):
            yield


def kubernetes_registrations(run: harness.Run) -> Iterator[harness.Registration]:
    """What the program asks the Kubernetes provider to apply, the Helm release included: no reads
    (the CRD preflight), no components."""
    for registration in run.registrations:
        if not registration.read and registration.custom and registration.type.startswith("kubernetes:"):
            yield registration


def _program_manifests(run: harness.Run) -> Iterator[Manifest]:
    for registration in kubernetes_registrations(run):
        if registration.type == RELEASE:
            continue  # not a manifest: Helm applies the chart's objects, rendered below
        yield Manifest(
            "program",
            plain(registration.inputs),
            protected=registration.protect,
            retained=registration.retain_on_delete,
        )


def _deliveries(run: harness.Run) -> list[tuple[str, str, dict[str, Any]]]:
    """(release name, namespace, values) of each registered Application or Release, the stable one first."""
    found = []
    for registration in run.registrations:
        if registration.type == APPLICATION:
            spec = plain(registration.inputs["spec"])
            helm = spec["source"]["helm"]
            found.append((helm["releaseName"], spec["destination"]["namespace"], helm["valuesObject"]))
        if registration.type == RELEASE:
            inputs = plain(registration.inputs)
            found.append((inputs["name"], inputs["namespace"], inputs["values"]))
    if not found:
        raise RenderError("the program registered neither an ArgoCD Application nor a Helm release")
    return found


def plain(value: Any) -> Any:
    """A recorded input as a manifest: secrets unwrapped, integral floats (the mocks' numbers) as ints."""
    return harness.map_tree(value, lambda item: harness.integral(harness.unwrap_secret(item)))


def chart_folder(chart: ChartSettings) -> Path:
    """The fetched chart at the stack's ref, checked against its record and the committed sums."""
    folder = Path(chart.chart_folder)
    if not folder.is_absolute():
        folder = PROGRAM_DIR / folder
    fetch = f"run `{FETCH_SCRIPT} {chart.ref} {chart.repo_url} {chart.path}` in {PROGRAM_DIR}"
    record = folder / FETCHED_FROM
    if not (folder / "Chart.yaml").is_file() or not record.is_file():
        raise RenderError(f"the litellm-helm chart at {chart.ref} is not in {folder}; {fetch} to fetch it")
    fetched = record.read_text(encoding="utf-8", errors="replace")
    source = {"ref": chart.ref, "repo": chart.repo_url, "path": chart.path}
    if any(f"{key}: {value}\n" not in fetched for key, value in source.items()):
        raise RenderError(f"the chart in {folder} was fetched from another ref, repository or path; {fetch}")
    problems = chart_sum_problems(folder, chart.ref)
    if problems:
        raise RenderError(f"the chart in {folder} does not match its committed SHA-256 sums: {problems}; {fetch}")
    return folder


def chart_sum_problems(folder: Path, ref: str) -> str | None:
    """What differs between the files in `folder` and `scripts/chart-sums/<ref>.sha256`, or None."""
    sums_file = CHART_SUMS_DIR / f"{ref}.sha256"
    if not sums_file.is_file():
        return f"no committed sums for {ref} ({sums_file.relative_to(PROGRAM_DIR)})"
    expected = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        expected[name.lstrip("*")] = digest
    actual = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file() and path.name != FETCHED_FROM
    }
    changed = sorted(name for name in expected.keys() & actual.keys() if expected[name] != actual[name])
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    parts = [f"{label} {', '.join(names)}" for label, names in (("changed", changed), ("missing", missing),
                                                                 ("unexpected", extra)) if names]  # fmt: skip
    return "; ".join(parts) or None


def render_templates(folder: Path, values: dict[str, Any], release_name: str, namespace: str) -> dict[str, str]:
    """Helm's output for these values, template path -> text, as a first install of the release."""
    return _loaded_chart(folder, _chart_files_state(folder)).render(
        values, name=release_name, namespace=namespace, is_install=True
    )


def render_chart(folder: Path, values: dict[str, Any], release_name: str, namespace: str) -> list[Manifest]:
    """The chart's objects for these values, as a first install of the release renders them."""
    rendered = render_templates(folder, values, release_name, namespace)
    manifests = []
    for template in sorted(rendered):
        if not template.endswith((".yaml", ".yml")):
            continue  # NOTES.txt
        for document in yaml.load_all(rendered[template], Loader=_LOADER):
            if not document:
                continue
            annotations = document.get("metadata", {}).get("annotations") or {}
            if "test" in str(annotations.get(HELM_HOOK, "")).split(","):
                continue  # `helm test` Pods: neither Helm nor ArgoCD applies them on install or sync
            document["metadata"].setdefault("namespace", namespace)
            hook = HELM_HOOK in annotations or ARGOCD_HOOK in annotations
            manifests.append(Manifest("hook" if hook else "chart", document))
    return manifests


def _chart_files_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        sorted((str(path), stat.st_mtime_ns, stat.st_size) for path in folder.rglob("*") if (stat := path.stat()))
    )


@functools.lru_cache(maxsize=8)
def _loaded_chart(folder: Path, files_state: tuple[tuple[str, int, int], ...]) -> Any:
    """The chart loaded once per folder and file state (loading with its subcharts takes about 45 ms)."""
    # Imported here: the Helm engine (about 75 MB) is for the review tools, not the program.
    import helm_python

    return helm_python.Chart.load(folder)
