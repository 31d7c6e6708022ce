"""The project's default pins, in one place: the LiteLLM release, its chart and its proxy image.

The chart's templates and the proxy image move together (both are cut from the same LiteLLM
release), so one version drives the chart ref, the default image tag and the LiteLLM version the
runtime tests install. Renovate's regex manager follows the `# renovate:` comment above a value
(https://docs.renovatebot.com/modules/manager/regex/). After a bump, commit the new chart's sums
(docs/dependencies.md) and refresh the locks; tests/test_versions.py fails until the stack files,
the chart sums and the locks agree with this module.
"""

# renovate: datasource=github-tags depName=BerriAI/litellm extractVersion=^v(?<version>\d+\.\d+\.\d+)-stable$
LITELLM_VERSION = "1.76.1"
"""The LiteLLM release: the chart's tag and the proxy image are this release's."""

CHART_REPO_URL = "https://github.com/BerriAI/litellm.git"
CHART_PATH = "deploy/charts/litellm-helm"
CHART_REF = f"v{LITELLM_VERSION}-stable"
"""The chart tag whose templates the values in `components/values.py` were verified against."""

IMAGE_REPOSITORY = "ghcr.io/berriai/litellm-database"
IMAGE_TAG = f"main-v{LITELLM_VERSION}-stable"
"""The default proxy image tag: the release's own build, never a moving tag."""
