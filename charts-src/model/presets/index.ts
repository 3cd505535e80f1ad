import type { RegistrySpecInput } from '../schema.js';

/** Known presets. Filled in by the foundation work (issue 2). */
export const presets: Readonly<Record<string, (release: string, namespace: string) => RegistrySpecInput>> = {};
