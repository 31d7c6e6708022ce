"""The NetworkPolicies allow exactly the flows LiteLLM needs, evaluated as Kubernetes would.

The recorded NetworkPolicy inputs of a stack run under mocks are fed to `tests/netpol.py`, and each
flow is asked as "may this pod open that connection?". Expected answers come from what the proxy
and its migration Job need (docs/chart-contract.md), not from the policy code.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from offline.harness import unwrap_secrets
from tests.chart import POD_LABELS, SELECTOR_LABELS
from tests.conftest import run_stack
from tests.netpol import EGRESS, INGRESS, NETWORK_POLICY_TYPE, NetworkPolicies, Pod, selector_matches

# The proxy pods carry the chart's full label set.
PROXY = Pod(
    "litellm",
    {**POD_LABELS, "pod-template-hash": "5d8f7c9b6"},
    ip="10.244.1.10",
    named_ports={"http": 4000},
)
# The migration Job's pods: only the two selector labels are guaranteed, plus what the Job controller adds.
MIGRATION_JOB = Pod(
    "litellm",
    {
        **SELECTOR_LABELS,
        "job-name": "litellm-migrations",
        "batch.kubernetes.io/job-name": "litellm-migrations",
        "controller-uid": "6f1c2a8e-0000-4000-8000-000000000001",
        "batch.kubernetes.io/controller-uid": "6f1c2a8e-0000-4000-8000-000000000001",
    },
    ip="10.244.2.20",
)
KUBE_DNS = Pod("kube-system", {"k8s-app": "kube-dns", "pod-template-hash": "7db6d8ff4d"}, ip="10.244.0.3")
KUBE_SYSTEM_OTHER = Pod("kube-system", {"k8s-app": "metrics-server"}, ip="10.244.0.9")
FAKE_DNS_ELSEWHERE = Pod("default", {"k8s-app": "kube-dns"}, ip="10.244.3.4")
POSTGRES = Pod("postgresql", {"cnpg.io/poolerName": "postgresql-cloudnative-pg-cluster-pooler-rw"}, ip="10.244.4.5")
REDIS = Pod("redis", {"app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "master"}, ip="10.244.5.6")
INGRESS_NGINX = Pod(
    "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
)
OTHER_NAMESPACE = Pod("default", {"app": "web"}, ip="10.244.6.7")
UNLISTED_CLIENT = Pod("team-a", {"app": "client"}, ip="10.244.7.8")
PROMETHEUS = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"}, ip="10.244.8.9")
DEBUG = Pod("litellm", {"app": "debug"}, ip="10.244.1.99", named_ports={"http": 4000})

PUBLIC_IPV4 = "1.2.3.4"
PUBLIC_IPV6 = "2606:4700:4700::1111"
METADATA_IPV4 = "169.254.169.254"


@pytest.fixture(scope="module")
def prod():
    run = run_stack("prod")
    assert run.error is None, run.error
    return run


@pytest.fixture(scope="module")
def flows(prod) -> NetworkPolicies:
    return NetworkPolicies.from_registrations(prod.registrations)


def _policies(overrides: dict[str, Any]) -> NetworkPolicies:
    run = run_stack("prod", overrides)
    assert run.error is None, run.error
    return NetworkPolicies.from_registrations(run.registrations)


ALLOWED = [
    pytest.param(PROXY, KUBE_DNS, 53, "UDP", id="proxy->kube-dns:53/UDP"),
    pytest.param(PROXY, KUBE_DNS, 53, "TCP", id="proxy->kube-dns:53/TCP"),
    pytest.param(PROXY, POSTGRES, 5432, "TCP", id="proxy->postgresql:5432"),
    pytest.param(PROXY, REDIS, 6379, "TCP", id="proxy->redis:6379"),
    pytest.param(PROXY, PUBLIC_IPV4, 443, "TCP", id="proxy->1.2.3.4:443"),
    pytest.param(PROXY, PUBLIC_IPV6, 443, "TCP", id="proxy->public-ipv6:443"),
    pytest.param(MIGRATION_JOB, POSTGRES, 5432, "TCP", id="migration-job->postgresql:5432"),
    pytest.param(MIGRATION_JOB, KUBE_DNS, 53, "UDP", id="migration-job->kube-dns:53/UDP"),
    pytest.param(MIGRATION_JOB, KUBE_DNS, 53, "TCP", id="migration-job->kube-dns:53/TCP"),
    pytest.param(INGRESS_NGINX, PROXY, 4000, "TCP", id="ingress-nginx->proxy:4000"),
]

DENIED = [
    pytest.param(PROXY, METADATA_IPV4, 443, "TCP", id="proxy->metadata-169.254.169.254:443"),
    pytest.param(PROXY, METADATA_IPV4, 80, "TCP", id="proxy->metadata-169.254.169.254:80"),
    pytest.param(PROXY, "fd00:ec2::254", 443, "TCP", id="proxy->metadata-ipv6-fd00:ec2::254:443"),
    pytest.param(PROXY, "fe80::1", 443, "TCP", id="proxy->ipv6-link-local:443"),
    pytest.param(PROXY, "100.100.100.200", 443, "TCP", id="proxy->cgnat-metadata-100.100.100.200:443"),
    pytest.param(PROXY, "10.1.2.3", 443, "TCP", id="proxy->10.1.2.3:443"),
    pytest.param(PROXY, "172.16.0.1", 443, "TCP", id="proxy->172.16.0.1:443"),
    pytest.param(PROXY, "192.168.1.1", 443, "TCP", id="proxy->192.168.1.1:443"),
    pytest.param(PROXY, "127.0.0.1", 443, "TCP", id="proxy->loopback:443"),
    pytest.param(PROXY, PUBLIC_IPV4, 80, "TCP", id="proxy->1.2.3.4:80"),
    pytest.param(PROXY, PUBLIC_IPV4, 443, "UDP", id="proxy->1.2.3.4:443/UDP"),
    pytest.param(PROXY, OTHER_NAMESPACE, 443, "TCP", id="proxy->default-pod:443"),
    pytest.param(PROXY, OTHER_NAMESPACE, 5432, "TCP", id="proxy->default-pod:5432"),
    pytest.param(PROXY, FAKE_DNS_ELSEWHERE, 53, "UDP", id="proxy->kube-dns-labelled-pod-in-default:53/UDP"),
    pytest.param(PROXY, KUBE_SYSTEM_OTHER, 53, "UDP", id="proxy->non-dns-kube-system-pod:53/UDP"),
    pytest.param(PROXY, POSTGRES, 6379, "TCP", id="proxy->postgresql:6379"),
    pytest.param(PROXY, REDIS, 5432, "TCP", id="proxy->redis:5432"),
    pytest.param(PROXY, KUBE_DNS, 443, "TCP", id="proxy->kube-dns:443"),
    pytest.param(UNLISTED_CLIENT, PROXY, 4000, "TCP", id="unlisted-namespace->proxy:4000"),
    pytest.param(PROMETHEUS, PROXY, 4000, "TCP", id="monitoring->proxy:4000-without-servicemonitor"),
    pytest.param(INGRESS_NGINX, PROXY, 8080, "TCP", id="ingress-nginx->proxy:8080"),
    pytest.param(INGRESS_NGINX, PROXY, 4000, "UDP", id="ingress-nginx->proxy:4000/UDP"),
    pytest.param(OTHER_NAMESPACE, PROXY, 4000, "TCP", id="default-namespace->proxy:4000"),
    pytest.param(DEBUG, KUBE_DNS, 53, "UDP", id="debug-pod->kube-dns:53/UDP"),
    pytest.param(DEBUG, POSTGRES, 5432, "TCP", id="debug-pod->postgresql:5432"),
    pytest.param(DEBUG, REDIS, 6379, "TCP", id="debug-pod->redis:6379"),
    pytest.param(DEBUG, PUBLIC_IPV4, 443, "TCP", id="debug-pod->1.2.3.4:443"),
    pytest.param(DEBUG, PROXY, 4000, "TCP", id="debug-pod->proxy:4000"),
    pytest.param(INGRESS_NGINX, DEBUG, 4000, "TCP", id="ingress-nginx->debug-pod:4000"),
    pytest.param(PROXY, DEBUG, 4000, "TCP", id="proxy->debug-pod:4000"),
]


@pytest.mark.parametrize(("src", "dst", "port", "protocol"), ALLOWED)
def test_needed_flow_is_allowed(flows, src, dst, port, protocol):
    assert flows.connection_allowed(src, dst, port, protocol)


@pytest.mark.parametrize(("src", "dst", "port", "protocol"), DENIED)
def test_unneeded_flow_is_denied(flows, src, dst, port, protocol):
    assert not flows.connection_allowed(src, dst, port, protocol)


@pytest.mark.parametrize("direction", [INGRESS, EGRESS])
@pytest.mark.parametrize("pod", [PROXY, MIGRATION_JOB, DEBUG], ids=["proxy", "migration-job", "debug-pod"])
def test_every_litellm_namespace_pod_is_isolated(flows, pod, direction):
    assert flows.is_isolated(pod, direction)


def test_policies_select_pods_only_by_the_chart_selector_labels_or_all(prod):
    """Besides the proxy and its Job, only cert-manager's HTTP-01 solver (tests/test_acme_solver.py)."""
    selectors = [unwrap_secrets(r.inputs)["spec"]["podSelector"] for r in prod.of_type(NETWORK_POLICY_TYPE)]
    solver = {"matchLabels": {"acme.cert-manager.io/http01-solver": "true"}}
    assert selectors and all(s in ({}, {"matchLabels": SELECTOR_LABELS}, solver) for s in selectors), selectors


