"""`python -m offline.render <stack>` writes the hydrated manifest set: reviewable, valid,
deterministic YAML, offline; `--diff` shows what a commit changes in it."""

import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from components import stacks, versions
from components.stacks import PROGRAM_DIR
from offline import harness
from offline.render import (
    REDACTED,
    RELEASE,
    RELEASE_FILE,
    SUMMARY_FILE,
    VALUES_FILE,
    RenderError,
    Rendering,
    main,
    render,
    write,
)
from tests.conftest import ARGOCD_STACKS, STACKS, scratch_copy
from tests.kube import SUPPORTED_KUBERNETES, is_custom_resource, strict_schema_errors

CHART_FILES = {
    "configmap-litellm-litellm-config.yaml",
    "deployment-litellm-litellm.yaml",
    "job-litellm-litellm-migrations.yaml",
    "service-litellm-litellm.yaml",
}

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
        if name not in (RELEASE_FILE, VALUES_FILE) and not is_custom_resource(document)
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_written_kubernetes_object_passes_strict_schema_validation(rendered, stack):
    """As written (Secrets redacted); tests/test_chart.py checks every supported version."""
    objects = kubernetes_objects(rendered[stack])
    assert objects.keys() >= CHART_FILES
    errors = [
        f"{name}: {e}" for name, doc in objects.items() for e in strict_schema_errors(doc, SUPPORTED_KUBERNETES[-1])
    ]
    assert errors == []


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_writes_the_charts_deployment_service_config_map_and_migration_job(rendered, stack):
    files = documents(rendered[stack])
    assert files.keys() >= CHART_FILES
    deployment = files["deployment-litellm-litellm.yaml"]
    assert deployment["metadata"]["namespace"] == "litellm"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].startswith(
        "ghcr.io/berriai/litellm-database:"
    )


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_application_has_the_fields_argocd_requires(rendered, stack):
    jsonschema.validate(documents(rendered[stack])["application-argocd-litellm.yaml"], APPLICATION_SCHEMA)


