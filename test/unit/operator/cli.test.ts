import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ward = (...args: string[]) => spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' } });

describe('ward operator (command line)', () => {
  it('documents its flags', () => {
    const res = ward('operator', '--help');
    expect(res.status).toBe(0);
    for (const flag of ['--kubeconfig', '--namespace', '--metrics-addr', '--health-addr', '--leader-elect', '--resync-period', '--grace-period', '--no-probe']) expect(res.stdout).toContain(flag);
  });

  it('exits 2 naming the file when the kubeconfig cannot be loaded', () => {
    const res = ward('operator', '--kubeconfig', '/nonexistent/kubeconfig');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^ward: cannot load kubeconfig \/nonexistent\/kubeconfig: .*no such file/);
  });

  it('exits 2 on a listen address that is not one', () => {
    const res = ward('operator', '--metrics-addr', 'eighty');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('"eighty" is not a listen address: use ":8080" or "127.0.0.1:8080"');
  });
});
