"""Who may do what in the release's namespace, as the API server's RBAC authorizer decides it.

The prod-hardened variant grants the group `sre` the operator Role and `secops` the secret-admin Role
(components/access.py). Each question is a SubjectAccessReview: the authorizer evaluates the stored
Roles and RoleBindings, as it would for a person of that group running kubectl.
"""

from collections.abc import Mapping

import pytest

from tests.engine.cluster import Cluster
from tests.engine.conftest import Deployed

VARIANT = "prod-hardened"


def allowed(
    cluster: Cluster, namespace: str, who: Mapping[str, object], verb: str, resource: str, name: str = ""
) -> bool:
    group_resource, _, subresource = resource.partition("/")
    attributes = {"namespace": namespace, "verb": verb, "resource": group_resource, "subresource": subresource}
    if name:
        attributes["name"] = name
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {**who, "resourceAttributes": attributes},
    }
    answer = cluster.resource("authorization.k8s.io/v1", "SubjectAccessReview").create(body=review).to_dict()
    return bool(answer["status"].get("allowed"))


def person(group: str) -> dict[str, object]:
    return {"user": f"someone-in-{group}", "groups": [group, "system:authenticated"]}


@pytest.mark.parametrize(
    ("verb", "resource", "expected"),
    [
        ("get", "pods", True),
        ("get", "pods/log", True),
        ("create", "pods/portforward", True),
        ("list", "events", True),
        ("get", "secrets", False),
        ("list", "secrets", False),
        ("delete", "pods", False),
        ("update", "deployments", False),
    ],
)
def test_the_operator_group_diagnoses_but_reads_no_secret(
    deployed: dict[str, Deployed], cluster: Cluster, verb: str, resource: str, expected: bool
):
    namespace = deployed[VARIANT].namespace
    assert allowed(cluster, namespace, person("sre"), verb, resource) is expected


def test_the_secret_admin_group_reads_and_replaces_only_the_programs_secrets(
    deployed: dict[str, Deployed], cluster: Cluster
):
    variant = deployed[VARIANT]
    secrets = [s["metadata"]["name"] for s in variant.manifests.all("Secret")]
    secops = person("secops")
    ns = variant.namespace
    assert {name: allowed(cluster, ns, secops, "get", "secrets", name) for name in secrets} == dict.fromkeys(
        secrets, True
    )
    assert {name: allowed(cluster, ns, secops, "update", "secrets", name) for name in secrets} == dict.fromkeys(
        secrets, True
    )
    assert not allowed(cluster, ns, secops, "get", "secrets", "someone-elses-secret")
    assert not allowed(cluster, ns, secops, "list", "secrets")
    assert not allowed(cluster, ns, secops, "delete", "secrets", secrets[0])
    assert not allowed(cluster, ns, person("sre"), "get", "secrets", secrets[0])


def test_the_proxys_service_account_may_do_nothing(deployed: dict[str, Deployed], cluster: Cluster):
    variant = deployed[VARIANT]
    account = variant.manifests.find("ServiceAccount")["metadata"]["name"]
    who = {
        "user": f"system:serviceaccount:{variant.namespace}:{account}",
        "groups": ["system:serviceaccounts", f"system:serviceaccounts:{variant.namespace}", "system:authenticated"],
    }
    asked = [("get", "secrets"), ("list", "pods"), ("get", "configmaps"), ("create", "pods")]
    assert {
        f"{verb} {resource}": allowed(cluster, variant.namespace, who, verb, resource) for verb, resource in asked
    } == {f"{verb} {resource}": False for verb, resource in asked}
