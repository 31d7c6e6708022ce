"""The entrance and signal objects and the ArgoCD Application, rendered with the real chart, pass their
API's own schema.

Built-in kinds (Ingress, ConfigMap, NetworkPolicy) go through kubernetes-validate in strict mode.
HTTPRoute, Certificate, PrometheusRule and Application go through the openAPIV3Schema of their CRDs, committed in
tests/crds/ with source and version, plus what an API server adds: it prunes fields its schema does
not know (so an unknown field is an error here) and checks the CEL rules listed below.
"""

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from offline.manifests import Manifests, render_manifests
from tests.kube import SUPPORTED_KUBERNETES, strict_schema_errors
from tests.test_entrance import GATEWAY_WITH_INTERNAL, INGRESS_WITH_INTERNAL

CRDS = Path(__file__).parent / "crds"
CRD_SCHEMAS = {
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "gateway.networking.k8s.io_httproutes.v1.yaml",
    ("cert-manager.io/v1", "Certificate"): "cert-manager.io_certificates.v1.yaml",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com_prometheusrules.v1.yaml",
    ("argoproj.io/v1alpha1", "Application"): "argoproj.io_applications.v1alpha1.yaml",
}
BUILT_IN = {"Ingress", "ConfigMap", "NetworkPolicy"}
MONITORED = {"alerts": True, "dashboard": True}
VARIANTS: dict[str, dict[str, Any]] = {
    "prod": {},
    "prod-internal-ingress": {"litellm:entrance": INGRESS_WITH_INTERNAL},
    "prod-gateway": {
        "litellm:monitoring": MONITORED,
        "litellm:entrance": {
            **GATEWAY_WITH_INTERNAL,
            "public": {
                **GATEWAY_WITH_INTERNAL["public"],
                "tls": {"secretName": "litellm-tls", "certManager": {"issuer": "letsencrypt-prod"}},
            },
        },
    },
}


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    return yaml.safe_load((CRDS / CRD_SCHEMAS[(api_version, kind)]).read_text(encoding="utf-8"))


