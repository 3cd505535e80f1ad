import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('ward CLI entry', () => {
  it('prints help with the exit codes and exits 0', () => {
    const out = execFileSync(process.execPath, ['bin/ward.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: ward');
    expect(out).toContain('Exit codes:');
  });

  it('exits quietly with 141 when its reader closes the pipe early (| head), without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-epipe-'));
    try {
      const file = join(dir, 'many.yaml');
      // 400 bare Deployments: thousands of findings, far more text than a pipe buffer holds.
      writeFileSync(file, Array.from({ length: 400 }, (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${String(i)}, namespace: x}\nspec:\n  selector: {matchLabels: {app: d${String(i)}}}\n  template:\n    metadata: {labels: {app: d${String(i)}}}\n    spec:\n      containers: [{name: c, image: nginx}]\n`).join('---\n'));
      const res = spawnSync('sh', ['-c', `"${process.execPath}" bin/ward.js check "${file}" | head -1`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(res.stdout.split('\n')[0]).toMatch(/findings in 400 objects/);
      expect(res.stderr).not.toMatch(/EPIPE|node:events|at /);
      const bash = spawnSync('bash', ['-c', `"${process.execPath}" bin/ward.js check "${file}" | head -1 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      expect(bash.stdout.trim()).toBe('141');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on an unknown command', () => {
    const res = spawnSync(process.execPath, ['bin/ward.js', 'no-such-command'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
  });

  it.each([
    ['an unknown option', ['check', '--bogus'], "unknown option '--bogus'"],
    ['a missing required option', ['wg', 'peer'], "required option '-f, --file <file>' not specified"],
  ])('answers %s with the error and a one-line hint, not the whole help', (_, args, error) => {
    const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([`error: ${error}`, '(add --help for the options and examples)']);
  });
});

describe('ward on the machine\'s own Node.js', () => {
  it('either runs, or exits 2 naming the Node.js it needs and how to get it (never a stack trace)', () => {
    const system = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', '--version'], { encoding: 'utf8' });
    if (system.status !== 0) return; // no system Node.js at all: nothing to compare
    const res = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', 'bin/ward.js', '--version'], { encoding: 'utf8' });
    const [major = 0, minor = 0] = system.stdout.trim().replace(/^v/, '').split('.').map(Number);
    if (major > 22 || (major === 22 && minor >= 19)) {
      expect(res.status).toBe(0);
    } else {
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('ward needs >= 22.19');
      expect(res.stderr).toContain('npx ward');
      expect(res.stderr).not.toContain('at ');
    }
  });
});
