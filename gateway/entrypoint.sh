#!/usr/bin/env bash
# ward WireGuard admin gateway: applies what ward rendered, decides nothing itself.
#
#   1. checks the private key mounted from the Secret (never printed);
#   2. creates the interface: kernel module via netlink (`ip link add type wireguard`), falling
#      back to userspace wireguard-go (needs /dev/net/tun);
#   3. `wg setconf` with the rendered peers (ListenPort + one [Peer] per admin, AllowedIPs /32),
#      then the private key and preshared keys from their mounted files;
#   4. address, MTU, up; applies the rendered nftables ruleset (`nft -f`);
#   5. stays in the foreground until SIGTERM; exits non-zero if the interface dies.
#
# Every path comes from the environment (the Deployment sets them; tests point them at temp files).
set -Eeuo pipefail

WG_INTERFACE="${WG_INTERFACE:-wg0}"
WG_PRIVATE_KEY_FILE="${WG_PRIVATE_KEY_FILE:-/etc/wireguard/key/privatekey}"
WG_CONFIG_FILE="${WG_CONFIG_FILE:-/etc/wireguard/config/wg0.conf}"
WG_FIREWALL_FILE="${WG_FIREWALL_FILE:-/etc/wireguard/config/nftables.conf}"
WG_PRESHARED_KEYS_FILE="${WG_PRESHARED_KEYS_FILE:-/etc/wireguard/config/presharedkeys}"
WG_ADDRESS="${WG_ADDRESS:-}"
WG_MTU="${WG_MTU:-1380}"
# auto (kernel, then userspace) | userspace | kernel
WG_MODE="${WG_MODE:-auto}"
WG_USERSPACE="${WG_QUICK_USERSPACE_IMPLEMENTATION:-wireguard-go}"

userspace_pid=""
sleep_pid=""
created=""
# Removes only what this process created.
cleanup() {
  if [ -n "$created" ]; then
    nft delete table inet ward_wireguard 2>/dev/null || true
    ip link delete dev "$WG_INTERFACE" 2>/dev/null || true
  fi
  if [ -n "$userspace_pid" ]; then kill "$userspace_pid" 2>/dev/null || true; fi
  if [ -n "$sleep_pid" ]; then kill "$sleep_pid" 2>/dev/null || true; fi
}

log() { printf 'ward-gateway: %s\n' "$*" >&2; }
die() { log "error: $*"; cleanup; exit 1; }

check_inputs() {
  [ -n "$WG_ADDRESS" ] || die "WG_ADDRESS is not set: the gateway's tunnel address with the subnet prefix, e.g. 10.15.0.1/24"
  [ -e "$WG_PRIVATE_KEY_FILE" ] || die "private key file $WG_PRIVATE_KEY_FILE is missing: mount the Secret named in spec.wireguard.privateKeySecret (ward never writes the key anywhere else)"
  [ -r "$WG_PRIVATE_KEY_FILE" ] || die "private key file $WG_PRIVATE_KEY_FILE is not readable"
  local key
  key="$(tr -d '\n' < "$WG_PRIVATE_KEY_FILE")"
  if ! [[ "$key" =~ ^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$ ]]; then
    die "private key in $WG_PRIVATE_KEY_FILE is malformed: expected 44 characters of base64 encoding 32 bytes (as printed by \`wg genkey\` or \`ward wg keygen\`)"
  fi
  unset key
  for f in "$WG_CONFIG_FILE" "$WG_FIREWALL_FILE"; do
    [ -r "$f" ] || die "rendered file $f is missing: mount the ConfigMap ward synthesised (or \`ward wg render\`)"
  done
}

create_interface() {
  if [ "$WG_MODE" != userspace ] && ip link add dev "$WG_INTERFACE" type wireguard 2>/dev/null; then
    created=1
    log "created $WG_INTERFACE with the kernel module"
    return
  fi
  [ "$WG_MODE" != kernel ] || die "cannot create $WG_INTERFACE with the kernel module (ip link add type wireguard failed) and WG_MODE=kernel"
  command -v "$WG_USERSPACE" >/dev/null || die "kernel WireGuard unavailable and userspace implementation $WG_USERSPACE not found"
  [ -c /dev/net/tun ] || die "kernel WireGuard unavailable and /dev/net/tun is missing (needed by $WG_USERSPACE)"
  WG_PROCESS_FOREGROUND=1 "$WG_USERSPACE" -f "$WG_INTERFACE" &
  userspace_pid=$!
  created=1
  for _ in $(seq 1 50); do
    if ip link show dev "$WG_INTERFACE" >/dev/null 2>&1 && wg show "$WG_INTERFACE" >/dev/null 2>&1; then
      log "created $WG_INTERFACE with $WG_USERSPACE (pid $userspace_pid)"
      return
    fi
    kill -0 "$userspace_pid" 2>/dev/null || die "$WG_USERSPACE exited before $WG_INTERFACE came up"
    sleep 0.1
  done
  die "$WG_INTERFACE did not come up under $WG_USERSPACE"
}

configure() {
  wg setconf "$WG_INTERFACE" "$WG_CONFIG_FILE"
  wg set "$WG_INTERFACE" private-key "$WG_PRIVATE_KEY_FILE"
  if [ -r "$WG_PRESHARED_KEYS_FILE" ]; then
    local pub path
    while read -r pub path; do
      [ -n "$pub" ] || continue
      [ -r "$path" ] || die "preshared key file $path is missing: mount the peer's presharedKeySecretRef"
      wg set "$WG_INTERFACE" peer "$pub" preshared-key "$path"
    done < "$WG_PRESHARED_KEYS_FILE"
  fi
  ip address add "$WG_ADDRESS" dev "$WG_INTERFACE"
  ip link set dev "$WG_INTERFACE" mtu "$WG_MTU" up
  nft -f "$WG_FIREWALL_FILE"
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 1 ]; then
    log "warning: net.ipv4.ip_forward is 0: nothing is forwarded (set the pod sysctl; the kubelet needs --allowed-unsafe-sysctls=net.ipv4.ip_forward)"
  fi
}

main() {
  check_inputs
  trap 'cleanup; exit 1' ERR
  trap 'log "stopping"; cleanup; exit 0' TERM INT
  create_interface
  configure
  trap - ERR
  log "$WG_INTERFACE up at $WG_ADDRESS, UDP $(wg show "$WG_INTERFACE" listen-port), $(wg show "$WG_INTERFACE" peers | grep -c . || true) peer(s), firewall applied"
  if [ -n "$userspace_pid" ]; then
    wait "$userspace_pid" || true
    die "$WG_USERSPACE exited: $WG_INTERFACE is gone"
  fi
  sleep infinity &
  sleep_pid=$!
  wait "$sleep_pid"
}

main "$@"
