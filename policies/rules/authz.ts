import type { Rule } from '../types.js';

export const authzRules: readonly Rule[] = [];
