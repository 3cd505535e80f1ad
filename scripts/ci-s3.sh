#!/usr/bin/env bash
# A real S3 server for the AttachmentsPrivate probe tests: Versity's versitygw (an S3 gateway over a
# POSIX directory), built from its Go module and cached by version under $WARD_CACHE_DIR. MinIO is
# not usable from the Go module proxy: `go list -m -versions github.com/minio/minio` lists no version
# (its releases are tagged RELEASE.…, not semver). Idempotent.
set -euo pipefail
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
cache="${WARD_CACHE_DIR:-$HOME/.cache/ward}"
dir="$cache/versitygw-$VERSITYGW_VERSION"
mkdir -p "$cache/bin"
if [ ! -x "$dir/versitygw" ]; then
  mkdir -p "$dir"
  (cd "$(mktemp -d)" && GOBIN="$dir" GOFLAGS=-trimpath CGO_ENABLED=0 go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") >&2
fi
ln -sf "$dir/versitygw" "$cache/bin/versitygw"
echo "versitygw $VERSITYGW_VERSION: $dir/versitygw"
