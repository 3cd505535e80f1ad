/** Shared helpers for the policy-check unit tests: run one rule over YAML text, find lines. */
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { parseText } from '../../../policies/load/parse.js';
import { rules } from '../../../policies/rules/index.js';
import type { Finding } from '../../../policies/types.js';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const FILE = 'case.yaml';

/** Runs the rule `id` alone over the YAML text (file name `case.yaml`). */
export function runRule(id: string, yaml: string, options: { cluster?: boolean } = {}): Finding[] {
  const rule = rules.get(id);
  if (!rule) throw new Error(`no rule ${id}`);
  const loaded = parseText(yaml, FILE);
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const index = ObjectIndex.fromDocuments(loaded.documents, { cluster: options.cluster ?? false });
  return rule.check(index, { now: NOW, cluster: options.cluster ?? false });
}

/** 1-based line of the first line containing `needle` (after the `nth` occurrence, 0-based). */
export function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] ?? '').includes(needle)) {
      if (seen === nth) return i + 1;
      seen++;
    }
  }
  throw new Error(`"${needle}" not in text`);
}

export interface Expect {
  readonly severity: Finding['severity'];
  readonly message: string;
  /** Text on the reported line. */
  readonly at: string;
  /** Which occurrence of `at` (0-based). @default 0 */
  readonly nth?: number;
}

export interface Case {
  readonly name: string;
  readonly yaml: string;
  /** Expected findings (empty: passes). */
  readonly expect: readonly Expect[];
  readonly cluster?: boolean;
}

/** Compares findings with expectations: rule id, severity, exact message, reported line. */
export function summarise(id: string, c: Case): { got: unknown[]; want: unknown[] } {
  const got = runRule(id, c.yaml, { cluster: c.cluster ?? false }).map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, line: f.location?.line }));
  const want = c.expect.map((e) => ({ ruleId: id, severity: e.severity, message: e.message, line: lineOf(c.yaml, e.at, e.nth ?? 0) }));
  return { got, want };
}

export interface DeploymentOptions {
  /** @default `example/<name>:1` */
  readonly image?: string;
  /** YAML appended to the container (indented 10 spaces: `\n          args: [...]`). */
  readonly extra?: string;
  /** YAML appended inside the pod labels mapping (`, ward.g2p.dev/personal-data: "true"`). */
  readonly labels?: string;
  /** @default sr */
  readonly namespace?: string;
}

/** A one-container Deployment document (starting with `---`) with literal env values, named like its container. */
export function deployment(name: string, env: Readonly<Record<string, string>>, o: DeploymentOptions = {}): string {
  const vars = Object.entries(env).map(([k, v]) => `            - name: ${k}\n              value: ${JSON.stringify(v)}`).join('\n') || '            []';
  return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${o.namespace ?? 'sr'}}
spec:
  template:
    metadata:
      labels: {app: ${name}${o.labels ?? ''}}
    spec:
      containers:
        - name: ${name}
          image: ${o.image ?? `example/${name}:1`}${o.extra ?? ''}
          env:
${vars}
`;
}
