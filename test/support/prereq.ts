/**
 * Tests that need root, Go-built binaries or Chromium call `requirePrereq`. On a developer laptop a
 * missing prerequisite skips the suite with a loud message; with CI=true it is a failure, so CI never
 * reports a skipped test as green.
 */
export function missingPrereq(what: string, ok: boolean): string | undefined {
  if (ok) return undefined;
  const message = `PREREQUISITE MISSING: ${what}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true turns this skip into a failure)`);
  process.stderr.write(`\n!!! ${message} — these tests are SKIPPED on this machine !!!\n\n`);
  return message;
}

/** True when running as root (needed for network namespaces and WireGuard). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
