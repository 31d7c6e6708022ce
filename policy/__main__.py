"""Review gates for the LiteLLM deployment, as a Pulumi CrossGuard policy pack.

    pulumi preview --stack prod --policy-pack policy

Each policy is a pure function of a resource's type and inputs (and the stack name) that returns
violation messages; the Pulumi wiring is at the end. The pack runs in its own virtualenv and cannot
import the program, so the rules it shares with components/settings/ and components/risks.py
are restated here; tests/test_policy_pack.py checks that both sides agree.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
RELEASE = "kubernetes:helm.sh/v3:Release"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

# components/settings/common.py: an exact chart ref is a release tag or a full commit SHA; an image tag is
# versioned when it carries x.y.z. components/risks.py: what a production stack name looks like.
EXACT_REF = re.compile(r"^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$|^[0-9a-f]{40}$")
VERSIONED_TAG = re.compile(r"\d+\.\d+\.\d+")
PRODUCTION_STACK = re.compile(r"(^|[-_.])(prod|production|prd)($|[-_.])")

# A value the proxy resolves from its environment, or a `$(VAR)` Kubernetes expands from one.
REFERENCE = re.compile(r"^(os\.environ/[A-Za-z_][A-Za-z0-9_]*|(\$\([A-Za-z_][A-Za-z0-9_]*\))+)$")
SECRET_TEXT = [
    (re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}"), "an API key (sk-...)"),
    (
        re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key)\s*[=:]\s*(?!\$\(|os\.environ/)[^\s&;,]+"),
        "a password=... assignment",
    ),
    (re.compile(r"://[^/\s:@]+:(?!\$\()[^@\s/]+@"), "a password in a URL"),
]
SECRET_KEY = re.compile(r"(^|_)(password|passwd|secret|token|api_?key|master_?key|salt_?key|access_?key|private_?key)$")
# 32 random letters and digits carry about 4.3 bits per character; host names, identifiers and
# version strings carry less, or lack a character class.
HIGH_ENTROPY_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{32,}")
MIN_ENTROPY_BITS = 4.0
# Model ids (`huggingface/mistralai/Mistral-7B-Instruct-v0.3`) mix cases and digits like a random
# token, and LiteLLM sends them to the provider as names: the entropy test skips them (the sk- and
# password patterns still apply).
MODEL_ID_KEYS = frozenset({"model", "model_name"})


def chart_values(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Helm values of an ArgoCD Application or Helm release; None for any other resource."""
    if resource_type == APPLICATION:
        return _at(props, "spec", "source", "helm", "valuesObject") or {}
    if resource_type == RELEASE:
        return props.get("values") or {}
    return None


def chart_ref_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """The chart is pinned to an exact tag: Application targetRevision, Release version or chart folder."""
    if resource_type == APPLICATION:
        where, ref = "spec.source.targetRevision", _at(props, "spec", "source", "targetRevision")
    elif resource_type == RELEASE and props.get("version"):
        where, ref = "version", props["version"]
    elif resource_type == RELEASE:
        chart = str(props.get("chart", ""))
        where, ref = f"chart {chart!r}", chart.rstrip("/").rsplit("/", 1)[-1]
    else:
        return []
    if isinstance(ref, str) and EXACT_REF.match(ref):
        return []
    message = (
        f"{where}: {ref!r} is not an exact chart tag; pin a release tag such as v1.76.1-stable or a 40-character"
        " commit (a local chart folder is named after its ref, as scripts/fetch-chart.sh does)"
    )
    return [message]


def secret_literal_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """No secret value in Helm values or the Application spec: they are readable by anyone who can read the stack."""
    if resource_type == APPLICATION:
        root, tree = "spec", props.get("spec") or {}
    elif resource_type == RELEASE:
        root, tree = "values", props.get("values") or {}
    else:
        return []
    violations = []
    for path, key, text in _strings(tree, root):
        if REFERENCE.match(text):
            continue
        kind = _secret_kind(key, text)
        if kind:
            violations.append(
                f"{path} holds {kind}: keep the value in a Kubernetes Secret and reference it"
                " (os.environ/NAME in proxy_config, environmentSecrets, $(VAR))"
            )
    return violations


def resource_limits_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """The proxy container has CPU and memory limits (values.resources.limits)."""
    values = chart_values(resource_type, props)
    if values is None:
        return []
    limits = _at(values, "resources", "limits") or {}
    return [
        f"chart values resources.limits.{name} is not set: one pod could starve its node; set litellm:resources.limits"
        for name in ("cpu", "memory")
        if not limits.get(name)
    ]


def moving_image_tag_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """The image tag names a version (x.y.z) or a digest, so every pod runs the same LiteLLM."""
    values = chart_values(resource_type, props)
    if values is None:
        return []
    tag = _at(values, "image", "tag")
    if not tag:
        return ["chart values image.tag is not set: the git chart falls back to its appVersion v1.50.2"]
    if "@sha256:" in str(tag) or VERSIONED_TAG.search(str(tag)):
        return []
    message = (
        f"chart values image.tag {tag!r} is a moving tag: pods started at different times can run different"
        " LiteLLM versions; pin one such as main-v1.76.1-stable"
    )
    return [message]


