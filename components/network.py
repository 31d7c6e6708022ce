"""Default deny for the LiteLLM namespace, then exactly the flows the proxy and its migration Job need.

Pods are selected by the chart's two selector labels only; the migration Job's pods carry the same
labels, so they get DNS and PostgreSQL egress before the first sync (these policies are created
before the ArgoCD Application or Helm release).
"""

import pulumi
import pulumi_kubernetes as k8s

from components.egress import Destination, destinations
from components.layout import INSTANCE_LABEL, entrance_namespaces, proxy_pod_labels
from components.settings import Settings

# Never reachable through the "internet on 443" rule: private ranges, CGNAT, loopback and
# link-local (169.254.169.254 is the cloud metadata endpoint; fd00:ec2::254 lies in fc00::/7).
PRIVATE_IPV4 = ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"]
PRIVATE_IPV6 = ["fc00::/7", "fe80::/10"]
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
# cert-manager's HTTP-01 solver pod: created in the Certificate's namespace with this label, listening on 8089
# (cert-manager@2d0d7f7 pkg/issuer/acme/http/pod.go:35-48, 165, 208, 259; http.go:49; apis/acme/v1/types.go:60).
ACME_SOLVER_LABELS = {"acme.cert-manager.io/http01-solver": "true"}
ACME_SOLVER_PORT = 8089

meta = k8s.meta.v1
net = k8s.networking.v1


def _in_namespace(namespace: str, pod_labels: dict[str, str] | None = None) -> net.NetworkPolicyPeerArgs:
    return net.NetworkPolicyPeerArgs(
        namespace_selector=meta.LabelSelectorArgs(match_labels={NAMESPACE_NAME_LABEL: namespace}),
        pod_selector=meta.LabelSelectorArgs(match_labels=pod_labels) if pod_labels else None,
    )


def _tcp(port: int) -> net.NetworkPolicyPortArgs:
    return net.NetworkPolicyPortArgs(protocol="TCP", port=port)


def _proxy_pods(settings: Settings) -> meta.LabelSelectorArgs:
    labels, instances = proxy_pod_labels(settings)
    expressions = [meta.LabelSelectorRequirementArgs(key=INSTANCE_LABEL, operator="In", values=instances)]
    return meta.LabelSelectorArgs(match_labels=labels, match_expressions=expressions if instances else None)


def _internet_peers(settings: Settings) -> list[net.NetworkPolicyPeerArgs]:
    if settings.network_policy.egress_cidrs is not None:
        return [
            net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=cidr))
            for cidr in settings.network_policy.egress_cidrs
        ]
    return [
        net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr="0.0.0.0/0", except_=PRIVATE_IPV4)),
        net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr="::/0", except_=PRIVATE_IPV6)),
    ]


def _rule_peers(destination: Destination) -> list[net.NetworkPolicyPeerArgs]:
    peers = [_in_namespace(destination.namespace)] if destination.namespace is not None else []
    if destination.cidr is not None:
        peers.append(net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=destination.cidr)))
    return peers


def _rule_to(destination: Destination) -> net.NetworkPolicyEgressRuleArgs:
    return net.NetworkPolicyEgressRuleArgs(to=_rule_peers(destination), ports=[_tcp(destination.port)])


def egress_rules(settings: Settings) -> dict[str, list[net.NetworkPolicyEgressRuleArgs]]:
    """Egress of the proxy and migration pods, one named policy per destination."""
    policy = settings.network_policy
    rules = {
        "litellm-egress-dns": [
            net.NetworkPolicyEgressRuleArgs(
                to=[
                    _in_namespace(policy.dns_namespace, policy.dns_pod_labels),
                    *(net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=cidr)) for cidr in policy.dns_cidrs),
                ],
                ports=[net.NetworkPolicyPortArgs(protocol="UDP", port=53), _tcp(53)],
            )
        ],
    }
    found = {destination.key: destination for destination in destinations(settings)}
    rules["litellm-egress-postgres"] = [_rule_to(found["database.host"])]
    internet = _internet_peers(settings)
    # `egressCidrs: []` means no provider endpoint: an empty `to` would allow every destination on 443.
    if internet:
        rules["litellm-egress-llm-apis"] = [net.NetworkPolicyEgressRuleArgs(to=internet, ports=[_tcp(443)])]
    if "tracing.endpoint" in found and _rule_peers(found["tracing.endpoint"]):
        rules["litellm-egress-tracing"] = [_rule_to(found["tracing.endpoint"])]
    if "redis.host" in found:
        rules["litellm-egress-redis"] = [_rule_to(found["redis.host"])]
    models = {
        (d.namespace, d.cidr, d.port): d for key, d in found.items() if key.startswith("models[") and _rule_peers(d)
    }
    if models:
        rules["litellm-egress-models"] = [_rule_to(models[target]) for target in sorted(models, key=str)]
    if policy.egress:
        rules["litellm-egress-extra"] = [
            net.NetworkPolicyEgressRuleArgs(
                to=[
                    net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=rule.cidr))
                    if rule.cidr is not None
                    else _in_namespace(rule.namespace or "")
                ],
                ports=[_tcp(port) for port in rule.ports],
            )
            for rule in policy.egress
        ]
    return rules


