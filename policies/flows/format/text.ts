/**
 * Text renderings of a flow analysis. `connlist` is netpol-analyzer's `list` output line for line
 * (`src => dst : conn`, sorted by source then destination) so the two tools can be diffed; partially
 * allowed connections (Istio L7 conditions) get their own line with a marker netpol-analyzer never
 * prints. json, csv and md carry the same rows.
 */
import type { FlowAnalysis, FlowEdge } from '../analyze.js';

export interface FlowRow {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
  /** `allowed`, or `partial` when only requests meeting L7 conditions pass. */
  readonly verdict: 'allowed' | 'partial';
}

export const PARTIAL_MARKER = '(partially allowed: L7 conditions)';

/** One row per allowed connection and one per partially allowed connection. */
export function flowRows(analysis: FlowAnalysis): FlowRow[] {
  const rows: FlowRow[] = [];
  for (const e of analysis.edges) rows.push(...edgeRows(e));
  return rows;
}

function edgeRows(e: FlowEdge): FlowRow[] {
  const out: FlowRow[] = [];
  if (!e.conn.isEmpty()) out.push({ src: e.src.id, dst: e.dst.id, conn: e.conn.toString(), verdict: 'allowed' });
  if (!e.partial.isEmpty()) out.push({ src: e.src.id, dst: e.dst.id, conn: e.partial.toString(), verdict: 'partial' });
  return out;
}

export function toConnlist(analysis: FlowAnalysis): string {
  return flowRows(analysis)
    .map((r) => `${r.src} => ${r.dst} : ${r.conn}${r.verdict === 'partial' ? ` ${PARTIAL_MARKER}` : ''}\n`)
    .join('');
}

export function toJson(analysis: FlowAnalysis): string {
  const body = {
    layer: analysis.layer,
    connections: flowRows(analysis),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(analysis: FlowAnalysis): string {
  const lines = ['src,dst,conn,verdict', ...flowRows(analysis).map((r) => [r.src, r.dst, r.conn, r.verdict].map(csvField).join(','))];
  return `${lines.join('\n')}\n`;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function toMarkdown(analysis: FlowAnalysis): string {
  const lines = ['| src | dst | conn | verdict |', '|-----|-----|------|---------|'];
  for (const r of flowRows(analysis)) lines.push(`| ${mdCell(r.src)} | ${mdCell(r.dst)} | ${mdCell(r.conn)} | ${r.verdict} |`);
  return `${lines.join('\n')}\n`;
}
