#!/usr/bin/env bash
# Fetch deploy/charts/litellm-helm from the LiteLLM repository at an exact tag into
# vendor/charts/litellm-helm/<ref>/, the folder Helm delivery (litellm:delivery: helm) installs from.
# The ArgoCD delivery renders the same folder of the same tag, so both modes deploy the same bytes.
#
# Usage: scripts/fetch-chart.sh [ref] [repo-url] [chart-path]
#        (defaults: v1.76.1-stable, https://github.com/BerriAI/litellm.git, deploy/charts/litellm-helm;
#         `.venv/bin/python -m scripts.chart_source <stack>` prints a stack's three values)
set -euo pipefail
ref="${1:-v1.76.1-stable}"
repo="${2:-https://github.com/BerriAI/litellm.git}"
chart_path="${3:-deploy/charts/litellm-helm}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/vendor/charts/litellm-helm/$ref"

if [[ ! "$ref" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-+.][0-9A-Za-z.-]+)?$ && ! "$ref" =~ ^[0-9a-f]{40}$ ]]; then
  echo "fetch-chart: '$ref' is not an exact tag or commit; branches move under you" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" remote add origin "$repo"
git -C "$work" config core.sparseCheckout true
echo "$chart_path/" > "$work/.git/info/sparse-checkout"
git -C "$work" fetch -q --depth 1 --filter=blob:none origin "$ref"
git -C "$work" checkout -q FETCH_HEAD
commit="$(git -C "$work" rev-parse HEAD)"

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$work/$chart_path" "$dest"
printf 'ref: %s\ncommit: %s\nrepo: %s\npath: %s\n' "$ref" "$commit" "$repo" "$chart_path" > "$dest/.fetched-from"
echo "litellm-helm at $ref ($commit) -> ${dest#"$root"/}"
