/**
 * `ward/constructs`: ward's cdk8s constructs and the RegistryDeployment spec model, for your own
 * cdk8s app (docs/library.md). Built to lib/ with type declarations by `npm run build:lib`.
 *
 *   import { App, Chart } from 'cdk8s';
 *   import { MeshSecurity, NetworkIsolation, parseRegistrySpec } from 'ward/constructs';
 *   const parsed = parseRegistrySpec(specFromYaml);
 *   if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
 *   const chart = new Chart(new App(), 'registry');
 *   new MeshSecurity(chart, 'mesh', { spec: parsed.spec });
 *   new NetworkIsolation(chart, 'network', { spec: parsed.spec });
 */
export { MeshSecurity, type MeshSecurityProps } from './constructs/mesh.js';
export { NetworkIsolation, type NetworkIsolationProps } from './constructs/network.js';
export { NamespaceSecurity, podSecurityLabels, type NamespaceSecurityProps, type PodSecurityLevel } from './constructs/namespace.js';
export { WireguardGateway, type WireguardGatewayProps } from './constructs/wireguard.js';
export { resolveEdges, type Edge, type Owner, type SynthesizeOptions } from './constructs/common.js';
export { RegistryChart, synthesize, toYaml } from './synthesize.js';
export type { KubeObject } from './kube.js';
export {
  formatIssues, parseRegistrySpec, presets, registrySpecSchema,
  type Component, type Flow, type ParseResult, type RegistrySpec, type RegistrySpecInput, type SpecIssue, type WireguardSpec,
} from './model/index.js';