def test_policies_live_in_the_litellm_namespace(prod):
    namespaces = {unwrap_secrets(r.inputs)["metadata"]["namespace"] for r in prod.of_type(NETWORK_POLICY_TYPE)}
    assert namespaces == {"litellm"}


def test_policy_names_are_unique(prod):
    names = [unwrap_secrets(r.inputs)["metadata"]["name"] for r in prod.of_type(NETWORK_POLICY_TYPE)]
    assert len(names) == len(set(names)), names


def test_disabled_network_policy_registers_no_network_policy():
    run = run_stack("prod", {"litellm:networkPolicy": {"enabled": False}})
    assert run.error is None, run.error
    assert run.of_type(NETWORK_POLICY_TYPE) == []


# ------------------------------------------------------------------------------ egressCidrs


@pytest.fixture(scope="module")
def cidr_flows() -> NetworkPolicies:
    return _policies({"litellm:networkPolicy": {"enabled": True, "egressCidrs": ["203.0.113.0/24", "2001:db8::/32"]}})


@pytest.mark.parametrize("address", ["203.0.113.7", "2001:db8::10"], ids=["ipv4", "ipv6"])
def test_listed_egress_cidr_is_reachable_on_443(cidr_flows, address):
    assert cidr_flows.connection_allowed(PROXY, address, 443)


