"""Run the real Pulumi program with no CLI, no provider plugin, no cluster and no network.

`run_program` evaluates `__main__.py` under `pulumi.runtime.set_mocks`, inside a root Stack as the
CLI would, and records every resource registration with the fields the stock mocks drop (parent,
protect, retainOnDelete, dependencies), the stack outputs and the log. Used by the tests, the
render command and the benchmark.
"""

import asyncio
import copy
import functools
import hashlib
import json
import logging
import runpy
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from components.stacks import PROGRAM_DIR, PROJECT, read_stack_config, stack_file

SECRET_PLACEHOLDER = "PLACEHOLDER-set-with-pulumi-config-set-secret"
# The placeholder must pass the key's own rules, or an encrypted key would fail the offline run.
_PLACEHOLDERS = {f"{PROJECT}:masterKey": f"sk-{SECRET_PLACEHOLDER}"}


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    dependencies: list[str] = field(default_factory=list)
    read: bool = False
    """True for a `.get()` read of an existing object rather than a resource the program manages."""
    ignore_changes: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    """A component's registered outputs (`register_outputs`): its public interface."""


@dataclass
class Run:
    registrations: list[Registration]
    outputs: dict[str, Any]
    logs: list[tuple[str, str]]
    error: BaseException | None = None

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {type_} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    @property
    def warnings(self) -> list[str]:
        return [message for level, message in self.logs if level == "WARNING"]


CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
RANDOM_PASSWORD_SPECIALS = "!@#$%&*()-_=+[]{}<>:?"
"""pulumi-random's `RandomPassword` special characters when `overrideSpecial` is unset."""


APPLICATION_CRD_SCHEMA = PROGRAM_DIR / "tests" / "crds" / "argoproj.io_applications.v1alpha1.yaml"
"""ArgoCD's own Application CRD schema (v3), vendored with its source and version in the header."""


@functools.cache
def _application_crd_schema() -> dict[str, Any]:
    return yaml.load(
        APPLICATION_CRD_SCHEMA.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )


def application_crd_spec(values_object: bool = True) -> dict[str, Any]:
    """ArgoCD's Application CRD as a cluster serves it, with the upstream schema. Without `values_object`,
    as ArgoCD before 2.8 served it: no `valuesObject` under a source's `helm` (it arrived with 2.8)."""
    schema = copy.deepcopy(_application_crd_schema())
    if not values_object:
        spec = schema["properties"]["spec"]["properties"]
        for source in (spec["source"], spec["sources"]["items"]):
            del source["properties"]["helm"]["properties"]["valuesObject"]
    version = {"name": "v1alpha1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    return {"group": "argoproj.io", "scope": "Namespaced", "versions": [version]}


class FakeCloud(mocks.Mocks):
    """Returns what the providers would: inputs as state, plus realistic computed values; reads of
    CustomResourceDefinitions return `crds` (name -> spec), by default an ArgoCD 2.8+ Application CRD."""

    def __init__(self, crds: Mapping[str, dict[str, Any]] | None = None):
        super().__init__()
        self.crds = dict(crds) if crds is not None else {"applications.argoproj.io": application_crd_spec()}

    def new_resource(self, args: mocks.MockResourceArgs):
        state = dict(args.inputs)
        if args.typ == CRD and args.resource_id in self.crds:
            state["spec"] = self.crds[args.resource_id]
        # A new random value whenever the keepers change, as the provider replaces the resource then.
        keepers = json.dumps(unwrap_secrets(args.inputs.get("keepers")), sort_keys=True, default=str)
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = _fake_password(
                f"{args.name}\n{keepers}", int(args.inputs.get("length", 32)), args.inputs.get("special", True)
            )
        if args.typ == HELM_RELEASE:
            # The provider's ReleaseStatus after a first install.
            state["status"] = {"name": args.inputs["name"], "revision": 1, "status": "deployed"}
        if args.typ == "random:index/randomId:RandomId":
            state["hex"] = hashlib.sha256(f"{args.name}\n{keepers}".encode()).hexdigest()[
                : 2 * int(args.inputs["byteLength"])
            ]
        return (args.resource_id or f"{args.name}-id", state)

    def call(self, args: mocks.MockCallArgs):
        return ({}, None)


def _fake_password(seed: str, length: int, special: bool) -> str:
    """Drawn from the provider's alphabet: letters, digits and, unless `special` is false, its default
    special characters."""
    alphabet = string.ascii_letters + string.digits + (RANDOM_PASSWORD_SPECIALS if special else "")
    digest = hashlib.sha256(seed.encode()).digest() * (length // 32 + 1)
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, cloud: mocks.Mocks):
        super().__init__(cloud)
        self.registrations: list[Registration] = []
        self.stack_urn: str | None = None
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
        else:
            self._record(
                request,
                response.urn,
                custom=request.custom,
                inputs=rpc.deserialize_properties(request.object),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=list(request.ignoreChanges),
            )
        return response

    def ReadResource(self, request):
        response = super().ReadResource(request)
        self._record(request, response.urn, custom=True, inputs={"id": request.id}, read=True)
        return response

    def _record(self, request, urn: str, **fields: Any) -> None:
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=urn,
                parent=request.parent,
                dependencies=list(request.dependencies),
                **fields,
            )
        )

    def RegisterResourceOutputs(self, request):
        outputs = rpc.deserialize_properties(request.outputs)
        if request.urn == self.stack_urn:
            self.stack_outputs = outputs
        for registration in self.registrations:
            if registration.urn == request.urn:
                registration.outputs = outputs
        return super().RegisterResourceOutputs(request)


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[tuple[str, str]] = []

    def emit(self, record):
        self.records.append((record.levelname, record.getMessage()))


