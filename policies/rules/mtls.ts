import type { Rule } from '../types.js';

export const mtlsRules: readonly Rule[] = [];
