/** Specs shared by the WireGuard unit tests. Public keys only: the RFC 7748 vectors and fixed pairs. */
import type { RegistrySpecInput } from '../../../charts-src/model/index.js';

export const KEYS = {
  alice: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=',
  bob: '3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=',
  server: 'Q2bUBJkFvPMz3hUVrAM8re4uHv2sHbAfGvRWrz6X62E=',
} as const;

/** A registry with one component and the WireGuard gateway enabled; `wireguard` overrides are merged in. */
export function wgSpec(wireguard: Record<string, unknown> = {}): RegistrySpecInput {
  return {
    namespace: 'dev',
    components: [
      { name: 'registry', selector: { app: 'odoo' }, serviceAccount: 'odoo', ports: [{ name: 'http', port: 8069 }], personalData: true },
      { name: 'minio', selector: { app: 'minio' }, serviceAccount: 'minio', ports: [{ name: 'api', port: 9000 }, { name: 'console', port: 9001 }] },
    ],
    wireguard: {
      enabled: true,
      publicKey: KEYS.server,
      adminGateway: { address: '10.96.20.10/32' },
      routes: [
        { host: 'registry-admin.internal', component: 'registry', port: 8069 },
        { host: 'minio-console.internal', component: 'minio', port: 9001 },
      ],
      peers: [
        { name: 'alice', publicKey: KEYS.alice, address: '10.15.0.2/32' },
        { name: 'bob', publicKey: KEYS.bob, address: '10.15.0.3/32', presharedKeySecretRef: { name: 'bob-psk' } },
      ],
      ...wireguard,
    },
  };
}
