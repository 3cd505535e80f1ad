#!/usr/bin/env bash
# Builds Helm v3 from the Go module proxy into $WARD_CACHE_DIR/helm-<version>/helm (cached by version)
# and links it as $WARD_CACHE_DIR/bin/helm. The real-chart tests render ../shared/openg2p with it.
# Idempotent: skips the build when the cached binary reports the expected version.
# The last line of stdout is the helm binary's path.
set -euo pipefail
HELM_VERSION="v3.19.0"
cache="${WARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}"
dir="$cache/helm-$HELM_VERSION"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
if [[ ! -x "$dir/helm" ]] || ! "$dir/helm" version --short 2>/dev/null | grep -q "^${HELM_VERSION%.*}"; then
  echo "ci-helm: building helm $HELM_VERSION from the Go module proxy into $dir" >&2
  mkdir -p "$dir"
  # Built outside the repository so its go.mod (the dev cluster's) is not consulted.
  (cd "$(mktemp -d)" && GOBIN="$dir" GOFLAGS=-trimpath go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") >&2
fi
mkdir -p "$cache/bin"
ln -sf "$dir/helm" "$cache/bin/helm"
echo "ci-helm: $("$dir/helm" version --short)" >&2
echo "$dir/helm"
