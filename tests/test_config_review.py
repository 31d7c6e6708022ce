"""A configuration review as a table: edits an operator would make to the committed stacks, each either
accepted (the program registers its resources, no error) or refused with a message naming the key.

Every invalid case must be refused with nothing registered and no traceback; every valid case must run.
"""

import pytest

from components.config import ConfigError
from components.versions import IMAGE_TAG, LITELLM_VERSION
from tests.conftest import run_stack

KEY = "OPENAI_API_KEY"
M = {"name": "m", "model": "openai/gpt-4o", "apiKeyEnv": KEY}

VALID = [
    ("replicas-2", "prod", {"litellm:replicas": 2}),
    ("replicas-from-string", "prod", {"litellm:replicas": "4"}),
    ("namespace-other", "prod", {"litellm:namespace": "ai-gateway"}),
    ("dev-namespace", "dev", {"litellm:namespace": "llm"}),
    ("image-private-registry", "prod", {"litellm:image": {"repository": "registry.example.com:5000/ml/litellm"}}),
    ("image-tag-versioned", "prod", {"litellm:image": {"tag": IMAGE_TAG}}),
    ("image-pull-never", "prod", {"litellm:image": {"pullPolicy": "Never"}}),
    ("service-nodeport", "prod", {"litellm:service": {"type": "NodePort"}}),
    ("service-port-8080", "prod", {"litellm:service": {"port": 8080}}),
    ("service-port-443", "prod", {"litellm:service": {"port": 443}}),
    ("resources-fractional-cpu", "prod", {"litellm:resources": {"requests": {"cpu": "0.5"}}}),
    ("resources-exponent", "prod", {"litellm:resources": {"requests": {"memory": "5e8"}}}),
    ("resources-ki", "prod", {"litellm:resources": {"limits": {"memory": "4194304Ki"}}}),
    ("resources-equal", "prod", {"litellm:resources": {"requests": {"cpu": "1", "memory": "2Gi"}}}),
    ("resources-int-cpu", "prod", {"litellm:resources": {"limits": {"cpu": 2}}}),
    ("database-port", "prod", {"litellm:database": {"port": 6432}}),
    ("database-name-underscore", "prod", {"litellm:database": {"name": "_litellm"}}),
    ("database-schema-public", "prod", {"litellm:database": {"schema": "public"}}),
    ("database-user-special", "prod", {"litellm:database": {"user": "svc@litellm"}}),
    ("database-ssl-require", "prod", {"litellm:database": {"sslMode": "require"}}),
    (
        "database-existing-secret",
        "prod",
        {"litellm:database": {"createSecret": False}, "litellm:databasePassword": None},
    ),
    (
        "database-secret-keys",
        "prod",
        {"litellm:database": {"secretName": "pg-app", "passwordKey": "password", "usernameKey": "username"}},
    ),
    ("database-ipv4", "prod", {"litellm:database": {"host": "10.40.0.12"}}),
    ("database-ipv6", "prod", {"litellm:database": {"host": "fd00:10::12"}}),
    ("redis-disabled", "prod", {"litellm:redis": {"enabled": False}}),
    ("redis-port", "prod", {"litellm:redis": {"port": 6380}}),
    ("redis-ssl", "prod", {"litellm:redis": {"ssl": True}}),
    ("redis-ttl", "prod", {"litellm:redis": {"cache": {"ttl": 60}}}),
    ("redis-password", "prod", {"litellm:redisPassword": "redis-FAKE-pw"}),
    ("redis-ip", "prod", {"litellm:redis": {"host": "10.40.0.13"}}),
    ("num-retries-0", "prod", {"litellm:numRetries": 0}),
    ("router-timeout", "prod", {"litellm:router": {"timeout": 600}}),
    ("router-least-busy", "prod", {"litellm:router": {"routingStrategy": "least-busy"}}),
    ("router-latency", "prod", {"litellm:router": {"routingStrategy": "latency-based-routing"}}),
    (
        "retry-policy-all",
        "prod",
        {"litellm:router": {"retryPolicy": {"badRequest": 0, "authentication": 0, "timeout": 2, "rateLimit": 3}}},
    ),
    ("fallbacks", "prod", {"litellm:router": {"fallbacks": [{"model": "gpt-4o", "fallbacks": ["claude-sonnet-4"]}]}}),
    ("ui-off", "prod", {"litellm:ui": {"enabled": False}}),
    ("telemetry-on", "prod", {"litellm:telemetry": True}),
    ("models-two-deployments", "prod", {"litellm:models": [M, {**M, "apiBase": "https://eu.api.openai.com/v1"}]}),
    (
        "model-azure",
        "prod",
        {
            "litellm:models": [
                {"name": "gpt-4o", "model": "azure/gpt-4o-prod", "apiBase": "https://res.openai.azure.com"}
            ]
        },
    ),
    ("model-limits", "prod", {"litellm:models": [{**M, "rpm": 60, "tpm": 100000, "maxParallelRequests": 5}]}),
    ("model-space-in-name", "prod", {"litellm:models": [{**M, "name": "GPT 4o (EU)"}]}),
    ("model-vertex-keyless", "prod", {"litellm:models": [{"name": "g", "model": "vertex_ai/gemini-1.5-pro"}]}),
    (
        "model-text-completion",
        "prod",
        {"litellm:models": [{**M, "model": "text-completion-openai/gpt-3.5-turbo-instruct"}]},
    ),
    ("model-no-prefix", "prod", {"litellm:models": [{**M, "model": "gpt-4o"}]}),
    (
        "keyless-models-without-provider-keys",
        "prod",
        {"litellm:models": [{"name": "g", "model": "vertex_ai/gemini-1.5-pro"}], "litellm:providerKeys": None},
    ),
    ("argocd-project", "prod", {"litellm:argocd": {"project": "platform", "namespace": "gitops"}}),
    ("argocd-no-cascade", "prod", {"litellm:argocd": {"cascadeDelete": False}}),
    ("argocd-other-cluster", "prod", {"litellm:argocd": {"destinationServer": "https://10.0.0.1:6443"}}),
    (
        "netpol-ingress-many",
        "prod",
        {"litellm:networkPolicy": {"ingressNamespaces": ["ingress-nginx", "istio-ingress"]}},
    ),
    ("netpol-egress-cidrs", "prod", {"litellm:networkPolicy": {"egressCidrs": ["104.18.0.0/16", "2606:4700::/32"]}}),
    ("netpol-node-local-dns", "prod", {"litellm:networkPolicy": {"dnsCidrs": ["169.254.20.10/32"]}}),
    ("netpol-coredns-labels", "prod", {"litellm:networkPolicy": {"dnsPodLabels": {"k8s-app": "coredns"}}}),
    (
        "netpol-egress-namespace",
        "prod",
        {"litellm:networkPolicy": {"egress": [{"namespace": "models", "ports": [8080, 8081]}]}},
    ),
    (
        "autoscaling",
        "prod",
        {"litellm:autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 6}, "litellm:replicas": None},
    ),
    ("pdb-off", "prod", {"litellm:podDisruptionBudget": {"enabled": False}}),
    ("pdb-2", "prod", {"litellm:podDisruptionBudget": {"maxUnavailable": 2}}),
    (
        "service-monitor",
        "prod",
        {
            "litellm:serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus"}},
            "litellm:licenseKey": "litellm-licence-FAKE",
        },
    ),
    (
        "tracing-grpc",
        "prod",
        {"litellm:tracing": {"enabled": True, "protocol": "grpc", "endpoint": "http://otel.observability.svc:4317"}},
    ),
    (
        "tracing-https",
        "prod",
        {
            "litellm:tracing": {"enabled": True, "endpoint": "https://api.honeycomb.io/v1/traces"},
            "litellm:tracingHeaders": {"x-honeycomb-team": "hc-FAKE"},
        },
    ),
    ("master-key", "prod", {"litellm:masterKey": "sk-master-FAKE-0123456789"}),
    ("master-key-version", "prod", {"litellm:masterKeyVersion": 2}),
    ("split-keys", "prod", {"litellm:splitProviderKeys": True}),
    ("public-url-other-host", "prod", {"litellm:publicUrl": "https://llm.example.org"}),
    ("migration-check-image-digest", "prod", {"litellm:migrationCheck": {"image": "postgres@sha256:" + "b" * 64}}),
    (
        "migration-check-image-registry-port",
        "prod",
        {"litellm:migrationCheck": {"image": "reg.example:5000/pg:17@sha256:" + "c" * 64}},
    ),
    ("chart-commit", "prod", {"litellm:chart": {"ref": "ccb7ce03a32ba247a06d1e5834e3f30e9cc5e635"}}),
]

