#!/usr/bin/env bash
# Installs what the real WireGuard tunnel test (test/system/wireguard-tunnel.test.ts) needs:
# wireguard-go (userspace WireGuard), wireguard-tools (wg, wg-quick), nftables (nft), iproute2
# (ip netns). The test's TCP server and client are Node one-liners. Idempotent: does nothing when
# every tool is already on PATH. Needs root (apt-get).
set -euo pipefail

need=()
command -v wireguard-go >/dev/null 2>&1 || need+=(wireguard-go)
command -v wg >/dev/null 2>&1 || need+=(wireguard-tools)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ci-wireguard: wireguard-go, wg, nft and ip already installed"
  exit 0
fi

echo "ci-wireguard: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "ci-wireguard: installed ${need[*]}"
