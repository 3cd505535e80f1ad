#!/usr/bin/env bash
# Builds promtool from the Prometheus Go module (module version v0.316.0 = Prometheus 3.16.0) into
# $WARD_CACHE_DIR/promtool-<version>/promtool (cached by version) and links it as
# $WARD_CACHE_DIR/bin/promtool. The monitoring tests run `promtool check rules` and
# `promtool test rules` on the synthesised PrometheusRule groups.
# Kept small: -tags remove_all_sd leaves out every service-discovery plugin but file and http
# (promtool's rule commands need none), -trimpath, stripped, no cgo.
# Idempotent: skips the build when the cached binary reports the expected version.
# The last line of stdout is the promtool binary's path.
set -euo pipefail
PROM_MODULE_VERSION="v0.316.0"
PROM_VERSION="3.16.0"
cache="${WARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}"
dir="$cache/promtool-$PROM_MODULE_VERSION"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
built_version() { "$dir/promtool" --version 2>/dev/null | sed -n 's/^promtool, version \([^ ]*\).*/\1/p'; }
if [[ ! -x "$dir/promtool" ]] || [[ "$(built_version)" != "$PROM_VERSION" ]]; then
  echo "ci-promtool: building promtool $PROM_MODULE_VERSION from the Go module proxy into $dir" >&2
  mkdir -p "$dir"
  ver=github.com/prometheus/common/version
  ldflags="-s -w -X $ver.Version=$PROM_VERSION -X $ver.Branch=module -X $ver.Revision=$PROM_MODULE_VERSION"
  # Built outside the repository so its go.mod (the dev cluster's) is not consulted.
  (cd "$(mktemp -d)" && GOBIN="$dir" GOFLAGS=-trimpath CGO_ENABLED=0 \
    go install -tags remove_all_sd -ldflags "$ldflags" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROM_MODULE_VERSION") >&2
fi
mkdir -p "$cache/bin"
ln -sf "$dir/promtool" "$cache/bin/promtool"
echo "ci-promtool: $("$dir/promtool" --version | head -n 1)" >&2
echo "$dir/promtool"
