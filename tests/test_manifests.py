"""The render function: the program's objects plus the pinned chart as Helm renders it, per stack."""

import shutil

import pytest

from components import versions
from components.settings import ChartSettings
from offline.manifests import FETCHED_FROM, Manifests, RenderError, chart_folder, render_manifests
from tests.conftest import OPENAI_KEY, STACKS, fetched_chart, render_stack


@pytest.fixture(scope="module")
def rendered() -> dict[str, Manifests]:
    return {stack: render_stack(stack) for stack in STACKS}


@pytest.mark.parametrize("stack", STACKS)
def test_the_chart_renders_the_proxy_its_config_and_the_migration_hook(rendered, stack):
    sources = {(m.kind, m.name): m.source for m in rendered[stack].objects if m.source != "program"}
    assert sources == {
        ("ConfigMap", "litellm-config"): "chart",
        ("Deployment", "litellm"): "chart",
        ("Service", "litellm"): "chart",
        ("Job", "litellm-migrations"): "hook",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_chart_object_is_placed_in_the_release_namespace(rendered, stack):
    manifests = rendered[stack]
    assert manifests.namespace == "litellm"
    assert {m.namespace for m in manifests.objects if m.source != "program"} == {"litellm"}


def test_helm_test_pods_are_left_out(rendered):
    assert rendered["prod"].all("Pod") == []


def test_program_objects_keep_their_protection(rendered):
    prod = rendered["prod"]
    assert prod.manifest("Secret", "litellm-salt-key").protected
    assert prod.manifest("Secret", "litellm-salt-key").retained
    assert not prod.manifest("Secret", "litellm-master-key").retained


def test_secret_data_is_returned_as_the_program_produced_it(rendered):
    provider_keys = rendered["prod"].find("Secret", "litellm-provider-keys")
    assert provider_keys["stringData"]["OPENAI_API_KEY"] == OPENAI_KEY


def test_the_helm_release_is_not_a_manifest_but_its_values_are_rendered(rendered):
    dev = rendered["dev"]
    assert dev.delivery == "helm" and dev.all("Application") == []
    assert dev.find("Deployment")["spec"]["replicas"] == dev.values["replicaCount"] == 1


def test_find_requires_exactly_one(rendered):
    with pytest.raises(AssertionError, match="NetworkPolicy"):
        rendered["prod"].find("NetworkPolicy")
    with pytest.raises(AssertionError, match="HorizontalPodAutoscaler"):
        rendered["prod"].find("HorizontalPodAutoscaler")


def test_without_secrets_each_needed_secret_is_a_placeholder():
    manifests = render_manifests("prod")
    assert manifests.find("Secret", "litellm-provider-keys")["stringData"]["OPENAI_API_KEY"].startswith("PLACEHOLDER")


def test_a_missing_chart_names_the_fetch_command(tmp_path):
    chart = ChartSettings(local_path=str(tmp_path / versions.CHART_REF))
    with pytest.raises(RenderError) as error:
        chart_folder(chart)
    fetch = f"scripts/fetch-chart.sh {versions.CHART_REF} {versions.CHART_REPO_URL} {versions.CHART_PATH}"
    assert fetch in str(error.value)


def test_a_changed_chart_file_is_named(tmp_path):
    copy = tmp_path / versions.CHART_REF
    shutil.copytree(fetched_chart(), copy)
    (copy / "templates" / "deployment.yaml").write_text("kind: Deployment\n")
    (copy / "templates" / "extra.yaml").write_text("kind: ConfigMap\n")
    with pytest.raises(RenderError, match="changed templates/deployment.yaml; unexpected templates/extra.yaml"):
        chart_folder(ChartSettings(local_path=str(copy)))


def test_a_chart_fetched_from_another_ref_is_refused(tmp_path):
    copy = tmp_path / versions.CHART_REF
    shutil.copytree(fetched_chart(), copy)
    record = copy / FETCHED_FROM
    record.write_text(record.read_text().replace(f"ref: {versions.CHART_REF}", "ref: v0.0.1-stable"))
    with pytest.raises(RenderError, match="another ref"):
        chart_folder(ChartSettings(local_path=str(copy)))


def test_bad_config_is_a_render_error_naming_the_key():
    with pytest.raises(RenderError, match="litellm:replicas"):
        render_stack("dev", {"litellm:replicas": 0})


def test_an_upgrade_renders_the_same_objects_as_a_first_install(rendered):
    """Why the render stands for every sync and `helm upgrade`, not only the first install."""
    import helm_python

    prod = rendered["prod"]
    chart = helm_python.Chart.load(prod.chart_folder)
    install = chart.render(prod.values, name="litellm", namespace="litellm", is_install=True)
    upgrade = chart.render(prod.values, name="litellm", namespace="litellm", is_install=False, is_upgrade=True)
    assert upgrade == install
