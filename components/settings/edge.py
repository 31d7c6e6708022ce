"""The contract of the edge: ArgoCD, NetworkPolicies, the entrance, TLS, monitoring."""

from typing import Literal

from pydantic import Field

from components.kube_types import (
    INT32_MAX,
    Cidr,
    DnsLabel,
    Duration,
    Host,
    HttpsUrl,
    Integer,
    Labels,
    ObjectName,
    Port,
)
from components.settings import rules
from components.settings.common import (
    Model,
    checked_by,
)


class ArgoCDSettings(Model):
    namespace: DnsLabel = Field("argocd", description="Namespace ArgoCD watches for Applications.")
    project: ObjectName = Field("default", description="ArgoCD project (AppProject name) of the Application.")
    sync_wave: Integer = Field(
        10, ge=-INT32_MAX, le=INT32_MAX, description="`argocd.argoproj.io/sync-wave` of the Application."
    )
    prune: bool = Field(True, description="Automated sync deletes resources removed from the chart.")
    self_heal: bool = Field(True, description="Automated sync reverts manual changes in the cluster.")
    cascade_delete: bool = Field(
        True,
        description="Add ArgoCD's resources finalizer: deleting the Application deletes the workloads it deployed.",
    )
    destination_server: HttpsUrl = Field(
        "https://kubernetes.default.svc", description="Cluster API the Application deploys to."
    )


class EgressRuleSettings(Model):
    namespace: DnsLabel | None = Field(None, description="Namespace whose pods the proxy may reach.")
    cidr: Cidr | None = Field(
        None, description="Address block the proxy may reach, e.g. the subnet of a managed database `10.20.0.0/16`."
    )
    ports: list[Port] = Field(
        min_length=1,
        description="TCP ports the destination pods or servers listen on (a NetworkPolicy matches those, not the"
        " port of a Service in front of them).",
    )

    _rules = checked_by(rules.one_egress_destination)


class NetworkPolicySettings(Model):
    enabled: bool = Field(True, description="Default-deny the namespace and allow only the flows LiteLLM needs.")
    ingress_namespaces: list[DnsLabel] = Field(
        ["ingress-nginx"], description="Namespaces allowed to reach the proxy port (ingress controller, gateways)."
    )
    egress_cidrs: list[Cidr] | None = Field(
        None,
        description="Provider CIDRs allowed on 443. Unset allows the internet on 443, minus private, CGNAT and"
        " link-local ranges; `[]` allows no address on 443.",
    )
    dns_namespace: DnsLabel = Field("kube-system", description="Namespace of the cluster DNS pods.")
    dns_cidrs: list[Cidr] = Field(
        [],
        description="Extra DNS servers by address on port 53, e.g. `[169.254.20.10/32]` for NodeLocal DNSCache"
        " (host-network pods no pod selector matches).",
    )
    dns_pod_labels: Labels = Field(
        {"k8s-app": "kube-dns"}, min_length=1, description="Labels of the cluster DNS pods (at least one)."
    )
    egress: list[EgressRuleSettings] = Field(
        [],
        description="More destinations the proxy may reach. The program derives the database, Redis, the models'"
        " `apiBase` and the tracing endpoint (a Service name gives its namespace and the URL's port, an IP address"
        " its own block); list here what it cannot know: the address block of a host outside the cluster on a port"
        " other than 443 (a managed database or Redis), or the port the pods listen on when a Service forwards to"
        " another one, e.g. `[{cidr: 10.20.0.0/16, ports: [5432]}, {namespace: models, ports: [8080]}]`.",
    )


class ServiceMonitorSettings(Model):
    enabled: bool = Field(False, description="Prometheus Operator ServiceMonitor for `/metrics`.")
    namespace: DnsLabel = Field("monitoring", description="Namespace of Prometheus (allowed to scrape).")
    interval: Duration = Field("30s", description="Scrape interval.")
    labels: Labels = Field({}, description="Extra labels, e.g. the `release` your Prometheus selects.")


