"""Updates, as a delivery applies them to a running release: what changes in the cluster, and only that.

Each test deploys a committed stack into a namespace of its own, waits for it to run, then applies
the render of the same stack with one thing changed, as the delivery would (`apply_as_delivery`:
the hook Job re-created, then the rest). For `helm` (dev) and `argocd` (staging) alike.
"""

import base64
from typing import Any, cast

import pytest

from offline.manifests import Manifest, Manifests
from tests.conftest import DATABASE_PASSWORD, SECRETS, render_stack
from tests.engine.cluster import Applied, Cluster, wait_until
from tests.engine.conftest import Variant, apply_as_delivery, variant_overrides

STACKS = ["dev", "staging"]
ROTATED = {
    "litellm:providerKeys": {
        **cast(dict[str, str], SECRETS["litellm:providerKeys"]),
        "OPENAI_API_KEY": "sk-openai-ROTATED-FAKE-42",
    },
    "litellm:databasePassword": DATABASE_PASSWORD + "-rotated",
}


def deploy(cluster: Cluster, variant: Variant, secrets: dict[str, Any] | None = None) -> Manifests:
    """Render and apply the variant, and wait until its Deployment has rolled out."""
    manifests = render_stack(variant.stack, variant_overrides(variant), secrets)
    refused = {m.name: str(a.refusal) for m, a in apply_as_delivery(cluster, manifests) if a.refusal is not None}
    assert refused == {}
    rolled_out(cluster, manifests)
    return manifests


def rolled_out(cluster: Cluster, manifests: Manifests) -> dict[str, Any]:
    """The ReplicaSets of the release once every replica runs the current pod template: name -> replicas."""
    name, namespace = manifests.find("Deployment")["metadata"]["name"], manifests.namespace

    def done() -> dict[str, Any]:
        deployment = cluster.get("apps/v1", "Deployment", name, namespace)
        status, wanted = deployment.get("status") or {}, deployment["spec"]["replicas"]
        current = status.get("observedGeneration") == deployment["metadata"]["generation"]
        settled = all(status.get(key) == wanted for key in ("replicas", "updatedReplicas", "readyReplicas"))
        return replica_sets(cluster, namespace) if current and settled else {}

    return wait_until(done, f"Deployment {namespace}/{name} rolled out", describe=lambda: cluster.events(namespace))


def replica_sets(cluster: Cluster, namespace: str) -> dict[str, Any]:
    found = cluster.resource("apps/v1", "ReplicaSet").get(namespace=namespace).to_dict()["items"]
    return {rs["metadata"]["name"]: rs["spec"]["replicas"] for rs in found}


def stored_versions(cluster: Cluster, manifests: Manifests) -> dict[str, str]:
    """Each of the program's and chart's objects (hooks aside) -> its generation, or resourceVersion."""
    versions = {}
    for manifest in manifests.objects:
        if manifest.source == "hook":
            continue
        obj = manifest.object
        stored = cluster.get(obj["apiVersion"], obj["kind"], manifest.name, manifest.namespace)
        versions[_label(manifest)] = str(stored["metadata"].get("generation", stored["metadata"]["resourceVersion"]))
    return versions


def _label(manifest: Manifest) -> str:
    return f"{manifest.kind} {manifest.namespace or ''}/{manifest.name}"


def _secret_named_by(manifests: Manifests, key: str) -> dict[str, Any]:
    found = [s for s in manifests.all("Secret") if key in (s.get("stringData") or {})]
    assert len(found) == 1, f"one Secret holding {key}, found {[s['metadata']['name'] for s in found]}"
    return found[0]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(
    ("config_key", "secret_key"),
    [("litellm:providerKeys", "OPENAI_API_KEY"), ("litellm:databasePassword", "DATABASE_PASSWORD")],
)
def test_a_secret_rotation_updates_the_secret_in_place_and_rolls_the_pods(
    cluster: Cluster, stack: str, config_key: str, secret_key: str
):
    variant = Variant(f"{stack}-rotate-{secret_key.lower().replace('_', '-')}", stack)
    before = deploy(cluster, variant)
    name = _secret_named_by(before, secret_key)["metadata"]["name"]
    secret = cluster.get("v1", "Secret", name, before.namespace)
    sets_before = replica_sets(cluster, before.namespace)

    after = deploy(cluster, variant, {**SECRETS, config_key: ROTATED[config_key]})

    rotated = cluster.get("v1", "Secret", name, after.namespace)
    assert rotated["metadata"]["uid"] == secret["metadata"]["uid"], "the Secret was replaced, not updated"
    old_value = _secret_named_by(before, secret_key)["stringData"][secret_key]
    new_value = _secret_named_by(after, secret_key)["stringData"][secret_key]
    assert new_value != old_value
    assert base64.b64decode(rotated["data"][secret_key]).decode() == new_value
    sets_after = replica_sets(cluster, after.namespace)
    new = set(sets_after) - set(sets_before)
    assert len(new) == 1, f"expected one new ReplicaSet (the pods rolled), found {sorted(new)}"
    assert {rs: sets_after[rs] for rs in sets_before} == dict.fromkeys(sets_before, 0)


@pytest.mark.parametrize("stack", STACKS)
def test_a_replicas_edit_changes_exactly_what_its_render_changes(cluster: Cluster, stack: str):
    variant = Variant(f"{stack}-scale", stack)
    before = deploy(cluster, variant)
    versions_before = stored_versions(cluster, before)
    sets_before = replica_sets(cluster, before.namespace)
    replicas = int(before.find("Deployment")["spec"]["replicas"]) + 1
    edited = render_stack(stack, {**variant_overrides(variant), "litellm:replicas": replicas})
    old_objects = {_label(m): m.object for m in before.objects if m.source != "hook"}
    differs = {_label(m) for m in edited.objects if m.source != "hook" and old_objects.get(_label(m)) != m.object}
    assert "Deployment" in {label.split()[0] for label in differs}

    answers: list[tuple[Manifest, Applied]] = apply_as_delivery(cluster, edited)

    assert {m.name: str(a.refusal) for m, a in answers if a.refusal is not None} == {}
    sets_after = rolled_out(cluster, edited)
    versions_after = stored_versions(cluster, edited)
    changed = {label for label, version in versions_after.items() if versions_before.get(label) != version}
    assert changed == differs
    assert sets_after == dict.fromkeys(sets_before, replicas), "a new ReplicaSet: the pods rolled for a scale"
