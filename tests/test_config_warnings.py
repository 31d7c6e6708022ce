"""Warnings in the preview: keys nothing reads under the rest of the settings, and stacks that would share a
database or a cache with another."""

import pytest

from components.risks import risk_warnings
from components.stacks import read_stack_config
from components.versions import CHART_REF
from tests.config_cases import ROOT
from tests.conftest import STACKS, committed_settings, settings_for


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_do_not_share_a_database(stack):
    shared = [w for w in risk_warnings(committed_settings(stack), stack) if "is also the database of stack" in w]
    assert not shared, shared[0] if shared else ""


@pytest.mark.parametrize(
    ("database", "warns"),
    [({}, True), ({"schema": "litellm_qa"}, False), ({"name": "litellm-qa"}, False), ({"port": 5433}, False)],
    ids=["same", "own-schema", "own-database", "other-port"],
)
def test_a_stack_sharing_another_stacks_database_and_schema_warns(tmp_path, database, warns):
    (tmp_path / "Pulumi.staging.yaml").write_bytes((ROOT / "Pulumi.staging.yaml").read_bytes())
    staging = read_stack_config(ROOT / "Pulumi.staging.yaml")["litellm:database"]
    settings = settings_for("qa", database={**staging, **database})
    warnings = [w for w in risk_warnings(settings, "qa", tmp_path) if "is also the database of stack 'staging'" in w]
    assert bool(warnings) is warns
    if warns:
        assert warnings[0].startswith("litellm:database postgresql-staging-pooler-rw.postgresql-staging.svc")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            {"redis": {"enabled": False, "ssl": True}},
            "litellm:redis.ssl is set but not used while redis.enabled is false",
        ),
        (
            {"networkPolicy": {"enabled": False, "ingressNamespaces": ["x"]}},
            "litellm:networkPolicy.ingressNamespaces is set but not used while networkPolicy.enabled is false",
        ),
        ({"autoscaling": {"maxReplicas": 5}}, "litellm:autoscaling.maxReplicas is set but not used"),
        ({"serviceMonitor": {"interval": "1m"}}, "litellm:serviceMonitor.interval is set but not used"),
        (
            {"tracing": {"protocol": "grpc"}},
            "litellm:tracing.protocol is set but not used while tracing.enabled is false",
        ),
        (
            {"podDisruptionBudget": {"enabled": False, "maxUnavailable": 2}},
            "litellm:podDisruptionBudget.maxUnavailable is set but not used",
        ),
        (
            {"delivery": "helm", "argocd": {"project": "p"}},
            "litellm:argocd.project is set but not used while delivery is helm",
        ),
        (
            {"chart": {"localPath": f"/opt/c/{CHART_REF}"}},
            "litellm:chart.localPath is set but not used while delivery is argocd",
        ),
        (
            {"replicas": 4, "autoscaling": {"enabled": True}},
            "litellm:replicas is set but not used while autoscaling.enabled is true",
        ),
        (
            {"database": {"createSecret": False, "user": "app"}, "databasePassword": None},
            "litellm:database.user is set but not used while database.createSecret is false",
        ),
        (
            {"masterKey": "sk-master-FAKE-0123456789", "masterKeyVersion": 3},
            "litellm:masterKeyVersion is set but not used while litellm:masterKey is set",
        ),
    ],
    ids=[
        "redis",
        "netpol",
        "autoscaling",
        "monitor",
        "tracing",
        "pdb",
        "argocd",
        "local-path",
        "replicas",
        "user",
        "version",
    ],
)
def test_a_key_nothing_reads_warns(keys, expected):
    assert any(expected in w for w in risk_warnings(settings_for(**keys), "staging"))


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_set_no_key_nothing_reads(stack):
    ignored = [w for w in risk_warnings(committed_settings(stack), stack) if "is set but not used" in w]
    assert not ignored, ignored[0] if ignored else ""