def unknown_fields(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields the API server would prune: keys of an object whose schema lists its properties."""
    found = []
    if isinstance(value, dict) and "properties" in schema and "additionalProperties" not in schema:
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key not in schema["properties"]:
                found.append(where)
            else:
                found += unknown_fields(item, schema["properties"][key], where)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += unknown_fields(item, schema["items"], f"{path}[{index}]")
    return found


def validate_custom(obj: dict[str, Any]) -> None:
    schema = crd_schema(obj["apiVersion"], obj["kind"])
    jsonschema.Draft7Validator(schema).validate(obj)
    assert unknown_fields(obj, schema) == [], f"fields the API server would drop: {unknown_fields(obj, schema)}"
    if obj["kind"] == "HTTPRoute":
        http_route_cel_rules(obj)


def http_route_cel_rules(route: dict[str, Any]) -> None:
    """The CEL rules of the HTTPRoute v1 CRD (v1.4.0) that apply to what the program writes."""
    rules = route["spec"]["rules"]
    assert sum(len(rule.get("matches", [])) for rule in rules) <= 128, "more than 128 matches in a route"
    for rule in rules:
        for match in rule.get("matches", []):
            path = match["path"]
            if path["type"] in ("Exact", "PathPrefix"):
                value = path["value"]
                assert value.startswith("/"), value
                assert not any(bad in value for bad in ("//", "/./", "/../", "%2f", "%2F", "#")), value
                assert not value.endswith(("/..", "/.")), value
        for backend in rule.get("backendRefs", []):
            if backend.get("group", "") == "" and backend.get("kind", "Service") == "Service":
                assert "port" in backend, "a Service backend needs a port"
    parents = [(p.get("namespace"), p["name"]) for p in route["spec"]["parentRefs"]]
    assert len(parents) == len(set(parents)) or all("sectionName" in p for p in route["spec"]["parentRefs"])


@pytest.fixture(scope="module", params=VARIANTS)
def rendered(request) -> Manifests:
    return render_manifests("prod", VARIANTS[request.param])


def _ours(manifests: Manifests) -> list[dict[str, Any]]:
    return [m.object for m in manifests.objects if m.source == "program"]


def test_custom_resources_pass_their_crd_schemas(rendered):
    custom = [obj for obj in _ours(rendered) if (obj["apiVersion"], obj["kind"]) in CRD_SCHEMAS]
    assert custom
    for obj in custom:
        validate_custom(obj)


def test_built_in_entrance_and_signal_objects_pass_strict_validation(rendered):
    objects = [obj for obj in _ours(rendered) if obj["kind"] in BUILT_IN]
    assert objects
    errors = [
        f"{obj['kind']}/{obj['metadata']['name']} @ {version}: {error}"
        for obj in objects
        for version in SUPPORTED_KUBERNETES
        for error in strict_schema_errors(obj, version)
    ]
    assert errors == []


def test_every_variant_renders_the_kinds_it_configures():
    kinds = {
        name: {obj["kind"] for obj in _ours(render_manifests("prod", overrides))}
        for name, overrides in VARIANTS.items()
    }
    assert {"Ingress", "Certificate", "PrometheusRule", "ConfigMap"} <= kinds["prod"]
    assert {"HTTPRoute", "Certificate", "PrometheusRule", "ConfigMap"} <= kinds["prod-gateway"]
    assert "Ingress" not in kinds["prod-gateway"]


def test_the_chart_renders_no_ingress_of_its_own():
    """The entrance is the program's; the chart's `ingress` values stay off."""
    manifests = render_manifests("prod")
    assert [m for m in manifests.objects if m.kind == "Ingress" and m.source != "program"] == []


# The checks bite: each broken object is refused.


@pytest.fixture(scope="module")
def gateway_variant() -> Manifests:
    return render_manifests("prod", VARIANTS["prod-gateway"])


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(
            lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(type="Prefix"), id="ingress-path-type"
        ),
        pytest.param(lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(port=70000), id="port-out-of-range"),
        pytest.param(lambda r: r["spec"]["parentRefs"][0].pop("name"), id="parent-without-name"),
        pytest.param(lambda r: r["spec"].update(rules=r["spec"]["rules"] * 3), id="seventeen-rules"),
        pytest.param(lambda r: r["spec"]["rules"][0].update(backendRef=[]), id="misspelt-field"),
        pytest.param(lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(value="v1/chat"), id="relative-path"),
    ],
)
def test_a_broken_http_route_is_refused(gateway_variant, break_it):
    route = copy.deepcopy(gateway_variant.find("HTTPRoute", "litellm-public"))
    break_it(route)
    with pytest.raises((jsonschema.ValidationError, AssertionError)):
        validate_custom(route)


def test_a_certificate_without_a_secret_name_is_refused():
    manifests = render_manifests("prod")
    certificate = next(obj for obj in _ours(manifests) if obj["kind"] == "Certificate")
    del certificate["spec"]["secretName"]
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(certificate)


def test_an_application_with_a_field_argocd_does_not_know_is_refused():
    application = copy.deepcopy(render_manifests("prod").find("Application"))
    application["spec"]["source"]["helm"]["valueObject"] = {}
    with pytest.raises(AssertionError, match="spec.source.helm.valueObject"):
        validate_custom(application)


def test_an_alert_with_a_bad_duration_is_refused(gateway_variant):
    rule = copy.deepcopy(gateway_variant.find("PrometheusRule"))
    rule["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes"
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(rule)


# ingress-nginx's admission webhook refuses a whole Ingress when one Exact or Prefix path has other
# characters (kubernetes/ingress-nginx, internal/ingress/inspector/rules.go `validPathType`).
INGRESS_NGINX_VALID_PATH = re.compile(r"^/[A-Za-z0-9._\-/]*$")


def test_every_ingress_path_passes_ingress_nginx_admission(rendered):
    for ingress in [obj for obj in _ours(rendered) if obj["kind"] == "Ingress"]:
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["pathType"] in ("Exact", "Prefix")
                assert INGRESS_NGINX_VALID_PATH.match(path["path"]), path["path"]
