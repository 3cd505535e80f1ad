#!/usr/bin/env bash
# Debian packages the tests need: WireGuard tunnel tests (wireguard-go, wireguard-tools, nftables,
# iproute2), the HTML report test (chromium), certificates for the dev cluster (openssl); GNU time
# and python3-venv for the peer benchmark (peak RSS; Checkov from PyPI); PostgreSQL 15 server binaries
# for the DatabaseTLS probe tests (test/support/postgres.ts starts its own servers on loopback).
# Idempotent: skips apt when everything is present.
set -euo pipefail
pkgs=(wireguard-go wireguard-tools nftables iproute2 chromium openssl ca-certificates time python3-venv postgresql-15)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "Debian packages present: ${pkgs[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ci-system: need root to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
