/**
 * L3/L4 connectivity from NetworkPolicies. For each pod class and direction the engine builds, once,
 * what its policies allow: towards (or from) other classes, towards every peer, and towards IP
 * ranges. A connection between two workloads is the source's egress AND the destination's ingress;
 * a direction no policy isolates allows everything. Candidate pairs come from these tables (plus the
 * open classes), so the work is proportional to the selectors and to the size of the answer.
 */
import { ConnSet } from './connset.js';
import { partition, rangeWithin, type IpRange } from './ipset.js';
import { hasNamedPorts, resolvePorts, type Direction, type NetPol, type NpRule } from './netpol.js';
import type { PodClass } from './nodes.js';
import type { Selection } from './selection.js';

interface IpRule {
  readonly ranges: readonly IpRange[];
  readonly conn: ConnSet;
}

/** What the policies selecting one class allow in one direction. */
export interface SideTable {
  isolated: boolean;
  /** Per peer class, resolved against the destination's ports. */
  readonly perPeer: Map<number, ConnSet>;
  /** Rules without peers whose ports need no destination (numeric or none). */
  anyStatic: ConnSet;
  /** Rules without peers using named ports (egress: resolved per destination). */
  readonly anyNamed: NpRule['ports'][];
  readonly ip: IpRule[];
}

export interface L4Tables {
  readonly classes: readonly PodClass[];
  readonly ingress: readonly SideTable[];
  readonly egress: readonly SideTable[];
  /** Partition of the address space for sources (ingress ipBlocks) and destinations (egress ipBlocks). */
  readonly ingressIps: readonly IpRange[];
  readonly egressIps: readonly IpRange[];
}

function emptySide(): SideTable {
  return { isolated: false, perPeer: new Map(), anyStatic: ConnSet.none, anyNamed: [], ip: [] };
}

function addPerPeer(side: SideTable, peer: number, conn: ConnSet): void {
  if (conn.isEmpty()) return;
  const prev = side.perPeer.get(peer);
  side.perPeer.set(peer, prev ? prev.union(conn) : conn);
}

function applyIngressRule(side: SideTable, dst: PodClass, pol: NetPol, rule: NpRule, sel: Selection): void {
  const conn = resolvePorts(rule.ports, dst.ports);
  if (conn.isEmpty()) return;
  if (rule.peers === 'any') {
    side.anyStatic = side.anyStatic.union(conn);
    return;
  }
  for (const peer of rule.peers) {
    if (peer.type === 'ip') side.ip.push({ ranges: peer.ranges, conn });
    else for (const src of sel.peerClasses(pol.namespace, peer)) addPerPeer(side, src.index, conn);
  }
}

function applyEgressRule(side: SideTable, pol: NetPol, rule: NpRule, sel: Selection): void {
  if (rule.peers === 'any') {
    if (hasNamedPorts(rule.ports)) side.anyNamed.push(rule.ports);
    side.anyStatic = side.anyStatic.union(resolvePorts(rule.ports, undefined));
    return;
  }
  for (const peer of rule.peers) {
    if (peer.type === 'ip') {
      const conn = resolvePorts(rule.ports, undefined);
      if (!conn.isEmpty()) side.ip.push({ ranges: peer.ranges, conn });
    } else {
      for (const dst of sel.peerClasses(pol.namespace, peer)) addPerPeer(side, dst.index, resolvePorts(rule.ports, dst.ports));
    }
  }
}

/**
 * The `cidr minus except` ranges of every ipBlock in `dir` rules, of every policy: the partition cuts
 * at their edges, as netpol-analyzer does (not at an `except` that falls outside its `cidr` or
 * inside another except), and ignores policyTypes as it does.
 */
function ipBoundaries(policies: readonly NetPol[], dir: Direction): IpRange[] {
  const out: IpRange[] = [];
  for (const pol of policies) {
    for (const rule of pol.rules[dir]) {
      if (rule.peers === 'any') continue;
      for (const peer of rule.peers) if (peer.type === 'ip') out.push(...peer.ranges);
    }
  }
  return out;
}

