"""The admin UI switch and the Enterprise licence, as the real chart renders them. What they do on
the real proxy is proven in tests/runtime (test_ui_tracing_redis.py)."""

from offline.manifests import render_manifests
from tests.conftest import SECRETS

LICENCE = "litellm-licence-FAKE-42"
UI_OFF_PATH = "/etc/litellm-admin-ui-off"


def _container(pod_spec: dict, name: str) -> dict:
    (container,) = [c for c in pod_spec["containers"] if c["name"] == name]
    return container


def test_ui_off_mounts_the_start_up_hook_into_the_proxy_and_puts_it_on_pythonpath():
    manifests = render_manifests("prod", {"litellm:ui": {"enabled": False}}, SECRETS)
    config_map = manifests.find("ConfigMap", "litellm-admin-ui-off")
    hook = config_map["data"]["sitecustomize.py"]
    assert 'os.path.join(package, "proxy", "_experimental", "out")' in hook
    pod = manifests.find("Deployment", "litellm")["spec"]["template"]["spec"]
    proxy = _container(pod, "litellm")
    (mount,) = [m for m in proxy["volumeMounts"] if m["mountPath"] == UI_OFF_PATH]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["configMap"]["name"] == "litellm-admin-ui-off"
    env = {entry["name"]: entry.get("value") for entry in proxy["env"]}
    assert env["PYTHONPATH"] == UI_OFF_PATH
    assert env["DISABLE_ADMIN_UI"] == "True"


def test_ui_on_leaves_the_pods_as_the_chart_makes_them():
    manifests = render_manifests("prod", None, SECRETS)
    assert not [c for c in manifests.all("ConfigMap") if c["metadata"]["name"] == "litellm-admin-ui-off"]
    proxy = _container(manifests.find("Deployment", "litellm")["spec"]["template"]["spec"], "litellm")
    assert "PYTHONPATH" not in {entry["name"] for entry in proxy["env"]}


def test_the_application_waits_for_the_start_up_hook():
    manifests = render_manifests("prod", {"litellm:ui": {"enabled": False}}, SECRETS)
    (hook,) = [
        r
        for r in manifests.run.registrations
        if r.type == "kubernetes:core/v1:ConfigMap" and r.inputs["metadata"]["name"] == "litellm-admin-ui-off"
    ]
    (application,) = [r for r in manifests.run.registrations if r.type.endswith(":Application")]
    assert hook.urn in application.dependencies


def test_the_licence_reaches_the_proxy_as_litellm_license_from_its_secret():
    manifests = render_manifests(
        "prod",
        {"litellm:serviceMonitor": {"enabled": True}},
        {**SECRETS, "litellm:licenseKey": LICENCE},
    )
    assert manifests.find("Secret", "litellm-license")["stringData"] == {"LITELLM_LICENSE": LICENCE}
    proxy = _container(manifests.find("Deployment", "litellm")["spec"]["template"]["spec"], "litellm")
    assert {"secretRef": {"name": "litellm-license"}} in proxy["envFrom"]
    assert LICENCE not in str(manifests.values)
