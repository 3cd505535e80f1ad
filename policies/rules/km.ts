import type { Rule } from '../types.js';

export const kmRules: readonly Rule[] = [];