@pytest.mark.parametrize(
    "address", [PUBLIC_IPV4, PUBLIC_IPV6, METADATA_IPV4], ids=["1.2.3.4", "public-ipv6", "metadata"]
)
def test_egress_cidrs_replace_the_internet_rule(cidr_flows, address):
    assert not cidr_flows.connection_allowed(PROXY, address, 443)


def test_listed_egress_cidr_is_still_443_only(cidr_flows):
    assert not cidr_flows.connection_allowed(PROXY, "203.0.113.7", 80)


@pytest.fixture(scope="module")
def no_cidr_flows() -> NetworkPolicies:
    return _policies({"litellm:networkPolicy": {"enabled": True, "egressCidrs": []}})


@pytest.mark.parametrize(
    "dst",
    [PUBLIC_IPV4, METADATA_IPV4, OTHER_NAMESPACE, POSTGRES],
    ids=["1.2.3.4", "metadata", "default-pod", "postgresql-pod"],
)
def test_empty_egress_cidrs_allow_no_destination_on_443(no_cidr_flows, dst):
    # An empty `to` in Kubernetes means "every destination"; an empty allow-list must mean none.
    assert not no_cidr_flows.connection_allowed(PROXY, dst, 443)


# ------------------------------------------------------------------------------ database location


@pytest.fixture(scope="module")
def moved_database_flows() -> NetworkPolicies:
    return _policies(
        {
            "litellm:database": {
                "host": "pg-rw.db-next.svc.cluster.local",
                "namespace": "db-next",
                "port": 6432,
            }
        }
    )


