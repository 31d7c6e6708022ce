"""The chart source a stack deploys, for `scripts/fetch-chart.sh`: prints `ref repo-url path`.

.venv/bin/python -m scripts.chart_source dev
"""

import argparse
import sys

from pydantic import ValidationError

from components.config import (
    PROJECT,
    StackFileError,
    committed_stacks,
    describe_errors,
    read_stack_config,
    stack_file,
)
from components.settings import ChartSettings


class ChartSourceError(Exception):
    """A problem the user fixes: reported on one line, without a traceback."""


def chart_source(stack: str) -> ChartSettings:
    path = stack_file(stack)
    if "/" in stack or not path.is_file():
        raise ChartSourceError(f"no stack file Pulumi.{stack}.yaml (stacks: {', '.join(committed_stacks()) or 'none'})")
    try:
        config = read_stack_config(path)
    except StackFileError as exc:
        raise ChartSourceError(str(exc)) from None
    chart = config.get(f"{PROJECT}:chart") or {}
    try:
        return ChartSettings.model_validate(chart, by_alias=True, by_name=False)
    except ValidationError as exc:
        problems = describe_errors(exc, prefix=("chart",))
        raise ChartSourceError(f"{path.name}: " + "; ".join(problems)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.chart_source", description="Print `ref repo-url path` of a stack's litellm-helm chart."
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    args = parser.parse_args(argv)
    try:
        chart = chart_source(args.stack)
    except ChartSourceError as exc:
        print(f"chart_source: {exc}", file=sys.stderr)
        return 1
    print(chart.ref, chart.repo_url, chart.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
