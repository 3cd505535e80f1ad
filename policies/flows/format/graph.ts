/**
 * Graph renderings: Graphviz DOT (namespaces as clusters, as netpol-analyzer draws them) and a
 * self-contained SVG connectivity matrix (sources as rows, destinations as columns) that needs no
 * Graphviz. Pure.
 */
import type { FlowAnalysis } from '../analyze.js';
import type { FlowNode } from '../nodes.js';
import { flowRows } from './text.js';

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function nodesOf(analysis: FlowAnalysis): FlowNode[] {
  const byId = new Map<string, FlowNode>();
  for (const n of analysis.workloads) byId.set(n.id, n);
  for (const e of analysis.edges) {
    byId.set(e.src.id, e.src);
    byId.set(e.dst.id, e.dst);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function toDot(analysis: FlowAnalysis): string {
  const lines = ['digraph {'];
  const nodes = nodesOf(analysis);
  const namespaces = [...new Set(nodes.flatMap((n) => (n.type === 'workload' ? [n.namespace] : [])))].sort();
  for (const ns of namespaces) {
    lines.push(`\tsubgraph ${q(`cluster_${ns}`)} {`, '\t\tcolor="black"', '\t\tfontcolor="black"');
    for (const n of nodes) if (n.type === 'workload' && n.namespace === ns) lines.push(`\t\t${q(n.id)} [label=${q(`${n.name}[${n.kind}]`)} color="blue" fontcolor="blue"]`);
    lines.push(`\t\tlabel=${q(ns)}`, '\t}');
  }
  for (const n of nodes) if (n.type === 'ip') lines.push(`\t${q(n.id)} [label=${q(n.id)} color="red2" fontcolor="red2"]`);
  for (const r of flowRows(analysis)) {
    const style = r.verdict === 'partial' ? ' style="dashed"' : '';
    lines.push(`\t${q(r.src)} -> ${q(r.dst)} [label=${q(r.verdict === 'partial' ? `${r.conn} (partial)` : r.conn)} color="gold2" fontcolor="darkgreen"${style}]`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CELL = 22;
const LABEL = 260;

/** An SVG matrix: a filled cell where the row may connect to the column; hover shows the ports. */
export function toSvg(analysis: FlowAnalysis): string {
  const rows = flowRows(analysis);
  const ids = nodesOf(analysis).map((n) => n.id);
  const pos = new Map(ids.map((id, i) => [id, i]));
  const size = LABEL + ids.length * CELL + 20;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(size)}" height="${String(size)}" viewBox="0 0 ${String(size)} ${String(size)}" font-family="sans-serif" font-size="11" role="img" aria-labelledby="t">`,
    `<title id="t">Connectivity matrix (${analysis.layer}): rows connect to columns</title>`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
  ];
  ids.forEach((id, i) => {
    const c = LABEL + i * CELL + CELL / 2;
    out.push(`<text x="${String(LABEL - 6)}" y="${String(LABEL + i * CELL + 15)}" text-anchor="end" fill="#1a1a1a">${escapeXml(id)}</text>`);
    out.push(`<text transform="translate(${String(c + 4)} ${String(LABEL - 6)}) rotate(-60)" fill="#1a1a1a">${escapeXml(id)}</text>`);
  });
  for (let i = 0; i <= ids.length; i++) {
    const p = LABEL + i * CELL;
    const end = LABEL + ids.length * CELL;
    out.push(`<line x1="${String(LABEL)}" y1="${String(p)}" x2="${String(end)}" y2="${String(p)}" stroke="#bbbbbb"/>`, `<line x1="${String(p)}" y1="${String(LABEL)}" x2="${String(p)}" y2="${String(end)}" stroke="#bbbbbb"/>`);
  }
  for (const r of rows) {
    const x = LABEL + (pos.get(r.dst) ?? 0) * CELL + 2;
    const y = LABEL + (pos.get(r.src) ?? 0) * CELL + 2;
    const fill = r.verdict === 'partial' ? '#e0a100' : r.conn === 'All Connections' ? '#b3261e' : '#1b7f3b';
    out.push(`<rect x="${String(x)}" y="${String(y)}" width="${String(CELL - 4)}" height="${String(CELL - 4)}" fill="${fill}"><title>${escapeXml(`${r.src} => ${r.dst} : ${r.conn}${r.verdict === 'partial' ? ' (partially allowed)' : ''}`)}</title></rect>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
