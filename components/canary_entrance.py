"""The canary's share of the public entrance, and the alert that compares it with the stable release.

Gateway API: the public HTTPRoute's rules carry both Services as weighted `backendRefs`
(components/entrance.py). ingress-nginx: a second Ingress for the same host and paths, backed by the
canary's Service, with `nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight` (percent of the
requests; ingress-nginx `docs/user-guide/nginx-configuration/annotations.md`, "Canary").

The alert needs the two releases' requests apart: ingress-nginx labels `nginx_ingress_controller_requests`
with the Ingress that served it (`ingress`, internal/ingress/metric/collectors/socket.go `requestTags`),
so the canary Ingress's 5xx share is compared with the stable one's. Envoy Gateway counts a weighted
rule as one cluster (`httproute/<ns>/<name>/rule/<i>`), so on `type: gateway` there is no per-release
signal at the entrance and no alert (docs/upgrades.md says how to compare there).
"""

from typing import Any

from components.layout import entrance_object_name
from components.settings import Settings

CANARY_INGRESS = f"{entrance_object_name('public')}-canary"


def canary_ingress_annotations(settings: Settings) -> dict[str, str]:
    return {
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": str(settings.canary.weight),
    }


def canary_alert(settings: Settings) -> dict[str, Any]:
    """5xx share of the canary's Ingress above the stable one's plus the margin, for 10 minutes."""

    def error_ratio(ingress: str) -> str:
        selector = f'namespace="{settings.namespace}", ingress="{ingress}"'
        return (
            f'sum(rate(nginx_ingress_controller_requests{{{selector}, status=~"5.."}}[5m]))'
            f" / sum(rate(nginx_ingress_controller_requests{{{selector}}}[5m]))"
        )

    stable = f"({error_ratio(entrance_object_name('public'))} or vector(0))"
    return {
        "alert": "LiteLLMCanaryErrors",
        "expr": f"{error_ratio(CANARY_INGRESS)} > {stable} + {settings.canary.error_rate_margin}",
        "for": "10m",
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "The LiteLLM canary answers more 5xx than the stable release",
            "description": f"The canary ({settings.canary.tag}) fails more than"
            f" {settings.canary.error_rate_margin:.0%} more requests than the stable release: set"
            " litellm:canary.weight to 0 and roll back (docs/upgrades.md).",
        },
    }
