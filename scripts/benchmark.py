"""How much this program adds to a `pulumi preview` over the bare cost of importing the Pulumi SDK.

Every sample is a fresh Python child process, so import costs count as they do when the Pulumi CLI
starts the program. Four kinds of child, run interleaved, each timed from its first import to its
last statement (interpreter start-up is the same for all of them and is left out, which makes the
ratios stricter). Each child reports its wall time and its CPU time (all threads); the ratios and
the budget use the CPU time, which is what the program costs: on a machine shared with other work
the wall time also counts the waits for a core, and then varies by seconds between runs.

  sdk        imports the SDK modules the program and the offline harness use: pulumi (with the
             pulumi.runtime modules the harness needs), pulumi_random, yaml, the pydantic names the
             settings use, and pulumi_kubernetes with the API packages the prod stack touches (both
             pydantic and pulumi_kubernetes load lazily, on first attribute access)
  prod       imports the harness and evaluates Pulumi.prod.yaml under mocks, end to end
  models100  the same with litellm:models replaced by 100 models, each with its own provider key
  floor      the sdk imports, then a program of bare ConfigMaps and empty components, as many of each as
             prod registers custom resources and components, evaluated by the same harness: what the SDK
             and its mocks cost for a stack of prod's size before the program does anything

Usage:  .venv/bin/python scripts/benchmark.py [--runs 7] [--check]
Prints medians in ms and the CPU-time ratios to `sdk`, the floor's among them. Exits 0, or with --check 1
when prod or models100 is over its budget (the floor has none: it is what no program can go below).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUDGET = {"prod": 1.2, "models100": 1.3}
MODEL_COUNT = 100
MARKER = "BENCHMARK-RESULT "

# The API packages of pulumi_kubernetes load on first attribute access; touching one class in each
# loads what the prod stack's registrations load.
K8S_TOUCHED = (
    "core.v1.Secret",
    "meta.v1.ObjectMetaArgs",
    "networking.v1.NetworkPolicy",
    "policy.v1.PodDisruptionBudget",
    "apiextensions.CustomResource",
    "apiextensions.v1.CustomResourceDefinition",
    "rbac.v1.PolicyRuleArgs",
)

# Time spent in garbage collection is reported on its own: a full collection walks every live object,
# most of them created by the SDK modules, and when one falls depends on allocation counts.
_START = """import gc, time
_gc = [0.0, 0.0]
def _gc_timer(phase, info):
    if phase == "start":
        _gc[1] = time.process_time()
    else:
        _gc[0] += time.process_time() - _gc[1]
gc.callbacks.append(_gc_timer)
_t0 = time.perf_counter()
_c0 = time.process_time()
"""

# Reports the pulumi_kubernetes packages a child really loaded (a lazy one is still a _LazyModule;
# type() does not trigger its load), so the baseline can be checked against the program.
_REPORT = f"""
_elapsed = time.perf_counter() - _t0
_cpu = time.process_time() - _c0
import json, sys
_loaded = sorted(
    name for name, module in list(sys.modules.items())
    if name.startswith("pulumi_kubernetes.") and type(module).__name__ != "_LazyModule"
    and all(part.islower() and part.isalnum() for part in name.split(".")[1:])
)
_result = {{"seconds": _elapsed, "cpu": _cpu, "gc": _gc[0], "resources": _resources, "custom": _custom, "k8s": _loaded}}
print({MARKER!r} + json.dumps(_result))
"""

_SDK_IMPORTS = """
import pulumi, pulumi_kubernetes, pulumi_random, yaml
from pulumi.runtime import config, mocks, rpc, settings, stack, sync_await
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError
from pydantic import model_validator
from pydantic.alias_generators import to_camel
""" + "".join(f"pulumi_kubernetes.{path}\n" for path in K8S_TOUCHED)

SDK_CHILD = _START + _SDK_IMPORTS + "_resources = _custom = 0\n" + _REPORT

_SECRETS = """
secrets = {"litellm:providerKeys": provider_keys, "litellm:databasePassword": "benchmark-FAKE-password"}
"""

# After a harness run: its error raised, its registrations counted for the report.
_COUNTED = """
if run.error is not None:
    raise run.error
_resources = len(run.registrations)
_custom = sum(registration.custom for registration in run.registrations)
"""

_RUN = '\nrun = run_program(config, secret_keys, stack="prod")' + _COUNTED

PROD_CHILD = (
    _START
    + "from offline.harness import run_program, stack_config\n"
    + 'provider_keys = {"OPENAI_API_KEY": "sk-openai-FAKE", "ANTHROPIC_API_KEY": "sk-ant-FAKE"}\n'
    + _SECRETS
    + 'config, secret_keys = stack_config("prod", secrets)\n'
    + _RUN
    + _REPORT
)

MODELS100_CHILD = (
    _START
    + "import json\nfrom offline.harness import run_program, stack_config\n"
    + f'envs = [f"PROVIDER_{{i:03d}}_API_KEY" for i in range({MODEL_COUNT})]\n'
    + 'provider_keys = {env: f"sk-FAKE-{env.lower()}" for env in envs}\n'
    + _SECRETS
    + 'config, secret_keys = stack_config("prod", secrets)\n'
    + 'config["litellm:models"] = json.dumps(\n'
    + '    [{"name": f"model-{i:03d}", "model": f"openai/model-{i:03d}", "apiKeyEnv": env}\n'
    + "     for i, env in enumerate(envs)]\n"
    + ")\n"
    + _RUN
    + _REPORT
)

# The floor's program: ConfigMaps with a name, a namespace, a label and one data key, spread over the
# components; in a temporary folder, as run_program evaluates a file.
_FLOOR_PROGRAM = """
import pulumi
import pulumi_kubernetes as k8s

