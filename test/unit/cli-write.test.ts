/**
 * Files a command was asked to write (issue 17 item 7): failures name the path and the reason, a
 * private key is never written through a symbolic link nor readable by others, and --focus on a
 * workload the input lacks exits 2 naming the nearest ones.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { nearestNames } from '../../cli/guards.js';
import { makeOutputDir, writeOutputFile, writePrivateFile } from '../../cli/write.js';
import { wgSpec } from './wireguard/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'ward-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('write failures name the path and the reason', () => {
  it.each([
    ['a missing directory', () => join(tmp, 'no-such-dir', 'out.sarif'), 'its directory does not exist (ENOENT)'],
    ['a directory in place of the file', () => tmp, 'it is a directory (EISDIR)'],
  ])('%s', async (_, path, reason) => {
    const p = path();
    await expect(writeOutputFile(p, 'x', 'sarif report')).rejects.toThrow(`cannot write sarif report ${p}: ${reason}`);
  });

  it('an output directory under a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    await expect(makeOutputDir(join(file, 'sub'))).rejects.toThrow(`cannot write output directory ${join(file, 'sub')}: a parent of it is not a directory (ENOTDIR)`);
  });

  it('an output directory where the file system refuses to create one (procfs) is an error, not an endless retry', async () => {
    // Node's mkdir({ recursive: true }) spins forever here: /proc answers ENOENT for a directory it will not create.
    await expect(makeOutputDir('/proc/ward-no-such/out')).rejects.toThrow('cannot write output directory /proc/ward-no-such/out: its directory does not exist (ENOENT)');
  });

  it('creates the missing parents of an output directory, and takes one that exists', async () => {
    const dir = join(tmp, 'new', 'deeper', 'out');
    await makeOutputDir(dir);
    await makeOutputDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

describe('a private key file', () => {
  it('is not written through a symbolic link, and the link target is left alone', async () => {
    const target = join(tmp, 'target');
    writeFileSync(target, 'untouched');
    const link = join(tmp, 'link.conf');
    symlinkSync(target, link);
    await expect(writePrivateFile(link, 'PrivateKey = secret\n', 'client configuration')).rejects.toThrow(`cannot write client configuration ${link}: it is a symbolic link (refused`);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('is created with mode 0600, and an existing file is made 0600 before it gets the key', async () => {
    const fresh = join(tmp, 'fresh.conf');
    await writePrivateFile(fresh, 'key\n');
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const old = join(tmp, 'old.conf');
    writeFileSync(old, 'a much longer previous content\n', { mode: 0o644 });
    await writePrivateFile(old, 'key\n');
    expect(statSync(old).mode & 0o777).toBe(0o600);
    expect(readFileSync(old, 'utf8')).toBe('key\n');
  });
});

describe('nearest names', () => {
  it('ranks names containing the wanted text first, then by edit distance', () => {
    expect(nearestNames('odoo', ['sr/sr-minio', 'sr/sr-odoo', 'sr/sr-postgresql'])).toEqual(['sr/sr-odoo', 'sr/sr-minio', 'sr/sr-postgresql']);
    expect(nearestNames('sr/sr-odo', ['sr/sr-odoo', 'dev/web'], 1)).toEqual(['sr/sr-odoo']);
  });
});

function ward(args: string[]) {
  const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

// Each case spawns the CLI: generous timeouts for a loaded CI machine.
describe('from the command line', { timeout: 120_000 }, () => {
  it('ward wg peer -o refuses a symbolic link and writes no key (exit 2)', () => {
    const spec = join(tmp, 'spec.yaml');
    writeFileSync(spec, stringify(wgSpec()));
    const target = join(tmp, 'elsewhere');
    const link = join(tmp, 'carol.conf');
    symlinkSync(target, link);
    const r = ward(['wg', 'peer', '-f', spec, '--name', 'carol', '--endpoint', 'vpn.example.org:51820', '-o', link]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ward: cannot write client configuration ${link}: it is a symbolic link (refused`);
    expect(existsSync(target)).toBe(false);
    expect(r.stdout).not.toContain('PrivateKey');
  });

  it('ward flows --focus on an unknown workload exits 2 naming the nearest', () => {
    const r = ward(['flows', 'test/fixtures/openg2p-defaults', '--focus', 'odo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ward: --focus "odo" names no workload of the input; nearest: \S+odoo\S*/);
    expect(r.stdout).toBe('');
  });
});
