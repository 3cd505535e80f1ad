import ipaddr from 'ipaddr.js';

/**
 * Tunnel address maths (IPv4): the gateway's own address, which /32s are taken, the next free one.
 * Parsing and network/broadcast arithmetic come from ipaddr.js; addresses are handled as unsigned
 * 32-bit integers only to iterate.
 */

export interface Subnet {
  readonly cidr: string;
  readonly network: number;
  readonly prefix: number;
}

function toInt(addr: ipaddr.IPv4): number {
  return addr.toByteArray().reduce((acc, b) => acc * 256 + b, 0);
}

export function intToAddress(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function addressToInt(address: string): number {
  return toInt(ipaddr.IPv4.parse(address));
}

export function parseSubnet(cidr: string): Subnet {
  const network = toInt(ipaddr.IPv4.networkAddressFromCIDR(cidr));
  const [, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  return { cidr: `${intToAddress(network)}/${String(prefix)}`, network, prefix };
}

function size(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

/** First and last usable host addresses (network and broadcast excluded for prefixes up to /30). */
export function hostRange(s: Subnet): { first: number; last: number } {
  if (s.prefix >= 31) return { first: s.network, last: s.network + size(s) - 1 };
  return { first: s.network + 1, last: s.network + size(s) - 2 };
}

export function inSubnet(address: string, s: Subnet): boolean {
  const n = addressToInt(address);
  return n >= s.network && n < s.network + size(s);
}

/** True for the network or broadcast address of a subnet up to /30 (not usable for a peer). */
export function isReserved(address: string, s: Subnet): boolean {
  const { first, last } = hostRange(s);
  const n = addressToInt(address);
  return n < first || n > last;
}

/** The gateway's tunnel address: the explicit one, or the first host of the subnet. */
export function gatewayAddress(subnet: string, explicit?: string): string {
  return explicit ?? intToAddress(hostRange(parseSubnet(subnet)).first);
}

/** "10.15.0.2/32" → "10.15.0.2" (the address part of a CIDR). */
export function cidrAddress(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

export function cidrPrefix(cidr: string): number {
  return Number(cidr.split('/')[1] ?? '32');
}

/**
 * The next free /32 in the subnet: the lowest host address that is neither the gateway's nor taken
 * by a peer. Undefined when the subnet is full.
 */
export function nextFreeAddress(subnet: string, gateway: string, taken: readonly string[]): string | undefined {
  const s = parseSubnet(subnet);
  const used = new Set([addressToInt(gateway), ...taken.map((t) => addressToInt(cidrAddress(t)))]);
  const { first, last } = hostRange(s);
  for (let n = first; n <= last; n++) {
    if (!used.has(n)) return `${intToAddress(n)}/32`;
  }
  return undefined;
}
