"""The way in from outside: `litellm:publicUrl` served over TLS, the admin UI kept off the internet.

The public entrance routes only LiteLLM's LLM API routes (`components/routes.py`) for the host of
`publicUrl`. The admin UI and the management routes go through an optional second entrance on an
internal host. Either entrance is an Ingress (with an `ingressClassName`) or a Gateway API HTTPRoute
attached to an existing Gateway. The program creates these objects itself rather than through the
chart's `ingress` values: the chart renders a single Ingress, and the internal entrance is a second
one with another class (or an HTTPRoute, which the chart at this tag does not have).
"""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.canary_entrance import CANARY_INGRESS, canary_ingress_annotations
from components.layout import PROGRAM_LABELS, certificate_namespace, entrance_object_name
from components.routes import MatchKind, public_path_matches
from components.settings import CANARY_RELEASE_NAME, RELEASE_NAME, Settings

GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1"
CERT_MANAGER_API_VERSION = "cert-manager.io/v1"
MATCHES_PER_RULE = 8
"""Matches per HTTPRoute rule (v1.4 allows 64 per rule, 16 rules, 128 in all): small rules keep each readable."""
NGINX = "nginx.ingress.kubernetes.io/"

meta = k8s.meta.v1
networking = k8s.networking.v1


def entrance_host(settings: Settings, side: str) -> str:
    host = settings.public_host if side == "public" else settings.entrance.sides()[side].host
    assert host is not None, "validated by the settings"
    return host


def path_matches(side: str) -> list[tuple[MatchKind, str]]:
    """(kind, path) the entrance routes: the LLM API routes publicly, everything on the internal host."""
    return public_path_matches() if side == "public" else [("Prefix", "/")]


def ingress_annotations(settings: Settings) -> dict[str, str]:
    """`litellm:entrance.requests` for ingress-nginx, whose defaults are 60 s, 1 MiB and request buffering on
    (kubernetes/ingress-nginx@dbb11b9 internal/ingress/controller/config/config.go:37, 857-869; the annotation
    names: internal/ingress/annotations/proxy/main.go:30-44). Other controllers ignore them."""
    requests = settings.entrance.requests
    buffering = "off" if requests.streaming else "on"
    return {
        f"{NGINX}proxy-read-timeout": str(requests.timeout_seconds),
        f"{NGINX}proxy-send-timeout": str(requests.timeout_seconds),
        f"{NGINX}proxy-body-size": f"{requests.max_body_mib}m",
        f"{NGINX}proxy-buffering": buffering,
        f"{NGINX}proxy-request-buffering": buffering,
    }


def ingress_spec(settings: Settings, side: str, service: str = RELEASE_NAME) -> networking.IngressSpecArgs:
    entrance = settings.entrance.sides()[side]
    assert entrance.tls is not None and entrance.class_name is not None, "validated by the settings"
    host = entrance_host(settings, side)
    backend = networking.IngressBackendArgs(
        service=networking.IngressServiceBackendArgs(
            name=service, port=networking.ServiceBackendPortArgs(number=settings.service.port)
        )
    )
    paths = [
        networking.HTTPIngressPathArgs(path=path, path_type=kind, backend=backend) for kind, path in path_matches(side)
    ]
    return networking.IngressSpecArgs(
        ingress_class_name=entrance.class_name,
        tls=[networking.IngressTLSArgs(hosts=[host], secret_name=entrance.tls.secret_name)],
        rules=[networking.IngressRuleArgs(host=host, http=networking.HTTPIngressRuleValueArgs(paths=paths))],
    )


