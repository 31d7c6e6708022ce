"""Generic Kubernetes, URL and PostgreSQL value types for the settings models.

Nothing here knows about LiteLLM: these are the rules of the systems the settings end up in (the API
server's name and label syntax, quantities, URLs, CIDRs, SQL identifiers). `components/settings/`
builds the `litellm:` config contract from them.
"""

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlparse

from pydantic import AfterValidator, BeforeValidator, Field

from components.quantity import parse_quantity

INT32_MAX = 2**31 - 1

_DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
# YAML 1.1 words that the chart's unquoted `DATABASE_NAME: {{ .Values.db.database }}` would turn
# into booleans or null.
_YAML_SPECIAL_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


class FieldError(ValueError):
    """A validation error about a field below the model that raises it."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


class CrossFieldErrors(ValueError):
    """Several problems at once, each with its path below the model that raises it."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


def matching(pattern: str, rule: str, reserved: frozenset[str] = frozenset()) -> Callable[[str], str]:
    """A validator that accepts the whole of `value` matching `pattern` and, in any case, none of the
    `reserved` words; else says `rule`."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value) or value.lower() in reserved:
            raise ValueError(f"{value!r} {rule}")
        return value

    return check


_sql_identifier = matching(
    r"[A-Za-z_][A-Za-z0-9_]{0,62}",
    "is not a plain PostgreSQL identifier: start with a letter or '_', then letters, digits or '_'"
    " (and not a YAML word such as 'on' or 'null')",
    _YAML_SPECIAL_WORDS,
)
# A database name that survives the chart's unquoted `DATABASE_NAME` and a URL path: `app`, `litellm-prod`.
_database_name = matching(
    r"[A-Za-z_][A-Za-z0-9_-]{0,62}",
    "is not a database name this chart can pass on: start with a letter or '_', then at most 62 letters,"
    " digits, '_' or '-' (and not a YAML word such as 'on' or 'null')",
    _YAML_SPECIAL_WORDS,
)


def _quantity(value: object) -> str:
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        raise ValueError(f"{value!r} is not a Kubernetes quantity; examples: 250m, 1, 512Mi, 2Gi")
    if parse_quantity(text) < 0:
        raise ValueError(f"{text!r} is negative; a container resource is 0 or more")
    return text


def url_problem(value: str, schemes: tuple[str, ...]) -> str | None:
    """Why `value` is not a plain URL with one of `schemes` (no credentials, query or fragment), or None."""
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return str(exc)
    if parsed.scheme not in schemes or not parsed.hostname:
        return f"scheme {' or '.join(schemes)} and a host are required"
    if parsed.username is not None or parsed.password is not None:
        return "credentials do not belong in a URL here"
    if parsed.query or parsed.fragment or " " in value:
        return "no query, fragment or spaces"
    return None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _url(schemes: tuple[str, ...], example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = url_problem(value, schemes)
        if problem:
            raise ValueError(f"{value!r} is not a valid {' or '.join(schemes)} URL ({problem}), e.g. {example}")
        parsed = urlparse(value)
        if parsed.port == _DEFAULT_PORTS[parsed.scheme]:
            # `https://host:443` is `https://host`: one spelling, so that rules comparing URLs agree.
            value = parsed._replace(netloc=parsed.netloc.rsplit(":", 1)[0]).geturl()
        return value.rstrip("/")

    return check


# scp-like SSH form that git and ArgoCD accept: `git@github.com:org/repo.git`.
_SCP_LIKE_GIT_URL = re.compile(r"[A-Za-z0-9._-]+@[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[A-Za-z0-9._~/-]+")


def _git_url(value: str) -> str:
    """A git repository URL as ArgoCD and git clone take it: https, ssh:// or scp-like `git@host:org/repo.git`."""
    if _SCP_LIKE_GIT_URL.fullmatch(value) and "//" not in value and ".." not in value.split(":", 1)[1].split("/"):
        return value
    parsed = urlparse(value)
    if parsed.scheme == "ssh":
        try:
            parsed.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid ssh URL ({exc})") from None
        if parsed.hostname and parsed.path not in ("", "/") and not (parsed.password or parsed.query or " " in value):
            return value.rstrip("/")
        raise ValueError(
            f"{value!r} is not a valid ssh git URL: ssh://git@host/org/repo.git, without password or query"
        )
    problem = url_problem(value, ("https",))
    if problem:
        raise ValueError(
            f"{value!r} is not a git repository URL ({problem}): use https://host/org/repo.git,"
            " ssh://git@host/org/repo.git or git@host:org/repo.git"
        )
    return value.rstrip("/")


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a CIDR block such as 203.0.113.0/24 ({exc})") from None


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    # A trailing dot marks a fully qualified name (no search domains tried): valid, and kept.
    if _HOST_NAME.fullmatch(value.removesuffix(".")):
        return value
    hint = ""
    if "://" in value:
        hint = " (give the host alone, without a scheme)"
    elif ":" in value:
        hint = " (put the port in the `port` key)"
    raise ValueError(f"{value!r} is not a host name (lower-case DNS name) or IP address{hint}")


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key, label in value.items():
        prefix, _, name = key.rpartition("/")
        if (prefix and not _DNS_SUBDOMAIN.fullmatch(prefix)) or not _LABEL_NAME.fullmatch(name):
            raise ValueError(
                f"{key!r} is not a Kubernetes label key: an optional DNS prefix and '/', then at most 63 letters,"
                " digits, '-', '_' or '.', starting and ending with a letter or digit"
            )
        if not isinstance(label, str) or not _LABEL_VALUE.fullmatch(label):
            raise ValueError(
                f"{label!r} (label {key!r}) is not a Kubernetes label value: at most 63 letters, digits, '-', '_'"
                " or '.', starting and ending with a letter or digit"
            )
    return value


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is a boolean; give a number")
    return value