/** Builds the per-class tables of every policy. */
export function buildL4Tables(policies: readonly NetPol[], sel: Selection): L4Tables {
  const ingress = sel.classes.map(emptySide);
  const egress = sel.classes.map(emptySide);
  for (const pol of policies) {
    for (const target of sel.podsIn(pol.namespace, pol.podSelector)) {
      if (pol.isolates.ingress) {
        const side = ingress[target.index]!;
        side.isolated = true;
        for (const rule of pol.rules.ingress) applyIngressRule(side, target, pol, rule, sel);
      }
      if (pol.isolates.egress) {
        const side = egress[target.index]!;
        side.isolated = true;
        for (const rule of pol.rules.egress) applyEgressRule(side, pol, rule, sel);
      }
    }
  }
  return {
    classes: sel.classes,
    ingress,
    egress,
    ingressIps: partition(ipBoundaries(policies, 'ingress')),
    egressIps: partition(ipBoundaries(policies, 'egress')),
  };
}

/** What `src`'s egress allows towards `dst`. */
export function egressConn(t: L4Tables, src: PodClass, dst: PodClass): ConnSet {
  const side = t.egress[src.index]!;
  if (!side.isolated) return ConnSet.all;
  let conn = side.anyStatic.union(side.perPeer.get(dst.index) ?? ConnSet.none);
  for (const ports of side.anyNamed) conn = conn.union(resolvePorts(ports, dst.ports));
  return conn;
}

/** What `dst`'s ingress allows from `src`. */
export function ingressConn(t: L4Tables, src: PodClass, dst: PodClass): ConnSet {
  const side = t.ingress[dst.index]!;
  if (!side.isolated) return ConnSet.all;
  return side.anyStatic.union(side.perPeer.get(src.index) ?? ConnSet.none);
}

/** Connections between two classes: egress AND ingress. */
export function classConn(t: L4Tables, src: PodClass, dst: PodClass): ConnSet {
  const eg = egressConn(t, src, dst);
  return eg.isEmpty() ? eg : eg.intersect(ingressConn(t, src, dst));
}

function ipSideConn(side: SideTable, range: IpRange): ConnSet {
  if (!side.isolated) return ConnSet.all;
  let conn = side.anyStatic;
  for (const r of side.ip) if (r.ranges.some((x) => rangeWithin(range, x))) conn = conn.union(r.conn);
  return conn;
}

/** Connections from a class to an address range outside the cluster (egress only). */
export function toIpConn(t: L4Tables, src: PodClass, range: IpRange): ConnSet {
  return ipSideConn(t.egress[src.index]!, range);
}

/** Connections from an address range outside the cluster to a class (ingress only). */
export function fromIpConn(t: L4Tables, range: IpRange, dst: PodClass): ConnSet {
  return ipSideConn(t.ingress[dst.index]!, range);
}

/**
 * Destination classes that may receive anything from `src`: every class when `src`'s egress is
 * open or has a rule without peers, else the peers of its egress rules.
 */
export function candidateDestinations(t: L4Tables, src: PodClass, openOrAnyIngress: readonly number[], inbound: ReadonlyMap<number, number[]>): Iterable<number> {
  const side = t.egress[src.index]!;
  if (side.isolated && side.anyStatic.isEmpty() && side.anyNamed.length === 0) return side.perPeer.keys();
  return new Set([...openOrAnyIngress, ...(inbound.get(src.index) ?? [])]);
}

/** Classes whose ingress is open or has a rule without peers, and the reverse index of per-peer ingress. */
export function ingressIndex(t: L4Tables): { openOrAny: number[]; inbound: Map<number, number[]> } {
  const openOrAny: number[] = [];
  const inbound = new Map<number, number[]>();
  t.ingress.forEach((side, d) => {
    if (!side.isolated || !side.anyStatic.isEmpty()) openOrAny.push(d);
    else for (const s of side.perPeer.keys()) {
      const list = inbound.get(s);
      if (list) list.push(d);
      else inbound.set(s, [d]);
    }
  });
  return { openOrAny, inbound };
}
