"""The loopback world the runtime tier starts the real proxy in: a real `redis-server` (with AUTH
and TLS from a throwaway CA on request), a fake OpenAI- and Anthropic-compatible provider that
records every call and fails, stalls or rate-limits on request, and an OTLP/HTTP trace receiver.

Everything listens on 127.0.0.1 only, on ports the kernel hands out, and stops with the test session.
"""

import json
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.runtime.tools import HELPERS, RUNTIME_PYTHON, redis_server_binary

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class QuietHandler(BaseHTTPRequestHandler):
    # TCP_NODELAY: the handlers write the headers and the body in two sends, and with Nagle's algorithm the body
    # waits for the client's delayed ACK of the headers (about 40 ms on Linux) before it leaves.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections (a proxy filling its
    # pool), which the client then resends after 1 s.
    request_queue_size = 128


def serve(port: int, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """An HTTP server on a loopback port, answering each request in its own daemon thread."""
    server = _Server((LOOPBACK, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Redis -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    """A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost."""

    ca: Path
    cert: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> "TlsFiles":
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(RUNTIME_PYTHON), str(HELPERS / "make_ca.py"), str(folder)], check=True, timeout=60)
        return cls(folder / "ca.pem", folder / "server.pem", folder / "server.key")


class RedisError(Exception):
    """An error reply from Redis (`-ERR ...`, `-NOAUTH ...`)."""


class RedisClient:
    """Just enough RESP over a socket for the tests to look into Redis (no client library needed)."""

    def __init__(self, port: int, password: str | None = None, tls: TlsFiles | None = None):
        sock = socket.create_connection((LOOPBACK, port), timeout=5)
        if tls is not None:
            context = ssl.create_default_context(cafile=str(tls.ca))
            sock = context.wrap_socket(sock, server_hostname=LOOPBACK)
        self._sock = sock
        self._file = sock.makefile("rb")
        if password is not None:
            self.command("AUTH", password)

    def command(self, *args: str | int) -> Any:
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self._sock.sendall(b"".join(parts))
        return self._reply()

    def _reply(self) -> Any:
        line = self._file.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self._file.read(size + 2)[:-2].decode("utf-8", "replace")
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._reply() for _ in range(size)]
        raise RedisError(f"unexpected reply {line!r}")

    def keys(self, pattern: str) -> list[str]:
        return sorted(self.command("KEYS", pattern))

    def close(self) -> None:
        self._file.close()
        self._sock.close()


class RedisServer:
    """A real redis-server on a free loopback port; `password` turns on `requirepass`, `tls` serves
    TLS only (the plain port is closed)."""

    def __init__(self, workdir: Path, password: str | None = None, tls: TlsFiles | None = None):
        self.workdir = workdir
        self.password = password
        self.tls = tls
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "RedisServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [redis_server_binary(), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")]
        if self.tls is not None:
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-auth-clients", "no"]
            args += ["--tls-cert-file", str(self.tls.cert), "--tls-key-file", str(self.tls.key)]
            args += ["--tls-ca-cert-file", str(self.tls.ca)]
        else:
            args += ["--port", str(self.port)]
        if self.password is not None:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(self._answers, 10, f"redis-server on port {self.port} (log: {self.workdir / 'redis.log'})")
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"redis-server exited: {(self.workdir / 'redis.log').read_text()[-2000:]}")
        try:
            client = self.client()
        except OSError:
            return False
        try:
            return client.command("PING") == "PONG"
        finally:
            client.close()

    def client(self) -> RedisClient:
        return RedisClient(self.port, self.password, self.tls)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


# --- the fake provider ----------------------------------------------------------------------------


@dataclass
class ProviderCall:
    path: str
    model: str
    api_key: str | None
    """The key the proxy sent: `Authorization: Bearer` (OpenAI) or `x-api-key` (Anthropic)."""
    body: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class FakeProvider:
    """Anthropic `/v1/messages`, and the OpenAI chat completions API (which most providers speak) on any other
    path, on one loopback port.

    `fail(model, status, times)` answers the next `times` calls for `model` with that status,
    `stall(model, seconds)` makes every call for `model` wait before answering (until `reset`)."""

    port: int = field(default_factory=free_port)
    calls: list[ProviderCall] = field(default_factory=list)
    _failures: dict[str, list[int]] = field(default_factory=dict)
    _stalls: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> "FakeProvider":
        provider = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                bearer = self.headers.get("authorization", "")
                key = bearer.removeprefix("Bearer ") if bearer else self.headers.get("x-api-key")
                status, stall = provider._record(
                    ProviderCall(
                        self.path,
                        body.get("model", ""),
                        key,
                        body,
                        {k.lower(): v for k, v in self.headers.items()},
                        time.time(),
                    )
                )
                if stall:
                    time.sleep(stall)
                if status != 200:
                    reply = {"error": {"message": f"fake provider answers {status}", "type": "fake", "code": status}}
                elif self.path.endswith("/messages"):
                    reply = _anthropic_reply(body)
                else:
                    reply = _openai_reply(body)
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the proxy gave up on a stalled call

        self._server = serve(self.port, Handler)
        return self

    def _record(self, call: ProviderCall) -> tuple[int, float]:
        with self._lock:
            self.calls.append(call)
            queue = self._failures.get(call.model, [])
            status = queue.pop(0) if queue else 200
            return status, self._stalls.get(call.model, 0.0)

    def fail(self, model: str, status: int, times: int) -> None:
        with self._lock:
            self._failures.setdefault(model, []).extend([status] * times)

    def stall(self, model: str, seconds: float) -> None:
        with self._lock:
            self._stalls[model] = seconds

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._stalls.clear()

    def calls_for(self, model: str, since: float = 0.0) -> list[ProviderCall]:
        with self._lock:
            return [call for call in self.calls if call.model == model and call.at >= since]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _openai_reply(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
        # As OpenAI and the providers that copy its API answer (Groq's transformation reads it).
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def _anthropic_reply(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"msg_{time.time_ns()}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": [{"type": "text", "text": "pong"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    }


# --- OTLP ---------------------------------------------------------------------------------------


@dataclass
class OtlpReceiver:
    """An OTLP/HTTP collector on loopback: keeps every `/v1/traces` export body (protobuf)."""

    port: int = field(default_factory=free_port)
    exports: list[bytes] = field(default_factory=list)

    def start(self) -> "OtlpReceiver":
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path == "/v1/traces":
                    receiver.exports.append(body)
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

        self._server = serve(self.port, Handler)
        return self

    def spans(self) -> list[dict[str, Any]]:
        """Every span received, decoded by OpenTelemetry's own protobuf classes (runtime venv)."""
        if not self.exports:
            return []
        decoded = subprocess.run(
            [str(RUNTIME_PYTHON), str(HELPERS / "decode_otlp.py")],
            input=json.dumps([export.hex() for export in self.exports]).encode(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        return json.loads(decoded.stdout)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
