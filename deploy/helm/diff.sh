#!/usr/bin/env bash
# Prints the diff of the rendered chart between a base commit and the work tree, with the default
# values and with deploy/helm/ci-values.yaml, for review (STYLE rule 24: CI posts it on changes).
#
#   bash deploy/helm/diff.sh [BASE]      BASE defaults to main; exit 0 whether or not it differs
#
# A base without the chart renders as empty, so the first commit of the chart shows in full.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${1:-main}"

eval "$(bash "$ROOT/deploy/helm/install-tools.sh")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base"

git -C "$ROOT" rev-parse --verify --quiet "$BASE^{commit}" >/dev/null ||
  { printf 'diff.sh: unknown base %s\n' "$BASE" >&2; exit 2; }
if git -C "$ROOT" cat-file -e "$BASE:helm/trail-insight/Chart.yaml" 2>/dev/null; then
  git -C "$ROOT" archive "$BASE" helm/trail-insight deploy/helm | tar -x -C "$work/base"
fi

# render ROOT-DIR VARIANT: the chart under ROOT-DIR, or nothing when it has no chart.
render() {
  local dir="$1" variant="$2"
  [[ -f "$dir/helm/trail-insight/Chart.yaml" ]] || return 0
  local args=()
  if [[ "$variant" == ci && -f "$dir/deploy/helm/ci-values.yaml" ]]; then
    args=(-f "$dir/deploy/helm/ci-values.yaml")
  fi
  "$HELM" template trail-insight "$dir/helm/trail-insight" --namespace trail-insight \
    --kube-version "$KUBE_SCHEMA_VERSION" "${args[@]}" 2>&1 |
    sed -e 's/^\( *helm\.sh\/chart: \).*/\1<chart version>/' || true
}

for variant in default ci; do
  render "$work/base" "$variant" >"$work/$variant.base.yaml"
  render "$ROOT" "$variant" >"$work/$variant.head.yaml"
  printf '### rendered diff (%s values) %s..work tree\n' "$variant" "$BASE"
  diff -u --label "$BASE/$variant" --label "work-tree/$variant" \
    "$work/$variant.base.yaml" "$work/$variant.head.yaml" || true
done
