"""The chart source a stack deploys, for `scripts/fetch-chart.sh`: prints `ref repo-url path`.

.venv/bin/python -m scripts.chart_source dev
"""

import argparse
import sys

from pydantic import ValidationError

from components.config import describe_errors
from components.settings import ChartSettings
from components.stacks import PROJECT, StackFileError, stack_config


def chart_source(stack: str) -> ChartSettings:
    """The stack's chart settings; StackFileError, on one line, for a missing or unreadable stack or chart."""
    chart = stack_config(stack).get(f"{PROJECT}:chart") or {}
    try:
        return ChartSettings.model_validate(chart, by_alias=True, by_name=False)
    except ValidationError as exc:
        problems = describe_errors(exc, prefix=("chart",))
        raise StackFileError(f"Pulumi.{stack}.yaml: " + "; ".join(problems)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.chart_source", description="Print `ref repo-url path` of a stack's litellm-helm chart."
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    args = parser.parse_args(argv)
    try:
        chart = chart_source(args.stack)
    except StackFileError as exc:
        print(f"chart_source: {exc}", file=sys.stderr)
        return 1
    print(chart.ref, chart.repo_url, chart.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
