"""Helpers of the config tests: a render of a stack with overrides, its proxy container, schema checks."""

import re
from pathlib import Path

import kubernetes_validate

from components.config import ConfigError
from offline.manifests import render_manifests
from tests.conftest import SECRETS

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES_VERSION = "1.33"
# The API server's rule for Secret and other object names (DNS-1123 subdomain).
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def rendered(overrides, stack="prod"):
    return render_manifests(stack, overrides, SECRETS)


def container(manifests):
    return manifests.find("Deployment")["spec"]["template"]["spec"]["containers"][0]


def env(manifests) -> dict:
    return {item["name"]: item for item in container(manifests)["env"]}


def validate(obj) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def problems(run) -> str:
    assert isinstance(run.error, ConfigError), run.error
    assert run.registrations == []
    return str(run.error)
