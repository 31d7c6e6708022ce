"""A small NetworkPolicy evaluator (networking.k8s.io/v1) for recorded policy inputs.

It answers "would Kubernetes let this connection through?" from the NetworkPolicy objects the
program registered, so tests can assert flows rather than the shape of the policy documents.

Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
- A pod is isolated for a direction iff some policy in its namespace selects it (spec.podSelector)
  and has that direction in policyTypes. policyTypes defaults to ["Ingress"], plus "Egress" when
  the policy has egress rules. A pod that is not isolated allows everything in that direction.
- An isolated pod allows a connection iff some rule of some selecting policy (of that direction)
  matches the peer AND the port. Policies are additive; there are no deny rules.
- Missing or empty `ports` = all ports; missing `protocol` = TCP; a port may be a number (with an
  optional endPort) or a named container port of the destination pod.
- Missing or empty `to` / `from` = every peer (pods and IP addresses).
- A peer holds podSelector, namespaceSelector (together = AND), or ipBlock alone. A peer with only a
  podSelector means pods in the policy's own namespace. Namespaces are matched by their labels;
  every namespace carries `kubernetes.io/metadata.name: <name>`.
- ipBlock matches an address inside `cidr` and outside every `except`. Pod peers carry an optional
  IP: when given, ipBlock peers are also evaluated against it (most CNIs do that for pod IPs; the
  spec leaves it open, so this is the permissive, cautious reading for "denied" assertions).
- A connection between two pods needs egress at the source AND ingress at the destination.

Anything this evaluator does not understand (an unknown field, selector operator or peer shape)
raises instead of being silently ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

INGRESS = "Ingress"
EGRESS = "Egress"


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None
    named_ports: Mapping[str, int] = field(default_factory=dict)
    """Container port names of this pod, for policies that use a named port."""

    def __str__(self) -> str:
        labels = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"pod {self.namespace}/{{{labels}}}"


Endpoint = Pod | str
"""A pod, or an IP address (IPv4 or IPv6) outside the cluster's pod model."""


