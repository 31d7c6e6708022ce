"""A small request router over recorded Ingress and HTTPRoute objects: "where would this URL go?".

It answers from the objects the program registered plus a model of what the cluster already has
(which ingress classes and which Gateways face the internet, the Gateways' listeners, the Secrets
that exist), so tests assert where requests go rather than the shape of the documents.

Semantics:
- Ingress (networking.k8s.io/v1, https://kubernetes.io/docs/concepts/services-networking/ingress/):
  a rule's `host` matches the request host exactly (a leading `*.` matches one label); `Exact`
  matches the path exactly, `Prefix` by whole `/`-separated elements (`/foo` matches `/foo` and
  `/foo/bar`, not `/foobar`); the longest matching path wins. HTTPS needs a `tls` entry listing the
  host, whose Secret exists (or is issued by a cert-manager Certificate for that host).
- HTTPRoute (gateway.networking.k8s.io/v1, https://gateway-api.sigs.k8s.io/reference/spec/): a
  route attaches to the listeners of its parent Gateway named by `sectionName` (all when unset)
  whose `allowedRoutes.namespaces` admit the route's namespace (`Same` is the default) and whose
  hostname intersects the route's `hostnames`; `Exact` and `PathPrefix` match as above. HTTPS needs
  the listener's protocol `HTTPS` with a `certificateRefs` Secret that exists in the Gateway's
  namespace (or is issued there by a Certificate for the host).

Anything this router does not understand (another path type, a filter, a header match, a backend
kind) raises instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from tests.netpol import _check_keys

INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"


@dataclass(frozen=True)
class Listener:
    name: str
    protocol: str
    port: int
    hostname: str | None = None
    certificate_secret: str | None = None
    allowed_namespaces: str = "Same"
    """`Same` or `All` (`allowedRoutes.namespaces.from`)."""


@dataclass(frozen=True)
class Gateway:
    namespace: str
    name: str
    listeners: tuple[Listener, ...]
    internet_facing: bool


@dataclass
class Cluster:
    """What exists before the program runs."""

    internet_facing_classes: set[str] = field(default_factory=set)
    internal_classes: set[str] = field(default_factory=set)
    gateways: list[Gateway] = field(default_factory=list)
    secrets: set[tuple[str, str]] = field(default_factory=set)
    """(namespace, name) of TLS Secrets that already exist."""


@dataclass(frozen=True)
class Destination:
    service: str
    namespace: str
    port: int
    tls_secret: tuple[str, str] | None
    """(namespace, name) of the certificate served, for https requests."""
    via: str
    """The object that routed the request, `Ingress ns/name` or `HTTPRoute ns/name`."""


class Entrances:
    def __init__(self, registrations: Iterable[Any], cluster: Cluster):
        self.cluster = cluster
        self.ingresses: list[Mapping[str, Any]] = []
        self.routes: list[Mapping[str, Any]] = []
        self.certificates: list[Mapping[str, Any]] = []
        for registration in registrations:
            inputs = registration.inputs
            if registration.type == INGRESS:
                self.ingresses.append(inputs)
            elif registration.type == HTTP_ROUTE:
                self.routes.append(inputs)
            elif registration.type == CERTIFICATE:
                self.certificates.append(inputs)

    # ------------------------------------------------------------------------------------- questions

    def route(self, url: str, internet: bool = True) -> Destination | None:
        """Where a request for `url` goes when it arrives at an internet-facing (or internal) entrance."""
        parsed = urlparse(url)
        host, path, https = parsed.hostname or "", parsed.path or "/", parsed.scheme == "https"
        found = [
            *self._through_ingresses(host, path, https, internet),
            *self._through_routes(host, path, https, internet),
        ]
        if not found:
            return None
        found.sort(key=lambda item: -item[0])
        return found[0][1]

    def hosts(self, internet: bool = True) -> set[str]:
        """Every host some entrance of that kind serves."""
        hosts: set[str] = set()
        for ingress in self.ingresses:
            if self._ingress_faces(ingress, internet):
                hosts.update(rule["host"] for rule in ingress["spec"]["rules"])
        for route in self.routes:
            if any(self._attached_listeners(route, internet)):
                hosts.update(route["spec"].get("hostnames") or [])
        return hosts

    # ------------------------------------------------------------------------------------- ingress

    def _ingress_faces(self, ingress: Mapping[str, Any], internet: bool) -> bool:
        class_name = ingress["spec"].get("ingressClassName")
        known = self.cluster.internet_facing_classes | self.cluster.internal_classes
        if class_name not in known:
            raise ValueError(f"ingress class {class_name!r} is not in the cluster model")
        return (class_name in self.cluster.internet_facing_classes) == internet

    def _through_ingresses(self, host: str, path: str, https: bool, internet: bool):
        for ingress in self.ingresses:
            if not self._ingress_faces(ingress, internet):
                continue
            spec, namespace = ingress["spec"], ingress["metadata"]["namespace"]
            _check_keys(spec, {"ingressClassName", "tls", "rules"}, "Ingress spec")
            tls_secret = None
            if https:
                secrets = [
                    t["secretName"] for t in spec.get("tls") or [] if any(_host_matches(h, host) for h in t["hosts"])
                ]
                usable = [s for s in secrets if self._secret_exists(namespace, s, host)]
                if not usable:
                    continue
                tls_secret = (namespace, usable[0])
            for rule in spec["rules"]:
                if not _host_matches(rule["host"], host):
                    continue
                for entry in rule["http"]["paths"]:
                    length = _path_match(entry["pathType"], entry["path"], path)
                    if length is None:
                        continue
                    service = entry["backend"]["service"]
                    yield (
                        length,
                        Destination(
                            service["name"],
                            namespace,
                            int(service["port"]["number"]),
                            tls_secret,
                            f"Ingress {namespace}/{ingress['metadata']['name']}",
                        ),
                    )

    # ------------------------------------------------------------------------------------- gateway

    def _gateway(self, namespace: str, name: str) -> Gateway | None:
        return next((g for g in self.cluster.gateways if (g.namespace, g.name) == (namespace, name)), None)

    def _attached_listeners(self, route: Mapping[str, Any], internet: bool):
        namespace = route["metadata"]["namespace"]
        hostnames = route["spec"].get("hostnames") or []
        for parent in route["spec"]["parentRefs"]:
            _check_keys(parent, {"group", "kind", "name", "namespace", "sectionName"}, "parentRef")
            if parent.get("kind", "Gateway") != "Gateway":
                raise ValueError(f"unsupported parent kind {parent.get('kind')!r}")
            gateway = self._gateway(parent.get("namespace", namespace), parent["name"])
            if gateway is None or gateway.internet_facing != internet:
                continue
            for listener in gateway.listeners:
                if parent.get("sectionName") not in (None, listener.name):
                    continue
                if listener.allowed_namespaces == "Same" and gateway.namespace != namespace:
                    continue
                if (
                    listener.hostname
                    and hostnames
                    and not any(
                        _host_matches(listener.hostname, h) or _host_matches(h, listener.hostname) for h in hostnames
                    )
                ):
                    continue
                yield gateway, listener

    def _through_routes(self, host: str, path: str, https: bool, internet: bool):
        for route in self.routes:
            spec, namespace = route["spec"], route["metadata"]["namespace"]
            _check_keys(spec, {"parentRefs", "hostnames", "rules"}, "HTTPRoute spec")
            hostnames = spec.get("hostnames") or []
            if hostnames and not any(_host_matches(h, host) for h in hostnames):
                continue
            for gateway, listener in self._attached_listeners(route, internet):
                if listener.hostname and not _host_matches(listener.hostname, host):
                    continue
                if https != (listener.protocol == "HTTPS"):
                    continue
                tls_secret = None
                if https:
                    secret = listener.certificate_secret
                    if secret is None or not self._secret_exists(gateway.namespace, secret, host):
                        continue
                    tls_secret = (gateway.namespace, secret)
                for rule in spec["rules"]:
                    _check_keys(rule, {"matches", "backendRefs", "timeouts"}, "HTTPRoute rule")
                    for match in rule["matches"]:
                        _check_keys(match, {"path"}, "HTTPRoute match")
                        kind = {"PathPrefix": "Prefix", "Exact": "Exact"}.get(match["path"]["type"])
                        if kind is None:
                            raise ValueError(f"unsupported path type {match['path']['type']!r}")
                        length = _path_match(kind, match["path"]["value"], path)
                        if length is None:
                            continue
                        (backend,) = rule["backendRefs"]
                        if backend.get("kind", "Service") != "Service":
                            raise ValueError(f"unsupported backend kind {backend.get('kind')!r}")
                        yield (
                            length,
                            Destination(
                                backend["name"],
                                backend.get("namespace", namespace),
                                int(backend["port"]),
                                tls_secret,
                                f"HTTPRoute {namespace}/{route['metadata']['name']}",
                            ),
                        )

    # ------------------------------------------------------------------------------------- tls

    def _secret_exists(self, namespace: str, name: str, host: str) -> bool:
        if (namespace, name) in self.cluster.secrets:
            return True
        return any(
            certificate["metadata"]["namespace"] == namespace
            and certificate["spec"]["secretName"] == name
            and any(_host_matches(dns, host) for dns in certificate["spec"]["dnsNames"])
            for certificate in self.certificates
        )


def _host_matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)]
    return pattern == host


def _path_match(kind: str, value: str, path: str) -> int | None:
    """Length of the match of `path` by an `Exact` or `Prefix` path, or None."""
    if kind == "Exact":
        return len(value) if path == value else None
    if kind != "Prefix":
        raise ValueError(f"unsupported path type {kind!r}")
    prefix = value.rstrip("/")
    if prefix == "" or path == prefix or path.startswith(prefix + "/"):
        return len(prefix)
    return None
