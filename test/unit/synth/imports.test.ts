import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { genIstio, genK8s, goBinary, ISTIO_CRD_FILE, swaggerPath } from '../../../scripts/gen-imports.js';
import { missingPrereq } from '../../support/prereq.js';

/** The committed imports are what `npm run gen:imports` produces from their inputs. */
const committed = new URL('../../../charts-src/imports/', import.meta.url);
const out = mkdtempSync(join(tmpdir(), 'ward-imports-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('charts-src/imports is in sync with its inputs', () => {
  it('the Istio imports equal a regeneration from crds/istio.yaml', async () => {
    await genIstio(ISTIO_CRD_FILE, out);
    for (const f of ['security.istio.io.ts', 'networking.istio.io.ts']) {
      expect(readFileSync(join(out, f), 'utf8') === readFileSync(new URL(f, committed), 'utf8'), `${f} differs: run npm run gen:imports`).toBe(true);
    }
  });

  const skip = missingPrereq('Go toolchain (WARD_GO_BIN, go on PATH or /usr/local/go/bin/go), to fetch k8s.io/kubernetes@v1.34.4 swagger.json into the module cache', goBinary() !== undefined);
  it.skipIf(skip !== undefined)('the Kubernetes imports equal a regeneration from the swagger.json of k8s.io/kubernetes@v1.34.4', async () => {
    await genK8s(swaggerPath(), out);
    for (const f of ['k8s.ts', 'k8s-definitions.json']) {
      expect(readFileSync(join(out, f), 'utf8') === readFileSync(new URL(f, committed), 'utf8'), `${f} differs: run npm run gen:imports`).toBe(true);
    }
  });

  it('charts-src/imports holds only generated files and their inputs', () => {
    expect(readdirSync(committed).sort()).toEqual(['crds', 'k8s-definitions.json', 'k8s.ts', 'networking.istio.io.ts', 'security.istio.io.ts']);
  });
});
