#!/usr/bin/env bash
# Fetch deploy/charts/litellm-helm from the LiteLLM repository at an exact tag into
# vendor/charts/litellm-helm/<ref>/, the folder Helm delivery (litellm:delivery: helm) installs from
# and the offline render (offline/manifests.py) renders. The ArgoCD delivery renders the same folder
# of the same tag, so both modes deploy the same bytes.
#
# Either way the chart is checked against scripts/chart-sums/<ref>.sha256, the SHA-256 of every
# file at that ref, committed here: a moved tag or a tampered copy fails, naming the files.
#
# Usage: scripts/fetch-chart.sh [--from DIR] [--to DIR] [ref] [repo-url] [chart-path]
#        (defaults: v1.76.1-stable, https://github.com/BerriAI/litellm.git, deploy/charts/litellm-helm;
#         `.venv/bin/python -m scripts.chart_source <stack>` prints a stack's three values)
#        --from DIR copies a chart folder already on disk (no network) instead of the git fetch.
#        --to DIR writes the chart there instead of vendor/charts/litellm-helm/<ref>.
set -euo pipefail
from=""
to=""
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --from) from="${2:?--from needs a folder}" ;;
    --to) to="${2:?--to needs a folder}" ;;
    *) echo "fetch-chart: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
ref="${1:-v1.76.1-stable}"
repo="${2:-https://github.com/BerriAI/litellm.git}"
chart_path="${3:-deploy/charts/litellm-helm}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${to:-$root/vendor/charts/litellm-helm/$ref}"
sums="$root/scripts/chart-sums/$ref.sha256"

if [[ ! "$ref" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-+.][0-9A-Za-z.-]+)?$ && ! "$ref" =~ ^[0-9a-f]{40}$ ]]; then
  echo "fetch-chart: '$ref' is not an exact tag or commit; branches move under you" >&2
  exit 2
fi
if [[ ! -f "$sums" ]]; then
  echo "fetch-chart: no committed SHA-256 sums for $ref (${sums#"$root"/}); review the chart at that ref and" \
    "commit the output of \`sha256sum\` over its files (sorted paths, .fetched-from left out) there" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -n "$from" ]]; then
  if [[ ! -f "$from/Chart.yaml" ]]; then
    echo "fetch-chart: no chart in $from (no Chart.yaml)" >&2
    exit 1
  fi
  cp -R "$from" "$work/chart"
  chmod -R u+w "$work/chart"
  commit="$(sed -n 's/^commit: //p' "$from/.fetched-from" 2>/dev/null || true)"
  rm -f "$work/chart/.fetched-from"
  origin="$from"
else
  git -C "$work" init -q repo
  git -C "$work/repo" remote add origin "$repo"
  git -C "$work/repo" config core.sparseCheckout true
  echo "$chart_path/" > "$work/repo/.git/info/sparse-checkout"
  git -C "$work/repo" fetch -q --depth 1 --filter=blob:none origin "$ref"
  git -C "$work/repo" checkout -q FETCH_HEAD
  commit="$(git -C "$work/repo" rev-parse HEAD)"
  cp -R "$work/repo/$chart_path" "$work/chart"
  origin="$repo"
fi

# Every file listed with its sum, and no file that is not listed.
(cd "$work/chart" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$work/found"
sed 's/^[0-9a-f]*  \*\{0,1\}//' "$sums" | LC_ALL=C sort > "$work/expected"
problems="$(
  cd "$work/chart"
  sha256sum --check --quiet "$sums" 2>/dev/null | sed -e 's/: FAILED open or read$/ (missing)/' -e 's/: FAILED$/ (changed)/' || true
  LC_ALL=C comm -13 "$work/expected" "$work/found" | sed 's/$/ (not in the sums)/'
)"
if [[ -n "$problems" ]]; then
  echo "fetch-chart: the chart from $origin at $ref does not match ${sums#"$root"/}:" >&2
  sed 's/^/  /' <<< "$problems" >&2
  echo "  A moved tag or a tampered copy; nothing was written to ${dest#"$root"/}." >&2
  exit 1
fi

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$work/chart" "$dest"
printf 'ref: %s\ncommit: %s\nrepo: %s\npath: %s\n' "$ref" "${commit:-unknown}" "$repo" "$chart_path" > "$dest/.fetched-from"
echo "litellm-helm at $ref (${commit:-commit unknown}) from $origin, verified -> ${dest#"$root"/}"
