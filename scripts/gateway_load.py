"""The load side of the gateway benchmark (scripts/gateway_benchmark.py): an HTTP/1.1 client on loopback,
the statistics it reports, what a process tree costs (from /proc) and how the proxy is held to a stack's
CPU limit.

The client is plain asyncio streams on kept-alive connections, for a bounded number of requests and a
bounded time: a closed loop (N connections, each sending its next request when the last is answered) or an
open loop (a fixed request rate, latency counted from each request's scheduled time).
"""

import asyncio
import contextlib
import json
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- statistics -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0-1) by linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("no values")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction {fraction} is not between 0 and 1")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """The median of repeated measurements and their range."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Iterable[float]) -> "Spread":
        values = list(values)
        if not values:
            raise ValueError("no values")
        return cls(statistics.median(values), min(values), max(values))

    def show(self, digits: int = 0) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


# --- what a process tree costs ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue += _children(current)
    return tree


def parse_stat_cpu(stat: str) -> float:
    """CPU seconds (user + system) of one `/proc/<pid>/stat` line; the command name may hold spaces."""
    fields = stat.rpartition(")")[2].split()
    # After the name: state is field 3 of proc(5); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for member in process_tree(pid):
        try:
            total += parse_stat_cpu(Path(f"/proc/{member}/stat").read_text())
        except OSError:
            continue
    return total


def parse_status_rss_kib(status: str) -> int:
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of the tree. Workers forked from one parent share pages, which this counts once
    per process: an upper bound, as a memory limit should be."""
    total = 0
    for member in process_tree(pid):
        try:
            total += parse_status_rss_kib(Path(f"/proc/{member}/status").read_text())
        except OSError:
            continue
    return total / 1024


# --- holding the proxy to a CPU limit --------------------------------------------------------------

CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


@dataclass
class CpuLimit:
    """A CFS quota of `cores` (as the kubelet sets a container's CPU limit) in a cgroup of its own when
    this process may make one (root, cgroup v1 `cpu` or v2 with the `cpu` controller); otherwise the
    process is pinned to ceil(cores) cores with sched_setaffinity."""

    name: str
    cores: float
    how: str = ""
    _group: Path | None = None

    def apply(self, pid: int) -> None:
        self._group = self._make_group()
        if self._group is not None:
            (self._group / "cgroup.procs").write_text(str(pid))
            self.how = f"cgroup CPU quota {self.cores:g} core(s) ({self._group})"
            return
        cpus = sorted(os.sched_getaffinity(0))[: max(1, math.ceil(self.cores))]
        os.sched_setaffinity(pid, cpus)
        self.how = f"pinned to CPU(s) {','.join(map(str, cpus))} (no writable cgroup)"

    def _make_group(self) -> Path | None:
        quota = int(self.cores * PERIOD_US)
        for root, v1 in ((CGROUP_V1_CPU, True), (CGROUP_V2, False)):
            if v1 and not (root / "cpu.cfs_quota_us").exists():
                continue
            if not v1 and "cpu" not in _read(root / "cgroup.subtree_control").split():
                continue
            group = root / f"gateway-benchmark-{os.getpid()}-{self.name}"
            try:
                group.mkdir(exist_ok=True)
                if v1:
                    (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                    (group / "cpu.cfs_quota_us").write_text(str(quota))
                else:
                    (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            except OSError:
                continue
            return group
        return None

    def release(self) -> None:
        if self._group is not None:
            with contextlib.suppress(OSError):
                self._group.rmdir()
            self._group = None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


# --- the client ---------------------------------------------------------------------------------------


class ProtocolError(Exception):
    """An answer that is not the HTTP/1.1 the client understands."""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 response: status, body and whether the server keeps the connection open."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ProtocolError(f"not an HTTP/1.x status line: {status_line!r}")
    headers: dict[bytes, bytes] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while size := int((await reader.readline()).split(b";")[0], 16):
            body += await reader.readexactly(size + 2)
            body = body[:-2]
        await reader.readline()
    else:
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    keep = headers.get(b"connection", b"").lower() != b"close"
    return int(parts[1]), body, keep


LOCUST_SENTENCE = "This is a test there will be no cache hits and we'll fill up the context"
"""LiteLLM's own load test sends this sentence 150 times after a UUID, with `"user": "my-new-end-user-1"`
(docs/my-website/docs/load_test_advanced.md, its locustfile)."""


def chat_request(port: int, key: str, model: str, prompt: str, locust: bool = False) -> bytes:
    payload: dict[str, object] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if locust:
        payload["messages"] = [{"role": "user", "content": f"{prompt} {LOCUST_SENTENCE}" * 150}]
        payload["user"] = "my-new-end-user-1"
    body = json.dumps(payload).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Cell:
    """One measured load: `requests` answered in `seconds`, with their latencies and the proxy's cost."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Requests served per CPU-second the proxy spent: throughput per CPU."""
        return self.requests / self.cpu_seconds if self.cpu_seconds else math.inf

    @property
    def cores(self) -> float:
        """CPU the proxy used while the cell ran, in cores: what the HPA sees as utilisation."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_1000(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else math.nan


@dataclass(frozen=True, order=True)
class Load:
    """A closed loop of `value` connections (`kind` "c"), or an open loop of `value` requests/s ("r") whose
    latencies count from each request's scheduled time, so a proxy that falls behind shows its queue."""

    kind: str
    value: int

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


async def run_load(
    port: int,
    make_request: Callable[[int], bytes],
    load: Load,
    requests: int,
    max_seconds: float,
    pid: int | None = None,
) -> Cell:
    """`requests` requests (fewer if `max_seconds` runs out) as `load` says, on kept-alive connections;
    `make_request(i)` gives request i. With `pid`, the cell carries that tree's CPU time and peak RSS."""
    cell = Cell()
    deadline = time.monotonic() + max_seconds
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened: list[asyncio.StreamWriter] = []

    async def send(index: int, since: float) -> None:
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            opened.append(writer)
        writer.write(make_request(index))
        status, _, keep = await read_response(reader)
        if status == 200:
            cell.latencies.append(time.perf_counter() - since)
        else:
            cell.errors += 1
        if keep:
            idle.append((reader, writer))
        else:
            writer.close()

    async def closed_loop(counter: Iterator[int]) -> None:
        for index in counter:
            if time.monotonic() > deadline:
                return
            await send(index, time.perf_counter())

    async def open_loop() -> None:
        tasks = []
        begin = time.perf_counter()
        for index in range(requests):
            scheduled = begin + index / load.value
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            if time.monotonic() > deadline:
                break
            tasks.append(asyncio.create_task(send(index, scheduled)))
        await asyncio.gather(*tasks)

    async def sample_rss() -> None:
        while pid is not None:
            cell.peak_rss_mib = max(cell.peak_rss_mib, tree_rss_mib(pid))
            await asyncio.sleep(0.25)

    cpu_before = tree_cpu_seconds(pid) if pid is not None else 0.0
    sampler = asyncio.create_task(sample_rss())
    started = time.perf_counter()
    try:
        if load.kind == "r":
            await open_loop()
        else:
            counter = iter(range(requests))
            await asyncio.gather(*(closed_loop(counter) for _ in range(load.value)))
    finally:
        for writer in opened:
            writer.close()
    cell.seconds = time.perf_counter() - started
    sampler.cancel()
    if pid is not None:
        cell.cpu_seconds = tree_cpu_seconds(pid) - cpu_before
        cell.peak_rss_mib = max(cell.peak_rss_mib, tree_rss_mib(pid))
    return cell