def http_route_spec(settings: Settings, side: str) -> dict[str, Any]:
    entrance = settings.entrance.sides()[side]
    gateway = entrance.gateway
    assert gateway is not None, "validated by the settings"
    parent: dict[str, Any] = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": gateway.name,
        "namespace": gateway.namespace,
    }
    if gateway.listener:
        parent["sectionName"] = gateway.listener
    matches = [
        {"path": {"type": "PathPrefix" if kind == "Prefix" else "Exact", "value": path}}
        for kind, path in path_matches(side)
    ]
    backend = [{"kind": "Service", "name": RELEASE_NAME, "port": settings.service.port}]
    canary = settings.canary
    if side == "public" and canary.enabled:  # the canary's share (docs/upgrades.md)
        backend = [
            {**backend[0], "weight": 100 - canary.weight},
            {**backend[0], "name": CANARY_RELEASE_NAME, "weight": canary.weight},
        ]
    # Gateway API's request timeout covers the whole response, streams included; Envoy Gateway turns it into the
    # Envoy route timeout, whose default is 15 s (envoyproxy/gateway@d32f282 internal/gatewayapi/route.go:36-40,
    # 1086-1095; internal/xds/translator/route.go:118-123) and raises the stream idle timeout to it (:458-490).
    timeouts = {"request": f"{settings.entrance.requests.timeout_seconds}s"}
    return {
        "parentRefs": [parent],
        "hostnames": [entrance_host(settings, side)],
        "rules": [
            {"matches": matches[start : start + MATCHES_PER_RULE], "backendRefs": backend, "timeouts": timeouts}
            for start in range(0, len(matches), MATCHES_PER_RULE)
        ],
    }


def certificate_spec(settings: Settings, side: str) -> dict[str, Any] | None:
    entrance = settings.entrance.sides()[side]
    if entrance.tls is None or entrance.tls.cert_manager is None:
        return None
    issuer = entrance.tls.cert_manager
    return {
        "secretName": entrance.tls.secret_name,
        "dnsNames": [entrance_host(settings, side)],
        "issuerRef": {"group": "cert-manager.io", "kind": issuer.issuer_kind, "name": issuer.issuer},
    }


class LiteLLMEntrance(pulumi.ComponentResource):
    """The public entrance and, when configured, the internal one, with their certificates."""

    def __init__(
        self, name: str, settings: Settings, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("litellm:index:Entrance", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        outputs: dict[str, Any] = {}
        for side, entrance in settings.entrance.sides().items():
            object_name = entrance_object_name(side)
            for kind in settings.entrance.kinds:
                metadata = meta.ObjectMetaArgs(
                    name=object_name,
                    namespace=namespace,
                    labels=dict(PROGRAM_LABELS),
                    annotations=ingress_annotations(settings) if kind == "ingress" else None,
                )
                if kind == "ingress":
                    spec = ingress_spec(settings, side)
                    networking.Ingress(f"{name}-{side}-ingress", metadata=metadata, spec=spec, opts=child)
                    if side == "public" and settings.canary.enabled:  # the canary's share (docs/upgrades.md)
                        networking.Ingress(
                            f"{name}-{side}-canary-ingress",
                            metadata=meta.ObjectMetaArgs(
                                name=CANARY_INGRESS,
                                namespace=namespace,
                                labels=dict(PROGRAM_LABELS),
                                annotations={**ingress_annotations(settings), **canary_ingress_annotations(settings)},
                            ),
                            spec=ingress_spec(settings, side, service=CANARY_RELEASE_NAME),
                            opts=child,
                        )
                else:
                    k8s.apiextensions.CustomResource(
                        f"{name}-{side}-route",
                        api_version=GATEWAY_API_VERSION,
                        kind="HTTPRoute",
                        metadata=metadata,
                        spec=http_route_spec(settings, side),
                        opts=child,
                    )
            certificate = certificate_spec(settings, side)
            if certificate is not None:
                k8s.apiextensions.CustomResource(
                    f"{name}-{side}-certificate",
                    api_version=CERT_MANAGER_API_VERSION,
                    kind="Certificate",
                    metadata=meta.ObjectMetaArgs(
                        name=object_name,
                        namespace=certificate_namespace(settings, entrance),
                        labels=dict(PROGRAM_LABELS),
                    ),
                    spec=certificate,
                    opts=child,
                )
            outputs[side] = f"https://{entrance_host(settings, side)}"
        self.register_outputs(outputs)