components = [pulumi.ComponentResource("floor:index:Component", f"component-{{i}}") for i in range({components})]
for i in range({custom}):
    k8s.core.v1.ConfigMap(
        f"config-{{i}}",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=f"config-{{i}}", namespace="floor", labels={{"app": "floor"}}),
        data={{"key": "value"}},
        opts=pulumi.ResourceOptions(parent=components[i % len(components)]),
    )
for component in components:
    component.register_outputs({{}})
"""


def floor_child(custom: int, components: int) -> str:
    """The floor child for a stack of `custom` custom resources and `components` components (at least one)."""
    program = _FLOOR_PROGRAM.format(custom=custom, components=max(components, 1))
    return (
        _START
        + _SDK_IMPORTS
        + "import tempfile\nfrom pathlib import Path\nfrom offline.harness import FakeCloud, run_program\n"
        + "with tempfile.TemporaryDirectory() as _folder:\n"
        + '    _main = Path(_folder) / "__main__.py"\n'
        + f"    _main.write_text({program!r})\n"
        + '    run = run_program({}, [], stack="prod", main=_main, cloud=FakeCloud({}))'
        + _COUNTED
        + _REPORT
    )


CHILDREN = {"sdk": SDK_CHILD, "prod": PROD_CHILD, "models100": MODELS100_CHILD}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # As under the Pulumi CLI, compiled bytecode of the project is cached (in the git-ignored
    # __pycache__ folders) and reused; site-packages already ship theirs.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def sample(kind: str, code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        sys.exit(f"benchmark: the {kind} child failed (exit {done.returncode}):\n{done.stderr}{done.stdout}")
    return json.loads(lines[-1][len(MARKER) :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="samples of each kind (default 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is over its budget")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    children = dict(CHILDREN)
    for kind, code in CHILDREN.items():  # warm-up: writes the bytecode caches, not counted
        warm = sample(kind, code)
        if kind == "prod":
            children["floor"] = floor_child(warm["custom"], warm["resources"] - warm["custom"])
    sample("floor", children["floor"])
    samples: dict[str, list[dict]] = {kind: [] for kind in children}
    for _ in range(args.runs):
        for kind, code in children.items():  # interleaved, so drift in machine load hits every kind alike
            samples[kind].append(sample(kind, code))

    median = {kind: statistics.median(s["cpu"] for s in runs) * 1000 for kind, runs in samples.items()}
    print(f"fresh Python process per sample, {args.runs} samples each, medians in ms")
    for kind, runs in samples.items():
        cpu = [s["cpu"] * 1000 for s in runs]
        wall = statistics.median(s["seconds"] for s in runs) * 1000
        gc_ms = statistics.median(s["gc"] for s in runs) * 1000
        resources = f", {runs[-1]['resources']} resources" if runs[-1]["resources"] else ""
        print(
            f"  {kind:<10} CPU {median[kind]:7.1f}  (min {min(cpu):.1f}, max {max(cpu):.1f}; wall {wall:.1f};"
            f" in garbage collection {gc_ms:.1f}){resources}"
        )
    over = False
    for kind, budget in BUDGET.items():
        ratio = median[kind] / median["sdk"]
        verdict = "ok" if ratio <= budget else "OVER BUDGET"
        over |= ratio > budget
        print(f"  {kind}/sdk = {ratio:.2f}x CPU time  (budget {budget:.1f}x, {verdict})")
    floor = median["floor"] / median["sdk"]
    left = BUDGET["prod"] - floor
    print(
        f"  floor/sdk = {floor:.2f}x CPU time  (the SDK and its mocks alone, for prod's"
        f" {samples['floor'][-1]['resources']} registrations; "
        + (f"leaves {left:.2f}x of prod's budget to the program)" if left > 0 else "nothing of prod's budget is left)")
    )
    print(f"  prod over the floor = {(median['prod'] - median['floor']) / median['sdk']:.2f}x of sdk")
    without_gc = {kind: statistics.median((s["cpu"] - s["gc"]) for s in runs) * 1000 for kind, runs in samples.items()}
    print(
        "  without garbage collection: "
        + ", ".join(f"{kind}/sdk = {without_gc[kind] / without_gc['sdk']:.2f}x" for kind in BUDGET)
    )
    for kind in BUDGET:
        missing = sorted(set(samples[kind][-1]["k8s"]) - set(samples["sdk"][-1]["k8s"]))
        if missing:
            print(f"  note: {kind} loads pulumi_kubernetes packages the baseline does not: {', '.join(missing)}")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