INVALID = [
    ("replicas-negative", "prod", {"litellm:replicas": -1}, "litellm:replicas:"),
    ("replicas-float", "prod", {"litellm:replicas": 2.5}, "litellm:replicas:"),
    ("replicas-bool", "prod", {"litellm:replicas": "yes"}, "litellm:replicas:"),
    (
        "namespace-upper",
        "prod",
        {"litellm:namespace": "LiteLLM"},
        "litellm:namespace: 'LiteLLM' is not a DNS-1123 label",
    ),
    ("namespace-too-long", "prod", {"litellm:namespace": "a" * 64}, "litellm:namespace:"),
    (
        "namespace-default",
        "prod",
        {"litellm:namespace": "default"},
        "litellm:namespace: 'default' belongs to the cluster",
    ),
    (
        "namespace-is-redis",
        "prod",
        {"litellm:namespace": "redis"},
        "litellm:namespace: 'redis' is also litellm:redis.namespace",
    ),
    ("delivery-upper", "prod", {"litellm:delivery": "ArgoCD"}, "litellm:delivery:"),
    ("image-tag-space", "prod", {"litellm:image": {"tag": "main stable"}}, "litellm:image.tag:"),
    ("image-digest-short", "prod", {"litellm:image": {"tag": "v1@sha256:abc"}}, "litellm:image.tag:"),
    ("image-unknown-key", "prod", {"litellm:image": {"name": "x"}}, "litellm:image.name: unknown key"),
    ("service-type-ingress", "prod", {"litellm:service": {"type": "Ingress"}}, "litellm:service.type:"),
    ("service-port-string", "prod", {"litellm:service": {"port": "http"}}, "litellm:service.port:"),
    ("cpu-unit-cores", "prod", {"litellm:resources": {"limits": {"cpu": "2cores"}}}, "litellm:resources.limits.cpu:"),
    ("memory-mb", "prod", {"litellm:resources": {"limits": {"memory": "512MB"}}}, "(try 512Mi)"),
    (
        "memory-lower-k",
        "prod",
        {"litellm:resources": {"limits": {"memory": "4ki"}}},
        "litellm:resources.limits.memory:",
    ),
    (
        "memory-request-above",
        "prod",
        {"litellm:resources": {"requests": {"memory": "3Gi"}}},
        "litellm:resources.requests.memory: '3Gi' is more than",
    ),
    ("cpu-bool", "prod", {"litellm:resources": {"limits": {"cpu": True}}}, "litellm:resources.limits.cpu:"),
    (
        "resources-unknown",
        "prod",
        {"litellm:resources": {"limit": {"cpu": "1"}}},
        "litellm:resources.limit: unknown key; did you mean litellm:resources.limits?",
    ),
    ("database-name-space", "prod", {"litellm:database": {"name": "my db"}}, "litellm:database.name:"),
    ("database-name-digit", "prod", {"litellm:database": {"name": "1db"}}, "litellm:database.name:"),
    ("database-schema-hyphen", "prod", {"litellm:database": {"schema": "lite-llm"}}, "litellm:database.schema:"),
    ("database-schema-null", "prod", {"litellm:database": {"schema": "null"}}, "litellm:database.schema:"),
    (
        "database-host-url",
        "prod",
        {"litellm:database": {"host": "postgres://db.postgresql.svc"}},
        "litellm:database.host:",
    ),
    ("database-host-upper", "prod", {"litellm:database": {"host": "DB.postgresql.svc"}}, "litellm:database.host:"),
    ("database-ssl-unknown", "prod", {"litellm:database": {"sslMode": "true"}}, "litellm:database.sslMode:"),
    (
        "database-keys-equal",
        "prod",
        {"litellm:database": {"passwordKey": "k", "usernameKey": "k"}},
        "litellm:database.passwordKey: must differ",
    ),
    ("database-secret-upper", "prod", {"litellm:database": {"secretName": "PG"}}, "litellm:database.secretName:"),
    (
        "database-password-unused",
        "prod",
        {"litellm:database": {"createSecret": False}},
        "litellm:databasePassword: is not used",
    ),
    (
        "database-external-hostname",
        "prod",
        {"litellm:database": {"host": "pg.internal.example.com"}},
        "litellm:database.host: pg.internal.example.com:5432 is a host outside",
    ),
    ("redis-host-port", "prod", {"litellm:redis": {"host": "redis:6379"}}, "litellm:redis.host:"),
    (
        "redis-namespace-mismatch",
        "prod",
        {"litellm:redis": {"namespace": "cache"}},
        "litellm:redis.namespace: 'cache' does not match",
    ),
    (
        "redis-cache-namespace-space",
        "prod",
        {"litellm:redis": {"cache": {"namespace": "my cache"}}},
        "litellm:redis.cache.namespace:",
    ),
    ("redis-flush-zero", "prod", {"litellm:redis": {"cache": {"flushSize": 0}}}, "litellm:redis.cache.flushSize:"),
    (
        "redis-password-disabled",
        "prod",
        {"litellm:redis": {"enabled": False}, "litellm:redisPassword": "pw-FAKE"},
        "litellm:redisPassword: is set but redis.enabled is false",
    ),
    ("num-retries-11", "prod", {"litellm:numRetries": 11}, "litellm:numRetries:"),
    ("router-timeout-zero", "prod", {"litellm:router": {"timeout": 0}}, "litellm:router.timeout:"),
    (
        "router-strategy-typo",
        "prod",
        {"litellm:router": {"routingStrategy": "usage-based"}},
        "litellm:router.routingStrategy:",
    ),
    (
        "retry-unknown-class",
        "prod",
        {"litellm:router": {"retryPolicy": {"notFound": 1}}},
        "litellm:router.retryPolicy.notFound: unknown key",
    ),
    (
        "fallback-unknown-model",
        "prod",
        {"litellm:router": {"fallbacks": [{"model": "gpt-4o", "fallbacks": ["gpt-5"]}]}},
        "litellm:router.fallbacks[0].fallbacks[0]: 'gpt-5' is not a name",
    ),
    (
        "fallback-empty",
        "prod",
        {"litellm:router": {"fallbacks": [{"model": "gpt-4o", "fallbacks": []}]}},
        "litellm:router.fallbacks[0].fallbacks:",
    ),
    ("model-missing-model", "prod", {"litellm:models": [{"name": "m"}]}, "litellm:models[0].model: is required"),
    (
        "model-unknown-key",
        "prod",
        {"litellm:models": [{**M, "apiKey": "sk-x"}]},
        "litellm:models[0].apiKey: unknown key; did you mean litellm:models[0].apiKeyEnv?",
    ),
    (
        "model-key-lower",
        "prod",
        {"litellm:models": [{**M, "apiKeyEnv": "openai_api_key"}]},
        "litellm:models[0].apiKeyEnv:",
    ),
    (
        "model-api-base-query",
        "prod",
        {"litellm:models": [{**M, "apiBase": "https://api.example.com/v1?key=x"}]},
        "litellm:models[0].apiBase:",
    ),
    ("model-rpm-zero", "prod", {"litellm:models": [{**M, "rpm": 0}]}, "litellm:models[0].rpm:"),
    (
        "model-provider-typo",
        "prod",
        {"litellm:models": [{**M, "model": "open-ai/gpt-4o"}]},
        f"litellm:models[0].model: 'open-ai/gpt-4o': LiteLLM {LITELLM_VERSION} knows no provider",
    ),
    (
        "model-hosted-no-key",
        "prod",
        {"litellm:models": [{"name": "c", "model": "anthropic/claude-sonnet-4"}]},
        "litellm:models[0].apiKeyEnv: is required",
    ),
    ("models-not-a-list", "prod", {"litellm:models": {"name": "m"}}, "litellm:models:"),
    ("argocd-sync-wave-text", "prod", {"litellm:argocd": {"syncWave": "early"}}, "litellm:argocd.syncWave:"),
    (
        "argocd-destination-http",
        "prod",
        {"litellm:argocd": {"destinationServer": "http://kubernetes.default.svc"}},
        "litellm:argocd.destinationServer:",
    ),
    (
        "netpol-ingress-upper",
        "prod",
        {"litellm:networkPolicy": {"ingressNamespaces": ["Ingress"]}},
        "litellm:networkPolicy.ingressNamespaces[0]:",
    ),
    (
        "netpol-egress-ip",
        "prod",
        {"litellm:networkPolicy": {"egressCidrs": ["1.2.3.4/33"]}},
        "litellm:networkPolicy.egressCidrs[0]:",
    ),
    (
        "netpol-dns-cidr-host-bits",
        "prod",
        {"litellm:networkPolicy": {"dnsCidrs": ["169.254.20.10/24"]}},
        "litellm:networkPolicy.dnsCidrs[0]:",
    ),
    (
        "autoscaling-max-zero",
        "prod",
        {"litellm:autoscaling": {"enabled": True, "maxReplicas": 0}},
        "litellm:autoscaling.maxReplicas:",
    ),
    (
        "pdb-string",
        "prod",
        {"litellm:podDisruptionBudget": {"maxUnavailable": "one"}},
        "litellm:podDisruptionBudget.maxUnavailable:",
    ),
    (
        "service-monitor-interval",
        "prod",
        {"litellm:serviceMonitor": {"enabled": True, "interval": "30"}},
        "litellm:serviceMonitor.interval:",
    ),
    ("tracing-no-endpoint", "prod", {"litellm:tracing": {"enabled": True}}, "litellm:tracing.endpoint: is required"),
    (
        "tracing-protocol",
        "prod",
        {"litellm:tracing": {"enabled": True, "protocol": "zipkin", "endpoint": "http://otel.o.svc:4318/v1/traces"}},
        "litellm:tracing.protocol:",
    ),
    (
        "tracing-headers-two",
        "prod",
        {
            "litellm:tracing": {"enabled": True, "endpoint": "https://api.honeycomb.io/v1/traces"},
            "litellm:tracingHeaders": {"a": "1", "b": "2"},
        },
        "litellm:tracingHeaders: holds 2 headers",
    ),
    ("master-key-short", "prod", {"litellm:masterKey": "sk-short"}, "litellm:masterKey: must start with 'sk-'"),
    ("master-key-version-zero", "prod", {"litellm:masterKeyVersion": 0}, "litellm:masterKeyVersion:"),
    ("split-keys-text", "prod", {"litellm:splitProviderKeys": "sometimes"}, "litellm:splitProviderKeys:"),
    (
        "provider-key-lower",
        "prod",
        {"litellm:providerKeys": {"openai_api_key": "sk-x"}},
        "litellm:providerKeys.openai_api_key:",
    ),
    (
        "provider-key-empty",
        "prod",
        {"litellm:providerKeys": {KEY: "", "ANTHROPIC_API_KEY": "sk-b"}},
        "litellm:providerKeys.OPENAI_API_KEY: is empty",
    ),
    ("public-url-port-huge", "prod", {"litellm:publicUrl": "https://api.example.com:70000"}, "litellm:publicUrl:"),
    (
        "chart-ref-short-sha",
        "prod",
        {"litellm:chart": {"ref": "ccb7ce0"}},
        "litellm:chart.ref: 'ccb7ce0' is not an exact tag",
    ),
    ("chart-path-absolute", "prod", {"litellm:chart": {"path": "/deploy/charts"}}, "litellm:chart.path:"),
    ("chart-path-dotdot", "prod", {"litellm:chart": {"path": "../charts"}}, "litellm:chart.path:"),
    ("service-port-true", "prod", {"litellm:service": {"port": True}}, "litellm:service.port: true is a boolean"),
    (
        "allowed-fails-true",
        "prod",
        {"litellm:router": {"allowedFails": True}},
        "litellm:router.allowedFails: true is a",
    ),
    ("retry-false", "prod", {"litellm:router": {"retryPolicy": {"timeout": False}}}, "retryPolicy.timeout: false is a"),
    (
        "migration-check-no-tag",
        "prod",
        {"litellm:migrationCheck": {"image": "postgres"}},
        "litellm:migrationCheck.image:",
    ),
    (
        "migration-check-tag-only",
        "prod",
        {"litellm:migrationCheck": {"image": "docker.io/library/postgres:17.6-alpine"}},
        "litellm:migrationCheck.image: 'docker.io/library/postgres:17.6-alpine' is not an image pinned by digest",
    ),
    (
        "migration-check-upper",
        "prod",
        {"litellm:migrationCheck": {"image": "Postgres:17"}},
        "litellm:migrationCheck.image:",
    ),
    ("namespace-typo-prefix", "prod", {"litellmm:namespace": "x"}, "litellmm:namespace: unknown config namespace"),
    (
        "dotted-top-key",
        "prod",
        {"litellm:database.port": "5433"},
        "litellm:database.port: unknown key; a nested key is set with --path",
    ),
]


@pytest.mark.parametrize(("stack", "overrides"), [case[1:] for case in VALID], ids=[case[0] for case in VALID])
def test_a_valid_edit_is_accepted(stack, overrides, chart_folder):
    run = run_stack(stack, overrides)
    assert run.error is None, run.error
    assert run.registrations


@pytest.mark.parametrize(
    ("stack", "overrides", "expected"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_an_invalid_edit_is_refused_naming_the_key(stack, overrides, expected):
    run = run_stack(stack, overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert expected in str(run.error)
    assert "Traceback" not in str(run.error)
    assert run.registrations == []
