"""What one proxy pod serves: the real LiteLLM 1.76.1 proxy under load, with a stack's rendered config.

Built on the runtime tier's parts (tests/runtime): the chart render of a committed stack gives the
pod's config.yaml and env (`pod_spec_inputs`), `ProxyProcess` starts the proxy from .venv-runtime
exactly as the tier does, each proxy gets its own real redis-server, and the fake provider answers
every model on loopback. Each proxy is held to its stack's CPU limit (a CFS quota in a cgroup, as
the kubelet does, or CPU affinity when no cgroup can be made) with the stack's worker count.

Every configuration runs at once and is measured interleaved, cell by cell (mode x load),
repeat after repeat in a rotating order, so a change in the machine's load hits all of them alike.
Each cell sends a bounded number of requests from a closed loop of kept-alive connections:

  miss   every prompt distinct, so the cache (if any) misses and the provider is called
  hit    one prompt, answered from the cache after the first request

and reports requests/s, p50/p95/p99, the proxy's CPU-seconds per 1,000 requests (user + system of its
process tree, from /proc) and its peak RSS. The baseline is the same client against the fake provider
alone. Figures are medians over the repeats with their range; ratios between two configurations are
taken repeat by repeat, in the same run, then their median.

Usage (from the README's set-up):
  .venv/bin/python -m scripts.gateway_benchmark --stack prod [--stack staging ...]
      [--compare litellm-benchmark [--compare no-cache ...]] [--concurrency 1,4,16,32] [--rates 40,80,120]
      [--requests 200] [--repeats 3] [--modes miss,hit] [--json results.json]

`--compare` names a variant of the first stack's config (VARIANTS below); the ratios are
first stack / variant, so `--stack prod --compare litellm-benchmark` prints prod's share of LiteLLM's
own benchmark configuration. Only loopback is used; every cell stops after --requests requests or
--max-seconds, whichever comes first.
"""

import argparse
import asyncio
import copy
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from components.quantity import parse_quantity
from offline.manifests import render_manifests
from scripts.gateway_load import (
    Cell,
    CpuLimit,
    Load,
    Spread,
    chat_request,
    percentile,
    run_load,
    tree_cpu_seconds,
    tree_rss_mib,
)
from tests.conftest import SECRETS, fetched_chart
from tests.runtime.proxy import PodInputs, ProxyProcess, pod_spec_inputs
from tests.runtime.servers import FakeProvider, RedisServer
from tests.runtime.tools import RUNTIME_VENV, check_runtime_venv, redis_server_binary

STACKS = ("prod", "staging", "dev")
MODES = ("miss", "hit")
MODEL_LIMITS = ("rpm", "tpm", "max_parallel_requests")
BENCHMARK_MODEL = "fake-openai-endpoint"
WARM_UP = Load("c", 4)
IDLE_SECONDS = 10
DIGITS = {"cpu_s_per_1000": 1, "cores": 2}


def _benchmark_config(config: dict[str, Any]) -> dict[str, Any]:
    """LiteLLM's own load-test configuration: one OpenAI-compatible model at a fake endpoint and the master
    key, nothing else (docs/my-website/docs/load_test_advanced.md and benchmarks.md in BerriAI/litellm)."""
    return {
        "model_list": [{"model_name": BENCHMARK_MODEL, "litellm_params": {"model": "openai/any", "api_key": "test"}}],
        "general_settings": {"master_key": config["general_settings"]["master_key"]},
    }


def _without_cache(config: dict[str, Any]) -> dict[str, Any]:
    settings = config.get("litellm_settings") or {}
    for key in ("cache", "cache_params"):
        settings.pop(key, None)
    return config


def _without_router_redis(config: dict[str, Any]) -> dict[str, Any]:
    router = config.get("router_settings") or {}
    for key in ("redis_host", "redis_port", "redis_password", "cache_kwargs"):
        router.pop(key, None)
    return config


def _without_router_settings(config: dict[str, Any]) -> dict[str, Any]:
    config.pop("router_settings", None)
    return config


def _one_model(config: dict[str, Any]) -> dict[str, Any]:
    config["model_list"] = config["model_list"][:1]
    return config


def _without_litellm_settings(config: dict[str, Any]) -> dict[str, Any]:
    config.pop("litellm_settings", None)
    return config