def production_replicas_violations(resource_type: str, props: Mapping[str, Any], stack: str) -> list[str]:
    """A production stack runs at least 2 proxy replicas, so a node drain or a rollout is no outage."""
    values = chart_values(resource_type, props)
    if values is None or not PRODUCTION_STACK.search(stack):
        return []
    autoscaling = values.get("autoscaling") or {}
    # The chart's defaults: replicaCount 1, autoscaling.minReplicas 1.
    replicas = autoscaling.get("minReplicas", 1) if autoscaling.get("enabled") else values.get("replicaCount", 1)
    if replicas >= 2:
        return []
    return [f"stack {stack!r} is production but runs {replicas:g} proxy replica; set litellm:replicas to 2 or more"]


def default_deny_violations(resources: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The namespace LiteLLM is delivered to has a default-deny NetworkPolicy for ingress and egress."""
    resources = list(resources)
    namespaces = {
        namespace for resource_type, props in resources if (namespace := _delivery_namespace(resource_type, props))
    }
    denied = {
        _at(props, "metadata", "namespace")
        for resource_type, props in resources
        if resource_type == NETWORK_POLICY and _denies_all(props.get("spec") or {})
    }
    return [
        f"namespace {namespace!r} has no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and"
        " Egress, no rules); set litellm:networkPolicy.enabled to true"
        for namespace in sorted(namespaces - denied)
    ]


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def _delivery_namespace(resource_type: str, props: Mapping[str, Any]) -> str | None:
    if resource_type == APPLICATION:
        return _at(props, "spec", "destination", "namespace")
    if resource_type == RELEASE:
        return props.get("namespace")
    return None


def _denies_all(spec: Mapping[str, Any]) -> bool:
    selector = spec.get("podSelector") or {}
    return (
        not selector.get("matchLabels")
        and not selector.get("matchExpressions")
        and {"Ingress", "Egress"} <= set(spec.get("policyTypes") or [])
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def _secret_kind(key: str, text: str) -> str | None:
    for pattern, kind in SECRET_TEXT:
        if pattern.search(text):
            return kind
    if text and SECRET_KEY.search(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower().replace("-", "_")):
        return f"a literal value for the secret-named key {key!r}"
    if key not in MODEL_ID_KEYS and any(_looks_random(token) for token in HIGH_ENTROPY_TOKEN.findall(text)):
        return "a long high-entropy string"
    return None


def _looks_random(token: str) -> bool:
    has_classes = (
        any(c.islower() for c in token) and any(c.isupper() for c in token) and any(c.isdigit() for c in token)
    )
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return has_classes and entropy >= MIN_ENTROPY_BITS


def _strings(value: Any, path: str, key: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, key, text) of every string below `value`; props are Mapping/Sequence proxies, not dicts/lists."""
    if isinstance(value, str):
        yield path, key, value
    elif isinstance(value, Mapping):
        for child in value:
            yield from _strings(value[child], f"{path}.{child}", str(child))
    elif isinstance(value, Sequence):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]", key)


def _at(tree: Mapping[str, Any], *keys: str) -> Any:
    node: Any = tree
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _resource_policy(
    name: str, description: str, level: EnforcementLevel, check: Callable[[ResourceValidationArgs], list[str]]
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in check(args):
            report_violation(message, None)

    return ResourceValidationPolicy(name=name, description=description, enforcement_level=level, validate=validate)


def _validate_default_deny(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for message in default_deny_violations((resource.resource_type, resource.props) for resource in args.resources):
        report_violation(message, None)


POLICIES = [
    _resource_policy(
        "chart-ref-exact-tag",
        "The litellm-helm chart is pinned to an exact tag or commit, never a branch or HEAD.",
        EnforcementLevel.MANDATORY,
        lambda args: chart_ref_violations(args.resource_type, args.props),
    ),
    _resource_policy(
        "no-secret-literals",
        "Helm values and the ArgoCD Application spec hold no secret value, only references to Secrets.",
        EnforcementLevel.MANDATORY,
        lambda args: secret_literal_violations(args.resource_type, args.props),
    ),
    _resource_policy(
        "container-resource-limits",
        "The LiteLLM container has CPU and memory limits.",
        EnforcementLevel.MANDATORY,
        lambda args: resource_limits_violations(args.resource_type, args.props),
    ),
    StackValidationPolicy(
        name="default-deny-network-policy",
        description="The LiteLLM namespace has a default-deny NetworkPolicy.",
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=_validate_default_deny,
    ),
    _resource_policy(
        "pinned-image-tag",
        "The LiteLLM image tag names a version (x.y.z) rather than a moving tag.",
        EnforcementLevel.ADVISORY,
        lambda args: moving_image_tag_violations(args.resource_type, args.props),
    ),
    _resource_policy(
        "production-replicas",
        "A production stack runs at least 2 LiteLLM replicas.",
        EnforcementLevel.ADVISORY,
        lambda args: production_replicas_violations(args.resource_type, args.props, stack_of(args.urn)),
    ),
]

if __name__ == "__main__":
    PolicyPack(name="litellm-review-gates", policies=POLICIES)
