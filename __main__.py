"""LiteLLM proxy on Kubernetes: validated stack config in, one LiteLLM component out."""

import gc

import pulumi

from components.config import ConfigError, load_settings, risk_warnings
from components.delivery import chart_source_problem
from components.litellm import LiteLLM


def main() -> None:
    settings = load_settings()
    problem = chart_source_problem(settings)
    if problem:
        raise ConfigError([problem])
    for warning in risk_warnings(settings, pulumi.get_stack()):
        pulumi.log.warn(warning)

    litellm = LiteLLM("litellm", settings)
    for output_name, value in litellm.outputs.items():
        pulumi.export(output_name, value)


# Building the resources loads most of the Kubernetes SDK (its API modules load on first use): a
# large heap of long-lived objects and no garbage. The collector waits until then, and the heap is
# then frozen out of every later collection (about 40 ms of a preview, scripts/benchmark.py).
gc.disable()
try:
    main()
finally:
    gc.freeze()
    gc.enable()