VARIANTS: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "litellm-benchmark": ("LiteLLM's load-test config: one fake model, the master key", _benchmark_config),
    "no-cache": ("without litellm_settings.cache/cache_params (the Redis response cache)", _without_cache),
    "no-router-redis": ("router_settings without its Redis (state per pod)", _without_router_redis),
    "no-router-settings": ("without router_settings (retries, timeout, cooldowns, Redis)", _without_router_settings),
    "no-litellm-settings": ("without litellm_settings (cache, telemetry)", _without_litellm_settings),
    "one-model": ("only the first model of model_list", _one_model),
}
ENV_VARIANTS: dict[str, tuple[str, dict[str, str]]] = {
    "rate-limiter-v3": (
        "the proxy's multi-instance rate limiter v3 (litellm/proxy/hooks/__init__.py: an env feature flag)",
        {"EXPERIMENTAL_MULTI_INSTANCE_RATE_LIMITING": "true"},
    ),
    "log-info": ("LITELLM_LOG=INFO", {"LITELLM_LOG": "INFO"}),
    "log-error": ("LITELLM_LOG=ERROR", {"LITELLM_LOG": "ERROR"}),
}


@dataclass
class Config:
    """One proxy under test: a stack's render, or a variant of it."""

    name: str
    inputs: PodInputs
    cores: float
    workers: int
    limits_lifted: list[str] = field(default_factory=list)
    description: str = "the stack's render"
    venv: Path = RUNTIME_VENV

    @property
    def model(self) -> str:
        return str(self.inputs.config["model_list"][0]["model_name"])


def stack_config(stack: str) -> Config:
    """The pod a stack's render starts: its config.yaml and env, its CPU limit and its worker count."""
    manifests = render_manifests(stack, None, SECRETS)
    inputs = pod_spec_inputs(manifests)
    (container,) = [
        c for c in manifests.find("Deployment")["spec"]["template"]["spec"]["containers"] if c["name"] == "litellm"
    ]
    cores = float(parse_quantity(str(container["resources"]["limits"]["cpu"])))
    lifted = []
    for entry in inputs.config["model_list"]:
        for key in MODEL_LIMITS:
            if entry["litellm_params"].pop(key, None) is not None:
                lifted.append(f"{entry['model_name']}.{key}")
    return Config(stack, inputs, cores, int(inputs.env.get("NUM_WORKERS", "1")), lifted)


def variant_config(base: Config, variant: str) -> Config:
    if variant in ENV_VARIANTS:
        description, env = ENV_VARIANTS[variant]
        inputs = replace(base.inputs, env={**base.inputs.env, **env})
    elif variant in VARIANTS:
        description, change = VARIANTS[variant]
        inputs = replace(base.inputs, config=change(copy.deepcopy(base.inputs.config)))
    else:
        known = ", ".join([*VARIANTS, *ENV_VARIANTS])
        raise SystemExit(f"--compare {variant!r}: not a variant; valid: {known}")
    return replace(base, name=f"{base.name}:{variant}", inputs=inputs, description=description)


@dataclass
class Running:
    config: Config
    proxy: ProxyProcess
    redis: RedisServer
    limit: CpuLimit
    idle_rss_mib: float = 0.0
    idle_cpu: float = 0.0
    """CPU-seconds per second with no load."""
    cells: dict[tuple[str, Load], list[Cell]] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.proxy.process is not None
        return self.proxy.process.pid


def start(configs: list[Config], provider: FakeProvider, workdir: Path, running: list[Running]) -> None:
    """Starts every proxy at once (each with its Redis) into `running`, then waits for all."""
    for index, config in enumerate(configs):
        redis = RedisServer(workdir / f"redis-{index}").start()
        inputs = config.inputs
        if config.workers != 1:
            inputs = replace(inputs, env={**inputs.env, "NUM_WORKERS": str(config.workers)})
        proxy = ProxyProcess(config.name, inputs, redis, provider, workdir / f"proxy-{index}", venv=config.venv)
        limit = CpuLimit(f"{index}-{config.name.replace(':', '-')}", config.cores)
        running.append(Running(config, proxy, redis, limit))
        proxy.start()
        limit.apply(running[-1].pid)
    for member in running:
        member.proxy.wait_ready(timeout=300)


def stop(running: list[Running]) -> None:
    for member in running:
        member.proxy.stop()
        member.redis.stop()
        member.limit.release()


def _request_maker(member: Running, mode: str, tag: str, locust: bool) -> Callable[[int], bytes]:
    key, port, model = member.proxy.master_key, member.proxy.port, member.config.model
    if mode == "hit":
        prompt = f"capacity probe {tag}"
        return lambda _: chat_request(port, key, model, prompt, locust)
    return lambda index: chat_request(port, key, model, f"capacity probe {tag} {index}", locust)


def _baseline_request(provider: FakeProvider) -> Callable[[int], bytes]:
    request = chat_request(provider.port, "baseline", "baseline", "capacity probe")
    return lambda _: request


