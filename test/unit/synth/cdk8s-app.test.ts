import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { formatIssues, parseRegistrySpec, registryDeploymentOwner } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';

/** `cdk8s synth` runs charts-src/main.ts (cdk8s.yaml); it must write what `ward synth` prints. */
const out = mkdtempSync(join(tmpdir(), 'ward-cdk8s-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function app(env: Record<string, string>): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'charts-src/main.ts'], { encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: out, ...env } });
}

describe('the cdk8s app (charts-src/main.ts)', () => {
  it('writes the objects of examples/openg2p-social-registry.yaml, in ward synth order', () => {
    const r = app({});
    expect(r.status).toBe(0);
    expect(readdirSync(out)).toEqual(['ward.k8s.yaml']);
    const written = parseAllDocuments(readFileSync(join(out, 'ward.k8s.yaml'), 'utf8')).map((d) => d.toJS() as unknown);
    const input = parse(readFileSync('examples/openg2p-social-registry.yaml', 'utf8')) as unknown;
    const spec = parseRegistrySpec(input);
    if (!spec.ok) throw new Error(formatIssues(spec.issues));
    expect(written).toEqual(synthesize(spec.spec, { owner: registryDeploymentOwner(input)! }));
    expect(JSON.stringify(written)).toContain('"ward.g2p.dev/owner":"dev.social-registry"');
  });

  it('exits 2 with the issues of an invalid spec named by WARD_SPEC', () => {
    const r = app({ WARD_SPEC: 'test/unit/synth/fixtures/invalid-spec.yaml' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'test/unit/synth/fixtures/invalid-spec.yaml: invalid RegistryDeployment\nflows[0].to.component: unknown component "ghost": must be one of the declared components (registry)\n',
    );
  });
});
