import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('ward CLI entry', () => {
  it('prints help with the exit codes and exits 0', () => {
    const out = execFileSync(process.execPath, ['bin/ward.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: ward');
    expect(out).toContain('Exit codes:');
  });

  it('exits 2 on an unknown command', () => {
    const res = spawnSync(process.execPath, ['bin/ward.js', 'no-such-command'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
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
