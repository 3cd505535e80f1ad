import type { Rule } from '../types.js';

export const netRules: readonly Rule[] = [];
