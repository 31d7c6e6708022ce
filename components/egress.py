"""Where the proxy must open connections, derived from the settings, and which of them the
NetworkPolicies cannot allow by themselves.

A destination is allowed by the namespace of its pods (an in-cluster Service name
`svc.ns.svc[.cluster.local]`, or the `namespace` key of the database and Redis) or by its address
block (an IP address). A host name outside the cluster gives no address offline: on 443 the
internet rule covers it; on any other port the stack must list its block in
`networkPolicy.egress`, else the connection is dropped. NetworkPolicies match the port the
destination pods listen on, after a Service has forwarded it: a derived rule uses the port of the
URL, which is the Service's.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlparse

from components.kube_types import service_namespace
from components.settings import Settings

INTERNET_PORT = 443


@dataclass(frozen=True)
class Destination:
    key: str
    """The config key that names it, e.g. `models[0].apiBase`."""
    host: str
    port: int
    namespace: str | None = None
    """Pods of this namespace may be reached on `port`."""
    cidr: str | None = None
    """This address block may be reached on `port`."""
    from_service_name: bool = False
    """The namespace comes from a Service name, and `port` is that Service's port."""
    short_form: bool = False
    """The host is `svc.ns`, which the pods' DNS search path resolves to that Service."""


def _cidr(host: str) -> str | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return f"{address}/{address.max_prefixlen}"


def _url_destination(key: str, url: str, own_namespace: str) -> Destination:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    named = service_namespace(host)
    if named is not None:
        return Destination(key, host, port, namespace=named, from_service_name=True)
    if "." not in host and _cidr(host) is None:
        # A bare Service name resolves in the proxy's own namespace.
        return Destination(key, host, port, namespace=own_namespace, from_service_name=True)
    labels = host.split(".")
    if len(labels) == 2 and _cidr(host) is None:
        # `svc.ns`: a pod's resolv.conf searches `svc.cluster.local` first (ndots 5), so this is Service svc of
        # namespace ns when it exists. A host outside the cluster is written with its trailing dot, `example.com.`.
        return Destination(key, host, port, namespace=labels[1], from_service_name=True, short_form=True)
    return Destination(key, host, port, cidr=_cidr(host))


def _service_destination(key: str, host: str, port: int, namespace: str) -> Destination:
    """The database or Redis: its pods' namespace is a setting; an IP host adds its address."""
    return Destination(key, host, port, namespace=namespace, cidr=_cidr(host))


def destinations(settings: Settings) -> list[Destination]:
    """Every destination the proxy (and the migration Job) connects to, apart from DNS."""
    found = [
        _service_destination(
            "database.host", settings.database.host, settings.database.port, settings.database.namespace
        )
    ]
    if settings.redis.enabled:
        found.append(
            _service_destination("redis.host", settings.redis.host, settings.redis.port, settings.redis.namespace)
        )
    for index, model in enumerate(settings.models):
        if model.api_base is not None:
            found.append(_url_destination(f"models[{index}].apiBase", model.api_base, settings.namespace))
    if settings.tracing.enabled and settings.tracing.endpoint is not None:
        found.append(_url_destination("tracing.endpoint", settings.tracing.endpoint, settings.namespace))
    return found


def _in_cluster(destination: Destination) -> bool:
    """The host is the Service of `namespace` (not a host name outside the cluster)."""
    host = destination.host.removesuffix(".")
    if destination.cidr is not None or destination.from_service_name or service_namespace(host) is not None:
        return True
    labels = host.split(".")
    return len(labels) == 1 or (len(labels) == 2 and labels[1] == destination.namespace)


def unreachable(settings: Settings) -> list[Destination]:
    """Destinations named by a host name outside the cluster on a port no rule allows."""
    policy = settings.network_policy
    if not policy.enabled:
        return []
    listed_ports = {port for rule in policy.egress if rule.cidr is not None for port in rule.ports}
    return [
        destination
        for destination in destinations(settings)
        if not _in_cluster(destination)
        and not (destination.port == INTERNET_PORT and policy.egress_cidrs is None)
        and destination.port not in listed_ports
    ]


def service_port_assumptions(settings: Settings) -> list[Destination]:
    """Rules derived from a Service name, whose pods may listen on another port than the Service's,
    where no `networkPolicy.egress` entry names that namespace."""
    policy = settings.network_policy
    if not policy.enabled:
        return []
    listed = {rule.namespace for rule in policy.egress}
    return [d for d in destinations(settings) if d.from_service_name and d.namespace not in listed]
