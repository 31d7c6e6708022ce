"""LiteLLM proxy on Kubernetes: validated stack config in, one LiteLLM component out."""

import pulumi

from components.config import ConfigError, load_settings
from components.delivery import chart_source_problem
from components.litellm import LiteLLM
from components.risks import risk_warnings


def main() -> None:
    settings = load_settings()
    problem = chart_source_problem(settings)
    if problem:
        raise ConfigError([problem])
    for warning in risk_warnings(settings, pulumi.get_stack()):
        pulumi.log.warn(warning)

    litellm = LiteLLM("litellm", settings)
    pulumi.export("namespace", litellm.namespace)
    pulumi.export("serviceHost", litellm.service_host)
    pulumi.export("servicePort", litellm.service_port)
    pulumi.export("inClusterUrl", litellm.in_cluster_url)
    pulumi.export("publicUrl", litellm.public_url)
    pulumi.export("chart", litellm.chart)
    pulumi.export("delivery", litellm.delivery)
    pulumi.export("secretNames", litellm.secret_names)
    pulumi.export("masterKey", litellm.master_key)


main()