def _trimmed(value: str) -> str:
    if value != value.strip() or not value:
        raise ValueError(f"{value!r} must be non-empty and have no leading or trailing whitespace")
    return value


def service_namespace(host: str) -> str | None:
    """The namespace named by an in-cluster Service host `svc.ns.svc[.cluster.local][.]`, else None."""
    parts = host.removesuffix(".").split(".")
    return parts[1] if len(parts) >= 3 and parts[2] == "svc" else None


def check_namespace_matches_host(host: str, namespace: str) -> None:
    """`svc.ns.svc[.cluster.local]` names the namespace: a different `namespace` would aim the policy elsewhere."""
    named = service_namespace(host)
    if named is not None and named != namespace:
        raise FieldError("namespace", f"{namespace!r} does not match the namespace {named!r} in host {host!r}")


DnsLabel = Annotated[
    str,
    AfterValidator(
        matching(
            r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?",
            "is not a DNS-1123 label: use at most 63 lower-case letters, digits and '-', starting and ending"
            " with a letter or digit",
        )
    ),
]
ObjectName = Annotated[
    str,
    AfterValidator(
        matching(
            _DNS_SUBDOMAIN.pattern[1:-1],
            "is not a valid Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, '-' and '.')",
        )
    ),
]
EnvName = Annotated[
    str,
    AfterValidator(
        matching(r"[A-Z_][A-Z0-9_]*", "is not an environment variable name: use A-Z, 0-9 and '_', e.g. OPENAI_API_KEY")
    ),
]
SecretDataKey = Annotated[
    str,
    AfterValidator(
        matching(r"[-._a-zA-Z0-9]{1,253}", "is not a valid Secret key: use letters, digits, '-', '_' and '.'")
    ),
]
HeaderName = Annotated[
    str,
    AfterValidator(
        matching(
            r"[a-z0-9][a-z0-9-]*",
            "is not a lower-case HTTP header name such as authorization or x-honeycomb-team"
            " (gRPC metadata keys must be lower case)",
        )
    ),
]
Duration = Annotated[
    str,
    AfterValidator(matching(r"(\d+(ms|s|m|h|d|w|y))+", "is not a Prometheus duration such as 30s or 1m")),
]
SqlIdentifier = Annotated[str, AfterValidator(_sql_identifier)]
DatabaseName = Annotated[str, AfterValidator(_database_name)]
GitUrl = Annotated[str, AfterValidator(_git_url)]
Quantity = Annotated[str, BeforeValidator(_quantity)]
HttpsUrl = Annotated[str, AfterValidator(_url(("https",), "https://litellm.example.com"))]
HttpUrl = Annotated[str, AfterValidator(_url(("http", "https"), "http://vllm.models.svc:8000"))]
Host = Annotated[str, AfterValidator(_host)]
Labels = Annotated[dict[str, str], AfterValidator(_labels)]
Trimmed = Annotated[str, AfterValidator(_trimmed)]
Cidr = Annotated[str, AfterValidator(_cidr)]
Integer = Annotated[int, BeforeValidator(_not_a_boolean)]
"""An int that refuses `true`/`false`, which pydantic would otherwise read as 1 and 0."""
Count = Annotated[Integer, Field(ge=1, le=INT32_MAX)]
Port = Annotated[Integer, Field(ge=1, le=65535)]
