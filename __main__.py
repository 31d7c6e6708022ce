"""LiteLLM proxy on Kubernetes: validated stack config in, one LiteLLM component out."""

import pulumi

from components.config import ConfigError, load_settings, risk_warnings
from components.delivery import chart_source_problem
from components.litellm import LiteLLM

settings = load_settings()
problem = chart_source_problem(settings)
if problem:
    raise ConfigError([problem])
for warning in risk_warnings(settings, pulumi.get_stack()):
    pulumi.log.warn(warning)

litellm = LiteLLM("litellm", settings)
for output_name, value in litellm.outputs.items():
    pulumi.export(output_name, value)
