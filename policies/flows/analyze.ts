/**
 * Effective connectivity: every allowed (and partially allowed) connection between workloads and
 * address ranges outside the cluster, on the NetworkPolicy layer, the Istio layer or both. Pure:
 * the object index in, the flow graph out.
 */
import type { ObjectIndex } from '../index/object-index.js';
import { parseAuthorizationPolicies } from './authz.js';
import { ConnSet } from './connset.js';
import type { IpRange } from './ipset.js';
import { buildL4Tables, candidateDestinations, classConn, fromIpConn, ingressIndex, toIpConn, type L4Tables } from './l4.js';
import { MeshLayer } from './mesh.js';
import { parseNetworkPolicies, type NetPol } from './netpol.js';
import { buildNodes, ipNode, type FlowNode, type NodeSet, type PodClass, type WorkloadNode } from './nodes.js';
import { Selection } from './selection.js';

export type Layer = 'l4' | 'mesh' | 'both';
export const LAYERS: readonly Layer[] = ['l4', 'mesh', 'both'];

export interface FlowEdge {
  readonly src: FlowNode;
  readonly dst: FlowNode;
  /** Allowed on every layer evaluated. */
  readonly conn: ConnSet;
  /** Allowed only for requests meeting L7 conditions (Istio layer); empty on the L4 layer. */
  readonly partial: ConnSet;
}

export interface FlowAnalysis {
  readonly layer: Layer;
  readonly workloads: readonly WorkloadNode[];
  readonly edges: readonly FlowEdge[];
}

/** Everything computed once per input and shared by the analysis and by --explain. */
export interface FlowContext {
  readonly index: ObjectIndex;
  readonly nodes: NodeSet;
  readonly selection: Selection;
  readonly netpols: readonly NetPol[];
  readonly l4: L4Tables;
  readonly mesh: MeshLayer;
}

export function buildFlowContext(index: ObjectIndex): FlowContext {
  const nodes = buildNodes(index);
  const namespaces = [...new Set([...index.namespaces(), ...nodes.classes.map((c) => c.namespace)])];
  const selection = new Selection(nodes.classes, namespaces, (ns) => index.namespaceLabels(ns));
  const netpols = parseNetworkPolicies(index);
  return {
    index,
    nodes,
    selection,
    netpols,
    l4: buildL4Tables(netpols, selection),
    mesh: new MeshLayer(index, parseAuthorizationPolicies(index)),
  };
}

function compareEdges(a: FlowEdge, b: FlowEdge): number {
  if (a.src.id !== b.src.id) return a.src.id < b.src.id ? -1 : 1;
  return a.dst.id < b.dst.id ? -1 : a.dst.id > b.dst.id ? 1 : 0;
}

interface Emit {
  (src: FlowNode, dst: FlowNode, conn: ConnSet, partial: ConnSet): void;
}

function podPairs(ctx: FlowContext, layer: Layer, emit: Emit): void {
  const { l4, mesh } = ctx;
  const { openOrAny, inbound } = ingressIndex(l4);
  const all = ctx.nodes.classes.map((c) => c.index);
  for (const s of ctx.nodes.classes) {
    const candidates = layer === 'mesh' ? all : candidateDestinations(l4, s, openOrAny, inbound);
    for (const di of candidates) {
      const d = ctx.nodes.classes[di]!;
      const conn = layer === 'mesh' ? ConnSet.all : classConn(l4, s, d);
      if (conn.isEmpty()) continue;
      const m = layer === 'l4' ? undefined : mesh.ports({ kind: 'pod', cls: s }, d);
      emitClassPair(s, d, m ? conn.intersect(m.allowed) : conn, m ? conn.intersect(m.partial) : ConnSet.none, emit);
    }
  }
}

function emitClassPair(s: PodClass, d: PodClass, conn: ConnSet, partial: ConnSet, emit: Emit): void {
  if (conn.isEmpty() && partial.isEmpty()) return;
  for (const a of s.nodes) for (const b of d.nodes) if (a !== b) emit(a, b, conn, partial);
}

