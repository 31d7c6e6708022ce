"""The gateway benchmark's arithmetic and parsing (scripts/gateway_load.py, scripts/gateway_benchmark.py).
No timing is asserted: the benchmark itself is a script, run by hand (docs/sizing.md)."""

import asyncio
import json
import os

import pytest

from scripts.gateway_benchmark import VARIANTS, parse_args
from scripts.gateway_load import (
    CLOCK_TICKS,
    LOCUST_SENTENCE,
    Cell,
    ProtocolError,
    Spread,
    chat_request,
    parse_stat_cpu,
    parse_status_rss_kib,
    percentile,
    process_tree,
    read_response,
    tree_cpu_seconds,
)


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 1) == 4.0
    assert percentile(values, 0.5) == 2.5
    assert percentile(list(range(101)), 0.99) == 99.0
    assert percentile([7.0], 0.95) == 7.0


@pytest.mark.parametrize(("values", "fraction"), [([], 0.5), ([1.0], 1.5), ([1.0], -0.1)])
def test_percentile_refuses_what_has_no_quantile(values: list[float], fraction: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, fraction)


def test_spread_is_median_and_range() -> None:
    spread = Spread.of([3.0, 1.0, 10.0])
    assert (spread.median, spread.low, spread.high) == (3.0, 1.0, 10.0)
    assert Spread.of([1.0, 2.0]).median == 1.5
    assert spread.show(1) == "3.0 (1.0-10.0)"


def test_cell_rates() -> None:
    cell = Cell(latencies=[0.01] * 50, seconds=2.0, cpu_seconds=0.5)
    assert cell.throughput == 25.0
    assert cell.per_cpu_second == 100.0
    assert cell.cpu_per_1000 == 10.0
    assert cell.cores == 0.25


def test_stat_line_with_spaces_in_the_name() -> None:
    fields = ["S"] + ["0"] * 10 + [str(3 * CLOCK_TICKS), str(CLOCK_TICKS)] + ["0"] * 30
    assert parse_stat_cpu(f"123 (uvicorn worker) 1) {' '.join(fields)}") == 4.0


def test_status_rss() -> None:
    assert parse_status_rss_kib("Name:\tpython\nVmRSS:\t  2048 kB\nThreads:\t4\n") == 2048
    assert parse_status_rss_kib("Name:\tkthreadd\n") == 0


def test_own_process_tree_costs_cpu() -> None:
    assert os.getpid() in process_tree(os.getpid())
    assert tree_cpu_seconds(os.getpid()) > 0


def _read(raw: bytes) -> tuple[int, bytes, bool]:
    async def go() -> tuple[int, bytes, bool]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    return asyncio.run(go())


def test_response_with_content_length() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
    assert _read(raw) == (200, b"{}", True)


def test_chunked_response_and_close() -> None:
    head = b"HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    raw = head + b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    assert _read(raw) == (429, b"abcde", False)


def test_not_http_is_refused() -> None:
    with pytest.raises(ProtocolError):
        _read(b"SSH-2.0-OpenSSH\r\n")


def test_bad_arguments_name_what_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--concurrency", "0,4"])
    assert "positive integers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--modes", "warm"])
    assert "miss, hit or miss,hit" in capsys.readouterr().err
    args = parse_args([])
    assert args.stack == ["prod"]
    assert [str(load) for load in args.loads] == ["c=1", "c=4", "c=16", "c=32"]
    assert [str(load) for load in parse_args(["--rates", "50"]).loads] == ["r=50"]


def test_benchmark_variant_is_litellm_s_load_test_config() -> None:
    config = {
        "model_list": [{"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}}],
        "general_settings": {"master_key": "os.environ/PROXY_MASTER_KEY", "disable_prisma_schema_update": True},
        "litellm_settings": {"cache": True},
    }
    assert VARIANTS["litellm-benchmark"][1](config) == {
        "model_list": [
            {"model_name": "fake-openai-endpoint", "litellm_params": {"model": "openai/any", "api_key": "test"}}
        ],
        "general_settings": {"master_key": "os.environ/PROXY_MASTER_KEY"},
    }


def test_locust_payload_is_litellm_s_load_test_request() -> None:
    raw = chat_request(4000, "sk-1", "fake-openai-endpoint", "probe 1", locust=True)
    head, _, body = raw.partition(b"\r\n\r\n")
    payload = json.loads(body)
    assert payload["user"] == "my-new-end-user-1"
    assert payload["messages"][0]["content"].count(LOCUST_SENTENCE) == 150
    assert f"Content-Length: {len(body)}".encode() in head