MOVED_POSTGRES = Pod("db-next", {"cnpg.io/poolerName": "pg-rw"}, ip="10.244.9.1")


@pytest.mark.parametrize(
    ("src", "dst", "port", "expected"),
    [
        pytest.param(PROXY, MOVED_POSTGRES, 6432, True, id="proxy->new-namespace:new-port"),
        pytest.param(MIGRATION_JOB, MOVED_POSTGRES, 6432, True, id="migration-job->new-namespace:new-port"),
        pytest.param(PROXY, MOVED_POSTGRES, 5432, False, id="proxy->new-namespace:old-port"),
        pytest.param(PROXY, POSTGRES, 5432, False, id="proxy->old-namespace:old-port"),
        pytest.param(PROXY, POSTGRES, 6432, False, id="proxy->old-namespace:new-port"),
    ],
)
def test_database_setting_moves_the_postgres_allowance(moved_database_flows, src, dst, port, expected):
    assert moved_database_flows.connection_allowed(src, dst, port) is expected


# ------------------------------------------------------------------------------ ServiceMonitor


@pytest.fixture(scope="module")
def monitored():
    run = run_stack("prod", {"litellm:serviceMonitor": {"enabled": True}, "litellm:licenseKey": "litellm-licence-FAKE"})
    assert run.error is None, run.error
    return run


def _service_monitor(run) -> dict[str, Any]:
    monitors = [
        unwrap_secrets(r.inputs) for r in run.registrations if unwrap_secrets(r.inputs).get("kind") == "ServiceMonitor"
    ]
    assert len(monitors) == 1, monitors
    return monitors[0]


def test_monitoring_namespace_reaches_proxy_port_with_service_monitor(monitored):
    flows = NetworkPolicies.from_registrations(monitored.registrations)
    assert flows.connection_allowed(PROMETHEUS, PROXY, 4000)


def test_monitoring_namespace_reaches_no_other_port_with_service_monitor(monitored):
    flows = NetworkPolicies.from_registrations(monitored.registrations)
    assert not flows.connection_allowed(PROMETHEUS, PROXY, 8080)


def test_only_the_monitoring_namespace_is_let_in_with_service_monitor(monitored):
    flows = NetworkPolicies.from_registrations(monitored.registrations)
    assert not flows.connection_allowed(OTHER_NAMESPACE, PROXY, 4000)


# The Service's labels are the chart's full label set, which differs between the git and OCI charts.
@pytest.mark.parametrize("chart_label", ["litellm-helm-0.4.5", "litellm-helm-0.1.763"], ids=["git-chart", "oci-chart"])
def test_service_monitor_selects_the_proxy_service_labels(monitored, chart_label):
    service_labels = {
        **SELECTOR_LABELS,
        "helm.sh/chart": chart_label,
        "app.kubernetes.io/version": "v1.50.2",
        "app.kubernetes.io/managed-by": "Helm",
    }
    assert selector_matches(_service_monitor(monitored)["spec"]["selector"], service_labels)


def test_service_monitor_scrapes_the_http_port_in_the_litellm_namespace(monitored):
    spec = _service_monitor(monitored)["spec"]
    assert [e["port"] for e in spec["endpoints"]] == ["http"]
    assert spec["namespaceSelector"] == {"matchNames": ["litellm"]}