/** Index of the first range starting at or after `start` (ranges sorted, disjoint). */
function firstFrom(ranges: readonly IpRange[], start: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![0] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Indexes of the partition ranges a class's side may allow: every range when the side is open or
 * has a rule without peers, else only the ranges inside its ipBlocks (work in proportion to the answer).
 */
function candidateRanges(ctx: FlowContext, dir: 'ingress' | 'egress', cls: PodClass, ranges: readonly IpRange[], layer: Layer): Iterable<number> {
  const side = ctx.l4[dir][cls.index]!;
  if (layer === 'mesh' || !side.isolated || !side.anyStatic.isEmpty()) return ranges.keys();
  const out = new Set<number>();
  for (const rule of side.ip) {
    for (const [lo, hi] of rule.ranges) {
      for (let i = firstFrom(ranges, lo); i < ranges.length && ranges[i]![1] <= hi; i++) out.add(i);
    }
  }
  return out;
}

function egressIpPairs(ctx: FlowContext, ranges: readonly IpRange[], layer: Layer, emit: Emit): void {
  const nodes = ranges.map(ipNode);
  for (const s of ctx.nodes.classes) {
    for (const i of candidateRanges(ctx, 'egress', s, ranges, layer)) {
      // The sidecar does not restrict egress (a Sidecar resource is no security boundary).
      const conn = layer === 'mesh' ? ConnSet.all : toIpConn(ctx.l4, s, ranges[i]!);
      if (!conn.isEmpty()) for (const a of s.nodes) emit(a, nodes[i]!, conn, ConnSet.none);
    }
  }
}

function ingressIpPairs(ctx: FlowContext, ranges: readonly IpRange[], layer: Layer, emit: Emit): void {
  const nodes = ranges.map(ipNode);
  for (const d of ctx.nodes.classes) {
    for (const i of candidateRanges(ctx, 'ingress', d, ranges, layer)) {
      const range = ranges[i]!;
      const conn = layer === 'mesh' ? ConnSet.all : fromIpConn(ctx.l4, range, d);
      if (conn.isEmpty()) continue;
      const m = layer === 'l4' ? undefined : ctx.mesh.ports({ kind: 'ip', range }, d);
      const allowed = m ? conn.intersect(m.allowed) : conn;
      const partial = m ? conn.intersect(m.partial) : ConnSet.none;
      if (allowed.isEmpty() && partial.isEmpty()) continue;
      for (const b of d.nodes) emit(nodes[i]!, b, allowed, partial);
    }
  }
}

const EVERYWHERE: readonly IpRange[] = [[0, 0xffffffff]];

function ipPairs(ctx: FlowContext, layer: Layer, emit: Emit): void {
  egressIpPairs(ctx, layer === 'mesh' ? EVERYWHERE : ctx.l4.egressIps, layer, emit);
  ingressIpPairs(ctx, layer === 'mesh' ? EVERYWHERE : ctx.l4.ingressIps, layer, emit);
}

/** All allowed connections on `layer`, sorted by source then destination (netpol-analyzer's order). */
export function analyzeFlows(ctx: FlowContext, layer: Layer = 'both'): FlowAnalysis {
  const edges: FlowEdge[] = [];
  const emit: Emit = (src, dst, conn, partial) => void edges.push({ src, dst, conn, partial });
  podPairs(ctx, layer, emit);
  ipPairs(ctx, layer, emit);
  edges.sort(compareEdges);
  return { layer, workloads: ctx.nodes.workloads, edges };
}

/** Keeps the edges touching one workload (`name`, `ns/name` or the full id). */
export function focus(analysis: FlowAnalysis, workload: string): FlowAnalysis {
  const matches = (n: FlowNode): boolean =>
    n.type === 'workload' && (n.id === workload || `${n.namespace}/${n.name}` === workload || n.name === workload);
  return { ...analysis, edges: analysis.edges.filter((e) => matches(e.src) || matches(e.dst)) };
}
