#!/usr/bin/env bash
# Installs the tools the `ward flows` tests need: netpol-analyzer (the differential
# test's reference) and Debian chromium (the HTML report's browser test).
# Idempotent: each step is skipped when its tool is already there.
# Usage: bash scripts/ci-flows.sh, then put "$WARD_CACHE_DIR/bin" (default ~/.cache/ward/bin) on PATH.
set -euo pipefail

WARD_TOOLS_BIN="${WARD_TOOLS_BIN:-${WARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}/bin}"
NETPOL_VERSION="v1.4.4"
mkdir -p "$WARD_TOOLS_BIN"
export PATH="$WARD_TOOLS_BIN:$PATH"

if ! command -v netpolicy >/dev/null 2>&1; then
  echo "ci-flows: installing netpol-analyzer $NETPOL_VERSION into $WARD_TOOLS_BIN"
  # `go install ...@v1.4.4` is tried first. Where the module proxy refuses the version list it
  # needs for the deprecation check, build from the downloaded module with its own go.sum.
  if ! GOBIN="$WARD_TOOLS_BIN" GOFLAGS=-mod=mod \
    go install "github.com/np-guard/netpol-analyzer/cmd/netpolicy@${NETPOL_VERSION}"; then
    echo "ci-flows: go install failed; building from the module download instead"
    src_dir="$(go mod download -json "github.com/np-guard/netpol-analyzer@${NETPOL_VERSION}" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    work="$(mktemp -d)"
    cp -r "$src_dir/." "$work/"
    chmod -R u+w "$work"
    (cd "$work" && GOFLAGS=-mod=mod go build -o "$WARD_TOOLS_BIN/netpolicy" ./cmd/netpolicy)
    rm -rf "$work"
  fi
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "ci-flows: installing Debian chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

echo "ci-flows: netpolicy=$(command -v netpolicy) chromium=$(command -v chromium || echo /usr/bin/chromium)"
