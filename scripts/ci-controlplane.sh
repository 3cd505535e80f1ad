#!/usr/bin/env bash
# CI step: build (or reuse from $WARD_CACHE_DIR) kube-apiserver v1.34.x and etcd v3.6.x from the Go
# module proxy, then check they start. Needs Go >= 1.24 (on PATH or in /usr/local/go/bin) and the
# Go module proxy; openssl comes from scripts/ci-system.sh. The integration tests' global setup
# calls scripts/build-controlplane.sh again and finds the cache (a version check, no rebuild).
# Usage: bash scripts/ci-controlplane.sh      (or `source` it to get WARD_CONTROLPLANE_BIN_DIR exported)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi

t0=$SECONDS
bindir="$(bash "$repo/scripts/build-controlplane.sh" | tail -n 1)"
echo "ci-controlplane: binaries in $bindir ($((SECONDS - t0))s)"
"$bindir/kube-apiserver" --version
"$bindir/etcd" --version | head -n 1
export WARD_CONTROLPLANE_BIN_DIR="$bindir"
