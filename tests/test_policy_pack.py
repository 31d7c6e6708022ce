"""The CrossGuard policy pack in policy/, each policy on a real render and on a broken copy of it.

Policies receive props as pulumi_policy passes them (read-only Mapping/Sequence proxies), built from
`offline.render` of the prod (ArgoCD) and dev (Helm) stacks.
"""

import copy
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy
from pydantic import ValidationError

from components import versions
from components.risks import risk_warnings
from components.settings import ChartSettings, ImageSettings
from offline.render import APPLICATION, RELEASE, Rendering, render
from tests.conftest import STACKS, settings_for

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"


@pytest.fixture(scope="module")
def pack() -> SimpleNamespace:
    """The pack's module namespace, loaded without starting the policy server."""
    return SimpleNamespace(**runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="litellm_policy_pack"))


@pytest.fixture(scope="module")
def renderings() -> dict[str, Rendering]:
    return {stack: render(stack) for stack in STACKS}


@pytest.fixture(scope="module")
def prod(renderings) -> Rendering:
    return renderings["prod"]


@pytest.fixture(scope="module")
def dev(renderings) -> Rendering:
    return renderings["dev"]


def document(rendering: Rendering, resource_type: str) -> dict[str, Any]:
    """A private copy of the one rendered resource of this type, free to mutate."""
    (found,) = [resource.document for resource in rendering.resources if resource.type == resource_type]
    return copy.deepcopy(found)


def props(document: dict[str, Any]):
    return unknown_checking_proxy(document)


def values(application: dict[str, Any]) -> dict[str, Any]:
    return application["spec"]["source"]["helm"]["valuesObject"]


def stack_resources(rendering: Rendering) -> list[tuple[str, Any]]:
    return [(resource.type, props(copy.deepcopy(resource.document))) for resource in rendering.resources]


# The pack ------------------------------------------------------------------------------------------


def cli_policies(monkeypatch) -> list:
    """The policies of the pack as `pulumi preview --policy-pack policy` starts it."""
    started: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda name, policies: started.update(policies=policies))
    runpy.run_path(str(POLICY_DIR), run_name="__main__")
    return started["policies"]


def reported_levels(policies: list, resources: list[tuple[str, dict[str, Any]]], stack: str) -> set[EnforcementLevel]:
    """The enforcement levels of the policies that report a violation on these resources of `stack`."""
    levels: set[EnforcementLevel] = set()
    proxied = [(resource_type, props(copy.deepcopy(document))) for resource_type, document in resources]
    for policy in policies:

        def report(message, urn=None, level=policy.enforcement_level):
            levels.add(level)

        if isinstance(policy, StackValidationPolicy):
            # The policies read type and props only; the options (None here) are never looked at.
            stack_args = [
                PolicyResource(t, p, "urn", "name", None, None, None, [], {})  # type: ignore[arg-type]
                for t, p in proxied
            ]
            policy.validate(StackValidationArgs(stack_args), report)
            continue
        for resource_type, resource_props in proxied:
            urn = f"urn:pulumi:{stack}::litellm::{resource_type}::resource"
            args = ResourceValidationArgs(resource_type, resource_props, urn, "resource", None, None)  # type: ignore[arg-type]
            policy.validate(args, report)
    return levels


def _application(resources):
    (found,) = [document for resource_type, document in resources if resource_type == APPLICATION]
    return found


def _without_default_deny(resources):
    resources[:] = [r for r in resources if r[1].get("metadata", {}).get("name") != "default-deny-all"]


# The review gates the pack must hold, each as a breakage of a clean prod render, and the level the
# requirement gives it: mandatory ones stop `pulumi preview` and `up`, advisory ones only report.
REQUIRED_GATES = {
    "chart ref not an exact tag": (
        lambda r: _application(r)["spec"]["source"].update(targetRevision="main"),
        EnforcementLevel.MANDATORY,
    ),
    "secret-looking literal in the values": (
        lambda r: values(_application(r))["envVars"].update(OPENAI_API_KEY="sk-live-Q2w3E4r5T6y7U8i9o0"),
        EnforcementLevel.MANDATORY,
    ),
    "no container limits": (lambda r: values(_application(r))["resources"].pop("limits"), EnforcementLevel.MANDATORY),
    "no default-deny NetworkPolicy": (_without_default_deny, EnforcementLevel.MANDATORY),
    "moving image tag": (lambda r: values(_application(r))["image"].update(tag="latest"), EnforcementLevel.ADVISORY),
    "one replica in production": (lambda r: values(_application(r)).update(replicaCount=1), EnforcementLevel.ADVISORY),
}


def clean_prod(prod: Rendering) -> list[tuple[str, dict[str, Any]]]:
    """The prod render, its image tag pinned as committed: no gate reports."""
    resources = [(resource.type, copy.deepcopy(resource.document)) for resource in prod.resources]
    values(_application(resources))["image"]["tag"] = versions.IMAGE_TAG
    return resources


