export * from './schema.js';
export * from './issues.js';
export { parseRegistrySpec, type ParseResult } from './parse.js';
export { presets } from './presets/index.js';
export { wireguardSchema, type WireguardSpec } from './wireguard.js';