class CertManagerSettings(Model):
    issuer: ObjectName = Field(description="cert-manager issuer that signs the certificate, e.g. `letsencrypt-prod`.")
    issuer_kind: Literal["ClusterIssuer", "Issuer"] = Field("ClusterIssuer", description="Kind of that issuer.")


class TLSSettings(Model):
    secret_name: ObjectName = Field(
        description="Secret (type kubernetes.io/tls) holding the host's certificate: an existing one, or the one"
        " cert-manager writes when `certManager` is set."
    )
    cert_manager: CertManagerSettings | None = Field(
        None, description="Have cert-manager issue and renew the certificate (a `Certificate` object)."
    )


class GatewayRefSettings(Model):
    name: ObjectName = Field(description="Name of the existing Gateway.")
    namespace: DnsLabel = Field(description="Namespace of that Gateway.")
    listener: ObjectName | None = Field(
        None,
        description="Listener (`sectionName`) to attach to: an HTTPS listener for the public entrance. Unset"
        " attaches to every listener whose hostname matches.",
    )


class EntranceSide(Model):
    host: Host | None = Field(
        None,
        description="Host name. The public entrance takes its host from `litellm:publicUrl`; the internal one"
        " needs its own.",
    )
    class_name: ObjectName | None = Field(None, description="`ingressClassName` (type `ingress`), e.g. `nginx`.")
    gateway: GatewayRefSettings | None = Field(None, description="The Gateway to attach to (type `gateway`).")
    pod_namespace: DnsLabel | None = Field(
        None,
        description="Namespace of the pods that forward requests to LiteLLM (the ingress controller or the"
        " gateway's proxies): the only namespace the NetworkPolicy lets in for this entrance. Unset: the Gateway's"
        " namespace (type `gateway`), `ingress-nginx` (type `ingress`).",
    )
    gateway_pod_namespace: DnsLabel | None = Field(
        None,
        description="With type `both`: the namespace of the gateway's proxies (`podNamespace` then names the ingress"
        " controller's). Unset: the Gateway's namespace.",
    )
    tls: TLSSettings | None = Field(
        None,
        description="TLS for the host. Type `ingress`: required (the Ingress terminates TLS with this Secret). Type"
        " `gateway`: the listener holds the certificate; set `tls.certManager` to have a Certificate issued into the"
        " Gateway's namespace under `tls.secretName`.",
    )

    def forwarding_namespaces(self, kind: str) -> set[str]:
        """Namespaces of the pods that forward this side's requests: the controller's, the gateway's, or both."""
        gateway_default = self.gateway.namespace if self.gateway else "ingress-nginx"
        if kind == "both":
            return {self.pod_namespace or "ingress-nginx", self.gateway_pod_namespace or gateway_default}
        if self.pod_namespace:
            return {self.pod_namespace}
        return {gateway_default if kind == "gateway" else "ingress-nginx"}


class RequestSettings(Model):
    """How long a request may run, how large it may be and how it streams: written by both entrance types and the
    pods' shutdown (docs/entrance.md, "Timeouts, body size and streaming")."""

    timeout_seconds: Integer = Field(
        600,
        ge=1,
        le=86400,
        description="Seconds the entrance waits for a response, streams included (ingress-nginx"
        " `proxy-read-timeout`/`proxy-send-timeout`, HTTPRoute `timeouts.request`), and the longest request a pod"
        " finishes when it stops. At least `litellm:router.timeout`; cover its retries too (prod: 3 x 120 s).",
    )
    max_body_mib: Integer = Field(
        100,
        ge=1,
        le=10240,
        description="Largest request body in MiB (ingress-nginx `proxy-body-size`; Envoy streams bodies without a"
        " cap): images, long prompts, audio and files.",
    )
    streaming: bool = Field(
        True,
        description="Pass request and response bodies through as they arrive (ingress-nginx `proxy-buffering` and"
        " `proxy-request-buffering` off): server-sent events reach the client token by token.",
    )
    drain_seconds: Integer = Field(
        10,
        ge=0,
        le=300,
        description="Seconds a stopping pod keeps serving before uvicorn stops accepting (a `preStop` sleep), while"
        " the entrance learns the pod is gone.",
    )
    keep_alive_seconds: Integer = Field(
        75,
        ge=1,
        le=3600,
        description="uvicorn's keep-alive (`KEEPALIVE_TIMEOUT`): above the entrance's idle timeout for upstream"
        " connections (ingress-nginx `upstream-keepalive-timeout`, 60 s), so the entrance closes an idle"
        " connection before LiteLLM does and never sends a request on one LiteLLM is closing.",
    )

    @property
    def grace_seconds(self) -> int:
        """`terminationGracePeriodSeconds`: the drain, then the longest request."""
        return self.drain_seconds + self.timeout_seconds


