#!/usr/bin/env bash
# The README's test command (`npm test`), also what .ci/run calls: typecheck, lint, then every Jest
# tier in one run. The integration tier's globalSetup starts the real servers via stack.sh, so this
# works on a fresh machine; Jest's summary is the last thing printed and its exit code is ours.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
exec npx jest --ci --runInBand "$@"
