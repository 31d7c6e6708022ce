#!/usr/bin/env bash
# Move every LiteLLM pin of the project to another release in one go, run every tier against it, and
# write a report of what changed for this program (scripts/upgrade_report.py). On a branch of its own:
# commit the result only once the tests and the report say it holds (docs/upgrades.md).
#
# Usage: scripts/bump-litellm.sh <version> --chart-ref <tag or 40-hex commit> [options]
#   --chart-from DIR      a copy of the chart at that ref on disk, instead of the git fetch
#   --image-tag TAG       the proxy image tag of that release (default main-v<version>-stable, the tag
#                         LiteLLM's release workflow gives a stable release; check it exists)
#   --exclude-newer DATE  newest upload day for the runtime lock (default: the day after <version>'s upload)
#   --report FILE         where the report goes (default rendered/bump-litellm-<version>.md)
#
# What moves: components/versions.py, the stack files' chart ref and versioned image tags (a digest is
# dropped: resolve it again), scripts/fetch-chart.sh's default, scripts/chart-sums/<ref>.sha256 (new),
# vendor/charts/litellm-helm/<ref>, requirements-runtime.in/.lock, .venv-runtime and
# components/data/litellm.json; components/data/schema-compatibility.json gains the pair's verdict (whether
# the old release's schema survives the new migrations: a fact that holds on every branch, for canaries). It replaces .venv-runtime (a link there is removed, not its target) and
# writes vendor/, which must not be a link into another checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '6,12p' "$0" >&2; exit 2; }

version="${1:-}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "bump-litellm: '$version' is not a release version (x.y.z)" >&2; usage; }
shift
chart_ref="" chart_from="" image_tag="main-v$version-stable" exclude_newer="" report="rendered/bump-litellm-$version.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --chart-ref) chart_ref="${2:?}" ;;
    --chart-from) chart_from="${2:?}" ;;
    --image-tag) image_tag="${2:?}" ;;
    --exclude-newer) exclude_newer="${2:?}" ;;
    --report) report="${2:?}" ;;
    *) echo "bump-litellm: unknown option $1" >&2; usage ;;
  esac
  shift 2
done
[[ -n "$chart_ref" ]] || { echo "bump-litellm: --chart-ref is required (the chart's tag or commit for $version)" >&2; usage; }
if [[ -L vendor ]]; then
  echo "bump-litellm: vendor is a link (to another checkout's?); the bump writes charts there: make it a folder" >&2
  exit 2
fi

