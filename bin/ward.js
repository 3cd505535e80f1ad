#!/usr/bin/env node
// The `ward` command. It runs the JavaScript that scripts/build.mjs compiled into dist/ (`npm ci`
// builds it through the `prepare` script; `npm run build` after editing sources). Without a build,
// or with WARD_FROM_SOURCE=1, it compiles the TypeScript sources on load through tsx instead, which
// is slower to start. Run it through `npx ward` or `npm run ward --`: both put the project's own
// Node.js 24 (the `node` devDependency) first on the PATH.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `ward: Node.js ${process.versions.node} is too old (ward needs >= 22.19).\n` +
      '      Run it as `npx ward ...` or `npm run ward -- ...` in the project: npm ci installed Node.js 24 there.\n',
  );
  process.exit(2);
}
const built = new URL('../dist/main.js', import.meta.url);
if (process.env.WARD_FROM_SOURCE !== '1' && existsSync(built)) {
  // WARD_DEBUG=1 prints the stack of an unexpected error, naming the TypeScript lines through
  // dist/'s source maps. Off by default: loading the maps costs start-up time and ~8 MiB
  // (node --enable-source-maps turns them on as well).
  if (process.env.WARD_DEBUG === '1') process.setSourceMapsEnabled(true);
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