def test_the_pack_started_as_the_cli_does_reports_nothing_on_a_clean_render(monkeypatch, prod):
    assert reported_levels(cli_policies(monkeypatch), clean_prod(prod), "prod") == set()


@pytest.mark.parametrize("gate", REQUIRED_GATES)
def test_the_pack_started_as_the_cli_does_holds_each_gate_at_its_required_level(monkeypatch, prod, gate):
    breakage, level = REQUIRED_GATES[gate]
    resources = clean_prod(prod)
    breakage(resources)
    assert reported_levels(cli_policies(monkeypatch), resources, "prod") == {level}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_the_mandatory_policies(pack, renderings, stack):
    resources = stack_resources(renderings[stack])
    violations = pack.default_deny_violations(resources)
    for resource_type, resource_props in resources:
        for check in (pack.chart_ref_violations, pack.secret_literal_violations, pack.resource_limits_violations):
            violations += check(resource_type, resource_props)
    assert violations == []


# chart-ref-exact-tag --------------------------------------------------------------------------------


def test_chart_ref_accepts_the_application_pinned_to_the_tag(pack, prod):
    assert pack.chart_ref_violations(APPLICATION, props(document(prod, APPLICATION))) == []


def test_chart_ref_rejects_an_application_tracking_a_branch(pack, prod):
    application = document(prod, APPLICATION)
    application["spec"]["source"]["targetRevision"] = "main"
    (violation,) = pack.chart_ref_violations(APPLICATION, props(application))
    assert "spec.source.targetRevision: 'main' is not an exact chart tag" in violation


def test_chart_ref_accepts_the_release_of_the_chart_folder_named_after_its_tag(pack, dev):
    assert pack.chart_ref_violations(RELEASE, props(document(dev, RELEASE))) == []


def test_chart_ref_rejects_a_release_of_a_chart_folder_named_after_a_branch(pack, dev):
    release = document(dev, RELEASE)
    release["chart"] = "vendor/charts/litellm-helm/HEAD"
    assert pack.chart_ref_violations(RELEASE, props(release))


@pytest.mark.parametrize(
    "ref",
    [
        "v1.76.1-stable",
        "1.76.1",
        "v1.2.3+build.7",
        "0123456789abcdef0123456789abcdef01234567",
        "main",
        "HEAD",
        "latest",
        "v1.76",
        "stable",
        "0123456789abcdef",
    ],
)
def test_chart_ref_policy_accepts_exactly_the_refs_the_program_accepts(pack, prod, ref):
    try:
        ChartSettings(ref=ref)
        program_accepts = True
    except ValidationError:
        program_accepts = False
    application = document(prod, APPLICATION)
    application["spec"]["source"]["targetRevision"] = ref
    assert (pack.chart_ref_violations(APPLICATION, props(application)) == []) == program_accepts


# no-secret-literals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("resource_type", [APPLICATION, RELEASE])
def test_secret_literals_pass_the_rendered_deliveries_with_their_references(pack, prod, dev, resource_type):
    rendering = prod if resource_type == APPLICATION else dev
    assert pack.secret_literal_violations(resource_type, props(document(rendering, resource_type))) == []


def test_secret_literals_accept_environment_and_kubernetes_references(pack, prod):
    application = document(prod, APPLICATION)
    values(application)["proxy_config"]["router_settings"]["redis_password"] = "os.environ/REDIS_PASSWORD"
    values(application)["envVars"]["REDIS_PASSWORD_COPY"] = "$(REDIS_PASSWORD)"
    assert pack.secret_literal_violations(APPLICATION, props(application)) == []


@pytest.mark.parametrize(
    ("where", "literal", "kind"),
    [
        (("proxy_config", "model_list", 0, "litellm_params", "api_key"), "sk-proj-Q2w3E4r5T6y7U8i9", "sk-"),
        (("db", "url"), "postgresql://litellm:hunter2@db.example.com:5432/app", "a password in a URL"),
        (("envVars", "EXTRA_ARGS"), "--password=hunter2", "a password=... assignment"),
        (("proxy_config", "general_settings", "master_key"), "correct-horse-battery", "secret-named key"),
        (("envVars", "WEBHOOK"), "q8Zr2LmX7vTb4NpK9sWd3HyJ6cFg5QaE1uRi", "high-entropy"),
    ],
)
def test_secret_literals_reject_a_secret_value_without_repeating_it(pack, prod, where, literal, kind):
    application = document(prod, APPLICATION)
    *parents, key = where
    target = values(application)
    for part in parents:
        target = target[part]
    target[key] = literal
    (violation,) = pack.secret_literal_violations(APPLICATION, props(application))
    assert kind in violation and literal not in violation


def test_secret_literals_check_the_helm_release_values(pack, dev):
    release = document(dev, RELEASE)
    release["values"]["envVars"]["OPENAI_API_KEY"] = "sk-live-Q2w3E4r5T6y7U8i9o0"
    (violation,) = pack.secret_literal_violations(RELEASE, props(release))
    assert violation.startswith("values.envVars.OPENAI_API_KEY holds")


# container-resource-limits --------------------------------------------------------------------------


