/**
 * IPv4 address sets as inclusive numeric intervals, for NetworkPolicy `ipBlock` peers and
 * AuthorizationPolicy `ipBlocks`. CIDR parsing is ipaddr.js's; the interval maths is ours.
 */
import ipaddr from 'ipaddr.js';

export type IpRange = readonly [number, number];

export const ALL_IPV4: IpRange = [0, 0xffffffff];

/** Parses an IPv4 CIDR (or a bare address, as /32) into its range; undefined when it is not IPv4. */
export function parseCidr(text: string): IpRange | undefined {
  try {
    const [addr, prefix] = text.includes('/') ? ipaddr.IPv4.parseCIDR(text) : [ipaddr.IPv4.parse(text), 32];
    const start = toNumber(addr.toByteArray());
    const size = 2 ** (32 - prefix);
    const network = start - (start % size);
    return [network, network + size - 1];
  } catch {
    return undefined;
  }
}

function toNumber(bytes: readonly number[]): number {
  return bytes.reduce((acc, b) => acc * 256 + b, 0);
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => String(Math.floor(n / 2 ** shift) % 256)).join('.');
}

/** netpol-analyzer's text for a range: `10.0.0.0-10.0.255.255`. */
export function formatRange([lo, hi]: IpRange): string {
  return `${formatIp(lo)}-${formatIp(hi)}`;
}

/** `cidr` minus every `except`, as sorted disjoint ranges. */
export function cidrExcept(cidr: IpRange, except: readonly IpRange[]): IpRange[] {
  let parts: IpRange[] = [cidr];
  for (const [elo, ehi] of except) {
    const next: IpRange[] = [];
    for (const [lo, hi] of parts) {
      if (ehi < lo || elo > hi) {
        next.push([lo, hi]);
        continue;
      }
      if (elo > lo) next.push([lo, elo - 1]);
      if (ehi < hi) next.push([ehi + 1, hi]);
    }
    parts = next;
  }
  return parts;
}

/**
 * Splits the IPv4 space at every boundary of `ranges`: the result covers 0.0.0.0–255.255.255.255
 * with intervals each of which lies wholly inside or wholly outside every input range. This is the
 * partition netpol-analyzer prints one line per.
 */
export function partition(ranges: readonly IpRange[]): IpRange[] {
  const cuts = new Set<number>([0]);
  for (const [lo, hi] of ranges) {
    cuts.add(lo);
    if (hi < ALL_IPV4[1]) cuts.add(hi + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((lo, i): IpRange => [lo, i + 1 < sorted.length ? sorted[i + 1]! - 1 : ALL_IPV4[1]]);
}

export function rangeWithin(inner: IpRange, outer: IpRange): boolean {
  return inner[0] >= outer[0] && inner[1] <= outer[1];
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}
