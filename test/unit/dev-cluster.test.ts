import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki, type Pki } from '../../dev-cluster/certs.js';
import { apiserverArgs, etcdArgs } from '../../dev-cluster/cluster.js';
import { renderKubeconfig } from '../../dev-cluster/kubeconfig.js';

const ports = { apiserver: 6443, etcdClient: 2379, etcdPeer: 2380 };

describe('dev cluster flags', () => {
  it('binds etcd to loopback only, with a single member and no fsync', () => {
    expect(etcdArgs('/d', ports)).toEqual([
      '--name=ward-dev', '--data-dir=/d/etcd',
      '--listen-client-urls=http://127.0.0.1:2379', '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380', '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=ward-dev=http://127.0.0.1:2380', '--unsafe-no-fsync=true', '--log-level=warn',
    ]);
  });

  it('runs kube-apiserver on loopback with client certificates, RBAC and the service-account keys', () => {
    const args = apiserverArgs({ dir: '/p', caCert: '/p/ca.crt', servingCert: '/p/s.crt', servingKey: '/p/s.key',
      serviceAccountKey: '/p/sa.key', serviceAccountPub: '/p/sa.pub' } as Pki, ports);
    expect(args).toEqual(expect.arrayContaining([
      '--etcd-servers=http://127.0.0.1:2379', '--bind-address=127.0.0.1', '--secure-port=6443',
      '--client-ca-file=/p/ca.crt', '--authorization-mode=RBAC', '--service-account-issuer=https://127.0.0.1:6443',
      '--service-account-key-file=/p/sa.pub', '--service-account-signing-key-file=/p/sa.key',
    ]));
  });
});

describe('dev cluster PKI and kubeconfig (real openssl)', () => {
  let dir: string;
  let pki: Pki;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ward-pki-'));
    pki = await ensurePki(join(dir, 'pki'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a serving certificate for 127.0.0.1 and localhost, signed by the CA', async () => {
    const text = (await execa('openssl', ['x509', '-in', pki.servingCert, '-noout', '-text'])).stdout;
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('DNS:localhost');
    expect(text).toContain('TLS Web Server Authentication');
    await expect(execa('openssl', ['verify', '-CAfile', pki.caCert, pki.servingCert, pki.adminCert, pki.restrictedCert])).resolves.toBeTruthy();
  });

  it('puts the admin in system:masters and the restricted user in a group without rights', async () => {
    const subject = async (cert: string) => (await execa('openssl', ['x509', '-in', cert, '-noout', '-subject', '-nameopt', 'RFC2253'])).stdout;
    expect(await subject(pki.adminCert)).toBe('subject=CN=admin,O=system:masters');
    expect(await subject(pki.restrictedCert)).toBe('subject=CN=restricted,O=ward:restricted');
  });

  it('keeps private keys readable by the owner only and reuses the PKI on a second call', async () => {
    expect(statSync(pki.caKey).mode & 0o077).toBe(0);
    const before = statSync(pki.caCert).mtimeMs;
    await ensurePki(pki.dir);
    expect(statSync(pki.caCert).mtimeMs).toBe(before);
  });

  it('renders a self-contained kubeconfig with contexts admin and restricted', async () => {
    const yaml = await renderKubeconfig(pki, 'https://127.0.0.1:6443');
    expect(yaml).not.toContain(dir);
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    expect(kc.getContexts().map((c) => c.name)).toEqual(['admin', 'restricted']);
    expect(kc.getCurrentContext()).toBe('admin');
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    kc.setCurrentContext('restricted');
    expect(kc.getCurrentUser()?.certData).toBeTruthy();
    expect(kc.getCurrentUser()?.keyData).toBeTruthy();
  });
});
