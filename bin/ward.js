#!/usr/bin/env node
// The `ward` command. Sources are TypeScript; tsx compiles them on load so a fresh clone works after
// `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
