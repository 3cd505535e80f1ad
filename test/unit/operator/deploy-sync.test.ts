import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { operatorClusterRules } from '../../../charts-src/constructs/operator.js';
import { auditorObjects } from '../../../operator/auditor.js';
import { deployFiles } from '../../../operator/deploy.js';
import { runCheck } from '../../../policies/engine.js';

const DEPLOY = new URL('../../../deploy/', import.meta.url);

describe('deploy/', () => {
  it('is exactly what `npm run gen:deploy` writes (regenerate it when this fails)', async () => {
    const expected = deployFiles({ auditor: await auditorObjects() });
    const onDisk = Object.fromEntries(readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml')).map((f) => [f, readFileSync(new URL(f, DEPLOY), 'utf8')]));
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) expect(onDisk[name], `deploy/${name} is stale: run npm run gen:deploy`).toBe(text);
  });

  it('passes `ward check --profile strict` with zero open findings (exceptions are waivers with reasons)', () => {
    const objects = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(new URL(f, DEPLOY), 'utf8')).map((d) => d.toJS() as KubeObject));
    const result = runCheck({ objects, now: new Date('2026-11-29T00:00:00Z') });
    expect(result.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    for (const f of result.findings) expect(f.suppressed?.reason ?? '').not.toBe('');
  });

  it('grants Secrets get/create/delete only (never list or watch) and leases only through a namespaced Role', () => {
    const rules = operatorClusterRules();
    const secrets = rules.filter((r) => r.resources?.includes('secrets'));
    expect(secrets).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'delete'] }]);
    expect(rules.some((r) => r.resources?.includes('leases'))).toBe(false);
    expect(rules.some((r) => r.verbs.includes('*') || r.resources?.includes('*'))).toBe(false);
    const namespaces = rules.find((r) => r.resources?.includes('namespaces'));
    expect(namespaces?.verbs).toEqual(['get', 'list', 'watch', 'create', 'patch']);
  });
});