python=.venv/bin/python
read -r old_version old_ref old_tag repo chart_path < <($python -c '
from components import versions as v
print(v.LITELLM_VERSION, v.CHART_REF, v.IMAGE_TAG, v.CHART_REPO_URL, v.CHART_PATH)')
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
site_packages() { ls -d .venv-runtime/lib/python3*/site-packages; }
step() { echo "bump-litellm: $*"; }

step "snapshot of $old_version (chart $old_ref) before anything moves"
chart_copies="${CHART_COPIES:-../shared/charts/litellm-helm}"
if [[ ! -d "vendor/charts/litellm-helm/$old_ref" ]]; then
  if [[ -d "$chart_copies/$old_ref" ]]; then
    scripts/fetch-chart.sh --from "$chart_copies/$old_ref" "$old_ref" "$repo" "$chart_path"
  else
    scripts/fetch-chart.sh "$old_ref" "$repo" "$chart_path"
  fi
fi
$python -m scripts.upgrade_report snapshot "$(site_packages)" "vendor/charts/litellm-helm/$old_ref" > "$work/old.json"

step "the chart at $chart_ref: its sums recorded, then verified and vendored by fetch-chart.sh"
if [[ -n "$chart_from" ]]; then
  cp -R "$chart_from" "$work/chart"
else
  git -C "$work" init -q repo
  git -C "$work/repo" remote add origin "$repo"
  git -C "$work/repo" sparse-checkout set --no-cone "$chart_path/"
  git -C "$work/repo" fetch -q --depth 1 --filter=blob:none origin "$chart_ref"
  git -C "$work/repo" checkout -q FETCH_HEAD
  cp -R "$work/repo/$chart_path" "$work/chart"
fi
rm -f "$work/chart/.fetched-from"
(cd "$work/chart" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum) \
  > "scripts/chart-sums/$chart_ref.sha256"
scripts/fetch-chart.sh --from "$work/chart" "$chart_ref" "$repo" "$chart_path"

step "the pins: components/versions.py, stack files, fetch-chart.sh, requirements-runtime.in"
$python - "$version" "$chart_ref" "$image_tag" "$old_ref" "$old_tag" <<'EOF'
import re
import sys
from pathlib import Path

version, ref, tag, old_ref, old_tag = sys.argv[1:]
versions = Path("components/versions.py")
text = versions.read_text(encoding="utf-8")
text = re.sub(r'^LITELLM_VERSION = ".*"$', f'LITELLM_VERSION = "{version}"', text, flags=re.M)
chart = 'f"v{LITELLM_VERSION}-stable"' if ref == f"v{version}-stable" else f'"{ref}"'
text = re.sub(r"^CHART_REF = .*$", f"CHART_REF = {chart}", text, flags=re.M)
image = 'f"main-v{LITELLM_VERSION}-stable"' if tag == f"main-v{version}-stable" else f'"{tag}"'
text = re.sub(r"^IMAGE_TAG = .*$", f"IMAGE_TAG = {image}", text, flags=re.M)
versions.write_text(text, encoding="utf-8")
for stack in sorted(Path(".").glob("Pulumi.*.yaml")):
    before = stack.read_text(encoding="utf-8")
    after = re.sub(rf"^(\s*ref:\s*){re.escape(old_ref)}\s*$", rf"\g<1>{ref}", before, flags=re.M)
    pinned = rf"^(\s*tag:\s*){re.escape(old_tag)}(@sha256:[0-9a-f]{{64}})?\s*$"
    digests = [match for match in re.finditer(pinned, after, flags=re.M) if match.group(2)]
    after = re.sub(pinned, rf"\g<1>{tag}", after, flags=re.M)
    if after != before:
        stack.write_text(after, encoding="utf-8")
        print(f"  {stack}: chart ref or image tag moved" + (" (digest dropped: resolve it again)" if digests else ""))
fetch = Path("scripts/fetch-chart.sh")
fetch.write_text(re.sub(r'^ref="\$\{1:-.*\}"$', f'ref="${{1:-{ref}}}"', fetch.read_text(encoding="utf-8"), flags=re.M))
runtime = Path("requirements-runtime.in")
runtime.write_text(re.sub(r"^litellm\[proxy\]==\S+$", f"litellm[proxy]=={version}", runtime.read_text(), flags=re.M))
EOF

if [[ -z "$exclude_newer" ]]; then
  # PyPI's simple index as JSON (PEP 691) carries each file's upload time (PEP 700).
  exclude_newer="$($python - "$version" <<'EOF'
import datetime
import json
import sys
import urllib.request

version = sys.argv[1]
index = urllib.request.Request(
    "https://pypi.org/simple/litellm/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
)
with urllib.request.urlopen(index, timeout=60) as answer:
    files = json.load(answer)["files"]
uploads = [
    file["upload-time"]
    for file in files
    if file["filename"].startswith(f"litellm-{version}-") or file["filename"] == f"litellm-{version}.tar.gz"
]
if not uploads:
    sys.exit(f"bump-litellm: litellm {version} is not on PyPI")
day = datetime.datetime.fromisoformat(max(uploads).replace("Z", "+00:00")).date()
print(day + datetime.timedelta(days=1))
EOF
)"
fi
step "the runtime lock as of $exclude_newer, and .venv-runtime from it"
nice .venv/bin/uv pip compile -q --universal --python-version 3.11 --generate-hashes --exclude-newer "$exclude_newer" \
  requirements-runtime.in -o requirements-runtime.lock
rm -rf .venv-runtime
python3 -m venv .venv-runtime
nice .venv-runtime/bin/pip install -q --no-deps -r requirements-runtime.lock

step "lists derived from the installed package: components/data/litellm.json"
$python -m scripts.litellm_release "$(site_packages)" > components/data/litellm.json
$python -m scripts.upgrade_report snapshot "$(site_packages)" "vendor/charts/litellm-helm/$chart_ref" > "$work/new.json"

step "every tier against $version (nice; minutes)"
status=0
nice "$python" -m pytest -q -p no:cacheprovider > "$work/tests.log" 2>&1 || status=$?
{ grep -E '^(FAILED|ERROR) ' "$work/tests.log" || true; tail -n 1 "$work/tests.log"; } > "$work/tiers.txt"

mkdir -p "$(dirname "$report")"
{
  $python -m scripts.upgrade_report report "$work/old.json" "$work/new.json" --tiers "$work/tiers.txt" \
    --record components/data/schema-compatibility.json
  echo "## Still naming $old_version (review by hand: docs, comments, hand-copied lists)"
  echo
  git grep -n -F "$old_version" -- ':!*.lock' ':!scripts/chart-sums/*' ':!components/data/*' | sed 's/^/- /' || echo "- none"
} > "$report"
step "report: $report; tests exit $status"
exit "$status"