# --------------------------------------------------------------------------------------------- selectors


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: {} matches everything; all requirements are ANDed."""
    if selector is None:
        raise ValueError("a missing selector has no meaning here; the caller must decide")
    unknown = set(selector) - {"matchLabels", "matchExpressions"}
    if unknown:
        raise ValueError(f"unsupported label selector fields: {sorted(unknown)}")
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], list(expression.get("values") or [])
        if operator == "In":
            ok = key in labels and labels[key] in values
        elif operator == "NotIn":
            ok = key not in labels or labels[key] not in values
        elif operator == "Exists":
            ok = key in labels
        elif operator == "DoesNotExist":
            ok = key not in labels
        else:
            raise ValueError(f"unsupported selector operator {operator!r}")
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------------------------- policies


def _port_number(value: Any) -> int | str:
    """Recorded numbers arrive as floats; named ports stay strings."""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"invalid port {value!r}")
        return int(value)
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise TypeError(f"invalid port {value!r}")


@dataclass(frozen=True)
class Policy:
    name: str
    namespace: str
    pod_selector: Mapping[str, Any]
    policy_types: tuple[str, ...]
    ingress: tuple[Mapping[str, Any], ...]
    egress: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> Policy:
        metadata = inputs.get("metadata") or {}
        namespace = metadata.get("namespace")
        if not isinstance(namespace, str) or not namespace:
            raise ValueError(f"NetworkPolicy {metadata.get('name')!r} has no resolved metadata.namespace")
        spec = inputs.get("spec") or {}
        unknown = set(spec) - {"podSelector", "policyTypes", "ingress", "egress"}
        if unknown:
            raise ValueError(f"unsupported NetworkPolicy spec fields: {sorted(unknown)}")
        if "podSelector" not in spec:
            raise ValueError(f"NetworkPolicy {metadata.get('name')!r} has no spec.podSelector (required)")
        ingress = tuple(spec.get("ingress") or ())
        egress = tuple(spec.get("egress") or ())
        types = spec.get("policyTypes")
        if not types:
            types = [INGRESS] + ([EGRESS] if egress else [])
        for rule in ingress:
            _check_keys(rule, {"from", "ports"}, "ingress rule")
        for rule in egress:
            _check_keys(rule, {"to", "ports"}, "egress rule")
        return cls(
            name=str(metadata.get("name")),
            namespace=namespace,
            pod_selector=spec["podSelector"],
            policy_types=tuple(types),
            ingress=ingress,
            egress=egress,
        )

    def selects(self, pod: Pod) -> bool:
        return pod.namespace == self.namespace and selector_matches(self.pod_selector, pod.labels)


def _check_keys(value: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f"unsupported {what} fields: {sorted(unknown)}")


class NetworkPolicies:
    """The NetworkPolicies of a cluster (as far as the program defines them)."""

    def __init__(
        self,
        policies: Iterable[Mapping[str, Any]],
        namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
    ):
        """`policies`: NetworkPolicy objects (inputs dicts, wire names). `namespace_labels`: extra
        labels per namespace, on top of the automatic `kubernetes.io/metadata.name`."""
        self.policies = [Policy.from_inputs(p) for p in policies]
        self._namespace_labels = dict(namespace_labels or {})

    @classmethod
    def from_registrations(cls, registrations: Iterable[Any], **kwargs: Any) -> NetworkPolicies:
        """From recorded resource registrations (objects with `.type` and `.inputs`)."""
        return cls([r.inputs for r in registrations if r.type == NETWORK_POLICY_TYPE], **kwargs)

    # ---------------------------------------------------------------------------------- questions

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        return {**self._namespace_labels.get(namespace, {}), NAMESPACE_NAME_LABEL: namespace}

    def selecting(self, pod: Pod, direction: str) -> list[Policy]:
        return [p for p in self.policies if direction in p.policy_types and p.selects(pod)]

    def is_isolated(self, pod: Pod, direction: str) -> bool:
        return bool(self.selecting(pod, direction))

    def egress_allowed(self, src_pod: Pod, dst: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """May `src_pod` open a connection to `dst` (a pod or an IP) on port/protocol, by its own egress?"""
        if not self.is_isolated(src_pod, EGRESS):
            return True
        return any(
            self._rule_matches(rule, "to", policy, dst, dst, port, protocol)
            for policy in self.selecting(src_pod, EGRESS)
            for rule in policy.egress
        )

    def ingress_allowed(self, src: Endpoint, dst_pod: Pod, port: int, protocol: str = "TCP") -> bool:
        """May `src` (a pod or an IP) connect to `dst_pod` on port/protocol, by `dst_pod`'s ingress?"""
        if not self.is_isolated(dst_pod, INGRESS):
            return True
        return any(
            self._rule_matches(rule, "from", policy, src, dst_pod, port, protocol)
            for policy in self.selecting(dst_pod, INGRESS)
            for rule in policy.ingress
        )

    def connection_allowed(self, src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """Both ends agree: egress at a source pod and ingress at a destination pod."""
        if isinstance(src, Pod) and not self.egress_allowed(src, dst, port, protocol):
            return False
        return not isinstance(dst, Pod) or self.ingress_allowed(src, dst, port, protocol)

    # ---------------------------------------------------------------------------------- matching

    def _rule_matches(
        self,
        rule: Mapping[str, Any],
        peers_key: str,
        policy: Policy,
        peer: Endpoint,
        destination: Endpoint,
        port: int,
        protocol: str,
    ) -> bool:
        peers = rule.get(peers_key) or []
        peer_ok = not peers or any(self._peer_matches(p, policy, peer) for p in peers)
        return peer_ok and _ports_match(rule.get("ports"), destination, port, protocol)

    def _peer_matches(self, peer_spec: Mapping[str, Any], policy: Policy, peer: Endpoint) -> bool:
        _check_keys(peer_spec, {"podSelector", "namespaceSelector", "ipBlock"}, "peer")
        if "ipBlock" in peer_spec:
            if len(peer_spec) != 1:
                raise ValueError("ipBlock cannot be combined with a selector in one peer")
            address = peer.ip if isinstance(peer, Pod) else peer
            return address is not None and ip_block_contains(peer_spec["ipBlock"], address)
        if not peer_spec:
            raise ValueError("a peer must set podSelector, namespaceSelector or ipBlock")
        if not isinstance(peer, Pod):
            return False  # selectors only ever match pods
        if "namespaceSelector" in peer_spec:
            namespace_ok = selector_matches(peer_spec["namespaceSelector"], self.namespace_labels(peer.namespace))
        else:
            namespace_ok = peer.namespace == policy.namespace
        pod_ok = "podSelector" not in peer_spec or selector_matches(peer_spec["podSelector"], peer.labels)
        return namespace_ok and pod_ok


def ip_block_contains(block: Mapping[str, Any], address: str) -> bool:
    _check_keys(block, {"cidr", "except"}, "ipBlock")
    ip = ipaddress.ip_address(address)
    network = ipaddress.ip_network(block["cidr"], strict=True)
    if ip.version != network.version or ip not in network:
        return False
    for excluded in block.get("except") or []:
        excluded_network = ipaddress.ip_network(excluded, strict=True)
        if excluded_network.version == ip.version and ip in excluded_network:
            return False
    return True


def _ports_match(ports: list[Mapping[str, Any]] | None, destination: Endpoint, port: int, protocol: str) -> bool:
    if not ports:
        return True
    for entry in ports:
        _check_keys(entry, {"port", "protocol", "endPort"}, "port")
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True  # protocol only: every port of it
        wanted = _port_number(entry["port"])
        if isinstance(wanted, str):
            named = destination.named_ports if isinstance(destination, Pod) else {}
            if named.get(wanted) == port:
                return True
            continue
        end = _port_number(entry["endPort"]) if "endPort" in entry else wanted
        if isinstance(end, int) and wanted <= port <= end:
            return True
    return False
