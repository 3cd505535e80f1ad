export * from './common.js';
export * from './namespace.js';
export * from './mesh.js';
export * from './network.js';
