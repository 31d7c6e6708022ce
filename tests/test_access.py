"""Pod identity and people's access: the program's own ServiceAccount without a token, referenced by the
chart; optional Roles whose rules are evaluated as the Kubernetes RBAC authorizer does."""

import pytest

from components.config import ConfigError
from tests.conftest import render_stack, run_stack
from tests.rbac import Request, allowed

SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
GROUPS = {"litellm:rbac": {"operatorGroups": ["sre"], "secretAdminGroups": ["secops"]}}
PROGRAM_SECRETS = ["litellm-master-key", "litellm-salt-key", "litellm-provider-keys", "postgres"]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_proxy_and_migration_pods_run_as_the_programs_service_account_without_a_token(stack):
    manifests = render_stack(stack)
    account = manifests.manifest("ServiceAccount", "litellm")
    assert account.source == "program"
    assert account.object["automountServiceAccountToken"] is False
    pods = [
        manifests.find("Deployment", "litellm")["spec"]["template"]["spec"],
        manifests.find("Job", "litellm-migrations")["spec"]["template"]["spec"],
    ]
    assert [pod["serviceAccountName"] for pod in pods] == ["litellm", "litellm"]
    assert all(pod.get("automountServiceAccountToken") is not True for pod in pods)


@pytest.mark.parametrize("stack, delivery", [("prod", APPLICATION), ("dev", RELEASE)])
def test_the_service_account_exists_before_the_delivery(stack, delivery):
    run = run_stack(stack)
    account = run.one(SERVICE_ACCOUNT)
    access = next(r for r in run.registrations if r.urn == account.parent)
    assert access.urn in run.one(delivery).dependencies or account.urn in run.one(delivery).dependencies


def test_no_roles_unless_groups_are_named():
    manifests = render_stack("prod")
    assert manifests.all("Role") == [] and manifests.all("RoleBinding") == []


@pytest.fixture(scope="module")
def rbac_objects():
    manifests = render_stack("prod", GROUPS)
    return manifests.all("Role") + manifests.all("RoleBinding")


@pytest.mark.parametrize(
    "request_",
    [
        Request("get", "pods"),
        Request("list", "pods"),
        Request("watch", "pods"),
        Request("get", "pods/log", name="litellm-abc"),
        Request("create", "pods/portforward", name="litellm-abc"),
        Request("list", "events"),
        Request("list", "events", api_group="events.k8s.io"),
        Request("get", "deployments", name="litellm", api_group="apps"),
        Request("get", "jobs", name="litellm-migrations", api_group="batch"),
    ],
    ids=str,
)
def test_operators_may_diagnose_and_reach_the_proxy(rbac_objects, request_):
    assert allowed(rbac_objects, {"sre"}, request_)


@pytest.mark.parametrize(
    "request_",
    [
        *(Request("get", "secrets", name=name) for name in PROGRAM_SECRETS),
        Request("list", "secrets"),
        Request("watch", "secrets"),
        Request("delete", "pods", name="litellm-abc"),
        Request("create", "pods/exec", name="litellm-abc"),
        Request("patch", "deployments", name="litellm", api_group="apps"),
        Request("get", "pods", namespace="kube-system"),
    ],
    ids=str,
)
def test_operators_never_read_secrets_or_change_anything(rbac_objects, request_):
    assert not allowed(rbac_objects, {"sre"}, request_)


@pytest.mark.parametrize("name", PROGRAM_SECRETS)
@pytest.mark.parametrize("verb", ["get", "update"])
def test_secret_admins_get_and_update_the_programs_secrets_by_name(rbac_objects, verb, name):
    assert allowed(rbac_objects, {"secops"}, Request(verb, "secrets", name=name))


@pytest.mark.parametrize(
    "request_",
    [
        Request("list", "secrets"),
        Request("watch", "secrets"),
        Request("create", "secrets"),
        Request("delete", "secrets", name="litellm-master-key"),
        Request("get", "secrets", name="argocd-secret"),
        Request("get", "secrets", name="default-token"),
        Request("get", "pods"),
    ],
    ids=str,
)
def test_secret_admins_touch_nothing_else(rbac_objects, request_):
    assert not allowed(rbac_objects, {"secops"}, request_)


def test_a_group_not_named_gets_nothing(rbac_objects):
    assert not allowed(rbac_objects, {"developers"}, Request("get", "pods"))
    assert not allowed(rbac_objects, {"developers"}, Request("get", "secrets", name="litellm-master-key"))


def test_secret_admins_cover_every_secret_the_program_writes_and_no_other():
    overrides = {**GROUPS, "litellm:splitProviderKeys": True, "litellm:redisPassword": "redis-FAKE-pa55word"}
    manifests = render_stack("prod", overrides)
    objects = manifests.all("Role") + manifests.all("RoleBinding")
    written = {secret["metadata"]["name"] for secret in manifests.all("Secret")}
    assert written >= {"litellm-provider-openai-api-key", "litellm-redis"}
    assert all(allowed(objects, {"secops"}, Request("get", "secrets", name=name)) for name in written)
    referenced_elsewhere = render_stack(
        "prod", {**GROUPS, "litellm:database": {"createSecret": False}, "litellm:databasePassword": None}
    )
    objects = referenced_elsewhere.all("Role") + referenced_elsewhere.all("RoleBinding")
    assert not allowed(objects, {"secops"}, Request("get", "secrets", name="postgres"))


def test_transaction_pooling_is_refused_naming_the_key():
    run = run_stack("prod", {"litellm:database": {"poolMode": "transaction"}})
    assert isinstance(run.error, ConfigError)
    assert "litellm:database.poolMode: transaction mode breaks LiteLLM" in str(run.error)
    assert run.registrations == []


@pytest.mark.parametrize("mode", ["session", "direct"])
def test_session_pooling_and_direct_connections_are_accepted(mode):
    assert run_stack("prod", {"litellm:database": {"poolMode": mode}}).error is None
