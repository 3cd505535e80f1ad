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
