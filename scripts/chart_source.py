"""The chart source a stack deploys, for `scripts/fetch-chart.sh`: prints `ref repo-url path`.

.venv/bin/python -m scripts.chart_source dev
"""

import sys

from components.config import read_stack_file, stack_file
from components.settings import ChartSettings


def chart_source(stack: str) -> ChartSettings:
    config = read_stack_file(stack_file(stack)).get("config") or {}
    return ChartSettings.model_validate(config.get("litellm:chart") or {})


if __name__ == "__main__":
    chart = chart_source(sys.argv[1])
    print(chart.ref, chart.repo_url, chart.path)
