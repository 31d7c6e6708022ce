"""Token usage, cost and cache hit rate per model without a LiteLLM licence: a Grafana dashboard on LiteLLM's own
spend logs in PostgreSQL.

LiteLLM 1.76.1 writes a row per request to `LiteLLM_SpendLogs` (litellm_proxy_extras 0.2.18 schema.prisma:248-281:
`model_group` the public model name, `prompt_tokens`, `completion_tokens`, `total_tokens`, `spend` in USD,
`cache_hit` as the text of a Python bool, `startTime`, `status`), licence or not
(litellm/proxy/spend_tracking/spend_tracking_utils.py:160, 311, 329). Grafana reads it through a PostgreSQL data
source the operator points at LiteLLM's database (a read-only role on the schema); the queries use Grafana's
`$__timeFilter` and `$__timeGroupAlias` macros (grafana/grafana pkg/tsdb/grafana-postgresql-datasource/macros.go,
`evaluateMacro`). tests/test_usage_dashboard.py runs every query on LiteLLM's real schema.
"""

from typing import Any

from components.settings import Settings

USAGE_DASHBOARD_FILE = "litellm-usage.json"
USAGE_DASHBOARD_UID = "litellm-usage"
DATASOURCE_TYPE = "grafana-postgresql-datasource"
DATASOURCE = {"type": DATASOURCE_TYPE, "uid": "${usage_datasource}"}
MODEL = "COALESCE(NULLIF(model_group, ''), model)"
"""The model name clients call (`model_group`), or the provider's model where a row has none."""
CACHE_HIT = "CASE WHEN cache_hit = 'True' THEN 1.0 ELSE 0.0 END"
SERVED = "status IS DISTINCT FROM 'failure'"


def spend_logs_table(settings: Settings) -> str:
    return f'"{settings.database.schema_}"."LiteLLM_SpendLogs"'


def usage_queries(settings: Settings) -> dict[str, str]:
    """Panel title -> SQL with Grafana's macros: time series per model, and a table over the whole range."""
    table, where = spend_logs_table(settings), f'$__timeFilter("startTime") AND {SERVED}'
    per_model = f"""SELECT $__timeGroupAlias("startTime", '$__interval'), {MODEL} AS metric, {{value}} AS value
FROM {table} WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2"""
    return {
        "Tokens per model": per_model.format(value="SUM(total_tokens)"),
        "Cost per model (USD)": per_model.format(value="SUM(spend)"),
        "Response cache hit rate per model": per_model.format(value=f"AVG({CACHE_HIT})"),
        "Usage per model": f"""SELECT {MODEL} AS model, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
SUM(completion_tokens) AS completion_tokens, SUM(spend) AS cost_usd, AVG({CACHE_HIT}) AS cache_hit_rate
FROM {table} WHERE {where} GROUP BY 1 ORDER BY cost_usd DESC, model""",
    }


UNITS = {
    "Tokens per model": "short",
    "Cost per model (USD)": "currencyUSD",
    "Response cache hit rate per model": "percentunit",
    "Usage per model": "short",
}


def _panel(panel_id: int, title: str, sql: str, y: int) -> dict[str, Any]:
    table = title == "Usage per model"
    return {
        "id": panel_id,
        "type": "table" if table else "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 24 if table else 12, "x": 0 if table else 12 * ((panel_id - 1) % 2), "y": y},
        "fieldConfig": {"defaults": {"unit": UNITS[title]}, "overrides": []},
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorMode": "code",
                "format": "table" if table else "time_series",
                "rawQuery": True,
                "rawSql": sql,
            }
        ],
    }


def usage_dashboard(settings: Settings) -> dict[str, Any]:
    queries = list(usage_queries(settings).items())
    return {
        "uid": USAGE_DASHBOARD_UID,
        "title": f"LiteLLM usage ({settings.namespace})",
        "tags": ["litellm"],
        "timezone": "browser",
        "schemaVersion": 39,
        "editable": False,
        "time": {"from": "now-7d", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "usage_datasource",
                    "label": "LiteLLM database",
                    "type": "datasource",
                    "query": DATASOURCE_TYPE,
                }
            ]
        },
        "panels": [_panel(index + 1, title, sql, 8 * (index // 2)) for index, (title, sql) in enumerate(queries)],
    }
