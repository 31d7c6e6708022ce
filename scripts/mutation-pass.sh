#!/usr/bin/env bash
# The mutation pass of docs/mutation-testing.md, in a scratch copy of the committed tree.
#   scripts/mutation-pass.sh [DIR] [-- MUTANT ...]
# DIR (default: a new temporary folder) keeps mutmut's results, so a second call with the same DIR
# goes on where the first stopped, or re-runs the named mutants (globs such as "components.values.*").
# It ends with the mutants that were run and not killed, one a line, also written to DIR/results.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -x "$root/.venv/bin/mutmut" ]]; then
  echo "mutation-pass: no mutmut in .venv: run bash scripts/setup.sh, then .venv/bin/pip install -r requirements-mutation.lock" >&2
  exit 1
fi
scratch="${1:-$(mktemp -d)}"
shift $(( $# > 0 ? 1 : 0 ))
[[ "${1:-}" == "--" ]] && shift

if [[ ! -e "$scratch/pyproject.toml" ]]; then
  mkdir -p "$scratch/mutants"
  git -C "$root" archive HEAD | tar -x -C "$scratch"
  cp -a "$root/vendor" "$scratch/"
  # The tests find the venvs and the chart beside the tree; mutmut runs them inside mutants/.
  for dir in "$scratch" "$scratch/mutants"; do
    ln -s "$(readlink -f "$root/.venv")" "$dir/.venv"
    ln -s "$(readlink -f "$root/.venv-runtime")" "$dir/.venv-runtime"
  done
  # A test lists the tree with `git ls-files`, which sees nothing in an ignored folder.
  sed -i '/^\/mutants\/$/d' "$scratch/.gitignore"
  git -C "$scratch" init -q
fi
echo "mutation pass in $scratch"
cd "$scratch"
.venv/bin/mutmut run --max-children "$(nproc)" "$@"
# Every mutant that was run and not killed (survived, timeout, ...), also kept in results.txt.
.venv/bin/mutmut results | { grep -v ': not checked$' || true; } | tee results.txt
