#!/usr/bin/env bash
# Regenerates charts-src/imports (Kubernetes 1.34 API from the Go module cache, Istio CRDs from
# charts-src/imports/crds/istio.yaml). Needs Go for the first; see scripts/gen-imports.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx scripts/gen-imports.ts "$@"