_LEFT_BEHIND = ("exception was never retrieved", "Task was destroyed but it is pending")


def _unless_left_behind(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A run that fails in an apply leaves futures holding that error (which the run already returns in
    `Run.error`) and tasks that will never run; asyncio would report each when it is collected, long
    after the run."""
    if any(text in str(context.get("message", "")) for text in _LEFT_BEHIND):
        return
    loop.default_exception_handler(context)


class _LoopTracker(asyncio.DefaultEventLoopPolicy):
    """Remembers every event loop made during a run, including the ones the mocks create in worker
    threads, so all are closed when the run ends instead of at interpreter exit (where closing a
    loop whose socket is already gone prints `Exception ignored in BaseEventLoop.__del__`)."""

    def __init__(self):
        super().__init__()
        self.loops: list[asyncio.AbstractEventLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.set_exception_handler(_unless_left_behind)
        self.loops.append(loop)
        return loop

    def close_all(self) -> None:
        for loop in self.loops:
            if loop.is_running():
                # A mocks worker thread still finishing a call of a failed run: stop it there; closing
                # a running loop raises.
                loop.call_soon_threadsafe(loop.stop)
            elif not loop.is_closed():
                loop.close()


def run_program(
    config: Mapping[str, str],
    secret_keys: list[str] | None = None,
    stack: str = "dev",
    preview: bool = False,
    main: Path = PROGRAM_DIR / "__main__.py",
    cloud: FakeCloud | None = None,
) -> Run:
    """Evaluate the program once; exceptions are returned in `Run.error`, not raised."""
    runtime_config.set_all_config(dict(config), list(secret_keys or []))
    loops = _LoopTracker()
    previous_policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(loops)
    asyncio.set_event_loop(loops.new_event_loop())
    logger = logging.getLogger(f"litellm.offline.{id(config)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = _ListHandler()
    logger.handlers = [handler]
    monitor = RecordingMonitor(cloud or FakeCloud())
    runtime_settings.ROOT.set(None)
    mocks.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=preview, logger=logger, monitor=monitor)
    monitor.registrations.clear()
    runtime_settings.ROOT.set(None)
    error: BaseException | None = None
    try:
        _sync_await(run_in_stack(lambda: _run_main(main)))
    except Exception as exc:  # noqa: BLE001 - handed to the caller
        error = exc
    finally:
        runtime_settings.ROOT.set(None)
        # A run that failed in an apply leaves its outputs' tasks registered; the next run would wait on
        # them, on this run's closed loop.
        for task in list(runtime_settings.SETTINGS.outputs):
            task.cancel()
        runtime_settings.SETTINGS.outputs.clear()
        loops.close_all()
        asyncio.set_event_loop_policy(previous_policy)
    return Run(monitor.registrations, monitor.stack_outputs, handler.records, error)


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def stack_config(stack: str, secrets: Mapping[str, Any] | None = None) -> tuple[dict[str, str], list[str]]:
    """The config and secret keys the CLI would hand the program for `Pulumi.<stack>.yaml`.

    `secure:` values cannot be decrypted without the CLI: they, and the secret keys a stack file
    leaves out, come from `secrets` (full key -> value), or become a visible placeholder.
    """
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in read_stack_config(stack_file(stack)).items():
        placeheld = _with_placeholder(value, _PLACEHOLDERS.get(key, SECRET_PLACEHOLDER))
        if placeheld != value:  # the value holds `secure:` ciphertext
            secret_keys.append(key)
            value = (secrets or {}).get(key, placeheld)
        config[key] = encode_config_value(value)
    for key, value in (secrets or {}).items():
        if key not in config:
            config[key] = encode_config_value(value)
            secret_keys.append(key)
    return config, secret_keys


def encode_config_value(value: Any) -> str:
    """As the CLI passes config: strings as is, everything else JSON-encoded."""
    return value if isinstance(value, str) else json.dumps(value)


def map_tree(value: Any, convert: Callable[[Any], Any]) -> Any:
    """`convert` applied to `value`, then to every item of the dicts and lists it returns, at any depth."""
    value = convert(value)
    if isinstance(value, dict):
        return {key: map_tree(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [map_tree(item, convert) for item in value]
    return value


def _with_placeholder(value: Any, placeholder: str) -> Any:
    """A stack file value with each `secure:` ciphertext (only the Pulumi CLI decrypts it) replaced by the
    placeholder and a digest of the ciphertext: a rotation (`pulumi config set --secret` again) changes it, so the
    Secret's fingerprint in a review render changes too."""

    def replace(item: Any) -> Any:
        if isinstance(item, dict) and set(item) == {"secure"}:
            digest = hashlib.sha256(str(item["secure"]).encode()).hexdigest()[:12]
            return f"{placeholder}-{digest}"
        return item

    return map_tree(value, replace)


def unwrap_secret(value: Any) -> Any:
    """The value inside a recorded secret wrapper; any other value as it is."""
    while rpc.is_rpc_secret(value):
        value = rpc.unwrap_rpc_secret(value)
    return value


def unwrap_secrets(value: Any) -> Any:
    """A recorded input with every secret wrapper removed, at any depth."""
    return map_tree(value, unwrap_secret)


def integral(value: Any) -> Any:
    """A whole number the mocks recorded as a float (they record every number so) as an int."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def write_chart_stub(folder: Path) -> None:
    """A stand-in for `scripts/fetch-chart.sh` output: enough for the program's chart check, offline."""
    folder.mkdir(parents=True)
    (folder / "Chart.yaml").write_text(
        "apiVersion: v2\nname: litellm-helm\nversion: 0.4.5\nappVersion: v1.50.2\n", encoding="utf-8"
    )
