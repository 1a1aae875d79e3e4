#!/usr/bin/env bash
# Assembles the runtime tree of the trail-insight image into OUT (default /app): the bundles of
# every service and the CLI, the workspace manifests, and production node_modules only. The
# Dockerfile runs this in its build stage; libs/testing/src/image-layout.integration-spec.ts runs
# it into a temporary folder and boots services from there, so what the image holds is tested
# on machines without a Docker daemon.
#
# Needs: the repository with its dev dependencies installed (npm ci), Node 20, npm.
# Usage: bash deploy/image/assemble.sh [OUT]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-/app}"
SERVICES=(aggregator cli console detector ingest sink-oss sink-sls)

log() { printf '[image] %s\n' "$*" >&2; }

if [[ ! -d "$ROOT/node_modules" ]]; then
  log "no node_modules in $ROOT: run npm ci first"
  exit 1
fi

log "bundling ${SERVICES[*]}"
node "$ROOT/deploy/build/bundle.mjs" "${SERVICES[@]}" >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$ROOT/.npmrc" "$OUT/"
for service in "${SERVICES[@]}"; do
  mkdir -p "$OUT/services/$service"
  cp -R "$ROOT/services/$service/dist" "$OUT/services/$service/dist"
done
# the CLI is the one npm workspace: its manifest and bin entry
cp "$ROOT/services/cli/package.json" "$OUT/services/cli/"
cp -R "$ROOT/services/cli/bin" "$OUT/services/cli/bin"

log "installing production dependencies into $OUT"
# --ignore-scripts: the root `prepare` script bundles, which needs dev dependencies (done above)
(cd "$OUT" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