def measure(running: list[Running], provider: FakeProvider, args: argparse.Namespace) -> dict[Load, list[Cell]]:
    baseline: dict[Load, list[Cell]] = {}
    for member in running:
        # A first request per mode loads what the proxy imports lazily; the idle RSS is taken after it.
        for mode in args.modes:
            asyncio.run(
                run_load(
                    member.proxy.port, _request_maker(member, mode, "warm-up", args.locust_payload), Load("c", 1), 3, 60
                )
            )
        member.idle_rss_mib = tree_rss_mib(member.pid)
    # What each proxy burns with no request at all (background tasks), measured side by side.
    idle_from = {id(member): tree_cpu_seconds(member.pid) for member in running}
    time.sleep(IDLE_SECONDS)
    for member in running:
        member.idle_cpu = (tree_cpu_seconds(member.pid) - idle_from[id(member)]) / IDLE_SECONDS
    for repeat in range(args.repeats):
        order = running[repeat % len(running) :] + running[: repeat % len(running)]
        for load in args.loads:
            cell = asyncio.run(
                run_load(provider.port, _baseline_request(provider), load, args.requests, args.max_seconds)
            )
            baseline.setdefault(load, []).append(cell)
            for mode in args.modes:
                for member in order:
                    tag = f"{member.config.name} {mode} {load} {repeat} {time.time_ns()}"
                    make = _request_maker(member, mode, tag, args.locust_payload)
                    # Warm-up: primes the cache for hits and fills the connection pools; not counted.
                    asyncio.run(run_load(member.proxy.port, make, WARM_UP, WARM_UP.value, args.max_seconds))
                    cell = asyncio.run(
                        run_load(member.proxy.port, make, load, args.requests, args.max_seconds, member.pid)
                    )
                    member.cells.setdefault((mode, load), []).append(cell)
                    print(
                        f"  repeat {repeat + 1}/{args.repeats} {load!s:<5} {mode:<4} {member.config.name:<28}"
                        f" {cell.throughput:7.1f} req/s  p50 {1000 * _p(cell, 0.5):7.1f} ms"
                        f"  {cell.cpu_per_1000:6.1f} CPU-s/1k  errors {cell.errors}",
                        file=sys.stderr,
                        flush=True,
                    )
    return baseline


def _p(cell: Cell, fraction: float) -> float:
    return percentile(cell.latencies, fraction) if cell.latencies else math.nan


def report(running: list[Running], baseline: dict[Load, list[Cell]], args: argparse.Namespace) -> dict[str, Any]:
    lines = []
    result: dict[str, Any] = {"configs": {}, "baseline": {}, "ratios": {}}
    for member in running:
        config = member.config
        lines.append(
            f"\n## {config.name} ({config.description}): limit {config.cores:g} CPU, {config.workers} worker(s),"
            f" {member.limit.how};"
            f" idle RSS {member.idle_rss_mib:.0f} MiB, idle CPU {1000 * member.idle_cpu:.0f} ms/s"
        )
        if config.limits_lifted:
            lines.append(f"   model limits lifted for the measurement: {', '.join(config.limits_lifted)}")
        lines.append(
            "mode  conc  req/s             p50 ms          p95 ms          p99 ms          CPU-s/1k req"
            "     req/CPU-s        cores used       peak RSS MiB  errors"
        )
        rows = {}
        for (mode, load), cells in sorted(member.cells.items()):
            row = {
                "throughput": Spread.of(c.throughput for c in cells),
                "p50_ms": Spread.of(1000 * _p(c, 0.5) for c in cells),
                "p95_ms": Spread.of(1000 * _p(c, 0.95) for c in cells),
                "p99_ms": Spread.of(1000 * _p(c, 0.99) for c in cells),
                "cpu_s_per_1000": Spread.of(c.cpu_per_1000 for c in cells),
                "per_cpu_second": Spread.of(c.per_cpu_second for c in cells),
                "cores": Spread.of(c.cores for c in cells),
                "peak_rss_mib": Spread.of(c.peak_rss_mib for c in cells),
            }
            errors = sum(c.errors for c in cells)
            lines.append(
                f"{mode:<5} {load!s:>5}  "
                + "  ".join(f"{row[k].show(DIGITS.get(k, 0)):<15}" for k in row if k != "peak_rss_mib")
                + f"  {row['peak_rss_mib'].show():<12}  {errors}"
            )
            rows[f"{mode}/{load}"] = {**{k: vars(v) for k, v in row.items()}, "errors": errors}
        result["configs"][config.name] = {
            "cores": config.cores,
            "workers": config.workers,
            "description": config.description,
            "cpu_limit": member.limit.how,
            "idle_rss_mib": member.idle_rss_mib,
            "idle_cpu_ms_per_s": 1000 * member.idle_cpu,
            "limits_lifted": config.limits_lifted,
            "cells": rows,
        }
    lines.append("\n## baseline: the same client against the fake provider alone")
    for load, cells in sorted(baseline.items()):
        throughput = Spread.of(c.throughput for c in cells)
        p50 = Spread.of(1000 * _p(c, 0.5) for c in cells)
        lines.append(f"{load!s:<6} {throughput.show()} req/s, p50 {p50.show(2)} ms")
        result["baseline"][str(load)] = {"throughput": vars(throughput), "p50_ms": vars(p50)}
    base, *others = running
    for other in others:
        lines.append(f"\n## ratio {base.config.name} / {other.config.name}, repeat by repeat (median, range)")
        lines.append("mode  conc  req/s             req per CPU-s")
        for key, cells in sorted(base.cells.items()):
            pairs = list(zip(cells, other.cells[key], strict=True))
            throughput = Spread.of(a.throughput / b.throughput for a, b in pairs)
            per_cpu = Spread.of(a.per_cpu_second / b.per_cpu_second for a, b in pairs)
            lines.append(f"{key[0]:<5} {key[1]!s:>5}  {throughput.show(2):<16}  {per_cpu.show(2)}")
            result["ratios"].setdefault(other.config.name, {})[f"{key[0]}/{key[1]}"] = {
                "throughput": vars(throughput),
                "per_cpu_second": vars(per_cpu),
            }
    print("\n".join(lines))
    return result