def test_resource_limits_pass_the_rendered_application(pack, prod):
    assert pack.resource_limits_violations(APPLICATION, props(document(prod, APPLICATION))) == []


def test_resource_limits_reject_values_without_a_memory_limit(pack, prod):
    application = document(prod, APPLICATION)
    del values(application)["resources"]["limits"]["memory"]
    (violation,) = pack.resource_limits_violations(APPLICATION, props(application))
    assert "resources.limits.memory is not set" in violation


def test_resource_limits_reject_a_release_without_values(pack, dev):
    release = document(dev, RELEASE)
    del release["values"]
    assert len(pack.resource_limits_violations(RELEASE, props(release))) == 2


# default-deny-network-policy (stack) ----------------------------------------------------------------


def test_default_deny_passes_the_rendered_stack(pack, prod):
    assert pack.default_deny_violations(stack_resources(prod)) == []


def test_default_deny_rejects_a_stack_whose_namespace_has_only_allow_policies(pack, prod):
    resources = [
        (resource_type, resource_props)
        for resource_type, resource_props in stack_resources(prod)
        if resource_props.get("metadata", {}).get("name") != "default-deny-all"
    ]
    (violation,) = pack.default_deny_violations(resources)
    assert "namespace 'litellm' has no default-deny NetworkPolicy" in violation


def test_default_deny_policy_reports_through_pulumi_policy(pack, prod):
    resources = [
        PolicyResource(resource_type, resource_props, "urn", "name", None, None, None, [], {})
        for resource_type, resource_props in stack_resources(prod)
        if resource_type != "kubernetes:networking.k8s.io/v1:NetworkPolicy"
    ]
    (policy,) = [p for p in pack.POLICIES if p.name == "default-deny-network-policy"]
    reported = []
    policy.validate(StackValidationArgs(resources), lambda message, urn=None: reported.append(message))
    assert len(reported) == 1


# pinned-image-tag (advisory) ------------------------------------------------------------------------


def test_pinned_image_tag_flags_the_seed_s_moving_tag(pack, prod):
    application = document(prod, APPLICATION)
    values(application)["image"]["tag"] = "main-stable"
    (violation,) = pack.moving_image_tag_violations(APPLICATION, props(application))
    assert "'main-stable' is a moving tag" in violation


def test_pinned_image_tag_accepts_a_versioned_tag(pack, prod):
    application = document(prod, APPLICATION)
    values(application)["image"]["tag"] = versions.IMAGE_TAG
    assert pack.moving_image_tag_violations(APPLICATION, props(application)) == []


@pytest.mark.parametrize(
    "tag",
    ["main-stable", "latest", "main-v1.76.1-stable", "v1.76.1", "1.76.1-nightly", "v1.76", "main@sha256:" + "c" * 64],
)
def test_pinned_image_tag_policy_agrees_with_the_programs_warning(pack, prod, tag):
    application = document(prod, APPLICATION)
    values(application)["image"]["tag"] = tag
    flagged = bool(pack.moving_image_tag_violations(APPLICATION, props(application)))
    assert flagged == ImageSettings(tag=tag).is_moving_tag


# production-replicas (advisory) ---------------------------------------------------------------------


def test_production_replicas_accept_three_replicas_on_prod(pack, prod):
    assert pack.production_replicas_violations(APPLICATION, props(document(prod, APPLICATION)), "prod") == []


def test_production_replicas_flag_one_replica_on_prod(pack, prod):
    application = document(prod, APPLICATION)
    values(application)["replicaCount"] = 1
    (violation,) = pack.production_replicas_violations(APPLICATION, props(application), "prod")
    assert "runs 1 proxy replica" in violation


def test_production_replicas_count_the_autoscaling_floor(pack, prod):
    application = document(prod, APPLICATION)
    values(application)["autoscaling"] = {"enabled": True, "minReplicas": 1, "maxReplicas": 5}
    assert pack.production_replicas_violations(APPLICATION, props(application), "prod")


@pytest.mark.parametrize("stack", ["prod", "production", "eu-prod", "prd", "staging", "dev", "product", "preprod"])
def test_production_replicas_policy_agrees_with_the_programs_warning_on_stack_names(pack, dev, stack):
    flagged = bool(pack.production_replicas_violations(RELEASE, props(document(dev, RELEASE)), stack))
    warned = any("looks like production" in warning for warning in risk_warnings(settings_for(replicas=1), stack))
    assert flagged == warned


def test_production_replicas_policy_reads_the_stack_from_the_urn(pack, dev):
    (policy,) = [p for p in pack.POLICIES if p.name == "production-replicas"]
    reported = []
    for stack in ("prod", "dev"):
        urn = f"urn:pulumi:{stack}::litellm::litellm:index:HelmRelease$kubernetes:helm.sh/v3:Release::litellm-release"
        args = ResourceValidationArgs(RELEASE, props(document(dev, RELEASE)), urn, "litellm-release", None, None)
        policy.validate(args, lambda message, urn=None, stack=stack: reported.append(stack))
    assert reported == ["prod"]
