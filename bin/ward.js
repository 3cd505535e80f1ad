#!/usr/bin/env node
// The `ward` command. Sources are TypeScript; tsx compiles them on load so a fresh clone works after
// `npm ci` without a build step. Run it through `npx ward` or `npm run ward --`: both put the
// project's own Node.js 24 (the `node` devDependency) first on the PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `ward: Node.js ${process.versions.node} is too old (ward needs >= 22.19).\n` +
      '      Run it as `npx ward ...` or `npm run ward -- ...` in the project: npm ci installed Node.js 24 there.\n',
  );
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
await import('../cli/main.ts');