def _positive_ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give positive integers separated by commas, e.g. 1,4,16")
    return values


def _modes(text: str) -> list[str]:
    modes = text.split(",")
    if not set(modes) <= set(MODES):
        raise argparse.ArgumentTypeError(f"{text!r}: give miss, hit or miss,hit")
    return modes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", action="append", choices=STACKS, help="a committed stack (repeatable)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        help=f"a variant of the first stack: {', '.join(VARIANTS)}, {', '.join(ENV_VARIANTS)} (repeatable)",
    )
    parser.add_argument(
        "--compare-venv",
        action="append",
        type=Path,
        default=[],
        help="the first stack on another interpreter: a venv with requirements-runtime.lock installed (repeatable)",
    )
    parser.add_argument(
        "--concurrency",
        type=_positive_ints,
        help="closed loops of this many connections (default 1,4,16,32 without --rates)",
    )
    parser.add_argument(
        "--rates", type=_positive_ints, help="open loops at these requests/s (latency from the schedule)"
    )
    parser.add_argument("--modes", type=_modes, default=list(MODES))
    parser.add_argument("--requests", type=int, default=200, help="requests per cell (bounded)")
    parser.add_argument("--max-seconds", type=float, default=60, help="time limit per cell")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--locust-payload",
        action="store_true",
        help="LiteLLM's load-test request (a 10 KB prompt and a user) instead of a short prompt",
    )
    parser.add_argument("--cpus", type=float, help="override the stacks' CPU limit (cores)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.stack = args.stack or ["prod"]
    if args.concurrency is None and args.rates is None:
        args.concurrency = [1, 4, 16, 32]
    args.loads = [Load("c", value) for value in args.concurrency or []] + [
        Load("r", value) for value in args.rates or []
    ]
    if args.repeats < 1 or args.requests < 1:
        parser.error("--repeats and --requests must be at least 1")
    return args


def _python_of(venv: Path) -> str:
    """The interpreter of a venv: version and build (`python -VV`) and where it lives."""
    python = venv / "bin" / "python"
    version = subprocess.run([str(python), "-VV"], capture_output=True, text=True, check=True).stdout.strip()
    return f"{version}, {python.resolve()}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_runtime_venv()
    redis_server_binary()
    fetched_chart()
    configs = [stack_config(stack) for stack in args.stack]
    configs += [variant_config(configs[0], variant) for variant in args.compare]
    for venv in args.compare_venv:
        check_runtime_venv(venv)
        configs.append(
            replace(configs[0], name=f"{configs[0].name}@{venv.name}", description=_python_of(venv), venv=venv)
        )
    if args.cpus is not None:
        configs = [replace(config, cores=args.cpus) for config in configs]
    python = _python_of(RUNTIME_VENV)
    load_before = os.getloadavg()
    print(
        f"# gateway benchmark {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {platform.node()},"
        f" {os.cpu_count()} CPUs, load average {load_before[0]:.1f}; proxy Python {python}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="gateway-benchmark-"))
    provider = FakeProvider().start()
    running: list[Running] = []
    try:
        start(configs, provider, workdir, running)
        baseline = measure(running, provider, args)
        result = report(running, baseline, args)
    finally:
        stop(running)
        provider.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\nload average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)")
    if args.json:
        result.update(python=python, load_average=[load_before[0], load_after[0]], args=sys.argv[1:])
        args.json.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
