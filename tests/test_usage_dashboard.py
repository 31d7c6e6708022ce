"""Token usage, cost and cache hit rate per model without a licence: the usage dashboard's queries, as the
prod render ships them, run on LiteLLM's real schema in a real PostgreSQL.

The schema is LiteLLM's own: every migration SQL file of the litellm_proxy_extras the image's LiteLLM 1.76.1
pins (the runtime tier's environment), applied in order to the stack's schema, as Prisma would. Grafana's
macros are expanded the way its PostgreSQL data source does (grafana/grafana
pkg/tsdb/grafana-postgresql-datasource/macros.go: the `\\$name(args)` pattern, `__timeFilter` as
`col BETWEEN 'from' AND 'to'`, `__timeGroupAlias` as `floor(extract(epoch from col)/s)*s AS "time"`).
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from components.usage_dashboard import USAGE_DASHBOARD_FILE, usage_dashboard
from tests.conftest import committed_settings, render_stack
from tests.postgres import PostgresServer
from tests.runtime.tools import runtime_site_packages
from tests.test_monitoring import lost_keys

FROM = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
TO = FROM + timedelta(days=1)
INTERVAL_SECONDS = 3600
MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")
# (request_id, model_group, model, prompt, completion, spend, cache_hit, status, minutes after FROM)
SPEND_ROWS = [
    ("r1", "gpt-4o", "gpt-4o-2024-08-06", 100, 50, 0.002, "False", "success", 10),
    ("r2", "gpt-4o", "gpt-4o-2024-08-06", 200, 100, 0.004, "False", "success", 20),
    ("r3", "gpt-4o", "gpt-4o-2024-08-06", 100, 50, 0.0, "True", "success", 30),
    ("r4", "claude-sonnet-4", "claude-sonnet-4-20250514", 1000, 500, 0.0105, "False", "success", 70),
    ("r5", "gpt-4o", "gpt-4o-2024-08-06", 0, 0, 0.0, "None", "failure", 40),
    ("r6", "gpt-4o", "gpt-4o-2024-08-06", 999, 999, 9.99, "False", "success", 60 * 24 + 5),
]
"""r5 failed (not usage), r6 lies outside the dashboard's time range."""


def _migrations() -> list[str]:
    folder = runtime_site_packages() / "litellm_proxy_extras" / "migrations"
    files = sorted(folder.glob("*/migration.sql"))
    assert len(files) >= 30, files
    return [path.read_text(encoding="utf-8") for path in files]


def _at(minutes: int, seconds: int = 0) -> str:
    return (FROM + timedelta(minutes=minutes, seconds=seconds)).isoformat()


@pytest.fixture(scope="module")
def database() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        server.sql("CREATE DATABASE app")
        server.sql("CREATE SCHEMA litellm", database="app")
        for migration in _migrations():
            server.sql("SET search_path TO litellm;\n" + migration, database="app")
        rows = ",\n".join(
            f"('{rid}', 'acompletion', 'hashed-key', {spend}, {prompt + completion}, {prompt}, {completion},"
            f" '{_at(minute)}', '{_at(minute, 3)}', '{model}', '{group}', 'openai', '{cache}', '{status}')"
            for rid, group, model, prompt, completion, spend, cache, status, minute in SPEND_ROWS
        )
        server.sql(
            'INSERT INTO litellm."LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens,'
            ' prompt_tokens, completion_tokens, "startTime", "endTime", model, model_group, custom_llm_provider,'
            f" cache_hit, status) VALUES {rows}",
            database="app",
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def panels() -> dict[str, str]:
    config_map = render_stack("prod").find("ConfigMap", "litellm-litellm-dashboard")
    dashboard = json.loads(config_map["data"][USAGE_DASHBOARD_FILE])
    return {panel["title"]: panel["targets"][0]["rawSql"] for panel in dashboard["panels"]}


def grafana_interpolate(sql: str) -> str:
    sql = sql.replace("$__interval", f"{INTERVAL_SECONDS}s")

    def expand(match: re.Match[str]) -> str:
        name, args = match.group(1), [arg.strip(" ") for arg in match.group(2).split(",")]
        if name == "__timeFilter":
            return f"{args[0]} BETWEEN '{FROM.isoformat()}' AND '{TO.isoformat()}'"
        if name == "__timeGroupAlias":
            seconds = int(args[1].strip("'").removesuffix("s"))
            return f'floor(extract(epoch from {args[0]})/{seconds})*{seconds} AS "time"'
        raise AssertionError(f"the dashboard uses a macro the test does not expand: {name}")

    return MACRO.sub(expand, sql)


def query(database: PostgresServer, sql: str) -> list[list[str]]:
    output = database.sql(grafana_interpolate(sql), database="app")
    return [line.split("|") for line in output.splitlines()]


def _per_model(rows: list[list[str]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for _time, model, value in rows:
        totals[model] = totals.get(model, 0.0) + float(value)
    return totals


def test_every_query_runs_on_litellms_schema(database, panels):
    assert set(panels) == {
        "Tokens per model",
        "Cost per model (USD)",
        "Response cache hit rate per model",
        "Usage per model",
    }
    for sql in panels.values():
        assert query(database, sql), sql


def test_tokens_per_model_count_served_requests_in_the_range(database, panels):
    assert _per_model(query(database, panels["Tokens per model"])) == {"gpt-4o": 600, "claude-sonnet-4": 1500}


def test_cost_per_model_is_litellms_spend(database, panels):
    cost = _per_model(query(database, panels["Cost per model (USD)"]))
    assert cost == pytest.approx({"gpt-4o": 0.006, "claude-sonnet-4": 0.0105})


def test_cache_hit_rate_is_the_share_of_requests_served_from_the_cache(database, panels):
    rows = query(database, panels["Response cache hit rate per model"])
    assert {(model, round(float(value), 3)) for _time, model, value in rows} == {
        ("gpt-4o", 0.333),
        ("claude-sonnet-4", 0.0),
    }


def test_the_usage_table_sums_per_model(database, panels):
    table = {row[0]: row[1:] for row in query(database, panels["Usage per model"])}
    requests, prompt, completion, cost, hit_rate = table["gpt-4o"]
    assert (int(requests), int(prompt), int(completion)) == (3, 400, 200)
    assert float(cost) == pytest.approx(0.006) and float(hit_rate) == pytest.approx(1 / 3)
    assert list(table) == ["claude-sonnet-4", "gpt-4o"]


def test_the_usage_dashboard_round_trips_through_the_grafana_model_with_no_key_lost():
    original = usage_dashboard(committed_settings("prod"))
    decoded = json.loads(json.dumps(Dashboard.from_json(original), cls=JSONEncoder))
    assert lost_keys(original, decoded) == []