# ------------------------------------------------------------------------------ the evaluator itself


def _policy(spec: dict[str, Any], namespace: str = "app") -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


A = Pod("app", {"role": "a"}, ip="10.0.0.1")
B_SAME_NS = Pod("app", {"role": "b"}, ip="10.0.0.2")
B_OTHER_NS = Pod("other", {"role": "b"}, ip="10.0.0.3")


DENY_EGRESS = {"podSelector": {}, "policyTypes": ["Egress"]}
ONLY_ROLE_B_SAME_NS = {"podSelector": {}, "egress": [{"to": [{"podSelector": {"matchLabels": {"role": "b"}}}]}]}
NS_OTHER_AND_ROLE_C = {
    "podSelector": {},
    "egress": [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}},
                    "podSelector": {"matchLabels": {"role": "c"}},
                }
            ]
        }
    ],
}
TEN_EXCEPT_FIRST_24 = {
    "podSelector": {},
    "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/24"]}}]}],
}
ANY_IPV4 = {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}
PORT_53_NO_PROTOCOL = {**DENY_EGRESS, "egress": [{"ports": [{"port": 53}]}]}
PORT_RANGE = {**DENY_EGRESS, "egress": [{"ports": [{"port": 1000, "endPort": 2000}]}]}


@pytest.mark.parametrize(
    ("spec", "dst", "port", "protocol", "expected"),
    [
        pytest.param({"podSelector": {}}, B_SAME_NS, 1, "TCP", True, id="no-policyTypes-no-egress=not-isolated"),
        pytest.param(DENY_EGRESS, B_SAME_NS, 1, "TCP", False, id="default-deny"),
        pytest.param(
            {**DENY_EGRESS, "podSelector": {"matchLabels": {"role": "x"}}}, B_SAME_NS, 1, "TCP", True, id="unselected"
        ),
        pytest.param({**DENY_EGRESS, "egress": [{}]}, "8.8.8.8", 9, "UDP", True, id="empty-rule=all-peers-all-ports"),
        pytest.param(PORT_53_NO_PROTOCOL, "8.8.8.8", 53, "UDP", False, id="missing-protocol=TCP"),
        pytest.param(PORT_53_NO_PROTOCOL, "8.8.8.8", 53, "TCP", True, id="missing-protocol-matches-TCP"),
        pytest.param(ONLY_ROLE_B_SAME_NS, B_OTHER_NS, 1, "TCP", False, id="pod-selector-only=own-namespace"),
        pytest.param(ONLY_ROLE_B_SAME_NS, B_SAME_NS, 1, "TCP", True, id="pod-selector-only-matches-own-namespace"),
        pytest.param(NS_OTHER_AND_ROLE_C, B_OTHER_NS, 1, "TCP", False, id="namespace-and-pod-selector=AND"),
        pytest.param(TEN_EXCEPT_FIRST_24, "10.0.0.9", 1, "TCP", False, id="ipBlock-except"),
        pytest.param(TEN_EXCEPT_FIRST_24, "10.0.1.9", 1, "TCP", True, id="ipBlock-outside-except"),
        pytest.param(ANY_IPV4, "2001:db8::1", 1, "TCP", False, id="ipv4-block-never-matches-ipv6"),
        pytest.param(PORT_RANGE, "8.8.8.8", 1500, "TCP", True, id="endPort-range"),
        pytest.param(PORT_RANGE, "8.8.8.8", 2001, "TCP", False, id="endPort-range-upper-bound"),
    ],
)
def test_evaluator_follows_kubernetes_semantics(spec, dst, port, protocol, expected):
    assert NetworkPolicies([_policy(spec)]).egress_allowed(A, dst, port, protocol) is expected


def test_evaluator_rejects_fields_it_does_not_understand():
    with pytest.raises(ValueError):
        NetworkPolicies([_policy({"podSelector": {}, "egress": [{"toFqdns": ["api.openai.com"]}]})])


