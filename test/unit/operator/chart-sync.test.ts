import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditorObjects } from '../../../operator/auditor.js';
import { chartFiles } from '../../../operator/helm-chart.js';
import { HelmTemplater } from '../../../operator/helm-template.js';

const CHART = fileURLToPath(new URL('../../../charts/ward-operator/', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesBelow(join(dir, n)) : [join(dir, n)]));
}

describe('charts/ward-operator', () => {
  it('is exactly what `npm run gen:chart` writes (regenerate it when this fails)', async () => {
    const expected = chartFiles({ auditor: (await auditorObjects()) ?? [], version });
    const onDisk = Object.fromEntries(filesBelow(CHART).map((f) => [relative(CHART, f), readFileSync(f, 'utf8')]));
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) expect(onDisk[name], `charts/ward-operator/${name} is stale: run npm run gen:chart`).toBe(text);
  });

  it('keeps the CRD in crds/ (installed once, never upgraded or deleted by Helm), not in templates/', async () => {
    const files = chartFiles({ auditor: (await auditorObjects()) ?? [], version });
    expect(Object.keys(files).filter((f) => f.startsWith('crds/'))).toEqual(['crds/registrydeployments.ward.g2p.dev.yaml']);
    for (const [name, text] of Object.entries(files)) if (name.startsWith('templates/')) expect(text, name).not.toContain('CustomResourceDefinition');
  });

  it('values.yaml defaults are the construct\'s own (image, replicas, resources, probe timing)', () => {
    const values = chartFiles({ auditor: [], version })['values.yaml'] ?? '';
    expect(values).toContain('image: ward/operator:0.1.0');
    expect(values).toContain('replicas: 2');
    expect(values).toMatch(/liveness:\n\s+initialDelaySeconds: 5\n\s+periodSeconds: 10/);
    expect(values).not.toContain('httpGet');
  });
});

describe('HelmTemplater', () => {
  it('swaps inline, block and spread markers for their template text at the right indentation', () => {
    const t = new HelmTemplater();
    const text = t.render({ a: { count: t.inline('{{ .Values.count }}'), b: t.block((i) => `{{- toYaml .Values.b | nindent ${String(i)} }}`), list: [{ c: t.block((i) => `X${String(i)}`) }] }, d: { keep: 1, [t.spread((i) => `S${String(i)}`)]: true } });
    expect(text).toBe('a:\n  count: {{ .Values.count }}\n  b:\n{{- toYaml .Values.b | nindent 4 }}\n  list:\n    - c:\nX8\nd:\n  keep: 1\nS2\n');
  });

  it('refuses a block marker that is not a whole value (a programming error, not silent output)', () => {
    const t = new HelmTemplater();
    expect(() => t.render({ a: `x-${t.block(() => 'B')}` })).toThrow(/is not on a line of its own/);
  });
});