class EntranceSettings(Model):
    enabled: bool = Field(
        False, description="Serve `litellm:publicUrl` from inside the cluster (see docs/entrance.md)."
    )
    type: Literal["ingress", "gateway", "both"] = Field(
        "gateway",
        description="`gateway`: Gateway API HTTPRoutes attached to existing Gateways. `ingress`: Ingress objects"
        " with an `ingressClassName`. `both`: each side served by an Ingress and an HTTPRoute at once, for a cut-over"
        " without downtime (docs/entrance.md); the Ingress holds the certificate.",
    )
    public: EntranceSide = Field(
        EntranceSide(), description="The internet-facing entrance: LiteLLM's LLM API routes only, never `/metrics`."
    )
    requests: RequestSettings = Field(
        RequestSettings(),
        description="Timeouts, body size and streaming of both entrances, and the pods' drain on shutdown (applies"
        " without an entrance too).",
    )
    internal: EntranceSide | None = Field(
        None,
        description="A second entrance on its own host for the admin UI and the management routes (an internal"
        " Gateway or ingress class). Unset: those routes are reachable only inside the cluster.",
    )

    @property
    def kinds(self) -> list[str]:
        """The object kinds each side gets: `ingress`, `gateway`, or both."""
        return ["ingress", "gateway"] if self.type == "both" else [self.type]

    def sides(self) -> dict[str, EntranceSide]:
        """The configured entrances by name (`public`, `internal`)."""
        return {"public": self.public, **({"internal": self.internal} if self.internal else {})}

    _rules = checked_by(rules.entrance_complete)


class MonitoringSettings(Model):
    alerts: bool = Field(
        False, description="A Prometheus Operator `PrometheusRule` with the alerts of docs/entrance.md."
    )
    dashboard: bool = Field(False, description="A Grafana dashboard as a ConfigMap for Grafana's dashboard sidecar.")
    rule_labels: Labels = Field(
        {}, description="Extra labels of the PrometheusRule, e.g. the `release` your Prometheus selects."
    )
    dashboard_namespace: DnsLabel = Field("monitoring", description="Namespace the Grafana sidecar watches.")
    dashboard_labels: Labels = Field(
        {"grafana_dashboard": "1"}, min_length=1, description="Labels the Grafana sidecar selects dashboards by."
    )
    entrance_metrics: Literal["ingress-nginx", "envoy-gateway"] | None = Field(
        None,
        description="Who exports request rate, errors and latency of the public host. Unset: `ingress-nginx` for"
        " entrance type `ingress`, `envoy-gateway` for type `gateway`; none without an entrance.",
    )
    p95_latency_seconds: float = Field(
        60,
        gt=0,
        description="Alert when the public host's 95th percentile request duration stays above this many seconds"
        " (a streamed completion takes as long as the model writes). Must lie below the largest finite bucket of"
        " the entrance's duration histogram (`entranceTimeBuckets`), else the quantile never exceeds it.",
    )
    entrance_time_buckets: list[float] | None = Field(
        None,
        min_length=1,
        description="Bucket bounds (seconds) of the entrance's request-duration histogram, when its controller is"
        " started with other than its defaults (ingress-nginx `--time-buckets`; default 0.005 ... 10). Unset: the"
        " controller's defaults (components/metric_sources.py).",
    )
