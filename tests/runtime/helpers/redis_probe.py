"""PING Redis through LiteLLM's own client factory once per set of cache params (JSON on stdin:
{label: params}); print {label: "PONG" or the error} as JSON. Runs in the runtime venv."""

import json
import sys

from litellm._redis import get_redis_client
from redis.backoff import NoBackoff
from redis.retry import Retry


def main() -> None:
    outcome = {}
    for label, params in json.load(sys.stdin).items():
        kwargs = {key: value for key, value in params.items() if key not in ("type", "ttl", "namespace")}
        try:
            # One try, no back-off: a refusal is the answer, not a reason to wait.
            client = get_redis_client(**kwargs, socket_timeout=3, socket_connect_timeout=3, retry=Retry(NoBackoff(), 0))
            outcome[label] = "PONG" if client.ping() else "no answer"
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcome[label] = f"{type(error).__name__}: {error}"
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
