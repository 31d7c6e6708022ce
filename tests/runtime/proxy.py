"""The real LiteLLM proxy, started on loopback exactly as the rendered Deployment starts it.

`pod_spec_inputs` reads, from the real chart render of a stack (offline/manifests.py), what the
pod gets: the container's args, its env with every `secretKeyRef` and `envFrom` resolved from the
program's own Secrets, the `config.yaml` of the mounted ConfigMap and the files of every other
ConfigMap volume. `ProxyProcess` then remaps only what points into the cluster:

- Redis hosts in `config.yaml` (cache and router) -> the test's redis-server on loopback;
- the pod's HOST/PORT -> 127.0.0.1 and a free port; volume mount paths -> a temporary folder;
- the provider APIs -> the fake provider (`OPENAI_BASE_URL`, `ANTHROPIC_API_BASE`), the OTLP
  endpoint -> the test's receiver;
- no database: DATABASE_URL and the DATABASE_* parts the chart builds it from are dropped (Prisma
  downloads its engines at run time, so there is no PostgreSQL tier);
- `LITELLM_LOCAL_MODEL_COST_MAP=True`: LiteLLM would otherwise fetch its price list from GitHub;
- with Redis TLS, `SSL_CERT_FILE` names the throwaway CA: it stands in for the image's trust store.
"""

import base64
import copy
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.runtime.servers import LOOPBACK, FakeProvider, OtlpReceiver, RedisServer, free_port
from tests.runtime.tools import RUNTIME_VENV, runtime_site_packages

CONFIG_PATH = "/etc/litellm/config.yaml"
"""Where the chart mounts the proxy config (`templates/deployment.yaml`: `args: --config ...`)."""
HELD = 0
NO_INTERNET = f"http://{LOOPBACK}:9"
"""A proxy address nothing listens on (the discard port): a request that would leave the machine fails at once."""
"""`Response.status` of a request the proxy had not answered when the client gave up."""
DATABASE_ENV = ("DATABASE_URL", "DATABASE_USERNAME", "DATABASE_PASSWORD", "DATABASE_HOST", "DATABASE_NAME")


@dataclass
class PodInputs:
    args: list[str]
    env: dict[str, str]
    config: dict[str, Any]
    files: dict[str, dict[str, str]]
    """Mount path -> {file name: content} for every ConfigMap volume other than the config's."""


def pod_spec_inputs(manifests: Any, deployment_name: str | None = None) -> PodInputs:
    """What the proxy container of the rendered Deployment (the only one, or `deployment_name`) runs with."""
    deployment = manifests.find("Deployment", deployment_name)
    pod = deployment["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "litellm"]
    secrets = {s["metadata"]["name"]: _secret_data(s) for s in manifests.all("Secret")}
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in manifests.all("ConfigMap")}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(secrets[source["secretRef"]["name"]])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            env[entry["name"]] = secrets[ref["name"]][ref["key"]]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    config: dict[str, Any] | None = None
    files: dict[str, dict[str, str]] = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "configMap" not in volume:
            continue
        data = config_maps[volume["configMap"]["name"]]
        items = volume["configMap"].get("items") or [{"key": key, "path": key} for key in data]
        contents = {item["path"]: data[item["key"]] for item in items}
        if mount["mountPath"].rstrip("/") == os.path.dirname(CONFIG_PATH):
            config = yaml.safe_load(contents["config.yaml"])
        else:
            files[mount["mountPath"]] = contents
    if config is None:
        raise AssertionError(f"the Deployment mounts no config.yaml at {CONFIG_PATH}")
    return PodInputs(list(container.get("args", [])), env, config, files)


def _secret_data(secret: dict[str, Any]) -> dict[str, str]:
    data = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    data.update(secret.get("stringData") or {})
    return data


