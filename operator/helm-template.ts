import { stringify } from 'yaml';

/**
 * Turns synthesised objects into Helm template text: the caller puts markers (plain strings the
 * YAML writer leaves unquoted) where a value should come from the chart's values, serialises, and
 * `render` swaps each marker for its template text. Pure; used by operator/helm-chart.ts.
 *
 *   const t = new HelmTemplater();
 *   deployment.spec.replicas = t.inline('{{ .Values.replicas }}');
 *   container.resources = t.block((indent) => `{{- toYaml .Values.resources | nindent ${indent} }}`);
 *   probe[t.spread((indent) => `{{- toYaml .Values.probes.liveness | nindent ${indent} }}`)] = true;
 *   t.render(object)
 */

/** Text of a block: given the indentation (in spaces) of the value's own lines. */
export type BlockText = (indent: number) => string;

const MARK = (n: number): string => `__WARD_TPL_${String(n)}__`;

export class HelmTemplater {
  private readonly inlines = new Map<string, string>();
  private readonly blocks = new Map<string, BlockText>();
  private readonly spreads = new Map<string, BlockText>();

  /** A marker replaced by `text` where it stands (a whole scalar or part of one). */
  inline(text: string): string {
    const m = MARK(this.inlines.size + this.blocks.size + this.spreads.size);
    this.inlines.set(m, text);
    return m;
  }

  /** A marker for a whole value (`key: MARK`): the key stays, its value becomes the block's lines. */
  block(text: BlockText): string {
    const m = MARK(this.inlines.size + this.blocks.size + this.spreads.size);
    this.blocks.set(m, text);
    return m;
  }

  /** A marker to use as a key (`MARK: true`): the line becomes the block's lines, merged into the mapping. */
  spread(text: BlockText): string {
    const m = MARK(this.inlines.size + this.blocks.size + this.spreads.size);
    this.spreads.set(m, text);
    return m;
  }

  /** One object as template text; every marker must be found (a lost one is a programming error). */
  render(object: unknown): string {
    let text = stringify(object, { lineWidth: 0, version: '1.1' });
    for (const [m, fn] of this.blocks) {
      text = this.replaceLine(text, new RegExp(`^( *)(- )?([^\\n:]+): ${m}$`, 'm'), m, (indent, dash, key) => `${indent}${dash}${key}:\n${fn(indent.length + dash.length + 2)}`);
    }
    for (const [m, fn] of this.spreads) {
      text = this.replaceLine(text, new RegExp(`^( *)${m}: true$`, 'm'), m, (indent) => fn(indent.length));
    }
    for (const [m, t] of this.inlines) {
      if (!text.includes(m)) continue;
      text = text.split(m).join(t);
    }
    return text;
  }

  private replaceLine(text: string, re: RegExp, m: string, to: (indent: string, dash: string, key: string) => string): string {
    if (!text.includes(m)) return text;
    const match = re.exec(text);
    if (!match) throw new Error(`helm template marker ${m} is not on a line of its own`);
    return text.slice(0, match.index) + to(match[1] ?? '', match[2] ?? '', match[3] ?? '') + text.slice(match.index + match[0].length);
  }
}

/** Wraps template text in `{{- if COND }} … {{- end }}`. */
export function when(condition: string, text: string): string {
  return `{{- if ${condition} }}\n${text.endsWith('\n') ? text : `${text}\n`}{{- end }}\n`;
}