def test_dns_cidrs_open_port_53_to_a_node_local_dns_cache():
    policies = _policies({"litellm:networkPolicy": {"dnsCidrs": ["169.254.20.10/32"]}})
    assert policies.egress_allowed(PROXY, "169.254.20.10", 53, "UDP")
    assert policies.egress_allowed(MIGRATION_JOB, "169.254.20.10", 53, "TCP")
    assert not policies.egress_allowed(PROXY, "169.254.20.10", 443)
    assert not policies.egress_allowed(PROXY, "169.254.169.254", 53, "UDP")


# ------------------------------------------------------------------------------ networkPolicy.egress

MODEL_SERVER = Pod("models", {"app": "vllm"}, ip="10.244.9.3")


@pytest.fixture(scope="module")
def extra_flows() -> NetworkPolicies:
    entries = [{"namespace": "models", "ports": [8080, 8081]}, {"cidr": "10.20.0.0/16", "ports": [5432]}]
    return _policies({"litellm:networkPolicy": {"egress": entries}})


@pytest.mark.parametrize(
    ("dst", "port", "expected"),
    [
        pytest.param(MODEL_SERVER, 8080, True, id="namespace:first-port"),
        pytest.param(MODEL_SERVER, 8081, True, id="namespace:second-port"),
        pytest.param(MODEL_SERVER, 22, False, id="namespace:other-port"),
        pytest.param(OTHER_NAMESPACE, 8080, False, id="other-namespace"),
        pytest.param("10.20.3.4", 5432, True, id="cidr:its-port"),
        pytest.param("10.20.3.4", 22, False, id="cidr:other-port"),
        pytest.param("10.21.3.4", 5432, False, id="outside-cidr"),
    ],
)
def test_an_egress_entry_opens_its_destination_on_its_ports_only(extra_flows, dst, port, expected):
    assert extra_flows.connection_allowed(PROXY, dst, port) is expected


# ------------------------------------------------------------------------------ networkPolicy.ingressNamespaces

LISTED_CLIENT = Pod("team-b", {"app": "client"}, ip="10.244.7.9")


@pytest.fixture(scope="module")
def client_flows() -> NetworkPolicies:
    return _policies({"litellm:networkPolicy": {"ingressNamespaces": ["team-b"]}})


@pytest.mark.parametrize(
    ("src", "port", "expected"),
    [
        pytest.param(LISTED_CLIENT, 4000, True, id="listed->proxy-port"),
        pytest.param(LISTED_CLIENT, 8080, False, id="listed->other-port"),
        pytest.param(UNLISTED_CLIENT, 4000, False, id="unlisted->proxy-port"),
    ],
)
def test_a_listed_client_namespace_reaches_the_proxy_port_only(client_flows, src, port, expected):
    assert client_flows.connection_allowed(src, PROXY, port) is expected


# ------------------------------------------------------------------------------ names

EVERY_POLICY = {
    "litellm:networkPolicy": {"ingressNamespaces": ["team-a"], "egress": [{"namespace": "models", "ports": [8080]}]},
    "litellm:serviceMonitor": {"enabled": True},
    "litellm:licenseKey": "litellm-licence-FAKE",
    "litellm:tracing": {"enabled": True, "endpoint": "http://otel-collector.observability.svc:4318/v1/traces"},
    "litellm:models": [{"name": "m", "model": "hosted_vllm/llama-3", "apiBase": "http://vllm.models.svc:8000"}],
}
SECURITY_DOC = Path(__file__).parents[1] / "docs" / "security.md"


def test_the_security_doc_names_every_network_policy_the_program_writes():
    """Operators find a policy by its name (`kubectl get networkpolicy`): each one is in docs/security.md."""
    run = run_stack("prod", EVERY_POLICY)
    assert run.error is None, run.error
    written = {r.inputs["metadata"]["name"] for r in run.of_type(NETWORK_POLICY_TYPE)}
    section = SECURITY_DOC.read_text(encoding="utf-8").split("## NetworkPolicies by name\n")[1].split("\n## ")[0]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.M)
    assert written == set(rows)