@dataclass
class ProxyProcess:
    name: str
    inputs: PodInputs
    redis: RedisServer
    provider: FakeProvider
    workdir: Path
    otlp: OtlpReceiver | None = None
    venv: Path = RUNTIME_VENV
    """The virtual environment whose `litellm` runs (another interpreter with the same lock, for the benchmark)."""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def master_key(self) -> str:
        return self.env["PROXY_MASTER_KEY"]

    @property
    def log(self) -> str:
        path = self.workdir / "proxy.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def prepare(self) -> None:
        if self.inputs.args != ["--config", CONFIG_PATH]:
            raise AssertionError(f"the Deployment starts the proxy with {self.inputs.args}, not --config {CONFIG_PATH}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config = remap_config(self.inputs.config, self.redis, self.provider)
        (self.workdir / "config.yaml").write_text(yaml.safe_dump(self.config), encoding="utf-8")
        mounts = {}
        for index, (mount_path, contents) in enumerate(sorted(self.inputs.files.items())):
            folder = self.workdir / f"mount-{index}"
            folder.mkdir(exist_ok=True)
            for file_name, content in contents.items():
                (folder / file_name).write_text(content, encoding="utf-8")
            mounts[mount_path.rstrip("/")] = str(folder)
        env = {key: value for key, value in self.inputs.env.items() if key not in DATABASE_ENV}
        for mount_path, local in mounts.items():
            env = {key: value.replace(mount_path, local) for key, value in env.items()}
        env.update(HOST=LOOPBACK, PORT=str(self.port))
        if "OTEL_ENDPOINT" in env:
            if self.otlp is None:
                raise AssertionError(f"{self.name}: the stack traces to {env['OTEL_ENDPOINT']}, give it a receiver")
            path = urllib.parse.urlsplit(env["OTEL_ENDPOINT"]).path
            env["OTEL_ENDPOINT"] = f"http://{LOOPBACK}:{self.otlp.port}{path}"
        env.update(
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            # Every model already calls the fake provider (remap_config); anything else that would leave the
            # machine goes to a closed loopback port instead, so no test reaches the internet.
            HTTP_PROXY=NO_INTERNET,
            HTTPS_PROXY=NO_INTERNET,
            ALL_PROXY=NO_INTERNET,
            NO_PROXY=f"{LOOPBACK},localhost",
            HOME=str(self.workdir),
            PATH=f"{self.venv / 'bin'}:/usr/bin:/bin",
        )
        if self.redis.tls is not None:
            env["SSL_CERT_FILE"] = str(self.redis.tls.ca)
        # A private view of the litellm package whose UI files (litellm/proxy/_experimental/out) are
        # a copy, so a pod-start mechanism that removes them touches only this proxy's view.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(self._private_litellm())]))
        self.env = env

    def _private_litellm(self) -> Path:
        site = runtime_site_packages(self.venv)
        root = self.workdir / "site"
        view = root / "litellm"
        if view.exists():
            return root
        keep = [Path("proxy"), Path("proxy/_experimental")]
        for relative in [Path(), *keep]:
            (view / relative).mkdir(parents=True, exist_ok=True)
            for entry in (site / "litellm" / relative).iterdir():
                target = view / relative / entry.name
                if relative / entry.name in keep or target.exists():
                    continue
                if relative == Path("proxy/_experimental") and entry.name == "out":
                    shutil.copytree(entry, target, symlinks=True)
                else:
                    target.symlink_to(entry)
        return root

    def start(self) -> "ProxyProcess":
        self.prepare()
        log = open(self.workdir / "proxy.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "litellm"), "--config", str(self.workdir / "config.yaml")],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._started = time.monotonic()
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"proxy {self.name} exited ({self.process.returncode}):\n{self.log[-4000:]}")
            try:
                if self.get("/health/liveliness").status == 200:
                    self.started_in = time.monotonic() - self._started
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"proxy {self.name} not ready after {timeout} s:\n{self.log[-4000:]}")

    def request(
        self, method: str, path: str, body: Any = None, key: str | None = None, timeout: float = 60
    ) -> "Response":
        headers = {"content-type": "application/json"}
        if key is not None:
            headers["authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(answer.status, answer.read().decode(errors="replace"), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(errors="replace"), time.monotonic() - started)
        except TimeoutError:
            return Response(HELD, f"no answer within {timeout} s", time.monotonic() - started)

    def get(self, path: str, key: str | None = None) -> "Response":
        return self.request("GET", path, key=key, timeout=5)

    def chat(self, model: str, content: str, timeout: float = 60) -> "Response":
        body = {"model": model, "messages": [{"role": "user", "content": content}]}
        return self.request("POST", "/v1/chat/completions", body, key=self.master_key, timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@dataclass
class Response:
    status: int
    text: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.text)


def remap_config(config: dict[str, Any], redis: RedisServer, provider: FakeProvider) -> dict[str, Any]:
    """`config.yaml` with the Redis of the cache and the router pointed at `redis` on loopback, and every model,
    of any provider, at the fake provider: Anthropic's Messages API at its root, the OpenAI-compatible API that
    most providers speak (and the fake answers) under /v1."""
    remapped = copy.deepcopy(config)
    for entry in remapped.get("model_list") or []:
        params = entry["litellm_params"]
        provider_name = str(params["model"]).partition("/")[0]
        params["api_base"] = provider.base_url if provider_name == "anthropic" else f"{provider.base_url}/v1"
    litellm_settings = remapped.get("litellm_settings") or {}
    cache_params = litellm_settings.get("cache_params")
    if cache_params is not None:
        cache_params.update(host=LOOPBACK, port=redis.port)
    router = remapped.get("router_settings") or {}
    if "redis_host" in router:
        router.update(redis_host=LOOPBACK, redis_port=redis.port)
    return remapped
