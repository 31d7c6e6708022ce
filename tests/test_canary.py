"""The canary: a second release of a newer LiteLLM beside the stable one, on the real render of prod."""

from typing import Any

import pytest
import yaml

from components.config import ConfigError
from components.litellm_release import SCHEMA_COMPATIBILITY
from tests.conftest import render_stack, run_stack
from tests.kube import SUPPORTED_KUBERNETES, is_custom_resource, strict_schema_errors
from tests.netpol import NetworkPolicies, Pod
from tests.test_entrance_schemas import CRD_SCHEMAS, validate_custom

CANARY = {"enabled": True, "tag": "main-v1.80.0-stable", "weight": 20}
ALERTS = {"alerts": True, "p95LatencySeconds": 8}
"""Alerts on, with a latency threshold ingress-nginx's default buckets (up to 10 s) can report."""
PAIR = "1.76.1 -> 1.80.0"
GATEWAY = {
    "enabled": True,
    "type": "gateway",
    "public": {"gateway": {"name": "public", "namespace": "envoy-gateway-system"}},
}
CANARY_POD = Pod("litellm", {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "litellm-canary"})
STRANGER = Pod("litellm", {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "other"})
POSTGRES = Pod("postgresql", {"cnpg.io/poolerName": "postgresql-cloudnative-pg-cluster-pooler-rw"}, ip="10.244.4.5")
REDIS = Pod("redis", {"app.kubernetes.io/name": "redis"}, ip="10.244.5.6")
INGRESS_NGINX = Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})


@pytest.fixture
def compatible(monkeypatch):
    """A pair the bump recorded compatible (the committed 1.76.1 -> 1.80.0 is not: see the next-to-last test)."""
    monkeypatch.setitem(SCHEMA_COMPATIBILITY, PAIR, {"compatible": True, "problems": []})


def _config(manifests, name: str) -> dict[str, Any]:
    return yaml.safe_load(manifests.find("ConfigMap", f"{name}-config")["data"]["config.yaml"])


