/**
 * `ward flows --cluster` against the real API server: objects read from a live cluster give the
 * same connections as the same manifests read from files (NetworkPolicy and Istio layers).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { ADMIN_CONTEXT } from '../../dev-cluster/kubeconfig.js';
import { readCluster } from '../../policies/cluster.js';
import { buildIndex } from '../../policies/engine.js';
import { analyzeFlows, buildFlowContext, type Layer } from '../../policies/flows/analyze.js';
import { toConnlist } from '../../policies/flows/format/text.js';
import { adminKubeConfig, applyAsAdmin, describeCluster, freshNamespace, kubeconfigPath } from './helpers.js';

const SCENARIO = join(import.meta.dirname, '../fixtures/flows/26-mesh-allow-by-principal/input.yaml');

/** The scenario with its namespace `reg` renamed to `ns`. */
function scenarioIn(ns: string): KubeObject[] {
  const text = readFileSync(SCENARIO, 'utf8').replaceAll('namespace: reg', `namespace: ${ns}`).replaceAll('name: reg,', `name: ${ns},`).replaceAll('/ns/reg/', `/ns/${ns}/`);
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
}

/** Connections between two workloads of `ns` (address ranges depend on the whole cluster's policies). */
function linesIn(objects: readonly KubeObject[], ns: string, layer: Layer): string[] {
  const text = toConnlist(analyzeFlows(buildFlowContext(buildIndex({ objects, cluster: true })), layer));
  return text.split('\n').filter((l) => l.startsWith(`${ns}/`) && l.includes(` => ${ns}/`));
}

describeCluster('ward flows --cluster', () => {
  let ns: string;
  let live: KubeObject[];

  beforeAll(async () => {
    ns = await freshNamespace('ward-flows-');
    for (const o of scenarioIn(ns)) await applyAsAdmin(o as unknown as KubernetesObject);
    live = await readCluster({ kubeConfig: adminKubeConfig() });
  });

  it.each(['l4', 'both'] as const)('gives the same %s connections as the manifests', (layer) => {
    const fromFiles = linesIn(scenarioIn(ns), ns, layer);
    expect(fromFiles.length).toBeGreaterThan(0);
    expect(linesIn(live, ns, layer)).toEqual(fromFiles);
  });

  it('refuses plaintext and other principals on the live objects too', () => {
    const lines = linesIn(live, ns, 'both');
    expect(lines).toContain(`${ns}/registry[Deployment] => ${ns}/db[StatefulSet] : SCTP 1-65535,TCP 5432,UDP 1-65535`);
    expect(lines).toContain(`${ns}/mail[Deployment] => ${ns}/db[StatefulSet] : SCTP 1-65535,UDP 1-65535`);
  });

  it('runs end to end from the CLI: ward flows --cluster --focus', () => {
    const res = spawnSync(process.execPath, ['bin/ward.js', 'flows', '--cluster', '--kubeconfig', kubeconfigPath!, '--context', ADMIN_CONTEXT, '--focus', `${ns}/db`], { encoding: 'utf8', timeout: 120_000 });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`${ns}/registry[Deployment] => ${ns}/db[StatefulSet] : SCTP 1-65535,TCP 5432,UDP 1-65535\n`);
  });
});