def test_application_schema_rejects_a_destination_without_server_or_name(rendered):
    application = documents(rendered["prod"])["application-argocd-litellm.yaml"]
    del application["spec"]["destination"]["server"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(application, APPLICATION_SCHEMA)


def test_prod_renders_one_file_per_object_named_kind_namespace_name(rendered):
    assert sorted(path.name for path in rendered["prod"].iterdir()) == [
        "SUMMARY.md",
        "application-argocd-litellm.yaml",
        "certificate-litellm-litellm-public.yaml",
        "configmap-litellm-litellm-config.yaml",
        "configmap-monitoring-litellm-litellm-dashboard.yaml",
        "deployment-litellm-litellm.yaml",
        "ingress-litellm-litellm-public.yaml",
        "job-litellm-litellm-migrations.yaml",
        "namespace-litellm.yaml",
        "networkpolicy-litellm-default-deny-all.yaml",
        "networkpolicy-litellm-litellm-egress-dns.yaml",
        "networkpolicy-litellm-litellm-egress-llm-apis.yaml",
        "networkpolicy-litellm-litellm-egress-postgres.yaml",
        "networkpolicy-litellm-litellm-egress-redis.yaml",
        "networkpolicy-litellm-litellm-ingress-acme-solver.yaml",
        "networkpolicy-litellm-litellm-ingress-entrance.yaml",
        "poddisruptionbudget-litellm-litellm.yaml",
        "prometheusrule-litellm-litellm.yaml",
        "secret-litellm-litellm-master-key.yaml",
        "secret-litellm-litellm-provider-keys.yaml",
        "secret-litellm-litellm-salt-key.yaml",
        "secret-litellm-postgres.yaml",
        "service-litellm-litellm.yaml",
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
def test_each_piece_is_written_once_the_values_in_values_yaml_the_proxy_config_in_the_config_map(rendered, stack):
    """A reviewer sees a change once: the Application points at values.yaml, which points at the ConfigMap for
    LiteLLM's config.yaml; together they are exactly the values the program registered."""
    files = documents(rendered[stack])
    registered = render(stack).values
    assert files["application-argocd-litellm.yaml"]["spec"]["source"]["helm"]["valuesObject"] == "<values.yaml>"
    config_map = "configmap-litellm-litellm-config.yaml"
    assert files[VALUES_FILE] == {**registered, "proxy_config": f"<rendered as config.yaml in {config_map}>"}
    assert yaml.safe_load(files[config_map]["data"]["config.yaml"]) == registered["proxy_config"]


def test_the_proxy_config_is_written_as_yaml_lines_not_one_escaped_string(rendered):
    text = (rendered["prod"] / "configmap-litellm-litellm-config.yaml").read_text(encoding="utf-8")
    assert "  config.yaml: |" in text and "\\n" not in text
    assert "    model_list:\n" in text


def test_helm_stack_renders_its_release_and_values_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rendering = render("dev")
    release = next(resource.document for resource in rendering.resources if resource.type == RELEASE)
    assert (release["chart"], release["namespace"], release["timeout"]) == (
        f"vendor/charts/litellm-helm/{versions.CHART_REF}",
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
    assert "this render used the placeholder" in err and "placeholder" not in out
    assert out.startswith("rendered prod: 25 files")
    assert "| Deployment | litellm/litellm | chart | no | no |" in out


def test_bad_config_exits_non_zero_with_the_programs_message_and_no_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  litellm:replicas: 0\n", encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
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


def test_the_summary_says_who_delivers_each_object_and_what_survives(rendered):
    rows = (rendered["prod"] / SUMMARY_FILE).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "| kind | name | delivered by | protected | kept on destroy |"
    for row in (
        "| Namespace | litellm | program | yes | yes |",
        "| Secret | litellm/litellm-salt-key | program | yes | yes |",
        "| Secret | litellm/postgres | program | yes | yes |",
        "| Application | argocd/litellm | program | no | no |",
        "| Deployment | litellm/litellm | chart | no | no |",
        "| ConfigMap | litellm/litellm-config | chart | no | no |",
        "| Job | litellm/litellm-migrations | hook | no | no |",
    ):
        assert row in rows
    assert len(rows) == 2 + len(list(rendered["prod"].glob("*-*.yaml")))


def fingerprints(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8").splitlines()[0] for path in folder.glob("secret-*.yaml")}


def test_secret_files_carry_a_fingerprint_that_follows_a_non_secret_input(rendered, tmp_path, monkeypatch):
    """Bumping masterKeyVersion makes a new master key: its file shows no value, but a new fingerprint."""
    prod = fingerprints(rendered["prod"])
    assert prod and all(line.startswith("# data fingerprint: sha256:") for line in prod.values())
    document = yaml.safe_load((PROGRAM_DIR / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    document["config"]["litellm:masterKeyVersion"] = 2
    (tmp_path / "Pulumi.bumped.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
    write(render("bumped"), tmp_path / "out")
    bumped = fingerprints(tmp_path / "out")
    changed = sorted(name for name in prod if bumped[name] != prod[name])
    assert changed == ["secret-litellm-litellm-master-key.yaml"]


def test_a_failed_render_leaves_no_earlier_render_behind(rendered, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    shutil.copytree(rendered["prod"], out)
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  litellm:replicas: 0\n", encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
    assert main(["broken", "--out", str(out)]) == 1
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "text, where",
    [
        ("config:\n  litellm:replicas: [3\n", "Pulumi.typo.yaml:3:1:"),
        ("config:\n  litellm:replicas: 3\n   litellm:ui: {}\n", "Pulumi.typo.yaml:3:14:"),
        ("config:\n\tlitellm:replicas: 3\n", "Pulumi.typo.yaml:2:1:"),
    ],
    ids=["unclosed-list", "bad-indent", "tab"],
)
def test_a_yaml_error_in_a_stack_file_names_its_file_line_and_column(tmp_path, monkeypatch, capsys, text, where):
    """People edit stack files by hand: the message says where the YAML broke, as an editor counts (from 1)."""
    (tmp_path / "Pulumi.typo.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(stacks, "PROGRAM_DIR", tmp_path)
    assert main(["typo", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert where in err and "cannot be read as YAML" in err and "Traceback" not in err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A repository holding this working tree as its one commit, with the fetched charts."""
    repo = scratch_copy(tmp_path_factory.mktemp("render-diff"))
    _git(repo, "init", "--quiet")
    _git(repo, "add", "--all")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "base")
    return repo


def _commit(repo: Path, edits: dict[str, tuple[str, str]]) -> None:
    for name, (old, new) in edits.items():
        path = repo / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _git(
        repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-am", "edit"
    )


def _diff_after(
    repo: Path, edits: dict[str, tuple[str, str]], tmp_path: Path, before: dict[str, tuple[str, str]] | None = None
) -> str:
    """The review diff of prod from a commit (the base, or `before` made on it) to one making `edits`
    (file -> (old, new) text); the repository is back at its base afterwards."""
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True)
    try:
        if before:
            _commit(repo, before)
        _commit(repo, edits)
        result = subprocess.run(
            [sys.executable, "-m", "offline.render", "prod", "--out", str(tmp_path / "out"), "--diff", "HEAD~1"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True)
        assert len(worktrees.stdout.splitlines()) == 1, "the temporary worktree is removed"
        return result.stdout
    finally:
        _git(repo, "reset", "--quiet", "--hard", base.stdout.strip())


def _changed_files(diff: str) -> list[str]:
    return sorted(line.removeprefix("+++ working tree/") for line in diff.splitlines() if line.startswith("+++ "))


@pytest.mark.slow
def test_diff_against_the_previous_commit_shows_the_deployments_replicas(repo, tmp_path):
    diff = _diff_after(repo, {"Pulumi.prod.yaml": ("litellm:replicas: 3", "litellm:replicas: 4")}, tmp_path)
    assert diff.startswith("--- HEAD~1/")
    deployment = diff[diff.index("--- HEAD~1/deployment-litellm-litellm.yaml") :].split("\n--- ")[0]
    assert "\n-  replicas: 3\n" in deployment and "\n+  replicas: 4\n" in deployment


@pytest.mark.slow
def test_a_new_model_shows_once_as_lines_of_the_proxy_config(repo, tmp_path):
    model = "    - name: gpt-4o-mini\n      model: openai/gpt-4o-mini\n      apiKeyEnv: OPENAI_API_KEY\n"
    diff = _diff_after(repo, {"Pulumi.prod.yaml": ("  litellm:models:\n", f"  litellm:models:\n{model}")}, tmp_path)
    added = [line for line in diff.splitlines() if line.startswith("+") and "gpt-4o-mini" in line]
    assert added == ["+        model: openai/gpt-4o-mini", "+      model_name: gpt-4o-mini"], diff
    # The chart's checksum of the config rolls the pods and re-runs the migration hook: one line each.
    assert _changed_files(diff) == [
        "configmap-litellm-litellm-config.yaml",
        "deployment-litellm-litellm.yaml",
        "job-litellm-litellm-migrations.yaml",
    ]


@pytest.mark.slow
def test_a_rotation_shows_as_a_new_fingerprint_of_its_secret(repo, tmp_path):
    """Committed stack files hold secrets as `secure:` ciphertext; setting one again changes the ciphertext, the
    render's placeholder for it, and so the Secret's fingerprint (and the pods' secrets revision)."""
    encrypted = "config:\n  litellm:databasePassword:\n    secure: AAEAAQAAcipher-one\n"
    diff = _diff_after(
        repo,
        {"Pulumi.prod.yaml": ("cipher-one", "cipher-two")},
        tmp_path,
        before={"Pulumi.prod.yaml": ("config:\n", encrypted)},
    )
    secret = diff[diff.index("--- HEAD~1/secret-litellm-postgres.yaml") :].split("\n--- ")[0]
    assert "-# data fingerprint: sha256:" in secret and "+# data fingerprint: sha256:" in secret
    assert "PLACEHOLDER" not in diff and "cipher" not in diff


@pytest.mark.slow
def test_no_change_says_there_are_no_differences(repo, tmp_path):
    assert _diff_after(repo, {}, tmp_path) == "no differences from the render at HEAD~1\n"


def test_diff_names_an_unknown_revision(capsys, tmp_path):
    assert main(["dev", "--out", str(tmp_path), "--diff", "no-such-revision"]) == 1
    assert "'no-such-revision' is not a commit here" in capsys.readouterr().err
