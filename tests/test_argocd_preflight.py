"""The ArgoCD preflight: an Application CRD whose schema lacks `valuesObject` (ArgoCD < 2.8) would have the
API server drop the chart values silently, so preview fails before the Application is registered."""

import pulumi
import pytest

from components.delivery import values_object_problem
from offline.harness import FakeCloud, application_crd_spec, run_program, stack_config
from tests.conftest import SECRETS

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
CRD_NAME = "applications.argoproj.io"


def _run(crd_spec, preview: bool):
    config, secret_keys = stack_config("prod", SECRETS)
    crds = {} if crd_spec is None else {CRD_NAME: crd_spec}
    return run_program(config, secret_keys, stack="prod", preview=preview, cloud=FakeCloud(crds))


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_an_application_crd_without_values_object_stops_the_run_before_the_application(preview):
    run = _run(application_crd_spec(values_object=False), preview)
    assert isinstance(run.error, pulumi.RunError)
    message = str(run.error)
    assert "spec.source.helm.valuesObject" in message and "ArgoCD older than 2.8" in message
    assert message.endswith("Upgrade ArgoCD to 2.8 or later")  # what to do about it
    assert run.of_type(APPLICATION) == []


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_an_application_crd_with_values_object_passes(preview):
    run = _run(application_crd_spec(values_object=True), preview)
    assert run.error is None
    assert len(run.of_type(APPLICATION)) == 1


def test_a_crd_read_without_a_schema_is_refused_too():
    assert "serves no argoproj.io/v1alpha1" in values_object_problem({"versions": []})
    assert "valuesObject" in values_object_problem({"versions": [{"name": "v1alpha1", "schema": None}]})


def test_the_check_reads_the_crd_as_the_provider_returns_it():
    """Field names as pulumi-kubernetes hands them to the program: snake_case, property names as written."""
    served = {
        "versions": [
            {
                "name": "v1alpha1",
                "schema": {
                    "open_apiv3_schema": {
                        "properties": {
                            "spec": {
                                "properties": {
                                    "source": {
                                        "properties": {"helm": {"properties": {"valuesObject": {"type": "object"}}}}
                                    }
                                }
                            }
                        }
                    }
                },
            }
        ]
    }
    assert values_object_problem(served) is None
    del served["versions"][0]["schema"]["open_apiv3_schema"]["properties"]["spec"]["properties"]["source"][
        "properties"
    ]["helm"]["properties"]["valuesObject"]
    assert values_object_problem(served) is not None
