"""Who the pods are and who may touch them: the proxy's own ServiceAccount, and optional Roles for people.

The ServiceAccount exists before the delivery: the chart only references it by name, because a
chart-created one would not exist yet when the PreSync / pre-install migration hook runs.
"""

import pulumi
import pulumi_kubernetes as k8s

from components.layout import PROGRAM_LABELS, SERVICE_ACCOUNT
from components.settings import RBACSettings

OPERATOR_ROLE = "litellm-operator"
SECRET_ADMIN_ROLE = "litellm-secret-admin"
RBAC_API_GROUP = "rbac.authorization.k8s.io"
READ = ["get", "list", "watch"]


def operator_rules() -> list[k8s.rbac.v1.PolicyRuleArgs]:
    """Diagnose and reach the proxy: pods, logs, events, port-forward; no Secrets."""
    return [
        k8s.rbac.v1.PolicyRuleArgs(api_groups=[""], resources=["pods", "events", "services", "endpoints"], verbs=READ),
        k8s.rbac.v1.PolicyRuleArgs(api_groups=[""], resources=["pods/log"], verbs=["get"]),
        k8s.rbac.v1.PolicyRuleArgs(api_groups=[""], resources=["pods/portforward"], verbs=["create"]),
        k8s.rbac.v1.PolicyRuleArgs(api_groups=["events.k8s.io"], resources=["events"], verbs=READ),
        k8s.rbac.v1.PolicyRuleArgs(api_groups=["apps"], resources=["deployments", "replicasets"], verbs=READ),
        k8s.rbac.v1.PolicyRuleArgs(api_groups=["batch"], resources=["jobs"], verbs=READ),
    ]


def secret_admin_rules(secret_names: list[str]) -> list[k8s.rbac.v1.PolicyRuleArgs]:
    """Read and replace the values of the program's Secrets, by name: `list` and `watch` would reveal every
    Secret of the namespace (resourceNames cannot narrow them), `create` cannot be narrowed by name. An empty
    `resourceNames` means every name to the API server, so there must be names (the config check refuses
    `rbac.secretAdminGroups` otherwise)."""
    if not secret_names:
        raise ValueError("a secret-admin rule without Secret names would grant every Secret of the namespace")
    return [
        k8s.rbac.v1.PolicyRuleArgs(
            api_groups=[""], resources=["secrets"], resource_names=secret_names, verbs=["get", "update"]
        )
    ]


class LiteLLMAccess(pulumi.ComponentResource):
    service_account: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        rbac: RBACSettings,
        secret_names: list[str],
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`secret_names`: the Secrets the secret-admin Role may read and replace."""
        super().__init__("litellm:index:Access", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def metadata(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=namespace, labels=dict(PROGRAM_LABELS))

        # The proxy and the migration Job never call the Kubernetes API: no token in their pods.
        account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=metadata(SERVICE_ACCOUNT),
            automount_service_account_token=False,
            opts=child,
        )
        self.service_account = account.metadata.name

        roles = {
            OPERATOR_ROLE: (rbac.operator_groups, operator_rules),
            SECRET_ADMIN_ROLE: (rbac.secret_admin_groups, lambda: secret_admin_rules(secret_names)),
        }
        for role_name, (groups, rules) in roles.items():
            if not groups:
                continue
            role = k8s.rbac.v1.Role(f"{name}-{role_name}", metadata=metadata(role_name), rules=rules(), opts=child)
            k8s.rbac.v1.RoleBinding(
                f"{name}-{role_name}-binding",
                metadata=metadata(role_name),
                role_ref=k8s.rbac.v1.RoleRefArgs(api_group=RBAC_API_GROUP, kind="Role", name=role.metadata.name),
                subjects=[
                    k8s.rbac.v1.SubjectArgs(api_group=RBAC_API_GROUP, kind="Group", name=group)
                    for group in dict.fromkeys(groups)
                ],
                opts=child,
            )
        self.register_outputs({"serviceAccount": self.service_account})
