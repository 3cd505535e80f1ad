#!/usr/bin/env bash
# Installs the tools the `ward flows` tests need: netpol-analyzer (the differential
# test's reference) and Debian chromium (the HTML report's browser test); and the peers
# `npm run bench -- peers` compares ward with: kube-score (Go module proxy) and Checkov (PyPI,
# in a virtualenv under $WARD_CACHE_DIR). Polaris is not installed: the Go module proxy answers
# 403 for github.com/fairwindsops/polaris.
# Idempotent: each step is skipped when its tool is already there.
# Usage: bash scripts/ci-flows.sh, then put "$WARD_CACHE_DIR/bin" (default ~/.cache/ward/bin) on PATH.
set -euo pipefail

WARD_TOOLS_BIN="${WARD_TOOLS_BIN:-${WARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}/bin}"
NETPOL_VERSION="v1.4.4"
KUBE_SCORE_VERSION="v1.20.0"
CHECKOV_VERSION="3.3.30"
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

if ! command -v kube-score >/dev/null 2>&1; then
  echo "ci-flows: installing kube-score $KUBE_SCORE_VERSION into $WARD_TOOLS_BIN"
  GOBIN="$WARD_TOOLS_BIN" go install "github.com/zegl/kube-score/cmd/kube-score@${KUBE_SCORE_VERSION}"
fi

checkov_venv="$(dirname "$WARD_TOOLS_BIN")/peers/checkov-$CHECKOV_VERSION"
if [ ! -x "$checkov_venv/bin/checkov" ]; then
  echo "ci-flows: installing Checkov $CHECKOV_VERSION into $checkov_venv"
  rm -rf "$checkov_venv"
  python3 -m venv "$checkov_venv"
  "$checkov_venv/bin/pip" install -q --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
ln -sf "$checkov_venv/bin/checkov" "$WARD_TOOLS_BIN/checkov"

if [ ! -x /usr/bin/chromium ]; then
  echo "ci-flows: installing Debian chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

echo "ci-flows: netpolicy=$(command -v netpolicy) kube-score=$(command -v kube-score) checkov=$WARD_TOOLS_BIN/checkov chromium=$(command -v chromium || echo /usr/bin/chromium)"
