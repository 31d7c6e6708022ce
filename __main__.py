"""LiteLLM proxy on Kubernetes: validated stack config in, one LiteLLM component out."""

import gc

import pulumi

from components.config import ConfigError, load_settings, risk_warnings
from components.delivery import chart_source_problem
from components.litellm import LiteLLM

# The SDK's import leaves a heap of long-lived objects; freezing it keeps the full collections that
# resource registration triggers from re-walking it (about 50 ms of a preview, scripts/benchmark.py).
gc.freeze()

settings = load_settings()
problem = chart_source_problem(settings)
if problem:
    raise ConfigError([problem])
for warning in risk_warnings(settings, pulumi.get_stack()):
    pulumi.log.warn(warning)

litellm = LiteLLM("litellm", settings)
for output_name, value in litellm.outputs.items():
    pulumi.export(output_name, value)