def test_the_canary_is_a_second_release_of_the_new_image_on_the_same_secrets(compatible):
    manifests = render_stack("prod", {"litellm:canary": CANARY})
    stable, canary = manifests.find("Deployment", "litellm"), manifests.find("Deployment", "litellm-canary")
    assert stable["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":main-v1.76.1-stable")
    assert canary["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":main-v1.80.0-stable")
    assert canary["spec"]["replicas"] == 1
    assert canary["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "litellm-canary"
    # The canary's own migration Job runs the new release's migrations (and the gate) on the shared database.
    job = manifests.find("Job", "litellm-canary-migrations")["spec"]["template"]["spec"]
    assert {c["name"]: c["image"].rsplit(":", 1)[-1] for c in job["containers"]}["prisma-migrations"] == (
        "main-v1.80.0-stable"
    )

    def secret_refs(deployment: dict[str, Any]) -> list[Any]:
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return [e.get("valueFrom") for e in container["env"]] + container.get("envFrom", [])

    assert secret_refs(canary) == secret_refs(stable)


def test_the_canary_keeps_its_router_state_and_cache_apart(compatible):
    manifests = render_stack("prod", {"litellm:canary": CANARY})
    stable, canary = _config(manifests, "litellm"), _config(manifests, "litellm-canary")
    assert "cache_kwargs" not in stable["router_settings"]
    assert canary["router_settings"]["cache_kwargs"] == {"db": 1}
    assert {key: value for key, value in canary["router_settings"].items() if key != "cache_kwargs"} == stable[
        "router_settings"
    ]
    assert canary["litellm_settings"]["cache_params"]["namespace"] == "litellm_cache_canary"
    assert stable["litellm_settings"]["cache_params"]["namespace"] == "litellm_cache"


def test_ingress_nginx_sends_the_weight_to_the_canary_on_the_same_host_and_paths(compatible):
    manifests = render_stack("prod", {"litellm:canary": CANARY})
    stable, canary = manifests.find("Ingress", "litellm-public"), manifests.find("Ingress", "litellm-public-canary")
    canary_annotations = {k: v for k, v in canary["metadata"]["annotations"].items() if "/canary" in k}
    assert canary_annotations == {
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": "20",
    }
    # The request settings (timeouts, body size, streaming) hold for the canary's share as for the stable one's.
    shared = {k: v for k, v in stable["metadata"]["annotations"].items() if "/canary" not in k}
    assert shared and {k: canary["metadata"]["annotations"][k] for k in shared} == shared
    assert (
        "annotations" not in stable["metadata"]
        or "nginx.ingress.kubernetes.io/canary" not in stable["metadata"]["annotations"]
    )
    for ingress, service in ((stable, "litellm"), (canary, "litellm-canary")):
        (rule,) = ingress["spec"]["rules"]
        assert {p["backend"]["service"]["name"] for p in rule["http"]["paths"]} == {service}
    assert [(p["path"], p["pathType"]) for p in canary["spec"]["rules"][0]["http"]["paths"]] == [
        (p["path"], p["pathType"]) for p in stable["spec"]["rules"][0]["http"]["paths"]
    ]
    assert canary["spec"]["rules"][0]["host"] == stable["spec"]["rules"][0]["host"]


def test_gateway_api_weights_both_services_in_every_public_rule(compatible):
    manifests = render_stack("prod", {"litellm:canary": CANARY, "litellm:entrance": GATEWAY})
    route = manifests.find("HTTPRoute", "litellm-public")
    assert route["spec"]["rules"]
    for rule in route["spec"]["rules"]:
        assert [(b["name"], b["weight"]) for b in rule["backendRefs"]] == [("litellm", 80), ("litellm-canary", 20)]
    assert not any(o.kind == "Ingress" for o in manifests.objects)


def test_the_canary_pods_get_the_stable_pods_flows_and_no_one_else(compatible):
    run = run_stack("prod", {"litellm:canary": CANARY})
    assert run.error is None, run.error
    flows = NetworkPolicies.from_registrations(run.registrations)
    assert flows.egress_allowed(CANARY_POD, POSTGRES, 5432) and flows.egress_allowed(CANARY_POD, REDIS, 6379)
    assert flows.ingress_allowed(INGRESS_NGINX, CANARY_POD, 4000)
    assert not flows.egress_allowed(STRANGER, POSTGRES, 5432)


def test_the_alert_compares_the_canary_s_5xx_share_with_the_stable_one(compatible):
    manifests = render_stack("prod", {"litellm:canary": CANARY, "litellm:monitoring": ALERTS})
    (group,) = manifests.find("PrometheusRule", "litellm-canary")["spec"]["groups"]
    (alert,) = group["rules"]
    assert alert["alert"] == "LiteLLMCanaryErrors" and alert["for"] == "10m"
    assert 'ingress="litellm-public-canary", status=~"5.."' in alert["expr"]
    assert 'ingress="litellm-public"' in alert["expr"] and alert["expr"].endswith(" + 0.02")


def test_canary_keys_left_behind_after_a_rollback_are_named():
    run = run_stack("prod", {"litellm:canary": {"enabled": False, "tag": "main-v1.80.0-stable", "weight": 0}})
    assert run.error is None
    assert any(
        "litellm:canary.tag, litellm:canary.weight are set but not used while canary.enabled" in w for w in run.warnings
    )


def test_without_the_canary_nothing_changes():
    manifests = render_stack("prod")
    assert not any("canary" in o.name for o in manifests.objects)
    assert [o.name for o in manifests.objects if o.kind == "Deployment"] == ["litellm"]


@pytest.mark.parametrize(
    ("canary", "overrides", "expected"),
    [
        ({"enabled": True}, {}, "litellm:canary.tag: is required when canary.enabled is true"),
        ({"enabled": True, "tag": "main-latest"}, {}, "litellm:canary.tag: 'main-latest' names no release"),
        ({**CANARY, "tag": "main-v1.76.1-stable"}, {}, "litellm:canary.tag: 'main-v1.76.1-stable' is the stable"),
        ({**CANARY, "tag": "main-v1.81.0-stable"}, {}, "litellm:canary.tag: no schema check for 1.76.1 -> 1.81.0"),
        (CANARY, {"litellm:entrance": {"enabled": False}}, "litellm:canary.weight: needs litellm:entrance.enabled"),
        (
            CANARY,
            {"litellm:image": {"tag": "main-stable", "allowMovingTag": True}},
            "litellm:canary.enabled: needs a pinned litellm:image.tag",
        ),
        ({**CANARY, "weight": 101}, {}, "litellm:canary.weight:"),
    ],
)
def test_a_canary_that_cannot_be_compared_or_reached_is_refused(compatible, canary, overrides, expected):
    run = run_stack("prod", {"litellm:canary": canary, **overrides})
    assert isinstance(run.error, ConfigError), run.error
    assert expected in str(run.error)
    assert run.registrations == []


def test_the_committed_record_refuses_a_1_80_0_canary_beside_1_76_1():
    """Found by scripts/bump-litellm.sh on a real PostgreSQL: 1.80.0's migration
    20250918083359_drop_spec_version_column_from_mcp_table drops a column 1.76.1's Prisma client selects
    (schema.prisma:174 `spec_version`; proxy/_experimental/mcp_server/db.py:58 `find_many()`)."""
    run = run_stack("prod", {"litellm:canary": CANARY})
    assert isinstance(run.error, ConfigError)
    assert "LiteLLM_MCPServerTable.spec_version" in str(run.error) and run.registrations == []


def test_a_canary_whose_migrations_break_the_stable_schema_is_refused(monkeypatch):
    problem = "changed or gone: `column LiteLLM_VerificationToken.key text not null`"
    monkeypatch.setitem(SCHEMA_COMPATIBILITY, PAIR, {"compatible": False, "problems": [problem]})
    run = run_stack("prod", {"litellm:canary": CANARY})
    assert isinstance(run.error, ConfigError)
    assert "the stable release's schema does not survive 1.80.0's migrations" in str(run.error)
    assert "LiteLLM_VerificationToken.key" in str(run.error) and run.registrations == []


@pytest.mark.parametrize("entrance", [None, GATEWAY], ids=["ingress", "gateway"])
def test_every_object_of_a_canary_render_passes_its_schema(compatible, entrance):
    overrides: dict[str, Any] = {"litellm:canary": CANARY, "litellm:monitoring": ALERTS}
    if entrance:
        overrides["litellm:entrance"] = entrance
    manifests = render_stack("prod", overrides)
    errors = []
    for manifest in manifests.objects:
        obj = manifest.object
        if is_custom_resource(obj):
            if (obj["apiVersion"], obj["kind"]) in CRD_SCHEMAS:
                validate_custom(obj)
            continue
        errors += [
            f"{obj['kind']}/{manifest.name}: {e}" for v in SUPPORTED_KUBERNETES for e in strict_schema_errors(obj, v)
        ]
    assert errors == []
