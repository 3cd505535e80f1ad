/**
 * Secret strength: pure helpers shared by the checker (`ward check`, which sees manifests) and the
 * operator (which reads live Secrets). Neither ever puts a value in a message.
 */

/**
 * Values shipped as defaults by the charts ward hardens (OpenG2P, MOSIP, Bitnami, MinIO, Keycloak)
 * or typed by hand: admin passwords, placeholder secrets, database users and the chart-default
 * SoftHSM PIN. Compare with `isKnownDefault`, which ignores case and surrounding white space.
 */
export const KNOWN_DEFAULT_VALUES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'admin123', 'admin@123', 'changeme', 'change-me', 'changeit',
  'password', 'passw0rd', 'password1', 'password123', 'secret', 'default', 'root', 'toor', 'test', 'guest', 'letmein', 'qwerty',
  'postgres', 'keycloak', 'minio', 'minioadmin', 'minio123', 'odoo', 'openg2p', 'mosip', 'mosip123', 'sruser', 'keymgruser',
  '1234', '12345', '123456', '12345678', '123456789',
]);

/** Whether a value is one of `KNOWN_DEFAULT_VALUES`, ignoring case and surrounding white space. */
export function isKnownDefault(value: string): boolean {
  return KNOWN_DEFAULT_VALUES.has(value.trim().toLowerCase());
}

/**
 * Shannon entropy in bits per symbol of what iterating `symbols` yields (bytes of a Uint8Array,
 * code points of a string), with `symbols.length` as the count: 0 for an empty input.
 */
export function shannonEntropy<T>(symbols: Iterable<T> & { readonly length: number }): number {
  if (symbols.length === 0) return 0;
  const counts = new Map<T, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / symbols.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
