#!/usr/bin/env bash
# Build a real kube-apiserver and etcd from the published Go modules in
# dev-cluster/go (see ../shared/reference/control-plane.md) into an ignored cache:
#   ${WARD_CACHE_DIR:-<repo>/.cache}/controlplane/k8s-<ver>-etcd-<ver>/{kube-apiserver,etcd}
# Idempotent: skips the build when both binaries exist and report the expected
# version. Progress goes to stderr; the LAST line of stdout is the bin dir.
# Env: WARD_CACHE_DIR, WARD_GO_BUILD_P (go build -p, default nproc; one link at a time needs ~3 GB),
#      WARD_CONTROLPLANE_REBUILD=1 to force a rebuild, WARD_GO_BIN=/path/to/go to pick the Go binary.
# Exit codes: 0 ok, 3 Go is missing (callers treat this as a missing prerequisite), other = build failed.
set -euo pipefail

# Everything runs inside main, so bash has parsed the whole file before it runs any of it
# (editing this script while a build runs cannot break that build).
main() {
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mod="$repo/dev-cluster/go"
  cache="${WARD_CACHE_DIR:-$repo/.cache}"

  log() { printf 'build-controlplane: %s\n' "$*" >&2; }
  die() { log "ERROR: $*"; exit 1; }

  # Versions come from go.mod so there is a single source of truth.
  k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$mod/go.mod")"
  etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ { print $2; exit }' "$mod/go.mod")"
  [[ -n "$k8s_version" && -n "$etcd_version" ]] || die "cannot read k8s.io/kubernetes / etcd versions from $mod/go.mod"
  k8s_minor="$(cut -d. -f2 <<<"$k8s_version")"

  bindir="$cache/controlplane/k8s-$k8s_version-etcd-$etcd_version"

  is_current() {
    [[ -x "$bindir/kube-apiserver" && -x "$bindir/etcd" ]] || return 1
    [[ "$("$bindir/kube-apiserver" --version 2>/dev/null)" == "Kubernetes $k8s_version" ]] || return 1
    # Capture first: `grep -q` in a pipeline would exit early, SIGPIPE etcd and fail under pipefail.
    local etcd_out
    etcd_out="$("$bindir/etcd" --version 2>/dev/null)" || return 1
    grep -qx "etcd Version: ${etcd_version#v}" <<<"$etcd_out" || return 1
  }

  if [[ "${WARD_CONTROLPLANE_REBUILD:-}" != "1" ]] && is_current; then
    log "up to date: kube-apiserver $k8s_version, etcd $etcd_version"
    echo "$bindir"
    exit 0
  fi

  # Go: $WARD_GO_BIN, else `go` on PATH, else the official tarball's /usr/local/go/bin/go.
  go_bin="${WARD_GO_BIN:-$(command -v go 2>/dev/null || true)}"
  if [[ -z "${WARD_GO_BIN:-}" && -z "$go_bin" && -x /usr/local/go/bin/go ]]; then go_bin=/usr/local/go/bin/go; fi
  if [[ -z "$go_bin" || ! -x "$go_bin" ]]; then
    log "ERROR: Go is not installed ('go' is not on PATH${WARD_GO_BIN:+, WARD_GO_BIN=$WARD_GO_BIN is not executable}) and no cached binaries are in $bindir."
    log "       Install Go >= 1.24 (https://go.dev/dl, or put /usr/local/go/bin on PATH) to build"
    log "       kube-apiserver and etcd from the Go module proxy, or set WARD_CACHE_DIR to a cache that has them."
    exit 3
  fi
  export PATH="$(dirname "$go_bin"):$PATH"

  mkdir -p "$bindir"
  # Serialise concurrent builds (parallel test runs, several checkouts sharing a cache).
  exec 9>"$bindir/.build.lock"
  if command -v flock >/dev/null 2>&1; then
    log "waiting for build lock $bindir/.build.lock"
    flock 9
    if [[ "${WARD_CONTROLPLANE_REBUILD:-}" != "1" ]] && is_current; then
      log "built by another process meanwhile"
      echo "$bindir"
      exit 0
    fi
  fi

  export GOTOOLCHAIN=local GOFLAGS=-mod=mod
  export CGO_ENABLED="${CGO_ENABLED:-0}"
  par="${WARD_GO_BUILD_P:-$(nproc 2>/dev/null || echo 2)}"
  vpkg=k8s.io/component-base/version
  k8s_ldflags="-s -w -X $vpkg.gitVersion=$k8s_version -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$k8s_minor -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"

  tmp="$(mktemp -d "$bindir/.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT

  start=$SECONDS
  log "go $(go env GOVERSION), -p $par, building etcd $etcd_version"
  (cd "$mod" && go build -p "$par" -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./cmd/etcd)
  log "etcd built after $((SECONDS - start))s; building kube-apiserver $k8s_version (several minutes cold)"
  (cd "$mod" && go build -p "$par" -trimpath -ldflags "$k8s_ldflags" -o "$tmp/kube-apiserver" ./cmd/kube-apiserver)
  mv -f "$tmp/etcd" "$bindir/etcd"
  mv -f "$tmp/kube-apiserver" "$bindir/kube-apiserver"
  is_current || die "built binaries do not report the expected versions ($k8s_version / $etcd_version)"
  log "built in $((SECONDS - start))s: $(du -h "$bindir/kube-apiserver" | cut -f1) kube-apiserver, $(du -h "$bindir/etcd" | cut -f1) etcd"
  echo "$bindir"
}

main "$@"
