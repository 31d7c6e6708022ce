"""`python -m offline.render <stack>` writes reviewable, valid, deterministic YAML, offline."""

from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from offline import harness
from offline.render import REDACTED, RELEASE, RELEASE_FILE, VALUES_FILE, RenderError, Rendering, main, render, write

STACKS = ("prod", "staging", "dev")
ARGOCD_STACKS = ("prod", "staging")
# A version current managed clusters run; kubernetes-validate bundles its schemas.
KUBERNETES_VERSION = "1.33"
# Custom resources: kubernetes-validate has no schema for them (tests/test_entrance_schemas.py checks the
# HTTPRoute, Certificate and PrometheusRule against their CRDs).
CUSTOM_GROUPS = {"argoproj.io", "cert-manager.io", "gateway.networking.k8s.io", "monitoring.coreos.com"}

# The fields ArgoCD needs to sync an Application from a git or Helm repository source
# (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications).
APPLICATION_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "argoproj.io/v1alpha1"},
        "kind": {"const": "Application"},
        "metadata": {
            "type": "object",
            "required": ["name", "namespace"],
            "properties": {"name": {"type": "string", "minLength": 1}, "namespace": {"type": "string", "minLength": 1}},
        },
        "spec": {
            "type": "object",
            "required": ["project", "source", "destination"],
            "properties": {
                "project": {"type": "string", "minLength": 1},
                "source": {
                    "type": "object",
                    "required": ["repoURL", "targetRevision"],
                    "properties": {
                        "repoURL": {"type": "string", "minLength": 1},
                        "targetRevision": {"type": "string", "minLength": 1},
                        "path": {"type": "string", "minLength": 1},
                        "chart": {"type": "string", "minLength": 1},
                    },
                    "oneOf": [{"required": ["path"]}, {"required": ["chart"]}],
                },
                "destination": {
                    "type": "object",
                    "required": ["namespace"],
                    "properties": {
                        "server": {"type": "string", "minLength": 1},
                        "name": {"type": "string", "minLength": 1},
                        "namespace": {"type": "string", "minLength": 1},
                    },
                    "oneOf": [{"required": ["server"]}, {"required": ["name"]}],
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def renderings() -> dict[str, Rendering]:
    return {stack: render(stack) for stack in STACKS}


@pytest.fixture(scope="module")
def rendered(renderings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stack -> the folder it was rendered into."""
    folders = {stack: tmp_path_factory.mktemp(stack) for stack in STACKS}
    for stack, folder in folders.items():
        write(renderings[stack], folder)
    return folders


def documents(folder: Path) -> dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))}


def kubernetes_objects(folder: Path) -> dict[str, dict]:
    return {
        name: document
        for name, document in documents(folder).items()
        if name not in (RELEASE_FILE, VALUES_FILE) and document["apiVersion"].split("/")[0] not in CUSTOM_GROUPS
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_passes_strict_schema_validation(rendered, stack):
    objects = kubernetes_objects(rendered[stack])
    assert objects
    for name, document in objects.items():
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{stack}/{name}: {error.message} at {'.'.join(map(str, error.path))}")


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_application_has_the_fields_argocd_requires(rendered, stack):
    jsonschema.validate(documents(rendered[stack])["application-argocd-litellm.yaml"], APPLICATION_SCHEMA)


def test_application_schema_rejects_a_destination_without_server_or_name(rendered):
    application = documents(rendered["prod"])["application-argocd-litellm.yaml"]
    del application["spec"]["destination"]["server"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(application, APPLICATION_SCHEMA)


def test_prod_renders_one_file_per_object_named_kind_namespace_name(rendered):
    assert sorted(documents(rendered["prod"])) == [
        "application-argocd-litellm.yaml",
        "certificate-litellm-litellm-public.yaml",
        "ingress-litellm-litellm-public.yaml",
        "namespace-litellm.yaml",
        "networkpolicy-litellm-default-deny-all.yaml",
        "networkpolicy-litellm-litellm-egress-dns.yaml",
        "networkpolicy-litellm-litellm-egress-llm-apis.yaml",
        "networkpolicy-litellm-litellm-egress-postgres.yaml",
        "networkpolicy-litellm-litellm-egress-redis.yaml",
        "networkpolicy-litellm-litellm-ingress-entrance.yaml",
        "poddisruptionbudget-litellm-litellm.yaml",
        "secret-litellm-litellm-master-key.yaml",
        "secret-litellm-litellm-provider-keys.yaml",
        "secret-litellm-litellm-salt-key.yaml",
        "secret-litellm-postgres.yaml",
        "serviceaccount-litellm-litellm.yaml",
        "values.yaml",
    ]


def test_two_renders_are_byte_identical(rendered, tmp_path):
    write(render("prod"), tmp_path)
    first = {path.name: path.read_bytes() for path in rendered["prod"].iterdir()}
    second = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert second == first


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_value_is_written(rendered, stack):
    secrets = [d for d in documents(rendered[stack]).values() if d.get("kind") == "Secret"]
    assert secrets
    for secret in secrets:
        assert set(secret["stringData"].values()) == {REDACTED}, secret["metadata"]["name"]
    for path in rendered[stack].iterdir():
        assert harness.SECRET_PLACEHOLDER not in path.read_text(encoding="utf-8"), path.name


def test_missing_provider_keys_get_a_placeholder_per_model_key(rendered):
    provider_keys = documents(rendered["prod"])["secret-litellm-litellm-provider-keys.yaml"]
    assert sorted(provider_keys["stringData"]) == ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]


def test_numbers_are_written_as_integers(rendered):
    assert "- port: 5432\n" in (rendered["prod"] / "networkpolicy-litellm-litellm-egress-postgres.yaml").read_text()
    assert "replicaCount: 3\n" in (rendered["prod"] / VALUES_FILE).read_text()


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_values_file_holds_the_application_values(rendered, stack):
    files = documents(rendered[stack])
    assert files[VALUES_FILE] == files["application-argocd-litellm.yaml"]["spec"]["source"]["helm"]["valuesObject"]


def test_helm_stack_renders_its_release_and_values_without_the_fetched_chart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rendering = render("dev")
    release = next(resource.document for resource in rendering.resources if resource.type == RELEASE)
    assert (release["chart"], release["namespace"], release["timeout"]) == (
        "vendor/charts/litellm-helm/v1.76.1-stable",
        "litellm",
        900,
    )
    assert rendering.files()[VALUES_FILE] == release["values"]
    assert Path.cwd() == tmp_path and not any(tmp_path.iterdir())


def test_read_only_lookups_are_not_rendered(rendered):
    assert not any("customresourcedefinition" in path.name for path in rendered["prod"].iterdir())


def test_warnings_go_to_stderr_and_the_summary_to_stdout(tmp_path, capsys):
    assert main(["prod", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "moving tag" in err and "moving tag" not in out
    assert out.startswith("rendered prod: 17 files")


def test_bad_config_exits_non_zero_with_the_programs_message_and_no_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  litellm:replicas: 0\n", encoding="utf-8")
    monkeypatch.setattr(harness, "stack_file", lambda stack: tmp_path / f"Pulumi.{stack}.yaml")
    assert main(["broken", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "litellm:replicas" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unknown_stack_exits_non_zero_naming_the_missing_file(capsys):
    assert main(["no-such-stack"]) == 1
    assert "Pulumi.no-such-stack.yaml" in capsys.readouterr().err


def test_a_new_render_replaces_the_files_of_an_earlier_one(renderings, tmp_path):
    (tmp_path / "poddisruptionbudget-litellm-gone.yaml").write_text("stale\n")
    write(renderings["dev"], tmp_path)
    assert not (tmp_path / "poddisruptionbudget-litellm-gone.yaml").exists()


def test_render_refuses_a_folder_that_is_not_a_render(renderings, tmp_path):
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(RenderError, match="not a render folder"):
        write(renderings["dev"], tmp_path)
