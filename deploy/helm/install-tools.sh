#!/usr/bin/env bash
# Installs the tools deploy/helm/check.sh needs, into a cache folder, once:
#
#   helm         helm.sh/helm/v3        built with `go install` (Go module proxy)
#   kubeconform  github.com/yannh/kubeconform  built with `go install`
#   schemas      Kubernetes JSON schemas of one Kubernetes version, taken from the PyPI wheel
#                `kubernetes-validate` (fetched with `pip download`, unpacked with python3's
#                zipfile) and rewritten for kubeconform (see to_kubeconform_schemas below):
#                kubeconform's default schema source is on GitHub, which our machines cannot reach.
#
#   bash deploy/helm/install-tools.sh        idempotent: a tool at the pinned version is kept
#
# Prints HELM=..., KUBECONFORM=..., KUBE_SCHEMA_DIR=... on stdout (progress on stderr), so:
#   eval "$(bash deploy/helm/install-tools.sh)"
#
# Needs: go (>= the version helm's go.mod asks), python3, pip (pip download only; nothing is
# installed into a Python environment).
#
# Folder: ${TRAIL_INSIGHT_CACHE_DIR:-$HOME/.cache/trail-insight}/bin (tools) and .../kube-schemas.
# Go's own module and build caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.7.0
KUBERNETES_VALIDATE_VERSION=1.37.0
# Kubernetes version whose schemas check.sh validates against (a folder of the wheel).
KUBE_SCHEMA_VERSION=1.33.0

CACHE_DIR="${TRAIL_INSIGHT_CACHE_DIR:-$HOME/.cache/trail-insight}"
BIN_DIR="$CACHE_DIR/bin"
SCHEMA_ROOT="$CACHE_DIR/kube-schemas"

exec 3>&1 1>&2

log() { printf '[helm-tools] %s\n' "$*" >&2; }
die() {
  printf '[helm-tools] ERROR: %s\n' "$*" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || die "go is missing (needed to build helm and kubeconform)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"

mkdir -p "$BIN_DIR" "$SCHEMA_ROOT"

# module_version BINARY: the main module version recorded in a Go binary ("" if none).
module_version() {
  [[ -x "$1" ]] || return 0
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

# go_install NAME PACKAGE VERSION [LDFLAGS]: builds once per (version, flags). The build is
# recorded in a stamp beside the binary (`go version -m` omits -ldflags under -trimpath) and the
# binary's embedded module version is checked too.
go_install() {
  local name="$1" package="$2" version="$3" ldflags="${4:-}"
  local stamp="$BIN_DIR/.$name.build" want="$package@$version $ldflags"
  if [[ -x "$BIN_DIR/$name" && -f "$stamp" && "$(cat "$stamp")" == "$want" &&
    "$(module_version "$BIN_DIR/$name")" == "$version" ]]; then
    log "$name $version already in $BIN_DIR"
    return 0
  fi
  log "building $name $version (go install $package@$version; first time takes minutes)"
  local started=$SECONDS
  rm -f "$stamp"
  GOBIN="$BIN_DIR" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w $ldflags" \
    "$package@$version"
  log "$name built in $((SECONDS - started)) s"
  [[ "$(module_version "$BIN_DIR/$name")" == "$version" ]] ||
    die "$name: $BIN_DIR/$name does not report $version after install"
  printf '%s\n' "$want" >"$stamp"
}

# The Kubernetes version helm assumes without a cluster (lint deprecations, .Capabilities,
# kubeVersion checks) is set by helm's Makefile from its k8s.io modules (v0.37 -> 1.37); a plain
# `go install` would leave the fallback 1.20, which fails our Chart.yaml's kubeVersion.
HELM_K8S_MINOR=37
go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$(printf -- '-X %s ' \
  "helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR" \
  "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR")"
go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"

# ------------------------------------------------------------------------------- schemas
#
# kubernetes-validate ships, per Kubernetes version, one file per kind named like kubeconform's
# default template (`deployment-apps-v1.json`, `service-v1.json`) in `vX.Y.Z-local-strict/`
# (additionalProperties: false everywhere), plus `_definitions.json` which every kind file
# refers to as `/api/_definitions.json#/$defs/<name>`. kubeconform resolves a `$ref` against the
# schema's own location, so that absolute path would point at /api on this machine. We write
# `<kind>.json` files whose refs point at the sibling `_definitions.json` instead, which
# kubeconform then loads from the same folder.
SCHEMA_DIR="$SCHEMA_ROOT/v$KUBE_SCHEMA_VERSION-standalone-strict"
STAMP="$SCHEMA_DIR/.source"
SOURCE="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION v$KUBE_SCHEMA_VERSION-local-strict"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$SOURCE" ]]; then
  log "Kubernetes $KUBE_SCHEMA_VERSION schemas already in $SCHEMA_DIR"
else
  command -v pip >/dev/null 2>&1 || command -v pip3 >/dev/null 2>&1 ||
    die "pip is missing (needed to download kubernetes-validate)"
  PIP="$(command -v pip || command -v pip3)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  log "downloading kubernetes-validate $KUBERNETES_VALIDATE_VERSION (PyPI wheel, schemas only)"
  "$PIP" download --quiet --no-deps --only-binary=:all: --dest "$work" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  wheel="$(find "$work" -name 'kubernetes_validate-*.whl' | head -n 1)"
  [[ -n "$wheel" ]] || die "pip did not leave a kubernetes_validate wheel in $work"
  rm -rf "$SCHEMA_DIR.tmp"
  python3 - "$wheel" "v$KUBE_SCHEMA_VERSION-local-strict" "$SCHEMA_DIR.tmp" <<'PY'
import json, os, sys, zipfile

wheel, folder, out = sys.argv[1:]
prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
absolute = "/api/_definitions.json#"


def rewrite(node):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(absolute):
            node["$ref"] = "_definitions.json#" + ref[len(absolute):]
        for value in node.values():
            rewrite(value)
    elif isinstance(node, list):
        for value in node:
            rewrite(value)


os.makedirs(out)
count = 0
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if not name.startswith(prefix) or not name.endswith(".json"):
            continue
        schema = json.loads(archive.read(name))
        if isinstance(schema, dict):
            schema.pop("$id", None)
        rewrite(schema)
        with open(os.path.join(out, name[len(prefix):]), "w") as file:
            json.dump(schema, file, separators=(",", ":"))
        count += 1
if count == 0:
    sys.exit(f"no schemas under {prefix} in {wheel}")
print(f"[helm-tools] wrote {count} schemas to {out}", file=sys.stderr)
PY
  rm -rf "$SCHEMA_DIR"
  mv "$SCHEMA_DIR.tmp" "$SCHEMA_DIR"
  printf '%s\n' "$SOURCE" >"$STAMP"
fi

printf 'HELM=%s\nKUBECONFORM=%s\nKUBE_SCHEMA_DIR=%s\nKUBE_SCHEMA_VERSION=%s\n' \
  "$BIN_DIR/helm" "$BIN_DIR/kubeconform" "$SCHEMA_DIR" "$KUBE_SCHEMA_VERSION" >&3
