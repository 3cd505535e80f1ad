export * from './schema.js';
export * from './issues.js';
export { parseRegistrySpec, type ParseResult } from './parse.js';
export { presets } from './presets/index.js';
export { wireguardSchema, type WireguardSpec } from './wireguard.js';
export { PolicyNames, ALLOW_PREFIX, RESERVED_COMPONENT_NAMES } from './topology.js';
export { registryDeploymentOwner } from './owner.js';
