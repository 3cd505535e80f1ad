#!/usr/bin/env bash
# Vendors the PrometheusRule CustomResourceDefinition of prometheus-operator into
# dev-cluster/crds/prometheus-operator.yaml, taken unchanged from the Go module
# github.com/prometheus-operator/prometheus-operator (example/prometheus-operator-crd/), as the Istio
# CRDs are vendored in dev-cluster/crds/istio.yaml. The monitoring tests install it on the dev
# cluster so the PrometheusRule ward synthesises is admitted by the real schema.
#   bash scripts/sync-prometheus-crd.sh           rewrite the copy
#   bash scripts/sync-prometheus-crd.sh --check   exit 1 when the copy differs from the module's file
# The module version below is the newest of the main module the Go module proxy serves (the
# pkg/apis/monitoring sub-module, v0.95.x, carries Go types only, no CRD YAML).
set -euo pipefail
MODULE=github.com/prometheus-operator/prometheus-operator
VERSION=v0.85.0
FILE=example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/dev-cluster/crds/prometheus-operator.yaml"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
dir="$(cd "$(mktemp -d)" && go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -n "$dir" && -f "$dir/$FILE" ]] || { echo "sync-prometheus-crd: $FILE not found in $MODULE@$VERSION" >&2; exit 2; }
tmp="$(mktemp)"
{
  echo "# The PrometheusRule CustomResourceDefinition of prometheus-operator, vendored for the dev cluster"
  echo "# and the monitoring tests by scripts/sync-prometheus-crd.sh (do not edit; --check verifies it)."
  echo "# Source: Go module $MODULE $VERSION, file $FILE,"
  echo "# taken unchanged. sha256 of the content below this header: $(sha256sum "$dir/$FILE" | cut -d' ' -f1)"
  echo "# LICENSE: Copyright The prometheus-operator Authors. Licensed under the Apache License, Version 2.0"
  echo "#   (http://www.apache.org/licenses/LICENSE-2.0), distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES"
  echo "#   OR CONDITIONS OF ANY KIND."
  cat "$dir/$FILE"
} > "$tmp"
if [[ "${1:-}" == "--check" ]]; then
  if cmp -s "$tmp" "$out"; then echo "sync-prometheus-crd: $out is in sync with $MODULE@$VERSION"; rm -f "$tmp"; exit 0; fi
  echo "sync-prometheus-crd: $out differs from $MODULE@$VERSION; run bash scripts/sync-prometheus-crd.sh" >&2; rm -f "$tmp"; exit 1
fi
mv "$tmp" "$out"
echo "sync-prometheus-crd: wrote $out"
