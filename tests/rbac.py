"""Kubernetes RBAC authorization as the API server evaluates it, for namespaced Roles and RoleBindings.

Follows `k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go` (VerbMatches, APIGroupMatches,
ResourceMatches, ResourceNameMatches) and the RBAC authorizer: a request is allowed when any binding
in its namespace names one of the user's groups and the bound Role has a rule matching it. Rules only
allow (there are no deny rules), so what no rule matches is refused.
"""

from dataclasses import dataclass
from typing import Any

RBAC_API_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class Request:
    verb: str
    resource: str
    """`pods`, or a subresource as `pods/log`."""
    name: str = ""
    api_group: str = ""
    namespace: str = "litellm"


def _verb_matches(rule: dict[str, Any], verb: str) -> bool:
    return any(item in ("*", verb) for item in rule.get("verbs", []))


def _api_group_matches(rule: dict[str, Any], group: str) -> bool:
    return any(item in ("*", group) for item in rule.get("apiGroups", []))


def _resource_matches(rule: dict[str, Any], resource: str) -> bool:
    base, _, subresource = resource.partition("/")
    for item in rule.get("resources", []):
        if item in ("*", resource):
            return True
        if subresource and item == f"*/{subresource}":
            return True
    return False


def _resource_name_matches(rule: dict[str, Any], name: str) -> bool:
    names = rule.get("resourceNames") or []
    return not names or name in names


def rule_allows(rule: dict[str, Any], request: Request) -> bool:
    return (
        _verb_matches(rule, request.verb)
        and _api_group_matches(rule, request.api_group)
        and _resource_matches(rule, request.resource)
        and _resource_name_matches(rule, request.name)
    )


def allowed(objects: list[dict[str, Any]], groups: set[str], request: Request) -> bool:
    """Whether a user in `groups` may make `request`, given these Roles and RoleBindings."""
    roles = {
        (role["metadata"]["namespace"], role["metadata"]["name"]): role for role in objects if role["kind"] == "Role"
    }
    for binding in objects:
        if binding["kind"] != "RoleBinding" or binding["metadata"]["namespace"] != request.namespace:
            continue
        subjects = binding.get("subjects") or []
        if not any(
            subject["kind"] == "Group" and subject.get("apiGroup") == RBAC_API_GROUP and subject["name"] in groups
            for subject in subjects
        ):
            continue
        ref = binding["roleRef"]
        role = roles.get((request.namespace, ref["name"])) if ref["kind"] == "Role" else None
        if role is not None and any(rule_allows(rule, request) for rule in role.get("rules") or []):
            return True
    return False