def ingress_rules(settings: Settings) -> dict[str, list[net.NetworkPolicyIngressRuleArgs]]:
    """Who may open connections to the proxy port."""
    port = [_tcp(settings.service.port)]
    rules = {}
    if settings.network_policy.ingress_namespaces:
        rules["litellm-ingress-clients"] = [
            net.NetworkPolicyIngressRuleArgs(
                from_=[_in_namespace(namespace) for namespace in settings.network_policy.ingress_namespaces], ports=port
            )
        ]
    entrance = entrance_namespaces(settings)
    if entrance:
        rules["litellm-ingress-entrance"] = [
            net.NetworkPolicyIngressRuleArgs(from_=[_in_namespace(namespace) for namespace in entrance], ports=port)
        ]
    if settings.service_monitor.enabled:
        rules["litellm-ingress-metrics"] = [
            net.NetworkPolicyIngressRuleArgs(from_=[_in_namespace(settings.service_monitor.namespace)], ports=port)
        ]
    return rules


def acme_solver_rules(settings: Settings) -> list[net.NetworkPolicyIngressRuleArgs]:
    """The ingress controller's way to cert-manager's HTTP-01 solver, when an Ingress's Certificate is issued in
    the LiteLLM namespace. The CA and cert-manager's self-check fetch the challenge through the controller; the
    solver needs no egress, so default-deny keeps it closed. A Gateway's Certificate lives in the Gateway's
    namespace, outside these policies."""
    entrance = settings.entrance
    if not entrance.enabled or "ingress" not in entrance.kinds:
        return []
    namespaces = sorted(
        set().union(
            *(
                side.forwarding_namespaces("ingress")
                for side in entrance.sides().values()
                if side.tls is not None and side.tls.cert_manager is not None
            )
        )
    )
    if not namespaces:
        return []
    return [
        net.NetworkPolicyIngressRuleArgs(
            from_=[_in_namespace(namespace) for namespace in namespaces], ports=[_tcp(ACME_SOLVER_PORT)]
        )
    ]


class LiteLLMNetworkPolicies(pulumi.ComponentResource):
    policies: list[net.NetworkPolicy]

    def __init__(
        self, name: str, settings: Settings, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("litellm:index:NetworkPolicies", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def policy(policy_name: str, spec: net.NetworkPolicySpecArgs) -> net.NetworkPolicy:
            return net.NetworkPolicy(
                f"{name}-{policy_name}",
                metadata=meta.ObjectMetaArgs(name=policy_name, namespace=namespace),
                spec=spec,
                opts=child,
            )

        self.policies = [
            policy(
                "default-deny-all",
                net.NetworkPolicySpecArgs(pod_selector=meta.LabelSelectorArgs(), policy_types=["Ingress", "Egress"]),
            )
        ]
        for policy_name, egress in egress_rules(settings).items():
            self.policies.append(
                policy(
                    policy_name,
                    net.NetworkPolicySpecArgs(
                        pod_selector=_proxy_pods(settings), policy_types=["Egress"], egress=egress
                    ),
                )
            )
        for policy_name, ingress in ingress_rules(settings).items():
            self.policies.append(
                policy(
                    policy_name,
                    net.NetworkPolicySpecArgs(
                        pod_selector=_proxy_pods(settings), policy_types=["Ingress"], ingress=ingress
                    ),
                )
            )
        solver = acme_solver_rules(settings)
        if solver:
            self.policies.append(
                policy(
                    "litellm-ingress-acme-solver",
                    net.NetworkPolicySpecArgs(
                        pod_selector=meta.LabelSelectorArgs(match_labels=dict(ACME_SOLVER_LABELS)),
                        policy_types=["Ingress"],
                        ingress=solver,
                    ),
                )
            )
        self.register_outputs({"names": [p.metadata.name for p in self.policies]})
