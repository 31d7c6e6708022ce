"""Run with LiteLLM's own interpreter: print, as JSON, the sample names Prometheus sees for every
metric the licensed `PrometheusLogger` of litellm-enterprise creates (read from its source, since
without a licence it creates none)."""

import ast
import importlib.util
import json
from pathlib import Path

FACTORIES = {"_counter_factory": "counter", "_gauge_factory": "gauge", "_histogram_factory": "histogram"}
SUFFIXES = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"]}

spec = importlib.util.find_spec("litellm_enterprise.integrations.prometheus")
assert spec is not None and spec.origin is not None
tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
names = set()
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FACTORIES:
        kind = FACTORIES[node.func.attr]
        arguments = [*node.args[:1], *(keyword.value for keyword in node.keywords if keyword.arg == "name")]
        for argument in arguments:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                base = argument.value.removesuffix("_total") if kind == "counter" else argument.value
                names.update(base + suffix for suffix in SUFFIXES[kind])
print(json.dumps(sorted(names)))
