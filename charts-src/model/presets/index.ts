import type { RegistrySpecInput } from '../schema.js';
import { openg2pCommons } from './openg2p-commons.js';
import { openg2pSocialRegistry } from './openg2p-social-registry.js';
import { socialRegistryHelmValues } from './openg2p-social-registry-values.js';
import type { RegistrySpec } from '../schema.js';

/** Builds a preset for a release name and namespace; anything the spec states overrides it. */
export type PresetBuilder = (release: string, namespace: string) => RegistrySpecInput;

/** Known presets (one typed registry map, STYLE.md 9). Names match `presetNameSchema`. */
export const presets: Readonly<Record<string, PresetBuilder>> = {
  'openg2p-social-registry': openg2pSocialRegistry,
  'openg2p-commons': openg2pCommons,
};

/** Helm values overlays that make a preset's chart compatible with ward's hardening (`ward synth --helm-values`). */
export const helmValuesOverlays: Readonly<Record<string, (spec: RegistrySpec) => string>> = {
  'openg2p-social-registry': socialRegistryHelmValues,
};
