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
# Built with the ldflags of Helm's own Makefile (v3.19.0/Makefile: version, and the default
# Kubernetes version taken from its client-go k8s.io/client-go v0.34.0 -> 1.34). Without them a
# `go install` build reports version "v3.19" and renders for Kubernetes v1.20 by default
# (pkg/chartutil/capabilities.go), so `helm template` picks APIs the release binary does not, e.g.
# policy/v1beta1 PodDisruptionBudgets, removed in Kubernetes 1.25.
K8S_MAJOR=1
K8S_MINOR=34
stamp="$dir/.built-for-k8s-$K8S_MAJOR.$K8S_MINOR"
if [[ ! -x "$dir/helm" || ! -f "$stamp" ]] || [[ "$("$dir/helm" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]]; then
  echo "ci-helm: building helm $HELM_VERSION from the Go module proxy into $dir" >&2
  mkdir -p "$dir"
  rm -f "$stamp"
  ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.metadata="
  for pkg in pkg/lint/rules pkg/chartutil; do
    ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=$K8S_MAJOR -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$K8S_MINOR"
  done
  # Built outside the repository so its go.mod (the dev cluster's) is not consulted.
  (cd "$(mktemp -d)" && GOBIN="$dir" GOFLAGS=-trimpath CGO_ENABLED=0 go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") >&2
  touch "$stamp"
fi
mkdir -p "$cache/bin"
ln -sf "$dir/helm" "$cache/bin/helm"
echo "ci-helm: $("$dir/helm" version --short)" >&2
echo "$dir/helm"
