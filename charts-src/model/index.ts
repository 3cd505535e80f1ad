export * from './schema.js';
export * from './issues.js';
export { parseRegistrySpec, type ParseResult } from './parse.js';
export { helmValuesOverlays, presets } from './presets/index.js';
export { socialRegistryUnmanaged, type UnmanagedWorkload } from './presets/openg2p-social-registry.js';
export { SR_VALUES_GAPS } from './presets/openg2p-social-registry-values.js';
export { wireguardSchema, type WireguardSpec } from './wireguard.js';
export { PolicyNames, ALLOW_PREFIX, RESERVED_COMPONENT_NAMES } from './topology.js';
export { registryDeploymentOwner } from './owner.js';
