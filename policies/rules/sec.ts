import type { Rule } from '../types.js';

export const secRules: readonly Rule[] = [];
