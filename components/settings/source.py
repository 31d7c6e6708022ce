"""The contract of where the chart and the image come from, and of the check that runs with the migrations."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from components.kube_types import (
    GitUrl,
    Integer,
)
from components.settings import rules
from components.settings.common import (
    IMAGE_REPOSITORY,
    IMAGE_TAG,
    VERSIONED_TAG,
    Model,
    checked_by,
)
from components.versions import CHART_PATH, CHART_REF, CHART_REPO_URL
from components.versions import IMAGE_REPOSITORY as DEFAULT_IMAGE
from components.versions import IMAGE_TAG as DEFAULT_TAG

# The official image's multi-arch index for 17.6-alpine, as pinned by several public projects (not resolved
# against Docker Hub from here: `crane digest docker.io/library/postgres:17.6-alpine` shows today's).
CHECK_IMAGE = (
    "docker.io/library/postgres:17.6-alpine@sha256:ef257d85f76e48da1c64832459b59fcaba1a4dac97bf5d7450c77753542eee94"
)


class ChartSettings(Model):
    repo_url: GitUrl = Field(
        CHART_REPO_URL,
        description="Git repository that holds the chart (ArgoCD source): https, `ssh://` or `git@host:org/repo.git`"
        " (SSH needs repository credentials in ArgoCD, or an SSH key for `scripts/fetch-chart.sh`).",
    )
    path: str = Field(CHART_PATH, min_length=1, description="Folder of the chart inside the repository.")
    ref: str = Field(
        CHART_REF,
        description="Exact git tag (or 40-hex commit) of the chart; branches, `HEAD` and `latest` are rejected.",
    )
    local_path: str | None = Field(
        None,
        description="Helm delivery only: folder holding the chart at `ref`, named after the ref. Default"
        " `vendor/charts/litellm-helm/<ref>`, filled by `scripts/fetch-chart.sh`.",
    )

    _rules = checked_by(rules.exact_chart_ref)

    @property
    def chart_folder(self) -> str:
        return self.local_path or f"vendor/charts/litellm-helm/{self.ref}"


class ImageSettings(Model):
    repository: str = Field(DEFAULT_IMAGE, description="Proxy image (also runs the migration Job).")
    tag: str = Field(
        DEFAULT_TAG,
        description="Image tag, always written to the chart values (the git chart's appVersion is v1.50.2). The"
        " default is the build of the LiteLLM release whose chart is pinned; also `<tag>@sha256:<digest>`.",
    )
    pull_policy: Literal["Always", "IfNotPresent", "Never"] = Field("IfNotPresent", description="Image pull policy.")
    allow_moving_tag: bool = Field(
        False,
        description="Accept a moving tag (`main-stable`, `latest`: no version, no digest) on a production stack"
        " (a name with `prod`, `production` or `prd`), which is refused otherwise: its pods run whatever release"
        " the tag points at when each starts, never the one the tests here verified.",
    )

    _rules = checked_by(rules.image_reference)

    @property
    def is_moving_tag(self) -> bool:
        return "@sha256:" not in self.tag and not VERSIONED_TAG.search(self.tag)


def _image_reference(value: str) -> str:
    """A whole image reference `registry/path[:tag]@sha256:digest`, as a pod's `image` takes it: the digest
    fixes the bytes (a tag on Docker Hub can move, and anonymous pulls are rate-limited: mirror it)."""
    name, _, digest = value.partition("@")
    repository, tag = name, ""
    if ":" in name.rsplit("/", 1)[-1]:
        repository, tag = name.rsplit(":", 1)
    valid = IMAGE_REPOSITORY.fullmatch(repository) and (not tag or IMAGE_TAG.fullmatch(tag))
    if not valid or not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise ValueError(
            f"{value!r} is not an image pinned by digest: lower-case registry/path, an optional :tag and"
            f" @sha256:<64 hex>, e.g. {CHECK_IMAGE}"
        )
    return value


class MigrationCheckSettings(Model):
    enabled: bool = Field(
        True,
        description="Fail the migration Job (and so the ArgoCD sync or the Helm release) unless every migration of"
        " the image has made its tables, columns, indexes, constraints and enum values in the live schema:"
        " LiteLLM's own migration exits 0 even when it failed, and marks failed migrations applied.",
    )
    image: Annotated[str, AfterValidator(_image_reference)] = Field(
        CHECK_IMAGE,
        description="Image with `sh` and `psql` that runs the check (a client version the server accepts), pinned"
        " by digest (`@sha256:`); mirror it to a registry of your own to avoid Docker Hub's pull limits.",
    )
    timeout_seconds: Integer = Field(
        600,
        ge=30,
        le=3600,
        description="Seconds the check waits for every migration to be applied and in the schema before it fails the"
        " Job (LiteLLM retries a failing migration up to four times, a minute each); also how long the proxy"
        " image's `list-migrations` waits for the check's container to start before it fails the Job.",
    )
